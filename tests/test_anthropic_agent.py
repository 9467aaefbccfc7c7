"""End to end: an `Agent` over AnthropicModel and a loopback server, a tool call then a structured final answer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import BaseModel

from support import assert_protocol_valid, assert_spec_valid
from wireai.agent import Agent
from wireai.messages import FunctionToolCallEvent, FunctionToolResultEvent
from wireai.models.anthropic import AnthropicModel
from wireai.native_tools import CodeExecutionTool
from wireai.providers.anthropic import AnthropicProvider
from wireai.run import AgentRunResultEvent
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.testing.server import LoopbackServer, RecordedRequest, Reply
from wireai.tools import RunContext, ToolDefinition


class City(BaseModel):
    city: str
    country: str


def message(id: str, content: list[dict[str, Any]], stop: str) -> dict[str, Any]:
    return {
        "id": id,
        "type": "message",
        "role": "assistant",
        "model": "claude-3-5-sonnet-20241022",
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": 100, "cache_read_input_tokens": 20, "output_tokens": 10},
    }


REPLIES = [
    message(
        "msg_1",
        [
            {
                "type": "tool_use",
                "id": "toolu_1",
                "name": "landmark_city",
                "input": {"landmark": "Eiffel Tower"},
            }
        ],
        "tool_use",
    ),
    message(
        "msg_2",
        [
            {
                "type": "tool_use",
                "id": "toolu_2",
                "name": "final_result",
                "input": {"city": "Paris", "country": "France"},
            }
        ],
        "tool_use",
    ),
]


def test_agent_tool_call_then_structured_output() -> None:
    queue = list(REPLIES)

    def handler(request: RecordedRequest) -> Reply:
        return Reply.json(queue.pop(0))

    with LoopbackServer(handler) as server:
        model = AnthropicModel("claude-3-5-sonnet-latest", api_key="k", base_url=server.url)
        agent = Agent(model, output_type=City, instructions="Be precise.")

        @agent.tool_plain
        def landmark_city(landmark: str) -> str:
            """Which city a landmark is in."""
            return "Paris, France"

        result = agent.run_sync("Where is the Eiffel Tower?")
    assert result.output == City(city="Paris", country="France")
    assert result.usage().input_tokens == 240 and result.usage().cache_read_tokens == 40
    first, second = (r.json() for r in server.requests)
    for body in (first, second):
        assert_protocol_valid("anthropic", body)
        assert_spec_valid("anthropic", body, "messages")
        assert body["system"] == [{"type": "text", "text": "Be precise."}]
        assert body["tool_choice"] == {"type": "any"}
        assert [t["name"] for t in body["tools"]] == ["landmark_city", "final_result"]
    assert second["messages"][1:] == [
        {
            "role": "assistant",
            "content": [
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "landmark_city",
                    "input": {"landmark": "Eiffel Tower"},
                }
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "Paris, France"}],
        },
    ]


async def test_an_agent_runs_the_sandbox_tool_call_that_arrived_inside_message_start() -> None:
    """Programmatic tool calling, streamed: the second turn's only block, the sandbox's `tool_use`
    for the East query, is inside `message_start`. The agent runs it like any streamed call, sends
    its result back (caller kept, same container: the replay checks every request body) and ends
    with the code's answer."""
    ran: list[str] = []

    async def called_from_the_sandbox(ctx: RunContext[None], tool_def: ToolDefinition) -> ToolDefinition:
        return replace(tool_def, allowed_callers=["code_execution_20260120"])

    with ReplayServer(load_case("anthropic", "stream_programmatic_tools")) as server:
        provider = AnthropicProvider(api_key="test-key", base_url=server.url)
        agent = Agent(
            AnthropicModel("claude-sonnet-4-5", provider=provider), native_tools=[CodeExecutionTool()]
        )

        @agent.tool_plain(prepare=called_from_the_sandbox)
        def query_database(sql: str) -> str:
            """Run a SQL query against the sales database."""
            ran.append(sql)
            return "1200" if "West" in sql else "900"

        events = [
            e async for e in agent.run_stream_events("Which region had the highest revenue, West or East?")
        ]
        server.assert_requests_match()
    assert ran == [
        "SELECT SUM(revenue) FROM sales WHERE region='West'",
        "SELECT SUM(revenue) FROM sales WHERE region='East'",
    ]
    calls = [e.part.tool_call_id for e in events if isinstance(e, FunctionToolCallEvent)]
    results = [
        (e.result.tool_call_id, e.result.content) for e in events if isinstance(e, FunctionToolResultEvent)
    ]
    assert calls == ["toolu_01West5gK2", "toolu_02East7hM4"]
    assert results == [("toolu_01West5gK2", "1200"), ("toolu_02East7hM4", "900")]
    final = events[-1]
    assert isinstance(final, AgentRunResultEvent)
    assert final.result.output == "West had the highest revenue: 1,200 against 900 for East."
