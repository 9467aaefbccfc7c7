"""JSON Lines in any chunking: bytes in, one JSON object per line out, without holding the file.

Batch results are files of up to hundreds of megabytes; they are read as they download, so only
the line being assembled is ever buffered. A line that is not a JSON object comes out as a
`BadLine` (never skipped silently, never an exception that loses the lines after it), so the
caller can report it against the requests whose results are then missing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Any, Union

from ..exceptions import snippet

__all__ = ["BadLine", "JSONLDecoder", "Line", "iter_jsonl"]


@dataclass(frozen=True)
class BadLine:
    """A line that is not a JSON object: a snippet of it and why."""

    text: str
    reason: str


Line = Union[dict[str, Any], BadLine]


class JSONLDecoder:
    """Feed raw bytes as they arrive; `feed` returns the lines those bytes completed, `close` the
    last one if the file did not end with a newline. Blank lines and `\\r\\n` endings are accepted."""

    def __init__(self) -> None:
        self._pending: list[bytes] = []  # the unfinished line, in the pieces it arrived in

    def feed(self, data: bytes) -> list[Line]:
        if b"\n" not in data:
            if data:
                self._pending.append(data)
            return []
        lines = data.split(b"\n")
        if self._pending:
            self._pending.append(lines[0])
            lines[0] = b"".join(self._pending)
        tail = lines.pop()
        self._pending = [tail] if tail else []
        return [decode_line(line) for line in lines if line.strip()]

    def close(self) -> list[Line]:
        last = b"".join(self._pending)
        self._pending = []
        return [decode_line(last)] if last.strip() else []


def decode_line(raw: bytes) -> Line:
    try:
        value = json.loads(raw)
    except ValueError as exc:  # UnicodeDecodeError included
        return BadLine(snippet(raw, 200), f"not JSON ({exc})")
    if not isinstance(value, dict):
        return BadLine(snippet(raw, 200), f"a JSON {type(value).__name__}, not an object")
    return value


async def iter_jsonl(chunks: AsyncIterable[bytes]) -> AsyncIterator[Line]:
    decoder = JSONLDecoder()
    async for chunk in chunks:
        for line in decoder.feed(chunk):
            yield line
    for line in decoder.close():
        yield line
