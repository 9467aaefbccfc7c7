"""The shared HTTP client: one per asyncio event loop, closed when its loop shuts down, fresh after a fork.

Other loop-bound objects (a token refresh lock) live per loop beside it, in `loop_local`.

Pooled connections belong to the loop that opened them, so every loop gets its own client, and
that client must go away with its loop: a serverless handler calling `asyncio.run` per invocation,
or a thread pool calling `run_sync`, would otherwise keep every loop, client and socket it ever
made.
"""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from .. import __version__
from ..exceptions import UserError

__all__ = [
    "DEFAULT_TIMEOUT",
    "cached_async_http_client",
    "create_async_http_client",
    "loop_local",
    "require_asyncio",
]

T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(600, connect=5)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30)
USER_AGENT = f"wireai/{__version__}"


def create_async_http_client(timeout: float | httpx.Timeout | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
        limits=DEFAULT_LIMITS,
        headers={"User-Agent": USER_AGENT},
        verify=_ssl_context(),
    )


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """httpx's default TLS context, built once: loading the CA bundle costs ~18 ms and ~60 KB per
    client, paid again by every `asyncio.run` that makes a fresh loop (and so a fresh client).
    An `SSLContext` is safe to share between loops and threads."""
    return httpx.create_ssl_context()


@dataclass
class _LoopState:
    """What lives exactly as long as one event loop."""

    closer: Any  # the parked async generator that closes `client` when the loop shuts down
    client: httpx.AsyncClient | None = None
    objects: dict[Any, Any] = field(default_factory=dict)  # `loop_local` values


# loop -> its state. A plain dict, not a WeakKeyDictionary: the client's connections and the
# closer's finalizer hook refer back to the loop, so a weak key would never die (every loop and
# client ever made stayed alive that way). Entries leave explicitly instead: when their loop shuts
# down, or when a later lookup finds their loop closed without a shutdown.
_loops: dict[Any, _LoopState] = {}


def _state(loop: Any) -> _LoopState:
    state = _loops.get(loop)
    if state is None:
        _forget_closed_loops()
        state = _loops[loop] = _LoopState(_close_at_loop_shutdown(loop))
    return state


def cached_async_http_client() -> httpx.AsyncClient:
    """The client shared by every provider that was not given its own `http_client`.

    One per event loop, so `run_sync` called several times (each with a fresh loop) never reuses a
    socket of a closed loop ("Event loop is closed"). A client someone closed is replaced, never
    reused. Called outside any loop, it returns a new, unshared client; under trio it raises
    `UserError` (wireai runs on asyncio).
    """
    loop = require_asyncio()
    if loop is None:
        # Outside a loop nothing can be shared safely: the caller gets a client of its own.
        return create_async_http_client()
    state = _state(loop)
    if state.client is None or state.client.is_closed:
        state.client = create_async_http_client()
    return state.client


def loop_local(key: object, factory: Callable[[], T]) -> T:
    """The running loop's object for `key`, made by `factory` on first use, dropped with the loop.

    For loop-bound objects a long-lived owner needs once per loop (an `asyncio.Lock` binds the loop
    it first waits on): kept in a dict keyed by loop, such an object would keep its loop alive.
    """
    import asyncio

    objects = _state(asyncio.get_running_loop()).objects
    if key not in objects:
        objects[key] = factory()
    return objects[key]


def require_asyncio() -> Any:
    """The running asyncio loop; None outside any event loop; `UserError` under another async library.

    Under trio nothing would ever close a shared client (there is no loop shutdown to hook), and
    the rest of wireai awaits asyncio primitives, so a clear error beats an unclosed client per
    request and a confusing failure later.
    """
    import asyncio  # not at module level: `import wireai` must not pay for asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    import sniffio

    try:
        library = sniffio.current_async_library()
    except sniffio.AsyncLibraryNotFoundError:
        return None
    raise UserError(
        f"wireai runs on asyncio, not {library}: run your code with asyncio "
        "(e.g. `anyio.run(main, backend='asyncio')`) or call `run_sync` from a thread"
    )


def _close_at_loop_shutdown(loop: Any) -> Any:
    """Park an async generator on `loop` whose `finally` closes the loop's client and forgets it.

    `asyncio.run` (and `run_sync`'s per-thread loops, see `_sync.py`) finalize a loop's async
    generators before closing it, so the parked generator is the loop's own shutdown hook.
    """

    async def closer() -> Any:
        try:
            yield
        finally:
            state = _loops.pop(loop, None)
            if state is not None and state.client is not None:
                await state.client.aclose()

    generator = closer()
    loop.create_task(generator.__anext__())  # runs to the `yield`; the loop now tracks the generator
    return generator


def _forget_closed_loops() -> None:
    """Drop the clients of loops that were closed without shutting down (`loop.close()` alone).

    Their sockets can no longer be closed politely (that needs the loop); dropping the references
    lets the garbage collector close them instead of keeping them forever.
    """
    for loop in [loop for loop in _loops if loop.is_closed()]:
        _loops.pop(loop, None)


# A forked child must not touch its parent's loops or sockets: closing an inherited connection or
# loop would unregister file descriptors the parent still polls. The child starts with no shared
# clients and keeps the inherited ones referenced (never finalized) for the rest of its life.
_inherited: list[object] = []


def _after_fork_in_child() -> None:
    _inherited.append(dict(_loops))
    _loops.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
