"""`wireai demo`: every vendor protocol, end to end, offline, in a few seconds.

Each row starts a loopback replay server on the vendor's fixture (`fixtures/demo/<vendor>.json`),
points the real model class and provider at it, and runs the same two agents: a structured output
reached after one tool call, and a streamed text answer. A row is OK only when the requests went
to the expected paths with the expected auth header and the outputs, tool calls and token counts
read back are exactly the ones the fixture encodes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

from ..testing.fixtures import FixtureCase, ReplayServer, load_case
from ..testing.server import LoopbackServer
from .scenario import FORECAST, HAIKU, TOOL_NAME, Forecast, RunOutcome, run_streamed, run_structured
from .vendors import VENDORS, DemoVendor

__all__ = ["DemoRow", "VENDORS", "format_table", "run_demo", "run_rows"]


@dataclass
class DemoRow:
    vendor: DemoVendor
    outcome: RunOutcome = field(default_factory=RunOutcome)
    seconds: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _check(case: FixtureCase, server: LoopbackServer, outcome: RunOutcome) -> None:
    """Raise AssertionError naming the first thing that differs from what the fixture encodes."""
    requests = server.requests
    if len(requests) != len(case.exchanges):
        raise AssertionError(f"sent {len(requests)} requests, the fixture has {len(case.exchanges)}")
    for i, (got, exchange) in enumerate(zip(requests, case.exchanges)):
        want = exchange.request
        if got.method != want.get("method", "POST") or got.path != want.get("path", got.path):
            raise AssertionError(
                f"request {i + 1} went to {got.method} {got.path}, expected {want.get('path')}"
            )
        for name, value in want.get("headers", {}).items():
            if got.headers.get(name) != value:
                raise AssertionError(f"request {i + 1}: header {name} is {got.headers.get(name)!r}")
    if outcome.forecast != Forecast(**FORECAST):
        raise AssertionError(f"structured output {outcome.forecast!r}")
    if outcome.text != HAIKU:
        raise AssertionError(f"streamed text {outcome.text!r}")
    if len(case.exchanges) == 3 and outcome.tools_called != [TOOL_NAME]:
        raise AssertionError(f"tools called {outcome.tools_called!r}")
    want_in, want_out = _fixture_usage(len(case.exchanges))
    if (outcome.input_tokens, outcome.output_tokens) != (want_in, want_out):
        raise AssertionError(
            f"usage {outcome.input_tokens}/{outcome.output_tokens}, expected {want_in}/{want_out}"
        )


def _fixture_usage(exchanges: int) -> tuple[int, int]:
    from .scenario import scripted_responses

    responses = scripted_responses("", ("a", "b"), tools=exchanges == 3, native=exchanges != 3)
    return sum(r.usage.input_tokens for r in responses), sum(r.usage.output_tokens for r in responses)


async def _run_row(vendor: DemoVendor) -> DemoRow:
    row = DemoRow(vendor)
    start = time.perf_counter()
    try:
        case = load_case("demo", vendor.key)
        with ReplayServer(case) as server:
            await run_structured(vendor.model(server.url), row.outcome)
            await run_streamed(vendor.model(server.url), row.outcome)
        _check(case, server, row.outcome)
    except Exception as exc:  # one failing vendor must not hide the others
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        row.error = f"{type(exc).__name__}: {message}"[:200]
    row.seconds = time.perf_counter() - start
    return row


async def run_rows(keys: Sequence[str] | None = None) -> list[DemoRow]:
    chosen = [v for v in VENDORS if not keys or v.key in keys]
    return [await _run_row(v) for v in chosen]


def _cell_output(row: DemoRow) -> str:
    f = row.outcome.forecast
    return f"{f.city} {f.temperature_c:g}°C {f.summary}" if f else "-"


def format_table(rows: Sequence[DemoRow]) -> str:
    header = ("vendor", "model", "output", "tool called", "in/out tok", "deltas", "time", "result")
    lines: list[tuple[str, ...]] = [header]
    for row in rows:
        o = row.outcome
        lines.append(
            (
                row.vendor.label,
                row.vendor.model_name,
                _cell_output(row),
                ", ".join(o.tools_called) or "-",
                f"{o.input_tokens}/{o.output_tokens}",
                str(o.deltas),
                f"{row.seconds * 1000:.0f} ms",
                "OK" if row.ok else "FAIL",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths).rstrip())
    for row in rows:
        if row.error:
            out.append(f"{row.vendor.label}: {row.error}")
    return "\n".join(out)


def run_demo(keys: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the rows, print the table; 0 when every row is OK, 1 otherwise."""
    import sys

    stream = out or sys.stdout
    unknown = sorted(set(keys or ()) - {v.key for v in VENDORS})
    if unknown:
        print(
            f"wireai demo: unknown vendor {', '.join(unknown)}; known: {', '.join(v.key for v in VENDORS)}",
            file=sys.stderr,
        )
        return 2
    start = time.perf_counter()
    rows = asyncio.run(run_rows(keys))
    total = time.perf_counter() - start
    print(
        "wireai demo: real model classes, providers, codecs and transport against loopback replays (offline)",
        file=stream,
    )
    print("each row: a Forecast after one get_weather tool call, then a streamed haiku\n", file=stream)
    print(format_table(rows), file=stream)
    ok = sum(r.ok for r in rows)
    print(f"\n{ok}/{len(rows)} vendors OK in {total:.2f} s", file=stream)
    return 0 if ok == len(rows) else 1
