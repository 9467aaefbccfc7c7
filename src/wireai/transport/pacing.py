"""Rate-limit pacing: read the budget a vendor reports on every response, hold requests back before it runs out.

Vendors say how much of the account's budget is left on every answer (successes, errors and the
first bytes of streams alike):

- OpenAI, Groq and the OpenAI-compatible hosts: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`,
  the reset as a duration (`6m0s`, `1s`, `20ms`, `2m59.56s`): the time until the budget is full again.
- Anthropic: `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`,
  the reset as an RFC 3339 time.

Both describe token buckets refilled continuously, so the budget at a later moment is estimated
as refilling linearly from `remaining` to `limit` by the reset time. Before each request
`Pacing.admit()` checks every dimension it has seen: the estimate, minus what the requests sent
since the newest observation will cost (they may not be counted by the vendor yet), must cover
one more request; if not, it waits until the refill does. A request costs 1 request and, per
token dimension, the average the vendor's own counters showed per request so far. Until the
first answer arrives only one request goes out, so a burst of runs cannot spend an unknown
budget before the first headers tell what it is. A 429's `Retry-After` holds every request of
the account until then (the 429 itself is still retried by the transport, as without pacing).

One `Pacing` belongs to one account: give the same instance to the providers of several models
that share a quota. `OpenAIProvider(..., pacing=True)` makes one for that provider alone.
"""

from __future__ import annotations

import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx

from .._fifo import FifoSlots
from ..exceptions import parse_retry_after

__all__ = ["Pacing", "RateLimitWindow", "parse_duration", "parse_rate_limit_headers", "resolve_pacing"]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def parse_duration(value: str) -> float | None:
    """Seconds in a Go-style duration (`6m0s`, `1h2m3.5s`, `20ms`) or a plain number of seconds."""
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        pass
    else:  # `nan` and `inf` parse as floats but are no duration
        return max(number, 0.0) if math.isfinite(number) else None
    pos, total = 0, 0.0
    for match in _DURATION.finditer(value):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    return total if pos == len(value) and pos else None


def _seconds_until(value: str) -> float | None:
    """Seconds from now until an RFC 3339 time (`2025-01-15T14:24:00Z`); 0 if it has passed."""
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - datetime.now(timezone.utc)).total_seconds(), 0.0)


_FIELDS = ("limit", "remaining", "reset")
# (dimensions, header name pattern, how to read its reset) per header family.
_FAMILIES: tuple[tuple[tuple[str, ...], str, Callable[[str], float | None]], ...] = (
    (("requests", "tokens"), "x-ratelimit-{f}-{d}", parse_duration),
    (("requests", "tokens", "input-tokens", "output-tokens"), "anthropic-ratelimit-{d}-{f}", _seconds_until),
)


@dataclass(frozen=True)
class RateLimitWindow:
    """One dimension of the budget as a response reported it: `remaining` of `limit`, full in `reset` s."""

    limit: float | None
    remaining: float
    reset: float


def parse_rate_limit_headers(headers: Mapping[str, str]) -> dict[str, RateLimitWindow]:
    """Every budget dimension the headers report, by name (`requests`, `tokens`, `input-tokens`...).

    A dimension without a usable `remaining` and `reset` is left out (Azure sends `-1` when it
    does not know).
    """
    for dimensions, name, reset_seconds in _FAMILIES:
        found: dict[str, RateLimitWindow] = {}
        for dimension in dimensions:
            limit, remaining, reset = (headers.get(name.format(d=dimension, f=f)) for f in _FIELDS)
            window = _window(limit, remaining, reset, reset_seconds)
            if window is not None:
                found[dimension] = window
        if found:
            return found
    return {}


