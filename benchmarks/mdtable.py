"""Markdown for the benchmark reports: table heads, error lines, a report's own section of
RESULTS.md, and where a finished report goes (standard library only)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def table_head(first: str, numeric: list[str]) -> list[str]:
    """The header and separator lines of a table: `first` left-aligned, the figures right-aligned."""
    return ["| " + " | ".join([first, *numeric]) + " |", "|---|" + "---:|" * len(numeric)]


def write_section(path: Path, begin: str, end: str, heading: str, text: str) -> None:
    """Replace the text between `begin` and `end` in `path` (or add it under `heading`), leaving the
    rest of the file as it is: each benchmark owns one section of RESULTS.md."""
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    block = f"{begin}\n{text}{end}"
    if begin in old:
        new = old[: old.index(begin)] + block + old[old.index(end) + len(end) :]
    else:
        new = old.rstrip() + f"\n\n{heading}\n\n" + block + "\n"
    path.write_text(new)


def error_lines(errors: list[str]) -> list[str]:
    """A report's errors (a failing stack or cell is reported, the run goes on) as list items."""
    return ["", *(f"- error: {e}" for e in errors)] if errors else []


def publish(
    report: dict[str, Any], text: str, cfg: argparse.Namespace, write_results: Callable[[str], None]
) -> int:
    """Print the rendered report, write its raw figures where `--json` says, and its section of
    RESULTS.md with `--write-results` (never from a `--smoke` run, whose figures mean nothing)."""
    print(text)
    if cfg.json:
        cfg.json.write_text(json.dumps(report, indent=1))
    if cfg.write_results and not cfg.smoke:
        write_results(text)
    return 0
