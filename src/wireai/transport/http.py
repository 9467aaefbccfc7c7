"""The one HTTP transport: retries with backoff, vendor errors mapped (the shared client per event
loop is in `clients.py`, safe downloads of user URLs in `download.py`).

Every vendor request goes through `send()`. It is the only place that retries, so there is one
retry layer (no SDK underneath retrying again), and the only place that turns a non-2xx answer
into `ModelHTTPError`, for JSON requests and for streams alike. It waits for a free pooled
connection before handing a request to httpx (`pool_gate.py`).
"""

from __future__ import annotations

import functools
import random
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ..codecs._base import parse_error as default_parse_error
from ..exceptions import ModelAPIError, ModelHTTPError, parse_retry_after
from .clients import DEFAULT_TIMEOUT, cached_async_http_client, create_async_http_client, require_asyncio
from .download import download
from .events import notify_retry
from .pool_gate import send_pooled

if TYPE_CHECKING:
    from .pacing import Pacing

__all__ = [
    "DEFAULT_TIMEOUT",
    "BodyPieces",
    "ErrorParser",
    "RetryPolicy",
    "cached_async_http_client",
    "create_async_http_client",
    "download",
    "read_body",
    "send",
]


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to retry. Retries happen only before a response body is handed over."""

    max_retries: int = 2
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0  # a longer Retry-After (quota exhausted) is surfaced, not slept through
    max_total_wait: float = 90.0
    retry_statuses: frozenset[int] = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
    # Other 5xx are retried too (a proxy's 520-524 is as transient as a 502), except these, which
    # say the server will never do what was asked: "not implemented", "HTTP version not supported".
    final_statuses: frozenset[int] = frozenset({501, 505})

    def delay(self, attempt: int, headers: httpx.Headers | None) -> float | None:
        """Seconds to wait before retry number `attempt` (1-based), or None to give up."""
        if attempt > self.max_retries:
            return None
        if headers is not None:
            asked = parse_retry_after(headers)
            if asked is not None:
                return asked if asked <= self.max_retry_after else None
        backoff = min(self.initial_backoff * 2 ** (attempt - 1), self.max_backoff)
        return backoff * (0.75 + random.random() * 0.25)

    def should_retry_status(self, status: int, headers: Mapping[str, str] | None = None) -> bool:
        """Whether a non-2xx answer is worth another attempt (if attempts and wait time are left).

        The vendor's `x-should-retry: true|false` (OpenAI, Anthropic) overrides the status, as
        their SDKs do: it knows whether this 409 is a lock that will clear or this 500 a bad input.
        """
        forced = headers.get("x-should-retry", "").lower() if headers is not None else ""
        if forced in ("true", "false"):
            return forced == "true"
        return status in self.retry_statuses or (status >= 500 and status not in self.final_statuses)


ErrorParser = Callable[..., ModelHTTPError]
"""A codec's `parse_error(status_code, body, headers, *, model_name)`."""


_DEFAULT_RETRY = RetryPolicy()  # frozen: one for every request that brings none


async def _sleep(delay: float) -> None:
    """`asyncio.sleep`, imported only when a retry waits (`import wireai` must not pay for asyncio)."""
    from asyncio import sleep

    await sleep(delay)


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    model_name: str,
    content: bytes | AsyncIterable[bytes] | None = None,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    auth: httpx.Auth | None = None,
    timeout: float | httpx.Timeout | None = None,
    retry: RetryPolicy | None = None,
    stream: bool = False,
    pacing: Pacing | None = None,
    parse_error: ErrorParser = default_parse_error,
) -> httpx.Response:
    """Send one request with retries; return a 2xx response (still open when `stream` is true).

    Raises the `ModelHTTPError` the codec's `parse_error` makes of a non-2xx answer, and
    `ModelAPIError` when the vendor could not be reached or timed out. With `pacing`, each attempt
    waits for the account's rate-limit budget and every answer's rate-limit headers update it.
    """
    require_asyncio()
    policy = retry or _DEFAULT_RETRY
    waited = 0.0
    attempt = 0
    request_timeout: Any = timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT
    send_once: Callable[..., Awaitable[httpx.Response]] = functools.partial(send_pooled, client)
    if pacing is not None:
        send_once = pacing.wrap(send_once)  # admitted by the budget first, then queued for a connection
    while True:
        attempt += 1
        request = client.build_request(
            method, url, content=content, headers=headers, params=params, timeout=request_timeout
        )
        try:
            response = await send_once(
                request, stream=stream, auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT
            )
        except (
            httpx.ConnectError,
            httpx.ConnectTimeout,
            httpx.RemoteProtocolError,
            httpx.PoolTimeout,
        ) as exc:
            delay = policy.delay(attempt, None)
            if delay is None or waited + delay > policy.max_total_wait:
                error = ModelAPIError(model_name, f"Could not reach {_origin(url)}: {exc!r}")
                raise error.after_attempts(attempt) from exc
            waited += delay
            notify_retry(attempt, delay, error=exc)
            await _sleep(delay)
            continue
        except httpx.TimeoutException as exc:
            error = ModelAPIError(model_name, f"Request to {_origin(url)} timed out ({type(exc).__name__})")
            raise error.after_attempts(attempt) from exc
        except httpx.HTTPError as exc:
            error = ModelAPIError(model_name, f"Request to {_origin(url)} failed: {exc!r}")
            raise error.after_attempts(attempt) from exc

        status = response.status_code
        if 200 <= status < 300:
            return response
        try:
            raw = await response.aread()
        except httpx.HTTPError:
            raw = b""
        finally:
            await response.aclose()
        if policy.should_retry_status(status, response.headers):
            delay = policy.delay(attempt, response.headers)
            if delay is not None and waited + delay <= policy.max_total_wait:
                waited += delay
                notify_retry(attempt, delay, status)
                await _sleep(delay)
                continue
        raise parse_error(status, raw, response.headers, model_name=model_name).after_attempts(attempt)


class BodyPieces:
    """A large request body written to the socket in slices, with its `Content-Length`.

    Handed whole to httpx, a body of hundreds of megabytes (a batch file upload) is copied into
    asyncio's transport buffer when the socket cannot take it at once, so the process holds it
    twice. In slices, only one slice at a time is in flight. It can be iterated again, so the
    transport's retries resend it.
    """

    piece = 1 << 20

    def __init__(self, data: bytes):
        self.data = data

    @property
    def headers(self) -> dict[str, str]:
        return {"content-length": str(len(self.data))}

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._pieces()

    async def _pieces(self) -> AsyncIterator[bytes]:
        view = memoryview(self.data)
        for start in range(0, len(view), self.piece):
            yield bytes(view[start : start + self.piece])


async def read_body(response: httpx.Response, model_name: str) -> bytes:
    """The whole body of a response sent with `stream=True`, then the response closed.

    Reading it here rather than with `aread()` keeps it out of `Response.content`: an httpx response
    sits in a reference cycle until the garbage collector runs, and so would a large body cached
    on it. A body that stalls or breaks off mid-read is a `ModelAPIError`.
    """
    try:
        return b"".join([chunk async for chunk in response.aiter_bytes()])
    except httpx.TimeoutException as exc:
        raise ModelAPIError(
            model_name, f"The response stalled: no data within the read timeout ({type(exc).__name__})"
        ) from exc
    except httpx.HTTPError as exc:
        raise ModelAPIError(model_name, f"The response broke off: {exc!r}") from exc
    finally:
        await response.aclose()


def _origin(url: str) -> str:
    return str(httpx.URL(url).copy_with(query=None, fragment=None))
