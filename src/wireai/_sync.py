"""Running a coroutine from sync code, repeatedly, and from inside an already running loop (Jupyter);
and driving one long-lived task step by step from sync code (`TaskPortal`, for `run_stream_sync`).

Each thread that calls `run_sync` keeps one event loop, so pooled HTTP connections stay usable
between calls (a fresh `asyncio.run()` per call would reconnect every time). That loop, with its
shared client, is shut down when its thread ends; a forked child starts with none of its parent's.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import os
import queue
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()
_executor: ThreadPoolExecutor | None = None


class _ThreadLoop:
    """The loop of one thread; only that thread's `threading.local` refers to this holder.

    When the thread ends, Python drops its thread-local storage and with it this holder. The loop
    cannot be shut down right there (the thread is being torn down: running a loop in it would
    recreate thread state), so it is handed to the closer thread, which shuts it down as
    `asyncio.run` does, closing the shared HTTP client with it.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.pid = os.getpid()
        _closer.start()

    def __del__(self) -> None:
        # In a forked child the loop is the parent's: leave it alone (see `_after_fork_in_child`).
        if self.pid == os.getpid() and not self.loop.is_closed():
            _closer.put(self.loop)


class _LoopCloser:
    """A daemon thread shutting down the loops of threads that ended (started with the first loop)."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[asyncio.AbstractEventLoop] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="wireai-loop-closer", daemon=True)
                self._thread.start()

    def put(self, loop: asyncio.AbstractEventLoop) -> None:
        self._queue.put(loop)  # SimpleQueue.put is safe from a finalizer in a thread being torn down

    def _run(self) -> None:
        while True:
            shut_down(self._queue.get())


def shut_down(loop: asyncio.AbstractEventLoop) -> None:
    """What `asyncio.run` does at its end: cancel what is left, finalize async generators (the shared
    client's closer among them), stop the default executor, close the loop."""
    try:
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    except Exception as exc:  # the closer thread must survive one bad loop
        loop.call_exception_handler(
            {"message": "wireai could not shut down a run_sync loop", "exception": exc}
        )
    finally:
        loop.close()


_closer = _LoopCloser()


def _thread_loop() -> asyncio.AbstractEventLoop:
    holder: _ThreadLoop | None = getattr(_local, "holder", None)
    if holder is None or holder.loop.is_closed():
        holder = _local.holder = _ThreadLoop()
    return holder.loop


def run_on_thread_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to its end on this thread's own loop (created on first use, kept for the next call)."""
    return _thread_loop().run_until_complete(coro)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run_on_thread_loop(coro)
    # A loop is already running in this thread (a notebook, an async framework calling sync code):
    # run on a worker thread's own loop instead of failing with "loop already running".
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wireai-run-sync")
    return _executor.submit(contextvars.copy_context().run, run_on_thread_loop, coro).result()


# A forked child (gunicorn --preload, multiprocessing "fork") inherits this thread's loop, whose
# selector and sockets it shares with the parent, and an executor and closer whose threads do not
# exist in it. It gets fresh ones; the inherited objects stay referenced, never run or closed here.
_inherited: list[object] = []


def _after_fork_in_child() -> None:
    global _local, _executor, _closer
    _inherited.extend((_local, _executor, _closer))
    _local, _executor, _closer = threading.local(), None, _LoopCloser()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class TaskPortal:
    """Sync code driving one task on an event loop, step by step: `call(fn)` runs `fn()` (awaited when
    it gives an awaitable) inside that task and returns what it gave, or raises what it raised;
    `iterate(fn)` does so for each item of the async iterator `fn()` gives.

    A context manager entered and exited through the portal stays in one task and one contextvars
    context, as OpenTelemetry spans, cancel scopes and contextvar tokens need (a new task per step
    would break them). The loop is this thread's, as `run_sync`'s; when a loop already runs in this
    thread, it is the loop of one worker thread kept until `close()`.
    """

    def __init__(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self._worker: ThreadPoolExecutor | None = None
        else:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wireai-stream-sync")
        self._jobs: asyncio.Queue[tuple[Callable[[], Any], asyncio.Future[Any]] | None] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._in_loop_thread(contextvars.copy_context().run, self._start)

    def _start(self) -> None:
        self._loop = _thread_loop()
        self._task = self._loop.create_task(self._serve(self._jobs))

    @staticmethod
    async def _serve(jobs: asyncio.Queue[tuple[Callable[[], Any], asyncio.Future[Any]] | None]) -> None:
        while (job := await jobs.get()) is not None:
            fn, future = job
            try:
                result = fn()
                if inspect.isawaitable(result):
                    result = await result
            except asyncio.CancelledError:
                future.cancel()
                raise
            except BaseException as exc:
                future.set_exception(exc)
            else:
                future.set_result(result)

    def _in_loop_thread(self, fn: Callable[..., T], *args: Any) -> T:
        if self._worker is None:
            return fn(*args)
        return self._worker.submit(fn, *args).result()

    @property
    def closed(self) -> bool:
        return self._task is None

    def call(self, fn: Callable[[], Any]) -> Any:
        def step() -> Any:
            loop = self._loop
            if loop is None:
                raise RuntimeError("This stream has ended: its task is closed")
            future = loop.create_future()
            self._jobs.put_nowait((fn, future))
            return loop.run_until_complete(future)

        return self._in_loop_thread(step)

    def iterate(self, fn: Callable[[], AsyncIterator[T]]) -> Iterator[T]:
        """The items of the async iterator `fn()` gives, each read when asked for; leaving the loop
        early closes that iterator (in the task, while the portal is open)."""
        items = self.call(fn)
        ended = False
        try:
            while True:
                try:
                    item = self.call(items.__anext__)
                except StopAsyncIteration:
                    ended = True
                    return
                yield item
        finally:
            aclose = getattr(items, "aclose", None)
            if not ended and aclose is not None and not self.closed:
                self.call(aclose)

    def close(self) -> None:
        """End the task (after the steps given so far) and release its loop and the worker thread."""

        def finish() -> None:
            if self._loop is not None and self._task is not None:
                self._jobs.put_nowait(None)
                self._loop.run_until_complete(self._task)
            # A closed portal keeps no loop alive (its queue is bound to the loop it was used on).
            self._loop = self._task = None
            self._jobs = asyncio.Queue()

        try:
            self._in_loop_thread(finish)
        finally:
            if self._worker is not None:
                self._worker.shutdown(wait=True)
                self._worker = None
