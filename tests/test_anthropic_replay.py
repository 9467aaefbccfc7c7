"""AnthropicModel against hand-written Messages API fixtures, replayed over real loopback HTTP.

Each test builds the conversation an agent would send, checks the exact request body and headers
the server received (and that they validate against our schema and Anthropic's OpenAPI spec), and
pins the parts, usage and finish reason read back.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from support import assert_protocol_valid, assert_spec_valid
from wireai.exceptions import ModelHTTPError
from wireai.messages import (
    BinaryContent,
    DocumentUrl,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    PartDeltaEvent,
    PartEndEvent,
    PartStartEvent,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolCallPartDelta,
    ToolReturnPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters, OutputObjectDefinition
from wireai.models.anthropic import AnthropicModel, AnthropicModelSettings
from wireai.providers.anthropic import AnthropicProvider
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage

WEATHER = ToolDefinition(
    "get_weather",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "Get the current weather for a city.",
)
WEATHER_UNITS = ToolDefinition(
    "get_weather",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "units": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "Get the current weather for a city.",
)
CITY_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
    "required": ["city", "country"],
}
TOOLS = ModelRequestParameters(function_tools=[WEATHER])


def model(server: ReplayServer, name: str) -> AnthropicModel:
    return AnthropicModel(name, provider=AnthropicProvider(api_key="test-key", base_url=server.url))


def check_sent(server: ReplayServer) -> None:
    server.assert_requests_match()
    for request in server.requests:
        body = request.json()
        assert_protocol_valid("anthropic", body)
        assert_spec_valid(
            "anthropic", body, "messages-beta" if "anthropic-beta" in request.headers else "messages"
        )


def run(
    case: str,
    name: str,
    turns: list[list[ModelMessage]],
    params: ModelRequestParameters | None = None,
    settings: AnthropicModelSettings | None = None,
) -> list[ModelResponse]:
    """Send one request per exchange of `case`; turn i's history is turns[i] (+ earlier responses where marked)."""
    with ReplayServer(load_case("anthropic", case)) as server:
        m = model(server, name)

        async def main() -> list[ModelResponse]:
            return [await m.request(t, settings, params or ModelRequestParameters()) for t in turns]

        responses = asyncio.run(main())
        check_sent(server)
    return responses


def stream(
    case: str,
    name: str,
    messages: list[ModelMessage],
    params: ModelRequestParameters | None = None,
    settings: Any = None,
) -> tuple[list[Any], ModelResponse]:
    with ReplayServer(load_case("anthropic", case)) as server:
        m = model(server, name)

        async def main() -> tuple[list[Any], ModelResponse]:
            async with m.request_stream(messages, settings, params or ModelRequestParameters()) as s:
                events = [e async for e in s]
                return events, s.get()

        events, response = asyncio.run(main())
        check_sent(server)
    return events, response


def usage(
    i: int, o: int, read: int = 0, write: int = 0, details: dict[str, int] | None = None
) -> RequestUsage:
    return RequestUsage(
        input_tokens=i, output_tokens=o, cache_read_tokens=read, cache_write_tokens=write, details=details
    )


def same_usage(a: RequestUsage, b: RequestUsage) -> bool:
    return vars(a) == vars(b)


# ------------------------------------------------------------------------------------------- requests


def test_text_with_system_prompt_and_instructions() -> None:
    history: list[ModelMessage] = [
        ModelRequest(
            [
                SystemPromptPart("You are a helpful assistant."),
                UserPromptPart("What is the capital of France?"),
            ],
            instructions="Answer in one word.",
        )
    ]
    [response] = run("text", "claude-3-5-sonnet-latest", [history], settings={"temperature": 0.0})
    assert [vars(p) for p in response.parts] == [vars(TextPart("Paris."))]
    assert same_usage(response.usage, usage(25, 4))
    assert response.finish_reason == "stop"
    assert response.model_name == "claude-3-5-sonnet-20241022"
    assert response.provider_name == "anthropic"
    assert response.provider_response_id == "msg_01XFDUDYJgAACzvnptvVoYEL"
    assert response.provider_details == {"stop_reason": "end_turn"}


