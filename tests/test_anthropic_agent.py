"""End to end: an `Agent` over AnthropicModel and a loopback server, a tool call then a structured final answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from support import assert_protocol_valid, assert_spec_valid
from wireai.agent import Agent
from wireai.models.anthropic import AnthropicModel
from wireai.testing.server import LoopbackServer, RecordedRequest, Reply


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
