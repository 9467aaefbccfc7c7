"""Gemini generateContent over real loopback HTTP, replaying the hand-written fixtures in
`wireai/fixtures/gemini/`: exact request bodies and headers out, exact parts/usage/finish back."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from pydantic import BaseModel

from support import assert_protocol_valid, assert_spec_valid
from wireai.exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError
from wireai.messages import (
    BinaryContent,
    DocumentUrl,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    PartEndEvent,
    PartStartEvent,
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
from wireai.models.gemini import GeminiModel, GeminiModelSettings, GoogleModel
from wireai.providers.google_gla import GoogleGLAProvider
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage

WEATHER = ToolDefinition(
    "get_weather",
    {
        "type": "object",
        "properties": {"city": {"type": "string", "description": "City name"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "Current weather for a city.",
)


def model_for(server: ReplayServer, name: str = "gemini-2.0-flash", **kwargs: Any) -> GeminiModel:
    provider = GoogleGLAProvider(api_key="test-key", base_url=server.url + "/v1beta")
    provider.max_retries = 0
    return GeminiModel(name, provider=provider, **kwargs)


def check_bodies(server: ReplayServer) -> None:
    server.assert_requests_match()
    for request in server.requests:
        body = request.json()
        assert_protocol_valid("gemini", body)
        assert_spec_valid("gemini", body)


def run_case(
    case: str,
    turns: Sequence[list[ModelMessage]],
    params: ModelRequestParameters | None = None,
    settings: GeminiModelSettings | None = None,
    name: str = "gemini-2.0-flash",
) -> list[ModelResponse]:
    with ReplayServer(load_case("gemini", case)) as server:
        model = model_for(server, name)

        async def main() -> list[ModelResponse]:
            return [await model.request(t, settings, params or ModelRequestParameters()) for t in turns]

        responses = asyncio.run(main())
        check_bodies(server)
    return responses


def stream_case(case: str, messages: list[ModelMessage], params: ModelRequestParameters | None = None,
                settings: GeminiModelSettings | None = None, name: str = "gemini-2.0-flash") -> tuple[list[Any], ModelResponse]:  # fmt: skip
    with ReplayServer(load_case("gemini", case)) as server:
        model = model_for(server, name)

        async def main() -> tuple[list[Any], ModelResponse]:
            events = []
            async with model.request_stream(messages, settings, params or ModelRequestParameters()) as stream:
                async for event in stream:
                    events.append(event)
            return events, stream.get()

        result = asyncio.run(main())
        check_bodies(server)
    return result


def test_plain_text_with_system_instruction_and_generation_config() -> None:
    messages: list[ModelMessage] = [
        ModelRequest(
            [SystemPromptPart("Answer in one word."), UserPromptPart("What is the capital of France?")]
        )
    ]
    settings: GeminiModelSettings = {
        "max_tokens": 64, "temperature": 0.2, "top_p": 0.9, "top_k": 40, "seed": 7, "stop_sequences": ["\n\n"],
        "parallel_tool_calls": True,  # no Gemini field: silently not sent
    }  # fmt: skip
    [response] = run_case("text", [messages], settings=settings)
    assert response.parts == [TextPart("Paris")]
    assert response.usage == RequestUsage(
        input_tokens=12, output_tokens=1, details={"text_prompt_tokens": 12, "text_candidates_tokens": 1}
    )
    assert response.finish_reason == "stop"
    assert response.provider_response_id == "resp-text"
    assert response.model_name == "gemini-2.0-flash"
    assert response.provider_name == "google-gla"
    assert response.provider_details == {"finish_reason": "STOP"}


def test_parallel_function_calls_and_their_responses_in_one_user_turn() -> None:
    params = ModelRequestParameters(function_tools=[WEATHER])
    first: list[ModelMessage] = [ModelRequest([UserPromptPart("Weather in Paris and London?")])]
    with ReplayServer(load_case("gemini", "tool_calls")) as server:
        model = model_for(server)

        async def main() -> tuple[ModelResponse, ModelResponse]:
            r1 = await model.request(first, None, params)
            history: list[ModelMessage] = [
                *first,
                r1,
                ModelRequest(
                    [
                        ToolReturnPart(
                            "get_weather", {"temp_c": 21, "sky": "sunny"}, tool_call_id="call-paris"
                        ),
                        ToolReturnPart("get_weather", "rain", tool_call_id="call-london"),
                    ]
                ),
            ]
            return r1, await model.request(history, None, params)

        r1, r2 = asyncio.run(main())
        check_bodies(server)
    assert r1.parts == [
        ToolCallPart("get_weather", {"city": "Paris"}, tool_call_id="call-paris"),
        ToolCallPart("get_weather", {"city": "London"}, tool_call_id="call-london"),
    ]
    assert r1.usage == RequestUsage(input_tokens=30, output_tokens=10)
    assert r2.text == "Paris is sunny at 21°C; London has rain."


def test_tool_retry_is_a_function_response_with_call_error_and_plain_feedback_is_text() -> None:
    call = ToolCallPart("get_weather", {"town": "Paris"})  # Gemini sent no id: ours is not echoed
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart("Weather?")]),
        ModelResponse([call], provider_name="google-gla"),
        ModelRequest(
            [
                RetryPromptPart("city is required", tool_name="get_weather", tool_call_id=call.tool_call_id),
                RetryPromptPart("answer in French"),
            ]
        ),
    ]
    [response] = run_case("retry", [messages], ModelRequestParameters(function_tools=[WEATHER]))
    [part] = response.parts
    assert isinstance(part, ToolCallPart) and part.args == {"city": "Paris"}
    assert part.tool_call_id.startswith("pyd_ai_")


def test_structured_output_in_tool_mode_forces_the_output_tool() -> None:
    output_tool = ToolDefinition(
        "final_result",
        {
            "type": "object",
            "title": "Person",
            "properties": {
                "name": {"type": "string", "title": "Name"},
                "age": {"type": "integer", "title": "Age"},
            },
            "required": ["name", "age"],
        },
        "The final response which ends this conversation",
        kind="output",
    )
    params = ModelRequestParameters(output_mode="tool", output_tools=[output_tool], allow_text_output=False)
    [response] = run_case(
        "structured_tool", [[ModelRequest([UserPromptPart("Extract: Ana is 31.")])]], params
    )
    assert response.tool_calls[0].tool_name == "final_result"
    assert response.tool_calls[0].args_as_dict() == {"name": "Ana", "age": 31}


class Address(BaseModel):
    city: str
    zip: str


class User(BaseModel):
    name: str
    nickname: str | None = None
    role: str
    address: Address
    tags: list[str]


def user_schema() -> dict[str, Any]:
    schema = User.model_json_schema()
    schema["properties"]["role"] = {"enum": ["admin", "user"], "title": "Role", "type": "string"}
    return schema


def test_structured_output_in_native_mode_sends_a_converted_response_schema() -> None:
    params = ModelRequestParameters(
        output_mode="native", output_object=OutputObjectDefinition(user_schema(), "User")
    )
    [response] = run_case("structured_native", [[ModelRequest([UserPromptPart("Make a user.")])]], params)
    assert User.model_validate_json(response.text or "").address.city == "Lyon"


def test_native_output_with_function_tools_is_a_user_error_before_gemini_3() -> None:
    model = GeminiModel("gemini-2.0-flash", api_key="k")
    params = ModelRequestParameters(
        function_tools=[WEATHER], output_mode="native", output_object=OutputObjectDefinition(user_schema())
    )
    with pytest.raises(UserError, match="NativeOutput"):
        model.build_request([ModelRequest([UserPromptPart("x")])], None, params)
    ok = GeminiModel("gemini-3-pro-preview", api_key="k").build_request(
        [ModelRequest([UserPromptPart("x")])], None, params
    )
    assert ok.body["generationConfig"]["responseMimeType"] == "application/json"


def test_images_and_pdfs_inline_and_by_uri() -> None:
    content = [
        "Describe these.",
        BinaryContent(b"\x89PNG\r\n\x1a\n", media_type="image/png"),
        BinaryContent(b"%PDF-1.4\n", media_type="application/pdf"),
        ImageUrl("https://generativelanguage.googleapis.com/v1beta/files/abc123"),
        DocumentUrl("gs://bucket/report.pdf"),
        VideoUrl("https://www.youtube.com/watch?v=9hE5-98ZeCg"),
    ]
    [response] = run_case("multimodal", [[ModelRequest([UserPromptPart(content)])]])
    assert response.usage.details == {
        "text_prompt_tokens": 200,
        "image_prompt_tokens": 516,
        "document_prompt_tokens": 484,
    }


def test_force_download_url_is_a_user_error_naming_binary_content() -> None:
    model = GeminiModel("gemini-2.0-flash", api_key="k")
    with pytest.raises(UserError, match="BinaryContent"):
        model.build_request(
            [ModelRequest([UserPromptPart([ImageUrl("https://x/y.png", force_download=True)])])],
            None,
            ModelRequestParameters(),
        )


def test_thinking_parts_and_signatures_round_trip_through_history() -> None:
    settings: GeminiModelSettings = {
        "gemini_thinking_config": {"include_thoughts": True, "thinking_budget": 1024}
    }
    params = ModelRequestParameters(function_tools=[WEATHER])
    first: list[ModelMessage] = [ModelRequest([UserPromptPart("Weather in Paris?")])]
    with ReplayServer(load_case("gemini", "thinking")) as server:
        model = model_for(server, "gemini-2.5-flash")

        async def main() -> tuple[ModelResponse, ModelResponse]:
            r1 = await model.request(first, settings, params)
            call = r1.tool_calls[0]
            history: list[ModelMessage] = [
                *first,
                r1,
                ModelRequest([ToolReturnPart("get_weather", "sunny", tool_call_id=call.tool_call_id)]),
            ]
            return r1, await model.request(history, settings, params)

        r1, r2 = asyncio.run(main())
        check_bodies(server)
    thinking, call = r1.parts
    assert thinking == ThinkingPart(
        "**Checking the weather**\nI should call get_weather.",
        signature="Q2lRQjRHa2F0aG91Z2h0MQ==",
        provider_name="google-gla",
    )
    assert isinstance(call, ToolCallPart)
    assert call.provider_details == {"thought_signature": "Q2lRQjRHa2Z1bmNjYWxsMg=="}
    assert r1.usage == RequestUsage(
        input_tokens=50, output_tokens=130, cache_read_tokens=32, details={"reasoning_tokens": 120}
    )
    assert r2.text == "It is sunny in Paris."


def test_foreign_history_gets_the_skip_signature_sentinel_and_drops_foreign_thinking() -> None:
    model = GeminiModel("gemini-3-pro-preview", api_key="k")
    history: list[ModelMessage] = [
        ModelRequest([UserPromptPart("hi")]),
        ModelResponse(
            [
                ThinkingPart("claude thoughts", signature="abc", provider_name="anthropic"),
                ToolCallPart("f", {"a": 1}, "toolu_1"),
            ],
            provider_name="anthropic",
        ),
        ModelRequest([ToolReturnPart("f", 1, tool_call_id="toolu_1")]),
    ]
    body = model.build_request(history, None, ModelRequestParameters()).body
    assert body["contents"][1] == {
        "role": "model",
        "parts": [
            {
                "functionCall": {"id": "toolu_1", "name": "f", "args": {"a": 1}},
                "thoughtSignature": "c2tpcF90aG91Z2h0X3NpZ25hdHVyZV92YWxpZGF0b3I=",
            }
        ],
    }
    assert_protocol_valid("gemini", body)
    assert_spec_valid("gemini", body)


@pytest.mark.parametrize(
    ("case", "details"),
    [
        ("safety_block", {"block_reason": "SAFETY",
                          "safety_ratings": [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH"}]}),
        ("safety_finish", {"finish_reason": "SAFETY", "safety_ratings": [
            {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True}]}),
    ],
)  # fmt: skip
def test_safety_blocks_are_returned_as_content_filtered_responses(case: str, details: dict[str, Any]) -> None:
    settings: GeminiModelSettings = {
        "gemini_safety_settings": [
            {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_LOW_AND_ABOVE"}
        ]
    }
    [response] = run_case(
        case, [[ModelRequest([UserPromptPart("Say something terrible.")])]], settings=settings
    )
    assert response.parts == []
    assert response.finish_reason == "content_filter"
    assert response.provider_details == details
    assert response.usage == RequestUsage(input_tokens=6)
    assert response.provider_name == "google-gla"


def test_empty_candidates_raise_unexpected_model_behavior() -> None:
    with pytest.raises(UnexpectedModelBehavior, match="no candidates"):
        run_case("empty_candidates", [[ModelRequest([UserPromptPart("Hello")])]])


def test_http_error_bodies_keep_googles_status() -> None:
    with ReplayServer(load_case("gemini", "errors")) as server:
        model = model_for(server)

        async def one() -> ModelHTTPError:
            with pytest.raises(ModelHTTPError) as info:
                await model.request([ModelRequest([UserPromptPart("Hello")])], None, ModelRequestParameters())
            return info.value

        errors = [asyncio.run(one()) for _ in range(4)]
        check_bodies(server)
    assert [e.status_code for e in errors] == [400, 403, 429, 500]
    assert [e.body["error"]["status"] for e in errors] == [  # type: ignore[index]
        "INVALID_ARGUMENT",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "INTERNAL",
    ]


def test_stream_text_accumulates_slices_and_reads_usage_from_the_last_chunk() -> None:
    events, response = stream_case("stream_text", [ModelRequest([UserPromptPart("Tell me a story.")])])
    assert response.parts == [TextPart("Once upon a time, a fox found a café ☕.")]
    assert isinstance(events[0], PartStartEvent)
    assert len(events) == 4
    assert events[-1] == PartEndEvent(0, TextPart("Once upon a time, a fox found a café ☕."))
    assert response.usage == RequestUsage(input_tokens=6, output_tokens=12, details={"text_prompt_tokens": 6})
    assert response.finish_reason == "stop"
    assert response.provider_response_id == "resp-stream"


def test_stream_thoughts_text_and_whole_function_calls() -> None:
    settings: GeminiModelSettings = {"google_thinking_config": {"includeThoughts": True}}
    _, response = stream_case(
        "stream_tools",
        [ModelRequest([UserPromptPart("Weather in Paris and London?")])],
        ModelRequestParameters(function_tools=[WEATHER]),
        settings,
        "gemini-2.5-flash",
    )
    thinking, text, paris, london = response.parts
    assert thinking == ThinkingPart(
        "**Planning**\nTwo cities, two calls.",
        signature="Q2lRQjRHa2F0aG91Z2h0MQ==",
        provider_name="google-gla",
    )
    assert text == TextPart("Checking both.")
    assert isinstance(paris, ToolCallPart) and isinstance(london, ToolCallPart)
    assert (paris.args, london.args) == ({"city": "Paris"}, {"city": "London"})
    assert paris.provider_details == {"thought_signature": "Q2lRQjRHa2Z1bmNjYWxsMg=="}
    assert paris.tool_call_id != london.tool_call_id
    assert response.usage == RequestUsage(input_tokens=40, output_tokens=84, details={"reasoning_tokens": 64})
    assert response.model_name == "gemini-2.5-flash"


def test_error_inside_the_stream_is_a_model_http_error_with_googles_body() -> None:
    with pytest.raises(ModelHTTPError) as info:
        stream_case("stream_error", [ModelRequest([UserPromptPart("Tell me a story.")])])
    assert info.value.status_code == 503
    assert info.value.body == {
        "error": {
            "code": 503,
            "message": "The model is overloaded. Please try again later.",
            "status": "UNAVAILABLE",
        }
    }


def test_blocked_prompt_inside_the_stream_is_returned_as_a_content_filtered_response() -> None:
    events, response = stream_case("stream_safety", [ModelRequest([UserPromptPart("Tell me a story.")])])
    assert (events, response.parts, response.finish_reason) == ([], [], "content_filter")
    assert response.provider_details == {"block_reason": "PROHIBITED_CONTENT"}
    assert response.usage == RequestUsage(input_tokens=6)


def test_constructors_from_the_seed_docs(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from wireai.models import infer_model

    monkeypatch.setenv("GEMINI_API_KEY", "env-key")
    model = infer_model("google-gla:gemini-2.0-flash")
    assert isinstance(model, GeminiModel) and model.system == "google-gla"
    assert model.provider.headers == {"x-goog-api-key": "env-key"}
    assert GoogleModel is GeminiModel
    client = httpx.AsyncClient(timeout=30)
    custom = GeminiModel(
        "gemini-2.0-flash", provider=GoogleGLAProvider(api_key="your-api-key", http_client=client)
    )
    assert custom.provider.client is client
    assert "your-api-key" not in repr(custom.provider)
    direct = GeminiModel("gemini-2.0-flash", api_key="k2", base_url="http://127.0.0.1:9/v1beta")
    wire = direct.build_request([ModelRequest([UserPromptPart("x")])], None, ModelRequestParameters())
    assert direct.provider.endpoint(wire.path, direct.model_name).url == (
        "http://127.0.0.1:9/v1beta/models/gemini-2.0-flash:generateContent"
    )
    monkeypatch.delenv("GEMINI_API_KEY")
    monkeypatch.setenv("GOOGLE_API_KEY", "g-key")
    assert GoogleGLAProvider().headers == {"x-goog-api-key": "g-key"}
    monkeypatch.delenv("GOOGLE_API_KEY")
    with pytest.raises(UserError, match="GEMINI_API_KEY"):
        GoogleGLAProvider()
    from wireai.models.google import GoogleModel as V2GoogleModel

    assert V2GoogleModel is GeminiModel


def test_labels_are_vertex_only() -> None:
    model = GeminiModel("gemini-2.0-flash", api_key="k")
    with pytest.raises(UserError, match="Vertex"):
        model.build_request(
            [ModelRequest([UserPromptPart("x")])], {"gemini_labels": {"a": "b"}}, ModelRequestParameters()
        )
