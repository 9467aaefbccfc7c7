"""An incremental, sans-I/O decoder of AWS's binary event-stream framing (`application/vnd.amazon.eventstream`).

Bedrock's ConverseStream answers in this format instead of SSE. A message is:

    prelude: total length (u32 BE), headers length (u32 BE), CRC32 of those 8 bytes (u32 BE)
    headers: repeated [name length u8][name utf-8][value type u8][value]
    payload: total - headers - 16 bytes
    message CRC32 of everything before it (u32 BE)

The interface mirrors `SSEDecoder`: `feed(bytes)` returns the messages the bytes completed, in any
chunking; `close()` raises `UnexpectedModelBehavior` when the stream stopped inside a frame. Both CRCs
are checked and lengths are bounded before anything is buffered, so a corrupt or hostile length can
never make us wait for (or allocate) gigabytes: corruption is reported at once, not as a hang.
"""

from __future__ import annotations

import json
import struct
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from ..exceptions import UnexpectedModelBehavior

__all__ = [
    "MAX_HEADERS_LENGTH",
    "MAX_PAYLOAD_LENGTH",
    "EventStreamDecoder",
    "EventStreamMessage",
    "HeaderValue",
    "encode_message",
]

# The limits AWS documents for the format (and botocore enforces).
MAX_HEADERS_LENGTH = 128 * 1024
MAX_PAYLOAD_LENGTH = 24 * 1024 * 1024
_PRELUDE = struct.Struct(">III")
_PRELUDE_LENGTH = 12
_MIN_MESSAGE_LENGTH = 16  # prelude + message CRC, nothing else

# Header value types, as numbered by the format.
TRUE, FALSE, BYTE, SHORT, INTEGER, LONG, BYTES, STRING, TIMESTAMP, UUID = range(10)
_FIXED = {BYTE: struct.Struct(">b"), SHORT: struct.Struct(">h"), INTEGER: struct.Struct(">i"), LONG: struct.Struct(">q"),
          TIMESTAMP: struct.Struct(">q")}  # fmt: skip


@dataclass(slots=True)
class EventStreamMessage:
    """One decoded frame. Header values decode as botocore does: timestamps as epoch ms, UUIDs as 16 bytes."""

    headers: dict[str, Any] = field(default_factory=dict)
    payload: bytes = b""

    @property
    def message_type(self) -> str:
        """`event`, `exception` (a modelled service error) or `error` (an unmodelled one)."""
        value = self.headers.get(":message-type", "event")
        return value if isinstance(value, str) else "event"

    @property
    def event_type(self) -> str | None:
        value = self.headers.get(":event-type")
        return value if isinstance(value, str) else None

    @property
    def exception_type(self) -> str | None:
        value = self.headers.get(":exception-type")
        return value if isinstance(value, str) else None

    def json(self) -> Any:
        """The payload parsed as JSON; malformed JSON is the vendor's fault, so it is `UnexpectedModelBehavior`."""
        try:
            return json.loads(self.payload) if self.payload else {}
        except ValueError:
            raise UnexpectedModelBehavior(
                f"Event-stream message {self.event_type or self.exception_type!r} has a payload that is not JSON",
                self.payload[:2000].decode("utf-8", errors="replace"),
            ) from None


class EventStreamDecoder:
    """Feed bytes as they arrive; get the messages completed by them."""

    wire_format: ClassVar[str] = "eventstream"
    media_type: ClassVar[str] = "application/vnd.amazon.eventstream"

    __slots__ = ("_buffer", "_need")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._need = _PRELUDE_LENGTH  # bytes required before the next parse step can run

    def feed(self, chunk: bytes) -> list[EventStreamMessage]:
        if not chunk:
            return []
        buffer = self._buffer
        buffer += chunk
        if len(buffer) < self._need:
            return []
        messages: list[EventStreamMessage] = []
        offset = 0
        size = len(buffer)
        while size - offset >= _PRELUDE_LENGTH:
            total = _read_prelude(buffer, offset)
            if size - offset < total:
                self._need = total
                break
            messages.append(_read_message(bytes(buffer[offset : offset + total])))
            offset += total
        else:
            self._need = _PRELUDE_LENGTH
        if offset:
            del buffer[:offset]
        return messages

    def close(self) -> list[EventStreamMessage]:
        """End of stream: leftover bytes mean the connection was cut inside a frame."""
        if self._buffer:
            rest = bytes(self._buffer)
            self._buffer.clear()
            raise UnexpectedModelBehavior(
                f"The event stream ended inside a message ({len(rest)} bytes of an incomplete frame)",
                repr(rest[:200]),
            )
        return []


def _corrupt(reason: str, data: bytes | bytearray) -> UnexpectedModelBehavior:
    return UnexpectedModelBehavior(f"Corrupt AWS event-stream frame: {reason}", repr(bytes(data[:200])))


