"""`agent.iter()`: the run as a sequence of nodes, for callers who want to watch, stream or steer each step.

PydanticAI exposes its agent graph's nodes here; wireai's run is a plain loop (`_run.Runner`), so the
nodes are small records of the loop's steps with PydanticAI's names, fields and methods: a
`UserPromptNode`, then for each round trip a `ModelRequestNode` (the request about to be sent) and a
`CallToolsNode` (the response whose tools are about to run), and finally `End` with the
`FinalResult`. `node.run(ctx)` takes the step; `node.stream(ctx)` takes it while giving its events
(the model response's as it streams, the tool calls' as they run). `AgentRun.next(node)` runs a node
and returns the next; iterating the `AgentRun` does that until `End`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, aclosing, asynccontextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Generic, TypeVar, Union

from ._run import FinalResult, Runner
from ._step_events import step_events
from .exceptions import UserError
from .messages import (
    AgentStreamEvent,
    FinalResultEvent,
    HandleResponseEvent,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponseStreamEvent,
    UserContent,
)
from .models import StreamedResponse
from .result import AgentRunResult, AgentStream
from .usage import RunUsage

if TYPE_CHECKING:
    from .agent import EventStreamHandler

__all__ = ["AgentRun", "CallToolsNode", "End", "GraphRunContext", "ModelRequestNode", "UserPromptNode"]

T = TypeVar("T")


class GraphRunContext:
    """What `AgentRun.ctx` gives a node to run in (PydanticAI passes its graph's context the same
    way): the run itself, its state (`message_history`, `usage`: the run's own objects, and
    `run_step`) and its dependencies (`user_deps`, `prompt`, `model`)."""

    __slots__ = ("_runner", "deps", "state")

    def __init__(self, runner: Runner):
        self._runner = runner
        self.state = _RunState(runner)
        self.deps = SimpleNamespace(user_deps=runner.deps, prompt=runner.prompt, model=runner.model)


class _RunState:
    __slots__ = ("_runner", "message_history", "usage")

    def __init__(self, runner: Runner):
        self._runner = runner
        self.message_history: list[ModelMessage] = runner.messages
        self.usage: RunUsage = runner.usage

    @property
    def run_step(self) -> int:
        return self._runner.run_step


@dataclass
class End(Generic[T]):
    data: T


@dataclass
class UserPromptNode:
    """The run's start: the prompt (and the history) become the first request."""

    user_prompt: str | Sequence[UserContent] | None
    _next: ModelRequestNode | CallToolsNode | None = field(
        default=None, init=False, repr=False, compare=False
    )

    async def run(self, ctx: GraphRunContext) -> ModelRequestNode | CallToolsNode:
        if self._next is None:
            runner = ctx._runner
            pending = await runner.begin(self.user_prompt)
            if pending is not None:  # the history ends in tool calls: answer them before asking the model
                self._next = CallToolsNode(pending, _answers_history=True)
            else:
                self._next = ModelRequestNode(_last_request(runner))
        return self._next


@dataclass
class ModelRequestNode:
    """A request about to be sent to the model (the run's last message)."""

    request: ModelRequest
    _next: CallToolsNode | None = field(default=None, init=False, repr=False, compare=False)
    _started: bool = field(default=False, init=False, repr=False, compare=False)

    async def run(self, ctx: GraphRunContext) -> CallToolsNode:
        if self._next is None:
            _started_once(self)
            runner = ctx._runner
            self._place(runner)
            self._next = CallToolsNode(await runner.request())
        return self._next

    @asynccontextmanager
    async def stream(self, ctx: GraphRunContext) -> AsyncIterator[AgentStream[Any]]:
        """Send the request streamed: iterate what this yields for the response's events (part
        starts, deltas and ends, and the `FinalResultEvent`), or stream its text or output."""
        _started_once(self)
        runner = ctx._runner
        self._place(runner)
        async with runner.request_stream() as (streamed, _):
            stream: AgentStream[Any] = AgentStream(runner, streamed)
            yield stream
            await stream._finish()  # the rest of the response, when the caller stopped early
        response = streamed.get()
        runner.add_response(response)
        stream._complete = True
        self._next = CallToolsNode(response)

    def _place(self, runner: Runner) -> None:
        # The request sent is this node's, also when a caller hands `next()` a request of its own.
        if runner.messages[-1] is not self.request:
            runner.messages[-1] = self.request


@dataclass
class CallToolsNode:
    """A model response whose tool calls are about to run (or whose output is about to be validated)."""

    model_response: ModelResponse
    _answers_history: bool = field(default=False, repr=False, compare=False)
    _next: ModelRequestNode | End[FinalResult] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _started: bool = field(default=False, init=False, repr=False, compare=False)

    async def run(self, ctx: GraphRunContext) -> ModelRequestNode | End[FinalResult]:
        if self._next is None:
            _started_once(self)
            await self._handle(ctx._runner)
        assert self._next is not None
        return self._next

    @asynccontextmanager
    async def stream(self, ctx: GraphRunContext) -> AsyncIterator[AsyncIterator[HandleResponseEvent]]:
        """Handle the response while yielding its events: each tool call (output tools' and function
        tools') and what each gave, as the calls run."""
        _started_once(self)
        events = step_events(ctx._runner, self._handle(ctx._runner))
        try:
            yield events
            async for _ in events:  # the rest of the step, when the caller stopped early
                pass
        finally:
            await events.aclose()

    async def _handle(self, runner: Runner) -> None:
        response = self.model_response
        if self._answers_history:
            final = await runner.answer_pending(response)
        else:
            final = await runner.handle_response(response)
        self._next = End(final) if final is not None else ModelRequestNode(_last_request(runner))


