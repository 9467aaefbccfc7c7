"""Concurrency limits, as PydanticAI has them: at most `max_running` operations at once, a bounded queue.

`Agent(max_concurrency=...)` limits the agent's concurrent runs; `ConcurrencyLimitedModel` (in
`models/concurrency.py`) limits the requests to one model. A `ConcurrencyLimiter` instance given
to several agents or models is one pool shared by all of them (one account's quota, say).

A run or request that has to wait shows up in traces as a `waiting for {name} concurrency` span
when there is a tracer: the limiter's own `tracer=`, or the global one once the program has
imported OpenTelemetry (wireai never imports it just for this).
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from ._fifo import FifoSlots
from .exceptions import ConcurrencyLimitExceeded

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer
    from typing_extensions import Self

__all__ = [
    "AbstractConcurrencyLimiter",
    "AnyConcurrencyLimit",
    "ConcurrencyLimit",
    "ConcurrencyLimiter",
    "get_concurrency_context",
    "normalize_to_limiter",
]


class AbstractConcurrencyLimiter(ABC):
    """What the agent and `ConcurrencyLimitedModel` need of a limiter; subclass it for, e.g., a
    limiter shared between processes through Redis."""

    @abstractmethod
    async def acquire(self, source: str) -> None:
        """Take a slot, waiting if needed. `source` names who asks (`agent:support`, `model:gpt-4o`)."""

    @abstractmethod
    def release(self) -> None:
        """Give a slot back."""


@dataclass
class ConcurrencyLimit:
    """`max_running` operations at once; past that up to `max_queued` wait (None: any number), and
    one more raises `ConcurrencyLimitExceeded`."""

    max_running: int
    max_queued: int | None = None


class ConcurrencyLimiter(AbstractConcurrencyLimiter):
    """A limiter instance: give the same one to several agents or models to share one pool.

    Slots are handed out in arrival order and belong to no task: a stream opened in one task and
    closed in another gives its slot back all the same.
    """

    def __init__(
        self,
        max_running: int,
        *,
        max_queued: int | None = None,
        name: str | None = None,
        tracer: Tracer | None = None,
    ):
        if max_running < 1:
            from .exceptions import UserError

            raise UserError(f"max_running must be at least 1, got {max_running}")
        self._slots = FifoSlots(max_running)
        self._max_queued = max_queued
        self._name = name
        self._tracer = tracer

    @classmethod
    def from_limit(
        cls, limit: int | ConcurrencyLimit, *, name: str | None = None, tracer: Tracer | None = None
    ) -> Self:
        if isinstance(limit, int):
            return cls(limit, name=name, tracer=tracer)
        return cls(limit.max_running, max_queued=limit.max_queued, name=name, tracer=tracer)

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def max_running(self) -> int:
        return self._slots.total

    @property
    def running_count(self) -> int:
        return self._slots.in_use

    @property
    def waiting_count(self) -> int:
        return self._slots.waiting

    @property
    def available_count(self) -> int:
        return self._slots.total - self._slots.in_use

    async def acquire(self, source: str) -> None:
        slots = self._slots
        if slots.try_acquire():
            return
        display = self._name or source
        if self._max_queued is not None and slots.waiting >= self._max_queued:
            raise ConcurrencyLimitExceeded(
                f"Concurrency queue depth ({slots.waiting + 1}) exceeds max_queued ({self._max_queued})"
                + (f" for {display}" if display else "")
            )
        tracer = self._tracer or _global_tracer()
        if tracer is None:
            await slots.acquire()
            return
        attributes: dict[str, Any] = {
            "source": source,
            "waiting_count": slots.waiting + 1,
            "max_running": slots.total,
        }
        if self._name is not None:
            attributes["limiter_name"] = self._name
        if self._max_queued is not None:
            attributes["max_queued"] = self._max_queued
        with tracer.start_as_current_span(f"waiting for {display} concurrency", attributes=attributes):
            await slots.acquire()

    def release(self) -> None:
        self._slots.release()

    def __repr__(self) -> str:
        return (
            f"ConcurrencyLimiter(max_running={self.max_running}, max_queued={self._max_queued}, "
            f"name={self._name!r}, running={self.running_count}, waiting={self.waiting_count})"
        )


AnyConcurrencyLimit = Union[int, ConcurrencyLimit, AbstractConcurrencyLimiter, None]
"""An `int` (that many at once, any queue), a `ConcurrencyLimit`, a shared limiter, or None (no limit)."""


def normalize_to_limiter(
    limit: AnyConcurrencyLimit, *, name: str | None = None
) -> AbstractConcurrencyLimiter | None:
    if limit is None or isinstance(limit, AbstractConcurrencyLimiter):
        return limit
    return ConcurrencyLimiter.from_limit(limit, name=name)


class _Held:
    """`async with`: hold a slot of `limiter` for the block (nothing at all when there is no limiter)."""

    __slots__ = ("_limiter", "_source")

    def __init__(self, limiter: AbstractConcurrencyLimiter | None, source: str):
        self._limiter = limiter
        self._source = source

    async def __aenter__(self) -> None:
        if self._limiter is not None:
            await self._limiter.acquire(self._source)

    async def __aexit__(self, *exc: object) -> None:
        if self._limiter is not None:
            self._limiter.release()


def get_concurrency_context(limiter: AbstractConcurrencyLimiter | None, source: str = "unnamed") -> _Held:
    return _Held(limiter, source)


def _global_tracer() -> Tracer | None:
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:  # the program does not use OpenTelemetry: no span, and no import to find out
        return None
    from . import __version__

    tracer: Tracer = trace.get_tracer("wireai", __version__)
    return tracer
