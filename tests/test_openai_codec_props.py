"""Codec-level properties of the OpenAI family: encode -> parse round trips (body and stream), any
re-chunking of every stream fixture reads the same, and garbage or truncation gives a typed error."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wireai.codecs import openai_chat, openai_responses
from wireai.codecs._base import BaseStreamParser as StreamParser
from wireai.exceptions import ModelAPIError, ModelHTTPError, UnexpectedModelBehavior
from wireai.messages import ModelResponse, TextPart, ThinkingPart, ToolCallPart
from wireai.profiles import ModelProfile
from wireai.providers.groq import groq_model_profile
from wireai.providers.snowflake import SnowflakeProvider
from wireai.testing.encoders import openai_chat as chat_encoder
from wireai.testing.encoders import openai_responses as responses_encoder
from wireai.testing.fixtures import list_cases, load_case
from wireai.usage import RequestUsage

WHEN = datetime(2025, 1, 1, tzinfo=timezone.utc)
GROQ = groq_model_profile("llama-3.3-70b-versatile")
CORTEX = SnowflakeProvider(account="myorg-myaccount", token="t").model_profile("claude-sonnet-4-6")

RESPONSES = [
    ModelResponse(
        [TextPart("Hello, wörld! " * 5)], RequestUsage(input_tokens=10, output_tokens=5), finish_reason="stop"
    ),
    ModelResponse(
        [
            ToolCallPart("get_weather", '{"city": "Paris"}', tool_call_id="call_1"),
            ToolCallPart("get_time", '{"tz": "Europe/London", "fmt": "iso"}', tool_call_id="call_2"),
        ],
        RequestUsage(
            input_tokens=100, output_tokens=30, cache_read_tokens=64, details={"reasoning_tokens": 12}
        ),
        finish_reason="tool_call",
    ),
    ModelResponse(
        [TextPart("cut off")], RequestUsage(input_tokens=3, output_tokens=16), finish_reason="length"
    ),
    ModelResponse(
        [TextPart("blocked")], RequestUsage(input_tokens=3, output_tokens=1), finish_reason="content_filter"
    ),
]


def drive(parser: StreamParser, chunks: list[bytes]) -> tuple[Any, ...]:
    """One stream's bytes through a parser; the outcome, or the typed error it raised."""
    try:
        for chunk in chunks:
            parser.feed(chunk)
        parser.close()
    except (UnexpectedModelBehavior, ModelHTTPError, ModelAPIError) as exc:
        return ("error", type(exc).__name__, str(exc))
    parts = parser.get().parts
    for n, part in enumerate(parts):
        if isinstance(part, ToolCallPart) and part.tool_call_id.startswith("pyd_ai_"):
            part.tool_call_id = f"generated-{n}"  # ids made up for a server that sent none differ per run
    return ("ok", parts, parser.usage, parser.finish_reason, parser.provider_response_id)


def chat_parser(profile: ModelProfile | None = None) -> StreamParser:
    return openai_chat.StreamParser(model_name="m", profile=profile)


def responses_parser() -> StreamParser:
    return openai_responses.StreamParser(model_name="m")


def with_thinking(response: ModelResponse, **thinking: Any) -> ModelResponse:
    return ModelResponse(
        [ThinkingPart("Let me think step by step.", **thinking), *response.parts],
        response.usage,
        finish_reason=response.finish_reason,
    )


@pytest.mark.parametrize("response", RESPONSES)
def test_chat_round_trip_body_and_stream(response: ModelResponse) -> None:
    response = with_thinking(response)
    parsed = openai_chat.parse_response(chat_encoder.encode_response(response), model_name="m")
    assert (parsed.parts, parsed.usage, parsed.finish_reason) == (
        response.parts,
        response.usage,
        response.finish_reason,
    )
    outcome = drive(chat_parser(), [chat_encoder.encode_stream(response, fragment=3)])
    assert outcome[:4] == ("ok", response.parts, response.usage, response.finish_reason)


