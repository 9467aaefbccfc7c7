"""codecs.anthropic without I/O: request options, response edge cases, stream state machine, inverse encoders."""

from __future__ import annotations

import json
from typing import Any

import pytest

from support import assert_protocol_valid, assert_spec_valid
from wireai.codecs import anthropic as codec
from wireai.exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError
from wireai.messages import (
    AudioUrl,
    BinaryContent,
    CachePoint,
    CompactionPart,
    DocumentUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    PartStartEvent,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters, OutputObjectDefinition
from wireai.models.anthropic import AnthropicModel, AnthropicModelSettings
from wireai.native_tools import (
    CodeExecutionTool,
    FileSearchTool,
    MCPServerTool,
    MemoryTool,
    WebFetchTool,
    WebSearchTool,
)
from wireai.testing.encoders import anthropic as encoders
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage

HELLO: list[ModelMessage] = [ModelRequest([UserPromptPart("Hello")])]
TOOL = ToolDefinition(
    "get_weather", {"type": "object", "properties": {"city": {"type": "string"}}}, "Weather."
)


def body_for(
    settings: AnthropicModelSettings | None = None,
    params: ModelRequestParameters | None = None,
    messages: list[ModelMessage] | None = None,
    name: str = "claude-sonnet-4-5",
    stream: bool = False,
) -> tuple[dict[str, Any], dict[str, str]]:
    model = AnthropicModel(name, api_key="k")
    request = model.build_request(
        messages or HELLO, settings, params or ModelRequestParameters(), stream=stream
    )
    assert (request.method, request.path, request.query) == ("POST", "v1/messages", {})
    assert model.provider.endpoint(request.path, name).url == "https://api.anthropic.com/v1/messages"
    assert request.body is not None
    assert_protocol_valid("anthropic", request.body)
    assert_spec_valid(
        "anthropic", request.body, "messages-beta" if "anthropic-beta" in request.headers else "messages"
    )
    return request.body, request.headers


PROTOCOL_HEADERS = {"content-type": "application/json", "anthropic-version": "2023-06-01"}


# ------------------------------------------------------------------------------------------- request


def test_settings_map_to_their_fields() -> None:
    body, headers = body_for(
        {
            "max_tokens": 100,
            "temperature": 0.5,
            "top_p": 0.9,
            "top_k": 40,
            "stop_sequences": ["END"],
            "anthropic_metadata": {"user_id": "u-1"},
            "anthropic_service_tier": "standard_only",
            "anthropic_effort": "low",
            "anthropic_cache": "1h",
            "seed": 3,  # not an Anthropic field: dropped
        },
        stream=True,
    )
    assert body == {
        "model": "claude-sonnet-4-5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}],
        "output_config": {"effort": "low"},
        "cache_control": {"type": "ephemeral", "ttl": "1h"},
        "temperature": 0.5,
        "top_p": 0.9,
        "top_k": 40,
        "stop_sequences": ["END"],
        "metadata": {"user_id": "u-1"},
        "service_tier": "standard_only",
        "stream": True,
    }
    assert headers == PROTOCOL_HEADERS


def test_the_codec_alone_merges_extra_body_and_headers_and_defaults_max_tokens_without_a_profile() -> None:
    request = codec.build_request(
        HELLO,
        ModelRequestParameters(),
        {"extra_body": {"top_k": 3, "max_tokens": 50}, "extra_headers": {"x-trace": "1"}},
        model="claude-x",
        stream=True,
    )
    assert (request.method, request.path, request.query) == ("POST", "v1/messages", {})
    assert request.body == {
        "model": "claude-x",
        "max_tokens": 50,  # extra_body is merged last, over the codec's own fields
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}],
        "stream": True,
        "top_k": 3,
    }
    assert request.headers == {**PROTOCOL_HEADERS, "x-trace": "1"}
    assert json.loads(request.content()) == request.body
    assert codec.build_request(HELLO, ModelRequestParameters(), model="c").body["max_tokens"] == 8192  # type: ignore[index]


def test_a_thinking_setting_that_is_neither_bool_nor_dict_is_a_user_error() -> None:
    with pytest.raises(UserError, match="anthropic_thinking"):
        codec.build_request(HELLO, ModelRequestParameters(), {"anthropic_thinking": "high"}, model="c")


