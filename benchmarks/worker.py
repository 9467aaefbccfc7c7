"""One measurement, run inside one stack's venv: prints a single JSON object on stdout.

The harness (`run.py`) starts this script with the venv's interpreter, so the process holds
exactly that stack's packages; nothing here is imported by the library or its tests.

    python worker.py versions --stack wireai
    python worker.py requests --stack wireai --vendor openai --base ROOT [--structured] -n 2000 --rounds 3
    python worker.py stream   --stack wireai --vendor anthropic --base ROOT -n 20000 --rounds 3
    python worker.py concurrency --stack wireai --vendor openai --base ROOT -n 50 --concurrency 100 --streams 400

``ROOT`` is the mock's root URL (``http://127.0.0.1:PORT``); each stack composes its own paths.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import concurrency
from concurrency import Streamer
from stacks import ANTHROPIC_MODEL, OPENAI_MODEL, STACKS

Runner = Callable[[], Awaitable[Any]]


def _output_model() -> type:
    """The 2-field pydantic output type of the structured runs."""
    from pydantic import BaseModel

    class CityLocation(BaseModel):
        city: str
        country: str

    return CityLocation


# ------------------------------------------------------------------------------------------- floor


class Floor:
    """The bare minimum: an httpx client, `json.loads`, and a minimal SSE line loop.

    It makes the same HTTP exchanges as an agent (same paths, a tool in the body for structured
    output, pydantic validation of the tool arguments), so agent minus floor is the library's cost.
    """

    def __init__(self, httpx_module: Any, vendor: str, base: str, structured: bool) -> None:
        # wireai's timeouts (and a long-running service's): httpx's default 5 s would also bound the
        # wait for a pooled connection, and at 500 concurrent streams over 100 connections the
        # floor would end in PoolTimeout instead of measuring the queue. Per request it costs nothing.
        self.client = httpx_module.AsyncClient(timeout=httpx_module.Timeout(600, connect=5))
        self.vendor = vendor
        self.out = _output_model() if structured else None
        schema = self.out.model_json_schema() if self.out else None
        if vendor == "openai":
            self.url = f"{base}/v1/chat/completions"
            self.headers = {"authorization": "Bearer x", "content-type": "application/json"}
            self.body: dict[str, Any] = {
                "model": OPENAI_MODEL,
                "messages": [{"role": "user", "content": "hi"}],
            }
            if schema:
                fn = {"name": "final_result", "description": "The final response", "parameters": schema}
                self.body["tools"] = [{"type": "function", "function": fn}]
                self.body["tool_choice"] = "required"
        else:
            self.url = f"{base}/v1/messages"
            self.headers = {
                "x-api-key": "x",
                "anthropic-version": "2023-06-01",
                "content-type": "application/json",
            }
            self.body = {
                "model": ANTHROPIC_MODEL,
                "max_tokens": 4096,
                "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
            }
            if schema:
                self.body["tools"] = [
                    {"name": "final_result", "description": "The final response", "input_schema": schema}
                ]
                self.body["tool_choice"] = {"type": "any"}

    async def run(self) -> Any:
        r = await self.client.post(self.url, content=json.dumps(self.body).encode(), headers=self.headers)
        r.raise_for_status()
        data = json.loads(r.content)
        if self.vendor == "openai":
            msg = data["choices"][0]["message"]
            if self.out is not None:
                return self.out.model_validate_json(msg["tool_calls"][0]["function"]["arguments"])
            return msg["content"]
        block = data["content"][0]
        if self.out is not None:
            return self.out.model_validate(block["input"])
        return block["text"]

    async def stream(self, first: Callable[[], None] | None = None) -> int:
        body = {**self.body, "stream": True}
        if self.vendor == "openai":
            body["stream_options"] = {"include_usage": True}
        seen = 0
        async with self.client.stream(
            "POST", self.url, content=json.dumps(body).encode(), headers=self.headers
        ) as r:
            r.raise_for_status()
            async for line in r.aiter_lines():
                if not line.startswith("data: "):
                    continue
                payload = line[6:]
                if payload == "[DONE]":
                    # the last line: let the loop read the body to its end, as the SDKs do, so the
                    # connection goes back to the pool (a `break` here makes httpx close it)
                    continue
                data = json.loads(payload)
                if self.vendor == "openai":
                    for choice in data["choices"]:
                        if choice["delta"].get("content"):
                            seen += 1
                elif data["type"] == "content_block_delta" and data["delta"]["type"] == "text_delta":
                    seen += 1
                if seen == 1 and first is not None:
                    first()
                    first = None
        return seen


# ------------------------------------------------------------------------------------------ agents


def _agent(kind: str, vendor: str, base: str, structured: bool) -> Any:
    """An `Agent` of wireai or pydantic-ai over the mock, built the way their docs show."""
    if kind == "wireai":
        from wireai import Agent

        if vendor == "openai":
            from wireai.models.openai import OpenAIModel
            from wireai.providers.openai import OpenAIProvider

            model: Any = OpenAIModel(
                OPENAI_MODEL, provider=OpenAIProvider(base_url=f"{base}/v1", api_key="x")
            )
        else:
            from wireai.models.anthropic import AnthropicModel
            from wireai.providers.anthropic import AnthropicProvider

            model = AnthropicModel(ANTHROPIC_MODEL, provider=AnthropicProvider(base_url=base, api_key="x"))
    else:
        from pydantic_ai import Agent  # type: ignore[no-redef]

        if vendor == "openai":
            from pydantic_ai.providers.openai import OpenAIProvider  # type: ignore[no-redef]

            try:
                from pydantic_ai.models.openai import OpenAIChatModel as ChatModel
            except ImportError:  # older pydantic-ai
                from pydantic_ai.models.openai import OpenAIModel as ChatModel  # type: ignore[no-redef]
            model = ChatModel(OPENAI_MODEL, provider=OpenAIProvider(base_url=f"{base}/v1", api_key="x"))
        else:
            from pydantic_ai.models.anthropic import AnthropicModel  # type: ignore[no-redef]
            from pydantic_ai.providers.anthropic import AnthropicProvider  # type: ignore[no-redef]

            # The anthropic SDK appends /v1/messages to its base URL.
            model = AnthropicModel(ANTHROPIC_MODEL, provider=AnthropicProvider(base_url=base, api_key="x"))
    if structured:
        return Agent(model, output_type=_output_model())
    return Agent(model)


def _agent_runner(agent: Any, structured: bool) -> Runner:
    async def run() -> Any:
        result = await agent.run("hi")
        out = result.output
        if structured and not hasattr(out, "city"):
            raise AssertionError(f"structured run returned {out!r}")
        return out

    return run


def _agent_streamer(agent: Any) -> Streamer:
    async def stream(first: Callable[[], None] | None = None) -> int:
        seen = 0
        async with agent.run_stream("hi") as result:
            try:
                it = result.stream_text(delta=True, debounce_by=None)
            except TypeError:  # no debounce knob: deltas come one by one already
                it = result.stream_text(delta=True)
            async for _ in it:
                seen += 1
                if seen == 1 and first is not None:
                    first()
        return seen

    return stream


def _make(stack_name: str, vendor: str, base: str, structured: bool) -> tuple[Runner, Streamer]:
    stack = STACKS[stack_name]
    if stack.kind == "floor":
        import httpx

        floor = Floor(httpx, vendor, base, structured)
        return floor.run, floor.stream
    if stack.kind == "floor-httpx2":
        import httpx2

        floor = Floor(httpx2, vendor, base, structured)
        return floor.run, floor.stream
    agent = _agent(stack.kind, vendor, base, structured)
    return _agent_runner(agent, structured), _agent_streamer(agent)


# ------------------------------------------------------------------------------------ measurements


BLOCK = 100
"""Requests per block of the interference-free CPU figure."""


async def measure_requests(run: Runner, n: int, rounds: int, warmup: int) -> dict[str, Any]:
    """`rounds` rounds of `n` sequential runs after `warmup` runs: wall and CPU µs per request, and
    the 10th percentile of the CPU per request of the round's blocks of `BLOCK` runs.

    On a shared machine other tenants only ever add time, in bursts shorter than a round (the same
    loop measured 690 to 950 µs per request from one second to the next): a low percentile of
    short blocks is the cost of a request with that interference mostly left out, where a round's
    mean carries whatever burst fell into it."""
    for _ in range(warmup):
        await run()
    wall: list[float] = []
    cpu: list[float] = []
    cpu_p10: list[float] = []
    for _ in range(rounds):
        blocks: list[float] = []
        c0, t0 = time.process_time(), time.perf_counter()
        done = 0
        while done < n:
            size = min(BLOCK, n - done)
            b0 = time.process_time()
            for _ in range(size):
                await run()
            blocks.append((time.process_time() - b0) / size * 1e6)
            done += size
        t1, c1 = time.perf_counter(), time.process_time()
        wall.append((t1 - t0) / n * 1e6)
        cpu.append((c1 - c0) / n * 1e6)
        blocks.sort()
        cpu_p10.append(blocks[len(blocks) // 10])
    return {
        "us_per_req": wall,
        "cpu_us_per_req": cpu,
        "cpu_us_per_req_p10": cpu_p10,
        "n": n,
        "rounds": rounds,
    }


async def measure_stream(stream: Streamer, warm_stream: Streamer, rounds: int) -> dict[str, Any]:
    """`rounds` streamed replies of N deltas each after a short warm-up stream: µs per delta."""
    await warm_stream(None)
    wall: list[float] = []
    cpu: list[float] = []
    seen: list[int] = []
    for _ in range(rounds):
        c0, t0 = time.process_time(), time.perf_counter()
        count = await stream(None)
        t1, c1 = time.perf_counter(), time.process_time()
        seen.append(count)
        wall.append((t1 - t0) / max(count, 1) * 1e6)
        cpu.append((c1 - c0) / max(count, 1) * 1e6)
    return {"us_per_delta": wall, "cpu_us_per_delta": cpu, "deltas_seen": seen, "rounds": rounds}


def versions(stack_name: str) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for dist in STACKS[stack_name].dists:
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            pass
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one benchmark measurement inside a stack's venv")
    parser.add_argument("task", choices=("versions", "requests", "stream", "concurrency"))
    parser.add_argument("--stack", required=True, choices=sorted(STACKS))
    parser.add_argument("--vendor", choices=("openai", "anthropic"), default="openai")
    parser.add_argument("--base", help="mock root URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--structured", action="store_true")
    parser.add_argument("-n", type=int, default=2000, help="requests per round, or deltas per stream")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=None)
    parser.add_argument(
        "--concurrency", type=int, default=1, help="streamed runs in flight (concurrency task)"
    )
    parser.add_argument("--streams", type=int, default=400, help="measured streams (concurrency task)")
    args = parser.parse_args(argv)

    if args.task == "versions":
        result: dict[str, Any] = versions(args.stack)
    elif args.task == "requests":
        run, _ = _make(args.stack, args.vendor, args.base, args.structured)
        warmup = args.warmup if args.warmup is not None else min(200, max(2, args.n // 10))
        result = asyncio.run(measure_requests(run, args.n, args.rounds, warmup))
    elif args.task == "concurrency":
        _, stream = _make(args.stack, args.vendor, f"{args.base}/d{args.n}", False)
        result = asyncio.run(concurrency.measure(stream, args.concurrency, args.streams, args.n))
    else:
        _, stream = _make(args.stack, args.vendor, f"{args.base}/d{args.n}", False)
        _, warm = _make(args.stack, args.vendor, f"{args.base}/d{min(args.n, 200)}", False)

        async def go() -> dict[str, Any]:
            return await measure_stream(stream, warm, args.rounds)

        result = asyncio.run(go())
        if any(s != args.n for s in result["deltas_seen"]):
            result["warning"] = f"expected {args.n} deltas per stream, saw {result['deltas_seen']}"
    for key in ("us_per_req", "cpu_us_per_req", "cpu_us_per_req_p10", "us_per_delta", "cpu_us_per_delta"):
        if key in result:
            result[key + "_median"] = statistics.median(result[key])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
