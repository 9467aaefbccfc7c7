"""Running a coroutine from sync code, repeatedly, and from inside an already running loop (Jupyter)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()
_executor: ThreadPoolExecutor | None = None


def _thread_loop() -> asyncio.AbstractEventLoop:
    # One long-lived loop per thread: pooled HTTP connections stay usable between run_sync calls,
    # which a fresh asyncio.run() per call would close (and leak as "unclosed" warnings).
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = _local.loop = asyncio.new_event_loop()
    return loop


def _run_here(coro: Coroutine[Any, Any, T]) -> T:
    return _thread_loop().run_until_complete(coro)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_here(coro)
    # A loop is already running in this thread (a notebook, an async framework calling sync code):
    # run on a worker thread's own loop instead of failing with "loop already running".
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wireai-run-sync")
    return _executor.submit(contextvars.copy_context().run, _run_here, coro).result()