@pytest.mark.parametrize("response", RESPONSES)
def test_responses_round_trip_body_and_stream(response: ModelResponse) -> None:
    response = with_thinking(response, id="rs_1")
    parsed = openai_responses.parse_response(responses_encoder.encode_response(response), model_name="m")
    strip = [_without_item_ids(p) for p in parsed.parts]
    assert (strip, parsed.usage, parsed.finish_reason) == (
        [_without_item_ids(p) for p in response.parts],
        response.usage,
        response.finish_reason,
    )
    outcome = drive(responses_parser(), [responses_encoder.encode_stream(response, fragment=3)])
    assert outcome[0] == "ok"
    assert [_without_item_ids(p) for p in outcome[1]] == [_without_item_ids(p) for p in response.parts]
    assert outcome[2:4] == (response.usage, response.finish_reason)


def _without_item_ids(part: Any) -> Any:
    # Responses gives every output item an id (msg_/fc_); the encoder invents them where a part had none.
    if isinstance(part, (TextPart, ToolCallPart)):
        part = type(part)(**{**part.__dict__, "id": None})
    return part


def test_chat_stream_without_usage_or_done_still_completes_when_finished() -> None:
    response = RESPONSES[0]
    outcome = drive(chat_parser(), [chat_encoder.encode_stream(response, include_usage=False, done=False)])
    assert outcome[:2] == ("ok", response.parts)
    assert outcome[2] == RequestUsage()


def test_think_tags_split_across_chunks() -> None:
    content = "<think>\nplan it\n</think>\n\nThe answer."
    response = ModelResponse([TextPart(content)], finish_reason="stop")
    outcome = drive(
        chat_parser(GROQ), [chat_encoder.encode_stream(response, fragment=2, include_usage=False)]
    )
    assert outcome[1] == [ThinkingPart("plan it"), TextPart("The answer.")]
    # the same parts as the JSON body with that content
    body = {
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ]
    }
    assert openai_chat.parse_response(body, model_name="m", profile=GROQ).parts == outcome[1]


@pytest.mark.parametrize(
    ("raw", "finish"),
    [
        ("stop", "stop"),
        ("length", "length"),
        ("tool_calls", "tool_call"),
        ("content_filter", "content_filter"),
        ("function_call", "tool_call"),
    ],
)
def test_every_chat_finish_reason(raw: str, finish: str) -> None:
    body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "x"}, "finish_reason": raw}]}
    assert openai_chat.parse_response(body, model_name="m").finish_reason == finish


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {},
        {"choices": []},
        {"choices": [{"message": None}]},
        {"choices": [{"message": {"tool_calls": [{"function": 3}]}}]},
    ],
)
def test_malformed_chat_bodies_are_unexpected_model_behavior(body: Any) -> None:
    with pytest.raises(UnexpectedModelBehavior):
        openai_chat.parse_response(body, model_name="m")


def test_openrouter_error_in_200_body_is_http_error() -> None:
    body = {"error": {"code": 429, "message": "Rate limit exceeded", "metadata": {"provider_name": "x"}}}
    with pytest.raises(ModelHTTPError) as info:
        openai_chat.parse_response(body, model_name="m")
    assert info.value.status_code == 429 and info.value.body == body


def _tool_chunks(*calls: tuple[str | None, str, str | None]) -> bytes:
    """One chunk per (name, arguments, id) tool-call delta, every one at `index: 0`."""
    out = []
    for name, arguments, call_id in calls:
        call: dict[str, Any] = {"index": 0, "function": {"arguments": arguments}}
        if name is not None:
            call["function"]["name"] = name
        if call_id is not None:
            call["id"] = call_id
        out.append(f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'tool_calls': [call]}}]})}\n\n")
    return ("".join(out) + "data: [DONE]\n\n").encode()


def test_chat_stream_splits_calls_that_reuse_index_zero() -> None:
    # Ollama and other compatible servers send parallel calls all under index 0: a new id, or a new
    # name after arguments that already form an object (no ids at all), starts the next call.
    stream = _tool_chunks(
        ("a", '{"x":', "id_a"), (None, " 1}", None), ("b", '{"y": 2}', "id_b"), ("c", "{}", None)
    )
    parts = openai_chat.StreamParser(model_name="m").feed(stream)
    assert [type(e).__name__ for e in parts] == [
        "PartStartEvent",
        "PartDeltaEvent",
        "PartStartEvent",
        "PartStartEvent",
    ]
    parser = openai_chat.StreamParser(model_name="m")
    parser.feed(stream)
    got = [(p.tool_name, p.args, p.tool_call_id[:4]) for p in parser.close().parts]  # type: ignore[union-attr]
    assert got == [("a", '{"x": 1}', "id_a"), ("b", '{"y": 2}', "id_b"), ("c", "{}", "pyd_")]