def _window(
    limit: str | None, remaining: str | None, reset: str | None, reset_seconds: Callable[[str], float | None]
) -> RateLimitWindow | None:
    if remaining is None or reset is None:
        return None
    try:
        left = float(remaining)
        total = float(limit) if limit is not None else None
    except ValueError:
        return None
    seconds = reset_seconds(reset)
    if left < 0 or seconds is None:
        return None
    return RateLimitWindow(total if total is not None and total > 0 else None, left, seconds)


@dataclass
class _Observed:
    """A window as reported in the answer to ticket `seq` (sent at `sent_at`), received at `at`."""

    window: RateLimitWindow
    at: float
    seq: int
    sent_at: float

    @property
    def uncertain_since(self) -> float:
        """Requests sent since then may have reached the vendor after this one: not in its figures."""
        return self.sent_at - (self.at - self.sent_at)

    def available(self, now: float) -> float:
        window = self.window
        elapsed = now - self.at
        if elapsed >= window.reset:
            return window.limit if window.limit is not None else math.inf
        if window.limit is None or window.reset <= 0:
            return window.remaining
        refill = (window.limit - window.remaining) * elapsed / window.reset
        return min(window.limit, window.remaining + refill)

    def wait_for(self, now: float, need: float) -> float:
        """Seconds until `need` is available (0: now)."""
        if self.available(now) >= need:
            return 0.0
        window = self.window
        full_at = self.at + window.reset
        if window.limit is None or window.reset <= 0:
            return max(full_at - now, 0.0)
        rate = (window.limit - window.remaining) / window.reset
        return max(min(self.at + (need - window.remaining) / rate, full_at) - now, 0.0)


