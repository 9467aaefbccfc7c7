"""OpenAI Responses API over real loopback HTTP, replaying `wireai/fixtures/openai_responses/`:
input items out, output items (message, function_call, reasoning) and the `response.*` stream back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from support import assert_protocol_valid, assert_spec_valid
from wireai.exceptions import ModelHTTPError, UnexpectedModelBehavior
from wireai.messages import (
    BinaryContent,
    CompactionPart,
    DocumentUrl,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
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
from wireai.models.openai import OpenAIResponsesModel
from wireai.providers.openai import OpenAIProvider
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
    strict=True,
)
CITY = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
    "required": ["city", "country"],
    "additionalProperties": False,
}


def model_for(server: ReplayServer, name: str = "gpt-4o") -> OpenAIResponsesModel:
    provider = OpenAIProvider(api_key="test-key", base_url=server.url + "/v1")
    provider.max_retries = 0
    return OpenAIResponsesModel(name, provider=provider)


def check_bodies(server: ReplayServer) -> None:
    server.assert_requests_match()
    for request in server.requests:
        assert_protocol_valid("openai_responses", request.json())
        assert_spec_valid("openai", request.json(), "responses")


def user(text: str, instructions: str | None = None) -> ModelRequest:
    return ModelRequest([UserPromptPart(text)], instructions=instructions)


async def request(
    model: OpenAIResponsesModel,
    messages: list[ModelMessage],
    params: ModelRequestParameters | None = None,
    settings: Any = None,
) -> ModelResponse:
    return await model.request(messages, settings, params or ModelRequestParameters())


async def stream(
    model: OpenAIResponsesModel, messages: list[ModelMessage], params: ModelRequestParameters | None = None
) -> tuple[list[Any], ModelResponse]:
    events = []
    async with model.request_stream(messages, None, params or ModelRequestParameters()) as response:
        async for event in response:
            events.append(event)
    return events, response.get()


def test_text_with_instructions_and_cached_tokens() -> None:
    with ReplayServer(load_case("openai_responses", "text")) as server:
        response = asyncio.run(
            request(
                model_for(server),
                [user("What is the capital of France?", "Be concise.")],
                None,
                {"max_tokens": 100},
            )
        )
        check_bodies(server)
    assert response.parts == [TextPart("Paris.", id="msg_67ccd2bf17f0")]
    assert response.usage == RequestUsage(input_tokens=2000, output_tokens=2, cache_read_tokens=1536)
    assert response.finish_reason == "stop"
    assert response.provider_response_id == "resp_67ccd2bed1ec8190"
    assert response.model_name == "gpt-4o-2024-08-06"


def test_parallel_function_calls_and_outputs_multi_turn() -> None:
    params = ModelRequestParameters(function_tools=[WEATHER])
    with ReplayServer(load_case("openai_responses", "tool_call_multi_turn")) as server:
        model = model_for(server)
        messages: list[ModelMessage] = [user("Weather in Paris and London?")]
        first = asyncio.run(request(model, messages, params))
        assert first.parts == [
            ToolCallPart("get_weather", '{"city":"Paris"}', tool_call_id="call_1", id="fc_1"),
            ToolCallPart("get_weather", '{"city":"London"}', tool_call_id="call_2", id="fc_2"),
        ]
        assert first.finish_reason == "tool_call"
        messages += [
            first,
            ModelRequest(
                [
                    ToolReturnPart("get_weather", "sunny", "call_1"),
                    ToolReturnPart("get_weather", "rainy", "call_2"),
                ]
            ),
        ]
        second = asyncio.run(request(model, messages, params))
        check_bodies(server)
    assert second.text == "Paris is sunny, London is rainy."


def test_native_output_uses_text_format() -> None:
    params = ModelRequestParameters(
        output_mode="native", output_object=OutputObjectDefinition(CITY, name="CityLocation", strict=True)
    )
    with ReplayServer(load_case("openai_responses", "native_output")) as server:
        response = asyncio.run(
            request(model_for(server), [user("Where were the olympics held in 2012?")], params)
        )
        check_bodies(server)
    assert response.text == '{"city":"London","country":"United Kingdom"}'


def test_reasoning_summaries_and_encrypted_content_with_image_and_pdf_input() -> None:
    content = [
        "What is in this image?",
        ImageUrl("https://example.com/cat.png"),
        BinaryContent(b"%PDF-1.4\n", "application/pdf", identifier="report.pdf"),
    ]
    settings = {
        "openai_reasoning_effort": "high",
        "openai_reasoning_summary": "auto",
        "openai_store": False,
        "openai_include": ["reasoning.encrypted_content"],
    }
    with ReplayServer(load_case("openai_responses", "reasoning")) as server:
        response = asyncio.run(
            request(model_for(server, "o3"), [ModelRequest([UserPromptPart(content)])], None, settings)
        )
        check_bodies(server)
    assert response.parts == [
        ThinkingPart(
            "Looking at the image.\n\nIt is a cat.", id="rs_1", signature="gAAAAB-enc", provider_name="openai"
        ),
        TextPart("A cat, and a report.", id="msg_67ccd2bf17f0"),
    ]
    assert response.usage == RequestUsage(
        input_tokens=900, output_tokens=300, details={"reasoning_tokens": 256}
    )


def test_reasoning_item_goes_back_as_input() -> None:
    history: list[ModelMessage] = [
        user("q"),
        ModelResponse([ThinkingPart("why", id="rs_1", signature="enc"), TextPart("a", id="msg_1")]),
        user("q2"),
    ]
    model = OpenAIResponsesModel("o3", api_key="k")
    body = model.build_request(history, None, ModelRequestParameters()).body
    assert body["input"] == [
        {"role": "user", "content": "q"},
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "why"}],
            "encrypted_content": "enc",
        },
        {"role": "assistant", "content": "a"},
        {"role": "user", "content": "q2"},
    ]
    assert_protocol_valid("openai_responses", body)
    assert_spec_valid("openai", body, "responses")


COMPACTION_SETTINGS: Any = {
    "openai_context_management": [{"type": "compaction", "compact_threshold": 200000}]
}
COMPACTION_ITEM = CompactionPart(
    None,
    id="cmp_68f1c2a9e0b48190",
    provider_name="openai",
    provider_details={
        "encrypted_content": "gAAAAABpZ3Vtcm9vbS1jb21wYWN0aW9uLXN1bW1hcnktb2YtdGhlLWJpbGxpbmctbWlncmF0aW9uLXR1cm5zLTEtdG8tNDA=",
        "created_by": "system",
    },
)


@pytest.mark.parametrize(
    "case", ["compaction_item_dropped_from_history", "stream_compaction_item_dropped_from_history"]
)
def test_a_compaction_item_is_a_part_and_goes_back_as_input_json_and_stream(case: str) -> None:
    """`openai_context_management` is sent as `context_management`; the `compaction` item comes back
    as a CompactionPart and goes back as an input item with its own fields (the fixture pins the
    body, and it is checked against the Responses spec), so the API drops what it summarised."""
    streamed = case.startswith("stream")
    with ReplayServer(load_case("openai_responses", case)) as server:
        model = model_for(server, "gpt-5.2")
        messages: list[ModelMessage] = [user("Continue the migration plan.")]

        async def first() -> tuple[list[Any], ModelResponse]:
            if not streamed:
                return [], await request(model, messages, settings=COMPACTION_SETTINGS)
            async with model.request_stream(
                messages, COMPACTION_SETTINGS, ModelRequestParameters()
            ) as response:
                return [e async for e in response], response.get()

        events, r1 = asyncio.run(first())
        assert r1.parts[0] == COMPACTION_ITEM
        assert r1.text == "Step 4: switch invoices to the ledger, one region at a time."
        if streamed:  # announced whole at the item's `.done`, before the message starts
            assert [(type(e).__name__, e.index) for e in events[:2]] == [
                ("PartStartEvent", 0),
                ("PartStartEvent", 1),
            ]
            assert events[0].part == COMPACTION_ITEM
        messages += [r1, user("What comes after step 4?")]
        r2 = asyncio.run(request(model, messages, settings=COMPACTION_SETTINGS))
        check_bodies(server)
    assert r2.text == "Step 5: turn off the dual writes and retire the old billing tables."


def test_only_openai_compaction_items_go_back() -> None:
    """Anthropic's summary (no `cmp_` item id) is left out of a Responses request."""
    history: list[ModelMessage] = [
        user("q"),
        ModelResponse([CompactionPart("summary", provider_name="anthropic"), COMPACTION_ITEM, TextPart("a")]),
    ]
    body = (
        OpenAIResponsesModel("gpt-5.2", api_key="k")
        .build_request(history, None, ModelRequestParameters())
        .body
    )
    assert body["input"][1:] == [
        {
            "type": "compaction",
            "id": COMPACTION_ITEM.id,
            "encrypted_content": COMPACTION_ITEM.provider_details["encrypted_content"],
        },
        {"role": "assistant", "content": "a"},
    ]
    assert_spec_valid("openai", body, "responses")