def test_parallel_tool_calls_false_disables_parallel_tool_use() -> None:
    body, _ = body_for({"parallel_tool_calls": False}, ModelRequestParameters(function_tools=[TOOL]))
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    body, _ = body_for(
        {"parallel_tool_calls": False},
        ModelRequestParameters(output_tools=[TOOL], output_mode="tool", allow_text_output=False),
    )
    assert body["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}


def test_thinking_forces_tool_choice_auto_and_raises_max_tokens_above_budget() -> None:
    params = ModelRequestParameters(output_tools=[TOOL], output_mode="tool", allow_text_output=False)
    body, _ = body_for({"anthropic_thinking": {"type": "enabled", "budget_tokens": 10000}}, params)
    assert body["tool_choice"] == {"type": "auto"}
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 10000}
    assert body["max_tokens"] == 10000 + 8192


def test_thinking_true_is_adaptive_where_the_model_takes_it() -> None:
    assert body_for({"anthropic_thinking": True}, name="claude-opus-4-6")[0]["thinking"] == {
        "type": "adaptive"
    }
    assert body_for({"anthropic_thinking": True}, name="claude-sonnet-4-5")[0]["thinking"] == {
        "type": "enabled",
        "budget_tokens": 4096,
    }
    assert "thinking" not in body_for({"anthropic_thinking": False})[0]


def test_default_max_tokens_per_model() -> None:
    assert body_for(name="claude-3-opus-latest")[0]["max_tokens"] == 4096
    assert body_for(name="claude-3-5-haiku-latest")[0]["max_tokens"] == 8192
    assert body_for(name="claude-opus-4-1")[0]["max_tokens"] == 8192


def test_betas_from_settings_and_extra_headers_are_joined_once() -> None:
    _, headers = body_for(
        {
            "anthropic_betas": ["interleaved-thinking-2025-05-14", "context-1m-2025-08-07"],
            "extra_headers": {"anthropic-beta": "context-1m-2025-08-07,files-api-2025-04-14", "x-trace": "1"},
        }
    )
    assert headers == {
        **PROTOCOL_HEADERS,
        "x-trace": "1",
        "anthropic-beta": "interleaved-thinking-2025-05-14,context-1m-2025-08-07,files-api-2025-04-14",
    }


def test_prompted_output_adds_nothing_the_agent_puts_the_schema_in_instructions() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    body, _ = body_for(
        params=ModelRequestParameters(output_mode="prompted", output_object=OutputObjectDefinition(schema))
    )
    assert "system" not in body and "tools" not in body and "output_config" not in body


def test_same_role_turns_merge_and_empty_text_is_dropped() -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart("a")]),
        ModelRequest([UserPromptPart(""), UserPromptPart(["b", ""])]),
        ModelResponse([TextPart(""), ThinkingPart("foreign", signature="x", provider_name="openai")]),
        ModelResponse([TextPart("c"), ToolCallPart("t", '{"broken', tool_call_id="toolu_1")]),
    ]
    system, turns = codec.map_messages(messages)
    assert system == []
    assert turns == [
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "c"},
                {"type": "tool_use", "id": "toolu_1", "name": "t", "input": {}},
            ],
        },
    ]


def test_only_the_latest_instructions_are_sent() -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart("a")], instructions="old"),
        ModelResponse([TextPart("b")]),
        ModelRequest([UserPromptPart("c")], instructions="new"),
    ]
    assert codec.map_messages(messages)[0] == [{"type": "text", "text": "new"}]


@pytest.mark.parametrize(
    "item",
    [
        AudioUrl("https://x/a.mp3"),
        DocumentUrl("https://x/a.docx"),
        BinaryContent(b"x", "audio/wav"),
        BinaryContent(b"x", "image/tiff"),
    ],
)
def test_unsupported_content_is_a_user_error(item: Any) -> None:
    with pytest.raises(UserError):
        codec.map_messages([ModelRequest([UserPromptPart([item])])])


def test_cache_messages_skips_thinking_blocks() -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart("a")]),
        ModelResponse([TextPart("b"), ThinkingPart("t", signature="s", provider_name="anthropic")]),
    ]
    body, _ = body_for({"anthropic_cache_messages": True}, messages=messages)
    assert body["messages"][1]["content"] == [
        {"type": "text", "text": "b", "cache_control": {"type": "ephemeral"}},
        {"type": "thinking", "thinking": "t", "signature": "s"},
    ]


# ------------------------------------------------------------------------------------------- response