class Pacing:
    """The budget of one account, shared by every request sent with it.

    `max_delay`: the longest it holds a request back; a budget further away than that (a daily
    quota spent) is the vendor's to refuse, and the 429 surfaces as usual.

    Answers to concurrent requests arrive in any order, and not in the order the vendor counted
    the requests. So an answer replaces what is known of a dimension only when it is surely newer
    (its request was sent after the known figures arrived) or when it shows less budget than the
    known figures imply by now; requests sent less than one round trip before the figures' own
    request are still counted against them.
    """

    def __init__(self, *, max_delay: float = 60.0):
        self.max_delay = max_delay
        self.delayed = 0
        """Requests held back so far (the benchmark and tests read it)."""
        self.delayed_seconds = 0.0
        self._windows: dict[str, _Observed] = {}
        self._cost: dict[str, float] = {"requests": 1.0}
        self._samples: dict[str, deque[float]] = {}
        self._pending: dict[int, float] = {}  # ticket -> monotonic time it was sent, until answered
        self._rejected: set[int] = set()  # tickets answered with a 429: they spent nothing
        self._seq = 0
        self._answered = False
        self._blocked_until = 0.0
        self._gate = FifoSlots(1)  # one request at a time decides whether it may go; the rest queue
        self._wakeup: Any = None  # the future the deciding request sleeps on; an answer sets it

    def wrap(
        self, send: Callable[..., Awaitable[httpx.Response]]
    ) -> Callable[..., Awaitable[httpx.Response]]:
        """`send` (an `httpx.AsyncClient.send`) admitted by this pacing and observed by it."""

        async def paced(request: httpx.Request, **kwargs: Any) -> httpx.Response:
            seq = await self.admit()
            try:
                response = await send(request, **kwargs)
            except BaseException:
                self.forget(seq)
                raise
            self.observe(seq, response.headers, response.status_code)
            return response

        return paced

    async def admit(self) -> int:
        """Wait until the budget allows one more request; returns its ticket for `observe`/`forget`."""
        await self._gate.acquire()
        try:
            delay = self._delay(time.monotonic())
            if delay > 0:
                self.delayed += 1
            while delay > 0:
                started = time.monotonic()
                await self._sleep(min(delay, self.max_delay))
                now = time.monotonic()
                self.delayed_seconds += now - started
                delay = self._delay(now)
            self._seq += 1
            self._pending[self._seq] = time.monotonic()
            return self._seq
        finally:
            self._gate.release()

    def observe(self, seq: int, headers: Mapping[str, str], status: int) -> None:
        """Take in the budget an answer (any status) reports."""
        now = time.monotonic()
        sent_at = self._pending.pop(seq, now)
        self._answered = True
        if status == 429:
            self._rejected.add(seq)
            retry_after = parse_retry_after(headers)
            if retry_after is not None and retry_after <= self.max_delay:
                self._blocked_until = max(self._blocked_until, now + retry_after)
        for name, window in parse_rate_limit_headers(headers).items():
            known = self._windows.get(name)
            if known is not None and sent_at < known.at and window.remaining > known.available(now):
                continue  # concurrent with the known figures and less pessimistic: maybe older
            observed = _Observed(window, now, seq, sent_at)
            if name != "requests":
                self._learn_cost(name, known, observed)
            self._windows[name] = observed
        if self._windows:
            oldest = min(o.seq for o in self._windows.values())
            self._rejected = {r for r in self._rejected if r > oldest}
        self._wake()

    def forget(self, seq: int) -> None:
        """The request got no answer (connection failed, cancelled): it spends nothing we can see."""
        self._pending.pop(seq, None)
        self._wake()

    # ----------------------------------------------------------------------------------------- internals

    def _delay(self, now: float) -> float:
        if self._blocked_until > now:
            return self._blocked_until - now
        if not self._answered:
            # Nothing known yet: one request at a time until the first answer says what the budget is.
            return self.max_delay if self._pending else 0.0
        delay = 0.0
        for name, observed in self._windows.items():
            cost = self._cost.get(name, 0.0)
            limit = observed.window.limit
            if not cost or (limit is not None and cost > limit):
                continue  # free, or bigger than the whole budget: the vendor decides
            since = observed.uncertain_since
            uncounted = sum(1 for sent_at in self._pending.values() if sent_at >= since)
            need = cost * (uncounted + 1)
            if limit is not None and need > limit:
                return self.max_delay  # more in flight than the budget holds: wait for their answers
            delay = max(delay, observed.wait_for(now, need))
        return delay if delay <= self.max_delay else 0.0

    def _learn_cost(self, name: str, before: _Observed | None, after: _Observed) -> None:
        """What one request costs in this dimension: the drop in the vendor's counter per request it took.

        The estimate is the largest of the last few samples: reordered answers make a sample too
        high, a refill counted from the wrong moment too low, and too low is what sends requests
        into 429s.
        """
        window = after.window
        if before is None:
            if window.limit is None:
                return
            first, spent = 0, window.limit - window.remaining
        else:
            first, spent = before.seq, before.available(after.at) - window.remaining
        requests = after.seq - first - sum(1 for r in self._rejected if first < r <= after.seq)
        if spent <= 0 or requests <= 0:
            return
        samples = self._samples.setdefault(name, deque(maxlen=8))
        samples.append(spent / requests)
        self._cost[name] = max(samples)

    async def _sleep(self, seconds: float) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        wakeup = self._wakeup = loop.create_future()
        timer = loop.call_later(seconds, _resolve, wakeup)
        try:
            await wakeup
        finally:
            timer.cancel()
            self._wakeup = None

    def _wake(self) -> None:
        if self._wakeup is not None:
            _resolve(self._wakeup)

    def __repr__(self) -> str:
        seen = ", ".join(f"{k}={o.window.remaining:g}/{o.window.limit}" for k, o in self._windows.items())
        return f"Pacing({seen or 'nothing seen yet'}, delayed={self.delayed})"


def _resolve(future: Any) -> None:
    if not future.done():
        future.set_result(None)


def resolve_pacing(pacing: bool | Pacing | None) -> Pacing | None:
    """A provider's `pacing=` argument: True makes a `Pacing` of its own, an instance is shared as given."""
    if isinstance(pacing, Pacing) or pacing is None:
        return pacing
    return Pacing() if pacing else None
