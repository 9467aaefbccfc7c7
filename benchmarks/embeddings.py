"""Embedding 10,000 short texts against the loopback mock: wireai vs the `openai` SDK vs bare httpx.

    python benchmarks/embeddings.py                    # venvs, 10,000 texts x 1536 dims, 3 rounds
    python benchmarks/embeddings.py --write-results    # ... and rewrite its section of RESULTS.md
    python benchmarks/embeddings.py --smoke            # this interpreter, floor + wireai, tiny N (CI)

Every stack makes the same exchanges: the texts in requests of 2,048 (OpenAI's limit), 4 in flight,
`dimensions` given, as float JSON or as base64 float32, and ends with a list of float lists.

- **wireai**: `Embedder(OpenAIEmbeddingModel(...)).embed_documents(texts)`; it splits and runs the
  requests itself; `openai_encoding_format` picks the encoding.
- **openai-sdk**: `AsyncOpenAI.embeddings.create` per 2,048, under an `asyncio.Semaphore(4)`;
  `encoding_format="float"` for float, and for base64 the SDK's own default (it asks for base64 and
  decodes it to floats, with numpy if installed, else `array`).
- **floor**: `httpx.AsyncClient.post` + `json.loads` (+ `b64decode` + `array('f').tolist()`).

Each (stack, encoding, round) is a fresh process (`embeddings.py worker ...` in the stack's venv):
CPU µs per vector is the process's CPU during the call over the number of vectors (the mock runs in
its own process); peak RSS is the process's `ru_maxrss` (via `wait4`), and "added" is that minus
the peak before the call (after imports and a warm-up call). Venvs and the mock come from `run.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from mdtable import error_lines, publish, write_section  # noqa: E402
from stacks import STACKS, Stack  # noqa: E402

MODEL = "text-embedding-3-small"
BATCH = 2048
CONCURRENCY = 4
ENCODINGS = ("float", "base64")
OPENAI_SDK = Stack(
    name="openai-sdk",
    kind="openai-sdk",
    requirements=("openai",),
    import_code="from openai import AsyncOpenAI",
    construct_code="AsyncOpenAI(base_url='http://127.0.0.1:9/v1', api_key='x')",
    dists=("openai", "httpx", "pydantic"),
)
EMBED_STACKS: dict[str, Stack] = {
    "floor": STACKS["floor"],
    "wireai": STACKS["wireai"],
    "openai-sdk": OPENAI_SDK,
}
ORDER = ("floor", "wireai", "openai-sdk")
BEGIN, END = "<!-- embeddings:begin -->", "<!-- embeddings:end -->"


def texts(n: int) -> list[str]:
    """Short texts (~60 characters), all different."""
    return [f"Document {i}: the quick brown fox jumps over the lazy dog, again." for i in range(n)]


# ------------------------------------------------------------------------------------------ worker


Embed = Callable[[list[str]], Awaitable[list[Any]]]


def make_wireai(base: str, dims: int, encoding: str) -> Embed:
    from wireai.embeddings import Embedder
    from wireai.embeddings.openai import OpenAIEmbeddingModel
    from wireai.providers.openai import OpenAIProvider

    model = OpenAIEmbeddingModel(MODEL, provider=OpenAIProvider(base_url=f"{base}/v1", api_key="x"))
    settings: Any = {"dimensions": dims, "openai_encoding_format": encoding}
    embedder = Embedder(model, settings=settings)

    async def embed(inputs: list[str]) -> list[Any]:
        return list((await embedder.embed_documents(inputs)).embeddings)

    return embed


def _in_chunks(one: Callable[[list[str]], Awaitable[list[Any]]]) -> Embed:
    """`one` over requests of `BATCH` inputs, at most `CONCURRENCY` at once, vectors in order."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def limited(chunk: list[str]) -> list[Any]:
        async with gate:
            return await one(chunk)

    async def embed(inputs: list[str]) -> list[Any]:
        chunks = [inputs[i : i + BATCH] for i in range(0, len(inputs), BATCH)]
        parts = await asyncio.gather(*(limited(c) for c in chunks))
        return [vector for part in parts for vector in part]

    return embed


def make_sdk(base: str, dims: int, encoding: str) -> Embed:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=f"{base}/v1", api_key="x", max_retries=0)
    extra = {"encoding_format": "float"} if encoding == "float" else {}  # base64: the SDK's default

    async def one(chunk: list[str]) -> list[Any]:
        response = await client.embeddings.create(input=chunk, model=MODEL, dimensions=dims, **extra)
        return [item.embedding for item in response.data]

    return _in_chunks(one)


