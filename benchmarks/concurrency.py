"""Throughput at concurrency (issue 21): many streamed runs in flight at once, per stack.

Standard library only. `measure()` runs inside a stack's venv (called by `worker.py concurrency`);
`render()` turns the merged results into the report's tables (called by `run.py`).

What one measurement does, for one stack, one vendor and one concurrency C:

1. three sequential streams (imports, caches, the first connection), then the resident set size;
2. one unmeasured wave of C concurrent streams, so the connection pool is as warm as it gets;
3. the measured phase, a closed loop: C tasks, each starting its next streamed run as soon as
   its previous one ended (a server with C users), until `streams` runs are done.

Figures: total throughput (streams/s and deltas/s), time to first delta (from the call that
starts the run to the first text delta; p50 and p99), client CPU per stream, and RSS per
in-flight stream = (peak RSS during steps 2-3 minus the RSS after step 1) / C. At C=1 that last
figure is within allocator noise; it means something from C=100 on. The harness adds the mock's
CPU and the TCP connections it accepted per stream (pool churn shows up there).
"""

from __future__ import annotations

import asyncio
import gc
import math
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from mdtable import table_head

# A streamed run: called with a callback for the first text delta (or None), returns the deltas seen.
Streamer = Callable[[Callable[[], None] | None], Awaitable[int]]

# Connection pool limits each stack gets by default (max connections / max idle kept alive):
# at C above the first number, the other runs wait for a connection inside the client.
POOL_LIMITS = {
    "floor": "100 / 20 (httpx default)",
    "floor-httpx2": "100 / 20 (httpx2 default)",
    "wireai": "100 / 20 (wireai.transport DEFAULT_LIMITS)",
    "pai-slim": "1000 / 100 (pydantic_ai._http DEFAULT_HTTP_LIMITS)",
}


# --------------------------------------------------------------------------------- worker side


def _status_kib(field: str) -> float | None:
    """A `VmRSS`/`VmHWM` line of /proc/self/status in KiB (None off Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return float(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> float:
    """Reset the kernel's peak-RSS mark to the current RSS (Linux); return the RSS now, in KiB.

    Writing 5 to /proc/self/clear_refs resets VmHWM, so the peak read later belongs to the phase
    being measured. Elsewhere the process peak so far stands in for both (growth understated).
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return _status_kib("VmRSS") or _ru_peak_kib()


def _peak_rss_kib() -> float:
    return _status_kib("VmHWM") or _ru_peak_kib()


def _ru_peak_kib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform == "darwin" else float(peak)


