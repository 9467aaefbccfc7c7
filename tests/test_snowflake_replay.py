"""Snowflake Cortex's Claude over Chat Completions, replayed over loopback from `fixtures/snowflake/`.

The provider is built from its env vars, so the URL (the account's host, `/api/v2/cortex/v1`) and the
bearer token are the real ones; only the socket goes to the replay server. Pinned: Claude's thinking
asked for as `reasoning: {effort}` with `temperature: 1`, read back from `reasoning_details` (text,
signature, id, format, index) into a thinking part, in JSON and streamed; the same entry sent back on
the assistant message after the tool call; `finish_reason: ""` read as `tool_call` / `stop`.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from support import ToLoopback, assert_protocol_valid
from wireai.messages import (
    ModelRequest,
    ModelResponse,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters
from wireai.models.snowflake import SnowflakeModel
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage

URL = "https://myorg-myaccount.snowflakecomputing.com/api/v2/cortex/v1/chat/completions"
WEATHER = ToolDefinition(
    "get_weather",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "Current weather in a city.",
)
THOUGHT = "The user wants the current weather in Mexico City, so I should call get_weather."
DETAILS = {"type": "reasoning.text", "format": "anthropic-claude-v1", "index": 0}


@pytest.fixture(autouse=True)
def cortex_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNOWFLAKE_ACCOUNT", "myorg-myaccount")
    monkeypatch.setenv("SNOWFLAKE_TOKEN", "pat-test")


def replay(case_name: str, run: Any) -> tuple[Any, ReplayServer, ToLoopback]:
    """`run(model)` against the case's replay server; every request checked against the case."""
    case = load_case("snowflake", case_name)

    async def main(transport: ToLoopback) -> Any:
        async with httpx.AsyncClient(transport=transport) as client:
            from wireai.providers.snowflake import SnowflakeProvider

            provider = SnowflakeProvider(http_client=client, max_retries=0)
            return await run(SnowflakeModel("claude-sonnet-4-6", provider=provider))

    with ReplayServer(case) as server:
        transport = ToLoopback(server.url)
        result = asyncio.run(main(transport))
        server.assert_requests_match()
    assert transport.urls == [URL] * len(case.exchanges)
    for request in server.requests:
        assert request.headers["host"] == "myorg-myaccount.snowflakecomputing.com"
        assert request.headers["authorization"] == "Bearer pat-test"
        assert_protocol_valid("openai_chat", request.json())
    return result, server, transport


def test_cortex_claude_thinking_is_read_from_reasoning_details_and_sent_back_after_the_tool_call() -> None:
    tools = ModelRequestParameters(function_tools=[WEATHER])
    prompt = ModelRequest([UserPromptPart("What is the weather in Mexico City?")])

    async def run(model: SnowflakeModel) -> tuple[ModelResponse, ModelResponse]:
        first = await model.request([prompt], {"thinking": "low"}, tools)
        result = ModelRequest(
            [ToolReturnPart("get_weather", "Sunny, 25°C", tool_call_id="toolu_bdrk_01Mx7kWq")]
        )
        second = await model.request([prompt, first, result], {"thinking": "low"}, tools)
        return first, second

    (first, second), _, _ = replay("thinking_tool_call", run)
    assert first.parts == [
        ThinkingPart(
            THOUGHT,
            id="reasoning-text-1",
            signature="EqQBCkgIBxABGAIqQKzT3mJ9Gd2rWbKb8vY1cQ==",
            provider_name="snowflake",
            provider_details=DETAILS,
        ),
        TextPart("Let me check that for you."),
        ToolCallPart("get_weather", '{"city":"Mexico City"}', tool_call_id="toolu_bdrk_01Mx7kWq"),
    ]
    assert first.finish_reason == "tool_call"  # Cortex's `finish_reason: ""` on a tool call
    assert first.usage == RequestUsage(input_tokens=597, output_tokens=81)
    assert first.provider_response_id is None  # Cortex's `id: ""`
    assert first.provider_details == {"finish_reason": ""}
    assert second.parts == [TextPart("It is sunny and 25°C in Mexico City.")]
    assert (second.finish_reason, second.usage) == ("stop", RequestUsage(input_tokens=651, output_tokens=20))


def test_cortex_claude_streams_its_thinking_in_reasoning_details_pieces_of_one_block() -> None:
    async def run(model: SnowflakeModel) -> tuple[ModelResponse, list[Any]]:
        messages = [ModelRequest([UserPromptPart("What is 15 * 27?")])]
        async with model.request_stream(messages, {"thinking": True}, ModelRequestParameters()) as stream:
            events = [event async for event in stream]
        return stream.get(), events

    (response, events), _, _ = replay("stream_thinking", run)
    assert response.parts == [
        ThinkingPart(
            "15 * 27: 15 * 20 = 300, 15 * 7 = 105, so 405.",
            id="reasoning-text-1",
            provider_name="snowflake",
            provider_details=DETAILS,
        ),
        TextPart("15 × 27 = **405**"),
    ]
    assert [type(e).__name__ for e in events] == [
        "PartStartEvent", "PartDeltaEvent", "PartDeltaEvent", "PartEndEvent",
        "PartStartEvent", "PartDeltaEvent", "PartEndEvent",
    ]  # fmt: skip
    assert response.finish_reason == "stop"  # no finish_reason in Cortex streams: `[DONE]` ends it
    assert response.usage == RequestUsage(input_tokens=45, output_tokens=73)


