"""Human-in-the-loop and external tools: a run stops with DeferredToolRequests, a later run finishes it.

The cycle a serverless handler needs is pinned end to end over a real socket: run 1 stops, its
history goes through JSON, a fresh agent (a new invocation) resumes it with DeferredToolResults,
and the vendor receives every tool result, in the calls' order after those already sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import TypeAdapter

from wireai import (
    Agent,
    ApprovalRequired,
    CallDeferred,
    DeferredToolRequests,
    DeferredToolResults,
    ExternalToolset,
    FunctionToolset,
    ModelMessagesTypeAdapter,
    ModelRetry,
    RunContext,
    ToolApproved,
    ToolDefinition,
    ToolDenied,
    ToolReturn,
    UserError,
)
from wireai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from wireai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel
from wireai.testing import FakeOpenAI

# ------------------------------------------------------------------------------------------ helpers


def file_agent(model: Any, log: list[str]) -> Agent[None, Any]:
    """The deferred-tools example of PydanticAI's docs, plus an external calculation."""
    agent: Agent[None, Any] = Agent(model, output_type=[str, DeferredToolRequests])

    @agent.tool_plain(requires_approval=True)
    def delete_file(path: str) -> str:
        log.append(f"delete {path}")
        return f"File {path!r} deleted"

    @agent.tool
    def update_file(ctx: RunContext[None], path: str, content: str) -> str:
        if path == ".env" and not ctx.tool_call_approved:
            raise ApprovalRequired(metadata={"reason": "protected"})
        log.append(f"update {path} approved={ctx.tool_call_approved} metadata={ctx.tool_call_metadata}")
        return f"File {path!r} updated: {content!r}"

    @agent.tool_plain
    def calculate(question: str) -> int:
        raise CallDeferred(metadata={"task_id": "task_0"})

    return agent