def test_text_citations_are_kept_and_server_blocks_read_as_native_parts() -> None:
    citation = {
        "type": "char_location",
        "cited_text": "x",
        "document_index": 0,
        "start_char_index": 0,
        "end_char_index": 1,
    }
    body = {
        "id": "msg_1",
        "type": "message",
        "model": "claude-x",
        "content": [
            {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}},
            {"type": "text", "text": "x", "citations": [citation]},
        ],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 1, "output_tokens": 2, "server_tool_use": {"web_search_requests": 1}},
    }
    response = codec.parse_response(body)
    call, part = response.parts
    assert vars(call) == vars(
        NativeToolCallPart(
            "web_search",
            {},
            tool_call_id="srvtoolu_1",
            provider_name="anthropic",
            provider_details={"type": "server_tool_use", "name": "web_search"},
        )
    )
    assert response.tool_calls == []  # the vendor ran it: never one for the agent
    assert isinstance(part, TextPart) and part.provider_details == {"citations": [citation]}
    assert response.usage.details == {"web_search_requests": 1}


def test_document_citations_go_back_without_the_answers_file_id() -> None:
    """An answer's document citation has `file_id` (null unless the document was a file); the
    request's citation has no such field, so it is left out when the text goes back."""
    cited = {"type": "char_location", "cited_text": "x", "document_index": 0, "document_title": None,
             "start_char_index": 0, "end_char_index": 1}  # fmt: skip
    answer = ModelResponse(
        [TextPart("x", provider_details={"citations": [{**cited, "file_id": None}]})],
        provider_name="anthropic",
    )
    request = codec.build_request(
        [ModelRequest([UserPromptPart("q")]), answer, ModelRequest([UserPromptPart("more")])],
        ModelRequestParameters(),
        model="claude-sonnet-4-5",
    )
    assert request.body["messages"][1]["content"] == [{"type": "text", "text": "x", "citations": [cited]}]
    assert_spec_valid("anthropic", request.body)


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"type": "message"},
        {"content": [1]},
        {"content": [{"type": "text"}]},
        {"content": [{"type": "tool_use", "name": "x"}]},
    ],
)
def test_malformed_messages_are_unexpected_model_behavior(body: Any) -> None:
    with pytest.raises(UnexpectedModelBehavior):
        codec.parse_response(body)