def test_snowflake_reasoning_setting_wins_and_keeps_a_given_temperature() -> None:
    model = SnowflakeModel("claude-sonnet-4-6", provider=_offline_provider())
    params = ModelRequestParameters()
    messages = [ModelRequest([UserPromptPart("hi")])]
    body = model.build_request(
        messages, {"thinking": "high", "snowflake_reasoning": {"max_tokens": 2048}}, params
    ).body
    assert body is not None and (body["reasoning"], body["temperature"]) == ({"max_tokens": 2048}, 1)
    body = model.build_request(messages, {"thinking": "xhigh", "temperature": 0.5}, params).body
    assert body is not None and (body["reasoning"], body["temperature"]) == ({"effort": "high"}, 0.5)
    # thinking=False: Claude on Cortex does not think unless asked, so nothing is sent.
    body = model.build_request(messages, {"thinking": False}, params).body
    assert body is not None and "reasoning" not in body and "temperature" not in body


def test_other_cortex_models_keep_the_plain_chat_shape() -> None:
    """`reasoning_details`, the blank finish reason and `reasoning: {effort}` are Claude's on Cortex only."""
    model = SnowflakeModel("llama3.1-70b", provider=_offline_provider())
    body = model.build_request([ModelRequest([UserPromptPart("hi")])], None, ModelRequestParameters()).body
    assert body is not None and "reasoning" not in body and "temperature" not in body
    message = {
        "role": "assistant",
        "content": "hi",
        "reasoning_details": [{"type": "reasoning.text", "text": "x"}],
    }
    answer = {"choices": [{"index": 0, "message": message, "finish_reason": ""}]}
    response = model.parse_response(json.dumps(answer).encode())
    assert (response.parts, response.finish_reason) == ([TextPart("hi")], None)


def _offline_provider() -> Any:
    from wireai.providers.snowflake import SnowflakeProvider

    return SnowflakeProvider()


@pytest.mark.parametrize("entries", ["not a list", [1], [{"type": "reasoning.text", "text": "ok"}, "x"]])
def test_malformed_reasoning_details_are_unexpected_model_behavior_in_json_and_streams(entries: Any) -> None:
    from wireai.codecs import openai_chat
    from wireai.exceptions import UnexpectedModelBehavior

    profile = _offline_provider().model_profile("claude-sonnet-4-6")
    message = {"role": "assistant", "content": "hi", "reasoning_details": entries}
    body = {"choices": [{"index": 0, "message": message, "finish_reason": ""}]}
    with pytest.raises(UnexpectedModelBehavior, match="reasoning_details"):
        openai_chat.parse_response(body, model_name="m", profile=profile)
    chunk = {"choices": [{"index": 0, "delta": {"reasoning_details": entries}}]}
    parser = openai_chat.StreamParser(model_name="m", profile=profile)
    with pytest.raises(UnexpectedModelBehavior, match="reasoning_details"):
        parser.feed(f"data: {json.dumps(chunk)}\n\n".encode())


def test_reasoning_details_of_several_blocks_and_types_stay_apart_and_go_back_as_they_came() -> None:
    """Entries keyed by (type, index): a second text block and an encrypted block are their own parts,
    pieces of a block join across chunks, a signature arriving later is added to its block; a type
    newer than the codec is skipped. Sent back, each part is its entry again."""
    from wireai.codecs import openai_chat

    profile = _offline_provider().model_profile("claude-sonnet-4-6")
    chunks = [
        [{"type": "reasoning.text", "index": 0, "text": "First,"}],
        [{"type": "reasoning.text", "index": 0, "text": " look."}, {"type": "reasoning.future", "index": 5}],
        [{"type": "reasoning.text", "index": 0, "signature": "sig-0"}],
        [{"type": "reasoning.encrypted", "index": 1, "data": "ZW5j", "format": "anthropic-claude-v1"}],
        [{"type": "reasoning.text", "index": 2, "text": "Then answer."}],
    ]
    raw = "".join(
        f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'reasoning_details': c}}]})}\n\n"
        for c in chunks
    )
    raw += 'data: {"choices": [{"index": 0, "delta": {"content": "Done."}}]}\n\ndata: [DONE]\n\n'
    parser = openai_chat.StreamParser(model_name="m", profile=profile)
    parser.provider_name = "snowflake"
    parser.feed(raw.encode())
    streamed = parser.close()
    expected = [
        ThinkingPart("First, look.", signature="sig-0", provider_name="snowflake",
                     provider_details={"type": "reasoning.text", "index": 0}),
        ThinkingPart("", signature="ZW5j", provider_name="snowflake",
                     provider_details={"type": "reasoning.encrypted", "index": 1, "format": "anthropic-claude-v1"}),
        ThinkingPart("Then answer.", provider_name="snowflake", provider_details={"type": "reasoning.text", "index": 2}),
        TextPart("Done."),
    ]  # fmt: skip
    assert (streamed.parts, streamed.finish_reason) == (expected, "stop")
    request = openai_chat.build_request(
        [ModelRequest([UserPromptPart("q")]), streamed], ModelRequestParameters(), model="m", profile=profile
    )
    assert request.body is not None
    assert request.body["messages"][1] == {
        "role": "assistant",
        "reasoning_details": [
            {"type": "reasoning.text", "index": 0, "text": "First, look.", "signature": "sig-0"},
            {"type": "reasoning.encrypted", "format": "anthropic-claude-v1", "index": 1, "data": "ZW5j"},
            {"type": "reasoning.text", "index": 2, "text": "Then answer."},
        ],
        "content": "Done.",
    }
    # Another vendor's thinking is not sent to Cortex.
    streamed.parts[0].provider_name = "anthropic"
    again = openai_chat.build_request(
        [ModelRequest([UserPromptPart("q")]), streamed], ModelRequestParameters(), model="m", profile=profile
    )
    assert again.body is not None and len(again.body["messages"][1]["reasoning_details"]) == 2
