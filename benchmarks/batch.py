"""Batch jobs at scale against the fake vendor: build + submit N requests, then parse N results.

    python benchmarks/batch.py                    # N = 25,000 ... 200,000; OpenAI and Anthropic
    python benchmarks/batch.py --write-results    # ... and rewrite its section of RESULTS.md
    python benchmarks/batch.py --smoke            # tiny N, seconds (CI)

What it shows: the client's memory stays bounded however many requests a job has. Requests come
from a generator; each body is built by the model's `build_request` and written to the batch
store as it is made; each vendor batch's upload is assembled once from the store (OpenAI: 50,000
per file, so a 100,000-request job is two files; Anthropic: one create call of up to 100,000) and
written to the socket in slices; results are parsed line by line as the file downloads.

Every measurement is a fresh process (`batch.py worker ...`); the fake vendor (`wireai.testing`'s
`FakeOpenAI` / `FakeAnthropic`, one scripted answer per request) runs in a process of its own, so
its memory and CPU are not the client's. Figures per phase: wall seconds, client CPU seconds,
requests (or results) per second of wall time, and the phase's peak RSS above the RSS before it
(the kernel's high-water mark, reset before each phase through `/proc/self/clear_refs`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from mdtable import error_lines, publish, table_head, write_section  # noqa: E402

SIZES = (25_000, 50_000, 100_000, 200_000)
VENDORS = {"openai": "FakeOpenAI", "anthropic": "FakeAnthropic"}
BEGIN, END = "<!-- batch:begin -->", "<!-- batch:end -->"
PROMPT = (
    "Summarize support ticket #{i} in one sentence: the customer cannot log in after resetting the password."
)


# ------------------------------------------------------------------------------------------ memory


def rss_kib(field: str) -> int:
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, KiB; 0 where unknown."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        pass


# ------------------------------------------------------------------------------------------ processes


def fake_server(vendor: str) -> int:
    """Serve one fake vendor whose every batch request gets a short answer, until stdin closes."""
    from wireai import testing
    from wireai.messages import ModelResponse, TextPart
    from wireai.testing.server import RecordedRequest
    from wireai.usage import RequestUsage

    fake = getattr(testing, VENDORS[vendor])()
    answer = ModelResponse([TextPart("The customer is locked out after a password reset.")], model_name="bench-model",
                           usage=RequestUsage(input_tokens=31, output_tokens=11), finish_reason="stop")  # fmt: skip
    body = fake.encode_json(
        answer, RecordedRequest("POST", "/", {}, b"{}")
    )  # encoded once: the fake's CPU is not measured
    fake.batch.responder = lambda custom_id, request: (200, body)
    with fake:
        print(fake.server.port, flush=True)
        sys.stdin.read()
    return 0


def model_for(vendor: str, port: int) -> Any:
    """A model pointed at the fake process, warmed up: one request built and one answer parsed, so
    the measured phase pays no first-use imports."""
    from wireai import testing
    from wireai.batch._api import batch_api
    from wireai.messages import ModelRequest, ModelResponse, TextPart, UserPromptPart
    from wireai.models import ModelRequestParameters
    from wireai.testing.server import RecordedRequest

    fake = getattr(testing, VENDORS[vendor])()
    fake.server.port = port  # not started: only its model() and encoder are used
    model = fake.model()
    batch_api(model).frame(
        "x",
        model.build_request([ModelRequest([UserPromptPart("x")])], None, ModelRequestParameters()).content(),
    )
    model.parse_response(
        fake.encode_json(ModelResponse([TextPart("x")]), RecordedRequest("POST", "/", {}, b"{}"))
    )
    return model


async def submit_phase(vendor: str, port: int, n: int, store: Path) -> dict[str, Any]:
    """Build and submit `n` requests from a generator, then wait for the job (not measured)."""
    from wireai.batch import BatchRequest, submit_batch
    from wireai.messages import ModelRequest, UserPromptPart

    model = model_for(vendor, port)
    requests = (BatchRequest(f"t{i}", [ModelRequest([UserPromptPart(PROMPT.format(i=i))])]) for i in range(n))
    start = Phase()
    job = await submit_batch(model, requests, store=store)
    out: dict[str, Any] = {"job": job.id, "submit": start.end(n)}
    chunks = job.store.chunks(job.id)
    out["vendor_batches"] = len(chunks)
    out["largest_upload_mib"] = max(c.nbytes for c in chunks) / 2**20
    await job.wait(poll_interval=0.2)
    return out


async def results_phase(vendor: str, port: int, job_id: str, store: Path) -> dict[str, Any]:
    """Read every result of the job, in a fresh process (nothing of the submission in memory)."""
    from wireai.batch import BatchJob

    job = await BatchJob.load(job_id, store=store, model=model_for(vendor, port))
    start = Phase()
    ok = n = 0
    async for result in job.results():
        ok += result.ok
        n += 1
    return {"results": start.end(n), "ok": ok}


class Phase:
    """Wall time, CPU time and the RSS high-water mark above the RSS at the start."""

    def __init__(self) -> None:
        reset_peak()
        self.rss = rss_kib("VmRSS")
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def end(self, n: int) -> dict[str, float]:
        seconds = time.perf_counter() - self.wall
        return {
            "wall_s": seconds,
            "cpu_s": time.process_time() - self.cpu,
            "per_s": n / seconds if seconds else 0.0,
            "peak_added_mib": max(rss_kib("VmHWM") - self.rss, 0) / 1024,
            "rss_before_mib": self.rss / 1024,
        }


def worker(args: list[str]) -> dict[str, Any]:
    phase, vendor, port, what, store = args
    if phase == "submit":
        return asyncio.run(submit_phase(vendor, int(port), int(what), Path(store)))
    return asyncio.run(results_phase(vendor, int(port), what, Path(store)))


def run_cell(vendor: str, port: int, n: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "batches.sqlite")
        submitted = run_worker(["submit", vendor, str(port), str(n), store])
        read = run_worker(["results", vendor, str(port), submitted["job"], store])
    if read["ok"] != n:
        raise RuntimeError(f"{vendor} n={n}: {read['ok']} results of {n} were ok")
    return {"n": n, **submitted, **read}


def run_worker(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "worker", *args],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker {' '.join(args[:4])} failed: {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# ------------------------------------------------------------------------------------------ report


def render(report: dict[str, Any]) -> str:
    lines = [
        f"Run {report['date']} on {report['machine']}, Python {report['python']}; wireai at {report['checkout']}.",
        "One fresh client process per cell; the fake vendor in its own process. Peak added = the phase's "
        "RSS high-water mark above the RSS when it began."
        + (" **Smoke mode: figures meaningless.**" if report["smoke"] else ""),
        "",
        *table_head(
            "vendor, requests",
            [
                "vendor batches",
                "largest upload MiB",
                "build+submit s",
                "requests/s",
                "CPU µs/request",
                "submit peak added MiB",
                "parse s",
                "results/s",
                "CPU µs/result",
                "parse peak added MiB",
            ],
        ),  # fmt: skip
    ]
    for cell in report["cells"]:
        s, r = cell["submit"], cell["results"]
        lines.append(
            f"| {cell['vendor']}, {cell['n']:,} | {cell['vendor_batches']} | {cell['largest_upload_mib']:.1f} | "
            f"{s['wall_s']:.2f} | {s['per_s']:,.0f} | {s['cpu_s'] / cell['n'] * 1e6:.0f} | {s['peak_added_mib']:.1f} | {r['wall_s']:.2f} | "
            f"{r['per_s']:,.0f} | {r['cpu_s'] / cell['n'] * 1e6:.0f} | {r['peak_added_mib']:.1f} |"
        )
    lines.extend(error_lines(report.get("errors") or []))
    return "\n".join(lines) + "\n"


def write_results(text: str) -> None:
    """Replace (or add) this report's section of RESULTS.md, leaving the rest as it is."""
    write_section(HERE / "RESULTS.md", BEGIN, END, "## Batch jobs (`benchmarks/batch.py`)", text)


