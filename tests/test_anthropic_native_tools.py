"""Anthropic server tools, replayed over loopback: web search, web fetch, code execution, the MCP
connector and the memory tool, JSON and streamed, each with the follow-up request that sends the turn
back. Fixtures are written from Anthropic's tool references; every request body is checked against
our schema and Anthropic's spec (`messages-beta` where a beta header is sent)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from support import assert_protocol_valid, assert_spec_valid
from wireai.messages import (
    BinaryContent,
    BinaryImage,
    CachePoint,
    CompactionPart,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    PartStartEvent,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters
from wireai.models.anthropic import AnthropicModel
from wireai.native_tools import CodeExecutionTool, MCPServerTool, MemoryTool, WebFetchTool, WebSearchTool
from wireai.providers.anthropic import AnthropicProvider
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage

Step = tuple[list[ModelMessage], bool]  # (history, streamed)
History = Callable[[list[ModelResponse]], list[ModelMessage]]


def replay(
    case: str,
    params: ModelRequestParameters,
    turns: list[tuple[History, bool]],
    *,
    name: str = "claude-sonnet-4-5",
    settings: Any = None,
) -> tuple[list[ModelResponse], list[list[Any]]]:
    """Run the case's exchanges in order; each turn's history is built from the responses so far."""
    with ReplayServer(load_case("anthropic", case)) as server:
        model = AnthropicModel(name, provider=AnthropicProvider(api_key="test-key", base_url=server.url))

        async def main() -> tuple[list[ModelResponse], list[list[Any]]]:
            responses: list[ModelResponse] = []
            events: list[list[Any]] = []
            for history, streamed in turns:
                messages = history(responses)
                if streamed:
                    async with model.request_stream(messages, settings, params) as stream:
                        events.append([e async for e in stream])
                        responses.append(stream.get())
                else:
                    responses.append(await model.request(messages, settings, params))
                    events.append([])
            return responses, events

        result = asyncio.run(main())
        server.assert_requests_match()
        for request in server.requests:
            body = request.json()
            assert_protocol_valid("anthropic", body)
            assert_spec_valid(
                "anthropic", body, "messages-beta" if "anthropic-beta" in request.headers else "messages"
            )
    return result


def ask(text: str) -> ModelRequest:
    return ModelRequest([UserPromptPart(text)])


def usage(i: int, o: int, details: dict[str, int] | None = None, **cache: int) -> dict[str, Any]:
    return vars(RequestUsage(input_tokens=i, output_tokens=o, details=details, **cache))


def kinds(response: ModelResponse) -> list[str]:
    return [type(p).__name__ for p in response.parts]


# ------------------------------------------------------------------------------------------ web search

WEB_SEARCH = ModelRequestParameters(
    native_tools=[
        WebSearchTool(
            max_uses=3,
            allowed_domains=["weather.gov", "noaa.gov"],
            user_location={
                "city": "New York",
                "region": "New York",
                "country": "US",
                "timezone": "America/New_York",
            },
        )
    ]
)
WEATHER_Q = "What's the weather in New York today?"


@pytest.mark.parametrize("case", ["web_search", "stream_web_search"])
def test_web_search_call_results_and_citations_then_sent_back_as_received(case: str) -> None:
    first = [ask(WEATHER_Q)]
    (r1, r2), (events, _) = replay(
        case,
        WEB_SEARCH,
        [
            (lambda _: first, case.startswith("stream")),
            (lambda r: [*first, r[0], ask("And tomorrow?")], False),
        ],
    )
    assert kinds(r1) == ["TextPart", "NativeToolCallPart", "NativeToolReturnPart", "TextPart"]
    _, call, result, answer = r1.parts
    assert vars(call) == vars(
        NativeToolCallPart(
            "web_search",
            {"query": "New York weather today"},
            tool_call_id="srvtoolu_01WYG3ziw53XMcoyKL4XcZmE",
            provider_name="anthropic",
            provider_details={"type": "server_tool_use", "name": "web_search", "caller": {"type": "direct"}},
        )
    )
    assert isinstance(result, NativeToolReturnPart) and result.tool_call_id == call.tool_call_id
    assert result.tool_name == "web_search" and result.provider_name == "anthropic"
    assert [r["url"] for r in result.content] == [
        "https://forecast.weather.gov/MapClick.php?lat=40.71&lon=-74.01",
        "https://www.noaa.gov/news/northeast-outlook",
    ]
    assert result.content[0]["encrypted_content"].startswith("EqgfCioIARgB")
    assert result.provider_details == {"type": "web_search_tool_result", "caller": {"type": "direct"}}
    assert (
        isinstance(answer, TextPart)
        and answer.content == "It's sunny in New York today, with a high near 22 °C."
    )
    [citation] = (answer.provider_details or {})["citations"]
    assert citation["type"] == "web_search_result_location" and citation["encrypted_index"].startswith("Eo8B")
    assert r1.tool_calls == [] and r1.native_tool_calls == [(call, result)]
    assert r1.finish_reason == "stop"
    assert vars(r1.usage) == usage(6039, 931, {"web_search_requests": 1})
    assert r2.text == "Tomorrow looks cloudier, around 18 °C, from the same forecast."
    if events:  # the native call starts empty and grows by its input deltas; the result comes whole
        starts = [e.part for e in events if isinstance(e, PartStartEvent)]
        assert [type(p).__name__ for p in starts] == kinds(r1)
        assert isinstance(starts[1], NativeToolCallPart) and starts[1].args is None


# ------------------------------------------------------------------------------------------ web fetch

WEB_FETCH = ModelRequestParameters(
    native_tools=[
        WebFetchTool(
            max_uses=2, allowed_domains=["docs.example.com"], enable_citations=True, max_content_tokens=10000
        )
    ]
)


@pytest.mark.parametrize("case", ["web_fetch", "stream_web_fetch"])
def test_web_fetch_document_and_citations_then_sent_back(case: str) -> None:
    first = [ask("Summarise https://docs.example.com/release-notes")]
    (r1, r2), _ = replay(
        case,
        WEB_FETCH,
        [
            (lambda _: first, case.startswith("stream")),
            (lambda r: [*first, r[0], ask("Which change matters most for admins?")], False),
        ],
    )
    call, result, answer = r1.parts
    assert isinstance(call, NativeToolCallPart) and isinstance(result, NativeToolReturnPart)
    assert (call.tool_name, call.args) == ("web_fetch", {"url": "https://docs.example.com/release-notes"})
    assert result.tool_name == "web_fetch" and result.content["type"] == "web_fetch_result"
    assert result.content["content"]["source"]["data"].startswith("Release 4.2 (2026-11-30)")
    assert (
        isinstance(answer, TextPart)
        and (answer.provider_details or {})["citations"][0]["type"] == "char_location"
    )
    assert vars(r1.usage) == usage(1801 + 0, 120, {"web_fetch_requests": 1})
    assert r2.text == "SSO on every plan."


# ------------------------------------------------------------------------------------------ code execution

CODE = ModelRequestParameters(native_tools=[CodeExecutionTool()])
STATS_Q = "Compute the mean and standard deviation of 1..10, and save a histogram as hist.png."


@pytest.mark.parametrize("case", ["code_execution", "stream_code_execution"])
def test_code_execution_bash_and_editor_results_files_and_container(case: str) -> None:
    first = [ask(STATS_Q)]
    (r1, r2), _ = replay(
        case,
        CODE,
        [
            (lambda _: first, case.startswith("stream")),
            (lambda r: [*first, r[0], ask("And the median?")], False),
        ],
    )
    assert kinds(r1) == ["TextPart", *["NativeToolCallPart", "NativeToolReturnPart"] * 3, "TextPart"]
    calls = r1.native_tool_calls
    assert [c.tool_name for c, _ in calls] == ["code_execution"] * 3
    assert [(c.provider_details or {})["name"] for c, _ in calls] == [
        "bash_code_execution",
        "text_editor_code_execution",
        "bash_code_execution",
    ]
    (bash, stats), (editor, created), (_, run) = calls
    assert bash.args == {
        "command": 'python3 -c "import statistics as s; d = range(1, 11); print(s.mean(d), s.stdev(d))"'
    }
    assert stats is not None and stats.content == {
        "type": "bash_code_execution_result",
        "stdout": "5.5 3.0276503540974917\n",
        "stderr": "",
        "return_code": 0,
        "content": [],
    }
    assert editor.args["command"] == "create" and editor.args["path"] == "/tmp/hist.py"
    assert created is not None and created.content == {
        "type": "text_editor_code_execution_create_result",
        "is_file_update": False,
    }
    assert run is not None and run.content["content"] == [
        {"type": "bash_code_execution_output", "file_id": "file_011CVxP4mR8sHq2ZbW9JkYt3"}
    ]
    assert r1.tool_calls == []
    assert r1.provider_details == {
        "stop_reason": "end_turn",
        "container_id": "container_011CVxNgDH5n6dXbFG8cwGMz",
        "container_expires_at": "2026-12-02T10:45:12.004Z",
    }
    assert r2.text == "The median is 5.5."


# ------------------------------------------------------------------------------------------ MCP

MCP = ModelRequestParameters(
    native_tools=[
        MCPServerTool(
            id="calendar",
            url="https://mcp.example.com/sse",
            authorization_token="oauth-token-123",
            allowed_tools=["list_events"],
        )
    ]
)


@pytest.mark.parametrize("case", ["mcp", "stream_mcp"])
def test_mcp_tool_use_and_result_named_after_the_server(case: str) -> None:
    first = [ask("What's on my calendar tomorrow?")]
    (r1, r2), _ = replay(
        case,
        MCP,
        [
            (lambda _: first, case.startswith("stream")),
            (lambda r: [*first, r[0], ask("Move the review to 15:00?")], False),
        ],
    )
    call, result, answer = r1.parts
    assert vars(call) == vars(
        NativeToolCallPart(
            "mcp_server:calendar",
            {"date": "2026-12-03"},
            tool_call_id="mcptoolu_014Q35RayjACSWkSj4X2yov1",
            provider_name="anthropic",
            provider_details={"type": "mcp_tool_use", "name": "list_events", "server_name": "calendar"},
        )
    )
    assert isinstance(result, NativeToolReturnPart) and result.tool_name == "mcp_server:calendar"
    assert result.provider_details == {"type": "mcp_tool_result", "is_error": False}
    assert result.content[0]["text"].startswith('[{"title": "Standup"')
    assert isinstance(answer, TextPart) and r1.tool_calls == []
    assert r2.text == "I can only read your calendar with the tools enabled here."


# ------------------------------------------------------------------------------------------ memory

MEMORY_FN = ToolDefinition(
    "memory",
    {
        "type": "object",
        "properties": {"command": {"type": "string"}, "path": {"type": "string"}},
        "required": ["command"],
    },
    "Memory commands.",
)
MEMORY = ModelRequestParameters(function_tools=[MEMORY_FN], native_tools=[MemoryTool()])


@pytest.mark.parametrize("case", ["memory", "stream_memory"])
def test_memory_calls_are_client_tool_calls_answered_with_tool_results(case: str) -> None:
    first = [ask("Remember that I prefer metric units.")]

    def with_result(responses: list[ModelResponse]) -> list[ModelMessage]:
        [call] = responses[0].tool_calls
        return [
            *first,
            responses[0],
            ModelRequest([ToolReturnPart("memory", "Directory: /memories\n(empty)", call.tool_call_id)]),
        ]

    (r1, r2), _ = replay(case, MEMORY, [(lambda _: first, case.startswith("stream")), (with_result, False)])
    _, call = r1.parts
    assert vars(call) == vars(
        ToolCallPart("memory", {"command": "view", "path": "/memories"}, tool_call_id="toolu_01MemView8nQ2")
    )
    assert r1.finish_reason == "tool_call"
    assert r2.text == "Noted: metric units from now on."


# ------------------------------------------------------------------------------------------ programmatic tool calling

QUERY_DB = ToolDefinition(
    "query_database",
    {
        "type": "object",
        "properties": {"sql": {"type": "string"}},
        "required": ["sql"],
        "additionalProperties": False,
    },
    "Run a SQL query against the sales database.",
    allowed_callers=["code_execution_20260120"],
)
PROGRAMMATIC = ModelRequestParameters(function_tools=[QUERY_DB], native_tools=[CodeExecutionTool()])
SALES_Q = "Which region had the highest revenue, West or East?"
SANDBOX = {"type": "code_execution_20260120", "tool_id": "srvtoolu_01PtcRun4dQ8vLx2Zk"}


@pytest.mark.parametrize("case", ["programmatic_tools", "stream_programmatic_tools"])
def test_programmatic_tool_calls_keep_their_caller_and_continue_in_the_container(case: str) -> None:
    """Tools called from the sandbox come as `tool_use` blocks with a `caller`; the agent runs them,
    and the results go back with the calls (caller kept) in the same container. Streamed, the continued
    turns carry their first blocks inside `message_start`: read as parts, not lost."""
    streamed = case.startswith("stream")
    first = [ask(SALES_Q)]
    answers = {"toolu_01West5gK2": "1200", "toolu_02East7hM4": "900"}

    def answered(responses: list[ModelResponse]) -> list[ModelMessage]:
        history: list[ModelMessage] = [*first]
        for response in responses:
            history.append(response)
            history.append(
                ModelRequest(
                    [
                        ToolReturnPart(c.tool_name, answers[c.tool_call_id], c.tool_call_id)
                        for c in response.tool_calls
                    ]
                )
            )
        return history

    (r1, r2, r3), events = replay(
        case, PROGRAMMATIC, [(lambda _: first, streamed), (answered, streamed), (answered, streamed)]
    )
    _, code, west = r1.parts
    assert isinstance(code, NativeToolCallPart) and code.tool_name == "code_execution"
    assert code.args_as_dict()["code"].startswith("west = await query_database(")
    assert vars(west) == vars(
        ToolCallPart(
            "query_database",
            {"sql": "SELECT SUM(revenue) FROM sales WHERE region='West'"},
            tool_call_id="toolu_01West5gK2",
            provider_details={"caller": SANDBOX},
        )
    )
    [east] = r2.parts
    assert vars(east) == vars(
        ToolCallPart(
            "query_database",
            {"sql": "SELECT SUM(revenue) FROM sales WHERE region='East'"},
            tool_call_id="toolu_02East7hM4",
            provider_details={"caller": SANDBOX},
        )
    )
    assert r2.finish_reason == "tool_call" and r2.tool_calls == [east]
    result, answer = r3.parts
    assert isinstance(result, NativeToolReturnPart) and result.tool_call_id == code.tool_call_id
    assert result.content["stdout"] == "West 1200 East 900\n"
    assert (
        isinstance(answer, TextPart)
        and answer.content == "West had the highest revenue: 1,200 against 900 for East."
    )
    assert (r3.provider_details or {})["container_id"] == "container_011CWptc7GhQ2mN5bVx8RsLa"
    if streamed:  # a block inside message_start is announced like any other part
        assert [type(e.part).__name__ for e in events[1] if isinstance(e, PartStartEvent)] == ["ToolCallPart"]
        assert [e.index for e in events[2] if isinstance(e, PartStartEvent)] == [0, 1]
        assert vars(r2.usage) == usage(2230, 40)


# ------------------------------------------------------------------------------------------ usage across compaction

COMPACTION = {"edits": [{"type": "compact_20260112", "trigger": {"type": "input_tokens", "value": 150000}}]}


@pytest.mark.parametrize("case", ["compaction_usage", "stream_compaction_usage"])
def test_usage_with_compaction_is_the_sum_over_iterations_json_and_stream(case: str) -> None:
    [response], _ = replay(
        case,
        ModelRequestParameters(),
        [(lambda _: [ask("Continue the migration plan.")], case.startswith("stream"))],
        name="claude-opus-4-6",
        settings={"anthropic_context_management": COMPACTION},
    )
    assert response.text == "Step 4: switch invoices to the ledger."
    assert response.parts[0] == CompactionPart(
        "Summary: the team is migrating billing to the new ledger; steps 1-3 are done.",
        provider_name="anthropic",
    )
    assert vars(response.usage) == usage(
        180000 + 23000 + 2000,
        3500 + 1000,
        {"compaction_input_tokens": 180000, "compaction_output_tokens": 3500},
        cache_read_tokens=2000,
    )


SUMMARY = (
    "Summary: the team is migrating billing to the new ledger. Steps 1-3 are done (schema, "
    "backfill, dual writes); step 4, switching invoices to the ledger, is next."
)
ENCRYPTED = (
    "Eu4BCkYIBRgCKkDpZf3mQ0a8cT2Kx9sLr5VhNw7jYb1GqUe4oXtA6iCzP0dM3nRsWlvH8kJfBgyTa2Oq5uE7cZxVbN1mLd4p=="
)


@pytest.mark.parametrize(
    "case", ["compaction_block_dropped_from_history", "stream_compaction_block_dropped_from_history"]
)
def test_a_compaction_block_is_a_part_and_goes_back_verbatim_json_and_stream(case: str) -> None:
    """The block's summary and its opaque `encrypted_content` (which the official SDKs once lost from
    streamed deltas) come back as one CompactionPart; the follow-up sends the block back as it came
    (the fixture pins the body), so the API drops what it summarised."""
    first = [ask("Continue the migration plan.")]
    streamed = case.startswith("stream")
    (r1, r2), (events, _) = replay(
        case,
        ModelRequestParameters(),
        [(lambda _: first, streamed), (lambda r: [*first, r[0], ask("What comes after step 4?")], False)],
        name="claude-opus-4-6",
        settings={"anthropic_context_management": COMPACTION},
    )
    compaction = CompactionPart(
        SUMMARY, provider_name="anthropic", provider_details={"encrypted_content": ENCRYPTED}
    )
    assert r1.parts == [compaction, TextPart("Step 4: switch invoices to the ledger, one region at a time.")]
    assert (r1.finish_reason, vars(r1.usage)) == (
        "stop",
        usage(184200, 3548, {"compaction_input_tokens": 180000, "compaction_output_tokens": 3500}),
    )
    assert r2.text == "Step 5: turn off the dual writes and retire the old billing tables."
    if streamed:  # the block is announced whole once it is complete; it takes no deltas, so no end event
        starts = [e for e in events if isinstance(e, PartStartEvent)]
        assert [(e.index, e.part) for e in starts][0] == (0, compaction)
        assert [type(e).__name__ for e in events][:2] == ["PartStartEvent", "PartStartEvent"]


# ------------------------------------------------------------------------------------------ refusals (content filter)


@pytest.mark.parametrize("case", ["refusal", "stream_refusal"])
def test_a_refusal_is_returned_as_a_content_filtered_response_json_and_stream(case: str) -> None:
    [response], _ = replay(
        case,
        ModelRequestParameters(),
        [(lambda _: [ask("Write a working exploit for CVE-2026-0001.")], case.startswith("stream"))],
    )
    assert response.finish_reason == "content_filter"
    assert response.text == "I can't help with that."
    assert response.provider_details == {
        "stop_reason": "refusal",
        "stop_details": {
            "type": "refusal",
            "category": "cyber",
            "explanation": "This request asks for a working exploit.",
        },
    }


# ------------------------------------------------------------------------------------------ caching, rich tool results

CHART = ToolDefinition(
    "get_chart",
    {"type": "object", "properties": {"metric": {"type": "string"}}, "required": ["metric"]},
    "Chart of a metric.",
)


def test_cache_points_and_a_tool_result_with_an_image_and_a_pdf() -> None:
    history: list[ModelMessage] = [
        ModelRequest(
            [
                UserPromptPart(
                    ["<the full contract text>", CachePoint("1h"), "Chart revenue and summarise the report."]
                )
            ]
        ),
        ModelResponse(
            [ToolCallPart("get_chart", {"metric": "revenue"}, tool_call_id="toolu_01Chart")],
            provider_name="anthropic",
        ),
        ModelRequest(
            [
                ToolReturnPart(
                    "get_chart",
                    [
                        "Revenue by quarter:",
                        BinaryImage(b"\x89PNG\r\n\x1a\nchart", "image/png"),
                        BinaryContent(b"%PDF-1.4 quarterly report", "application/pdf"),
                        CachePoint(),
                    ],
                    tool_call_id="toolu_01Chart",
                )
            ]
        ),
    ]
    [response], _ = replay(
        "cache_points_rich_tool_result",
        ModelRequestParameters(function_tools=[CHART]),
        [(lambda _: history, False)],
    )
    assert vars(response.usage) == usage(
        35 + 1800 + 2400,
        14,
        {"ephemeral_5m_input_tokens": 400, "ephemeral_1h_input_tokens": 2000},
        cache_read_tokens=1800,
        cache_write_tokens=2400,
    )


def test_count_tokens_posts_the_body_without_generation_fields_or_server_tools() -> None:
    weather = ToolDefinition(
        "get_weather",
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        "Current weather in a city.",
    )
    params = ModelRequestParameters(function_tools=[weather], native_tools=[WebSearchTool()])
    with ReplayServer(load_case("anthropic", "count_tokens")) as server:
        model = AnthropicModel(
            "claude-sonnet-4-5", provider=AnthropicProvider(api_key="test-key", base_url=server.url)
        )
        messages = [ModelRequest([UserPromptPart("Weather in Paris?")], instructions="Be brief.")]
        counted = asyncio.run(
            model.count_tokens(messages, {"thinking": "low", "temperature": 0.2, "max_tokens": 99}, params)
        )
        server.assert_requests_match()
        assert_spec_valid("anthropic", server.requests[0].json(), "count_tokens")
    assert vars(counted) == usage(2095, 0)


# ------------------------------------------------------------------------------------------ agents over the fake


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_the_agent_runs_the_users_memory_tool_for_the_memory_tools_calls(stream: bool) -> None:
    """Anthropic's memory tool runs nothing itself: the model's `memory` calls are client tool calls,
    carried out by the function tool the user named `memory`."""
    from wireai.agent import Agent
    from wireai.testing import FakeAnthropic

    seen: list[tuple[str, str]] = []
    async with FakeAnthropic() as fake:
        fake.add_response(
            ModelResponse(
                [ToolCallPart("memory", {"command": "view", "path": "/memories"}, "toolu_mem1")],
                finish_reason="tool_call",
            )
        )
        fake.add_text("Noted: metric units.")
        agent = Agent(fake.model("claude-sonnet-4-5"), native_tools=[MemoryTool()])

        @agent.tool_plain
        def memory(command: str, path: str = "") -> str:
            seen.append((command, path))
            return "Directory: /memories\n(empty)"

        if stream:
            async with agent.run_stream("Remember that I prefer metric units.") as run:
                output = await run.get_output()
        else:
            output = (await agent.run("Remember that I prefer metric units.")).output
    assert output == "Noted: metric units." and seen == [("view", "/memories")]
    first, second = (r.json() for r in fake.requests)
    assert [t.get("type") for t in first["tools"]] == ["memory_20250818"]
    assert fake.requests[0].headers["anthropic-beta"] == "context-management-2025-06-27"
    assert second["messages"][-1]["content"][0] == {
        "type": "tool_result",
        "tool_use_id": "toolu_mem1",
        "content": "Directory: /memories\n(empty)",
    }


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_the_agent_never_runs_a_native_call_and_answers_from_the_same_response(stream: bool) -> None:
    from wireai.agent import Agent
    from wireai.testing import FakeAnthropic

    async with FakeAnthropic() as fake:
        fake.add_response(
            ModelResponse(
                [
                    NativeToolCallPart("web_search", {"query": "ledger"}, tool_call_id="srvtoolu_01A"),
                    NativeToolReturnPart(
                        "web_search",
                        [
                            {
                                "type": "web_search_result",
                                "url": "https://e.com",
                                "title": "E",
                                "encrypted_content": "Eq",
                                "page_age": None,
                            }
                        ],
                        tool_call_id="srvtoolu_01A",
                    ),
                    TextPart("The ledger ships on Friday."),
                ],
                usage=RequestUsage(input_tokens=30, output_tokens=9, details={"web_search_requests": 1}),
            )
        )
        agent = Agent(fake.model("claude-sonnet-4-5"), native_tools=[WebSearchTool()])
        if stream:
            async with agent.run_stream("When does the ledger ship?") as run:
                output = await run.get_output()
                messages = run.all_messages()
        else:
            result = await agent.run("When does the ledger ship?")
            output, messages = result.output, result.all_messages()
    assert output == "The ledger ships on Friday." and len(fake.requests) == 1
    response = messages[-1]
    assert isinstance(response, ModelResponse) and response.tool_calls == []
    [(call, returned)] = response.native_tool_calls
    assert (call.tool_name, call.args, call.provider_name) == ("web_search", {"query": "ledger"}, "anthropic")
    assert returned is not None and returned.content[0]["url"] == "https://e.com"
    assert fake.requests[0].json()["tools"] == [{"type": "web_search_20250305", "name": "web_search"}]
