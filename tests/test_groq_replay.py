"""Groq over the shared OpenAI chat codec, its differences as a profile: `reasoning_format`,
`x_groq.usage` in streams, no `stream_options`, and `tool_use_failed` surfaced with `failed_generation`."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from support import assert_protocol_valid, assert_spec_valid
from wireai import Agent
from wireai.exceptions import ModelHTTPError, UserError
from wireai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters, OutputObjectDefinition, infer_model
from wireai.models.groq import GroqModel, is_tool_use_failed, tool_use_failed_generation
from wireai.providers.groq import GroqProvider
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.testing.server import LoopbackServer, Reply
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


def model_for(server: LoopbackServer, name: str = "llama-3.3-70b-versatile") -> GroqModel:
    provider = GroqProvider(api_key="gsk-test", base_url=server.url + "/openai/v1")
    provider.max_retries = 0
    return GroqModel(name, provider=provider)


def check_bodies(server: ReplayServer) -> None:
    server.assert_requests_match()
    for request in server.requests:
        assert_protocol_valid("openai_chat", request.json())
        assert_spec_valid("groq", request.json())


def ask(
    model: GroqModel, text: str, params: ModelRequestParameters | None = None, settings: Any = None
) -> ModelResponse:
    return asyncio.run(
        model.request([ModelRequest([UserPromptPart(text)])], settings, params or ModelRequestParameters())
    )


async def stream(model: GroqModel, text: str, params: ModelRequestParameters) -> ModelResponse:
    async with model.request_stream([ModelRequest([UserPromptPart(text)])], None, params) as response:
        async for _ in response:
            pass
    return response.get()


def test_reasoning_format_parsed_reads_reasoning_field() -> None:
    with ReplayServer(load_case("groq", "reasoning_parsed")) as server:
        response = ask(model_for(server, "qwen/qwen3-32b"), "2+2?", None, {"groq_reasoning_format": "parsed"})
        check_bodies(server)
    assert response.parts == [
        ThinkingPart("Adding two and two gives four.", provider_name="groq"),
        TextPart("4"),
    ]
    assert response.usage == RequestUsage(
        input_tokens=14, output_tokens=20
    )  # float timings are not token counts


def test_reasoning_format_raw_splits_think_tags() -> None:
    with ReplayServer(load_case("groq", "reasoning_raw")) as server:
        response = ask(
            model_for(server, "deepseek-r1-distill-llama-70b"), "2+2?", None, {"groq_reasoning_format": "raw"}
        )
        check_bodies(server)
    assert response.parts == [
        ThinkingPart("Two plus two is four.", provider_name="groq"),
        TextPart("The answer is 4."),
    ]


def test_stream_usage_from_x_groq_without_stream_options() -> None:
    with ReplayServer(load_case("groq", "stream_x_groq_usage")) as server:
        response = asyncio.run(
            stream(model_for(server), "Weather in Paris?", ModelRequestParameters(function_tools=[WEATHER]))
        )
        check_bodies(server)
    assert response.parts == [ToolCallPart("get_weather", '{"city":"Paris"}', tool_call_id="call_g")]
    assert response.usage == RequestUsage(input_tokens=200, output_tokens=18)
    assert response.finish_reason == "tool_call"


def test_tool_use_failed_400_keeps_failed_generation() -> None:
    with ReplayServer(load_case("groq", "tool_use_failed")) as server:
        with pytest.raises(ModelHTTPError) as info:
            ask(model_for(server), "Weather in Paris?", ModelRequestParameters(function_tools=[WEATHER]))
        check_bodies(server)
    assert info.value.status_code == 400
    assert is_tool_use_failed(info.value)
    assert tool_use_failed_generation(info.value) == '<function=get_weather>{"city": Paris}</function>'


def test_tool_use_failed_inside_stream() -> None:
    with ReplayServer(load_case("groq", "stream_tool_use_failed")) as server:
        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(
                stream(
                    model_for(server), "Weather in Paris?", ModelRequestParameters(function_tools=[WEATHER])
                )
            )
        check_bodies(server)
    assert info.value.status_code == 400
    assert is_tool_use_failed(info.value)


def test_groq_names_resolve_and_key_comes_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROQ_API_KEY", "gsk-env")
    model = infer_model("groq:llama-3.3-70b-versatile")
    assert isinstance(model, GroqModel)
    assert model.base_url == "https://api.groq.com/openai/v1"
    assert model.provider.headers["authorization"] == "Bearer gsk-env"
    assert (
        GroqModel("llama-3.3-70b-versatile", api_key="your-api-key").provider.headers["authorization"]
        == "Bearer your-api-key"
    )
    monkeypatch.delenv("GROQ_API_KEY")
    with pytest.raises(UserError, match="GROQ_API_KEY"):
        GroqModel("llama-3.3-70b-versatile")


def test_groq_json_schema_support_is_per_model() -> None:
    provider = GroqProvider(api_key="k")
    assert provider.model_profile("openai/gpt-oss-120b").supports_json_schema_output  # type: ignore[union-attr]
    assert not provider.model_profile("llama-3.3-70b-versatile").supports_json_schema_output  # type: ignore[union-attr]


def test_agent_with_groq_model_string_over_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    def handler(request: Any) -> Reply:
        body = request.json()
        assert (
            body["model"] == "llama-3.3-70b-versatile" and request.url_path == "/openai/v1/chat/completions"
        )
        return Reply.json(
            {
                "id": "c1",
                "object": "chat.completion",
                "created": 1,
                "model": "llama-3.3-70b-versatile",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "Paris"},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11},
            }
        )

    with LoopbackServer(handler) as server:
        monkeypatch.setenv("GROQ_API_KEY", "gsk-env")
        monkeypatch.setenv("GROQ_BASE_URL", server.url + "/openai/v1")
        result = Agent("groq:llama-3.3-70b-versatile").run_sync("Capital of France?")
    assert result.output == "Paris"


def test_parallel_tool_calls_then_tool_results_multi_turn() -> None:
    params = ModelRequestParameters(function_tools=[WEATHER])
    settings: Any = {"parallel_tool_calls": True}
    with ReplayServer(load_case("groq", "parallel_tools_multi_turn")) as server:
        model = model_for(server)
        messages: list[ModelMessage] = [ModelRequest([UserPromptPart("Weather in Paris and London?")])]
        first = asyncio.run(model.request(messages, settings, params))
        assert first.parts == [
            ToolCallPart("get_weather", '{"city":"Paris"}', tool_call_id="call_p"),
            ToolCallPart("get_weather", '{"city":"London"}', tool_call_id="call_l"),
        ]
        assert first.finish_reason == "tool_call"
        assert first.usage == RequestUsage(input_tokens=220, output_tokens=40)
        messages += [
            first,
            ModelRequest(
                [
                    ToolReturnPart("get_weather", "sunny", tool_call_id="call_p"),
                    ToolReturnPart("get_weather", "rainy", tool_call_id="call_l"),
                ]
            ),
        ]
        second = asyncio.run(model.request(messages, settings, params))
        check_bodies(server)
    assert second.parts == [TextPart("Paris is sunny, London is rainy.")]
    assert second.finish_reason == "stop"
    assert second.provider_response_id == "chatcmpl-g2"


def test_native_output_json_schema_on_a_model_that_supports_it() -> None:
    city = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
        "required": ["city", "country"],
        "additionalProperties": False,
    }
    params = ModelRequestParameters(
        output_mode="native", output_object=OutputObjectDefinition(city, name="CityLocation", strict=True)
    )
    with ReplayServer(load_case("groq", "native_output")) as server:
        response = ask(
            model_for(server, "openai/gpt-oss-120b"), "Where were the olympics held in 2012?", params
        )
        check_bodies(server)
    assert response.parts == [TextPart('{"city":"London","country":"United Kingdom"}')]
    assert response.model_name == "openai/gpt-oss-120b"
    assert response.usage == RequestUsage(input_tokens=90, output_tokens=14)


def test_length_finish_reason() -> None:
    with ReplayServer(load_case("groq", "length")) as server:
        response = ask(model_for(server), "Write a long poem.", None, {"max_tokens": 8})
        check_bodies(server)
    assert response.parts == [TextPart("Roses are red, violets are")]
    assert response.finish_reason == "length"
    assert response.provider_details == {"finish_reason": "length"}


@pytest.mark.parametrize("status", [401, 422, 429, 500])
def test_http_error_bodies(status: int) -> None:
    case = load_case("groq", f"error_{status}")
    with ReplayServer(case) as server:
        with pytest.raises(ModelHTTPError) as info:
            ask(model_for(server), "hi")
        check_bodies(server)
    assert info.value.status_code == status
    assert info.value.body == case.exchanges[0].response["json"]
    assert not is_tool_use_failed(info.value)
