"""Every error wireai raises, typed so callers can tell a bug in their input from a vendor failure."""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .messages import ModelResponse

if sys.version_info < (3, 11):  # pragma: no cover
    from exceptiongroup import ExceptionGroup

__all__ = [
    "AgentRunError",
    "ApprovalRequired",
    "CallDeferred",
    "ConcurrencyLimitExceeded",
    "ContentFilterError",
    "FallbackExceptionGroup",
    "IncompleteToolCall",
    "ModelAPIError",
    "ModelHTTPError",
    "ModelRetry",
    "UnexpectedModelBehavior",
    "UsageLimitExceeded",
    "UserError",
]

SNIPPET_CHARS = 500


def snippet(body: object, limit: int = SNIPPET_CHARS) -> str:
    """A printable, bounded piece of an offending body, so errors show what went wrong without flooding logs."""
    if isinstance(body, (bytes, bytearray)):
        text = bytes(body[: limit * 4]).decode("utf-8", errors="replace")
    else:
        text = body if isinstance(body, str) else repr(body)
    return text if len(text) <= limit else text[:limit] + f"... [{len(text) - limit} more chars]"


class ModelRetry(Exception):
    """Raised by a tool or output validator to send a message back to the model asking it to try again."""

    message: str

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class _ToolDeferral(Exception):
    """A tool's way to stop its call here: the run ends with a `DeferredToolRequests` output.

    `metadata` reaches `DeferredToolRequests.metadata[tool_call_id]`.
    """

    def __init__(self, metadata: dict[str, Any] | None = None):
        self.metadata = metadata
        super().__init__()


class CallDeferred(_ToolDeferral):
    """Raised by a tool whose result will come from outside this run (a frontend, a background job).

    The call is listed in `DeferredToolRequests.calls`; pass its result back with
    `run(message_history=..., deferred_tool_results=DeferredToolResults(calls={id: result}))`.
    """


class ApprovalRequired(_ToolDeferral):
    """Raised by a tool that must not run before a human approves this call (see `ctx.tool_call_approved`).

    The call is listed in `DeferredToolRequests.approvals`; pass the decision back with
    `DeferredToolResults(approvals={id: True | False | ToolApproved(...) | ToolDenied(...)})`.
    """


class UserError(RuntimeError):
    """The caller did something wrong; the message says how to fix it."""

    message: str

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class AgentRunError(RuntimeError):
    """Base class for errors raised while an agent run is going on."""

    message: str

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class UsageLimitExceeded(AgentRunError):
    """A `UsageLimits` budget would be (or was) exceeded."""


class ConcurrencyLimitExceeded(AgentRunError):
    """A concurrency limiter's queue is full (`max_queued` operations already waiting for a slot)."""


class UnexpectedModelBehavior(AgentRunError):
    """The model or vendor answered in a way wireai cannot use (malformed body, truncated stream, retries used up)."""

    body: str | None
    response: ModelResponse | None
    """What had arrived when the answer turned out unusable (a stream cut off before its end)."""

    def __init__(self, message: str, body: object | None = None, *, response: ModelResponse | None = None):
        self.message = message
        self.response = response
        if body is None:
            self.body = None
        else:
            self.body = body if isinstance(body, str) else snippet(body, 10_000)
        super().__init__(message)

    def __str__(self) -> str:
        if self.body:
            return f"{self.message}, body:\n{snippet(self.body)}"
        return self.message


class IncompleteToolCall(UnexpectedModelBehavior):
    """The model stopped at its token limit inside a tool call's arguments, and the retries ran out.

    Raised instead of the plain "retries exceeded" error (as PydanticAI does) when the last response
    has `finish_reason='length'` and ends with a tool call whose arguments are not whole JSON: the
    fix is a larger `max_tokens` (or a shorter answer), not another retry."""


class ContentFilterError(UnexpectedModelBehavior):
    """The vendor's content filter (or the model's refusal) left the answer without any output.

    Raised by the Agent for a response with `finish_reason='content_filter'` and no text, tool call
    or file; `response` is that response as the model layer returned it, the vendor's reason
    (safety ratings, block reason, refusal details...) in its `provider_details`, and `body` the
    response as JSON. `wireai.direct` callers get the response itself, never this error.
    """


class ModelAPIError(AgentRunError):
    """The vendor could not be reached or the exchange broke (connection refused, timeout, dropped stream).

    `attempts` is how many times the request was sent before giving up (retries included), so a
    flaky vendor (3 attempts) can be told from a request that failed outright (1); the message
    says it too when there was more than one.
    """

    model_name: str
    attempts: int

    def __init__(self, model_name: str, message: str):
        self.model_name = model_name
        self.attempts = 1
        super().__init__(message)

    def after_attempts(self: _APIError, attempts: int) -> _APIError:
        """Record that the request was sent `attempts` times; the transport calls it on what it raises."""
        self.attempts = attempts
        if attempts > 1:
            self.message = f"{self.message} (after {attempts} attempts)"
            self.args = (self.message,)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.model_name, self.message), self.__dict__)


_APIError = TypeVar("_APIError", bound=ModelAPIError)


class ModelHTTPError(ModelAPIError):
    """The vendor answered with a 4xx/5xx status (also used for errors a vendor reports inside a stream)."""

    status_code: int
    body: object | None
    headers: dict[str, str]

    def __init__(
        self,
        status_code: int,
        model_name: str,
        body: object | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        self.status_code = status_code
        self.body = body
        self.headers = {k.lower(): v for k, v in (headers or {}).items()}
        super().__init__(
            model_name, f"status_code: {status_code}, model_name: {model_name}, body: {snippet(body)}"
        )

    @property
    def retry_after(self) -> float | None:
        """Seconds the vendor asked us to wait (`retry-after-ms`, `retry-after` as seconds or an HTTP date)."""
        return parse_retry_after(self.headers)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.status_code, self.model_name, self.body, self.headers), self.__dict__)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    ms = _finite(headers.get("retry-after-ms"))
    if ms is not None:
        return max(ms / 1000, 0.0)
    value = headers.get("retry-after")
    if not value:
        return None
    seconds = _finite(value)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        from datetime import datetime, timezone

        when = parsedate_to_datetime(value)
        return max((when - datetime.now(timezone.utc)).total_seconds(), 0.0)
    except (TypeError, ValueError, IndexError):
        return None


def _finite(value: str | None) -> float | None:
    """A header's number, or None for anything else (`nan` and `inf` parse as floats but are not waits)."""
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


class FallbackExceptionGroup(ExceptionGroup):
    """Every model of a `FallbackModel` failed; `.exceptions` holds each model's error in order."""

    def __new__(cls, message: str, exceptions: Sequence[Exception]) -> FallbackExceptionGroup:
        return super().__new__(cls, message, exceptions)

    def derive(self, excs: Sequence[Exception]) -> FallbackExceptionGroup:  # type: ignore[override]  # keeps the type under except*
        return FallbackExceptionGroup(self.message, excs)