def harness(cfg: argparse.Namespace) -> int:
    import run  # machine and checkout descriptions of the main harness

    report: dict[str, Any] = {
        **run.stamp(),
        "smoke": cfg.smoke,
        "cells": [],
        "errors": [],
    }
    for vendor in cfg.vendors:
        server = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "fake", vendor], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline())
            for n in cfg.sizes:
                run.log(f"batch: {vendor}, {n:,} requests")
                try:
                    report["cells"].append({"vendor": vendor, **run_cell(vendor, port, n)})
                except Exception as exc:
                    report["errors"].append(str(exc).splitlines()[-1][:300])
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(30)
    return publish(report, render(report), cfg, write_results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    f = sub.add_parser("fake", help="serve one fake vendor (used by the harness)")
    f.add_argument("vendor", choices=VENDORS)
    w = sub.add_parser("worker", help="one phase in a fresh process (used by the harness)")
    w.add_argument("args", nargs=5, metavar="ARG", help="submit|results VENDOR PORT N|JOB STORE")
    parser.add_argument("--vendors", default=",".join(VENDORS))
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--smoke", action="store_true", help="tiny N, seconds")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--write-results", action="store_true")
    cfg = parser.parse_args(argv)
    if cfg.command == "fake":
        return fake_server(cfg.vendor)
    if cfg.command == "worker":
        print(json.dumps(worker(cfg.args)))
        return 0
    cfg.vendors = [v.strip() for v in cfg.vendors.split(",") if v.strip()]
    cfg.sizes = [200] if cfg.smoke else [int(s) for s in cfg.sizes.split(",") if s.strip()]
    return harness(cfg)


if __name__ == "__main__":
    sys.exit(main())