class Clock:
    """The first-delta callback: remembers when it was called."""

    at: float | None = None

    def __call__(self) -> None:
        self.at = time.perf_counter()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1): a value that was really observed, no interpolation."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def measure(
    stream: Streamer,
    concurrency: int,
    streams: int,
    deltas: int,
    before_measuring: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """One measurement as described in the module docstring; every figure as a one-item list.

    Lists, so that the harness can merge rounds (separate processes) by concatenation.
    `before_measuring` runs right before the measured phase (`hotspots.py` starts its profiler).
    """
    for _ in range(3):
        await stream(None)
    gc.collect()
    rss_before = _reset_peak_rss()
    await asyncio.gather(*(stream(None) for _ in range(concurrency)))

    ttfd: list[float] = []
    short: list[int] = []
    todo = streams

    async def user() -> None:
        nonlocal todo
        while todo > 0:
            todo -= 1
            first = Clock()
            t0 = time.perf_counter()
            seen = await stream(first)
            if seen != deltas or first.at is None:
                short.append(seen)
            else:
                ttfd.append((first.at - t0) * 1000)

    if before_measuring is not None:
        before_measuring()
    c0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(user() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    out: dict[str, Any] = {
        "streams_per_s": [streams / wall],
        "deltas_per_s": [streams * deltas / wall],
        "cpu_us_per_stream": [cpu / streams * 1e6],
        "ttfd_ms_p50": [percentile(ttfd, 0.5)] if ttfd else [],
        "ttfd_ms_p99": [percentile(ttfd, 0.99)] if ttfd else [],
        "rss_kib_per_stream": [(_peak_rss_kib() - rss_before) / concurrency],
        "rss_before_mib": [rss_before / 1024],
    }
    if short:
        out["warning"] = f"{len(short)} of {streams} streams did not see {deltas} deltas: {short[:5]}"
    return out


# -------------------------------------------------------------------------------- harness side


def streams_for(concurrency: int, minimum: int) -> int:
    """Measured streams at one concurrency: at least `minimum`, and 4 runs per concurrent user."""
    return max(minimum, 4 * concurrency)


def _med(r: dict[str, Any] | None, key: str) -> float | None:
    values = (r or {}).get(key) or []
    return statistics.median(values) if values else None


def _f(v: float | None, digits: int = 0) -> str:
    return "n/a" if v is None else f"{v:,.{digits}f}"


def _x(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}×"


def render(
    results: dict[str, Any], order: list[str], vendors: tuple[str, ...], floor: str, wireai: str
) -> list[str]:
    """Markdown lines: per vendor, one row per (stack, C), then wireai against the floor per C."""
    out: list[str] = []
    for vendor in vendors:
        rows = {s: (results.get(s, {}).get("concurrency") or {}).get(vendor) or {} for s in order}
        levels = sorted({int(c) for r in rows.values() for c in r}, key=int)
        if not levels:
            continue
        out.append(f"#### {vendor}: concurrent streamed runs (closed loop), medians of the rounds")
        out.append("")
        out.extend(
            table_head(
                "stack",
                ["C", "streams/s", "deltas/s", "TTFD p50 ms", "TTFD p99 ms", "CPU µs/stream", "×(C=1)"]
                + ["RSS KiB/stream", "conns/stream", "mock CPU µs/stream"],
            )
        )
        for s, per_c in rows.items():
            base = _med(per_c.get("1"), "cpu_us_per_stream")
            for c in levels:
                r = per_c.get(str(c))
                if r is None:
                    continue
                cpu = _med(r, "cpu_us_per_stream")
                out.append(
                    f"| {s} | {c} | {_f(_med(r, 'streams_per_s'))} | {_f(_med(r, 'deltas_per_s'))} | "
                    f"{_f(_med(r, 'ttfd_ms_p50'), 2)} | {_f(_med(r, 'ttfd_ms_p99'), 2)} | {_f(cpu)} | "
                    f"{_x(cpu, base)} | {_f(_med(r, 'rss_kib_per_stream'), 1)} | "
                    f"{_f(_med(r, 'conns_per_stream'), 2)} | {_f(_med(r, 'mock_cpu_us_per_stream'))} |"
                )
        out.append("")
        others = [s for s in order if s not in (floor, wireai) and rows.get(s)]
        out.append(f"#### {vendor}: cost at concurrency against the floor (CPU µs per stream; TTFD p99)")
        out.append("")
        cols = ["floor CPU", "wireai CPU", "wireai − floor", "wireai / floor", "wireai / floor TTFD p99"]
        out.extend(table_head("C", cols + [f"{s} / floor CPU" for s in others]))
        for c in levels:
            f_r, w_r = (
                rows[floor].get(str(c)) if rows.get(floor) else None,
                (rows.get(wireai) or {}).get(str(c)),
            )
            fc, wc = _med(f_r, "cpu_us_per_stream"), _med(w_r, "cpu_us_per_stream")
            diff = None if fc is None or wc is None else wc - fc
            line = (
                f"| {c} | {_f(fc)} | {_f(wc)} | {'n/a' if diff is None else f'{diff:+,.0f}'} | {_x(wc, fc)} | "
                f"{_x(_med(w_r, 'ttfd_ms_p99'), _med(f_r, 'ttfd_ms_p99'))} |"
            )
            for s in others:
                line += f" {_x(_med(rows[s].get(str(c)), 'cpu_us_per_stream'), fc)} |"
            out.append(line)
        out.append("")
    if out:
        limits = ", ".join(f"{s} {POOL_LIMITS[s]}" for s in order if s in POOL_LIMITS)
        out.append(f"Connection pool limits (max / idle kept), each stack's default: {limits}.")
        out.append("")
    return out