AgentNode = Union[UserPromptNode, ModelRequestNode, CallToolsNode, "End[FinalResult]"]


def _started_once(node: ModelRequestNode | CallToolsNode) -> None:
    if node._started:
        raise UserError(
            f"This {type(node).__name__} was already run or streamed (or its stream is still open): "
            "each node runs once; run or stream the node `AgentRun.next()` returned"
        )
    node._started = True


def _last_request(runner: Runner) -> ModelRequest:
    request = runner.messages[-1]
    assert isinstance(request, ModelRequest)
    return request


class AgentRun:
    """A run driven node by node: iterate it (each step runs as the next node is asked for), or call
    `next(node)` yourself; `ctx` is what nodes run and stream in; `result` is set once `End` is reached."""

    def __init__(self, runner: Runner, user_prompt: str | Sequence[UserContent] | None):
        self._runner = runner
        self._node: AgentNode = UserPromptNode(user_prompt)
        self._started = False
        self.ctx = GraphRunContext(runner)
        self.result: AgentRunResult[Any] | None = None

    @property
    def next_node(self) -> AgentNode:
        """The node that runs next (the `UserPromptNode` before the run starts, `End` after it ends)."""
        return self._node

    async def next(self, node: AgentNode) -> AgentNode:
        """Run `node` (or take what its stream already did) and return the node after it."""
        if isinstance(node, End):
            raise UserError("The run has ended: an End node cannot be run")
        self._started = True
        following: AgentNode = await node.run(self.ctx)
        self._node = following
        if isinstance(following, End):
            runner = self._runner
            final = following.data
            self.result = AgentRunResult(
                final.output, runner.messages, runner.new_message_index, runner.usage, final.tool_name
            )
        return following

    def __aiter__(self) -> AgentRun:
        return self

    async def __anext__(self) -> AgentNode:
        if not self._started:
            self._started = True
            return self._node
        node = self._node
        if isinstance(node, End):
            raise StopAsyncIteration
        return await self.next(node)

    @property
    def usage(self) -> RunUsage:
        """The run's usage so far; callable like the seed's method."""
        return self._runner.usage

    def all_messages(self) -> list[ModelMessage]:
        return list(self._runner.messages)

    def new_messages(self) -> list[ModelMessage]:
        return self.all_messages()[self._runner.new_message_index :]


# ------------------------------------------------------------------------------------------ runs with events


async def node_streams(run: AgentRun) -> AsyncGenerator[AsyncIterable[AgentStreamEvent], None]:
    """Run every node, yielding each model request's and tool step's events while the step is open."""
    async for node in run:
        if isinstance(node, ModelRequestNode):
            async with node.stream(run.ctx) as response_events:
                yield response_events
        elif isinstance(node, CallToolsNode):
            async with node.stream(run.ctx) as tool_events:
                yield tool_events


async def run_with_handler(run: AgentRun, handler: EventStreamHandler[Any]) -> None:
    """`run(event_stream_handler=...)`: every step's events go to the handler, which the step waits for."""
    ctx = run._runner.ctx
    async with aclosing(node_streams(run)) as streams:
        async for events in streams:
            await handler(ctx, events)


async def stream_run_events(run: AbstractAsyncContextManager[AgentRun]) -> AsyncGenerator[Any, None]:
    """`run_stream_events()`: the run (entered at the first event asked for), its events, its result."""
    from .run import AgentRunResultEvent

    async with run as agent_run, aclosing(node_streams(agent_run)) as streams:
        async for events in streams:
            async for event in events:
                yield event
    assert agent_run.result is not None
    yield AgentRunResultEvent(agent_run.result)


async def answer_with_handler(
    runner: Runner, handler: EventStreamHandler[Any], response: ModelResponse, *, answers_history: bool
) -> FinalResult | None:
    """`run_stream(event_stream_handler=...)`: handle a response (or the history's unanswered one)
    with its tool events going to the handler."""
    node = CallToolsNode(response, _answers_history=answers_history)
    async with node.stream(GraphRunContext(runner)) as events:
        await handler(runner.ctx, events)
    return node._next.data if isinstance(node._next, End) else None


async def events_to_final(
    runner: Runner, streamed: StreamedResponse, handler: EventStreamHandler[Any]
) -> FinalResultEvent | None:
    """`run_stream(event_stream_handler=...)`: the handler gets a response's events up to the final
    result's (the rest is the caller's to stream); None if the response holds no final result."""
    stream: AgentStream[Any] = AgentStream(runner, streamed)

    async def until_final() -> AsyncIterator[ModelResponseStreamEvent]:
        async for event in stream:
            yield event
            if type(event) is FinalResultEvent:
                return

    await handler(runner.ctx, until_final())
    await stream._ready()  # a handler that stopped early: read on to the final result
    return stream._final_event
