"""Markdown for the benchmark reports: table heads, and a report's own section of RESULTS.md
(standard library only)."""

from __future__ import annotations

from pathlib import Path


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
