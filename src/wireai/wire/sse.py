"""An incremental, sans-I/O Server-Sent Events decoder (WHATWG rules), bytes in, events out.

Works on bytes so a multi-byte UTF-8 character split across network chunks is never mis-decoded;
each line is decoded once when complete. Runs in O(n) over the bytes received: the scan for line
ends resumes where the previous chunk stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..exceptions import UnexpectedModelBehavior, snippet

__all__ = ["DEFAULT_MAX_EVENT_BYTES", "SSEDecoder", "SSEEvent", "encode_sse"]

DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024


@dataclass(slots=True)
class SSEEvent:
    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Feed bytes as they arrive; get the events completed by them.

    `close()` at end of stream: complete lines of an event that was never terminated by a blank line
    are still dispatched (servers that stop after the last `data:` line are common and their SDKs
    accept it); an unterminated *line* means the connection was cut mid-event and raises
    `UnexpectedModelBehavior` with what was received.
    """

    wire_format: ClassVar[str] = "sse"
    media_type: ClassVar[str] = "text/event-stream"

    __slots__ = (
        "_data",
        "_event",
        "_id",
        "_last_id",
        "_max",
        "_pending",
        "_pending_cr",
        "_pending_size",
        "_retry",
        "_size",
        "_started",
    )

    def __init__(self, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES):
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._data: list[str] = []
        self._event = ""
        self._id: str | None = None
        self._last_id: str | None = None
        self._retry: int | None = None
        self._max = max_event_bytes
        self._size = 0
        self._started = False  # BOM check done
        self._pending_cr = False  # a chunk ended in \r: a following \n belongs to the same line end

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        if not chunk:
            return []
        if self._pending_cr:
            self._pending_cr = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if b"\n" not in chunk and b"\r" not in chunk and self._started:
            # No line end: park the bytes (joined once a line completes, so long lines stay O(n)).
            self._pending.append(chunk)
            self._pending_size += len(chunk)
            if self._size + self._pending_size > self._max:
                raise UnexpectedModelBehavior(
                    f"Server-sent event larger than {self._max} bytes; the stream is not SSE or is corrupt",
                    b"".join(self._pending)[:2000],
                )
            return []
        if self._pending:
            buf = b"".join(self._pending) + chunk
            self._pending = []
            self._pending_size = 0
        else:
            buf = chunk
        if not self._started:
            if len(buf) < 3 and b"\xef\xbb\xbf".startswith(buf):
                self._pending = [buf]
                self._pending_size = len(buf)
                return []
            self._started = True
            if buf.startswith(b"\xef\xbb\xbf"):
                buf = buf[3:]
        if b"\r" in buf:
            buf = self._normalise_cr(buf)
        events: list[SSEEvent] = []
        start = 0
        if self._data or self._event or self._id is not None:
            # An event begun in an earlier chunk: its lines first, up to the blank line that ends it.
            start = self._lines(buf, 0, events, until_dispatch=True)
            if self._data or self._event or self._id is not None:
                return events  # still open: no blank line in this chunk
        end = buf.rfind(b"\n\n", start)
        if end >= 0:
            self._whole_events(buf[start : end + 2], events)
            start = end + 2
        self._lines(buf, start, events, until_dispatch=False)  # the lines of an event still open
        return events

    def close(self) -> list[SSEEvent]:
        """Finish the stream; see the class docstring for what an unterminated event does."""
        rest = b"".join(self._pending)
        self._pending = []
        self._pending_size = 0
        if rest.strip(b"\r\n"):
            raise UnexpectedModelBehavior(
                "The event stream ended in the middle of a line (connection closed mid-event)",
                snippet(rest.decode("utf-8", errors="replace")),
            )
        if self._data:
            event = self._dispatch()
            return [event] if event is not None else []
        return []

    # ------------------------------------------------------------------------------------------------

    def _whole_events(self, region: bytes, events: list[SSEEvent]) -> None:
        """Decode complete events (`region` ends with a blank line and starts at a line start, with
        no event open). The region is decoded to text once and split on blank lines once; the shapes
        nearly every vendor sends, a lone `data:` line or an `event:` line then a `data:` line,
        become events without a step per line. A region that is not UTF-8, or that could hold an
        event over the size cap, goes line by line (decoded and counted per line as ever)."""
        if self._size + len(region) > self._max:
            self._lines(region, 0, events, until_dispatch=False)
            return
        try:
            text = region.decode("utf-8")
        except UnicodeDecodeError:
            self._lines(region, 0, events, until_dispatch=False)
            return
        # No event of this region can exceed the cap (the check above), so sizes need no counting here.
        last_id = self._last_id
        for block in text.split("\n\n"):
            if block[:1] == "\n":
                block = block.lstrip("\n")  # more blank lines: nothing to dispatch
            if not block:
                continue
            if self._retry is None:
                # Slices, `in` and `partition`: str.startswith and str.find parse their arguments
                # the slow way (PyArg_ParseTuple), a measurable share of an event's cost.
                if block[:6] == "data: ":
                    if "\n" not in block:
                        events.append(SSEEvent(block[6:], "message", last_id))
                        continue
                elif block[:7] == "event: ":
                    name, _, data = block.partition("\n")
                    if data[:6] == "data: " and "\n" not in data:
                        events.append(SSEEvent(data[6:], name[7:] or "message", last_id))
                        continue
            # Valid UTF-8, so encoding gives back the very bytes: ids, retry, several data lines,
            # comments, unknown fields, line by line.
            self._lines(block.encode() + b"\n\n", 0, events, until_dispatch=False)
            last_id = self._last_id
        self._size = 0  # the next event starts afresh (comment lines carried in counted towards this region)

    def _lines(self, buf: bytes, start: int, events: list[SSEEvent], *, until_dispatch: bool) -> int:
        """Apply the complete lines of `buf` from `start` one by one; park an unfinished last line.
        With `until_dispatch`, stop after the blank line that ends the open event. Returns where it stopped."""
        find = buf.find
        while True:
            end = find(b"\n", start)
            if end < 0:
                break
            line = buf[start:end]
            start = end + 1
            if line:
                self._line(line)
            elif self._end_event(events) and until_dispatch:
                return start
        rest = buf[start:]
        if rest:
            self._pending = [rest]
            self._pending_size = len(rest)
        if self._size + len(rest) > self._max:
            raise UnexpectedModelBehavior(
                f"Server-sent event larger than {self._max} bytes; the stream is not SSE or is corrupt",
                rest[:2000],
            )
        return len(buf)

    def _end_event(self, events: list[SSEEvent]) -> bool:
        """A blank line: dispatch the open event, if any (True), and start counting the next one's size."""
        self._size = 0
        if not (self._data or self._event or self._id is not None):
            return False
        event = self._dispatch()
        if event is not None:
            events.append(event)
        return True

    def _normalise_cr(self, buf: bytes) -> bytes:
        # \r\n and lone \r are both line ends. A \r at the very end may be the first half of \r\n.
        if buf.endswith(b"\r"):
            self._pending_cr = True
            buf = buf[:-1].replace(b"\r\n", b"\n").replace(b"\r", b"\n") + b"\n"
            return buf
        return buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")

    def _line(self, raw: bytes) -> None:
        self._size += len(raw)
        if self._size > self._max:
            raise UnexpectedModelBehavior(
                f"Server-sent event larger than {self._max} bytes; the stream is not SSE or is corrupt",
                raw[:2000],
            )
        if raw[:5] == b"data:":
            payload = raw[6:] if raw[5:6] == b" " else raw[5:]
            self._data.append(payload.decode("utf-8", errors="replace"))
            return
        if raw[:1] == b":":
            return  # comment / keep-alive
        if raw[:6] == b"event:":  # the other line of nearly every named event (Anthropic, Cohere, Responses)
            name_bytes = raw[7:] if raw[6:7] == b" " else raw[6:]
            self._event = name_bytes.decode("utf-8", errors="replace")
            return
        line = raw.decode("utf-8", errors="replace")
        name, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\x00" not in value:
                self._id = value
        elif name == "retry":
            if value.isdigit():
                self._retry = int(value)
        # other field names are ignored, as the spec says

    def _dispatch(self) -> SSEEvent | None:
        data = self._data
        event_type = self._event or "message"
        if self._id is not None:
            self._last_id = self._id
        retry = self._retry
        self._data = []
        self._event = ""
        self._id = None
        self._retry = None
        self._size = 0
        if not data:
            return None  # an event with no data field is not dispatched
        return SSEEvent("\n".join(data) if len(data) > 1 else data[0], event_type, self._last_id, retry)


def encode_sse(data: str, event: str | None = None, id: str | None = None) -> bytes:
    """One event in wire form (the inverse of the decoder, for fake vendors and fixtures)."""
    lines = []
    if event is not None:
        lines.append(f"event: {event}")
    if id is not None:
        lines.append(f"id: {id}")
    lines.extend(f"data: {line}" for line in data.split("\n"))
    return ("\n".join(lines) + "\n\n").encode("utf-8")
