"""What a batch is made of, in wireai's terms: requests in, results out, one status vocabulary.

Every vendor's batch API says the same things in its own words (OpenAI's `failed`, Anthropic's
`errored`, Gemini's `BATCH_STATE_RUNNING`, Mistral's `TIMEOUT_EXCEEDED`); the vendor modules
translate them into these types, so a job reads the same whoever runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .._params import ModelRequestParameters
from ..exceptions import AgentRunError
from ..messages import ModelMessage, ModelResponse
from ..settings import ModelSettings

__all__ = [
    "TERMINAL",
    "BatchRequest",
    "BatchRequestError",
    "BatchResult",
    "BatchStatus",
    "LineResult",
    "RequestCounts",
    "VendorBatch",
]

BatchStatus = Literal[
    "validating", "in_progress", "finalizing", "completed", "failed", "expired", "cancelling", "cancelled"
]
"""A job's status, the same words for every vendor (`job.raw_status` keeps the vendor's own)."""

TERMINAL: frozenset[str] = frozenset({"completed", "failed", "expired", "cancelled"})

ResultStatus = Literal["succeeded", "errored", "cancelled", "expired"]


@dataclass
class BatchRequest:
    """One request of a batch: what `model.request(messages, model_settings, model_request_parameters)`
    would send, under an id of yours that its result comes back with."""

    custom_id: str
    messages: list[ModelMessage]
    model_settings: ModelSettings | None = None
    model_request_parameters: ModelRequestParameters | None = None


@dataclass
class RequestCounts:
    """How a job's requests stand: `total` = succeeded + errored + cancelled + expired + still processing."""

    total: int = 0
    succeeded: int = 0
    errored: int = 0
    cancelled: int = 0
    expired: int = 0

    @property
    def processing(self) -> int:
        return max(self.total - self.succeeded - self.errored - self.cancelled - self.expired, 0)

    def __add__(self, other: RequestCounts) -> RequestCounts:
        return RequestCounts(
            self.total + other.total,
            self.succeeded + other.succeeded,
            self.errored + other.errored,
            self.cancelled + other.cancelled,
            self.expired + other.expired,
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "total": self.total,
            "succeeded": self.succeeded,
            "errored": self.errored,
            "cancelled": self.cancelled,
            "expired": self.expired,
        }

    @classmethod
    def from_dict(cls, data: Any) -> RequestCounts:
        data = data if isinstance(data, dict) else {}
        return cls(**{name: int(data.get(name) or 0) for name in cls().as_dict()})

    @classmethod
    def settled(cls, total: int, succeeded: int, errored: int, status: str) -> RequestCounts:
        """Counts from a vendor that only reports successes and failures (OpenAI, Gemini, Mistral):
        once the batch expired or was cancelled, the requests it never ran are expired / cancelled."""
        counts = cls(total, succeeded, errored)
        if status == "expired":
            counts.expired = counts.processing
        elif status == "cancelled":
            counts.cancelled = counts.processing
        return counts


class BatchRequestError(AgentRunError):
    """A request of a batch that never ran: the batch expired or was cancelled first, the vendor
    failed the whole batch, or its results did not include this request.

    `reason` is `'expired'`, `'cancelled'`, `'failed'` or `'missing'`; `code` is the vendor's word
    when it gave one (OpenAI's `batch_expired`).
    """

    def __init__(self, custom_id: str, reason: str, message: str, code: str | None = None):
        self.custom_id = custom_id
        self.reason = reason
        self.detail = message
        self.code = code
        super().__init__(f"batch request {custom_id!r} {reason}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.custom_id, self.reason, self.detail, self.code))


@dataclass
class BatchResult:
    """One request's outcome: `response` (read by the model's own `parse_response`, so parts, usage
    and finish reason are exactly what `request()` returns) or `error` (the vendor's `ModelHTTPError`
    for a request it rejected, `BatchRequestError` for one that never ran)."""

    custom_id: str
    response: ModelResponse | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.response is not None

    @property
    def status(self) -> ResultStatus:
        if self.ok:
            return "succeeded"
        if isinstance(self.error, BatchRequestError) and self.error.reason in ("expired", "cancelled"):
            return self.error.reason  # type: ignore[return-value]
        return "errored"


@dataclass
class VendorBatch:
    """One vendor batch as its API last described it. `data` keeps what reading its results needs
    later (file ids, the results URL), so it can be stored and used by another process."""

    id: str
    status: BatchStatus
    raw_status: str
    counts: RequestCounts
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class LineResult:
    """One line of a vendor's results, before the model reads it: a success's response body, or a
    rejected request's status and error body, or a request that never ran."""

    custom_id: str
    kind: ResultStatus
    body: Any = None
    status_code: int | None = None
    code: str | None = None
    message: str | None = None
