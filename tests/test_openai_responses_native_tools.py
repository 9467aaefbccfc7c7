"""OpenAI Responses native tools over loopback replay (`wireai/fixtures/openai_responses/`): the tool
entries sent, the vendor's items read back as NativeToolCallPart / FilePart / NativeToolReturnPart
(JSON and streamed), citations on the text, tool calls counted in usage, and the follow-up request
that gives the items back exactly as they came (ids, status, results), which a session needs."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from typing import Any

import pytest

from support import assert_protocol_valid, assert_spec_valid, two_turns
from wireai.codecs import openai_responses
from wireai.exceptions import UnexpectedModelBehavior, UserError
from wireai.messages import (
    BinaryImage,
    FilePart,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    ThinkingPart,
    ToolCallPartDelta,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters
from wireai.models.openai import OpenAIResponsesModel
from wireai.native_tools import (
    CodeExecutionTool,
    FileSearchTool,
    ImageGenerationTool,
    MCPServerTool,
    MemoryTool,
    WebFetchTool,
    WebSearchTool,
)
from wireai.providers.openai import OpenAIProvider
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.usage import RequestUsage

CREATED = datetime.fromtimestamp(1741476542, timezone.utc)
LONDON_SEARCH = WebSearchTool(
    allowed_domains=["bbc.co.uk", "theguardian.com"], user_location={"country": "GB", "city": "London"}
)


def model_for(server: ReplayServer, name: str = "gpt-4.1") -> OpenAIResponsesModel:
    provider = OpenAIProvider(api_key="test-key", base_url=server.url + "/v1")
    provider.max_retries = 0
    return OpenAIResponsesModel(name, provider=provider)


def user(text: str) -> ModelRequest:
    return ModelRequest([UserPromptPart(text)])


def check_bodies(server: ReplayServer) -> None:
    server.assert_requests_match()
    for request in server.requests:
        assert_protocol_valid("openai_responses", request.json())
        assert_spec_valid("openai", request.json(), "responses")


def converse(
    case: str,
    tools: list[Any],
    questions: tuple[str, str],
    *,
    model: str = "gpt-4.1",
    settings: dict[str, Any] | None = None,
    stream_first: bool = False,
) -> tuple[ModelResponse, list[Any], ModelResponse]:
    """Two turns against the case: the first (streamed or not) answer, its events, the second answer."""
    with ReplayServer(load_case("openai_responses", case)) as server:
        llm = model_for(server, model)
        main = two_turns(llm, tools, questions, settings=settings, stream_first=stream_first)
        result = asyncio.run(main)
        check_bodies(server)
    return result


def called(tool_name: str, args: Any, item_id: str, item_type: str) -> NativeToolCallPart:
    """A native call as the codec reads it from an OpenAI item of `item_type`."""
    return NativeToolCallPart(
        tool_name, args, item_id, provider_name="openai", provider_details={"item_type": item_type}
    )


def returned(tool_name: str, content: Any, item_id: str) -> NativeToolReturnPart:
    """A native return as the codec reads it (stamped with the fixtures' `created_at`)."""
    return NativeToolReturnPart(tool_name, content, item_id, timestamp=CREATED, provider_name="openai")


def streamed_args(events: list[Any]) -> str:
    """The tool-call argument deltas of a stream, joined."""
    return "".join(
        e.delta.args_delta
        for e in events
        if isinstance(e, PartDeltaEvent) and isinstance(e.delta, ToolCallPartDelta) and e.delta.args_delta
    )


def png(tag: bytes) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + tag


# ------------------------------------------------------------------------------------- web search


SOURCES = [
    {"type": "url", "url": "https://www.bbc.co.uk/news/articles/c0good"},
    {"type": "url", "url": "https://www.theguardian.com/environment/otters-return"},
]
CITATION = {
    "type": "url_citation",
    "start_index": 48,
    "end_index": 76,
    "url": "https://www.bbc.co.uk/news/articles/c0good",
    "title": "Otters return to every county",
}
OTTERS = "Otters have returned to every county in England, the BBC reports [bbc.co.uk]."


def test_web_search_call_sources_citation_and_encrypted_reasoning_go_back_by_id() -> None:
    settings = {
        "thinking": "low",
        "openai_store": False,
        "openai_include": ["reasoning.encrypted_content"],
        "openai_include_web_search_sources": True,
    }
    first, _, second = converse(
        "web_search",
        [LONDON_SEARCH],
        ("What was a positive news story from today?", "Which of those is from the BBC?"),
        model="gpt-5",
        settings=settings,
    )
    ws_id = "ws_67c9fa0502748190b7dd390736892e100be649c1a5ff9609"
    assert first.parts == [
        ThinkingPart(
            "",
            id="rs_68af4030baa48193b0b43b4c2a176a1a02d7b3c29f1e4c6e",
            signature="gAAAAABor0AxEnc-reasoning-blob==",
            provider_name="openai",
        ),
        called(
            "web_search", {"type": "search", "query": "positive news story today"}, ws_id, "web_search_call"
        ),
        returned("web_search", {"status": "completed", "sources": SOURCES}, ws_id),
        TextPart(
            OTTERS,
            id="msg_67c9fa077e288190af08fdffda2e34f20be649c1a5ff9609",
            provider_details={"annotations": [CITATION]},
        ),
    ]
    assert first.usage == RequestUsage(
        input_tokens=328, output_tokens=356, details={"web_search_calls": 1, "reasoning_tokens": 192}
    )
    assert first.tool_calls == [] and first.finish_reason == "stop"
    assert second.text == "The otters story is from the BBC."


def test_stream_web_search_calls_then_cited_text() -> None:
    first, events, second = converse(
        "stream_web_search",
        [LONDON_SEARCH],
        ("What was a positive news story from today?", "Which of those is from the BBC?"),
        settings={"openai_include_web_search_sources": True},
        stream_first=True,
    )
    search = {
        "type": "search",
        "query": "positive news story today",
        "queries": ["positive news story today", "good news UK"],
    }
    page = {"type": "open_page", "url": "https://www.bbc.co.uk/news/articles/c0good"}
    assert first.parts == [
        called("web_search", search, "ws_s1", "web_search_call"),
        returned("web_search", {"status": "completed", "sources": SOURCES}, "ws_s1"),
        called("web_search", page, "ws_s2", "web_search_call"),
        returned("web_search", {"status": "completed"}, "ws_s2"),
        TextPart(OTTERS, id="msg_s3", provider_details={"annotations": [CITATION]}),
    ]
    assert first.usage == RequestUsage(input_tokens=1250, output_tokens=70, details={"web_search_calls": 2})
    starts = [type(e.part).__name__ for e in events if isinstance(e, PartStartEvent)]
    assert starts == ["NativeToolCallPart", "NativeToolReturnPart"] * 2 + ["TextPart"]
    # The call starts as the vendor announces it; the finished item fills its arguments in.
    first_start = next(e for e in events if isinstance(e, PartStartEvent))
    assert first_start.part.args == {"type": "search"}  # type: ignore[union-attr]
    assert second.text == "The otters story is from the BBC."


# ------------------------------------------------------------------------------------- code interpreter


def test_code_interpreter_call_with_logs_image_and_container_citation() -> None:
    first, _, second = converse(
        "code_interpreter",
        [CodeExecutionTool()],
        ("Compute the square root of 3 and plot it.", "And of 5?"),
        settings={"openai_include_code_execution_outputs": True},
    )
    ci_id = "ci_68af36d3d3f88190a3e86c2bdf4b2c4e0f6ff2e8a36e9bc1"
    container = "cntr_68af36d2c6b881909a4e93b3ad1ad4b80f6ff2e8a36e9bc1"
    assert first.parts[:3] == [
        called(
            "code_execution",
            {"container_id": container, "code": "import math\nprint(math.sqrt(3))"},
            ci_id,
            "code_interpreter_call",
        ),
        FilePart(BinaryImage(png(b"chart"), "image/png"), id=ci_id, provider_name="openai"),
        returned("code_execution", {"status": "completed", "logs": ["1.7320508075688772\n"]}, ci_id),
    ]
    text = first.parts[3]
    assert isinstance(text, TextPart) and text.provider_details == {
        "annotations": [
            {
                "type": "container_file_citation",
                "container_id": container,
                "file_id": "cfile_68af36d6b4e08191b2d1",
                "filename": "plot.png",
                "start_index": 42,
                "end_index": 60,
            }
        ]
    }
    assert first.images == [BinaryImage(png(b"chart"), "image/png")]
    assert first.usage.details == {"code_interpreter_calls": 1}
    assert second.text == "About 2.236."


def test_stream_code_interpreter_code_deltas_are_argument_json_deltas() -> None:
    first, events, second = converse(
        "stream_code_interpreter",
        [CodeExecutionTool()],
        ("Compute the square root of 3 and plot it.", "And of 5?"),
        settings={"openai_include_code_execution_outputs": True},
        stream_first=True,
    )
    code = 'print("hi \\"you\\"")\nprint(2 ** 10)'
    assert first.parts == [
        called("code_execution", {"container_id": "cntr_s", "code": code}, "ci_s1", "code_interpreter_call"),
        returned("code_execution", {"status": "completed", "logs": ['hi "you"\n1024\n']}, "ci_s1"),
        TextPart("It printed 1024.", id="msg_s2"),
    ]
    # The argument deltas a consumer sees join into the call's arguments as JSON.
    assert json.loads(streamed_args(events)) == {"container_id": "cntr_s", "code": code}
    assert second.text == "About 2.236."


# ------------------------------------------------------------------------------------- image generation

OTTER_PROMPTS = (
    "Generate an image of gray tabby cat hugging an otter with an orange scarf",
    "Now make it look realistic",
)
IMAGE_TOOL = ImageGenerationTool(quality="high", size="1024x1024", output_format="png")


def test_image_generation_call_is_a_file_part_and_goes_back_for_an_edit() -> None:
    first, _, second = converse("image_generation", [IMAGE_TOOL], OTTER_PROMPTS, model="gpt-4.1-mini")
    ig_id = "ig_68af3a5c9b708190b1a2c3d4e5f60718"
    assert first.parts == [
        called("image_generation", None, ig_id, "image_generation_call"),
        FilePart(BinaryImage(png(b"otter-1"), "image/png"), id=ig_id, provider_name="openai"),
        returned(
            "image_generation",
            {
                "status": "completed",
                "background": "opaque",
                "output_format": "png",
                "quality": "high",
                "size": "1024x1024",
                "revised_prompt": "A gray tabby cat hugging an otter with an orange scarf",
            },
            ig_id,
        ),
    ]
    assert first.images == [BinaryImage(png(b"otter-1"), "image/png")] and first.text is None
    assert first.usage.details == {"image_generation_calls": 1}
    assert second.images == [BinaryImage(png(b"otter-2"), "image/png")]


def test_stream_partial_images_are_file_parts_the_final_image_replaces() -> None:
    tool = ImageGenerationTool(quality="high", size="1024x1024", output_format="png", partial_images=2)
    first, events, _ = converse(
        "stream_image_generation", [tool], OTTER_PROMPTS, model="gpt-4.1-mini", stream_first=True
    )
    files = [e.part for e in events if isinstance(e, PartStartEvent) and isinstance(e.part, FilePart)]
    assert [f.content.data for f in files] == [png(b"partial-0"), png(b"partial-1"), png(b"otter-2")]
    assert [(f.provider_details or {}).get("partial_image_index") for f in files] == [0, 1, None]
    assert (
        len({e.index for e in events if isinstance(e, PartStartEvent) and isinstance(e.part, FilePart)}) == 1
    )
    assert first.images == [BinaryImage(png(b"otter-2"), "image/png")]
    returned = first.parts[-1]
    assert isinstance(returned, NativeToolReturnPart) and returned.content["status"] == "generating"


# ------------------------------------------------------------------------------------- file search

DEEP_RESEARCH = ("What is deep research by OpenAI?", "Who can use it?")
FILE_CITATION = {
    "type": "file_citation",
    "index": 70,
    "file_id": "file-2dtbBZdjtDKS8eqWxqbgDi",
    "filename": "deep_research_blog.pdf",
}


def test_file_search_call_with_results_and_file_citation() -> None:
    first, _, second = converse(
        "file_search",
        [FileSearchTool(file_store_ids=["vs_1234567890"])],
        DEEP_RESEARCH,
        settings={"openai_include_file_search_results": True},
    )
    fs_id = "fs_67c09ccea8c48191ade9367e3ba71515"
    results = [
        {
            "file_id": "file-2dtbBZdjtDKS8eqWxqbgDi",
            "filename": "deep_research_blog.pdf",
            "score": 0.9412,
            "text": "Deep research is an agent that finds, analyzes and synthesizes hundreds of sources.",
            "attributes": {},
        }
    ]
    assert first.parts == [
        called("file_search", {"queries": ["What is deep research?"]}, fs_id, "file_search_call"),
        returned("file_search", {"status": "completed", "results": results}, fs_id),
        TextPart(
            "Deep research is an agent that synthesizes hundreds of online sources.",
            id="msg_67c09cd3091c819185af2be5d13d87de",
            provider_details={"annotations": [FILE_CITATION]},
        ),
    ]
    assert first.usage.details == {"file_search_calls": 1}
    assert second.text == "Pro users, for now."


def test_stream_file_search_queries_arrive_with_the_finished_item() -> None:
    first, events, _ = converse(
        "stream_file_search",
        [FileSearchTool(file_store_ids=["vs_1234567890"])],
        DEEP_RESEARCH,
        stream_first=True,
    )
    call = first.parts[0]
    assert isinstance(call, NativeToolCallPart) and call.args == {
        "queries": ["deep research", "OpenAI agent"]
    }
    start = next(e for e in events if isinstance(e, PartStartEvent))
    assert start.part.args == {"queries": []}  # type: ignore[union-attr]
    assert first.parts[1] == returned("file_search", {"status": "completed"}, "fs_s1")
    assert first.parts[2].provider_details == {"annotations": [FILE_CITATION]}


# ------------------------------------------------------------------------------------- remote MCP

DICE = MCPServerTool(
    id="dmcp",
    url="https://dmcp-server.deno.dev/sse",
    description="A Dungeons and Dragons MCP server to assist with dice rolling.",
    allowed_tools=["roll"],
)
ROLL_SCHEMA = {
    "type": "object",
    "properties": {"diceRollExpression": {"type": "string"}},
    "required": ["diceRollExpression"],
    "additionalProperties": False,
    "$schema": "http://json-schema.org/draft-07/schema#",
}
ROLL_TOOLS = [
    {
        "name": "roll",
        "description": "Given a string of text describing a dice roll...",
        "input_schema": ROLL_SCHEMA,
        "annotations": None,
    }
]


def test_mcp_list_tools_and_mcp_call_go_back_as_received() -> None:
    first, _, second = converse("mcp", [DICE], ("Roll 2d4+1", "Again"))
    list_id = "mcpl_682d4379df088191886b70f4ec39f90403937d5f622d7a90"
    call_id = "mcp_682d437d90a88191bf88cd03aae0c3e503937d5f622d7a90"
    assert first.parts[:4] == [
        called("mcp_server:dmcp", {"action": "list_tools"}, list_id, "mcp_list_tools"),
        returned("mcp_server:dmcp", {"tools": ROLL_TOOLS}, list_id),
        called(
            "mcp_server:dmcp",
            {"action": "call_tool", "tool_name": "roll", "tool_args": {"diceRollExpression": "2d4 + 1"}},
            call_id,
            "mcp_call",
        ),
        returned("mcp_server:dmcp", {"output": "4", "error": None, "status": "completed"}, call_id),
    ]
    assert first.text == "You rolled a 4 (2d4 + 1)." and first.usage.details == {"mcp_calls": 1}
    assert second.text == "You rolled a 6."


def test_stream_mcp_call_arguments_stream_and_its_error_is_kept() -> None:
    first, events, second = converse("stream_mcp", [DICE], ("Roll 2d4+1", "Again"), stream_first=True)
    call, returned = first.parts[2], first.parts[3]
    assert isinstance(call, NativeToolCallPart) and call.args == {
        "action": "call_tool",
        "tool_name": "roll",
        "tool_args": {"diceRollExpression": "1d20"},
    }
    assert isinstance(returned, NativeToolReturnPart) and returned.content == {
        "output": None,
        "error": {"type": "mcp_tool_execution_error", "content": [{"type": "text", "text": "dice jammed"}]},
        "status": "failed",
    }
    assert json.loads(streamed_args(events)) == call.args
    assert second.text == "You rolled a 12."


# ------------------------------------------------------------------------------------- request shapes


def tools_body(tools: list[Any], model: str = "gpt-4.1", **kwargs: Any) -> dict[str, Any]:
    body = (
        OpenAIResponsesModel(model, api_key="k")
        .build_request([user("q")], None, ModelRequestParameters(native_tools=tools, **kwargs))
        .body
    )
    assert body is not None
    assert_protocol_valid("openai_responses", body)
    assert_spec_valid("openai", body, "responses")
    return body


def test_every_native_tool_entry_as_the_reference_spells_it() -> None:
    tools = [
        WebSearchTool(search_context_size="high"),
        CodeExecutionTool(),
        ImageGenerationTool(
            background="transparent",
            input_fidelity="high",
            moderation="low",
            output_compression=80,
            output_format="webp",
            partial_images=3,
            quality="medium",
            aspect_ratio="3:2",
        ),
        FileSearchTool(file_store_ids=["vs_1", "vs_2"]),
        MCPServerTool(
            id="gmail",
            url="x-openai-connector:connector_gmail",
            authorization_token="ya29.token",
            headers={"x-tenant": "acme"},
        ),
    ]
    body = tools_body(tools, function_tools=[])
    assert body["tools"] == [
        {"type": "web_search", "search_context_size": "high"},
        {"type": "code_interpreter", "container": {"type": "auto"}},
        {
            "type": "image_generation",
            "background": "transparent",
            "moderation": "low",
            "quality": "medium",
            "size": "1536x1024",
            "output_format": "webp",
            "output_compression": 80,
            "input_fidelity": "high",
            "partial_images": 3,
        },
        {"type": "file_search", "vector_store_ids": ["vs_1", "vs_2"]},
        {
            "type": "mcp",
            "server_label": "gmail",
            "connector_id": "connector_gmail",
            "authorization": "ya29.token",
            "headers": {"x-tenant": "acme"},
            "require_approval": "never",
        },
    ]
    assert "tool_choice" not in body  # only function tools are chosen among


@pytest.mark.parametrize(
    ("tool", "message"),
    [
        (
            WebSearchTool(blocked_domains=["x.com"]),
            r"takes no blocked_domains \(give allowed_domains instead\)",
        ),
        (WebSearchTool(max_uses=3), "takes no max_uses"),
        (ImageGenerationTool(aspect_ratio="16:9"), "not aspect_ratio '16:9'"),
        (FileSearchTool(), "needs file_store_ids"),
        (WebFetchTool(), "WebFetchTool is not supported by OpenAI Responses; it is supported by Anthropic"),
        (MemoryTool(), "MemoryTool is not supported by OpenAI Responses"),
    ],
)
def test_an_option_or_tool_openai_lacks_is_a_user_error_before_any_request(tool: Any, message: str) -> None:
    with pytest.raises(UserError, match=message):
        tools_body([tool])


def test_a_model_without_web_search_refuses_it_by_name() -> None:
    with pytest.raises(
        UserError, match="WebSearchTool is not supported by OpenAI Responses model gpt-4.1-nano"
    ):
        tools_body([WebSearchTool()], model="gpt-4.1-nano")
    assert tools_body([CodeExecutionTool()], model="gpt-4.1-nano")["tools"][0]["type"] == "code_interpreter"


def test_native_and_function_tools_together() -> None:
    from wireai.tools import ToolDefinition

    fn = ToolDefinition(
        "lookup", {"type": "object", "properties": {}, "additionalProperties": False}, strict=True
    )
    body = tools_body([WebSearchTool()], function_tools=[fn])
    assert [t["type"] for t in body["tools"]] == ["web_search", "function"] and body["tool_choice"] == "auto"


# ------------------------------------------------------------------------------------- reading items


def test_mcp_approval_request_is_a_native_call_without_result_and_goes_back() -> None:
    item = {
        "type": "mcp_approval_request",
        "id": "mcpr_682d498e3bd4819196a0ce1664f8e77b04ad1e533afccbfa",
        "server_label": "deepwiki",
        "name": "ask_question",
        "arguments": '{"repoName":"modelcontextprotocol/modelcontextprotocol","question":"transports?"}',
    }
    body = {"id": "resp_a", "object": "response", "status": "completed", "model": "gpt-4.1", "output": [item]}
    response = openai_responses.parse_response(body)
    assert response.parts == [
        NativeToolCallPart(
            "mcp_server:deepwiki",
            {
                "action": "call_tool",
                "tool_name": "ask_question",
                "tool_args": {
                    "repoName": "modelcontextprotocol/modelcontextprotocol",
                    "question": "transports?",
                },
            },
            item["id"],
            provider_details={"item_type": "mcp_approval_request"},
        )
    ]
    assert response.native_tool_calls[0][1] is None and response.tool_calls == []
    sent = openai_responses.build_request(
        [user("q"), response, user("go on")], ModelRequestParameters(), model="m"
    )
    assert sent.body is not None and sent.body["input"][1] == item


@pytest.mark.parametrize(
    "item",
    [
        {"type": "web_search_call", "status": "completed"},
        {"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": "not base64!"},
        {"type": "code_interpreter_call", "id": "ci_1", "status": "completed", "code": "", "container_id": "c",
         "outputs": [{"type": "image", "url": "data:image/png;base64,%%%"}]},
    ],
)  # fmt: skip
def test_a_native_item_wireai_cannot_read_is_unexpected_model_behavior(item: dict[str, Any]) -> None:
    with pytest.raises(UnexpectedModelBehavior):
        openai_responses.parse_response({"status": "completed", "output": [item]}, model_name="m")


def test_code_interpreter_image_urls_that_are_not_data_stay_urls() -> None:
    item = {
        "type": "code_interpreter_call",
        "id": "ci_1",
        "status": "completed",
        "code": "plot()",
        "container_id": "cntr_1",
        "outputs": [{"type": "image", "url": "https://files.example/plot.png"}],
    }
    response = openai_responses.parse_response({"status": "completed", "output": [item]})
    assert response.parts[1] == NativeToolReturnPart(
        "code_execution",
        {"status": "completed", "image_urls": ["https://files.example/plot.png"]},
        "ci_1",
        timestamp=response.timestamp,
    )
    body = openai_responses.build_request([user("q"), response], ModelRequestParameters(), model="m").body
    assert body is not None and body["input"][1] == item


# ------------------------------------------------------------------------------------- the fake


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_the_fake_sends_scripted_native_calls_as_the_vendors_items(stream: bool) -> None:
    from wireai.testing import FakeOpenAIResponses

    chart, drawn = png(b"chart"), png(b"drawn")
    scripted = ModelResponse(
        [
            NativeToolCallPart("web_search", {"type": "search", "query": "otters"}, "ws_1"),
            NativeToolReturnPart("web_search", {"status": "completed", "sources": SOURCES}, "ws_1"),
            NativeToolCallPart(
                "code_execution", {"container_id": "cntr_1", "code": 'print("a\\nb")'}, "ci_1"
            ),
            FilePart(BinaryImage(chart, "image/png"), id="ci_1"),
            NativeToolReturnPart("code_execution", {"status": "completed", "logs": ["a\nb\n"]}, "ci_1"),
            NativeToolCallPart(
                "mcp_server:dice",
                {"action": "call_tool", "tool_name": "roll", "tool_args": {"d": 20}},
                "mcp_1",
            ),
            NativeToolReturnPart("mcp_server:dice", {"output": "17", "error": None}, "mcp_1"),
            FilePart(BinaryImage(drawn, "image/png"), id="ig_1"),  # an image the model generated
            TextPart(OTTERS, provider_details={"annotations": [CITATION]}),
        ],
        usage=RequestUsage(input_tokens=10, output_tokens=5),
        timestamp=CREATED,
    )
    with FakeOpenAIResponses() as fake:
        fake.add_response(scripted)
        model = fake.model()
        params = ModelRequestParameters(native_tools=[WebSearchTool(), CodeExecutionTool()])

        async def main() -> ModelResponse:
            if not stream:
                return await model.request([user("go")], None, params)
            async with model.request_stream([user("go")], None, params) as response:
                async for _ in response:
                    pass
            return response.get()

        got = asyncio.run(main())

    mcp_args = {"action": "call_tool", "tool_name": "roll", "tool_args": {"d": 20}}
    assert got.parts == [
        called("web_search", {"type": "search", "query": "otters"}, "ws_1", "web_search_call"),
        returned("web_search", {"status": "completed", "sources": SOURCES}, "ws_1"),
        called(
            "code_execution",
            {"container_id": "cntr_1", "code": 'print("a\\nb")'},
            "ci_1",
            "code_interpreter_call",
        ),
        FilePart(BinaryImage(chart, "image/png"), id="ci_1", provider_name="openai"),
        returned("code_execution", {"status": "completed", "logs": ["a\nb\n"]}, "ci_1"),
        called("mcp_server:dice", mcp_args, "mcp_1", "mcp_call"),
        returned("mcp_server:dice", {"output": "17", "error": None}, "mcp_1"),
        called("image_generation", None, "ig_1", "image_generation_call"),
        FilePart(BinaryImage(drawn, "image/png"), id="ig_1", provider_name="openai"),
        returned("image_generation", {"status": "completed"}, "ig_1"),
        TextPart(OTTERS, id="msg_8", provider_details={"annotations": [CITATION]}),
    ]
    assert got.usage.details == {
        "web_search_calls": 1,
        "code_interpreter_calls": 1,
        "mcp_calls": 1,
        "image_generation_calls": 1,
    }


def test_an_agent_never_runs_a_native_call_and_sends_it_back_next_turn() -> None:
    from wireai import Agent
    from wireai.testing import FakeOpenAIResponses

    with FakeOpenAIResponses() as fake:
        fake.add_response(
            ModelResponse(
                [
                    NativeToolCallPart("web_search", {"type": "search", "query": "otters"}, "ws_agent"),
                    NativeToolReturnPart("web_search", {"status": "completed"}, "ws_agent"),
                    TextPart("Otters are back."),
                ]
            )
        )
        fake.add_text("Yes, in every county.")
        agent = Agent(fake.model("gpt-4.1"), native_tools=[WebSearchTool()])
        first = agent.run_sync("Otter news?")
        second = agent.run_sync("Everywhere?", message_history=first.all_messages())
        sent = [r.json() for r in fake.requests]
    assert first.output == "Otters are back." and second.output == "Yes, in every county."
    assert sent[0]["tools"] == [{"type": "web_search", "search_context_size": "medium"}]
    assert sent[1]["input"][1] == {
        "type": "web_search_call",
        "id": "ws_agent",
        "status": "completed",
        "action": {"type": "search", "query": "otters"},
    }