def test_an_error_object_in_a_200_body_is_a_model_http_error() -> None:
    with pytest.raises(ModelHTTPError) as info:
        codec.parse_response(
            {"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}}, model_name="m"
        )
    assert info.value.status_code == 429


# ------------------------------------------------------------------------------------------- stream


def sse(data: dict[str, Any], event: str | None = None) -> bytes:
    return f"event: {event or data['type']}\ndata: {json.dumps(data)}\n\n".encode()


def parse_stream(raw: bytes, *, model_name: str = "") -> ModelResponse:
    """A whole SSE body through a fresh parser, as a streamed request reads it."""
    parser = codec.StreamParser(model_name=model_name)
    parser.feed(raw)
    return parser.close()


def test_stream_without_message_stop_is_unexpected_and_keeps_what_arrived() -> None:
    parser = codec.StreamParser(model_name="m")
    parser.feed(sse({"type": "message_start", "message": {"id": "msg", "usage": {"input_tokens": 3}}}))
    parser.feed(
        sse({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    )
    parser.feed(
        sse({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hal"}})
    )
    with pytest.raises(UnexpectedModelBehavior, match="message_stop") as info:
        parser.close()
    kept = info.value.response
    assert kept is not None and kept.parts == [TextPart("Hal")]
    assert (kept.provider_response_id, kept.usage.input_tokens, kept.provider_name) == ("msg", 3, "anthropic")


def compaction_stream(*blocks: list[dict[str, Any]]) -> bytes:
    """A message whose blocks are each given as a start block followed by its deltas."""
    raw = sse(
        {"type": "message_start", "message": {"id": "msg", "content": [], "usage": {"input_tokens": 3}}}
    )
    for index, (start, *deltas) in enumerate(blocks):
        raw += sse({"type": "content_block_start", "index": index, "content_block": start})
        for delta in deltas:
            raw += sse({"type": "content_block_delta", "index": index, "delta": delta})
        raw += sse({"type": "content_block_stop", "index": index})
    return raw + sse({"type": "message_stop"})


def test_stream_compaction_summary_pieces_join_and_the_latest_encrypted_content_is_kept() -> None:
    """Several `compaction_delta`s: the summary's pieces join; `encrypted_content` is whole in each
    delta that has it (the latest wins) and a null one does not erase it; a failed compaction (null
    content, no delta) is still a part, which goes back as null."""
    raw = compaction_stream(
        [
            {"type": "compaction", "content": "", "encrypted_content": "stale"},
            {"type": "compaction_delta", "content": "Steps 1-3 done; ", "encrypted_content": "fresh"},
            {"type": "compaction_delta", "content": "step 4 next.", "encrypted_content": None},
        ],
        [{"type": "compaction", "content": None, "encrypted_content": None}],
    )
    response = parse_stream(raw)
    details = {"encrypted_content": "fresh"}
    assert response.parts == [
        CompactionPart("Steps 1-3 done; step 4 next.", provider_name="anthropic", provider_details=details),
        CompactionPart(None, provider_name="anthropic"),
    ]
    _, [turn] = codec.map_messages([response])
    assert turn["content"] == [
        {"type": "compaction", "content": "Steps 1-3 done; step 4 next.", "encrypted_content": "fresh"},
        {"type": "compaction", "content": None},
    ]


def test_compaction_goes_back_to_anthropic_only() -> None:
    """Another vendor's compaction (an OpenAI Responses item) is dropped; an empty summary, which
    the API refuses, goes back as null."""
    response = ModelResponse(
        [
            CompactionPart(
                None, id="cmp_1", provider_name="openai", provider_details={"encrypted_content": "x"}
            ),
            CompactionPart("", provider_name="anthropic"),
            TextPart("Done."),
        ]
    )
    _, [turn] = codec.map_messages([response])
    assert turn["content"] == [{"type": "compaction", "content": None}, {"type": "text", "text": "Done."}]
    # The block is a beta one: sending it back asks for the beta, with or without context_management.
    request = codec.build_request([response], ModelRequestParameters(), model="claude-opus-4-6")
    assert request.headers["anthropic-beta"] == "compact-2026-01-12"
    other = ModelResponse([response.parts[0], TextPart("Done.")])
    assert "anthropic-beta" not in codec.build_request([other], ModelRequestParameters(), model="m").headers


def test_stream_server_tool_use_input_deltas_build_a_native_call_and_its_result() -> None:
    """A web search streams as a `server_tool_use` block whose input arrives in `input_json_delta`s,
    then a `web_search_tool_result` block that comes whole: a native call and its return, never a
    tool call for the agent."""
    events = [
        {"type": "message_start", "message": {"id": "msg_ws", "model": "claude-sonnet-4-5",
                                              "usage": {"input_tokens": 2679, "output_tokens": 3}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Let me search."}},
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_start", "index": 1, "content_block": {
            "type": "server_tool_use", "id": "srvtoolu_014hJH82Qum7Td6UV8gDXThB", "name": "web_search", "input": {}}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": ""}},
        {"type": "content_block_delta", "index": 1,
         "delta": {"type": "input_json_delta", "partial_json": '{"query": "weather NYC today"}'}},
        {"type": "content_block_stop", "index": 1},
        {"type": "content_block_start", "index": 2, "content_block": {
            "type": "web_search_tool_result", "tool_use_id": "srvtoolu_014hJH82Qum7Td6UV8gDXThB", "content": []}},
        {"type": "content_block_stop", "index": 2},
        {"type": "content_block_start", "index": 3, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 3, "delta": {"type": "text_delta", "text": "Sunny, 22 °C."}},
        {"type": "content_block_stop", "index": 3},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
         "usage": {"output_tokens": 510, "server_tool_use": {"web_search_requests": 1}}},
        {"type": "message_stop"},
    ]  # fmt: skip
    body = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()
    response = parse_stream(body, model_name="claude-sonnet-4-5")
    text, call, result, answer = response.parts
    assert vars(text) == vars(TextPart("Let me search.")) and vars(answer) == vars(TextPart("Sunny, 22 °C."))
    assert isinstance(call, NativeToolCallPart) and isinstance(result, NativeToolReturnPart)
    assert (call.tool_name, call.args, call.tool_call_id) == (
        "web_search",
        {"query": "weather NYC today"},
        "srvtoolu_014hJH82Qum7Td6UV8gDXThB",
    )
    assert (result.tool_name, result.content, result.tool_call_id) == ("web_search", [], call.tool_call_id)
    assert result.provider_details == {"type": "web_search_tool_result"}
    assert response.tool_calls == [] and response.finish_reason == "stop"
    assert vars(response.usage) == vars(
        RequestUsage(input_tokens=2679, output_tokens=510, details={"web_search_requests": 1})
    )


def test_stream_usage_is_cumulative_merged_never_added_or_zeroed() -> None:
    """message_start has input and cache counts; each message_delta repeats cumulative totals (the
    current API sends input and cache counts there too, some gateways send them as 0 or null)."""
    parser = codec.StreamParser(model_name="m")
    start_usage = {
        "input_tokens": 40,
        "cache_creation_input_tokens": 1000,
        "cache_read_input_tokens": 2000,
        "output_tokens": 1,
    }
    parser.feed(sse({"type": "message_start", "message": {"id": "msg", "usage": start_usage}}))
    parser.feed(
        sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": None},
                "usage": {"output_tokens": 30, "server_tool_use": {"web_search_requests": 1}},
            }
        )
    )
    parser.feed(
        sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {
                    "input_tokens": 0,
                    "cache_creation_input_tokens": None,
                    "cache_read_input_tokens": 2000,
                    "output_tokens": 55,
                    "server_tool_use": {"web_search_requests": 2},
                },
            }
        )
    )
    parser.feed(sse({"type": "message_stop"}))
    parser.close()
    assert vars(parser.usage) == vars(
        RequestUsage(
            input_tokens=40 + 1000 + 2000,
            output_tokens=55,
            cache_read_tokens=2000,
            cache_write_tokens=1000,
            details={"web_search_requests": 2},
        )
    )
    assert parser.finish_reason == "stop"


@pytest.mark.parametrize(
    ("etype", "status"),
    [("overloaded_error", 529), ("rate_limit_error", 429), ("api_error", 500), ("brand_new_error", 500)],
)
def test_stream_error_event_status(etype: str, status: int) -> None:
    parser = codec.StreamParser(model_name="m")
    with pytest.raises(ModelHTTPError) as info:
        parser.feed(sse({"type": "error", "error": {"type": etype, "message": "x"}}))
    assert info.value.status_code == status and info.value.model_name == "m"


def test_stream_garbage_is_typed() -> None:
    parser = codec.StreamParser(model_name="m")
    with pytest.raises(UnexpectedModelBehavior):
        parser.feed(b"event: message_start\ndata: {not json\n\n")
    with pytest.raises(UnexpectedModelBehavior):
        parser.feed(sse({"type": "content_block_delta", "delta": {"type": "text_delta", "text": "x"}}))
    with pytest.raises(UnexpectedModelBehavior):
        parser.feed(
            sse(
                {
                    "type": "content_block_delta",
                    "index": 5,
                    "delta": {"type": "input_json_delta", "partial_json": "{"},
                }
            )
        )


def test_stream_truncated_tool_input_is_kept_as_text() -> None:
    parser = codec.StreamParser(model_name="m")
    parser.feed(
        sse(
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "tool_use", "id": "t1", "name": "f", "input": {}},
            }
        )
    )
    parser.feed(
        sse(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": '{"a": "unfinis'},
            }
        )
    )
    parser.feed(sse({"type": "content_block_stop", "index": 0}))
    [part] = parser.parts.get_parts()
    assert isinstance(part, ToolCallPart) and part.args == '{"a": "unfinis'