def _read_prelude(buffer: bytearray, offset: int) -> int:
    """Check the prelude at `offset` and return the message's total length."""
    total, headers_length, crc = _PRELUDE.unpack_from(buffer, offset)
    prelude = buffer[offset : offset + 8]
    if zlib.crc32(prelude) != crc:
        raise _corrupt("prelude CRC32 mismatch", buffer[offset : offset + 64])
    if total < _MIN_MESSAGE_LENGTH:
        raise _corrupt(f"total length {total} is shorter than a frame can be", buffer[offset : offset + 64])
    if headers_length > MAX_HEADERS_LENGTH:
        raise _corrupt(
            f"headers length {headers_length} exceeds {MAX_HEADERS_LENGTH}", buffer[offset : offset + 64]
        )
    payload_length = total - headers_length - _MIN_MESSAGE_LENGTH
    if payload_length < 0:
        raise _corrupt(
            f"headers length {headers_length} does not fit in total length {total}",
            buffer[offset : offset + 64],
        )
    if payload_length > MAX_PAYLOAD_LENGTH:
        raise _corrupt(
            f"payload length {payload_length} exceeds {MAX_PAYLOAD_LENGTH}", buffer[offset : offset + 64]
        )
    return int(total)


def _read_message(frame: bytes) -> EventStreamMessage:
    (crc,) = struct.unpack_from(">I", frame, len(frame) - 4)
    if zlib.crc32(frame[:-4]) != crc:
        raise _corrupt("message CRC32 mismatch", frame)
    headers_length = struct.unpack_from(">I", frame, 4)[0]
    headers_end = _PRELUDE_LENGTH + headers_length
    headers = _read_headers(frame, _PRELUDE_LENGTH, headers_end)
    return EventStreamMessage(headers, frame[headers_end:-4])


def _read_headers(frame: bytes, pos: int, end: int) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    try:
        while pos < end:
            name_length = frame[pos]
            pos += 1
            name = frame[pos : pos + name_length].decode("utf-8")
            pos += name_length
            value_type = frame[pos]
            pos += 1
            value: Any
            if value_type == TRUE:
                value = True
            elif value_type == FALSE:
                value = False
            elif value_type in _FIXED:
                fmt = _FIXED[value_type]
                (value,) = fmt.unpack_from(frame, pos)
                pos += fmt.size
            elif value_type in (BYTES, STRING):
                (length,) = struct.unpack_from(">H", frame, pos)
                pos += 2
                raw = frame[pos : pos + length]
                if len(raw) != length:
                    raise ValueError("header value runs past the headers")
                pos += length
                value = raw.decode("utf-8") if value_type == STRING else raw
            elif value_type == UUID:
                value = frame[pos : pos + 16]
                if len(value) != 16:
                    raise ValueError("uuid header runs past the headers")
                pos += 16
            else:
                raise ValueError(f"unknown header value type {value_type}")
            if pos > end:
                raise ValueError("header runs past the headers")
            headers[name] = value
    except (ValueError, IndexError, struct.error, UnicodeDecodeError) as exc:
        raise _corrupt(f"bad headers ({exc})", frame) from None
    return headers


# ------------------------------------------------------------------------------------------------ encoding


@dataclass(frozen=True, slots=True)
class HeaderValue:
    """A header value with an explicit wire type (for the types plain Python values don't pick: byte, short...)."""

    type: int
    value: Any


def _encode_header(name: str, value: Any) -> bytes:
    raw_name = name.encode("utf-8")
    out = struct.pack(">B", len(raw_name)) + raw_name
    if not isinstance(value, HeaderValue):
        value = _typed(value)
    kind, data = value.type, value.value
    if kind in (TRUE, FALSE):
        return out + struct.pack(">B", kind)
    if kind == TIMESTAMP and isinstance(data, datetime):
        data = int(data.timestamp() * 1000)
    if kind in _FIXED:
        return out + struct.pack(">B", kind) + _FIXED[kind].pack(data)
    if kind in (BYTES, STRING):
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        return out + struct.pack(">BH", kind, len(raw)) + raw
    if kind == UUID:
        raw = data.bytes if isinstance(data, uuid.UUID) else bytes(data)
        return out + struct.pack(">B", kind) + raw
    raise ValueError(f"unknown header value type {kind}")


def _typed(value: Any) -> HeaderValue:
    if isinstance(value, bool):
        return HeaderValue(TRUE if value else FALSE, value)
    if isinstance(value, int):
        return HeaderValue(INTEGER if -(2**31) <= value < 2**31 else LONG, value)
    if isinstance(value, str):
        return HeaderValue(STRING, value)
    if isinstance(value, (bytes, bytearray)):
        return HeaderValue(BYTES, bytes(value))
    if isinstance(value, uuid.UUID):
        return HeaderValue(UUID, value)
    if isinstance(value, datetime):
        return HeaderValue(TIMESTAMP, value)
    raise TypeError(f"cannot encode a {type(value).__name__} event-stream header")


def encode_message(headers: dict[str, Any], payload: dict[str, Any] | bytes) -> bytes:
    """One message in wire form (the decoder's inverse, for fake vendors and fixtures); dict payloads become JSON."""
    body = (
        payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode("utf-8")
    )
    raw_headers = b"".join(_encode_header(name, value) for name, value in headers.items())
    total = _MIN_MESSAGE_LENGTH + len(raw_headers) + len(body)
    prelude = struct.pack(">II", total, len(raw_headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + raw_headers + body
    return message + struct.pack(">I", zlib.crc32(message))
