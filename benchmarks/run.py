"""wireai vs pydantic-ai vs the bare-httpx floor, side by side, in one run on one machine.

    python benchmarks/run.py                      # everything (venvs, mock, all figures), ~10 min
    python benchmarks/run.py --write-results      # ... and rewrite benchmarks/RESULTS.md
    python benchmarks/run.py --smoke              # seconds: current interpreter, tiny N (CI)

What it does (see benchmarks/README.md for the method and why):
1. creates throwaway venvs under ``benchmarks/.venvs/`` (git-ignored): the floor (httpx +
   pydantic), the httpx2 floor, wireai core and wireai with all extras (from this checkout),
   ``pydantic-ai-slim[openai,anthropic]`` (latest) and an empty one for the footprint baseline;
2. starts ``mock_server.py`` (loopback OpenAI chat completions + Anthropic messages);
3. measures each figure in a fresh subprocess of the right venv (``worker.py``);
4. prints markdown tables with every stack: wireai's and pydantic-ai's overhead over the fair
   floor (µs and ratio) against the goals of issues 12 and 23, the httpx2 floor as the physical
   limit, throughput at concurrency (issue 21, `concurrency.py`) and the versions.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import concurrency  # noqa: E402
from mdtable import publish, table_head, write_section  # noqa: E402
from stacks import DEFAULT_ORDER, FLOOR, PAI, PHYSICAL_LIMIT, STACKS, WIREAI, Stack  # noqa: E402

REPO = HERE.parent
VENVS = HERE / ".venvs"
WORK = HERE / ".work"
VENDORS = ("openai", "anthropic")
_IMPORTTIME_RE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+) \| ( *)(\S.*)$")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def clean_env() -> dict[str, str]:
    """The environment of every measured subprocess: no venv leaking in, no user site."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP")
    }
    env["PYTHONNOUSERSITE"] = "1"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# ------------------------------------------------------------------------------------------- venvs


