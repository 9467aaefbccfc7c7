"""The message parts of native tools and generated files: serialization round trip, stream
assembly, and the shared check that refuses a native tool a vendor cannot run."""

from __future__ import annotations

import pytest

from wireai._parts_manager import ModelResponsePartsManager
from wireai.codecs._base import check_native_tools
from wireai.exceptions import UserError
from wireai.messages import (
    BinaryContent,
    BinaryImage,
    BuiltinToolCallPart,
    CachePoint,
    FilePart,
    ModelMessagesTypeAdapter,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    ToolCallPart,
    ToolCallPartDelta,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters
from wireai.native_tools import CodeExecutionTool, MCPServerTool, WebSearchTool
from wireai.usage import RequestUsage

PNG = b"\x89PNG\r\n\x1a\n fake"


def test_native_parts_and_files_round_trip_through_json() -> None:
    history = [
        ModelRequest([UserPromptPart(["What is new?", CachePoint(ttl="1h")])]),
        ModelResponse(
            [
                NativeToolCallPart(
                    "web_search",
                    {"query": "news"},
                    "srvtoolu_1",
                    provider_name="anthropic",
                    provider_details={"caller": {"type": "direct"}},
                ),
                NativeToolReturnPart(
                    "web_search",
                    [{"url": "https://example.com", "title": "Example", "encrypted_content": "EqQ"}],
                    "srvtoolu_1",
                    provider_name="anthropic",
                ),
                TextPart(
                    "Here is the news.", provider_details={"citations": [{"url": "https://example.com"}]}
                ),
                FilePart(BinaryContent(PNG, "image/png"), id="ig_1", provider_name="openai"),
            ],
            usage=RequestUsage(input_tokens=5, output_tokens=7, details={"web_search_requests": 1}),
        ),
    ]
    data = ModelMessagesTypeAdapter.dump_json(history)
    loaded = ModelMessagesTypeAdapter.validate_json(data)
    assert loaded == history
    file_part = loaded[1].parts[3]
    assert isinstance(file_part, FilePart) and isinstance(file_part.content, BinaryImage)
    assert loaded[1].images == [BinaryImage(PNG, "image/png")]
    assert [call.tool_call_id for call, ret in loaded[1].native_tool_calls if ret is not None] == [
        "srvtoolu_1"
    ]
    assert loaded[1].tool_calls == []  # nothing the client has to run


def test_native_call_arguments_stream_as_tool_call_deltas() -> None:
    parts = ModelResponsePartsManager()
    start = parts.handle_part(
        1, NativeToolCallPart("code_execution", None, "srv_1", provider_name="anthropic")
    )
    delta = parts.handle_tool_call_delta(1, None, '{"code": "1+1"}', None)
    result = parts.handle_part(2, NativeToolReturnPart("code_execution", {"stdout": "2"}, "srv_1"))
    assert isinstance(start, PartStartEvent) and isinstance(result, PartStartEvent)
    assert isinstance(delta, PartDeltaEvent) and delta.delta == ToolCallPartDelta(
        args_delta='{"code": "1+1"}'
    )
    got = parts.get_parts()
    assert got[0] == NativeToolCallPart(
        "code_execution", '{"code": "1+1"}', "srv_1", provider_name="anthropic"
    )
    assert not isinstance(got[0], ToolCallPart) and BuiltinToolCallPart is NativeToolCallPart


def test_binary_image_needs_an_image() -> None:
    with pytest.raises(ValueError):
        BinaryImage(b"%PDF", "application/pdf")


def test_a_native_tool_the_vendor_cannot_run_is_a_user_error_naming_who_can() -> None:
    params = ModelRequestParameters(native_tools=[WebSearchTool(), CodeExecutionTool()])
    check_native_tools(params, {"web_search", "code_execution"}, "Anthropic")
    with pytest.raises(
        UserError, match=r"CodeExecutionTool is not supported by Mistral; it is supported by Anthropic"
    ):
        check_native_tools(params, {"web_search"}, "Mistral")
    twice = ModelRequestParameters(
        native_tools=[MCPServerTool(id="a", url="u"), MCPServerTool(id="a", url="v")]
    )
    with pytest.raises(UserError, match="given twice"):
        check_native_tools(twice, {"mcp_server"}, "OpenAI Responses")
    assert params.builtin_tools is params.native_tools


def test_a_tool_return_names_the_files_it_carries_for_codecs_without_multimodal_tool_results() -> None:
    from wireai.messages import ImageUrl, ToolReturnPart

    image = BinaryContent(PNG, "image/png", identifier="chart")
    part = ToolReturnPart("plot", ["Here it is", image, ImageUrl("https://x/y.png")], "c1")
    assert part.files() == [image, ImageUrl("https://x/y.png")]
    assert part.model_response_str() == '["Here it is", "See file chart.", "See file https://x/y.png."]'
    single = ToolReturnPart("plot", BinaryContent(PNG, "image/png"), "c2")
    assert single.model_response_str().startswith("See file ") and len(single.files()) == 1
    assert ToolReturnPart("t", {"a": 1}, "c3").files() == []


def test_agent_puts_native_tools_in_the_request_parameters_under_both_names() -> None:
    from wireai import Agent, WebSearchTool
    from wireai.models.function import AgentInfo, FunctionModel

    seen: list[object] = []

    def answer(messages: list, info: AgentInfo) -> ModelResponse:
        seen.append(info.model_request_parameters.native_tools)
        return ModelResponse([TextPart("ok")])

    search = WebSearchTool(max_uses=2)
    for kwargs in ({"native_tools": [search]}, {"builtin_tools": [search]}):
        Agent(FunctionModel(answer), **kwargs).run_sync("hi")  # type: ignore[arg-type]
    assert seen == [[search], [search]]
    with pytest.raises(UserError, match="not both"):
        Agent(FunctionModel(answer), native_tools=[search], builtin_tools=[search])
