"""Where a stack's time goes: the benchmark's request or stream loop under cProfile.

    python benchmarks/hotspots.py requests --vendor openai [--structured] [-n 2000]
    python benchmarks/hotspots.py stream --vendor anthropic [-n 20000]
    python benchmarks/hotspots.py concurrency --vendor openai -c 500 [-n 50]
    benchmarks/.venvs/wireai/bin/python benchmarks/hotspots.py requests --stack wireai

Starts its own mock server, warms up, then profiles one round (for `concurrency`: the measured
closed loop of `concurrency.measure`, C streamed runs of N deltas in flight; units are streams). Prints (1) the share of
self time per area (wireai module, httpx/httpcore, asyncio, pydantic, json, ...), and (2) the
top functions by self time and by cumulative time with file:function and their share. cProfile
inflates many small calls, so read shares as relative, then confirm a fix with `run.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import concurrency  # noqa: E402
import worker  # noqa: E402


def _area(filename: str) -> str:
    """A coarse owner of a code file: which library (or wireai module) the time belongs to."""
    f = filename.replace(os.sep, "/")
    if f.startswith("~") or f.startswith("<"):
        return "builtins/frozen"
    if "/site-packages/" in f:
        rest = f.rsplit("/site-packages/", 1)[1]
        top = rest.split("/", 1)[0]
        return rest if top == "wireai" else top.removesuffix(".py")
    if "/src/wireai/" in f:
        return "wireai/" + f.rsplit("/src/wireai/", 1)[1]
    if "/asyncio/" in f:
        return "asyncio"
    if "/json/" in f:
        return "json"
    return "stdlib: " + f.rsplit("/", 1)[-1]


def _label(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    f = filename.replace(os.sep, "/")
    for marker in ("/site-packages/", "/src/", "/lib/python3"):
        if marker in f:
            f = f.split(marker, 1)[1]
            break
    return f"{f}:{line}:{name}"


def report(profile: cProfile.Profile, units: int, unit: str, top: int) -> str:
    stats = pstats.Stats(profile)
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in raw.values())
    out = io.StringIO()
    out.write(f"total self time {total * 1e6 / units:.1f} µs per {unit} (under cProfile)\n\n")
    areas: dict[str, float] = defaultdict(float)
    for func, (_cc, _nc, tt, _ct, _callers) in raw.items():
        areas[_area(func[0])] += tt
    out.write("self time by area:\n")
    for name, tt in sorted(areas.items(), key=lambda kv: -kv[1])[:top]:
        out.write(f"  {tt / total * 100:5.1f}%  {tt * 1e6 / units:8.2f} µs/{unit}  {name}\n")
    out.write("\ntop functions by self time:\n")
    for func, (_cc, nc, tt, _ct, _callers) in sorted(raw.items(), key=lambda kv: -kv[1][2])[:top]:
        out.write(f"  {tt / total * 100:5.1f}%  {nc / units:6.1f} calls/{unit}  {_label(func)}\n")
    out.write("\ntop wireai functions by cumulative time:\n")
    wire = [(f, v) for f, v in raw.items() if _area(f[0]).startswith("wireai")]
    for func, (_cc, nc, _tt, ct, _callers) in sorted(wire, key=lambda kv: -kv[1][3])[:top]:
        out.write(f"  {ct / total * 100:5.1f}%  {nc / units:6.1f} calls/{unit}  {_label(func)}\n")
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("task", choices=("requests", "stream", "concurrency"))
    p.add_argument("--stack", default="wireai")
    p.add_argument("--vendor", default="openai", choices=("openai", "anthropic"))
    p.add_argument("--structured", action="store_true")
    p.add_argument("-c", "--concurrency", type=int, default=100, help="streamed runs in flight (concurrency)")
    p.add_argument("-n", type=int, default=None, help="requests (default 2000) or deltas (default 20000)")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--dump", type=Path, help="also write the raw pstats here (for snakeviz etc.)")
    args = p.parse_args(argv)

    mock = subprocess.Popen([sys.executable, str(HERE / "mock_server.py")], stdout=subprocess.PIPE, text=True)
    try:
        assert mock.stdout is not None
        base = f"http://127.0.0.1:{mock.stdout.readline().strip()}"
        prof = cProfile.Profile()
        if args.task == "requests":
            n = args.n or 2000
            run, _ = worker._make(args.stack, args.vendor, base, args.structured)

            async def go() -> None:
                for _ in range(200):
                    await run()
                prof.enable()
                for _ in range(n):
                    await run()
                prof.disable()

            asyncio.run(go())
            unit = "request"
        elif args.task == "concurrency":
            deltas = args.n or 50
            n = concurrency.streams_for(args.concurrency, 400)
            _, stream = worker._make(args.stack, args.vendor, f"{base}/d{deltas}", False)
            asyncio.run(
                concurrency.measure(stream, args.concurrency, n, deltas, before_measuring=prof.enable)
            )
            prof.disable()
            unit = "stream"
        else:
            n = args.n or 20000
            _, stream = worker._make(args.stack, args.vendor, f"{base}/d{n}", False)
            _, warm = worker._make(args.stack, args.vendor, f"{base}/d200", False)

            async def go() -> None:
                await warm(None)
                prof.enable()
                await stream(None)
                prof.disable()

            asyncio.run(go())
            unit = "delta"
        print(report(prof, n, unit, args.top))
        if args.dump:
            prof.dump_stats(str(args.dump))
    finally:
        mock.terminate()
        mock.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
