"""Gemini codec without a socket: schema conversion, encode -> parse round trips, and hypothesis
properties over every stream fixture (re-chunking changes nothing; garbage and truncation give a
result or a typed error, never another exception)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from support import assert_protocol_valid, assert_spec_valid
from wireai.codecs import gemini as codec
from wireai.codecs.gemini_schema import to_gemini_schema
from wireai.exceptions import ModelAPIError, ModelHTTPError, UnexpectedModelBehavior, UserError
from wireai.messages import ModelRequest, ModelResponse, TextPart, ThinkingPart, ToolCallPart, UserPromptPart
from wireai.testing.fixtures import list_cases, load_case
from wireai.tools import ToolDefinition
from wireai.transport.sse import SSEDecoder
from wireai.usage import RequestUsage

# ---------------------------------------------------------------------------------------------- schemas


class Leaf(BaseModel):
    label: str


class Tree(BaseModel):
    name: str
    children: list[Tree] = []


class Mixed(BaseModel):
    leaf: Leaf | None = None
    count: int | str
    when: str
    kind: str = "a"


def test_nested_models_are_inlined_and_optional_becomes_nullable() -> None:
    schema = Mixed.model_json_schema()
    schema["properties"]["when"]["format"] = "date-time"
    schema["properties"]["kind"]["const"] = "a"
    converted = to_gemini_schema(schema)
    assert converted == {
        "type": "OBJECT",
        "properties": {
            "leaf": {
                "type": "OBJECT",
                "properties": {"label": {"type": "STRING"}},
                "required": ["label"],
                "nullable": True,
            },
            "count": {"type": "INTEGER", "anyOf": [{"type": "INTEGER"}, {"type": "STRING"}]},
            "when": {"type": "STRING", "format": "date-time"},
            "kind": {"type": "STRING", "enum": ["a"], "default": "a"},
        },
        "required": ["count", "when"],
    }
    body = {
        "contents": [{"role": "user", "parts": [{"text": "x"}]}],
        "generationConfig": {"responseSchema": converted},
    }
    assert_protocol_valid("gemini", body)
    assert_spec_valid("gemini", body)


def test_unsupported_formats_move_into_the_description_and_maps_are_described() -> None:
    converted = to_gemini_schema(
        {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid", "description": "Row id"},
                "extra": {"type": "object", "additionalProperties": {"type": "integer"}},
                "n": {"type": ["integer", "null"], "minimum": 0},
            },
            "additionalProperties": False,
            "title": "Row",
            "$schema": "https://json-schema.org/draft/2020-12/schema",
        }
    )
    assert converted == {
        "type": "OBJECT",
        "properties": {
            "id": {"type": "STRING", "description": "Row id (format: uuid)"},
            "extra": {"type": "OBJECT", "description": "An object with arbitrary keys."},
            "n": {"type": "INTEGER", "nullable": True, "minimum": 0},
        },
    }


def test_recursive_ref_is_a_clear_user_error_and_json_schema_mode_sends_it_whole() -> None:
    schema = Tree.model_json_schema()
    with pytest.raises(UserError, match="refers to itself"):
        to_gemini_schema(schema)
    tool = ToolDefinition("plant", schema, "Plant a tree.")
    body = codec.build_request(
        [ModelRequest([UserPromptPart("x")])], {}, function_tools=[tool], json_schema=True
    )
    assert body["tools"][0]["functionDeclarations"][0]["parametersJsonSchema"] == schema
    assert_protocol_valid("gemini", body)
    assert_spec_valid("gemini", body)


def test_enums_of_numbers_are_strings_and_tools_without_arguments_omit_parameters() -> None:
    assert to_gemini_schema({"enum": [1, 2, None]}) == {
        "enum": ["1", "2"],
        "type": "STRING",
        "nullable": True,
    }
    body = codec.build_request(
        [ModelRequest([UserPromptPart("x")])],
        {},
        function_tools=[ToolDefinition("now", description="Time now.")],
    )
    assert body["tools"] == [{"functionDeclarations": [{"name": "now", "description": "Time now."}]}]
    assert_spec_valid("gemini", body)


# ---------------------------------------------------------------------------------------------- round trips

RESPONSES = [
    ModelResponse(
        [TextPart("Hello, world! " * 5)],
        usage=RequestUsage(input_tokens=3, output_tokens=4),
        finish_reason="stop",
    ),
    ModelResponse(
        [
            ThinkingPart(
                "Let me think about it carefully.", signature="c2lnLTE=", provider_name="google-gla"
            ),
            TextPart("Calling.", provider_details={"thought_signature": "c2lnLTI="}),
            ToolCallPart("a", {"x": 1}, "id-a", provider_details={"thought_signature": "c2lnLTM="}),
            ToolCallPart("b", {"y": [1, 2]}, "id-b"),
        ],
        usage=RequestUsage(
            input_tokens=50,
            output_tokens=20,
            cache_read_tokens=10,
            details={"reasoning_tokens": 8, "text_prompt_tokens": 40, "image_prompt_tokens": 10},
        ),
        finish_reason="stop",
    ),
    ModelResponse(
        [TextPart("cut")], usage=RequestUsage(input_tokens=1, output_tokens=1), finish_reason="length"
    ),
]


def same(a: ModelResponse, b: ModelResponse) -> None:
    assert a.parts == b.parts
    assert a.usage == b.usage
    assert a.finish_reason == b.finish_reason


@pytest.mark.parametrize("response", RESPONSES)
def test_encode_response_round_trips(response: ModelResponse) -> None:
    same(codec.parse_response(codec.encode_response(response), model_name="m"), response)


@pytest.mark.parametrize("response", RESPONSES)
def test_encode_stream_round_trips(response: ModelResponse) -> None:
    same(parse_stream(codec.encode_stream(response, text_chunk=5)), response)


# ---------------------------------------------------------------------------------------------- properties


def parse_stream(raw: bytes, cuts: list[int] | None = None) -> ModelResponse:
    parser = codec.GeminiStreamParser(model_name="gemini-2.0-flash")
    decoder = SSEDecoder()
    pieces = [raw]
    if cuts:
        points = sorted({c % (len(raw) + 1) for c in cuts})
        pieces = [raw[i:j] for i, j in zip([0, *points], [*points, len(raw)])]
    for piece in pieces:
        for event in decoder.feed(piece):
            parser.feed(event)
    for event in decoder.close():
        parser.feed(event)
    parser.close()
    return ModelResponse(
        parser.parts.get_parts(),
        usage=parser.usage,
        finish_reason=parser.finish_reason,
        model_name=parser.model_name,
    )


def stream_fixtures() -> list[bytes]:
    out = []
    for protocol in ("gemini", "vertex"):
        for name in list_cases(protocol):
            for exchange in load_case(protocol, name).exchanges:
                if "sse" in exchange.response:
                    out.append(exchange.raw_body())
    out.extend(codec.encode_stream(r, text_chunk=3) for r in RESPONSES)
    return out


STREAMS = stream_fixtures()
TYPED = (UnexpectedModelBehavior, ModelHTTPError, ModelAPIError)


def outcome(raw: bytes, cuts: list[int] | None = None) -> Any:
    try:
        r = parse_stream(raw, cuts)
    except TYPED as exc:
        return (type(exc), str(exc))
    for part in r.parts:  # ids wireai generates differ run to run
        if isinstance(part, ToolCallPart) and part.tool_call_id.startswith("pyd_ai_"):
            part.tool_call_id = "generated"
    return (r.parts, r.usage, r.finish_reason, r.model_name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(STREAMS) - 1), cuts=st.lists(st.integers(0, 10_000), max_size=12))
def test_any_rechunking_gives_the_same_response(index: int, cuts: list[int]) -> None:
    raw = STREAMS[index]
    assert outcome(raw, cuts) == outcome(raw)


@settings(max_examples=80, deadline=None)
@given(index=st.integers(0, len(STREAMS) - 1), cut=st.integers(0, 10_000), junk=st.binary(max_size=40))
def test_truncation_and_garbage_give_a_result_or_a_typed_error(index: int, cut: int, junk: bytes) -> None:
    raw = STREAMS[index]
    for candidate in (
        raw[: cut % (len(raw) + 1)],
        raw[: cut % (len(raw) + 1)] + junk,
        junk,
        raw.replace(b'"', b"", 1),
    ):
        outcome(candidate)  # anything but a typed error propagates and fails the test


@settings(max_examples=80, deadline=None)
@given(body=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                         lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                             st.sampled_from(["candidates", "content", "parts", "text", "functionCall", "name", "args",
                                              "usageMetadata", "promptTokenCount", "finishReason", "thought", "error",
                                              "promptFeedback", "blockReason", "code"]), inner, max_size=4),
                         max_leaves=20))  # fmt: skip
def test_random_json_bodies_give_a_result_or_a_typed_error(body: Any) -> None:
    try:
        codec.parse_response(body, model_name="m")
    except TYPED:
        pass


def test_truncated_stream_without_finish_reason_is_unexpected() -> None:
    raw = load_case("gemini", "stream_text").exchanges[0].raw_body()
    first_event = raw.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    with pytest.raises(UnexpectedModelBehavior, match="finishReason"):
        parse_stream(first_event)