def venv_python(path: Path) -> Path:
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def site_packages(venv: Path) -> Path:
    out = subprocess.run(
        [str(venv_python(venv)), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    return Path(out.stdout.strip())


def pip(venv: Path, *args: str) -> None:
    cmd = [str(venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args]
    log("  " + " ".join(cmd[1:]))
    out = subprocess.run(cmd, capture_output=True, text=True, env=clean_env())
    if out.returncode != 0:  # pip's own warnings are noise unless the install failed
        sys.stderr.write(out.stdout + out.stderr)
        raise subprocess.CalledProcessError(out.returncode, cmd)


def make_venv(path: Path, base_python: str, recreate: bool) -> bool:
    """Create `path` unless it exists; True when it was (re)created."""
    if recreate and path.exists():
        shutil.rmtree(path)
    if venv_python(path).exists():
        return False
    log(f"creating venv {path.relative_to(REPO)}")
    subprocess.run([base_python, "-m", "venv", str(path)], check=True, env=clean_env())
    return True


def build_wheel(base_python: str) -> Path:
    """A wheel of this checkout: both wireai venvs install the same build of the code under test."""
    dist = WORK / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    dist.mkdir(parents=True)
    builder = VENVS / "_builder"
    make_venv(builder, base_python, recreate=False)
    log(f"building wireai wheel from {REPO}")
    cmd = [str(venv_python(builder)), "-m", "pip", "wheel", "-q", "--disable-pip-version-check"]
    out = subprocess.run(
        [*cmd, "--no-deps", "-w", str(dist), str(REPO)], capture_output=True, text=True, env=clean_env()
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit("building the wireai wheel failed")
    wheels = sorted(dist.glob("wireai-*.whl"))
    if not wheels:
        raise SystemExit(f"no wireai wheel built in {dist}")
    return wheels[-1]


def ensure_stack_venv(stack: Stack, base_python: str, recreate: bool, wheel: Path | None) -> Path:
    path = VENVS / (stack.venv or stack.name)
    created = make_venv(path, base_python, recreate)
    marker = path / ".bench-requirements"
    reqs = list(stack.requirements)
    if stack.local:
        assert wheel is not None
        reqs = [r.replace("{repo}", str(wheel)) for r in reqs]
        # deps (and extras) first, then the freshly built wireai over whatever version was there
        pip(path, *reqs)
        pip(path, "--force-reinstall", "--no-deps", str(wheel))
    elif created or not marker.exists() or marker.read_text() != "\n".join(reqs):
        pip(path, "--upgrade", *reqs)
        marker.write_text("\n".join(reqs))
    return path


def footprint(venv: Path) -> tuple[float, int]:
    """(apparent MiB, number of distributions) of a venv's site-packages."""
    sp = site_packages(venv)
    size = 0
    for root, _dirs, files in os.walk(sp):
        for name in files:
            try:
                size += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    dists = len(list(sp.glob("*.dist-info")))
    return size / 2**20, dists


# ------------------------------------------------------------------------------------ mock server


class Mock:
    """The loopback mock in its own process (this interpreter; stdlib only)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "mock_server.py"), "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
            env=clean_env(),
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.isdigit():
            self.proc.kill()
            raise SystemExit(f"mock server did not start: {line!r}")
        self.root = f"http://127.0.0.1:{line}"

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.root}/__stats", timeout=10) as r:
            return json.loads(r.read())

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# ----------------------------------------------------------------------------------- measurements


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def _run_timed(cmd: list[str]) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS KiB, returncode) of one fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=clean_env())
    _pid, status, rusage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if proc.stderr is not None:
        err = proc.stderr.read()
        proc.stderr.close()
    else:
        err = b""
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed ({code}): {err.decode(errors='replace')[-2000:]}")
    return wall, rusage.ru_utime + rusage.ru_stime, float(rusage.ru_maxrss), code


def _importtime_totals(python: str, code: str) -> tuple[float, float]:
    """(sum of top-level cumulative µs, sum of all self µs) of `python -X importtime -c code`."""
    out = subprocess.run(
        [python, "-X", "importtime", "-c", code], capture_output=True, text=True, env=clean_env()
    )
    if out.returncode != 0:
        raise RuntimeError(f"-X importtime failed: {out.stderr[-2000:]}")
    top = selfs = 0.0
    for line in out.stderr.splitlines():
        m = _IMPORTTIME_RE.match(line)
        if not m:
            continue
        selfs += int(m.group(1))
        if not m.group(3):
            top += int(m.group(2))
    return top, selfs


def startup_sample(python: str, stack: Stack) -> dict[str, float]:
    """One cold start of `stack`: -X importtime totals and import+construct wall/CPU/RSS.

    Each figure is paired with a bare `-c pass` run right after it and reported net of it, as in
    shared/research/perf-baseline.md.
    """
    construct = f"{stack.import_code}; {stack.construct_code}"
    top, selfs = _importtime_totals(python, stack.import_code)
    btop, bselfs = _importtime_totals(python, "pass")
    w, c, r, _ = _run_timed([python, "-c", construct])
    bw, _bc, _br, _ = _run_timed([python, "-c", "pass"])
    return {
        "import_ms": (top - btop) / 1000,
        "import_self_ms": (selfs - bselfs) / 1000,
        "construct_ms": (w - bw) * 1000,
        "cold_wall_ms": w * 1000,
        "bare_wall_ms": bw * 1000,
        "cold_cpu_ms": c * 1000,
        "rss_mib": r / 1024 if sys.platform != "darwin" else r / 2**20,
    }


def run_worker(python: str, *args: str, timeout: float = 900) -> dict[str, Any]:
    cmd = [python, str(HERE / "worker.py"), *args]
    out = subprocess.run(cmd, capture_output=True, text=True, env=clean_env(), timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"worker {' '.join(args[:3])} failed: {out.stderr.strip()[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


class Measurer:
    """Runs every figure for every stack, interleaved round by round.

    The machine may be shared (other processes, CI neighbours): running round 1 of every stack,
    then round 2 of every stack, ... spreads any drift in background load over all stacks instead
    of penalising whichever stack happened to run during a busy minute. A figure that fails for a
    stack is recorded in its `errors` and shown as n/a; the run goes on.
    """

    def __init__(self, pythons: dict[str, str], results: dict[str, Any], mock: Mock, cfg: argparse.Namespace):
        self.pythons = pythons
        self.results = results
        self.mock = mock
        self.cfg = cfg
        self.failed: set[tuple[str, str]] = set()

    def attempt(self, stack: str, label: str, fn: Any) -> Any:
        if (stack, label) in self.failed:
            return None
        try:
            return fn()
        except Exception as exc:
            self.failed.add((stack, label))
            msg = f"{label}: {exc}"
            self.results[stack].setdefault("errors", []).append(msg)
            log(f"  ! {stack} {msg[:400]}")
            return None

    def run(self) -> None:
        cfg = self.cfg
        stacks = list(self.pythons)
        for s in stacks:
            self.results[s]["versions"] = self.attempt(
                s, "versions", lambda s=s: run_worker(self.pythons[s], "versions", "--stack", s)
            )
        log(f"startup: {cfg.import_runs} cold starts per stack (+1 discarded), interleaved")
        samples: dict[str, list[dict[str, float]]] = {s: [] for s in stacks}
        for i in range(cfg.import_runs + 1):
            for s in stacks:
                sample = self.attempt(s, "startup", lambda s=s: startup_sample(self.pythons[s], STACKS[s]))
                if sample and i > 0:
                    samples[s].append(sample)
        for s, runs in samples.items():
            if runs:
                for key in runs[0]:
                    self.results[s][key] = summary([r[key] for r in runs])
        movers = [s for s in stacks if STACKS[s].runs_requests]
        for vendor in cfg.vendors:
            for mode in ("plain", "structured"):
                self._requests(movers, vendor, mode)
            self._stream(movers, vendor)
        for vendor in cfg.vendors:
            self._concurrency(movers, vendor)

    def _requests(self, stacks: list[str], vendor: str, mode: str) -> None:
        n = self.cfg.requests
        log(f"{vendor} {mode}: {self.cfg.rounds} rounds x {n} requests, stacks interleaved")
        args = ["requests", "--vendor", vendor, "-n", str(n), "--rounds", "1"]
        if mode == "structured":
            args.append("--structured")
        for s, r in self._interleaved(stacks, f"{vendor} {mode}", args).items():
            r["rounds"] = len(r.get("us_per_req", []))
            self.results[s].setdefault("requests", {}).setdefault(vendor, {})[mode] = r

    def _stream(self, stacks: list[str], vendor: str) -> None:
        n = self.cfg.deltas
        log(f"{vendor} stream: {self.cfg.rounds} rounds x {n} deltas, stacks interleaved")
        args = ["stream", "--vendor", vendor, "-n", str(n), "--rounds", "1"]
        for s, r in self._interleaved(stacks, f"{vendor} stream", args).items():
            r["rounds"] = len(r.get("cpu_us_per_delta", []))
            self.results[s].setdefault("stream", {})[vendor] = r

    def _concurrency(self, stacks: list[str], vendor: str) -> None:
        cfg = self.cfg
        for c in cfg.concurrency:
            streams = concurrency.streams_for(c, cfg.conc_streams)
            log(
                f"{vendor} concurrency {c}: {cfg.rounds} rounds x {streams} streams of {cfg.conc_deltas} deltas, "
                "stacks interleaved"
            )
            args = ["concurrency", "--vendor", vendor, "-n", str(cfg.conc_deltas)]
            args += ["--concurrency", str(c), "--streams", str(streams)]
            merged = self._interleaved(stacks, f"{vendor} concurrency {c}", args, mock_stats=True)
            for s, r in merged.items():
                self.results[s].setdefault("concurrency", {}).setdefault(vendor, {})[str(c)] = r

    def _interleaved(
        self, stacks: list[str], label: str, args: list[str], mock_stats: bool = False
    ) -> dict[str, dict[str, Any]]:
        """`rounds` runs of one worker task per stack, round by round; lists merged across rounds.

        With `mock_stats`, each run also gets the mock's CPU µs and accepted TCP connections per
        request it served (every worker run starts and ends with no request of another in flight).
        """
        merged: dict[str, dict[str, Any]] = {}
        for _round in range(self.cfg.rounds):
            for s in stacks:
                full = [*args, "--stack", s, "--base", self.mock.root]
                before = self.mock.stats() if mock_stats else None
                r = self.attempt(s, label, lambda s=s, full=full: run_worker(self.pythons[s], *full))
                if not r:
                    continue
                if before is not None:
                    after = self.mock.stats()
                    served = max(after["requests"] - before["requests"], 1)
                    r["mock_cpu_us_per_stream"] = [(after["cpu_s"] - before["cpu_s"]) / served * 1e6]
                    r["conns_per_stream"] = [(after["connections"] - before["connections"]) / served]
                into = merged.setdefault(s, {})
                for key, value in r.items():
                    if isinstance(value, list):
                        into.setdefault(key, []).extend(value)
                    elif key == "warning":
                        into.setdefault("warnings", []).append(value)
                    elif not key.endswith("_median"):
                        into[key] = value
        return merged


# ----------------------------------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    }


def stamp() -> dict[str, str]:
    """When, on what and of which code a secondary report (embeddings, batch) was made."""
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{machine()['cpu']} ({os.cpu_count()} cores)",
        "python": sys.version.split()[0],
        "checkout": checkout(),
    }


def checkout() -> str:
    """The commit under test (and whether the working tree differed from it), for the report."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' + uncommitted changes in src/' if dirty else ''}" if head else "unknown"


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def _fmt(v: float | None, digits: int = 0) -> str:
    if v is None:
        return "n/a"
    return f"{v:,.{digits}f}"


def _cell(s: dict[str, float] | None, digits: int = 0, spread: bool = True) -> str:
    if not s:
        return "n/a"
    med = _fmt(s["median"], digits)
    if not spread or s.get("runs", 1) < 2:
        return med
    return f"{med} <sub>{_fmt(s['min'], digits)}–{_fmt(s['max'], digits)}</sub>"


def _req_summary(
    results: dict[str, Any], stack: str, vendor: str, mode: str, key: str = "us_per_req"
) -> dict[str, float] | None:
    r = _get(results, stack, "requests", vendor, mode)
    return summary(r[key]) if r and key in r else None


def _stream_summary(
    results: dict[str, Any], stack: str, vendor: str, key: str = "cpu_us_per_delta"
) -> dict[str, float] | None:
    r = _get(results, stack, "stream", vendor)
    return summary(r[key]) if r else None


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


GOAL_HEADER = (
    "| figure | floor | wireai | wireai over floor | pydantic-ai | pydantic-ai over floor | "
    "physical limit (httpx2 floor) | goal | verdict |"
)


def _over(a: float | None, floor: float | None, digits: int, unit: str) -> str:
    """`a` over the floor as a difference and a ratio: '+101 µs, 1.17×'."""
    if a is None or floor is None:
        return "n/a"
    ratio = f", {a / floor:.2f}×" if floor else ""
    return f"{a - floor:+,.{digits}f} {unit}{ratio}"


def goals(results: dict[str, Any], vendors: tuple[str, ...]) -> list[list[str]]:
    """Rows of the goals table (columns: GOAL_HEADER): wireai and pydantic-ai over the fair floor.

    Goals are issue 12's (start-up, size, plain requests) and issue 23's tighter ones (structured
    output ≤ +100 µs, stream CPU per delta ≤ 1.25×). Per-request figures are the client's CPU per
    request with other tenants' interference mostly left out (`cpu_us_per_req_p10`: the 10th
    percentile of each round's 100-request blocks, median over rounds; see worker.py); the <sub>
    shows the wall and CPU overheads of the rounds' means, which carry whatever burst of load fell
    into a round.
    """
    rows: list[list[str]] = []

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("**met**" if ok else "**MISSED**")

    def row(
        figure: str,
        vals: dict[str, float | None],
        digits: int,
        unit: str,
        goal: str,
        ok: bool | None,
        notes: dict[str, str] | None = None,
    ) -> None:
        f, w, p, lim = (vals.get(s) for s in (FLOOR, WIREAI, PAI, PHYSICAL_LIMIT))
        notes = notes or {}
        rows.append(
            [
                figure,
                _fmt(f, digits),
                _fmt(w, digits),
                _over(w, f, digits, unit) + notes.get(WIREAI, ""),
                _fmt(p, digits),
                _over(p, f, digits, unit) + notes.get(PAI, ""),
                _fmt(lim, digits),
                goal,
                verdict(ok),
            ]
        )

    for key, figure, digits, unit in (
        ("construct_ms", "import + construct ms (net)", 0, "ms"),
        ("rss_mib", "RSS after construct MiB", 1, "MiB"),
    ):
        vals = {s: _get(results, s, key, "median") for s in (FLOOR, WIREAI, PAI, PHYSICAL_LIMIT)}
        rf, rp = _ratio(vals[WIREAI], vals[FLOOR]), _ratio(vals[WIREAI], vals[PAI])
        if key == "construct_ms":
            goal, ok = (
                "≤ 1.3× floor, ≤ 0.2× PAI (#12)",
                None if rf is None else (rf <= 1.3 and (rp is None or rp <= 0.2)),
            )
        else:
            goal, ok = "≤ 1.3× floor (#12)", None if rf is None else rf <= 1.3
        row(figure, vals, digits, unit, goal, ok)
    vals = {s: _get(results, s, "footprint", "mib") for s in (FLOOR, WIREAI, PAI, PHYSICAL_LIMIT)}
    rf = _ratio(vals[WIREAI], vals[FLOOR])
    row(
        "footprint MiB (core install)",
        vals,
        1,
        "MiB",
        "≤ 1.5× floor (#12)",
        None if rf is None else rf <= 1.5,
    )

    for vendor in vendors:
        for mode, limit, issue in (("plain", 150.0, 12), ("structured", 100.0, 23)):
            stacks = (FLOOR, WIREAI, PAI, PHYSICAL_LIMIT)
            quiet = {s: _req_summary(results, s, vendor, mode, "cpu_us_per_req_p10") for s in stacks}
            wall = {s: _req_summary(results, s, vendor, mode) for s in stacks}
            cpu = {s: _req_summary(results, s, vendor, mode, "cpu_us_per_req") for s in stacks}
            vals = {s: v["median"] if v else None for s, v in quiet.items()}
            notes = {}
            for stack in (WIREAI, PAI):
                a, fl, ac, fc = wall[stack], wall[FLOOR], cpu[stack], cpu[FLOOR]
                if a and fl and ac and fc:
                    over_wall, over_cpu = a["median"] - fl["median"], ac["median"] - fc["median"]
                    notes[stack] = f" <sub>means: wall {over_wall:+,.0f}, CPU {over_cpu:+,.0f}</sub>"
            w, f = vals[WIREAI], vals[FLOOR]
            ok = None if w is None or f is None else w - f <= limit
            figure = f"{vendor} {mode} CPU µs/req (p10 of blocks)"
            row(figure, vals, 0, "µs", f"≤ +{limit:.0f} µs (#{issue})", ok, notes)
    for vendor in vendors:
        vals = {
            s: (_stream_summary(results, s, vendor) or {}).get("median")
            for s in (FLOOR, WIREAI, PAI, PHYSICAL_LIMIT)
        }
        rf = _ratio(vals[WIREAI], vals[FLOOR])
        row(
            f"{vendor} stream CPU µs/delta",
            vals,
            2,
            "µs",
            "≤ 1.25× floor (#23)",
            None if rf is None else rf <= 1.25,
        )
    return rows


def _versions(v: dict[str, str] | None) -> str:
    if not v:
        return "n/a"
    return ", ".join(f"{k} {val}" for k, val in v.items() if k != "python")


def _label(stack: str) -> str:
    """A stack's name in the tables, with the two floors' roles spelled out."""
    return {FLOOR: f"{FLOOR} (fair floor)", PHYSICAL_LIMIT: f"{PHYSICAL_LIMIT} (physical limit today)"}.get(
        stack, stack
    )


def render(report: dict[str, Any]) -> str:
    results: dict[str, Any] = report["results"]
    order = [s for s in report["stacks"] if s in results]
    vendors = tuple(report["config"]["vendors"])
    cfg = report["config"]
    m = report["machine"]
    out: list[str] = []
    out.append(
        f"Run {report['date']} on {m['cpu']} ({m['cores']} cores), {m['platform']}, Python {m['python']}; "
        f"wireai at {report.get('checkout', 'unknown')}."
    )
    out.append(
        f"Settings: {cfg['import_runs']} cold starts per stack, {cfg['rounds']} rounds of {cfg['requests']} requests, "
        f"{cfg['rounds']} streams of {cfg['deltas']} deltas; medians, <sub>min–max</sub> where shown. "
        f"Total run time {report['elapsed_s'] / 60:.1f} min."
        + (" **Smoke mode: tiny N, figures meaningless.**" if cfg.get("smoke") else "")
    )
    out.append("")
    out.append("### Goals: wireai over the fair floor, next to pydantic-ai, same run")
    out.append("")
    out.append(
        f"The fair floor (`{FLOOR}`) is the best bare-httpx client: httpx + `json.loads`, sniffio installed. "
        f"The physical limit today (`{PHYSICAL_LIMIT}`) is the same client code on httpx2; reference only."
    )
    out.append("")
    out.append(GOAL_HEADER)
    out.append("|---|---:|---:|---:|---:|---:|---:|---|---|")
    for row in goals(results, vendors):
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    out.append("### Start-up and size")
    out.append("")
    out.append(
        "| stack | versions | import ms | import+construct ms (net) | cold CPU ms | RSS MiB | footprint MiB (dists) |"
    )
    out.append("|---|---|---:|---:|---:|---:|---:|")
    for s in order:
        r = results[s]
        fp = r.get("footprint")
        fp_cell = f"{fp['mib']:.1f} ({fp['dists']})" if fp else "n/a"
        out.append(
            f"| {_label(s)} | {_versions(r.get('versions'))} | {_cell(r.get('import_ms'))} | {_cell(r.get('construct_ms'))} | "
            f"{_cell(r.get('cold_cpu_ms'), spread=False)} | {_cell(r.get('rss_mib'), 1, spread=False)} | {fp_cell} |"
        )
    out.append("")
    out.append(
        "### Per request (sequential `agent.run('hi')`), µs/req wall; overhead = minus the floor's; "
        "CPU = the rounds' mean, CPU p10 = 10th percentile of 100-request blocks"
    )
    out.append("")
    cols = [
        c
        for v in vendors
        for m in ("plain", "structured")
        for c in (f"{v} {m}", "overhead", "CPU", "CPU p10")
    ]
    out.extend(table_head("stack", cols))
    for s in order:
        if not STACKS[s].runs_requests:
            continue
        row = f"| {_label(s)} |"
        for vendor in vendors:
            for mode in ("plain", "structured"):
                wall = _req_summary(results, s, vendor, mode)
                cpu = _req_summary(results, s, vendor, mode, "cpu_us_per_req")
                quiet = _req_summary(results, s, vendor, mode, "cpu_us_per_req_p10")
                floor = _req_summary(results, FLOOR, vendor, mode)
                over = None if wall is None or floor is None else wall["median"] - floor["median"]
                over_cell = "n/a" if over is None else f"{over:+,.0f}"
                row += f" {_cell(wall)} | {over_cell} | {_cell(cpu, spread=False)} | {_cell(quiet)} |"
        out.append(row)
    out.append("")
    out.append(
        "### Streaming (`run_stream` + `stream_text(delta=True)`; floor: httpx line loop + json.loads)"
    )
    out.append("")
    out.extend(
        table_head("stack", [c for v in vendors for c in (f"{v} CPU µs/delta", "×floor", "deltas/s", "seen")])
    )
    for s in order:
        if not STACKS[s].runs_requests:
            continue
        row = f"| {_label(s)} |"
        for vendor in vendors:
            cpu = _stream_summary(results, s, vendor)
            wall = _stream_summary(results, s, vendor, "us_per_delta")
            floor = _stream_summary(results, FLOOR, vendor)
            ratio = _ratio(cpu["median"] if cpu else None, floor["median"] if floor else None)
            rate = None if not wall else 1e6 / wall["median"]
            seen = _get(results, s, "stream", vendor, "deltas_seen")
            row += f" {_cell(cpu, 2)} | {'n/a' if ratio is None else f'{ratio:.1f}×'} | {_fmt(rate)} | {seen[0] if seen else 'n/a'} |"
        out.append(row)
    out.append("")
    if cfg.get("concurrency"):
        out.append(
            f"### Throughput at concurrency (issue 21): C streamed runs of {cfg['conc_deltas']} deltas in flight"
        )
        out.append("")
        out.append(
            "Closed loop against the same mock: C tasks each start a new `run_stream` (floor: `client.stream`) "
            f"as soon as the previous one ends, ≥ {cfg['conc_streams']} (and 4 per task) measured streams per "
            f"round after one warm wave of C; {cfg['rounds']} rounds, stacks interleaved. TTFD = time from the call "
            "to the first text delta. RSS/stream = peak RSS growth over the run / C. conns/stream = TCP "
            "connections the mock accepted per stream (pool churn). See benchmarks/README.md."
        )
        out.append("")
        out.extend(concurrency.render(results, order, vendors, FLOOR, WIREAI))
    mock = report.get("mock") or {}
    if mock.get("requests"):
        out.append(
            f"Mock server (stdlib asyncio, one process, cached bodies): {mock['requests']:,} requests, "
            f"{mock['cpu_us_per_request']:.0f} µs CPU per request on average."
        )
    if report.get("empty_footprint"):
        e = report["empty_footprint"]
        out.append(
            f"Footprint is site-packages minus an empty venv's ({e['mib']:.1f} MiB, {e['dists']} dists)."
        )
    errors = [(s, e) for s in order for e in results[s].get("errors", [])]
    if errors:
        out.append("")
        out.append("Errors (figures shown as n/a):")
        for s, e in errors:
            out.append(f"- {s}: {e.splitlines()[-1][:300] if e.splitlines() else e}")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--stacks", default=",".join(DEFAULT_ORDER), help="comma-separated, from: " + ", ".join(STACKS)
    )
    p.add_argument("--vendors", default=",".join(VENDORS))
    p.add_argument("--requests", type=int, default=2000, help="sequential runs per round (default 2000)")
    p.add_argument("--rounds", type=int, default=3, help="rounds per request/stream figure (default 3)")
    p.add_argument(
        "--deltas", type=int, default=20000, help="text deltas in the streamed reply (default 20000)"
    )
    p.add_argument(
        "--import-runs", type=int, default=15, help="cold starts per stack (default 15, +1 discarded)"
    )
    p.add_argument(
        "--concurrency",
        default="1,10,100,500",
        help="streamed runs in flight for the throughput figure, comma-separated ('' to skip)",
    )
    p.add_argument(
        "--conc-deltas", type=int, default=50, help="text deltas per stream at concurrency (default 50)"
    )
    p.add_argument(
        "--conc-streams",
        type=int,
        default=400,
        help="measured streams per round at each concurrency, at least",
    )
    p.add_argument("--python", default=sys.executable, help="interpreter the venvs are made from")
    p.add_argument("--recreate", action="store_true", help="delete and recreate the venvs")
    p.add_argument("--smoke", action="store_true", help="no venvs: this interpreter, floor + wireai, tiny N")
    p.add_argument("--json", type=Path, help="also write the raw results here")
    p.add_argument("--output", type=Path, help="also write the markdown report here")
    p.add_argument("--write-results", action="store_true", help="rewrite benchmarks/RESULTS.md with this run")
    cfg = p.parse_args(argv)
    cfg.stacks = [s.strip() for s in cfg.stacks.split(",") if s.strip()]
    cfg.vendors = tuple(v.strip() for v in cfg.vendors.split(",") if v.strip())
    cfg.concurrency = [int(c) for c in cfg.concurrency.split(",") if c.strip()]
    for s in cfg.stacks:
        if s not in STACKS:
            p.error(f"unknown stack {s!r}")
    if cfg.smoke:
        cfg.stacks = [s for s in cfg.stacks if s in (FLOOR, WIREAI)] or [FLOOR]
        cfg.requests, cfg.rounds, cfg.deltas, cfg.import_runs = (
            min(cfg.requests, 5),
            1,
            min(cfg.deltas, 50),
            1,
        )
        cfg.concurrency = [4] if cfg.concurrency else []  # one level > 1: the closed loop, in seconds
        cfg.conc_deltas, cfg.conc_streams = min(cfg.conc_deltas, 5), min(cfg.conc_streams, 8)
    return cfg


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    started = time.perf_counter()
    report: dict[str, Any] = {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "checkout": checkout(),
        "stacks": cfg.stacks,
        "config": {
            "requests": cfg.requests,
            "rounds": cfg.rounds,
            "deltas": cfg.deltas,
            "import_runs": cfg.import_runs,
            "vendors": list(cfg.vendors),
            "concurrency": cfg.concurrency,
            "conc_deltas": cfg.conc_deltas,
            "conc_streams": cfg.conc_streams,
            "smoke": cfg.smoke,
        },
        "results": {},
    }
    pythons: dict[str, str] = {}
    if cfg.smoke:
        pythons = {s: sys.executable for s in cfg.stacks}
    else:
        VENVS.mkdir(parents=True, exist_ok=True)
        wheel = build_wheel(cfg.python) if any(STACKS[s].local for s in cfg.stacks) else None
        empty = VENVS / "empty"
        make_venv(empty, cfg.python, cfg.recreate)
        e_mib, e_dists = footprint(empty)
        report["empty_footprint"] = {"mib": e_mib, "dists": e_dists}
        for s in cfg.stacks:
            try:
                venv = ensure_stack_venv(STACKS[s], cfg.python, cfg.recreate, wheel)
            except subprocess.CalledProcessError as exc:
                report["results"][s] = {"errors": [f"install: {exc}"]}
                continue
            mib, dists = footprint(venv)
            report["results"][s] = {"footprint": {"mib": mib - e_mib, "dists": dists - e_dists}}
            pythons[s] = str(venv_python(venv))

    mock = Mock()
    try:
        before = mock.stats()
        for s in pythons:
            report["results"].setdefault(s, {})
        Measurer(pythons, report["results"], mock, cfg).run()
        after = mock.stats()
        served = after["requests"] - before["requests"]
        report["mock"] = {
            "requests": served,
            "cpu_s": after["cpu_s"] - before["cpu_s"],
            "cpu_us_per_request": (after["cpu_s"] - before["cpu_s"]) / max(served, 1) * 1e6,
        }
    finally:
        mock.close()
    report["elapsed_s"] = time.perf_counter() - started

    text = render(report)
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "latest.json").write_text(json.dumps(report, indent=1))
    (WORK / "latest.md").write_text(text)
    if cfg.output:
        cfg.output.write_text(text)
    return publish(report, text, cfg, write_results)


def write_results(table: str) -> None:
    """Replace the generated section of RESULTS.md, keeping any hand-written notes below it."""
    path = HERE / "RESULTS.md"
    heading = "Generated by `python benchmarks/run.py --write-results`."
    write_section(path, "<!-- results:begin -->", "<!-- results:end -->", heading, table)
    log(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    sys.exit(main())