def scripted(*responses: ModelResponse) -> tuple[FunctionModel, list[list[ModelMessage]]]:
    """A model answering `responses` in order and recording the messages of every request."""
    seen: list[list[ModelMessage]] = []

    def reply(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append(list(messages))
        return responses[len(seen) - 1]

    return FunctionModel(reply), seen


def calls(*items: tuple[str, dict[str, Any], str]) -> ModelResponse:
    return ModelResponse([ToolCallPart(name, args, call_id) for name, args, call_id in items])


# ------------------------------------------------------------------------------------------ the stateless cycle


def test_deferred_cycle_through_json_history_sends_every_result_to_the_vendor() -> None:
    log: list[str] = []
    with FakeOpenAI() as fake:
        fake.add_tool_calls(
            [
                ("delete_file", {"path": "__init__.py"}),
                ("update_file", {"path": "README.md", "content": "Hello"}),
                ("update_file", {"path": ".env", "content": ""}),
                ("calculate", {"question": "6*7"}),
            ]
        )
        first = file_agent(fake.model(), log).run_sync("Delete, write and compute")

        requests = first.output
        assert isinstance(requests, DeferredToolRequests)
        assert [(c.tool_name, c.tool_call_id) for c in requests.approvals] == [
            ("delete_file", "call_0001"),
            ("update_file", "call_0003"),
        ]
        assert [(c.tool_name, c.args_as_dict()) for c in requests.calls] == [
            ("calculate", {"question": "6*7"})
        ]
        assert requests.metadata == {"call_0003": {"reason": "protected"}, "call_0004": {"task_id": "task_0"}}
        assert log == ["update README.md approved=False metadata=None"]  # the one call that needed nothing
        # The run kept the result it already had, after the response with the calls.
        stored_messages = first.all_messages()
        assert [m.kind for m in stored_messages] == ["request", "response", "request"]
        assert [(p.tool_call_id, p.content) for p in stored_messages[-1].parts] == [  # type: ignore[union-attr]
            ("call_0002", "File 'README.md' updated: 'Hello'")
        ]

        # --- a later invocation: history and answers arrive as JSON, the agent is built anew
        stored = first.all_messages_json()
        answers_json = TypeAdapter(DeferredToolResults).dump_json(
            DeferredToolResults(
                approvals={"call_0001": ToolDenied("Deleting files is not allowed"), "call_0003": True},
                calls={"call_0004": 42},
                metadata={"call_0003": {"approved_by": "alice"}},
            )
        )
        history = ModelMessagesTypeAdapter.validate_json(stored)
        answers = TypeAdapter(DeferredToolResults).validate_json(answers_json)
        assert answers.approvals == {
            "call_0001": ToolDenied("Deleting files is not allowed"),
            "call_0003": True,
        }

        fake.add_text("Deleting is not allowed; .env cleared; the answer is 42.")
        second = file_agent(fake.model(), log).run_sync(
            message_history=history, deferred_tool_results=answers
        )

    assert second.output == "Deleting is not allowed; .env cleared; the answer is 42."
    assert log[1:] == ["update .env approved=True metadata={'approved_by': 'alice'}"]
    assert fake.requests[1].json()["messages"] == [
        {"role": "user", "content": "Delete, write and compute"},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "call_0001",
                    "type": "function",
                    "function": {"name": "delete_file", "arguments": '{"path": "__init__.py"}'},
                },
                {
                    "id": "call_0002",
                    "type": "function",
                    "function": {
                        "name": "update_file",
                        "arguments": '{"path": "README.md", "content": "Hello"}',
                    },
                },
                {
                    "id": "call_0003",
                    "type": "function",
                    "function": {"name": "update_file", "arguments": '{"path": ".env", "content": ""}'},
                },
                {
                    "id": "call_0004",
                    "type": "function",
                    "function": {"name": "calculate", "arguments": '{"question": "6*7"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_0002", "content": "File 'README.md' updated: 'Hello'"},
        {"role": "tool", "tool_call_id": "call_0001", "content": "Deleting files is not allowed"},
        {"role": "tool", "tool_call_id": "call_0003", "content": "File '.env' updated: ''"},
        {"role": "tool", "tool_call_id": "call_0004", "content": "42"},
    ]
    # Appending the new messages to what was stored gives the whole conversation, nothing twice.
    new = second.new_messages()
    assert [m.kind for m in new] == ["request", "response"]
    assert ModelMessagesTypeAdapter.validate_json(stored) + new == second.all_messages()
    assert second.usage.requests == 1 and second.usage().requests == 1


def test_deferred_requests_are_json_serializable_for_a_frontend() -> None:
    requests = DeferredToolRequests(
        approvals=[ToolCallPart("delete_file", {"path": "a"}, "c1")], metadata={"c1": {"reason": "x"}}
    )
    adapter = TypeAdapter(DeferredToolRequests)
    assert adapter.validate_json(adapter.dump_json(requests)) == requests


def test_resume_with_a_new_prompt_puts_it_after_the_results() -> None:
    model, seen = scripted(calls(("delete_file", {"path": "a"}, "c1")), ModelResponse([TextPart("ok")]))
    agent = file_agent(model, [])
    first = agent.run_sync("Delete a")
    assert isinstance(first.output, DeferredToolRequests)
    assert [m.kind for m in first.all_messages()] == ["request", "response"]  # nothing ran: no request after
    result = agent.run_sync(
        "And tell me when done",
        message_history=first.all_messages(),
        deferred_tool_results=DeferredToolResults(approvals={"c1": True}),
    )
    last_request = seen[-1][-1]
    assert isinstance(last_request, ModelRequest)
    assert [type(p) for p in last_request.parts] == [ToolReturnPart, UserPromptPart]
    assert last_request.parts[0].content == "File 'a' deleted"
    assert last_request.parts[1].content == "And tell me when done"
    assert result.output == "ok"


def test_tool_approved_override_args_and_false_denies_with_the_default_message() -> None:
    log: list[str] = []
    model, seen = scripted(
        calls(("delete_file", {"path": "a"}, "c1"), ("delete_file", {"path": "b"}, "c2")),
        ModelResponse([TextPart("ok")]),
    )
    agent = file_agent(model, log)
    first = agent.run_sync("Delete a and b")
    agent.run_sync(
        message_history=first.all_messages(),
        deferred_tool_results=DeferredToolResults(
            approvals={"c1": ToolApproved(override_args={"path": "a.bak"}), "c2": False}
        ),
    )
    assert log == ["delete a.bak"]
    parts = seen[-1][-1].parts
    assert [(p.tool_call_id, p.content) for p in parts] == [
        ("c1", "File 'a.bak' deleted"),
        ("c2", "The tool call was denied."),
    ]


def test_external_results_model_retry_and_tool_return() -> None:
    toolset = ExternalToolset(
        [
            ToolDefinition(
                "get_preferred_language",
                {"type": "object", "properties": {"default_language": {"type": "string"}}},
                "The user's preferred language, from their browser",
            ),
            ToolDefinition("get_location"),
        ]
    )
    model, seen = scripted(
        calls(("get_preferred_language", {"default_language": "en-US"}, "c1"), ("get_location", {}, "c2")),
        ModelResponse([TextPart("Hola")]),
    )
    agent: Agent[None, Any] = Agent(model, toolsets=[toolset], output_type=[str, DeferredToolRequests])
    first = agent.run_sync("Greet me")
    assert isinstance(first.output, DeferredToolRequests)
    assert [c.tool_name for c in first.output.calls] == ["get_preferred_language", "get_location"]
    assert first.output.approvals == [] and first.output.metadata == {}
    agent.run_sync(
        message_history=first.all_messages(),
        deferred_tool_results=DeferredToolResults(
            calls={
                "c1": ToolReturn(
                    "es-MX", content="The browser also sent: es, en", metadata={"source": "navigator"}
                ),
                "c2": ModelRetry("Location permission was refused"),
            }
        ),
    )
    parts = seen[-1][-1].parts
    assert isinstance(parts[0], ToolReturnPart)
    assert (parts[0].content, parts[0].metadata) == ("es-MX", {"source": "navigator"})
    assert isinstance(parts[1], RetryPromptPart)
    assert (parts[1].tool_name, parts[1].tool_call_id, parts[1].content) == (
        "get_location",
        "c2",
        "Location permission was refused",
    )
    assert isinstance(parts[2], UserPromptPart) and parts[2].content == "The browser also sent: es, en"


def test_approval_required_toolset_asks_only_for_what_the_function_picks() -> None:
    log: list[str] = []

    def write(path: str) -> str:
        log.append(f"write {path}")
        return "written"

    picked = FunctionToolset([write]).approval_required(lambda ctx, tool_def, args: args["path"] == "secret")
    model, _ = scripted(
        calls(("write", {"path": "public"}, "c1"), ("write", {"path": "secret"}, "c2")),
        ModelResponse([TextPart("done")]),
    )
    agent: Agent[None, Any] = Agent(model, toolsets=[picked], output_type=[str, DeferredToolRequests])
    first = agent.run_sync("write both")
    assert isinstance(first.output, DeferredToolRequests)
    assert [c.tool_call_id for c in first.output.approvals] == ["c2"]
    assert log == ["write public"]
    second = agent.run_sync(
        message_history=first.all_messages(),
        deferred_tool_results=DeferredToolResults(approvals={"c2": True}),
    )
    assert second.output == "done" and log == ["write public", "write secret"]


# ------------------------------------------------------------------------------------------ errors


def test_a_deferred_call_without_a_result_is_the_user_error_pydantic_ai_gives() -> None:
    model, _ = scripted(calls(("delete_file", {"path": "a"}, "c1"), ("calculate", {"question": "q"}, "c2")))
    agent = file_agent(model, [])
    first = agent.run_sync("go")
    with pytest.raises(UserError) as info:
        agent.run_sync(
            message_history=first.all_messages(),
            deferred_tool_results=DeferredToolResults(approvals={"c1": True}),
        )
    assert str(info.value) == (
        "Tool call results need to be provided for all deferred tool calls. Expected: {'c1', 'c2'}, got: {'c1'}"
    )


def test_results_for_calls_already_answered_or_without_pending_calls_are_user_errors() -> None:
    model, _ = scripted(
        calls(("update_file", {"path": "r", "content": ""}, "c1"), ("delete_file", {"path": "a"}, "c2"))
    )
    agent = file_agent(model, [])
    history = agent.run_sync("go").all_messages()
    with pytest.raises(
        UserError, match="Tool call 'c1' was already executed and its result cannot be overridden."
    ):
        agent.run_sync(
            message_history=history,
            deferred_tool_results=DeferredToolResults(approvals={"c1": True, "c2": True}),
        )
    done = [ModelRequest([UserPromptPart("hi")]), ModelResponse([TextPart("hello")])]
    with pytest.raises(UserError, match="does not contain any unprocessed tool calls"):
        agent.run_sync(message_history=done, deferred_tool_results=DeferredToolResults())
    with pytest.raises(UserError, match="the message history is empty"):
        agent.run_sync(deferred_tool_results=DeferredToolResults())


def test_deferring_without_deferred_tool_requests_in_the_output_types_is_a_user_error() -> None:
    model, _ = scripted(calls(("delete_file", {"path": "a"}, "c1")))
    agent = file_agent(model, [])
    with pytest.raises(UserError, match="add `DeferredToolRequests` to the list of output types"):
        agent.run_sync("go", output_type=str)
    with pytest.raises(
        UserError, match="At least one output type must be provided other than `DeferredToolRequests`"
    ):
        agent.run_sync("go", output_type=DeferredToolRequests)


def test_history_ending_in_tool_calls_runs_them_without_a_prompt_and_refuses_a_new_prompt() -> None:
    log: list[str] = []
    model, seen = scripted(ModelResponse([TextPart("done")]))
    agent = file_agent(model, log)
    history: list[ModelMessage] = [
        ModelRequest([UserPromptPart("write")]),
        calls(("update_file", {"path": "x", "content": "1"}, "c1")),
    ]
    with pytest.raises(
        UserError,
        match="Cannot provide a new user prompt when the message history contains unprocessed tool calls",
    ):
        agent.run_sync("and more", message_history=history)
    assert agent.run_sync(message_history=history).output == "done"
    assert log == ["update x approved=False metadata=None"]
    assert [p.tool_call_id for p in seen[0][-1].parts] == ["c1"]  # type: ignore[union-attr]


def test_run_stream_and_iter_end_with_deferred_requests_too() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[DeltaToolCalls]:
        yield {0: DeltaToolCall("delete_file", '{"path": ', "c1")}
        yield {0: DeltaToolCall(json_args='"a"}')}

    async def main() -> None:
        agent = file_agent(FunctionModel(stream_function=stream), [])
        async with agent.run_stream("go") as streamed:
            output = await streamed.get_output()
        assert output == DeferredToolRequests(approvals=[ToolCallPart("delete_file", '{"path": "a"}', "c1")])
        assert [m.kind for m in streamed.all_messages()] == ["request", "response"]

        model, _ = scripted(calls(("delete_file", {"path": "b"}, "c2")))
        async with file_agent(model, []).iter("go") as run:
            nodes = [type(node).__name__ async for node in run]
        assert nodes == ["UserPromptNode", "ModelRequestNode", "CallToolsNode", "End"]
        assert run.result is not None and isinstance(run.result.output, DeferredToolRequests)

    asyncio.run(main())
