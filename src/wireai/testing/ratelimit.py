"""Fake vendors with a rate limit: a request and a token budget, enforced and reported as the vendor does.

`RateLimitedOpenAI` answers with OpenAI's `x-ratelimit-*` headers (durations such as `1.5s`),
`RateLimitedAnthropic` with `anthropic-ratelimit-*` (RFC 3339 reset times). Both budgets are
token buckets refilled continuously, as both vendors describe theirs: `requests` per `window`
seconds and `tokens` per `window`. A request costs 1 request and, as OpenAI estimates it at
admission, a quarter of its body's bytes plus `output_tokens`. One the budget cannot cover gets
the vendor's 429 with `Retry-After` (and `retry-after-ms`). Unscripted requests get `default_text`.

    with RateLimitedOpenAI(requests=10, tokens=5_000, window=1.0) as fake:
        model = OpenAIChatModel("gpt-4o", provider=fake.provider(pacing=True))
        ...
        fake.rejected  # 429s sent so far
"""

from __future__ import annotations

import math
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from ..messages import TextPart
from ..usage import RequestUsage
from .fakes import FAKE_API_KEY, FakeAnthropic, FakeOpenAI, FakeVendor
from .server import RecordedRequest, Reply

__all__ = ["Bucket", "RateLimitedAnthropic", "RateLimitedOpenAI"]


class Bucket:
    """`capacity` units, refilled at `capacity / window` per second."""

    def __init__(self, capacity: float, window: float):
        self.capacity = capacity
        self.rate = capacity / window
        self.level = capacity
        self._at = time.monotonic()

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self._at) * self.rate)
        self._at = now

    def seconds_until(self, amount: float) -> float:
        return max(amount - self.level, 0.0) / self.rate

    def seconds_until_full(self) -> float:
        return (self.capacity - self.level) / self.rate


class _RateLimited(FakeVendor):
    def __init__(
        self,
        *,
        requests: int,
        tokens: int,
        window: float = 1.0,
        output_tokens: int = 50,
        latency: float = 0.0,
        default_text: str = "ok",
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.request_budget = Bucket(requests, window)
        self.token_budget = Bucket(tokens, window)
        self.output_tokens = output_tokens
        self.latency = latency
        self.default_text = default_text
        self.admitted = 0
        self.rejected = 0
        self._budget_lock = threading.Lock()

    def provider(self, **kwargs: Any) -> Any:
        raise NotImplementedError

    def ratelimit_headers(self) -> dict[str, str]:
        raise NotImplementedError

    def _answer(self, request: RecordedRequest) -> Reply:
        input_tokens = len(request.body) // 4
        cost = input_tokens + self.output_tokens
        with self._budget_lock:
            now = time.monotonic()
            self.request_budget.refill(now)
            self.token_budget.refill(now)
            wait = max(self.request_budget.seconds_until(1), self.token_budget.seconds_until(cost))
            if wait > 0:
                self.rejected += 1
                headers = {
                    **self.ratelimit_headers(),
                    "retry-after": str(math.ceil(wait)),
                    "retry-after-ms": str(math.ceil(wait * 1000)),
                }
                return Reply.json(self.error_body(429, "Rate limit reached"), 429, headers)
            self.request_budget.level -= 1
            self.token_budget.level -= cost
            self.admitted += 1
            headers = self.ratelimit_headers()
        if not self.pending:
            usage = RequestUsage(input_tokens=input_tokens, output_tokens=self.output_tokens)
            self.add_response(self._response([TextPart(self.default_text)], usage, "stop", None))
        reply = super()._answer(request)
        reply.headers.update(headers)
        reply.delay = max(reply.delay, self.latency)
        return reply


class RateLimitedOpenAI(_RateLimited, FakeOpenAI):
    """OpenAI Chat Completions with a budget; `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`."""

    def ratelimit_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name, bucket in (("requests", self.request_budget), ("tokens", self.token_budget)):
            headers[f"x-ratelimit-limit-{name}"] = str(int(bucket.capacity))
            headers[f"x-ratelimit-remaining-{name}"] = str(max(int(bucket.level), 0))
            headers[f"x-ratelimit-reset-{name}"] = _duration(bucket.seconds_until_full())
        return headers

    def provider(self, **kwargs: Any) -> Any:
        from ..providers.openai import OpenAIProvider

        kwargs.setdefault("api_key", FAKE_API_KEY)
        return OpenAIProvider(base_url=self.url + self.base_path, **kwargs)


class RateLimitedAnthropic(_RateLimited, FakeAnthropic):
    """Anthropic Messages with a budget; `anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}`."""

    def ratelimit_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        now = datetime.now(timezone.utc)
        for name, bucket in (("requests", self.request_budget), ("tokens", self.token_budget)):
            full_at = now + timedelta(seconds=bucket.seconds_until_full())
            headers[f"anthropic-ratelimit-{name}-limit"] = str(int(bucket.capacity))
            headers[f"anthropic-ratelimit-{name}-remaining"] = str(max(int(bucket.level), 0))
            headers[f"anthropic-ratelimit-{name}-reset"] = full_at.isoformat(timespec="milliseconds").replace(
                "+00:00", "Z"
            )
        return headers

    def provider(self, **kwargs: Any) -> Any:
        from ..providers.anthropic import AnthropicProvider

        kwargs.setdefault("api_key", FAKE_API_KEY)
        return AnthropicProvider(base_url=self.url, **kwargs)


def _duration(seconds: float) -> str:
    """OpenAI's reset format: `6m0s`, `1.5s`, `20ms`."""
    if seconds < 1:
        return f"{max(round(seconds * 1000), 0)}ms"
    minutes, rest = divmod(seconds, 60)
    rest_text = f"{rest:.3f}".rstrip("0").rstrip(".")
    return f"{int(minutes)}m{rest_text}s" if minutes else f"{rest_text}s"
