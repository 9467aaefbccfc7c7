"""Instructions per request and per stream delta, floor vs wireai, counted by callgrind.

    python benchmarks/instructions.py                  # both vendors, every figure (~6 min)
    python benchmarks/instructions.py --write-results  # ... and rewrite its section of RESULTS.md
    python benchmarks/instructions.py --vendors openai --figures structured

Wall and CPU times on a shared machine move by ±15% from one second to the next, more than the
overhead being measured; an instruction count does not. Each figure runs the benchmark's own
worker (`worker.py`, the same loops `run.py` times) under `valgrind --tool=callgrind` twice, with
two request counts (or two stream lengths), and divides the difference: start-up, imports and
warm-up cancel out, what is left is the cost of one more request (or delta). Instructions are
not time (C code such as the JSON encoder runs more of them per nanosecond than the interpreter
loop), so this is a check on the timed figures, not a replacement: on this machine one µs of the
floor's request loop is about 4,000 instructions.

Stacks run in their benchmark venvs when `run.py` has made them, else in this interpreter.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from mdtable import write_section  # noqa: E402
from run import VENVS, Mock, clean_env, stamp, venv_python  # noqa: E402

FIGURES = ("plain", "structured", "stream")
BEGIN, END = "<!-- instructions:begin -->", "<!-- instructions:end -->"
_TOTAL_RE = re.compile(rb"^(?:summary|totals): (\d+)", re.M)


def python_of(stack: str) -> str:
    venv = VENVS / stack
    return str(venv_python(venv)) if venv.exists() else sys.executable


def instructions(python: str, args: list[str]) -> int:
    """Instructions callgrind counted for one worker run."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", python, str(HERE / "worker.py")]
        proc = subprocess.run([*cmd, *args], capture_output=True, env=clean_env())
        if proc.returncode != 0:
            raise RuntimeError(
                f"worker {' '.join(args[:5])} failed: {proc.stderr.decode(errors='replace')[-2000:]}"
            )
        match = _TOTAL_RE.search(out.read_bytes())
        if match is None:
            raise RuntimeError("callgrind wrote no instruction total")
        return int(match.group(1))


def per_unit(python: str, stack: str, vendor: str, figure: str, base: str, small: int, large: int) -> float:
    """Instructions per request (or per delta): the difference of two runs over their difference in size."""
    common = ["--stack", stack, "--vendor", vendor, "--base", base, "--rounds", "1"]
    if figure == "stream":
        args = ["stream", *common]
    else:
        args = ["requests", *common, "--warmup", "20", *(["--structured"] if figure == "structured" else [])]
    a = instructions(python, [*args, "-n", str(small)])
    b = instructions(python, [*args, "-n", str(large)])
    return (b - a) / (large - small)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stacks", default="floor,wireai")
    p.add_argument("--vendors", default="openai,anthropic")
    p.add_argument("--figures", default=",".join(FIGURES))
    p.add_argument("--requests", default="50,250", help="the two request counts (default 50,250)")
    p.add_argument("--deltas", default="2000,6000", help="the two stream lengths (default 2000,6000)")
    p.add_argument(
        "--write-results", action="store_true", help="rewrite its section of benchmarks/RESULTS.md"
    )
    cfg = p.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: nothing to count", file=sys.stderr)
        return 1
    stacks = cfg.stacks.split(",")
    requests = tuple(int(n) for n in cfg.requests.split(","))
    deltas = tuple(int(n) for n in cfg.deltas.split(","))
    when = stamp()
    lines = [
        f"Run {when['date']} on {when['machine']}, Python {when['python']}; wireai at {when['checkout']}. "
        f"Requests {requests[0]} and {requests[1]}, streams of {deltas[0]} and {deltas[1]} deltas.",
        "",
        f"| figure | {' | '.join(stacks)} | {' | '.join(f'{s} / {stacks[0]}' for s in stacks[1:])} |",
        f"|---|{'---:|' * (2 * len(stacks) - 1)}",
    ]
    print("\n".join(lines), flush=True)
    mock = Mock()
    try:
        for vendor in cfg.vendors.split(","):
            for figure in cfg.figures.split(","):
                small, large = deltas if figure == "stream" else requests
                counts = [per_unit(python_of(s), s, vendor, figure, mock.root, small, large) for s in stacks]
                unit = "per delta" if figure == "stream" else "per request"
                over = " | ".join(f"{c / counts[0]:.2f}× ({c - counts[0]:+,.0f})" for c in counts[1:])
                cells = " | ".join(f"{c:,.0f}" for c in counts)
                lines.append(f"| {vendor} {figure}, instructions {unit} | {cells} | {over} |")
                print(lines[-1], flush=True)
    finally:
        mock.close()
    if cfg.write_results:
        heading = "## Instructions per request and per delta (`benchmarks/instructions.py`)"
        write_section(HERE / "RESULTS.md", BEGIN, END, heading, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
