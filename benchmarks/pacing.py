"""Rate-limit pacing, off vs on: many concurrent agent runs against a vendor with a request and token budget.

    python benchmarks/pacing.py                  # 200 runs per scenario, ~1 min
    python benchmarks/pacing.py --runs 20 --smoke  # seconds (tests/test_benchmarks_smoke.py)

The fake (`wireai.testing.RateLimitedOpenAI` / `RateLimitedAnthropic`, loopback, a real socket)
enforces two token buckets refilled continuously — `requests` and `tokens` per `window` seconds —
and sends the vendor's rate-limit headers on every answer, a 429 with `Retry-After` when the budget
cannot cover a request. Every run is one `agent.run()`; all start at once. For each vendor and
pacing off/on it reports the 429s the fake sent, the runs that failed (429s past the transport's
retries), the wall time, and the floor: the least time the budget allows for all the requests
(`max((N * cost - capacity) / refill rate)` over both buckets, plus one round trip).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from wireai import Agent
from wireai.exceptions import ModelHTTPError
from wireai.models.anthropic import AnthropicModel
from wireai.models.openai import OpenAIChatModel
from wireai.testing import RateLimitedAnthropic, RateLimitedOpenAI

VENDORS = {
    "openai": (RateLimitedOpenAI, OpenAIChatModel, "gpt-4o"),
    "anthropic": (RateLimitedAnthropic, AnthropicModel, "claude-3-5-haiku-latest"),
}


async def scenario(vendor: str, paced: bool, cfg: argparse.Namespace) -> dict[str, Any]:
    fake_cls, model_cls, model_name = VENDORS[vendor]
    fake = fake_cls(
        requests=cfg.requests,
        tokens=cfg.tokens,
        window=cfg.window,
        output_tokens=cfg.output_tokens,
        latency=cfg.latency,
    )
    with fake:
        provider = fake.provider(pacing=paced, max_retries=cfg.retries)
        agent = Agent(model_cls(model_name, provider=provider))
        prompt = "Summarise the plot of a short story in one line."

        async def one() -> bool:
            try:
                await agent.run(prompt)
                return True
            except ModelHTTPError:
                return False

        started = time.perf_counter()
        results = await asyncio.gather(*(one() for _ in range(cfg.runs)))
        wall = time.perf_counter() - started
        cost = len(fake.requests[0].body) // 4 + cfg.output_tokens
        pacing = provider.pacing
        return {
            "vendor": vendor,
            "pacing": paced,
            "runs": cfg.runs,
            "failed": results.count(False),
            "rejected_429": fake.rejected,
            "requests_sent": len(fake.requests),
            "wall_s": wall,
            "floor_s": floor_seconds(cfg, cost),
            "tokens_per_request": cost,
            "delayed": pacing.delayed if pacing else 0,
        }


def floor_seconds(cfg: argparse.Namespace, cost: int) -> float:
    """The least time the budget allows: what the capacity cannot cover, at the refill rate, plus a round trip."""
    by_requests = (cfg.runs - cfg.requests) / (cfg.requests / cfg.window)
    by_tokens = (cfg.runs * cost - cfg.tokens) / (cfg.tokens / cfg.window)
    return max(by_requests, by_tokens, 0.0) + cfg.latency


def render(rows: list[dict[str, Any]], cfg: argparse.Namespace) -> str:
    lines = [
        f"{cfg.runs} concurrent `agent.run()` per scenario; budget {cfg.requests} requests and "
        f"{cfg.tokens:,} tokens per {cfg.window:g} s (token buckets), {cfg.latency * 1000:.0f} ms per answer, "
        f"transport retries: {cfg.retries} per request, honouring `Retry-After`.",
        "",
        "| vendor headers | pacing | 429s sent | runs failed | requests sent | wall s | budget floor s | wall / floor | runs held back |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['vendor']} | {'on' if r['pacing'] else 'off'} | {r['rejected_429']} | {r['failed']} | "
            f"{r['requests_sent']} | {r['wall_s']:.2f} | {r['floor_s']:.2f} | {r['wall_s'] / r['floor_s']:.2f}× | "
            f"{r['delayed']} |"
        )
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--requests", type=int, default=50, help="request budget per window")
    p.add_argument("--tokens", type=int, default=5_000, help="token budget per window")
    p.add_argument("--window", type=float, default=2.0, help="seconds to refill an empty budget")
    p.add_argument(
        "--output-tokens", type=int, default=100, help="tokens each request reserves for its answer"
    )
    p.add_argument("--latency", type=float, default=0.05, help="seconds the fake takes per answer")
    p.add_argument("--retries", type=int, default=2, help="the providers' max_retries (default 2, wireai's)")
    p.add_argument("--vendors", default="openai,anthropic")
    p.add_argument("--smoke", action="store_true", help="a small budget and window: seconds")
    p.add_argument("--json", action="store_true", help="print the rows as JSON instead of markdown")
    cfg = p.parse_args(argv)
    if cfg.smoke:
        cfg.requests, cfg.tokens, cfg.window, cfg.latency = 5, 1_000, 0.5, 0.01
    return cfg


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    rows = []
    for vendor in cfg.vendors.split(","):
        for paced in (False, True):
            rows.append(asyncio.run(scenario(vendor.strip(), paced, cfg)))
            print(f"[pacing] {vendor} pacing={'on' if paced else 'off'}: {rows[-1]}", file=sys.stderr)
    print(json.dumps(rows, indent=1) if cfg.json else render(rows, cfg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