def test_incomplete_max_output_tokens_is_length() -> None:
    with ReplayServer(load_case("openai_responses", "incomplete")) as server:
        response = asyncio.run(
            request(model_for(server), [user("Write a long poem.")], None, {"max_tokens": 16})
        )
        check_bodies(server)
    assert response.finish_reason == "length"
    assert response.provider_details == {"status": "incomplete", "incomplete_reason": "max_output_tokens"}


def test_stream_reasoning_text_and_split_function_arguments() -> None:
    with ReplayServer(load_case("openai_responses", "stream_reasoning_text_tool")) as server:
        events, response = asyncio.run(
            stream(
                model_for(server),
                [user("Weather in Paris?")],
                ModelRequestParameters(function_tools=[WEATHER]),
            )
        )
        check_bodies(server)
    assert response.parts == [
        ThinkingPart("Need weather.", id="rs_s", provider_name="openai"),
        TextPart("Checking.", id="msg_s"),
        ToolCallPart("get_weather", '{"city":"Paris"}', tool_call_id="call_s", id="fc_s"),
    ]
    assert response.finish_reason == "tool_call"
    assert response.usage == RequestUsage(input_tokens=50, output_tokens=20, details={"reasoning_tokens": 12})
    assert response.provider_response_id == "resp_67ccd2bed1ec8190"
    assert [type(e.part).__name__ for e in events if isinstance(e, PartStartEvent)] == [
        "ThinkingPart",
        "TextPart",
        "ToolCallPart",
    ]


