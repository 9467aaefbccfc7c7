"""Groq's `tool_use_failed` 400 becomes a retry prompt the agent sends back, in runs and streams."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wireai import Agent, ModelHTTPError, UnexpectedModelBehavior
from wireai.messages import ModelRequest, RetryPromptPart
from wireai.models.groq import GroqModel
from wireai.testing.server import LoopbackServer, RecordedRequest, Reply

FAILED = {
    "error": {
        "message": "Failed to call a function. Please adjust your prompt. See 'failed_generation' for more details.",
        "type": "invalid_request_error",
        "code": "tool_use_failed",
        "failed_generation": '<function=get_weather>{"city": Paris}</function>',
    }
}


def completion(message: dict[str, Any], finish: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "llama-3.3-70b-versatile",
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


CALL = completion(
    {
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }
        ],
    },
    "tool_calls",
)
DONE = completion({"content": "Sunny in Paris."}, "stop")


def agent_for(server: LoopbackServer, retries: int = 1) -> Agent[Any, Any]:
    agent = Agent(
        GroqModel("llama-3.3-70b-versatile", api_key="gsk_test", base_url=server.url + "/openai/v1"),
        retries=retries,
    )

    @agent.tool_plain
    def get_weather(city: str) -> str:
        return f"sunny in {city}"

    return agent


def test_tool_use_failed_is_retried_with_the_failed_generation_as_feedback() -> None:
    replies = [Reply.json(FAILED, 400), Reply.json(CALL), Reply.json(DONE)]
    with LoopbackServer(lambda r: replies.pop(0)) as server:
        result = agent_for(server).run_sync("Weather in Paris?")
    assert result.output == "Sunny in Paris."
    first = result.all_messages()[0]
    assert isinstance(first, ModelRequest)
    retry = first.parts[-1]
    assert isinstance(retry, RetryPromptPart) and '{"city": Paris}' in retry.content
    second_body = server.requests[1].json()
    assert second_body["messages"][-1]["role"] == "user"
    assert "could not be parsed" in second_body["messages"][-1]["content"]
    assert result.usage().requests == 3


def test_tool_use_failed_past_the_retry_budget_raises() -> None:
    with LoopbackServer(lambda r: Reply.json(FAILED, 400)) as server:
        with pytest.raises(UnexpectedModelBehavior, match="Exceeded maximum retries"):
            agent_for(server, retries=1).run_sync("Weather?")
        assert len(server.requests) == 2


def test_other_400s_still_raise() -> None:
    with LoopbackServer(
        lambda r: Reply.json({"error": {"message": "bad", "code": "invalid"}}, 400)
    ) as server:
        with pytest.raises(ModelHTTPError):
            agent_for(server).run_sync("Weather?")


async def test_stream_tool_use_failed_is_retried() -> None:
    def answer(request: RecordedRequest) -> Reply:
        if len(server.requests) == 1:
            return Reply.json(FAILED, 400)
        chunks = [
            {
                "choices": [
                    {"index": 0, "delta": {"role": "assistant", "content": "Sunny"}, "finish_reason": None}
                ]
            },
            {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        ]
        body = [
            b"data: "
            + json.dumps(
                {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", **c}
            ).encode()
            + b"\n\n"
            for c in chunks
        ]
        return Reply(200, {"content-type": "text/event-stream"}, chunks=[*body, b"data: [DONE]\n\n"])

    with LoopbackServer(answer) as server:
        async with agent_for(server).run_stream("Weather?") as result:
            assert await result.get_output() == "Sunny"
        assert len(server.requests) == 2
