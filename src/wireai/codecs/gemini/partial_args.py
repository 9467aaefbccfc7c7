"""Function-call arguments streamed as `partialArgs` (Vertex AI, `streamFunctionCallArguments`).

Each piece names one leaf of the arguments by a JSON path (RFC 9535: `$.location`,
`$.stops[0].city`, `$['odd key']`) and carries a typed value (`stringValue`, `numberValue`,
`boolValue`, `nullValue`); a string may come in several pieces (`willContinue: true` on all but
the last). `ArgsWriter` turns the pieces into the JSON text they spell, as deltas, so the parts
manager streams them like any vendor's argument fragments: concatenated, the deltas are the
arguments object. Leaves arrive in document order (the model writes left to right); a piece that
goes back into a member already closed cannot be written as a delta and is an error.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ...exceptions import UnexpectedModelBehavior, snippet

__all__ = ["ArgsWriter", "parse_json_path"]

_SEGMENT = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\[\"((?:[^\"\\]|\\.)*)\"\]")
_VALUES = ("stringValue", "numberValue", "boolValue", "nullValue")

Segment = str | int


def parse_json_path(path: Any) -> tuple[Segment, ...]:
    """`$.a.b[0]['c d']` -> `('a', 'b', 0, 'c d')`; anything else is `UnexpectedModelBehavior`."""
    if not isinstance(path, str) or not path.startswith("$"):
        raise UnexpectedModelBehavior("Gemini partialArgs entry without a JSON path", snippet(path))
    segments: list[Segment] = []
    at = 1
    while at < len(path):
        found = _SEGMENT.match(path, at)
        if found is None:
            raise UnexpectedModelBehavior("Gemini partialArgs JSON path is malformed", path)
        name, index, single, double = found.groups()
        if index is not None:
            segments.append(int(index))
        else:
            raw = name if name is not None else (single if single is not None else double)
            segments.append(re.sub(r"\\(.)", r"\1", raw))
        at = found.end()
    if not segments:
        raise UnexpectedModelBehavior("Gemini partialArgs JSON path names no argument", path)
    return tuple(segments)


class ArgsWriter:
    """The JSON text of one call's arguments, written piece by piece."""

    def __init__(self) -> None:
        self._open: list[tuple[tuple[Segment, ...], str]] = []  # open containers (path, closer), root first
        self._filled: set[tuple[Segment, ...]] = set()  # containers that already have a member
        self._done: set[tuple[Segment, ...]] = set()  # closed containers and written leaves
        self._string: tuple[Segment, ...] | None = None  # the leaf whose string is still open
        self._started = False

    def write(self, piece: Any) -> str:
        """The JSON text one `partialArgs` entry adds."""
        if not isinstance(piece, dict):
            raise UnexpectedModelBehavior("Gemini partialArgs entry is not an object", snippet(piece))
        path = parse_json_path(piece.get("jsonPath"))
        keys = [k for k in _VALUES if k in piece]
        if len(keys) != 1:
            raise UnexpectedModelBehavior("Gemini partialArgs entry needs exactly one value", snippet(piece))
        value = piece[keys[0]]
        if keys[0] == "nullValue":
            value = None
        elif not _typed(keys[0], value):
            raise UnexpectedModelBehavior(f"Gemini partialArgs {keys[0]} has the wrong type", snippet(piece))
        continues = piece.get("willContinue") is True
        out: list[str] = []
        if not self._started:
            self._started = True
            self._open.append(((), "}"))
            out.append("{")
        if self._string is not None:
            if path == self._string and isinstance(value, str):
                out.append(json.dumps(value, ensure_ascii=False)[1:-1])
                if not continues:
                    out.append('"')
                    self._done.add(path)
                    self._string = None
                return "".join(out)
            out.append('"')  # the string ended without saying so
            self._done.add(self._string)
            self._string = None
        if path in self._done or any(path[:n] in self._done for n in range(1, len(path))):
            raise UnexpectedModelBehavior(
                "Gemini streamed function-call arguments out of order (a member written twice)",
                snippet(piece),
            )
        parent = path[:-1]
        while not _is_prefix(self._open[-1][0], parent):
            out.append(self._close())
        for depth in range(len(self._open[-1][0]), len(parent)):
            out.append(self._member(path[depth], path[: depth + 1]))
            array = isinstance(path[depth + 1], int)
            out.append("[" if array else "{")
            self._open.append((path[: depth + 1], "]" if array else "}"))
        out.append(self._member(path[-1], path))
        if isinstance(value, str):
            out.append(json.dumps(value, ensure_ascii=False)[:-1])
            if continues:
                self._string = path
            else:
                out.append('"')
                self._done.add(path)
        else:
            out.append(json.dumps(value))
            self._done.add(path)
        return "".join(out)

    def finish(self) -> str:
        """The text that closes whatever is still open (`{}` for a call without arguments)."""
        out = [] if self._started else ["{"]
        if not self._started:
            self._open.append(((), "}"))
            self._started = True
        if self._string is not None:
            out.append('"')
            self._string = None
        while self._open:
            out.append(self._close())
        return "".join(out)

    def _member(self, segment: Segment, path: tuple[Segment, ...]) -> str:
        container = path[:-1]
        comma = "," if container in self._filled else ""
        self._filled.add(container)
        if isinstance(segment, int):
            return comma
        return comma + json.dumps(segment, ensure_ascii=False) + ":"

    def _close(self) -> str:
        path, closer = self._open.pop()
        self._done.add(path)
        return closer


def _typed(key: str, value: Any) -> bool:
    if key == "stringValue":
        return isinstance(value, str)
    if key == "boolValue":
        return isinstance(value, bool)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_prefix(head: tuple[Segment, ...], path: tuple[Segment, ...]) -> bool:
    return len(head) <= len(path) and path[: len(head)] == head