def test_single_tool_call_then_tool_result() -> None:
    first: list[ModelMessage] = [ModelRequest([UserPromptPart("What's the weather in Paris?")])]
    call = ToolCallPart("get_weather", {"city": "Paris"}, tool_call_id="toolu_01A09q90qw90lq917835lq9")
    second: list[ModelMessage] = [
        *first,
        ModelResponse([TextPart("I'll check the weather in Paris."), call]),
        ModelRequest([ToolReturnPart("get_weather", "Sunny, 22 °C", tool_call_id=call.tool_call_id)]),
    ]
    r1, r2 = run("tool_use", "claude-sonnet-4-5", [first, second], TOOLS)
    assert [type(p) for p in r1.parts] == [TextPart, ToolCallPart]
    assert vars(r1.parts[1]) == vars(call)
    assert r1.finish_reason == "tool_call"
    assert same_usage(r1.usage, usage(384, 57))
    assert r2.text == "It's sunny and 22 °C in Paris." and r2.finish_reason == "stop"


def test_parallel_tool_calls_and_results_in_one_user_turn() -> None:
    first: list[ModelMessage] = [ModelRequest([UserPromptPart("Weather in Paris and London?")])]
    paris = ToolCallPart("get_weather", {"city": "Paris"}, tool_call_id="toolu_01Paris")
    london = ToolCallPart("get_weather", {"city": "London"}, tool_call_id="toolu_02London")
    second: list[ModelMessage] = [
        *first,
        ModelResponse([paris, london]),
        ModelRequest(
            [
                ToolReturnPart("get_weather", "Sunny, 22 °C", tool_call_id="toolu_01Paris"),
                ToolReturnPart("get_weather", {"sky": "rain", "celsius": 14}, tool_call_id="toolu_02London"),
            ]
        ),
    ]
    r1, r2 = run("parallel_tools", "claude-sonnet-4-5", [first, second], TOOLS)
    assert [vars(p) for p in r1.parts] == [vars(paris), vars(london)]
    assert r2.text == "Paris: sunny, 22 °C. London: rain, 14 °C."


def test_tool_retry_is_error_result_and_output_retry_is_user_text() -> None:
    history: list[ModelMessage] = [
        ModelRequest([UserPromptPart("What's the weather in Paris?")]),
        ModelResponse([ToolCallPart("get_weather", {"town": "Paris"}, tool_call_id="toolu_01Bad")]),
        ModelRequest(
            [
                RetryPromptPart(
                    "Missing required argument `city`", tool_name="get_weather", tool_call_id="toolu_01Bad"
                )
            ]
        ),
        ModelResponse([TextPart("Paris is sunny.")]),
        ModelRequest([RetryPromptPart("Mention the temperature.")]),
    ]
    [response] = run("tool_retry", "claude-3-5-haiku-latest", [history], TOOLS)
    assert response.text == "Paris is sunny at 22 °C."


def test_structured_output_tool_mode_forces_a_tool() -> None:
    params = ModelRequestParameters(
        output_mode="tool",
        output_tools=[
            ToolDefinition(
                "final_result", CITY_SCHEMA, "The final response which ends this conversation", kind="output"
            )
        ],
        allow_text_output=False,
    )
    [response] = run(
        "structured_tool",
        "claude-3-5-sonnet-latest",
        [[ModelRequest([UserPromptPart("Where is the Eiffel Tower?")])]],
        params,
    )
    [call] = response.parts
    assert isinstance(call, ToolCallPart)
    assert (call.tool_name, call.args, call.tool_call_id) == (
        "final_result",
        {"city": "Paris", "country": "France"},
        "toolu_01Final",
    )


def test_structured_output_native_mode_uses_output_config_format() -> None:
    schema = {**CITY_SCHEMA, "additionalProperties": False}
    params = ModelRequestParameters(
        output_mode="native", output_object=OutputObjectDefinition(schema, name="City")
    )
    m = AnthropicModel("claude-sonnet-4-5", api_key="k")
    assert m.profile.supports_json_schema_output
    [response] = run(
        "structured_native",
        "claude-sonnet-4-5",
        [[ModelRequest([UserPromptPart("Where is the Eiffel Tower?")])]],
        params,
    )
    assert response.text == '{"city":"Paris","country":"France"}'


