"""The events of one run step, handed to whoever iterates them while the step runs.

Handling a response (running its tools) is plain coroutine code in `_run.Runner`, which hands its
events to `Runner.emit`. To give them to a consumer as they happen — a tool call before the tool
runs, each result as it comes — the step runs in a task of its own while the consumer's iteration
waits for the next event or the step's end. Only listened-to steps pay for this; the step's
exception reaches the consumer after the events that preceded it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator, Coroutine
from typing import TYPE_CHECKING, Any

from .messages import HandleResponseEvent

if TYPE_CHECKING:
    from ._run import Runner

__all__ = ["step_events"]


async def step_events(
    runner: Runner, step: Coroutine[Any, Any, Any]
) -> AsyncGenerator[HandleResponseEvent, None]:
    """Run `step` with `runner.emit` feeding this iterator; closing the iterator early cancels the step."""
    events: deque[HandleResponseEvent] = deque()
    wake = asyncio.Event()

    def emit(event: HandleResponseEvent) -> None:
        events.append(event)
        wake.set()

    runner.emit = emit
    task = asyncio.ensure_future(step)
    task.add_done_callback(lambda _: wake.set())
    try:
        while True:
            while events:
                yield events.popleft()
            if task.done():
                break
            await wake.wait()
            wake.clear()
    finally:
        runner.emit = None
        if not task.done():
            task.cancel()
            await asyncio.wait([task])
        if not task.cancelled():
            task.exception()  # retrieved here, raised below: never "exception was never retrieved"
    task.result()
