"""Bedrock Converse / ConverseStream replayed over real loopback HTTP from `fixtures/bedrock/`: exact
request bodies, paths and SigV4 headers out; exact parts, usage and finish reasons back."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest

from bedrock_service_model import assert_botocore_valid
from support import assert_protocol_valid, assert_spec_valid
from wireai.exceptions import ModelHTTPError, UnexpectedModelBehavior
from wireai.messages import (
    BinaryContent,
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
from wireai.models.bedrock import BedrockConverseModel
from wireai.providers.bedrock import BedrockProvider
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.testing.server import LoopbackServer, Reply
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage

MODEL = "anthropic.claude-3-sonnet-20240229-v1:0"
WEATHER = ToolDefinition(
    "get_weather",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "Get the current weather in a city.",
)
TIME = ToolDefinition(
    "get_time",
    {"type": "object", "properties": {"tz": {"type": "string"}}, "required": ["tz"]},
    "Current time in a time zone.",
)
CITY = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
    "required": ["city", "country"],
}
FINAL = ToolDefinition("final_result", CITY, "The final response which ends this conversation", kind="output")
SIG = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds+A7FTqcjLWhbQOwQc6FZSM1/4pG"
THINKING: dict[str, Any] = {
    "bedrock_additional_model_requests_fields": {"thinking": {"type": "enabled", "budget_tokens": 1024}},
    "max_tokens": 2048,
}
TEXT_MESSAGES: list[ModelMessage] = [
    ModelRequest(
        [SystemPromptPart("You are a terse assistant."), UserPromptPart("What is the capital of France?")],
        instructions="Answer in one sentence.",
    )
]


def make_model(url: str, *, max_retries: int | None = None) -> BedrockConverseModel:
    provider = BedrockProvider(
        base_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        aws_session_token="session-token",
        max_retries=max_retries,
    )
    return BedrockConverseModel(MODEL, provider=provider)


def check_bodies(server: LoopbackServer, *, stream: bool = False) -> None:
    for request in server.requests:
        body = request.json()
        assert_protocol_valid("bedrock", body)
        assert_spec_valid("bedrock", body, "converse-stream" if stream else "converse")
        assert_botocore_valid(body, model_id=MODEL, stream=stream)


def check_signed(server: LoopbackServer) -> None:
    for request in server.requests:
        auth = request.headers["authorization"]
        assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        assert (
            "/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
            in auth
        )
        assert request.headers["x-amz-security-token"] == "session-token"


def request_once(
    name: str,
    messages: list[ModelMessage],
    params: ModelRequestParameters | None = None,
    settings: Any = None,
    **kw: Any,
) -> tuple[ModelResponse, ReplayServer]:
    with ReplayServer(load_case("bedrock", name)) as server:
        response = asyncio.run(
            make_model(server.url, **kw).request(messages, settings, params or ModelRequestParameters())
        )
    server.assert_requests_match()
    check_bodies(server)
    check_signed(server)
    return response, server


async def stream_all(
    model: BedrockConverseModel, messages: list[ModelMessage], settings: Any, params: ModelRequestParameters
) -> tuple[list[Any], ModelResponse]:
    events = []
    async with model.request_stream(messages, settings, params) as streamed:
        async for event in streamed:
            events.append(event)
    return events, streamed.get()


def stream_once(
    name: str,
    messages: list[ModelMessage],
    params: ModelRequestParameters | None = None,
    settings: Any = None,
) -> tuple[list[Any], ModelResponse]:
    with ReplayServer(load_case("bedrock", name)) as server:
        events, response = asyncio.run(
            stream_all(make_model(server.url), messages, settings, params or ModelRequestParameters())
        )
    server.assert_requests_match()
    check_bodies(server, stream=True)
    check_signed(server)
    return events, response


# --------------------------------------------------------------------------------------------- Converse


def test_text_sends_system_blocks_and_inference_config_and_reads_cached_usage() -> None:
    settings = {"max_tokens": 256, "temperature": 0.2, "top_p": 0.9, "stop_sequences": ["\n\nHuman:"]}
    response, server = request_once("text", TEXT_MESSAGES, settings=settings)
    assert server.requests[0].path == "/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse"
    assert response.parts == [TextPart("The capital of France is Paris.")]
    assert response.usage == RequestUsage(input_tokens=121, output_tokens=9, cache_read_tokens=100)
    assert response.finish_reason == "stop"
    assert response.provider_details == {"stopReason": "end_turn", "latencyMs": 412}
    assert (response.model_name, response.provider_name) == (MODEL, "bedrock")


def test_parallel_tool_use_then_tool_results_and_a_retry_in_one_user_turn() -> None:
    params = ModelRequestParameters(function_tools=[WEATHER, TIME])
    first_messages: list[ModelMessage] = [ModelRequest([UserPromptPart("Weather and time in Paris?")])]
    case = load_case("bedrock", "tool_use_round_trip")
    with ReplayServer(case) as server:
        model = make_model(server.url)
        first = asyncio.run(model.request(first_messages, None, params))
        assert first.parts == [
            TextPart("Let me check both."),
            ToolCallPart("get_weather", {"city": "Paris"}, "tooluse_weather01"),
            ToolCallPart("get_time", {"timezone": "Europe/Paris"}, "tooluse_time01"),
        ]
        assert first.finish_reason == "tool_call"
        assert first.usage == RequestUsage(input_tokens=310, output_tokens=88)
        follow_up = ModelRequest(
            [
                ToolReturnPart("get_weather", {"temp_c": 21, "sky": "clear"}, "tooluse_weather01"),
                RetryPromptPart("tz: Field required", tool_name="get_time", tool_call_id="tooluse_time01"),
            ]
        )
        second = asyncio.run(model.request([*first_messages, first, follow_up], None, params))
    server.assert_requests_match()
    check_bodies(server)
    user_turn = server.requests[1].json()["messages"][2]
    assert [block["toolResult"]["status"] for block in user_turn["content"]] == ["success", "error"]
    assert second.parts == [TextPart("It is 21°C and clear in Paris.")]
    assert second.finish_reason == "stop"


def test_structured_output_in_tool_mode_forces_a_tool_with_tool_choice_any() -> None:
    params = ModelRequestParameters(output_mode="tool", output_tools=[FINAL], allow_text_output=False)
    messages: list[ModelMessage] = [ModelRequest([UserPromptPart("Where were the 2012 Summer Olympics?")])]
    response, server = request_once("structured_output_tool", messages, params)
    assert server.requests[0].json()["toolConfig"]["toolChoice"] == {"any": {}}
    assert response.parts == [
        ToolCallPart("final_result", {"city": "London", "country": "United Kingdom"}, "tooluse_final01")
    ]


def test_structured_output_in_native_mode_sends_output_config_json_schema() -> None:
    params = ModelRequestParameters(
        output_mode="native",
        output_object=OutputObjectDefinition(CITY, name="CityLocation", description="A city and its country"),
    )
    messages: list[ModelMessage] = [ModelRequest([UserPromptPart("Where were the 2012 Summer Olympics?")])]
    response, server = request_once("structured_output_native", messages, params)
    json_schema = server.requests[0].json()["outputConfig"]["textFormat"]["structure"]["jsonSchema"]
    assert json.loads(json_schema["schema"]) == CITY
    assert json.loads(response.text or "") == {"city": "London", "country": "United Kingdom"}


def test_image_and_document_go_inline_as_base64_with_format_and_name() -> None:
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    messages: list[ModelMessage] = [
        ModelRequest(
            [
                UserPromptPart(
                    [
                        "Describe the image, then summarise the report.",
                        BinaryContent(png, "image/png"),
                        BinaryContent(pdf, "application/pdf", identifier="Q3 report.pdf"),
                    ]
                )
            ]
        )
    ]
    response, server = request_once("image_and_document", messages)
    content = server.requests[0].json()["messages"][0]["content"]
    assert content[1] == {"image": {"format": "png", "source": {"bytes": base64.b64encode(png).decode()}}}
    assert content[2]["document"]["name"] == "Q3 report"
    assert response.text == "A single red pixel. The report is empty."


def test_reasoning_with_signature_and_redacted_content_is_read_and_replayed_verbatim() -> None:
    case = load_case("bedrock", "reasoning")
    first_messages: list[ModelMessage] = [ModelRequest([UserPromptPart("What is 17 * 23?")])]
    with ReplayServer(case) as server:
        model = make_model(server.url)
        first = asyncio.run(model.request(first_messages, THINKING, ModelRequestParameters()))  # type: ignore[arg-type]
        assert first.parts == [
            ThinkingPart("17 * 23 = 17*20 + 17*3 = 340 + 51 = 391.", signature=SIG, provider_name="bedrock"),
            ThinkingPart(
                "",
                provider_name="bedrock",
                provider_details={"redactedContent": "ZW5jcnlwdGVkLXJlYXNvbmluZw=="},
            ),
            TextPart("17 × 23 = 391."),
        ]
        second = asyncio.run(
            model.request(
                [*first_messages, first, ModelRequest([UserPromptPart("And doubled?")])],
                THINKING,
                ModelRequestParameters(),
            )
        )
    server.assert_requests_match()
    check_bodies(server)
    assert second.parts[0] == ThinkingPart(
        "391 * 2 = 782.", signature="EpABCgIYAhIMsig2", provider_name="bedrock"
    )


@pytest.mark.parametrize(
    ("stop_reason", "finish_reason"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("model_context_window_exceeded", "length"),
        ("tool_use", "tool_call"),
        ("guardrail_intervened", "content_filter"),
        ("content_filtered", "content_filter"),
        ("malformed_model_output", "error"),
        ("malformed_tool_use", "error"),
        ("some_future_reason", None),
    ],
)
def test_every_stop_reason_maps_to_a_finish_reason(stop_reason: str, finish_reason: str | None) -> None:
    body = {
        "output": {"message": {"role": "assistant", "content": [{"text": "x"}]}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
        "metrics": {"latencyMs": 1},
    }
    with LoopbackServer(lambda request: Reply.json(body)) as server:
        response = asyncio.run(make_model(server.url).request(TEXT_MESSAGES, None, ModelRequestParameters()))
    assert response.finish_reason == finish_reason
    assert response.provider_details is not None and response.provider_details["stopReason"] == stop_reason


def test_every_documented_stop_reason_from_the_fixture() -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart("Count to 100, then check the weather in Paris.")])
    ]
    settings = {"max_tokens": 50, "stop_sequences": ["###"]}
    params = ModelRequestParameters(function_tools=[WEATHER])
    with ReplayServer(load_case("bedrock", "stop_reasons")) as server:
        model = make_model(server.url)

        async def main() -> list[ModelResponse]:
            return [await model.request(messages, settings, params) for _ in server.exchanges]

        responses = asyncio.run(main())
    server.assert_requests_match()
    check_bodies(server)
    check_signed(server)
    assert [(r.finish_reason, (r.provider_details or {}).get("stopReason")) for r in responses] == [
        ("stop", "end_turn"),
        ("tool_call", "tool_use"),
        ("length", "max_tokens"),
        ("stop", "stop_sequence"),
        ("content_filter", "guardrail_intervened"),
        ("content_filter", "content_filtered"),
    ]
    assert [r.provider_details for r in responses][4] == {
        "stopReason": "guardrail_intervened",
        "latencyMs": 204,
    }
    assert responses[1].parts == [
        ToolCallPart("get_weather", {"city": "Paris"}, tool_call_id="tooluse_kZJMlvQmRJ6eAyJE5GIl7Q")
    ]
    assert responses[4].parts == [TextPart("Sorry, the model cannot answer this question.")]
    assert responses[5].parts == []
    assert [r.usage for r in responses] == [
        RequestUsage(input_tokens=402, output_tokens=o) for o in (12, 54, 50, 9, 0, 0)
    ]


# --------------------------------------------------------------------------------------------- HTTP errors


@pytest.mark.parametrize(
    ("case", "status", "error_type"),
    [
        ("http_400_validation", 400, "ValidationException"),
        ("http_403_access_denied", 403, "AccessDeniedException"),
        ("http_500_internal", 500, "InternalServerException"),
    ],
)
def test_http_error_bodies_become_model_http_error(case: str, status: int, error_type: str) -> None:
    fixture = load_case("bedrock", case)
    with ReplayServer(fixture) as server:
        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(
                make_model(server.url, max_retries=0).request(
                    [ModelRequest([UserPromptPart("hi")])], None, ModelRequestParameters()
                )
            )
    server.assert_requests_match()
    err = info.value
    assert err.status_code == status
    assert err.body == fixture.exchanges[0].response["json"]
    assert err.headers["x-amzn-errortype"].startswith(error_type + ":")


def test_http_429_throttling_before_the_answer_is_retried() -> None:
    response, server = request_once("http_429_then_ok", [ModelRequest([UserPromptPart("hi")])])
    assert len(server.requests) == 2
    assert response.text == "Hello!"


# --------------------------------------------------------------------------------------------- ConverseStream


def test_stream_text_arrives_as_deltas_and_padding_is_ignored() -> None:
    events, response = stream_once("stream_text", TEXT_MESSAGES, settings={"max_tokens": 256})
    assert [type(e) for e in events] == [PartStartEvent, PartDeltaEvent, PartDeltaEvent, PartEndEvent]
    assert response.parts == [TextPart("The capital of France is Paris.")]
    assert events[-1] == PartEndEvent(0, TextPart("The capital of France is Paris."))
    assert response.usage == RequestUsage(input_tokens=21, output_tokens=9)
    assert response.finish_reason == "stop"
    assert response.provider_details == {"stopReason": "end_turn", "latencyMs": 380}


def test_stream_tool_input_split_over_many_fragments_builds_two_calls() -> None:
    params = ModelRequestParameters(function_tools=[WEATHER, TIME])
    events, response = stream_once(
        "stream_tool_fragments", [ModelRequest([UserPromptPart("Weather and time in Paris?")])], params
    )
    assert response.parts == [
        TextPart("Let me check both."),
        ToolCallPart("get_weather", '{"city": "Paris"}', "tooluse_weather01"),
        ToolCallPart("get_time", '{"timezone": "Europe/Paris"}', "tooluse_time01"),
    ]
    assert [p.args_as_dict() for p in response.tool_calls] == [
        {"city": "Paris"},
        {"timezone": "Europe/Paris"},
    ]
    arg_deltas = [
        e.delta.args_delta
        for e in events
        if isinstance(e, PartDeltaEvent) and isinstance(e.delta, ToolCallPartDelta)
    ]
    assert arg_deltas == ['{"ci', 'ty": ', '"Par', 'is"}', '{"tim', 'ezone"', ': "Europe', '/Paris"', "}"]
    assert response.finish_reason == "tool_call"


def test_stream_reasoning_text_then_signature() -> None:
    events, response = stream_once(
        "stream_reasoning", [ModelRequest([UserPromptPart("What is 17 * 23?")])], settings=THINKING
    )
    assert response.parts == [
        ThinkingPart("17 * 23 = 391.", signature=SIG, provider_name="bedrock"),
        TextPart("391."),
    ]
    assert response.usage == RequestUsage(input_tokens=85, output_tokens=60, cache_write_tokens=40)


def test_in_stream_throttling_exception_is_a_429_model_http_error() -> None:
    with ReplayServer(load_case("bedrock", "stream_throttling")) as server:
        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(stream_all(make_model(server.url), TEXT_MESSAGES, None, ModelRequestParameters()))
    err = info.value
    assert err.status_code == 429
    assert err.body == {"message": "Too many tokens, please wait before trying again."}
    assert err.headers["x-amzn-errortype"] == "throttlingException"


def test_a_stream_cut_before_message_stop_is_unexpected_model_behavior() -> None:
    chunks = load_case("bedrock", "stream_text").exchanges[0].stream_chunks()[:3]
    reply = Reply(200, {"content-type": "application/vnd.amazon.eventstream"}, chunks=chunks)
    with LoopbackServer(lambda request: reply) as server:
        with pytest.raises(UnexpectedModelBehavior, match="messageStop") as info:
            asyncio.run(stream_all(make_model(server.url), TEXT_MESSAGES, None, ModelRequestParameters()))
    assert info.value.response is not None
    assert info.value.response.parts == [TextPart("The capital of France is")]


def test_a_stream_cut_before_metadata_is_truncated_not_zero_usage() -> None:
    """The usage comes only in `metadata`, after `messageStop`: a stream cut between the two used to
    read as a complete answer of 0 tokens, so token `UsageLimits` never tripped. It is truncated, and
    the error keeps everything that did arrive."""
    with ReplayServer(load_case("bedrock", "stream_cut_before_metadata")) as server:
        with pytest.raises(UnexpectedModelBehavior, match="metadata event") as info:
            asyncio.run(
                stream_all(
                    make_model(server.url), TEXT_MESSAGES, {"max_tokens": 256}, ModelRequestParameters()
                )
            )
    server.assert_requests_match()
    check_bodies(server, stream=True)
    kept = info.value.response
    assert kept is not None
    assert kept.parts == [TextPart("The capital of France is Paris.")]
    assert (kept.finish_reason, kept.provider_details) == ("stop", {"stopReason": "end_turn"})
    assert kept.usage == RequestUsage()  # what arrived: nothing, and the error says so