def test_images_and_documents_by_url_and_base64() -> None:
    content = [
        "Describe these files.",
        ImageUrl("https://example.com/cat.png"),
        BinaryContent(b"\x89PNG\r\n\x1a\n", "image/png"),
        DocumentUrl("https://example.com/report.pdf"),
        BinaryContent(b"%PDF-1.4", "application/pdf"),
        BinaryContent(b"Meeting notes: ship on Friday.", "text/plain"),
    ]
    [response] = run("multimodal", "claude-sonnet-4-5", [[ModelRequest([UserPromptPart(content)])]])
    assert response.text == "A cat, a logo, a quarterly report, a blank PDF and meeting notes."


def test_thinking_signature_and_redacted_thinking_replayed_next_turn() -> None:
    settings: AnthropicModelSettings = {
        "anthropic_thinking": {"type": "enabled", "budget_tokens": 2048},
        "anthropic_betas": ["interleaved-thinking-2025-05-14"],
    }
    first: list[ModelMessage] = [ModelRequest([UserPromptPart("What's the weather in Paris?")])]
    with ReplayServer(load_case("anthropic", "thinking")) as server:
        m = model(server, "claude-sonnet-4-5")

        async def main() -> tuple[ModelResponse, ModelResponse]:
            r1 = await m.request(first, settings, TOOLS)
            call = r1.tool_calls[0]
            history = [
                *first,
                r1,
                ModelRequest([ToolReturnPart("get_weather", "Sunny, 22 °C", tool_call_id=call.tool_call_id)]),
            ]
            return r1, await m.request(history, settings, TOOLS)

        r1, r2 = asyncio.run(main())
        check_sent(server)
    thinking, redacted, call = r1.parts
    assert isinstance(thinking, ThinkingPart) and isinstance(redacted, ThinkingPart)
    assert thinking.content == "The user wants the weather in Paris. I should call get_weather."
    assert thinking.signature == "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"
    assert thinking.provider_name == "anthropic"
    assert redacted.content == "" and redacted.provider_details == {
        "redacted_thinking": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"
    }
    assert isinstance(call, ToolCallPart) and call.args == {"city": "Paris"}
    assert r2.text == "Sunny and 22 °C."


