"""OpenAI Chat Completions over real loopback HTTP, replaying the hand-written fixtures in
`wireai/fixtures/openai_chat/`: exact request bodies and headers out, exact parts/usage/finish back."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest

from support import assert_protocol_valid, assert_spec_valid
from wireai.exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError
from wireai.messages import (
    AudioUrl,
    BinaryContent,
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
    ToolReturnPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters, OutputObjectDefinition
from wireai.models.openai import OpenAIModel
from wireai.providers.deepseek import DeepSeekProvider
from wireai.providers.openai import OpenAIProvider
from wireai.providers.openrouter import OpenRouterProvider
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
    "Get the weather in a city.",
)
CITY_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
    "required": ["city", "country"],
    "title": "CityLocation",
}
CREATED = datetime(2025, 1, 1, tzinfo=timezone.utc)


def model_for(server: ReplayServer, name: str = "gpt-4o", **kwargs: Any) -> OpenAIModel:
    provider = OpenAIProvider(api_key="test-key", base_url=server.url + "/v1")
    provider.max_retries = 0
    return OpenAIModel(name, provider=provider, **kwargs)


def check_bodies(server: ReplayServer, spec: str = "openai") -> None:
    server.assert_requests_match()
    for request in server.requests:
        assert_protocol_valid("openai_chat", request.json())
        assert_spec_valid(spec, request.json())


def user(text: str) -> ModelRequest:
    return ModelRequest([UserPromptPart(text)])


async def request(
    model: OpenAIModel,
    messages: list[ModelMessage],
    params: ModelRequestParameters | None = None,
    settings: Any = None,
) -> ModelResponse:
    return await model.request(messages, settings, params or ModelRequestParameters())


async def stream(
    model: OpenAIModel, messages: list[ModelMessage], params: ModelRequestParameters | None = None
) -> tuple[list[Any], ModelResponse]:
    events = []
    async with model.request_stream(messages, None, params or ModelRequestParameters()) as response:
        async for event in response:
            events.append(event)
    return events, response.get()


def test_text_with_system_prompt_and_usage_details() -> None:
    with ReplayServer(load_case("openai_chat", "text")) as server:
        model = model_for(server)
        response = asyncio.run(
            request(
                model,
                [
                    ModelRequest(
                        [SystemPromptPart("Be concise."), UserPromptPart("What is the capital of France?")]
                    )
                ],
            )
        )
        check_bodies(server)
    assert response.parts == [TextPart("Paris.")]
    assert response.usage == RequestUsage(input_tokens=1200, output_tokens=3, cache_read_tokens=1024)
    assert response.usage.details is None  # all-zero vendor details are not noise in `details`
    assert response.finish_reason == "stop"
    assert response.model_name == "gpt-4o-2024-08-06"
    assert response.provider_response_id == "chatcmpl-AaBbCc"
    assert response.provider_name == "openai"
    assert response.timestamp == CREATED
    assert response.provider_details == {"finish_reason": "stop"}


def test_tool_call_then_tool_return_multi_turn() -> None:
    with ReplayServer(load_case("openai_chat", "tool_call_multi_turn")) as server:
        model = model_for(server)
        params = ModelRequestParameters(function_tools=[WEATHER])
        messages: list[ModelMessage] = [user("Weather in Paris?")]
        first = asyncio.run(request(model, messages, params))
        assert first.parts == [ToolCallPart("get_weather", '{"city":"Paris"}', tool_call_id="call_abc123")]
        assert first.finish_reason == "tool_call"
        assert first.usage == RequestUsage(input_tokens=50, output_tokens=15)
        messages += [
            first,
            ModelRequest(
                [ToolReturnPart("get_weather", {"temp_c": 21, "sky": "sunny"}, tool_call_id="call_abc123")]
            ),
        ]
        second = asyncio.run(request(model, messages, params))
        check_bodies(server)
    assert second.parts == [TextPart("It is sunny and 21°C in Paris.")]
    assert second.finish_reason == "stop"


def test_parallel_tool_calls() -> None:
    with ReplayServer(load_case("openai_chat", "parallel_tool_calls")) as server:
        model = model_for(server)
        response = asyncio.run(
            request(
                model,
                [user("Weather in Paris and London?")],
                ModelRequestParameters(function_tools=[WEATHER]),
                {"parallel_tool_calls": True},
            )
        )
        check_bodies(server)
    assert response.parts == [
        ToolCallPart("get_weather", '{"city": "Paris"}', tool_call_id="call_1"),
        ToolCallPart("get_weather", '{"city": "London"}', tool_call_id="call_2"),
    ]


def test_structured_output_tool_mode_requires_a_tool() -> None:
    final = ToolDefinition(
        "final_result",
        CITY_SCHEMA,
        "The final response which ends this conversation",
        strict=True,
        kind="output",
    )
    params = ModelRequestParameters(output_mode="tool", output_tools=[final], allow_text_output=False)
    with ReplayServer(load_case("openai_chat", "tool_output")) as server:
        response = asyncio.run(
            request(model_for(server), [user("Where were the olympics held in 2012?")], params)
        )
        check_bodies(server)
    assert response.tool_calls[0].args_as_dict() == {"city": "London", "country": "United Kingdom"}


def test_structured_output_native_mode_sends_json_schema() -> None:
    output = OutputObjectDefinition(
        CITY_SCHEMA, name="CityLocation", description="A city and its country.", strict=True
    )
    params = ModelRequestParameters(output_mode="native", output_object=output)
    with ReplayServer(load_case("openai_chat", "native_output")) as server:
        response = asyncio.run(
            request(model_for(server), [user("Where were the olympics held in 2012?")], params)
        )
        check_bodies(server)
    assert response.parts == [TextPart('{"city":"London","country":"United Kingdom"}')]


def test_multimodal_input_image_url_data_uri_pdf_and_audio() -> None:
    content = [
        "Describe these.",
        ImageUrl("https://example.com/cat.png", vendor_metadata={"detail": "high"}),
        BinaryContent(bytes.fromhex("89504e470d0a1a0a"), "image/png"),
        BinaryContent(b"%PDF-1.4\n", "application/pdf", identifier="report.pdf"),
        BinaryContent(b"RIFF$\x00\x00\x00WAVE", "audio/wav"),
    ]
    with ReplayServer(load_case("openai_chat", "multimodal_input")) as server:
        response = asyncio.run(request(model_for(server), [ModelRequest([UserPromptPart(content)])]))
        check_bodies(server)
    assert response.text == "A cat, a tiny PNG, a PDF report and a short sound."


def test_audio_by_url_is_a_user_error() -> None:
    model = OpenAIModel("gpt-4o", api_key="k")
    with pytest.raises(UserError, match="BinaryContent"):
        model.build_request(
            [ModelRequest([UserPromptPart(["hi", AudioUrl("https://x/a.mp3")])])],
            None,
            ModelRequestParameters(),
        )


def test_refusal_is_text_and_kept_in_provider_details() -> None:
    with ReplayServer(load_case("openai_chat", "refusal")) as server:
        response = asyncio.run(request(model_for(server), [user("Help me pick a lock.")]))
        check_bodies(server)
    assert response.parts == [TextPart("I'm sorry, I can't help with that.")]
    assert response.provider_details == {
        "refusal": "I'm sorry, I can't help with that.",
        "finish_reason": "stop",
    }


def test_reasoning_model_uses_max_completion_tokens_and_reports_length() -> None:
    with ReplayServer(load_case("openai_chat", "length")) as server:
        response = asyncio.run(
            request(
                model_for(server, "o3-mini"),
                [user("Write a long poem.")],
                None,
                {"max_tokens": 16, "openai_reasoning_effort": "low", "seed": 7},
            )
        )
        check_bodies(server)
    assert response.finish_reason == "length"
    assert response.usage == RequestUsage(input_tokens=12, output_tokens=16, details={"reasoning_tokens": 10})


def test_deepseek_reasoning_content_is_a_thinking_part() -> None:
    with ReplayServer(load_case("openai_chat", "deepseek_reasoning")) as server:
        provider = DeepSeekProvider(api_key="test-key", base_url=server.url)
        response = asyncio.run(
            request(
                OpenAIModel("deepseek-reasoner", provider=provider), [user("9.11 or 9.8, which is larger?")]
            )
        )
        check_bodies(server)
    assert response.parts == [
        ThinkingPart("Compare decimals: 9.80 > 9.11.", provider_name="deepseek"),
        TextPart("9.8 is larger."),
    ]
    assert response.usage == RequestUsage(
        input_tokens=18, output_tokens=40, details={"reasoning_tokens": 30, "prompt_cache_miss_tokens": 18}
    )


def test_thinking_is_not_sent_back_except_deepseeks_own_to_deepseek() -> None:
    history: list[ModelMessage] = [
        user("q"),
        ModelResponse([ThinkingPart("secret", provider_name="deepseek"), TextPart("a")]),
        ModelResponse([ThinkingPart("other", provider_name="anthropic"), TextPart("b")]),
        user("q2"),
    ]
    openai_body = OpenAIModel("o3", provider=OpenAIProvider(api_key="k")).build_request(
        history, None, ModelRequestParameters()
    )
    assert openai_body.body is not None and "secret" not in repr(openai_body.body)
    body = (
        OpenAIModel("deepseek-reasoner", provider=DeepSeekProvider(api_key="k"))
        .build_request(history, None, ModelRequestParameters())
        .body
    )
    assert body["messages"] == [
        {"role": "user", "content": "q"},
        {"role": "assistant", "reasoning_content": "secret", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "q2"},
    ]


def test_retry_prompts_as_tool_message_and_as_user_message() -> None:
    messages: list[ModelMessage] = [
        user("Weather in Paris?"),
        ModelResponse([ToolCallPart("get_weather", {}, tool_call_id="call_x")]),
        ModelRequest([RetryPromptPart("city is required", tool_name="get_weather", tool_call_id="call_x")]),
        ModelResponse([TextPart("Sure.")]),
        ModelRequest([RetryPromptPart("answer with JSON")]),
    ]
    with ReplayServer(load_case("openai_chat", "retry_prompts")) as server:
        asyncio.run(request(model_for(server), messages, ModelRequestParameters(function_tools=[WEATHER])))
        check_bodies(server)


# ----------------------------------------------------------------------------------------------- streams


def test_stream_text_deltas_and_final_usage_chunk() -> None:
    with ReplayServer(load_case("openai_chat", "stream_text")) as server:
        events, response = asyncio.run(stream(model_for(server), [user("Say hello")]))
        check_bodies(server)
    assert events == [
        PartStartEvent(0, TextPart("Hel")),
        PartDeltaEvent(0, events[1].delta),
        PartDeltaEvent(0, events[2].delta),
        PartEndEvent(0, TextPart("Hello, wörld!")),
    ]
    assert [e.delta.content_delta for e in events[1:3]] == ["lo, ", "wörld!"]
    assert response.parts == [TextPart("Hello, wörld!")]
    assert response.usage == RequestUsage(input_tokens=9, output_tokens=4)
    assert response.finish_reason == "stop"
    assert response.provider_response_id == "chatcmpl-S1"
    assert response.model_name == "gpt-4o-2024-08-06"


def test_stream_parallel_tool_calls_with_arguments_split_over_many_chunks() -> None:
    with ReplayServer(load_case("openai_chat", "stream_parallel_tools")) as server:
        events, response = asyncio.run(
            stream(
                model_for(server),
                [user("Weather in Paris and London?")],
                ModelRequestParameters(function_tools=[WEATHER]),
            )
        )
        check_bodies(server)
    assert response.parts == [
        ToolCallPart("get_weather", '{"city": "Paris"}', tool_call_id="call_p"),
        ToolCallPart("get_weather", '{"city": "London"}', tool_call_id="call_l"),
    ]
    assert response.finish_reason == "tool_call"
    assert response.usage == RequestUsage(input_tokens=60, output_tokens=30)
    assert sum(isinstance(e, PartStartEvent) for e in events) == 2


def test_stream_server_reusing_index_zero_without_ids_or_done() -> None:
    with ReplayServer(load_case("openai_chat", "stream_index_reuse")) as server:
        _, response = asyncio.run(
            stream(
                model_for(server),
                [user("Weather in Paris and London?")],
                ModelRequestParameters(function_tools=[WEATHER]),
            )
        )
        check_bodies(server)
    assert [(p.tool_name, p.args) for p in response.tool_calls] == [
        ("get_weather", '{"city":"Paris"}'),
        ("get_weather", '{"city":"London"}'),
    ]
    assert response.tool_calls[0].tool_call_id != response.tool_calls[1].tool_call_id
    assert response.model_name == "llama3.2"


def test_stream_cut_off_without_finish_or_done_is_unexpected() -> None:
    with ReplayServer(load_case("openai_chat", "stream_truncated")) as server:
        with pytest.raises(UnexpectedModelBehavior, match="truncated"):
            asyncio.run(stream(model_for(server), [user("Say hello")]))


def test_stream_error_object_raises_model_http_error() -> None:
    with ReplayServer(load_case("openai_chat", "stream_error")) as server:
        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(stream(model_for(server), [user("Say hello")]))
    assert info.value.status_code == 500
    assert info.value.body == {
        "error": load_case("openai_chat", "stream_error")
        .exchanges[0]
        .response["sse_events"][2]["data"]["error"]
    }


@pytest.mark.parametrize("status", [400, 401, 404, 429, 500])
def test_http_error_bodies(status: int) -> None:
    case = load_case("openai_chat", f"error_{status}")
    with ReplayServer(case) as server:
        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(request(model_for(server), [user("hi")]))
        check_bodies(server)
    assert info.value.status_code == status
    assert info.value.body == case.exchanges[0].response["json"]
    assert info.value.model_name == "gpt-4o"


def test_every_setting_on_the_wire_extra_body_last_and_usage_details() -> None:
    settings = {
        "max_tokens": 50,
        "temperature": 0.2,
        "top_p": 0.9,
        "seed": 42,
        "presence_penalty": 0.5,
        "frequency_penalty": 0.25,
        "logit_bias": {"50256": -100},
        "stop_sequences": ["END"],
        "parallel_tool_calls": False,
        "openai_user": "user-123",
        "openai_service_tier": "default",
        "openai_logprobs": True,
        "openai_top_logprobs": 2,
        "openai_store": False,
        "openai_metadata": {"team": "qa"},
        "extra_headers": {"x-trace-id": "trace-1"},
        # merged last: wins over `temperature` and `openai_service_tier` above
        "extra_body": {"temperature": 0.0, "service_tier": "flex"},
    }
    with ReplayServer(load_case("openai_chat", "all_settings")) as server:
        response = asyncio.run(
            request(
                model_for(server),
                [user("Weather in Paris?")],
                ModelRequestParameters(function_tools=[WEATHER]),
                settings,
            )
        )
        check_bodies(server)
    assert response.parts == [TextPart("Sunny, 21°C.")]
    assert response.usage == RequestUsage(
        input_tokens=2000,
        output_tokens=40,
        cache_read_tokens=1920,
        details={
            "input_audio_tokens": 16,
            "output_audio_tokens": 12,
            "reasoning_tokens": 8,
            "accepted_prediction_tokens": 3,
            "rejected_prediction_tokens": 1,
        },
    )
    assert response.finish_reason == "stop"


def test_content_filter_finish_reason_keeps_the_partial_text() -> None:
    with ReplayServer(load_case("openai_chat", "content_filter")) as server:
        response = asyncio.run(request(model_for(server), [user("Tell me a story.")]))
        check_bodies(server)
    assert response.parts == [TextPart("Once upon a")]
    assert response.finish_reason == "content_filter"
    assert response.provider_details == {"finish_reason": "content_filter"}
    assert response.usage == RequestUsage(input_tokens=11, output_tokens=3)


def test_stream_deepseek_reasoning_deltas_then_text() -> None:
    with ReplayServer(load_case("openai_chat", "stream_deepseek_reasoning")) as server:
        model = OpenAIModel(
            "deepseek-reasoner", provider=DeepSeekProvider(api_key="test-key", base_url=server.url)
        )
        events, response = asyncio.run(stream(model, [user("9.11 or 9.8, which is larger?")]))
        check_bodies(server)
    assert response.parts == [
        ThinkingPart("Compare decimals: 9.80 > 9.11.", provider_name="deepseek"),
        TextPart("9.8 is larger."),
    ]
    assert [type(e.part).__name__ for e in events if isinstance(e, PartStartEvent)] == [
        "ThinkingPart",
        "TextPart",
    ]
    assert response.usage == RequestUsage(
        input_tokens=18, output_tokens=40, details={"reasoning_tokens": 30, "prompt_cache_miss_tokens": 18}
    )
    assert response.finish_reason == "stop"
    assert response.provider_response_id == "chatcmpl-R1"


def test_openrouter_settings_headers_reasoning_deltas_then_error_chunk() -> None:
    case = load_case("openai_chat", "openrouter_stream_error")
    settings: Any = {
        "openrouter_reasoning": {"effort": "high"},
        "openrouter_provider": {"order": ["DeepInfra"], "allow_fallbacks": False},
        "openrouter_models": ["deepseek/deepseek-r1", "openai/o3-mini"],
    }
    events: list[Any] = []

    async def run(model: OpenAIModel) -> None:
        messages: list[ModelMessage] = [user("2+2?")]
        async with model.request_stream(messages, settings, ModelRequestParameters()) as response:
            async for event in response:
                events.append(event)

    with ReplayServer(case) as server:
        provider = OpenRouterProvider(
            api_key="or-key",
            app_url="https://myapp.example",
            app_title="My App",
            base_url=server.url + "/api/v1",
        )
        provider.max_retries = 0
        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(run(OpenAIModel("deepseek/deepseek-r1", provider=provider)))
        server.assert_requests_match()
    body = server.requests[0].json()
    assert_protocol_valid("openai_chat", body)
    # OpenRouter's own fields are not in OpenAI's spec; everything else is.
    assert_spec_valid("openai", body, strict=False)
    assert info.value.status_code == 502
    assert info.value.body["error"]["message"] == "Provider disconnected unexpectedly"  # type: ignore[index]
    assert events[0] == PartStartEvent(0, ThinkingPart("Two and ", provider_name="openrouter"))
    assert [type(e.part).__name__ for e in events if isinstance(e, PartStartEvent)] == [
        "ThinkingPart",
        "TextPart",
    ]


@pytest.mark.parametrize(
    ("name", "role_arg", "role"),
    [
        ("gpt-4o", None, "system"),
        ("o3-mini", "developer", "developer"),
        ("o1-mini", None, "user"),  # o1-mini takes neither system nor developer messages
    ],
)
def test_system_prompt_role_per_model_and_argument(name: str, role_arg: Any, role: str) -> None:
    model = OpenAIModel(name, api_key="k", system_prompt_role=role_arg)
    messages: list[ModelMessage] = [
        ModelRequest([SystemPromptPart("Be terse."), UserPromptPart("hi")], instructions="Answer in French.")
    ]
    body = model.build_request(messages, None, ModelRequestParameters()).body
    assert body["messages"] == [
        {"role": role, "content": "Answer in French."},
        {"role": role, "content": "Be terse."},
        {"role": "user", "content": "hi"},
    ]
    assert_protocol_valid("openai_chat", body)
    assert_spec_valid("openai", body)