def test_chat_stream_repeated_name_and_id_continue_the_call() -> None:
    parser = openai_chat.StreamParser(model_name="m")
    parser.feed(_tool_chunks(("get", "", "c1"), ("get", '{"a":', "c1"), ("get", "1}", None)))
    assert parser.close().parts == [ToolCallPart("get", '{"a":1}', tool_call_id="c1")]


# ------------------------------------------------------------------------------------------ stream fixtures


def _stream_fixtures() -> list[tuple[str, bytes, Callable[[], StreamParser]]]:
    out = []
    for protocol, factory in (
        ("openai_chat", chat_parser),
        ("groq", lambda: chat_parser(GROQ)),
        ("openai_responses", responses_parser),
        ("snowflake", lambda: chat_parser(CORTEX)),  # reasoning_details, no finish_reason
    ):
        for name in list_cases(protocol):
            for exchange in load_case(protocol, name).exchanges:
                if "sse_events" in exchange.response or "sse" in exchange.response:
                    out.append((f"{protocol}/{name}", exchange.raw_body(), factory))
    return out


STREAMS = _stream_fixtures()


@pytest.mark.parametrize(("name", "raw", "factory"), STREAMS, ids=[s[0] for s in STREAMS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_rechunking_reads_the_same(
    name: str, raw: bytes, factory: Callable[[], StreamParser], data: st.DataObject
) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=40)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)])]
    assert drive(factory(), chunks) == drive(factory(), [raw])


@pytest.mark.parametrize(("name", "raw", "factory"), STREAMS, ids=[s[0] for s in STREAMS])
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_truncated_or_corrupted_streams_give_a_typed_outcome(
    name: str, raw: bytes, factory: Callable[[], StreamParser], data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(raw)))
    noise = data.draw(st.binary(max_size=30))
    at = data.draw(st.integers(0, cut))
    mangled = raw[:at] + noise + raw[at:cut]
    outcome = drive(factory(), [mangled])
    assert outcome[0] in ("ok", "error")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["chat", "groq", "cortex", "responses"]))
def test_random_garbage_gives_a_typed_outcome(raw: bytes, which: str) -> None:
    parser = {
        "chat": chat_parser,
        "groq": lambda: chat_parser(GROQ),
        "cortex": lambda: chat_parser(CORTEX),
        "responses": responses_parser,
    }[which]()
    assert drive(parser, [b"data: " + raw + b"\n\n"])[0] in ("ok", "error")


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "choices",
                        "message",
                        "delta",
                        "content",
                        "tool_calls",
                        "function",
                        "usage",
                        "output",
                        "type",
                        "index",
                        "error",
                        "response",
                        "item",
                        "arguments",
                        "name",
                        "reasoning_details",
                        "text",
                        "signature",
                    ]
                ),
                children,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_random_json_bodies_give_a_result_or_typed_error(body: Any) -> None:
    for parse in (
        openai_chat.parse_response,
        lambda body, model_name: openai_chat.parse_response(body, model_name=model_name, profile=CORTEX),
        openai_responses.parse_response,
    ):
        try:
            parse(body, model_name="m")
        except (UnexpectedModelBehavior, ModelHTTPError):
            pass


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(["<think>", "</think>", "\n", "a", "b c", "<", "think", ">"]), max_size=12),
    st.data(),
)
def test_think_tags_stream_gives_the_json_bodys_parts_for_any_deltas(pieces: list[str], data: Any) -> None:
    content = "<think>" + "".join(pieces) + "</think>\n\nanswer"
    cuts = sorted(data.draw(st.lists(st.integers(0, len(content)), max_size=8)))
    deltas = [content[a:b] for a, b in zip([0, *cuts], [*cuts, len(content)]) if content[a:b]]
    chunks = [
        f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'content': d}}]})}\n\n".encode()
        for d in deltas
    ]
    chunks.append(b'data: {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\n')
    outcome = drive(chat_parser(GROQ), chunks)
    body = {
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ]
    }
    assert outcome[1] == openai_chat.parse_response(body, model_name="m", profile=GROQ).parts
