"""Requests wait for a pooled connection here, in arrival order, never inside httpcore's pool.

httpcore 1.0's pool (under httpx 0.28 and 0.29) reassigns its queue whenever a request enters or
leaves it, and for every queued request it checks every connection. With more requests in flight
than the pool has connections (500 streams on 100 connections), each of those events costs
queued × connections checks, and throughput collapses: 72% of a profile at 500 in-flight streams
was that scan (benchmarks/RESULTS.md). So `send_pooled` hands a request to the pool only once a
connection is free for it: one slot per connection, taken first come, first served, and held until
the response is closed (a stream keeps its slot while it is read, and gives it back however it
ends: read to the end, closed early, cancelled, broken off).

The slots follow the client's own pool: the shared client has `DEFAULT_LIMITS.max_connections`, a
user's `http_client` as many as its own `max_connections`. The wait for a slot is bounded by the
request's pool timeout, as httpcore's own wait would be (`httpx.PoolTimeout`). A pool without a
connection limit, an HTTP/2 pool (requests share connections) and a transport other than httpx's
own (a mock transport, a user's custom one) are not gated. Requests that bypass wireai on the same
client still queue in httpcore as before.
"""

from __future__ import annotations

import sys
import weakref
from typing import Any

import httpx

from .._fifo import FifoSlots

__all__ = ["pool_slots", "send_pooled"]

# transport -> its slots (None: not gated). Keyed weakly: a user's client and its transport may go
# away at any time, and each event loop's shared client has its own transport.
_slots: weakref.WeakKeyDictionary[Any, FifoSlots | None] = weakref.WeakKeyDictionary()


def pool_slots(client: httpx.AsyncClient, url: httpx.URL) -> FifoSlots | None:
    """The slots of the connection pool that `client` sends requests for `url` through."""
    transport = client._transport_for_url(url)  # the mount for this URL, else the client's transport
    try:
        return _slots[transport]
    except KeyError:
        slots = _slots[transport] = _slots_for(transport)
        return slots
    except TypeError:  # a transport that cannot be weakly referenced: not httpx's own
        return None


def _slots_for(transport: Any) -> FifoSlots | None:
    if not isinstance(transport, httpx.AsyncHTTPTransport):
        return None
    # Imported here, once per transport: httpx's transport has loaded httpcore by now, while a
    # module-level import would load it (and trio, where installed) at `Agent(...)` for nothing.
    import httpcore

    pool = getattr(transport, "_pool", None)
    if not isinstance(pool, httpcore.AsyncConnectionPool) or getattr(pool, "_http2", True):
        return None
    limit = getattr(pool, "_max_connections", None)
    if not isinstance(limit, int) or limit < 1 or limit >= sys.maxsize:
        return None  # httpcore stores "no limit" as sys.maxsize
    return FifoSlots(limit)


async def send_pooled(
    client: httpx.AsyncClient, request: httpx.Request, *, stream: bool = False, auth: Any = None
) -> httpx.Response:
    """`client.send(request, stream=..., auth=...)` once the request's pool has a connection for it."""
    slots = pool_slots(client, request.url)
    if slots is None:
        return await client.send(request, stream=stream, auth=auth)
    if not slots.try_acquire():
        timeout = request.extensions.get("timeout", {}).get("pool")
        try:
            await slots.acquire(timeout)
        except TimeoutError:
            raise httpx.PoolTimeout(
                f"No pooled connection became free within {timeout:g} s", request=request
            ) from None
    try:
        response = await client.send(request, stream=stream, auth=auth)
    except BaseException:
        slots.release()
        raise
    if response.is_closed:  # not streamed: the body is read and the connection back in the pool
        slots.release()
    else:
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _HoldsSlot(response.stream, slots)
    return response


class _HoldsSlot(httpx.AsyncByteStream):
    """A streamed response's body that gives its pool slot back once closed (httpx closes a body read
    to its end itself; `aclose()` covers the rest: closed early, cancelled, an error mid-body)."""

    __slots__ = ("_slots", "_stream")

    def __init__(self, stream: httpx.AsyncByteStream, slots: FifoSlots):
        self._stream = stream
        self._slots: FifoSlots | None = slots

    def __aiter__(self) -> Any:
        return self._stream.__aiter__()  # the body's own iterator: no extra layer per chunk

    async def aclose(self) -> None:
        slots, self._slots = self._slots, None
        try:
            await self._stream.aclose()
        finally:
            if slots is not None:
                slots.release()
