"""Cohere Chat v2: exact request bodies, responses read back, SSE streams, errors — replayed over loopback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from support import assert_protocol_valid, assert_spec_valid, replay_requests, replay_stream
from wireai.codecs import cohere as codec
from wireai.exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError
from wireai.messages import (
    BinaryContent,
    DocumentUrl,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters, OutputObjectDefinition
from wireai.models.cohere import CohereModel
from wireai.providers.cohere import CohereProvider
from wireai.testing.encoders import cohere as encoders
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage

WEATHER = ToolDefinition(
    "get_weather",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    "Get the weather for a city",
)
FINAL = ToolDefinition(
    "final_result",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
        "required": ["city", "country"],
    },
    "The final response",
    kind="output",
)
SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
    "required": ["city", "country"],
}
PLAN = "I will look up the weather in Paris and London."


def model_for(server: ReplayServer, name: str = "command-r-plus") -> CohereModel:
    return CohereModel(name, provider=CohereProvider(api_key="test-key", base_url=server.url, max_retries=0))


def check_body(body: dict[str, Any]) -> None:
    assert_protocol_valid("cohere", body)
    assert_spec_valid("cohere", body)


def user(text: str) -> ModelRequest:
    return ModelRequest([UserPromptPart(text)])


def run_case(
    name: str,
    steps: list[tuple[list[ModelMessage], ModelRequestParameters]],
    *,
    model_name: str = "command-r-plus",
    settings: Any = None,
) -> list[ModelResponse]:
    return replay_requests(
        "cohere", name, lambda server: model_for(server, model_name), steps, settings=settings
    )


def stream_case(
    name: str,
    messages: list[ModelMessage],
    params: ModelRequestParameters,
    model_name: str = "command-r-plus",
) -> ModelResponse:
    return replay_stream("cohere", name, lambda server: model_for(server, model_name), messages, params)[0]


# ------------------------------------------------------------------------------------------- replayed cases


def test_text_with_system_and_sampling_settings_reads_tokens_billed_units_and_cached_tokens() -> None:
    [response] = run_case(
        "text",
        [
            (
                [
                    ModelRequest(
                        [SystemPromptPart("Be concise."), UserPromptPart("What is the capital of France?")]
                    )
                ],
                ModelRequestParameters(),
            )
        ],
        settings={
            "temperature": 0.3,
            "top_p": 0.9,
            "top_k": 40,
            "seed": 7,
            "max_tokens": 100,
            "stop_sequences": ["END"],
        },
    )
    assert response.parts == [TextPart("The capital of France is Paris.")]
    assert response.usage == RequestUsage(
        input_tokens=210,
        output_tokens=9,
        cache_read_tokens=128,
        details={"billed_input_tokens": 5, "billed_output_tokens": 9},
    )
    assert response.finish_reason == "stop"
    assert response.provider_response_id == "c14c80c3-18eb-4519-9460-6c92edd8cfb4"
    assert response.provider_name == "cohere"


def test_parallel_tool_calls_with_tool_plan_then_document_results_and_a_retry() -> None:
    params = ModelRequestParameters(function_tools=[WEATHER])
    first = [user("Weather in Paris and London?")]
    r1_parts = [
        ThinkingPart(PLAN, id="tool_plan", provider_name="cohere"),
        ToolCallPart("get_weather", '{"city":"Paris"}', "get_weather_8t9fq1dqdqmc"),
        ToolCallPart("get_weather", '{"city":"Londres"}', "get_weather_3v3yrhpzp0zv"),
    ]
    second: list[ModelMessage] = [
        *first,
        ModelResponse(r1_parts),
        ModelRequest(
            [
                ToolReturnPart("get_weather", {"sky": "sunny", "celsius": 22}, "get_weather_8t9fq1dqdqmc"),
                RetryPromptPart(
                    "Unknown city 'Londres'", tool_name="get_weather", tool_call_id="get_weather_3v3yrhpzp0zv"
                ),
            ]
        ),
    ]
    r1, r2 = run_case("tools_parallel", [(first, params), (second, params)])
    assert r1.parts == r1_parts
    assert r1.finish_reason == "tool_call"
    assert r2.parts == [TextPart("Paris is sunny, 22°C.")]
    assert r2.provider_details is not None and r2.provider_details["citations"][0]["text"] == "sunny"


def test_tool_output_sends_tool_choice_required_and_strict_tools() -> None:
    params = ModelRequestParameters(output_mode="tool", output_tools=[FINAL], allow_text_output=False)
    [response] = run_case(
        "tool_output",
        [([user("Largest city in Japan?")], params)],
        model_name="command-a-03-2025",
        settings={"cohere_strict_tools": True},
    )
    assert response.parts == [
        ToolCallPart("final_result", '{"city":"Tokyo","country":"Japan"}', "final_result_x1")
    ]


def test_native_output_sends_json_object_with_json_schema() -> None:
    params = ModelRequestParameters(
        output_mode="native", output_object=OutputObjectDefinition(SCHEMA, "CityLocation")
    )
    [response] = run_case(
        "native_output", [([user("Largest city in Japan?")], params)], model_name="command-a-03-2025"
    )
    assert response.text == '{"city": "Tokyo", "country": "Japan"}'


def test_response_format_never_travels_beside_tools() -> None:
    # Cohere: response_format "is not supported when used in combinations with the documents or tools parameters".
    prompted = codec.build_request(
        [user("Weather in Paris as JSON?")],
        ModelRequestParameters(function_tools=[WEATHER], output_mode="prompted"),
        model="command-r-plus",
    ).body
    assert prompted is not None
    check_body(prompted)
    assert "response_format" not in prompted and prompted["tools"][0]["function"]["name"] == "get_weather"
    native = ModelRequestParameters(
        function_tools=[WEATHER],
        output_mode="native",
        output_object=OutputObjectDefinition(SCHEMA, "CityLocation"),
    )
    with pytest.raises(UserError, match="NativeOutput cannot be combined with function tools"):
        codec.build_request([user("x")], native, model="command-r-plus")


def test_thinking_setting_and_thinking_content() -> None:
    [response] = run_case(
        "thinking",
        [([user("What is 12 * 13?")], ModelRequestParameters())],
        model_name="command-a-reasoning-08-2025",
        settings={"cohere_thinking": {"type": "enabled", "token_budget": 2000}},
    )
    assert response.parts == [
        ThinkingPart("12 * 13 = 120 + 36 = 156.", provider_name="cohere"),
        TextPart("156"),
    ]


def test_multimodal_images() -> None:
    content = [
        "What is this?",
        ImageUrl("https://example.com/cat.png"),
        BinaryContent(b"\x89PNG\r\n\x1a\n", "image/png"),
    ]
    [response] = run_case(
        "multimodal",
        [([ModelRequest([UserPromptPart(content)])], ModelRequestParameters())],
        model_name="command-a-vision-07-2025",
    )
    assert response.text == "A cat."


@pytest.mark.parametrize(
    ("case", "ours"),
    [("finish_max_tokens", "length"), ("finish_stop_sequence", "stop"), ("finish_error", "error")],
)
def test_finish_reasons_over_the_wire(case: str, ours: str) -> None:
    [response] = run_case(case, [([user("Tell me a story.")], ModelRequestParameters())])
    assert response.finish_reason == ours


@pytest.mark.parametrize("wire", sorted(codec.FINISH_REASONS))
def test_every_finish_reason(wire: str) -> None:
    body = {
        "id": "x",
        "finish_reason": wire,
        "message": {"role": "assistant", "content": [{"type": "text", "text": "a"}]},
    }
    assert codec.parse_response(body, model_name="m").finish_reason == codec.FINISH_REASONS[wire]


@pytest.mark.parametrize("status", [400, 401, 422, 429, 500])
def test_http_error_bodies_raise_model_http_error_with_the_vendor_body(status: int) -> None:
    case = load_case("cohere", f"error_{status}")
    with ReplayServer(case) as server:
        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(model_for(server).request([user("Hi")], None, ModelRequestParameters()))
    assert info.value.status_code == status
    assert info.value.body == case.exchanges[0].response["json"]


# ------------------------------------------------------------------------------------------- streams


def test_stream_text() -> None:
    response = stream_case("stream_text", [user("Say hello.")], ModelRequestParameters())
    assert response.parts == [TextPart("Hello, world!")]
    assert response.usage == RequestUsage(
        input_tokens=12, output_tokens=6, details={"billed_input_tokens": 12, "billed_output_tokens": 6}
    )
    assert response.finish_reason == "stop"
    assert response.provider_response_id == "29f14a5a-11de-4cae-9800-25e4747408ea"


def test_stream_tool_plan_and_tool_calls_with_split_arguments_and_a_citation() -> None:
    response = stream_case(
        "stream_tools", [user("Weather in Paris and Rome?")], ModelRequestParameters(function_tools=[WEATHER])
    )
    assert response.parts == [
        ThinkingPart("I will check both.", id="tool_plan", provider_name="cohere"),
        ToolCallPart("get_weather", '{"city": "Paris"}', "get_weather_p4r1s"),
        ToolCallPart("get_weather", '{"city": "Rome"}', "get_weather_r0m3x"),
    ]
    assert response.finish_reason == "tool_call"
    assert response.provider_details == {
        "citations": [{"start": 0, "end": 4, "text": "both", "sources": [], "type": "PLAN"}],
        "finish_reason": "TOOL_CALL",
    }


def test_stream_thinking_then_text() -> None:
    response = stream_case(
        "stream_thinking", [user("What is 2 + 2?")], ModelRequestParameters(), "command-a-reasoning-08-2025"
    )
    assert response.parts == [ThinkingPart("Two plus two is four.", provider_name="cohere"), TextPart("4")]


def test_stream_error_in_message_end_raises_model_http_error() -> None:
    with pytest.raises(ModelHTTPError) as info:
        stream_case("stream_error", [user("Say hello.")], ModelRequestParameters())
    assert info.value.status_code == 500
    assert info.value.body == {
        "type": "message-end",
        "delta": {"error": "internal server error, please try again", "finish_reason": "ERROR"},
    }


def test_stream_without_message_end_is_incomplete() -> None:
    parser = codec.StreamParser(model_name="m")
    parser.feed(b'data: {"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Hi"}}}}\n\n')
    with pytest.raises(UnexpectedModelBehavior) as info:
        parser.close()
    assert info.value.response is not None and info.value.response.parts == [TextPart("Hi")]


# ------------------------------------------------------------------------------------------- codec units


def test_instructions_prompted_output_retry_and_foreign_thinking_in_history() -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart("q")], instructions="Answer in French."),
        ModelResponse(
            [
                ThinkingPart("hmm", provider_name="cohere"),
                ThinkingPart("x", provider_name="openai"),
                TextPart("oui"),
            ]
        ),
        ModelRequest([RetryPromptPart("bad output")]),
    ]
    request = codec.build_request(
        messages,
        ModelRequestParameters(output_mode="prompted"),
        {"presence_penalty": 0.1, "frequency_penalty": 0.2, "cohere_safety_mode": "STRICT"},
        model="command-r-plus",
        stream=True,
    )
    assert (request.method, request.path, request.headers, request.query) == (
        "POST",
        "v2/chat",
        {"content-type": "application/json"},
        {},
    )
    body = request.body
    assert body is not None
    check_body(body)
    assert body == {
        "model": "command-r-plus",
        "stream": True,
        "messages": [
            {"role": "system", "content": "Answer in French."},
            {"role": "user", "content": "q"},
            {
                "role": "assistant",
                "content": [{"type": "thinking", "thinking": "hmm"}, {"type": "text", "text": "oui"}],
            },
            {"role": "user", "content": "Validation feedback:\nbad output\n\nFix the errors and try again."},
        ],
        "response_format": {"type": "json_object"},
        "presence_penalty": 0.1,
        "frequency_penalty": 0.2,
        "safety_mode": "STRICT",
    }


def test_non_image_content_is_a_user_error() -> None:
    with pytest.raises(UserError):
        codec.build_request(
            [ModelRequest([UserPromptPart([DocumentUrl("https://x/a.pdf")])])],
            ModelRequestParameters(),
            model="m",
        )


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        {"message": 1},
        {"message": {"content": 3}},
        {"message": {"content": [1]}},
        {"message": {"tool_calls": [{"function": {}}]}},
    ],
)
def test_malformed_bodies_raise_unexpected_model_behavior(body: Any) -> None:
    with pytest.raises(UnexpectedModelBehavior):
        codec.parse_response(body, model_name="m")


# ------------------------------------------------------------------------------------------- encoders

ROUND_TRIP = [
    ModelResponse(
        [TextPart("Hello there, general Kenobi!")],
        RequestUsage(input_tokens=10, output_tokens=5),
        finish_reason="stop",
    ),
    ModelResponse(
        [ThinkingPart("Let me think it through.", provider_name="cohere"), TextPart("Done.")],
        RequestUsage(input_tokens=10, output_tokens=5, cache_read_tokens=4),
        finish_reason="length",
    ),
    ModelResponse(
        [
            ThinkingPart("I will call two tools.", id="tool_plan", provider_name="cohere"),
            ToolCallPart("get_weather", '{"city": "Paris"}', "c1"),
            ToolCallPart("get_weather", '{"city": "Rome, Italy"}', "c2"),
        ],
        RequestUsage(input_tokens=20, output_tokens=7),
        finish_reason="tool_call",
    ),
]


def _without_billed(usage: RequestUsage) -> RequestUsage:
    return RequestUsage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens,
    )


@pytest.mark.parametrize("response", ROUND_TRIP)
def test_encode_response_round_trips(response: ModelResponse) -> None:
    parsed = codec.parse_response(encoders.encode_response(response), model_name="m")
    assert parsed.parts == response.parts
    assert _without_billed(parsed.usage) == response.usage
    assert parsed.finish_reason == response.finish_reason


@pytest.mark.parametrize("response", ROUND_TRIP)
def test_encode_stream_round_trips(response: ModelResponse) -> None:
    parser = codec.StreamParser(model_name="m")
    parser.feed(encoders.encode_stream(response, chunk_size=4))
    parsed = parser.close()
    assert parsed.parts == response.parts
    assert _without_billed(parsed.usage) == response.usage
    assert parsed.finish_reason == response.finish_reason


def test_extra_body_and_extra_headers_go_on_the_wire() -> None:
    from wireai.testing import FakeCohere

    settings: Any = {"extra_body": {"priority": 1}, "extra_headers": {"x-client-name": "wireai-tests"}}
    with FakeCohere() as fake:
        fake.add_text("hi")
        asyncio.run(fake.model().request([user("Hi")], settings, ModelRequestParameters()))
    [sent] = fake.requests
    assert sent.path == "/v2/chat"
    assert sent.json() == {
        "model": "command-r-plus",
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": False,
        "priority": 1,
    }
    assert (sent.headers["x-client-name"], sent.headers["content-type"]) == (
        "wireai-tests",
        "application/json",
    )
