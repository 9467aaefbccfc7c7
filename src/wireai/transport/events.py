"""What the transport tells an observer about a request in progress (today: each retry it makes).

`InstrumentedModel` sets `retry_listener` while a request is being sent and turns each call into
an event on its span. The transport only looks the listener up when it is about to retry, so a
request that succeeds at once pays nothing, observed or not.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["RetryEvent", "notify_retry", "retry_listener"]


@dataclass(frozen=True)
class RetryEvent:
    attempt: int
    """The number of the attempt about to be made (2 for the first retry)."""
    delay: float
    """Seconds waited before it."""
    status_code: int | None = None
    """The status that caused the retry, or None when the vendor could not be reached."""
    error: BaseException | None = None
    """The connection error that caused the retry, if that was the cause."""


retry_listener: ContextVar[Callable[[RetryEvent], None] | None] = ContextVar(
    "wireai_retry_listener", default=None
)


def notify_retry(
    attempt: int, delay: float, status_code: int | None = None, error: BaseException | None = None
) -> None:
    listener = retry_listener.get()
    if listener is not None:
        listener(RetryEvent(attempt + 1, delay, status_code, error))
