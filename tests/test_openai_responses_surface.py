"""OpenAI Responses model surface over loopback replay: token counting (`POST responses/input_tokens`),
prompt caching settings and cache usage (also on Chat Completions), the portable `thinking` and
`service_tier` settings, multimodal tool results, content-filtered responses returned (not raised),
and `previous_response_id` leaving the server's own items out of the input."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from support import assert_protocol_valid, assert_spec_valid
from test_openai_responses_replay import WEATHER, model_for
from wireai.codecs import openai_chat, openai_responses
from wireai.exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError
from wireai.messages import (
    BinaryContent,
    BinaryImage,
    CachePoint,
    FilePart,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters
from wireai.models.openai import OpenAIChatModel, OpenAIResponsesModel
from wireai.native_tools import WebSearchTool
from wireai.providers.openai import openai_model_profile
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage


def replay(
    case: str, name: str, messages: list[ModelMessage], settings: Any = None, params: Any = None
) -> ModelResponse:
    with ReplayServer(load_case("openai_responses", case)) as server:
        response = asyncio.run(
            model_for(server, name).request(messages, settings, params or ModelRequestParameters())
        )
        server.assert_requests_match()
        for request in server.requests:
            assert_protocol_valid("openai_responses", request.json())
            assert_spec_valid("openai", request.json(), "responses")
    return response


def body_of(
    name: str, messages: list[ModelMessage], settings: Any = None, params: Any = None
) -> dict[str, Any]:
    model = OpenAIResponsesModel(name, api_key="k")
    body = model.build_request(messages, settings, params or ModelRequestParameters()).body
    assert body is not None
    assert_protocol_valid("openai_responses", body)
    assert_spec_valid("openai", body, "responses")
    return body


def user(text: str, instructions: str | None = None) -> ModelRequest:
    return ModelRequest([UserPromptPart(text)], instructions=instructions)


# ------------------------------------------------------------------------------------- token counting


def test_count_tokens_sends_what_the_request_would_and_reads_the_count() -> None:
    settings = {"thinking": "low", "max_tokens": 100, "temperature": 0.2, "openai_store": False}
    params = ModelRequestParameters(function_tools=[WEATHER], native_tools=[WebSearchTool()])
    with ReplayServer(load_case("openai_responses", "count_tokens")) as server:
        usage = asyncio.run(
            model_for(server, "gpt-5").count_tokens(
                [user("Weather in Paris?", "Be concise.")], settings, params
            )
        )
        server.assert_requests_match()
        assert_spec_valid("openai", server.requests[0].json(), "input_tokens")
    assert usage == RequestUsage(input_tokens=123)


def test_count_tokens_answers_that_are_not_a_count() -> None:
    with pytest.raises(UnexpectedModelBehavior, match="input_tokens"):
        openai_responses.parse_count_tokens_response(b'{"object": "response.input_tokens"}', model_name="m")
    with pytest.raises(ModelHTTPError) as info:
        openai_responses.parse_count_tokens_response(
            b'{"error": {"message": "Rate limit", "type": "requests", "code": "rate_limit_exceeded"}}',
            model_name="m",
        )
    assert info.value.status_code == 429


# ------------------------------------------------------------------------------------- prompt caching


def test_prompt_cache_settings_and_cache_reads_and_writes() -> None:
    settings = {"openai_prompt_cache_key": "acme-support-v3", "openai_prompt_cache_retention": "24h"}
    prompt = UserPromptPart(["Acme's 40-page manual...", CachePoint(ttl="1h"), "How do I reset my router?"])
    response = replay(
        "prompt_cache",
        "gpt-4.1",
        [ModelRequest([prompt], instructions="You are a support agent for Acme.")],
        settings,
    )
    assert response.usage == RequestUsage(
        input_tokens=12000, output_tokens=12, cache_read_tokens=9984, cache_write_tokens=1920
    )


def test_chat_completions_takes_the_same_prompt_cache_settings() -> None:
    settings = {"openai_prompt_cache_key": "acme-support-v3", "openai_prompt_cache_retention": "in_memory"}
    body = (
        OpenAIChatModel("gpt-4.1", api_key="k")
        .build_request([user("hi")], settings, ModelRequestParameters())
        .body
    )
    assert body is not None
    assert (body["prompt_cache_key"], body["prompt_cache_retention"]) == ("acme-support-v3", "in_memory")
    assert_protocol_valid("openai_chat", body)
    assert_spec_valid("openai", body)


# ------------------------------------------------------------------------------------- portable settings


def test_portable_thinking_and_service_tier_on_the_wire() -> None:
    response = replay(
        "portable_settings",
        "o3",
        [user("Prove there are infinitely many primes.")],
        {"thinking": True, "service_tier": "flex"},
    )
    assert response.usage.details == {"reasoning_tokens": 850}


@pytest.mark.parametrize(
    ("model", "settings", "expected"),
    [
        ("gpt-5", {"thinking": "minimal"}, {"effort": "minimal"}),
        ("gpt-5", {"thinking": True}, {"effort": "medium"}),
        ("gpt-5.1", {"thinking": False}, {"effort": "none"}),
        ("gpt-4o", {"thinking": False}, None),  # does not reason: nothing to switch off
        ("gpt-5.2", {"thinking": "xhigh"}, {"effort": "xhigh"}),  # not in the profile: sent as given
        ("gpt-5", {"thinking": "high", "openai_reasoning_effort": "low"}, {"effort": "low"}),  # prefixed wins
        (
            "o3",
            {"thinking": "high", "openai_reasoning_summary": "auto"},
            {"effort": "high", "summary": "auto"},
        ),
    ],
)
def test_thinking_maps_to_reasoning_effort(model: str, settings: dict[str, Any], expected: Any) -> None:
    assert body_of(model, [user("q")], settings).get("reasoning") == expected


@pytest.mark.parametrize(
    ("model", "thinking", "message"),
    [
        ("gpt-4o", True, "gpt-4o does not reason"),
        ("gpt-4.1-mini", "high", "gpt-4.1-mini does not reason"),
        ("o3", "minimal", "o3 takes reasoning effort low, medium, high, not thinking='minimal'"),
        ("gpt-5.1", "xhigh", "gpt-5.1 takes reasoning effort low, medium, high, not thinking='xhigh'"),
        ("o3", False, "o3 cannot switch its reasoning off"),  # as on Chat Completions
    ],
)
def test_a_thinking_level_the_profile_knows_the_model_lacks_is_a_user_error(
    model: str, thinking: Any, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        body_of(model, [user("q")], {"thinking": thinking})


def test_service_tier_prefixed_wins_and_profiles_list_efforts() -> None:
    body = body_of("gpt-4o", [user("q")], {"service_tier": "priority", "openai_service_tier": "default"})
    assert body["service_tier"] == "default"
    assert body_of("gpt-4o", [user("q")], {"service_tier": "priority"})["service_tier"] == "priority"
    assert openai_model_profile("gpt-5-mini-2025-08-07").extra["openai_reasoning_efforts"] == (
        "minimal",
        "low",
        "medium",
        "high",
    )
    assert "openai_reasoning_efforts" not in openai_model_profile("my-azure-deployment").extra


# ------------------------------------------------------------------------------------- rich tool returns

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDRq3-chart"
CHART = ToolDefinition(
    "make_chart",
    {
        "type": "object",
        "properties": {"quarter": {"type": "string"}},
        "required": ["quarter"],
        "additionalProperties": False,
    },
    "Chart a quarter's sales.",
    strict=True,
)


def test_tool_returned_files_are_function_call_output_content_items() -> None:
    returned = [
        "Chart of Q3 sales:",
        BinaryImage(PNG, "image/png", identifier="q3.png"),
        BinaryContent(b"%PDF-1.4\nq3", "application/pdf", identifier="q3.pdf"),
        ImageUrl("https://example.com/logo.png", vendor_metadata={"detail": "high"}),
        CachePoint(),
    ]
    history: list[ModelMessage] = [
        user("Chart the Q3 sales."),
        ModelResponse(
            [ToolCallPart("make_chart", '{"quarter":"Q3"}', tool_call_id="call_chart", id="fc_chart")]
        ),
        ModelRequest([ToolReturnPart("make_chart", returned, tool_call_id="call_chart")]),
    ]
    response = replay(
        "tool_return_files", "gpt-4.1", history, None, ModelRequestParameters(function_tools=[CHART])
    )
    assert response.text == "Q3 sales rose 12%; the chart shows it."


def test_a_plain_tool_result_stays_a_string() -> None:
    body = body_of("gpt-4.1", [ModelRequest([ToolReturnPart("t", {"temp_c": 21}, tool_call_id="call_1")])])
    assert body["input"] == [
        {"type": "function_call_output", "call_id": "call_1", "output": '{"temp_c": 21}'}
    ]


# ------------------------------------------------------------------------------------- content filter


def test_content_filtered_response_is_returned_not_raised() -> None:
    response = replay("content_filter", "gpt-4o", [user("Describe the forbidden thing in detail.")])
    assert response.parts == []
    assert response.finish_reason == "content_filter"
    assert response.provider_details == {"status": "incomplete", "incomplete_reason": "content_filter"}


def test_stream_stopped_by_the_content_filter_keeps_what_came() -> None:
    with ReplayServer(load_case("openai_responses", "stream_content_filter")) as server:

        async def main() -> ModelResponse:
            async with model_for(server, "gpt-4o").request_stream(
                [user("Describe the forbidden thing in detail.")], None, ModelRequestParameters()
            ) as stream:
                async for _ in stream:
                    pass
            return stream.get()

        response = asyncio.run(main())
        server.assert_requests_match()
    assert response.parts == [TextPart("The forbidden thing is", id="msg_cf")]
    assert response.finish_reason == "content_filter"
    assert response.provider_details == {"status": "incomplete", "incomplete_reason": "content_filter"}


# ------------------------------------------------------------------------------------- previous_response_id

NATIVE_TURN = ModelResponse(
    [
        ThinkingPart("", id="rs_1", signature="enc", provider_name="openai"),
        NativeToolCallPart(
            "web_search",
            {"type": "search", "query": "q"},
            "ws_1",
            provider_name="openai",
            provider_details={"item_type": "web_search_call"},
        ),
        NativeToolReturnPart("web_search", {"status": "completed"}, "ws_1", provider_name="openai"),
        TextPart("answer", id="msg_1"),
    ],
    provider_name="openai",
    provider_response_id="resp_1",
)


@pytest.mark.parametrize("previous", ["auto", "resp_1"])
def test_previous_response_id_leaves_the_servers_items_out(previous: str) -> None:
    history: list[ModelMessage] = [user("q"), NATIVE_TURN, user("next")]
    body = body_of("gpt-4.1", history, {"openai_previous_response_id": previous})
    assert body["previous_response_id"] == "resp_1"
    assert body["input"] == [{"role": "user", "content": "next"}]


def test_without_previous_response_id_reasoning_and_native_items_go_back_in_order() -> None:
    body = body_of("gpt-4.1", [user("q"), NATIVE_TURN, user("next")])
    assert [item.get("type", item.get("role")) for item in body["input"]] == [
        "user",
        "reasoning",
        "web_search_call",
        "assistant",
        "user",
    ]
    assert body["input"][2] == {
        "type": "web_search_call",
        "id": "ws_1",
        "status": "completed",
        "action": {"type": "search", "query": "q"},
    }


def test_a_file_part_of_another_vendor_stays_behind() -> None:
    history: list[ModelMessage] = [
        user("draw"),
        ModelResponse(
            [FilePart(BinaryImage(PNG, "image/png")), TextPart("done")], provider_name="google-gla"
        ),
        user("again"),
    ]
    assert body_of("gpt-4.1", history)["input"] == [
        {"role": "user", "content": "draw"},
        {"role": "assistant", "content": "done"},
        {"role": "user", "content": "again"},
    ]


def test_openai_chat_codec_keeps_its_settings_table() -> None:
    assert openai_chat.OPENAI_SETTINGS["openai_prompt_cache_key"] == "prompt_cache_key"
    assert openai_chat.OPENAI_SETTINGS["openai_prompt_cache_retention"] == "prompt_cache_retention"
