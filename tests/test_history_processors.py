"""history_processors as PydanticAI documents them: applied before every request, in order, sync or
async, with or without a RunContext; what they return is what is sent and what the run keeps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from wireai import Agent, RunContext, UserError, capture_run_messages
from wireai.messages import (
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    UserPromptPart,
)
from wireai.models.function import AgentInfo, FunctionModel
from wireai.testing import FakeOpenAI


def recording_model(received: list[list[ModelMessage]], *responses: ModelResponse) -> FunctionModel:
    def reply(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        received.append(list(messages))
        return responses[len(received) - 1] if responses else ModelResponse([TextPart("Provider response")])

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        received.append(list(messages))
        yield "hello"

    return FunctionModel(reply, stream_function=stream)


def history() -> list[ModelMessage]:
    return [
        ModelRequest([UserPromptPart("Question 1")]),
        ModelResponse([TextPart("Answer 1")]),
        ModelRequest([UserPromptPart("Question 2")]),
        ModelResponse([TextPart("Answer 2")]),
    ]


def texts(messages: list[ModelMessage]) -> list[str]:
    return [str(getattr(p, "content", "")) for m in messages for p in m.parts]


def only_requests(messages: list[ModelMessage]) -> list[ModelMessage]:
    return [m for m in messages if isinstance(m, ModelRequest)]


def test_processed_messages_are_sent_and_replace_the_runs_messages() -> None:
    received: list[list[ModelMessage]] = []

    def keep_last_and_add_a_note(messages: list[ModelMessage]) -> list[ModelMessage]:
        return [*messages[-1:], ModelRequest([SystemPromptPart("Processed answer")])]

    agent = Agent(recording_model(received), history_processors=[keep_last_and_add_a_note])
    with capture_run_messages() as captured:
        result = agent.run_sync("Question 3", message_history=history())
    assert texts(received[0]) == ["Question 3", "Processed answer"]
    assert texts(result.all_messages()) == ["Question 3", "Processed answer", "Provider response"]
    assert captured == result.all_messages()
    assert result.new_messages() == result.all_messages()[-2:]  # PydanticAI's new_messages() here too


def test_sync_async_and_ctx_processors_apply_in_order() -> None:
    received: list[list[ModelMessage]] = []
    seen_ctx: list[tuple[int, int]] = []

    def tag(label: str) -> Any:
        def rewrite(messages: list[ModelMessage]) -> list[ModelMessage]:
            out: list[ModelMessage] = []
            for m in messages:
                if isinstance(m, ModelRequest):
                    parts: list[ModelRequestPart] = [
                        UserPromptPart(f"[{label}] {p.content}") if isinstance(p, UserPromptPart) else p
                        for p in m.parts
                    ]
                    out.append(ModelRequest(parts))
                else:
                    out.append(m)
            return out

        return rewrite

    async def async_filter(messages: list[ModelMessage]) -> list[ModelMessage]:
        await asyncio.sleep(0)
        return only_requests(messages)

    def with_ctx(ctx: RunContext[str], messages: list[ModelMessage]) -> list[ModelMessage]:
        seen_ctx.append((ctx.run_step, len(messages)))
        return messages

    async def async_with_ctx(ctx, messages):  # type: ignore[no-untyped-def]  # unannotated two-argument form
        assert ctx.deps == "deps"
        return messages

    agent = Agent(
        recording_model(received),
        deps_type=str,
        history_processors=[tag("FIRST"), tag("SECOND"), async_filter, with_ctx, async_with_ctx],
    )
    result = agent.run_sync("New question", message_history=history()[:2], deps="deps")
    assert texts(received[0]) == ["[SECOND] [FIRST] Question 1", "[SECOND] [FIRST] New question"]
    assert seen_ctx == [(1, 2)]
    assert result.new_messages() == result.all_messages()[-2:]


def test_processors_run_before_every_request_of_the_run_and_in_streams() -> None:
    received: list[list[ModelMessage]] = []
    calls = 0

    def keep_recent(messages: list[ModelMessage]) -> list[ModelMessage]:
        nonlocal calls
        calls += 1
        return messages[-3:]

    model = recording_model(
        received, ModelResponse([ToolCallPart("ping", {}, "c1")]), ModelResponse([TextPart("done")])
    )
    agent = Agent(model, history_processors=[keep_recent])

    @agent.tool_plain
    def ping() -> str:
        return "pong"

    result = agent.run_sync("go", message_history=history())
    assert calls == 2
    assert [len(m) for m in received] == [3, 3]
    assert [m.kind for m in received[1]] == [
        "request",
        "response",
        "request",
    ]  # the call and its result kept together
    assert result.output == "done"

    async def stream() -> None:
        stream_received: list[list[ModelMessage]] = []
        streaming = Agent(recording_model(stream_received), history_processors=[only_requests])
        async with streaming.run_stream("Question 3", message_history=history()) as streamed:
            assert [t async for t in streamed.stream_text(debounce_by=None)] == ["hello"]
        assert texts(stream_received[0]) == ["Question 1", "Question 2", "Question 3"]
        assert texts(streamed.all_messages()) == ["Question 1", "Question 2", "Question 3", "hello"]
        assert streamed.new_messages() == streamed.all_messages()[-2:]

    asyncio.run(stream())


def test_processed_history_that_is_empty_or_ends_in_a_response_is_a_user_error() -> None:
    with pytest.raises(UserError, match="Processed history cannot be empty."):
        Agent(recording_model([]), history_processors=[lambda messages: []]).run_sync("hi")
    with pytest.raises(UserError, match="Processed history must end with a `ModelRequest`."):
        Agent(recording_model([]), history_processors=[lambda messages: messages[:2]]).run_sync(
            "hi", message_history=history()
        )


def test_what_the_vendor_receives_is_the_processed_history() -> None:
    with FakeOpenAI() as fake:
        fake.add_text("4")
        agent = Agent(fake.model(), system_prompt="Be terse.", history_processors=[lambda m: [m[0], m[-1]]])
        agent.run_sync("2+2?", message_history=[*history()[:1], *history()[1:4]])
    assert fake.requests[0].json()["messages"] == [
        {"role": "user", "content": "Question 1"},
        {"role": "user", "content": "2+2?"},
    ]
