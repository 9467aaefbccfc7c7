"""Token accounting. Field names follow current PydanticAI; the seed's `request_tokens`/`response_tokens` are aliases."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .exceptions import UsageLimitExceeded

__all__ = ["RequestUsage", "RunUsage", "Usage", "UsageLimits"]


@dataclass(repr=False)
class Usage:
    """Tokens used by one request or a whole run.

    `input_tokens` includes cached tokens (read and written), as every vendor's own total does once
    its separate counters are added up by the codec; `details` holds vendor extras such as
    `reasoning_tokens`. `tool_calls` counts the function tool calls a run executed successfully
    (output tools, retried and deferred calls are not counted), as PydanticAI's `RunUsage` does.
    """

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    details: dict[str, int] | None = None
    tool_calls: int = 0

    def __init__(
        self,
        requests: int = 0,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        cache_read_tokens: int = 0,
        cache_write_tokens: int = 0,
        details: dict[str, int] | None = None,
        *,
        tool_calls: int = 0,
        request_tokens: int | None = None,
        response_tokens: int | None = None,
        total_tokens: int | None = None,  # accepted for the seed's constructor, always derived
    ):
        self.requests = requests
        self.tool_calls = tool_calls
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
        self.tool_calls += other.tool_calls
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
            tool_calls=self.tool_calls,
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
        if self.tool_calls:
            extra += f", tool_calls={self.tool_calls}"
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
            if f.name not in ("requests", "tool_calls") and getattr(self, f.name) not in (0, None)
        ]
        return f"RequestUsage({', '.join(shown)})"


@dataclass
class UsageLimits:
    """Budgets of one run, checked before each request, before each batch of tool calls and after
    each response (PydanticAI's names, semantics and messages).

    - `request_limit`: model requests (checked before sending).
    - `tool_calls_limit`: function tool calls executed successfully; a batch of calls that would
      go past it raises before any of them runs. Output tools do not count.
    - `input_tokens_limit` / `output_tokens_limit` / `total_tokens_limit`: the run's cumulative
      tokens, checked after each response.
    - `per_request_input_tokens_limit`: the input of any single request (its size, cached prefix
      included), checked against each response's `input_tokens`.
    - `count_tokens_before_request=True`: before each request, ask the vendor to count its input
      (`Model.count_tokens`) and check `input_tokens_limit`, `total_tokens_limit` and
      `per_request_input_tokens_limit` with it, so an oversized request is never sent. One more
      round trip per request; Anthropic, Gemini/Vertex, Bedrock and OpenAI Responses count tokens.
    """

    request_limit: int | None = 50
    input_tokens_limit: int | None = None
    output_tokens_limit: int | None = None
    total_tokens_limit: int | None = None
    tool_calls_limit: int | None = None
    per_request_input_tokens_limit: int | None = None
    count_tokens_before_request: bool = False

    def __init__(
        self,
        request_limit: int | None = 50,
        input_tokens_limit: int | None = None,
        output_tokens_limit: int | None = None,
        total_tokens_limit: int | None = None,
        *,
        tool_calls_limit: int | None = None,
        per_request_input_tokens_limit: int | None = None,
        count_tokens_before_request: bool = False,
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
        self.tool_calls_limit = tool_calls_limit
        self.per_request_input_tokens_limit = per_request_input_tokens_limit
        self.count_tokens_before_request = count_tokens_before_request

    @property
    def request_tokens_limit(self) -> int | None:
        return self.input_tokens_limit

    @property
    def response_tokens_limit(self) -> int | None:
        return self.output_tokens_limit

    def has_token_limits(self) -> bool:
        return (
            self.input_tokens_limit is not None
            or self.output_tokens_limit is not None
            or self.total_tokens_limit is not None
            or self.per_request_input_tokens_limit is not None
        )

    def check_before_request(self, usage: Usage) -> None:
        """Before a request: the request count, and the token totals `usage` holds (the run's so far,
        plus the counted input of the next request when `count_tokens_before_request` is on)."""
        if self.request_limit is not None and usage.requests >= self.request_limit:
            raise UsageLimitExceeded(
                f"The next request would exceed the request_limit of {self.request_limit}"
            )
        if self.input_tokens_limit is None and self.total_tokens_limit is None:
            return  # checked before every request: most runs set no token limit
        for name, value, limit in (
            ("input_tokens", usage.input_tokens, self.input_tokens_limit),
            ("total_tokens", usage.total_tokens, self.total_tokens_limit),
        ):
            if limit is not None and value > limit:
                raise UsageLimitExceeded(
                    f"The next request would exceed the {name}_limit of {limit} ({name}={value})"
                )

    def check_tokens(self, usage: Usage) -> None:
        for name, value, limit in (
            ("input_tokens_limit", usage.input_tokens, self.input_tokens_limit),
            ("output_tokens_limit", usage.output_tokens, self.output_tokens_limit),
            ("total_tokens_limit", usage.total_tokens, self.total_tokens_limit),
        ):
            if limit is not None and value > limit:
                raise UsageLimitExceeded(
                    f"Exceeded the {name} of {limit} ({name.removesuffix('_limit')}={value})"
                )

    def check_per_request_input_tokens(self, request_input_tokens: int) -> None:
        """One request's input (counted before it, or reported in its response) against
        `per_request_input_tokens_limit`; the run's cumulative input is `input_tokens_limit`'s."""
        limit = self.per_request_input_tokens_limit
        if limit is not None and request_input_tokens > limit:
            raise UsageLimitExceeded(
                f"Exceeded the per_request_input_tokens_limit of {limit} (request_input_tokens={request_input_tokens})"
            )

    def check_before_tool_call(self, projected_usage: Usage) -> None:
        """`projected_usage.tool_calls` is the run's count plus the calls about to run."""
        limit = self.tool_calls_limit
        tool_calls = projected_usage.tool_calls
        if limit is not None and tool_calls > limit:
            raise UsageLimitExceeded(
                f"The next tool call(s) would exceed the tool_calls_limit of {limit} (tool_calls={tool_calls})."
            )