def test_stream_citations_delta_attaches_to_the_text_part() -> None:
    """Anthropic sends a cited block's citations_delta before its text: that one is kept too."""
    parser = codec.StreamParser(model_name="m")
    citation = {"type": "char_location", "cited_text": "grass is green"}
    parser.feed(
        sse({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    )
    parser.feed(
        sse(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "citations_delta", "citation": citation},
            }
        )
    )
    parser.feed(
        sse({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Green."}})
    )
    parser.feed(
        sse(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "citations_delta", "citation": citation},
            }
        )
    )
    [part] = parser.parts.get_parts()
    assert (
        isinstance(part, TextPart)
        and part.content == "Green."
        and part.provider_details == {"citations": [citation, citation]}
    )


# ------------------------------------------------------------------------------------------- inverse

SAMPLES = [
    ModelResponse(
        [
            ThinkingPart("Let me think.", signature="sig123", provider_name="anthropic"),
            ThinkingPart("", provider_name="anthropic", provider_details={"redacted_thinking": "opaque=="}),
            TextPart("Here you go: " + "x" * 50),
            ToolCallPart(
                "get_weather", {"city": "Paris", "nested": {"a": [1, 2, None]}}, tool_call_id="toolu_1"
            ),
            ToolCallPart("noop", {}, tool_call_id="toolu_2"),
        ],
        usage=RequestUsage(
            input_tokens=500,
            output_tokens=77,
            cache_read_tokens=200,
            cache_write_tokens=100,
            details={"ephemeral_5m_input_tokens": 100},
        ),
        model_name="claude-sonnet-4-5-20250929",
        provider_name="anthropic",
        provider_response_id="msg_round",
        finish_reason="tool_call",
        provider_details={"stop_reason": "tool_use"},
    ),
    ModelResponse(
        [TextPart("Stopped at")],
        usage=RequestUsage(input_tokens=5, output_tokens=3),
        model_name="claude-3-5-haiku-20241022",
        provider_name="anthropic",
        provider_response_id="msg_seq",
        finish_reason="stop",
        provider_details={"stop_reason": "stop_sequence", "stop_sequence": "###"},
    ),
]


