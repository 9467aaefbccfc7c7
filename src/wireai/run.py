"""`agent.run_stream_events()`'s types (PydanticAI's `pydantic_ai.run`): the stream of a run's events
and the event that ends it with the run's result; `AgentRun` and `AgentRunResult` as PydanticAI
imports them from here."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, Union

from ._iter import AgentRun
from .messages import AgentStreamEvent, _short_repr
from .result import AgentRunResult

__all__ = ["AgentEventStream", "AgentRun", "AgentRunResult", "AgentRunResultEvent"]

OutputDataT = TypeVar("OutputDataT")


@dataclass(repr=False)
class AgentRunResultEvent(Generic[OutputDataT]):
    """The last event of `run_stream_events()`: the run's result."""

    result: AgentRunResult[OutputDataT]
    event_kind: Literal["agent_run_result"] = "agent_run_result"

    __repr__ = _short_repr


class AgentEventStream(Generic[OutputDataT]):
    """What `agent.run_stream_events()` returns: every event of the run, then an `AgentRunResultEvent`.

    Iterate it (PydanticAI v1's way) or enter it first and iterate what it gives (v2's
    `async with agent.run_stream_events(...) as events`); leaving the `async with` ends the run even
    when its events were not all read. The run starts when the first event is asked for.
    """

    def __init__(
        self, events: AsyncGenerator[Union[AgentStreamEvent, AgentRunResultEvent[OutputDataT]], None]
    ):
        self._events = events

    def __aiter__(self) -> AsyncIterator[Union[AgentStreamEvent, AgentRunResultEvent[OutputDataT]]]:
        return self._events

    async def __aenter__(self) -> AgentEventStream[OutputDataT]:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._events.aclose()
