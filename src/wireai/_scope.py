"""What surrounds one agent run: a slot of the agent's concurrency limiter, its trace span, its toolsets.

`run`, `run_stream` and `iter` enter it once around the whole run (a stream's slot, span and
toolsets last until the stream is closed). A run with none of them (no limiter, no tracing, and
toolsets that hold nothing) gets `NO_SCOPE`, which does nothing.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from .toolsets.abstract import has_lifecycle

if TYPE_CHECKING:
    from ._run import Runner
    from .concurrency import AbstractConcurrencyLimiter
    from .toolsets.abstract import AbstractToolset

__all__ = ["NO_SCOPE", "RunScope", "run_scope"]


class RunScope:
    def __init__(self, limiter: AbstractConcurrencyLimiter | None, source: str, runner: Runner):
        self._limiter = limiter
        self._source = source
        self._runner = runner
        self._span: AbstractContextManager[None] | None = None
        self._toolset: AbstractToolset[Any] | None = runner.toolset if has_lifecycle(runner.toolset) else None

    async def __aenter__(self) -> None:
        if self._limiter is not None:
            await self._limiter.acquire(self._source)
        try:
            tracing = self._runner.tracing
            if tracing is not None:
                span = tracing.run_span(self._runner)
                span.__enter__()
                self._span = span
            if self._toolset is not None:
                await self._toolset.__aenter__()
        except BaseException as exc:
            await self._leave(type(exc), exc, exc.__traceback__, toolset_entered=False)
            raise

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._leave(*exc_info, toolset_entered=True)

    async def _leave(self, *exc_info: Any, toolset_entered: bool) -> None:
        """Undo what was entered, innermost first, whatever fails on the way."""
        try:
            if toolset_entered and self._toolset is not None:
                await self._toolset.__aexit__(*exc_info)
        finally:
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
    if limiter is None and runner.tracing is None and not has_lifecycle(runner.toolset):
        return NO_SCOPE
    return RunScope(limiter, source, runner)