def make_floor(base: str, dims: int, encoding: str) -> Embed:
    import base64
    from array import array

    import httpx

    client = httpx.AsyncClient(timeout=600)
    headers = {"authorization": "Bearer x", "content-type": "application/json"}

    async def one(chunk: list[str]) -> list[Any]:
        body = {"input": chunk, "model": MODEL, "encoding_format": encoding, "dimensions": dims}
        response = await client.post(
            f"{base}/v1/embeddings", content=json.dumps(body).encode(), headers=headers
        )
        response.raise_for_status()
        data = json.loads(response.content)["data"]
        if encoding == "base64":
            return [array("f", base64.b64decode(item["embedding"])).tolist() for item in data]
        return [item["embedding"] for item in data]

    return _in_chunks(one)


RUNNERS: dict[str, Callable[[str, int, str], Embed]] = {
    "wireai": make_wireai,
    "openai-sdk": make_sdk,
    "floor": make_floor,
}


def _peak_mib() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def worker(args: argparse.Namespace) -> dict[str, Any]:
    inputs = texts(args.n)

    async def go() -> dict[str, Any]:
        embed = RUNNERS[args.stack](args.base, args.dims, args.encoding)  # clients built inside the loop
        await embed(inputs[:8])  # imports, connections, caches
        before = _peak_mib()
        c0, t0 = time.process_time(), time.perf_counter()
        vectors = await embed(inputs)
        t1, c1 = time.perf_counter(), time.process_time()
        if len(vectors) != args.n or any(len(v) != args.dims for v in (vectors[0], vectors[-1])):
            raise SystemExit(
                f"{args.stack}: got {len(vectors)} vectors of {len(vectors[0])}, not {args.n} of {args.dims}"
            )
        if not isinstance(vectors[0], list) or not isinstance(vectors[0][0], float):
            raise SystemExit(
                f"{args.stack}: vectors are {type(vectors[0]).__name__} of {type(vectors[0][0]).__name__}"
            )
        return {
            "cpu_us_per_vector": (c1 - c0) / args.n * 1e6,
            "wall_ms": (t1 - t0) * 1000,
            "peak_before_mib": before,
            "vectors": len(vectors),
        }

    return asyncio.run(go())


# ----------------------------------------------------------------------------------------- harness