SAMPLES.append(
    ModelResponse(
        [
            TextPart("Searching."),
            NativeToolCallPart(
                "web_search",
                {"query": "ledger"},
                tool_call_id="srvtoolu_1",
                provider_name="anthropic",
                provider_details={"type": "server_tool_use", "name": "web_search"},
            ),
            NativeToolReturnPart(
                "web_search",
                [
                    {
                        "type": "web_search_result",
                        "url": "https://e.com",
                        "title": "E",
                        "encrypted_content": "x",
                        "page_age": None,
                    }
                ],
                tool_call_id="srvtoolu_1",
                provider_name="anthropic",
                provider_details={"type": "web_search_tool_result"},
            ),
            TextPart(
                "Cited.",
                provider_details={
                    "citations": [{"type": "web_search_result_location", "url": "https://e.com"}]
                },
            ),
            ToolCallPart(
                "query_database",
                {"sql": "SELECT 1"},
                tool_call_id="toolu_3",
                provider_details={"caller": {"type": "code_execution_20260120", "tool_id": "srvtoolu_2"}},
            ),
        ],
        usage=RequestUsage(input_tokens=50, output_tokens=20, details={"web_search_requests": 1}),
        model_name="claude-sonnet-4-5-20250929",
        provider_name="anthropic",
        provider_response_id="msg_native",
        finish_reason="tool_call",
        provider_details={
            "stop_reason": "tool_use",
            "container_id": "container_1",
            "container_expires_at": "2026-12-02T10:00:00Z",
        },
    )
)


def summary(r: ModelResponse) -> tuple[Any, ...]:
    return (
        [(type(p), {k: v for k, v in vars(p).items() if k != "timestamp"}) for p in r.parts],
        vars(r.usage),
        r.finish_reason,
        r.model_name,
        r.provider_response_id,
        r.provider_details,
    )


@pytest.mark.parametrize("response", SAMPLES)
def test_encode_response_round_trips(response: ModelResponse) -> None:
    assert summary(codec.parse_response(encoders.encode_response(response))) == summary(response)


@pytest.mark.parametrize("response", SAMPLES)
@pytest.mark.parametrize("chunk_size", [1, 7, 1000])
def test_encode_stream_round_trips(response: ModelResponse, chunk_size: int) -> None:
    raw = encoders.encode_stream(response, chunk_size=chunk_size)
    assert summary(parse_stream(raw)) == summary(response)


def test_encode_response_maps_finish_reasons_without_details() -> None:
    for finish, stop in [
        ("stop", "end_turn"),
        ("length", "max_tokens"),
        ("tool_call", "tool_use"),
        ("content_filter", "refusal"),
    ]:
        body = encoders.encode_response(ModelResponse([TextPart("x")], finish_reason=finish))  # type: ignore[arg-type]
        assert body["stop_reason"] == stop
        assert codec.parse_response(body).finish_reason == finish


# ------------------------------------------------------------------------------------------- native tools, settings


def native(*tools: Any, functions: tuple[ToolDefinition, ...] = ()) -> ModelRequestParameters:
    return ModelRequestParameters(function_tools=list(functions), native_tools=list(tools))


@pytest.mark.parametrize(
    ("name", "settings", "entry", "beta"),
    [
        ("claude-sonnet-4-5", {}, {"type": "code_execution_20260120", "name": "code_execution"}, None),
        (
            "claude-haiku-4-5",
            {},
            {"type": "code_execution_20250825", "name": "code_execution"},
            "code-execution-2025-08-25",
        ),
        (
            "claude-sonnet-4-5",
            {"anthropic_code_execution_tool_version": "20250522"},
            {"type": "code_execution_20250522", "name": "code_execution"},
            "code-execution-2025-05-22",
        ),
    ],
)
def test_code_execution_version_per_model_and_setting(
    name: str, settings: AnthropicModelSettings, entry: dict[str, Any], beta: str | None
) -> None:
    body, headers = body_for(settings, native(CodeExecutionTool()), name=name)
    assert body["tools"] == [entry]
    assert headers.get("anthropic-beta") == beta


