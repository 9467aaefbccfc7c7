"""`FifoSlots`: N slots handed out first come, first served, to any task on any event loop of the thread.

The concurrency limiter and the rate-limit pacer both queue work behind a small number of slots.
asyncio's own `Semaphore`/`Lock` bind themselves to the first loop that waits on them, so a
limiter shared at module level breaks on the second `run_sync` (a new loop), and anyio's
`CapacityLimiter` ties a slot to the task that borrowed it, so a stream closed from another task
could never give its slot back. A slot here belongs to nobody: whoever holds it releases it.
Not thread-safe: share one between the loops of one thread, not across threads.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

__all__ = ["FifoSlots"]


class FifoSlots:
    def __init__(self, total: int):
        if total < 1:
            raise ValueError(f"need at least one slot, got {total}")
        self.total = total
        self.in_use = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def try_acquire(self) -> bool:
        """Take a free slot now if one is free and nobody is queued before us."""
        if self.in_use < self.total and not self._waiters:
            self.in_use += 1
            return True
        return False

    async def acquire(self, timeout: float | None = None) -> None:
        """Wait for a slot; past `timeout` seconds (None: no limit) give up with `TimeoutError`."""
        if self.try_acquire():
            return
        import asyncio  # here, not at module level: `import wireai` must not pay for asyncio

        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        timer = None if timeout is None else loop.call_later(timeout, _expire, waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                # The slot was handed over just as we were cancelled: pass it on, not lose it.
                self.release()
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise
        finally:
            if timer is not None:
                timer.cancel()

    def release(self) -> None:
        """Give the slot to the first waiter (it stays in use), or free it."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        if self.in_use <= 0:
            raise RuntimeError("release() without a matching acquire()")
        self.in_use -= 1


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError("no slot became free in time"))
