"""Markdown table heads for the benchmark reports (standard library only)."""

from __future__ import annotations


def table_head(first: str, numeric: list[str]) -> list[str]:
    """The header and separator lines of a table: `first` left-aligned, the figures right-aligned."""
    return ["| " + " | ".join([first, *numeric]) + " |", "|---|" + "---:|" * len(numeric)]