def test_newer_models_get_the_dynamic_filtering_web_tools_without_a_beta() -> None:
    body, headers = body_for(params=native(WebSearchTool(), WebFetchTool()), name="claude-opus-4-6")
    assert body["tools"] == [
        {"type": "web_search_20260209", "name": "web_search"},
        {"type": "web_fetch_20260209", "name": "web_fetch"},
    ]
    assert "anthropic-beta" not in headers
    _, headers = body_for(params=native(WebFetchTool()), name="claude-sonnet-4-5")
    assert headers["anthropic-beta"] == "web-fetch-2025-09-10"


def test_programmatic_callers_choose_the_code_execution_version_and_its_beta() -> None:
    tool = ToolDefinition("q", {"type": "object"}, allowed_callers=["code_execution_20250825"])
    body, headers = body_for(params=native(CodeExecutionTool(), functions=(tool,)), name="claude-sonnet-4-5")
    assert body["tools"] == [
        {"name": "q", "input_schema": {"type": "object"}, "allowed_callers": ["code_execution_20250825"]},
        {"type": "code_execution_20250825", "name": "code_execution"},
    ]
    assert headers["anthropic-beta"] == "code-execution-2025-08-25,advanced-tool-use-2025-11-20"


@pytest.mark.parametrize(
    ("params", "settings", "name", "match"),
    [
        (
            native(MCPServerTool(id="s", url="https://m.example", headers={"x": "1"})),
            {},
            "claude-sonnet-4-5",
            "authorization_token",
        ),
        (
            native(WebSearchTool(allowed_domains=["a.com"], blocked_domains=["b.com"])),
            {},
            "claude-sonnet-4-5",
            "not both",
        ),
        (native(MemoryTool()), {}, "claude-sonnet-4-5", "function tool named `memory`"),
        (native(WebSearchTool()), {}, "claude-3-opus-latest", "not available on claude-3-opus-latest"),
        (native(FileSearchTool()), {}, "claude-sonnet-4-5", "supported by OpenAI Responses, Google Gemini"),
        (
            native(functions=(ToolDefinition("q", allowed_callers=["code_execution_20260120"]),)),
            {},
            "claude-sonnet-4-5",
            "needs `CodeExecutionTool",
        ),
        (
            native(CodeExecutionTool()),
            {"anthropic_code_execution_tool_version": "20260120"},
            "claude-haiku-4-5",
            "not available",
        ),
        (
            native(
                CodeExecutionTool(),
                functions=(ToolDefinition("q", allowed_callers=["code_execution_20250825"]),),
            ),
            {"anthropic_code_execution_tool_version": "20260120"},
            "claude-sonnet-4-5",
            "one code execution tool",
        ),
    ],
)
def test_native_tools_the_request_cannot_carry_are_user_errors(
    params: ModelRequestParameters, settings: AnthropicModelSettings, name: str, match: str
) -> None:
    with pytest.raises(UserError, match=match):
        AnthropicModel(name, api_key="k").build_request(HELLO, settings, params)


@pytest.mark.parametrize(
    ("name", "thinking", "expected", "effort"),
    [
        ("claude-sonnet-4-5", True, {"type": "enabled", "budget_tokens": 4096}, None),
        ("claude-sonnet-4-5", "minimal", {"type": "enabled", "budget_tokens": 1024}, None),
        ("claude-sonnet-4-5", "high", {"type": "enabled", "budget_tokens": 16384}, None),
        ("claude-sonnet-4-5", False, {"type": "disabled"}, None),
        ("claude-opus-4-6", "low", {"type": "adaptive"}, "low"),
        ("claude-opus-4-6", "xhigh", {"type": "adaptive"}, "max"),
        ("claude-opus-4-7", "xhigh", {"type": "adaptive"}, "xhigh"),
        ("claude-3-5-haiku-latest", False, None, None),  # a model that cannot think ignores False
    ],
)
def test_portable_thinking_maps_to_a_budget_or_adaptive_thinking_with_an_effort(
    name: str, thinking: Any, expected: dict[str, Any] | None, effort: str | None
) -> None:
    body, _ = body_for({"thinking": thinking}, name=name)
    assert body.get("thinking") == expected
    assert body.get("output_config", {}).get("effort") == effort


