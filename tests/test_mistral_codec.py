"""Mistral chat completions: exact request bodies, responses read back, streams, errors — replayed over loopback."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from support import assert_protocol_valid, assert_spec_valid, replay_requests, replay_stream
from wireai.codecs import mistral as codec
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
    VideoUrl,
)
from wireai.models import ModelRequestParameters, OutputObjectDefinition
from wireai.models.mistral import MistralModel
from wireai.providers.mistral import MistralProvider
from wireai.testing.encoders import mistral as encoders
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
    "additionalProperties": False,
}


def model_for(server: ReplayServer, name: str = "mistral-small-latest", **kwargs: Any) -> MistralModel:
    return MistralModel(
        name, provider=MistralProvider(api_key="test-key", base_url=server.url, max_retries=0), **kwargs
    )


def check_body(body: dict[str, Any]) -> None:
    assert_protocol_valid("mistral", body)
    assert_spec_valid("mistral", body)


def run_case(
    name: str,
    steps: list[tuple[list[ModelMessage], ModelRequestParameters]],
    *,
    model_name: str = "mistral-small-latest",
    settings: Any = None,
) -> list[ModelResponse]:
    return replay_requests(
        "mistral", name, lambda server: model_for(server, model_name), steps, settings=settings
    )


def stream_case(
    name: str,
    messages: list[ModelMessage],
    params: ModelRequestParameters,
    model_name: str = "mistral-small-latest",
) -> tuple[ModelResponse, list[Any]]:
    return replay_stream("mistral", name, lambda server: model_for(server, model_name), messages, params)


def user(text: str) -> ModelRequest:
    return ModelRequest([UserPromptPart(text)])


# ------------------------------------------------------------------------------------------- replayed cases


def test_text_with_system_prompt_and_settings_maps_seed_to_random_seed_and_reads_cached_tokens() -> None:
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
        settings={"temperature": 0.2, "max_tokens": 100, "seed": 7},
    )
    assert response.parts == [TextPart("The capital of France is Paris.")]
    assert response.usage == RequestUsage(input_tokens=24, output_tokens=9, cache_read_tokens=16)
    assert response.finish_reason == "stop"
    assert response.provider_response_id == "cmpl-e5cc70bb28c444948073e77776eb30ef"
    assert response.model_name == "mistral-small-latest"
    assert response.provider_name == "mistral"


def test_parallel_tool_calls_then_results_with_tool_name_and_a_retry() -> None:
    params = ModelRequestParameters(function_tools=[WEATHER])
    first = [user("Weather in Paris and London?")]
    calls = ModelResponse(
        [
            ToolCallPart("get_weather", '{"city": "Paris"}', "D681PevKs"),
            ToolCallPart("get_weather", '{"city": "Londres"}', "T4kyR2fQx"),
        ]
    )
    second: list[ModelMessage] = [
        *first,
        calls,
        ModelRequest(
            [
                ToolReturnPart("get_weather", {"sky": "sunny", "celsius": 22}, "D681PevKs"),
                RetryPromptPart("Unknown city 'Londres'", tool_name="get_weather", tool_call_id="T4kyR2fQx"),
            ]
        ),
    ]
    r1, r2 = run_case("tools_parallel", [(first, params), (second, params)])
    assert r1.parts == calls.parts
    assert r1.finish_reason == "tool_call"
    assert r1.usage == RequestUsage(input_tokens=90, output_tokens=40)
    assert r2.parts == [TextPart("Paris is sunny, 22°C.")]
    assert r2.finish_reason == "stop"


def test_tool_output_mode_sends_tool_choice_any() -> None:
    params = ModelRequestParameters(output_mode="tool", output_tools=[FINAL], allow_text_output=False)
    [response] = run_case(
        "tool_output", [([user("Largest city in Japan?")], params)], model_name="mistral-large-latest"
    )
    assert response.parts == [
        ToolCallPart("final_result", '{"city": "Tokyo", "country": "Japan"}', "aB3dE5gH7")
    ]
    assert response.tool_calls[0].args_as_dict() == {"city": "Tokyo", "country": "Japan"}


def test_native_output_sends_response_format_json_schema() -> None:
    params = ModelRequestParameters(
        output_mode="native", output_object=OutputObjectDefinition(SCHEMA, "CityLocation", strict=True)
    )
    [response] = run_case(
        "native_output", [([user("Largest city in Japan?")], params)], model_name="mistral-large-latest"
    )
    assert response.parts == [TextPart('{"city": "Tokyo", "country": "Japan"}')]


def test_magistral_thinking_chunk_becomes_a_thinking_part_and_prompt_mode_is_sent() -> None:
    [response] = run_case(
        "thinking",
        [([user("What is 12 * 13?")], ModelRequestParameters())],
        model_name="magistral-medium-latest",
        settings={"mistral_prompt_mode": "reasoning"},
    )
    assert response.parts == [
        ThinkingPart("12 * 13 = 12 * 10 + 12 * 3 = 120 + 36 = 156.", provider_name="mistral"),
        TextPart("156"),
    ]
    assert response.usage == RequestUsage(input_tokens=30, output_tokens=40)


def test_multimodal_content_chunks() -> None:
    content = [
        "Compare these.",
        ImageUrl("https://example.com/cat.png"),
        BinaryContent(b"\x89PNG\r\n\x1a\n", "image/png"),
        DocumentUrl("https://example.com/report.pdf"),
    ]
    [response] = run_case(
        "multimodal", [([ModelRequest([UserPromptPart(content)])], ModelRequestParameters())]
    )
    assert response.text == "A cat and a report."


def test_length_finish_reason() -> None:
    [response] = run_case(
        "length", [([user("Tell me a story.")], ModelRequestParameters())], settings={"max_tokens": 5}
    )
    assert response.finish_reason == "length"
    assert response.provider_details == {"finish_reason": "length"}


@pytest.mark.parametrize("status", [400, 401, 422, 429, 500])
def test_http_error_bodies_raise_model_http_error_with_the_vendor_body(status: int) -> None:
    case = load_case("mistral", f"error_{status}")
    with ReplayServer(case) as server:
        model = model_for(server)
        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(model.request([user("Hi")], None, ModelRequestParameters()))
    assert info.value.status_code == status
    assert info.value.body == case.exchanges[0].response["json"]
    assert info.value.model_name == "mistral-small-latest"


# ------------------------------------------------------------------------------------------- streams


def test_stream_text_deltas_and_usage_from_the_last_chunk() -> None:
    response, events = stream_case("stream_text", [user("Say hello.")], ModelRequestParameters())
    assert response.parts == [TextPart("Hello, world!")]
    assert response.usage == RequestUsage(input_tokens=12, output_tokens=6)
    assert response.finish_reason == "stop"
    assert response.provider_response_id == "cmpl-8c1f3a"
    assert [type(e).__name__ for e in events] == [
        "PartStartEvent",
        "PartDeltaEvent",
        "PartDeltaEvent",
        "PartEndEvent",
    ]
    assert events[-1].part == TextPart("Hello, world!")


def test_stream_tool_arguments_split_over_chunks_and_parallel_calls_reusing_index_zero() -> None:
    response, _ = stream_case(
        "stream_tools", [user("Weather in Paris and Rome?")], ModelRequestParameters(function_tools=[WEATHER])
    )
    assert response.parts == [
        ToolCallPart("get_weather", '{"city": "Paris"}', "D681PevKs"),
        ToolCallPart("get_weather", '{"city": "Rome"}', "R0me12345"),
    ]
    assert response.finish_reason == "tool_call"
    assert response.usage == RequestUsage(input_tokens=80, output_tokens=30)


def test_stream_thinking_chunks_in_list_content() -> None:
    response, _ = stream_case(
        "stream_thinking", [user("What is 2 + 2?")], ModelRequestParameters(), "magistral-small-latest"
    )
    assert response.parts == [ThinkingPart("Two plus two is four.", provider_name="mistral"), TextPart("4")]
    assert response.model_name == "magistral-small-latest"


def test_stream_error_object_raises_model_http_error_with_its_code() -> None:
    with pytest.raises(ModelHTTPError) as info:
        stream_case("stream_error", [user("Say hello.")], ModelRequestParameters())
    assert info.value.status_code == 503
    assert info.value.body == {
        "object": "error",
        "message": "Service unavailable, please retry",
        "type": "service_unavailable",
        "param": None,
        "code": "503",
    }


def test_stream_cut_before_finish_raises_unexpected_model_behavior() -> None:
    parser = codec.StreamParser(model_name="m")
    chunk = {"id": "x", "model": "m", "choices": [{"index": 0, "delta": {"content": "Hi"}}]}
    parser.feed(f"data: {json.dumps(chunk)}\n\n".encode())
    with pytest.raises(UnexpectedModelBehavior) as info:
        parser.close()
    assert info.value.response is not None and info.value.response.parts == [TextPart("Hi")]


# ------------------------------------------------------------------------------------------- codec units


def test_foreign_tool_call_ids_map_to_nine_alphanumerics_consistently() -> None:
    messages: list[ModelMessage] = [
        user("hi"),
        ModelResponse([ToolCallPart("get_weather", {"city": "Paris"}, "call_abc123_from_openai")]),
        ModelRequest([ToolReturnPart("get_weather", "sunny", "call_abc123_from_openai")]),
    ]
    body = codec.build_request(
        messages, ModelRequestParameters(function_tools=[WEATHER]), model="mistral-small-latest"
    ).body
    check_body(body)
    mapped = body["messages"][1]["tool_calls"][0]["id"]
    assert len(mapped) == 9 and mapped.isalnum()
    assert body["messages"][2] == {
        "role": "tool",
        "tool_call_id": mapped,
        "name": "get_weather",
        "content": "sunny",
    }
    assert codec.mistral_tool_call_id("call_abc123_from_openai") == mapped
    assert codec.mistral_tool_call_id("D681PevKs") == "D681PevKs"


def test_instructions_retry_without_tool_and_thinking_round_trip_in_history() -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart("q")], instructions="Answer in French."),
        ModelResponse(
            [
                ThinkingPart("hmm", signature="sig", provider_name="mistral"),
                ThinkingPart("other", provider_name="anthropic"),
                TextPart("oui"),
            ]
        ),
        ModelRequest([RetryPromptPart("bad output")]),
    ]
    request = codec.build_request(
        messages,
        ModelRequestParameters(output_mode="prompted"),
        {
            "mistral_safe_prompt": True,
            "stop_sequences": ["END"],
            "top_p": 0.5,
            "presence_penalty": 0.1,
            "frequency_penalty": 0.2,
        },
        model="mistral-small-latest",
        stream=True,
    )
    assert (request.method, request.path, request.headers) == (
        "POST",
        "v1/chat/completions",
        {"content-type": "application/json"},
    )
    body = request.body
    check_body(body)
    assert body == {
        "model": "mistral-small-latest",
        "stream": True,
        "messages": [
            {"role": "system", "content": "Answer in French."},
            {"role": "user", "content": "q"},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": [{"type": "text", "text": "hmm"}], "signature": "sig"},
                    {"type": "text", "text": "oui"},
                ],
            },
            {"role": "user", "content": "Validation feedback:\nbad output\n\nFix the errors and try again."},
        ],
        "response_format": {"type": "json_object"},
        "safe_prompt": True,
        "stop": ["END"],
        "top_p": 0.5,
        "presence_penalty": 0.1,
        "frequency_penalty": 0.2,
    }


def test_parallel_tool_calls_setting_and_binary_pdf_audio_and_rejected_video() -> None:
    params = ModelRequestParameters(function_tools=[WEATHER])
    content = [BinaryContent(b"%PDF-1.4", "application/pdf"), BinaryContent(b"ID3", "audio/mpeg")]
    body = codec.build_request(
        [ModelRequest([UserPromptPart(content)])], params, {"parallel_tool_calls": False}, model="m"
    ).body
    check_body(body)
    assert body["parallel_tool_calls"] is False
    assert body["messages"][0]["content"] == [
        {"type": "document_url", "document_url": "data:application/pdf;base64,JVBERi0xLjQ="},
        {"type": "input_audio", "input_audio": "SUQz"},
    ]
    with pytest.raises(UserError):
        codec.build_request(
            [ModelRequest([UserPromptPart([VideoUrl("https://x/v.mp4")])])], params, model="m"
        )


@pytest.mark.parametrize(
    ("wire", "ours"),
    [
        ("stop", "stop"),
        ("length", "length"),
        ("model_length", "length"),
        ("error", "error"),
        ("tool_calls", "tool_call"),
    ],
)
def test_every_finish_reason(wire: str, ours: str) -> None:
    body = {
        "id": "x",
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "a"}, "finish_reason": wire}],
    }
    assert codec.parse_response(body, model_name="m").finish_reason == ours


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"choices": []},
        {"choices": [1]},
        {"choices": [{"message": None}]},
        {"choices": [{"message": {"content": 5}}]},
        {"choices": [{"message": {"tool_calls": [{"function": {}}]}}]},
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
        [
            ThinkingPart("Let me think about it carefully.", provider_name="mistral"),
            TextPart("Done."),
        ],
        RequestUsage(input_tokens=10, output_tokens=5, cache_read_tokens=3),
        finish_reason="length",
    ),
    ModelResponse(
        [
            ToolCallPart("get_weather", '{"city": "Paris"}', "D681PevKs"),
            ToolCallPart("get_weather", '{"city": "Rome, Italy"}', "R0me12345"),
        ],
        RequestUsage(input_tokens=20, output_tokens=7),
        finish_reason="tool_call",
    ),
]


@pytest.mark.parametrize("response", ROUND_TRIP)
def test_encode_response_round_trips(response: ModelResponse) -> None:
    parsed = codec.parse_response(encoders.encode_response(response), model_name="m")
    assert parsed.parts == response.parts
    assert parsed.usage == response.usage
    assert parsed.finish_reason == response.finish_reason


@pytest.mark.parametrize("response", ROUND_TRIP)
def test_encode_stream_round_trips(response: ModelResponse) -> None:
    parser = codec.StreamParser(model_name="m")
    parser.feed(encoders.encode_stream(response, chunk_size=4))
    parsed = parser.close()
    assert parsed.parts == response.parts
    assert parsed.usage == response.usage
    assert parsed.finish_reason == response.finish_reason