def test_stream_arguments_only_in_output_item_done() -> None:
    with ReplayServer(load_case("openai_responses", "stream_args_only_in_done")) as server:
        _, response = asyncio.run(
            stream(
                model_for(server),
                [user("Weather in Paris?")],
                ModelRequestParameters(function_tools=[WEATHER]),
            )
        )
    assert response.parts == [
        ToolCallPart("get_weather", '{"city":"Paris"}', tool_call_id="call_s", id="fc_s")
    ]


def test_stream_response_failed_raises_http_error() -> None:
    with ReplayServer(load_case("openai_responses", "stream_failed")) as server:
        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(stream(model_for(server), [user("Say hello")]))
    assert info.value.status_code == 500
    assert info.value.body["response"]["error"]["code"] == "server_error"  # type: ignore[index]


def test_stream_error_event_rate_limit_is_429() -> None:
    with ReplayServer(load_case("openai_responses", "stream_error_event")) as server:
        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(stream(model_for(server), [user("Say hello")]))
    assert info.value.status_code == 429


def test_stream_without_completed_is_truncated() -> None:
    with ReplayServer(load_case("openai_responses", "stream_truncated")) as server:
        with pytest.raises(UnexpectedModelBehavior, match="truncated"):
            asyncio.run(stream(model_for(server), [user("Say hello")]))


def test_http_400_error_body() -> None:
    case = load_case("openai_responses", "error_400")
    with ReplayServer(case) as server:
        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(request(model_for(server), [user("hi")], None, {"max_tokens": 1}))
        server.assert_requests_match()
    assert info.value.status_code == 400
    assert info.value.body == case.exchanges[0].response["json"]


def test_previous_response_id_auto_sends_only_the_new_messages() -> None:
    history: list[ModelMessage] = [
        user("Capital of France?", "Be concise."),
        ModelResponse(
            [TextPart("Paris.", id="msg_1")], provider_response_id="resp_1", provider_name="openai"
        ),
        user("And of Italy?", "Be concise."),
    ]
    settings = {"openai_previous_response_id": "auto", "openai_store": True}
    with ReplayServer(load_case("openai_responses", "previous_response_id")) as server:
        response = asyncio.run(request(model_for(server), history, None, settings))
        check_bodies(server)
    assert response.parts == [TextPart("Rome.", id="msg_2")]
    assert response.usage == RequestUsage(input_tokens=40, output_tokens=2, cache_read_tokens=32)