def test_cache_breakpoints_and_cache_usage() -> None:
    settings: AnthropicModelSettings = {
        "anthropic_cache_instructions": True,
        "anthropic_cache_tool_definitions": "1h",
        "anthropic_cache_messages": True,
    }
    history: list[ModelMessage] = [
        ModelRequest(
            [
                SystemPromptPart("You are a contracts lawyer. <long contract text>"),
                UserPromptPart("Summarise clause 4."),
                UserPromptPart("Keep it short."),
            ]
        )
    ]
    [response] = run("cache", "claude-sonnet-4-5", [history], TOOLS, settings)
    expected = usage(
        12 + 1500 + 2048,
        10,
        read=2048,
        write=1500,
        details={"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 500},
    )
    assert same_usage(response.usage, expected)


def test_every_stop_reason() -> None:
    history: list[ModelMessage] = [ModelRequest([UserPromptPart("Count to 100.")])]
    responses = run(
        "stop_reasons",
        "claude-3-5-haiku-latest",
        [history] * 4,
        settings={"max_tokens": 50, "stop_sequences": ["###"]},
    )
    assert [r.finish_reason for r in responses] == ["length", "stop", None, "content_filter"]
    assert [r.provider_details for r in responses] == [
        {"stop_reason": "max_tokens"},
        {"stop_reason": "stop_sequence", "stop_sequence": "###"},
        {"stop_reason": "pause_turn"},
        {"stop_reason": "refusal"},
    ]
    assert responses[3].parts == []


# ------------------------------------------------------------------------------------------- errors

COUNT: list[ModelMessage] = [ModelRequest([UserPromptPart("Count to 100.")])]


@pytest.mark.parametrize(
    ("case", "status", "etype"),
    [("error_400", 400, "invalid_request_error"), ("error_401", 401, "authentication_error")],
)
def test_http_errors_are_not_retried_and_carry_the_error_object(case: str, status: int, etype: str) -> None:
    with ReplayServer(load_case("anthropic", case)) as server:
        m = model(server, "claude-3-5-haiku-latest")
        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(
                m.request(COUNT, {"max_tokens": 50, "stop_sequences": ["###"]}, ModelRequestParameters())
            )
        check_sent(server)
    err = info.value
    assert err.status_code == status and err.model_name == "claude-3-5-haiku-latest"
    assert isinstance(err.body, dict) and err.body["error"]["type"] == etype


@pytest.mark.parametrize("case", ["error_429_retry", "error_529_retry"])
def test_429_with_retry_after_and_529_overloaded_are_retried(case: str) -> None:
    [response] = run(
        case, "claude-3-5-haiku-latest", [COUNT], settings={"max_tokens": 50, "stop_sequences": ["###"]}
    )
    assert response.text == "1, 2, 3" and response.finish_reason == "stop"


# ------------------------------------------------------------------------------------------- streams


def test_stream_text_skips_ping_and_unknown_events_and_merges_usage() -> None:
    events, response = stream(
        "stream_text", "claude-3-5-sonnet-latest", [ModelRequest([UserPromptPart("Say hello")])]
    )
    assert [vars(p) for p in response.parts] == [vars(TextPart("Hello, wörld! 👋"))]
    assert isinstance(events[0], PartStartEvent) and len(events) == 4
    # The block's end is an event carrying the whole text (the response's own part).
    assert (
        events[-1] == PartEndEvent(0, TextPart("Hello, wörld! 👋")) and events[-1].part is response.parts[0]
    )
    assert same_usage(response.usage, usage(572, 15, read=100))
    assert response.finish_reason == "stop"
    assert response.provider_response_id == "msg_01StreamText"
    assert response.model_name == "claude-3-5-sonnet-20241022"


def test_stream_tool_input_split_over_partial_json_and_whole_in_block_start() -> None:
    params = ModelRequestParameters(function_tools=[WEATHER_UNITS])
    events, response = stream(
        "stream_tool_use",
        "claude-sonnet-4-5",
        [ModelRequest([UserPromptPart("Weather in Paris and London?")])],
        params,
    )
    text, paris, london = response.parts
    assert isinstance(text, TextPart) and text.content == "Checking both cities."
    assert isinstance(paris, ToolCallPart) and isinstance(london, ToolCallPart)
    assert (paris.tool_name, paris.args, paris.tool_call_id) == (
        "get_weather",
        {"city": "Paris", "units": "c"},
        "toolu_01Paris",
    )
    assert (london.tool_name, london.args, london.tool_call_id) == (
        "get_weather",
        {"city": "London", "units": "c"},
        "toolu_02London",
    )
    args_deltas = [
        e.delta.args_delta
        for e in events
        if isinstance(e, PartDeltaEvent) and isinstance(e.delta, ToolCallPartDelta)
    ]
    assert args_deltas == ['{"ci', 'ty": "Pa', 'ris", "unit', 's": "c"}']
    assert response.finish_reason == "tool_call"
    assert same_usage(response.usage, usage(390, 96))


def test_stream_thinking_with_signature_and_redacted_block() -> None:
    settings: AnthropicModelSettings = {"anthropic_thinking": {"type": "enabled", "budget_tokens": 1024}}
    _, response = stream(
        "stream_thinking",
        "claude-sonnet-4-5",
        [ModelRequest([UserPromptPart("What is 27 * 453?")])],
        settings=settings,
    )
    thinking, redacted, text = response.parts
    assert isinstance(thinking, ThinkingPart) and isinstance(redacted, ThinkingPart)
    assert thinking.content == "27 * 453 = 27 * 400 + 27 * 53 = 10800 + 1431 = 12231"
    assert thinking.signature == "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"
    assert thinking.provider_name == "anthropic"
    assert redacted.provider_details == {
        "redacted_thinking": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"
    }
    assert isinstance(text, TextPart) and text.content == "27 * 453 = 12,231"
    assert same_usage(
        response.usage, usage(1240, 120, write=1200, details={"ephemeral_5m_input_tokens": 1200})
    )


def test_stream_overloaded_error_event_raises_model_http_error_529() -> None:
    with ReplayServer(load_case("anthropic", "stream_overloaded")) as server:
        m = model(server, "claude-3-5-sonnet-latest")
        seen: list[Any] = []

        async def main() -> None:
            async with m.request_stream(
                [ModelRequest([UserPromptPart("Tell me a story")])], None, ModelRequestParameters()
            ) as s:
                async for event in s:
                    seen.append(event)

        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(main())
        check_sent(server)
    assert info.value.status_code == 529
    assert info.value.body == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
        "request_id": "req_011CStreamErr",
    }
    assert len(seen) == 1  # the text that came before the error was delivered
