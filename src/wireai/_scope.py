"""What surrounds one agent run: a slot of the agent's concurrency limiter, then its trace span.

`run`, `run_stream` and `iter` enter it once around the whole run (a stream's slot and span last
until the stream is closed). A run with neither gets `NO_SCOPE`, which does nothing.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._run import Runner
    from .concurrency import AbstractConcurrencyLimiter

__all__ = ["NO_SCOPE", "RunScope", "run_scope"]


class RunScope:
    def __init__(self, limiter: AbstractConcurrencyLimiter | None, source: str, runner: Runner):
        self._limiter = limiter
        self._source = source
        self._runner = runner
        self._span: AbstractContextManager[None] | None = None

    async def __aenter__(self) -> None:
        if self._limiter is not None:
            await self._limiter.acquire(self._source)
        tracing = self._runner.tracing
        if tracing is not None:
            try:
                span = tracing.run_span(self._runner)
                span.__enter__()
            except BaseException:
                if self._limiter is not None:
                    self._limiter.release()
                raise
            self._span = span

    async def __aexit__(self, *exc_info: Any) -> None:
        try:
            if self._span is not None:
                self._span.__exit__(*exc_info)
        finally:
            if self._limiter is not None:
                self._limiter.release()


class _NoScope:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc_info: object) -> None:
        return None


NO_SCOPE = _NoScope()


def run_scope(limiter: AbstractConcurrencyLimiter | None, source: str, runner: Runner) -> RunScope | _NoScope:
    if limiter is None and runner.tracing is None:
        return NO_SCOPE
    return RunScope(limiter, source, runner)