def _run_with_rusage(python: str, args: list[str], env: dict[str, str]) -> tuple[str, str, int, float]:
    """Like `subprocess.run`, but reaping the child ourselves so its `ru_maxrss` is ours to read."""
    proc = subprocess.Popen([python, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _pid, status, rusage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = rusage.ru_maxrss / (2**20 if sys.platform == "darwin" else 1024)
    return out.decode(), err.decode(errors="replace"), proc.returncode, peak


def measure(
    python: str, stack: str, encoding: str, base: str, n: int, dims: int, env: dict[str, str]
) -> dict[str, Any]:
    args = [str(Path(__file__).resolve()), "worker", "--stack", stack, "--encoding", encoding,
            "--base", base, "-n", str(n), "--dims", str(dims)]  # fmt: skip
    out, err, code, peak = _run_with_rusage(python, args, env)
    if code != 0:
        raise RuntimeError(f"{stack} {encoding} failed ({code}): {err[-2000:]}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_mib"] = peak
    result["added_mib"] = peak - result["peak_before_mib"]
    return result


def versions(python: str, stack: str, env: dict[str, str]) -> str:
    dists = EMBED_STACKS[stack].dists
    code = (
        "from importlib.metadata import version, PackageNotFoundError\n"
        f"for d in {dists!r}:\n"
        "    try: print(d, version(d))\n"
        "    except PackageNotFoundError: pass\n"
        "try:\n    import numpy; print('numpy', numpy.__version__)\nexcept ImportError: pass\n"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    return ", ".join(out.stdout.split("\n")).strip(", ")


def render(report: dict[str, Any]) -> str:
    cfg = report["config"]
    lines = [
        f"Run {report['date']} on {report['machine']}, Python {report['python']}; wireai at {report['checkout']}.",
        f"{cfg['n']:,} texts of ~60 characters, {cfg['dims']} dimensions, requests of {BATCH} with {CONCURRENCY} in flight, "
        f"{cfg['rounds']} fresh processes per cell; medians."
        + (" **Smoke mode: figures meaningless.**" if cfg["smoke"] else ""),
        "",
        "| stack | encoding | CPU µs/vector | ×floor | wall ms | peak RSS MiB | added by the call MiB |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    results = report["results"]
    for encoding in ENCODINGS:
        floor = results.get("floor", {}).get(encoding)
        for stack in [s for s in ORDER if s in results]:
            cell = results[stack].get(encoding)
            if not cell:
                lines.append(f"| {stack} | {encoding} | n/a | | | | |")
                continue
            ratio = cell["cpu_us_per_vector"] / floor["cpu_us_per_vector"] if floor else None
            lines.append(
                f"| {stack} | {encoding} | {cell['cpu_us_per_vector']:.1f} | {'' if ratio is None else f'{ratio:.2f}×'} | "
                f"{cell['wall_ms']:,.0f} | {cell['peak_mib']:.0f} | {cell['added_mib']:.0f} |"
            )
    lines.append("")
    lines.append("Versions: " + "; ".join(f"{s}: {v}" for s, v in report["versions"].items()) + ".")
    mock = report.get("mock") or {}
    if mock.get("requests"):
        lines.append(
            f"Mock server (one process, cached bodies): {mock['requests']:,} requests, "
            f"{mock['cpu_s'] / mock['requests'] * 1000:.1f} ms CPU per request on average."
        )
    lines.extend(error_lines(report.get("errors") or []))
    return "\n".join(lines) + "\n"


def write_results(text: str) -> None:
    """Replace (or add) this report's section of RESULTS.md, leaving the rest as it is."""
    write_section(HERE / "RESULTS.md", BEGIN, END, "## Embeddings (`benchmarks/embeddings.py`)", text)


def harness(cfg: argparse.Namespace) -> int:
    import run  # the venv and mock helpers of the main harness

    started = time.perf_counter()
    env = run.clean_env()
    stacks = [s for s in ORDER if s in cfg.stacks]
    if cfg.smoke:
        stacks = [s for s in stacks if s in ("floor", "wireai")]
        pythons = {s: sys.executable for s in stacks}
    else:
        run.VENVS.mkdir(parents=True, exist_ok=True)
        wheel = run.build_wheel(cfg.python) if "wireai" in stacks else None
        pythons = {
            s: str(run.venv_python(run.ensure_stack_venv(EMBED_STACKS[s], cfg.python, cfg.recreate, wheel)))
            for s in stacks
        }
    report: dict[str, Any] = {
        **run.stamp(),
        "config": {"n": cfg.n, "dims": cfg.dims, "rounds": cfg.rounds, "smoke": cfg.smoke},
        "versions": {s: versions(p, s, env) for s, p in pythons.items()},
        "results": {},
        "errors": [],
    }
    samples: dict[tuple[str, str], list[dict[str, Any]]] = {}
    mock = run.Mock()
    try:
        for round_ in range(cfg.rounds):
            for stack in stacks:  # interleaved, so background load drifts over every stack alike
                for encoding in ENCODINGS:
                    run.log(f"embeddings round {round_ + 1}/{cfg.rounds}: {stack} {encoding}")
                    try:
                        samples.setdefault((stack, encoding), []).append(
                            measure(pythons[stack], stack, encoding, mock.root, cfg.n, cfg.dims, env)
                        )
                    except Exception as exc:  # a failing stack is reported, the run goes on
                        report["errors"].append(str(exc).splitlines()[-1][:300])
        report["mock"] = mock.stats()
    finally:
        mock.close()
    for (stack, encoding), runs in samples.items():
        report["results"].setdefault(stack, {})[encoding] = {
            key: statistics.median(r[key] for r in runs)
            for key in ("cpu_us_per_vector", "wall_ms", "peak_mib", "added_mib")
        } | {"rounds": len(runs)}
    report["elapsed_s"] = time.perf_counter() - started
    return publish(report, render(report), cfg, write_results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    w = sub.add_parser("worker", help="one measurement inside a stack's venv (used by the harness)")
    w.add_argument("--stack", required=True, choices=ORDER)
    w.add_argument("--encoding", required=True, choices=ENCODINGS)
    w.add_argument("--base", required=True)
    w.add_argument("-n", type=int, default=10_000)
    w.add_argument("--dims", type=int, default=1536)
    parser.add_argument("--stacks", default=",".join(ORDER))
    parser.add_argument("-n", "--texts", dest="n", type=int, default=10_000)
    parser.add_argument("--dims", type=int, default=1536)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--python", default=sys.executable, help="interpreter the venvs are made from")
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="this interpreter, floor + wireai, tiny N")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--write-results", action="store_true")
    cfg = parser.parse_args(argv)
    if cfg.command == "worker":
        print(json.dumps(worker(cfg)))
        return 0
    cfg.stacks = [s.strip() for s in cfg.stacks.split(",") if s.strip()]
    if cfg.smoke:
        cfg.n, cfg.dims, cfg.rounds = min(cfg.n, 300), min(cfg.dims, 64), 1
    return harness(cfg)


if __name__ == "__main__":
    sys.exit(main())