def test_previous_response_id_given_or_auto_without_a_stored_response() -> None:
    model = OpenAIResponsesModel("gpt-4o", api_key="k")
    history: list[ModelMessage] = [user("q"), ModelResponse([TextPart("a")]), user("q2")]
    auto = model.build_request(history, {"openai_previous_response_id": "auto"}, ModelRequestParameters())
    assert "previous_response_id" not in auto.body and len(auto.body["input"]) == 3
    given = model.build_request(history, {"openai_previous_response_id": "resp_x"}, ModelRequestParameters())
    assert given.body["previous_response_id"] == "resp_x" and len(given.body["input"]) == 3


def test_structured_output_tool_mode_requires_the_output_tool() -> None:
    final = ToolDefinition(
        "final_result", CITY, "The final response which ends this conversation", strict=True, kind="output"
    )
    params = ModelRequestParameters(output_mode="tool", output_tools=[final], allow_text_output=False)
    with ReplayServer(load_case("openai_responses", "tool_output")) as server:
        response = asyncio.run(
            request(model_for(server), [user("Where were the olympics held in 2012?")], params)
        )
        check_bodies(server)
    assert response.parts == [
        ToolCallPart(
            "final_result",
            '{"city":"London","country":"United Kingdom"}',
            tool_call_id="call_out",
            id="fc_out",
        )
    ]
    assert response.finish_reason == "tool_call"
    assert response.usage == RequestUsage(input_tokens=60, output_tokens=12)


def test_refusal_content_is_text_marked_as_refusal() -> None:
    with ReplayServer(load_case("openai_responses", "refusal")) as server:
        response = asyncio.run(request(model_for(server), [user("Help me pick a lock.")]))
        check_bodies(server)
    assert response.parts == [
        TextPart("I'm sorry, I can't help with that.", id="msg_r", provider_details={"refusal": True})
    ]
    assert response.finish_reason == "stop"


@pytest.mark.parametrize("status", [401, 404, 429, 500])
def test_http_error_bodies(status: int) -> None:
    case = load_case("openai_responses", f"error_{status}")
    with ReplayServer(case) as server:
        with pytest.raises(ModelHTTPError) as info:
            asyncio.run(request(model_for(server), [user("hi")], None, {"max_tokens": 16}))
        check_bodies(server)
    assert info.value.status_code == status
    assert info.value.body == case.exchanges[0].response["json"]
    assert info.value.model_name == "gpt-4o"


def test_input_items_for_system_document_url_and_retry_prompts() -> None:
    history: list[ModelMessage] = [
        ModelRequest(
            [
                SystemPromptPart("Be terse."),
                UserPromptPart(["Summarise.", DocumentUrl("https://example.com/report.pdf")]),
            ]
        ),
        ModelResponse([ToolCallPart("get_weather", "{}", tool_call_id="call_x", id="fc_x")]),
        ModelRequest([RetryPromptPart("city is required", tool_name="get_weather", tool_call_id="call_x")]),
        ModelResponse([TextPart("Sure.")]),
        ModelRequest([RetryPromptPart("answer with JSON")]),
    ]
    body = (
        OpenAIResponsesModel("gpt-4o", api_key="k")
        .build_request(history, None, ModelRequestParameters(function_tools=[WEATHER]))
        .body
    )
    retry_tool = history[2].parts[0]
    retry_user = history[4].parts[0]
    assert isinstance(retry_tool, RetryPromptPart) and isinstance(retry_user, RetryPromptPart)
    assert body["input"] == [
        {"role": "system", "content": "Be terse."},
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "Summarise."},
                {"type": "input_file", "file_url": "https://example.com/report.pdf"},
            ],
        },
        {
            "type": "function_call",
            "call_id": "call_x",
            "name": "get_weather",
            "arguments": "{}",
            "id": "fc_x",
        },
        {"type": "function_call_output", "call_id": "call_x", "output": retry_tool.model_response()},
        {"role": "assistant", "content": "Sure."},
        {"role": "user", "content": retry_user.model_response()},
    ]
    assert_protocol_valid("openai_responses", body)
    assert_spec_valid("openai", body, "responses")