def test_vendor_thinking_and_effort_win_and_a_level_a_model_cannot_honour_is_a_user_error() -> None:
    body, _ = body_for(
        {"thinking": "high", "anthropic_thinking": {"type": "enabled", "budget_tokens": 1500}},
        name="claude-sonnet-4-5",
    )
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 1500}
    body, _ = body_for({"thinking": "high", "anthropic_effort": "low"}, name="claude-opus-4-6")
    assert (body["thinking"], body["output_config"]) == ({"type": "adaptive"}, {"effort": "low"})
    with pytest.raises(UserError, match="does not think"):
        body_for({"thinking": "low"}, name="claude-3-5-haiku-latest")
    with pytest.raises(UserError, match="one of minimal"):
        body_for({"thinking": "max"})


@pytest.mark.parametrize(
    ("tier", "sent"), [("auto", "auto"), ("default", "standard_only"), ("priority", "auto")]
)
def test_portable_service_tier(tier: Any, sent: str) -> None:
    assert body_for({"service_tier": tier})[0]["service_tier"] == sent
    assert (
        body_for({"service_tier": tier, "anthropic_service_tier": "standard_only"})[0]["service_tier"]
        == "standard_only"
    )


def test_flex_service_tier_is_a_user_error_naming_the_batch_api() -> None:
    with pytest.raises(UserError, match="batch"):
        body_for({"service_tier": "flex"})


def test_a_cache_point_with_nothing_before_it_is_a_user_error() -> None:
    with pytest.raises(UserError, match="CachePoint"):
        body_for(messages=[ModelRequest([UserPromptPart([CachePoint(), "text"])])])


def test_container_from_the_setting_or_the_latest_anthropic_response_with_code_execution() -> None:
    ran = ModelResponse(
        [TextPart("ok")], provider_name="anthropic", provider_details={"container_id": "container_A"}
    )
    history: list[ModelMessage] = [*HELLO, ran, ModelRequest([UserPromptPart("again")])]
    code = native(CodeExecutionTool())
    assert body_for(params=code, messages=history)[0]["container"] == "container_A"
    assert "container" not in body_for(messages=history)[0]  # no code execution: no container
    assert "container" not in body_for({"anthropic_container": False}, code, history)[0]
    assert body_for({"anthropic_container": "container_B"}, messages=history)[0]["container"] == "container_B"


def test_stream_blocks_inside_message_start_come_first_even_when_later_indices_restart_at_zero() -> None:
    call = {"type": "tool_use", "id": "toolu_1", "name": "q", "input": {"sql": "x"}}
    body = b"".join(
        [
            sse(
                {
                    "type": "message_start",
                    "message": {"id": "m", "content": [call], "usage": {"input_tokens": 5}},
                }
            ),
            sse({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            sse(
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Done."}}
            ),
            sse({"type": "content_block_stop", "index": 0}),
            sse(
                {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 3}}
            ),
            sse({"type": "message_stop"}),
        ]
    )
    parser = codec.StreamParser()
    events = parser.feed(body)
    response = parser.close()
    assert [vars(p) for p in response.parts] == [
        vars(ToolCallPart("q", {"sql": "x"}, tool_call_id="toolu_1")),
        vars(TextPart("Done.")),
    ]
    assert [e.index for e in events if isinstance(e, PartStartEvent)] == [0, 1]


def test_count_tokens_body_and_answer() -> None:
    request = codec.build_count_tokens_request(
        HELLO,
        native(MemoryTool(), WebSearchTool(), functions=(ToolDefinition("memory"),)),
        {"max_tokens": 5},
        model="claude-x",
    )
    assert (request.method, request.path) == ("POST", "v1/messages/count_tokens")
    assert request.body == {
        "model": "claude-x",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}],
        "tools": [{"type": "memory_20250818", "name": "memory"}],
        "tool_choice": {"type": "auto"},
    }
    assert request.headers["anthropic-beta"] == "context-management-2025-06-27"
    assert_spec_valid("anthropic", request.body, "count_tokens-beta")
    assert codec.parse_count_tokens_response(b'{"input_tokens": 12}').input_tokens == 12
    with pytest.raises(ModelHTTPError):
        codec.parse_count_tokens_response(
            {"type": "error", "error": {"type": "not_found_error", "message": "x"}}
        )
