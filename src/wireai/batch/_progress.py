"""How `job.wait(progress=True)` shows a job advancing: a bar redrawn in place on a terminal, one
plain line per change otherwise (logs, CI), so a 24-hour wait neither floods nor goes silent."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO, Union

if TYPE_CHECKING:
    from .job import BatchJob

__all__ = ["Progress", "ProgressArg", "reporter"]

ProgressArg = Union[bool, Callable[["BatchJob"], Any]]
BAR = 30


class Progress:
    """Writes a job's status and counts to `stream` whenever they change."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last: str | None = None

    def __call__(self, job: BatchJob) -> None:
        counts = job.request_counts
        done = counts.total - counts.processing
        line = (
            f"{job.id}: {job.status} {done}/{counts.total} "
            f"({counts.succeeded} succeeded, {counts.errored} errored"
            + (f", {counts.expired} expired" if counts.expired else "")
            + (f", {counts.cancelled} cancelled" if counts.cancelled else "")
            + ")"
        )
        if line == self._last:
            return
        self._last = line
        if self.tty:
            filled = BAR * done // counts.total if counts.total else 0
            end = "\n" if job.done else ""
            self.stream.write(f"\r[{'#' * filled}{'.' * (BAR - filled)}] {line}\x1b[K{end}")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def problem(self, job: BatchJob, error: BaseException, retry_in: float) -> None:
        """A poll that failed for a reason that passes (the vendor's 5xx, a dropped connection)."""
        prefix = "\n" if self.tty and self._last else ""
        self.stream.write(f"{prefix}{job.id}: polling failed ({error}); trying again in {retry_in:g} s\n")
        self.stream.flush()
        self._last = None


def reporter(progress: ProgressArg) -> Callable[[BatchJob], Any] | None:
    if progress is True:
        return Progress()
    if callable(progress):
        return progress
    return None
