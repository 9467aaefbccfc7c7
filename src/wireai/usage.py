"""Token accounting. Field names follow current PydanticAI; the seed's `request_tokens`/`response_tokens` are aliases."""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["RequestUsage", "RunUsage", "Usage", "UsageLimits"]


@dataclass(repr=False)
class Usage:
    """Tokens used by one request or a whole run.

    `input_tokens` includes cached tokens (read and written), as every vendor's own total does once
    its separate counters are added up by the codec; `details` holds vendor extras such as
    `reasoning_tokens`.
    """

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    details: dict[str, int] | None = None

    def __init__(
        self,
        requests: int = 0,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        cache_read_tokens: int = 0,
        cache_write_tokens: int = 0,
        details: dict[str, int] | None = None,
        *,
        request_tokens: int | None = None,
        response_tokens: int | None = None,
        total_tokens: int | None = None,  # accepted for the seed's constructor, always derived
    ):
        self.requests = requests
        self.input_tokens = input_tokens if input_tokens is not None else (request_tokens or 0)
        self.output_tokens = output_tokens if output_tokens is not None else (response_tokens or 0)
        self.cache_read_tokens = cache_read_tokens
        self.cache_write_tokens = cache_write_tokens
        self.details = details

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def request_tokens(self) -> int:
        return self.input_tokens

    @request_tokens.setter
    def request_tokens(self, value: int) -> None:
        self.input_tokens = value

    @property
    def response_tokens(self) -> int:
        return self.output_tokens

    @response_tokens.setter
    def response_tokens(self, value: int) -> None:
        self.output_tokens = value

    def __call__(self) -> Usage:
        """The usage itself: `result.usage()` (the seed's method) and `result.usage.input_tokens` (V2's
        property) both work when a result's `usage` property returns this object."""
        return self

    def incr(self, other: Usage) -> None:
        """Add `other` into this usage in place, every field including `details`."""
        self.requests += other.requests
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cache_read_tokens += other.cache_read_tokens
        self.cache_write_tokens += other.cache_write_tokens
        if other.details:
            details = self.details = dict(self.details or {})
            for key, value in other.details.items():
                details[key] = details.get(key, 0) + value

    def __add__(self, other: Usage) -> Usage:
        new = type(self)(
            self.requests,
            self.input_tokens,
            self.output_tokens,
            self.cache_read_tokens,
            self.cache_write_tokens,
            dict(self.details) if self.details else None,
        )
        new.incr(other)
        return new

    def has_values(self) -> bool:
        return bool(
            self.input_tokens
            or self.output_tokens
            or self.cache_read_tokens
            or self.cache_write_tokens
            or self.details
        )

    def __repr__(self) -> str:
        # The seed prints `Usage(requests=1, request_tokens=57, response_tokens=8, total_tokens=65, details=None)`.
        extra = ""
        if self.cache_read_tokens:
            extra += f", cache_read_tokens={self.cache_read_tokens}"
        if self.cache_write_tokens:
            extra += f", cache_write_tokens={self.cache_write_tokens}"
        return (
            f"{type(self).__name__}(requests={self.requests}, request_tokens={self.input_tokens}, "
            f"response_tokens={self.output_tokens}, total_tokens={self.total_tokens}{extra}, details={self.details!r})"
        )


RunUsage = Usage


class RequestUsage(Usage):
    """The usage of one model response (`requests` stays 0: the agent counts requests itself)."""

    def __repr__(self) -> str:
        shown = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(Usage)
            if f.name != "requests" and getattr(self, f.name) not in (0, None)
        ]
        return f"RequestUsage({', '.join(shown)})"


@dataclass
class UsageLimits:
    """Budgets checked before each request and after each response of a run."""

    request_limit: int | None = 50
    input_tokens_limit: int | None = None
    output_tokens_limit: int | None = None
    total_tokens_limit: int | None = None

    def __init__(
        self,
        request_limit: int | None = 50,
        input_tokens_limit: int | None = None,
        output_tokens_limit: int | None = None,
        total_tokens_limit: int | None = None,
        *,
        request_tokens_limit: int | None = None,
        response_tokens_limit: int | None = None,
    ):
        self.request_limit = request_limit
        self.input_tokens_limit = (
            input_tokens_limit if input_tokens_limit is not None else request_tokens_limit
        )
        self.output_tokens_limit = (
            output_tokens_limit if output_tokens_limit is not None else response_tokens_limit
        )
        self.total_tokens_limit = total_tokens_limit

    @property
    def request_tokens_limit(self) -> int | None:
        return self.input_tokens_limit

    @property
    def response_tokens_limit(self) -> int | None:
        return self.output_tokens_limit

    def has_token_limits(self) -> bool:
        return any(
            x is not None
            for x in (self.input_tokens_limit, self.output_tokens_limit, self.total_tokens_limit)
        )

    def check_before_request(self, usage: Usage) -> None:
        from .exceptions import UsageLimitExceeded

        if self.request_limit is not None and usage.requests >= self.request_limit:
            raise UsageLimitExceeded(
                f"The next request would exceed the request_limit of {self.request_limit}"
            )

    def check_tokens(self, usage: Usage) -> None:
        from .exceptions import UsageLimitExceeded

        for name, value, limit in (
            ("input_tokens_limit", usage.input_tokens, self.input_tokens_limit),
            ("output_tokens_limit", usage.output_tokens, self.output_tokens_limit),
            ("total_tokens_limit", usage.total_tokens, self.total_tokens_limit),
        ):
            if limit is not None and value > limit:
                raise UsageLimitExceeded(
                    f"Exceeded the {name} of {limit} ({name.removesuffix('_limit')}={value})"
                )
