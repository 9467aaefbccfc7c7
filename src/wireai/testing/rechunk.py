"""Prove that chunking never changes a result: split a recorded stream at random byte boundaries.

A vendor's bytes reach us in whatever pieces TCP, proxies and HTTP/2 frames make of them, so a
stream parser must give the same `ModelResponse` however the bytes are cut: mid UTF-8 sequence,
mid SSE line, mid event-stream prelude. `rechunk` makes such cuts on purpose (seeded, so a failing
case can be replayed), and `parse_chunks` / `stream_rechunked` feed them through a model's own
codec offline or over a real loopback socket.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..messages import ModelMessage, ModelResponse
    from ..models import ModelRequestParameters
    from ..models._http import HTTPModel

__all__ = ["interesting_offsets", "parse_chunks", "rechunk", "split_events", "stream_rechunked"]


def rechunk(data: bytes, seed: int | random.Random = 0, *, max_pieces: int | None = None) -> list[bytes]:
    """`data` cut into non-empty pieces at seeded random offsets, biased towards the nasty ones.

    Besides uniform cuts, a share of the cuts falls on `interesting_offsets` (inside multi-byte
    UTF-8 characters, just after a line feed, between CR and LF, inside an event-stream prelude),
    because uniform cuts rarely hit a 2-byte window in a long stream. Joining the pieces always
    gives back `data`.
    """
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    if len(data) <= 1:
        return [data] if data else []
    limit = len(data) - 1 if max_pieces is None else max(0, min(max_pieces - 1, len(data) - 1))
    mode = rng.random()
    if mode < 0.15:
        count = min(limit, len(data) - 1)  # byte by byte (or as close as max_pieces allows)
    else:
        count = rng.randint(0, min(limit, max(1, len(data) // 4)))
    cuts: set[int] = set()
    if count >= len(data) - 1:
        cuts = set(range(1, len(data)))
    else:
        cuts.update(rng.sample(range(1, len(data)), count))
        nasty = interesting_offsets(data)
        if nasty and count:
            cuts.update(rng.sample(nasty, min(len(nasty), max(1, count // 2))))
    if max_pieces is not None and len(cuts) > max_pieces - 1:
        cuts = set(rng.sample(sorted(cuts), max(0, max_pieces - 1)))
    points = [0, *sorted(cuts), len(data)]
    return [data[a:b] for a, b in zip(points, points[1:]) if b > a]


def interesting_offsets(data: bytes) -> list[int]:
    """Offsets where a cut is most likely to expose a buffering bug in a decoder."""
    out: list[int] = []
    for i in range(1, len(data)):
        byte = data[i]
        prev = data[i - 1]
        if 0x80 <= byte <= 0xBF:  # a UTF-8 continuation byte: the cut splits a character
            out.append(i)
        elif prev == 0x0A or (prev == 0x0D and byte == 0x0A):  # line start, or between CR and LF
            out.append(i)
        elif prev == 0x3A and i >= 5 and data[i - 5 : i] == b"data:":  # right after `data:`
            out.append(i)
    for start in _frame_starts(data):  # inside the 12-byte prelude and at the payload start
        out.extend(o for o in (start + 1, start + 4, start + 8, start + 11, start + 12) if 0 < o < len(data))
    return sorted(set(out))


def _frame_starts(data: bytes) -> list[int]:
    """Offsets of AWS event-stream frames, when `data` looks like a sequence of them."""
    starts: list[int] = []
    pos = 0
    while pos + 12 <= len(data):
        total, headers_len = struct.unpack(">II", data[pos : pos + 8])
        if total < 16 or headers_len > total - 16 or pos + total > len(data):
            return starts if starts else []
        starts.append(pos)
        pos += total
    return starts


def split_events(data: bytes, stream_format: str = "sse") -> list[bytes]:
    """One piece per SSE event (blank-line separated) or per event-stream frame, as vendors flush them."""
    if stream_format == "eventstream":
        starts = _frame_starts(data)
        if not starts:
            return [data] if data else []
        points = [*starts, len(data)]
        return [data[a:b] for a, b in zip(points, points[1:])]
    normalized = data.replace(b"\r\n", b"\n")
    pieces = normalized.split(b"\n\n")
    out = [p + b"\n\n" for p in pieces[:-1]]
    if pieces[-1]:
        out.append(pieces[-1])
    return out


def parse_chunks(
    model: HTTPModel,
    chunks: Iterable[bytes],
    params: ModelRequestParameters | None = None,
) -> ModelResponse:
    """Feed stream bytes through `model`'s own stream parser (its framing included), offline, as
    `request_stream` would.

    Raises what the stream raises (`ModelHTTPError` for an in-stream vendor error,
    `UnexpectedModelBehavior` for a malformed or truncated one).
    """
    from ..models import ModelRequestParameters

    parser = model.stream_parser(params or ModelRequestParameters())
    for chunk in chunks:
        parser.feed(chunk)
    return parser.close()


async def stream_rechunked(
    model: HTTPModel,
    data: bytes,
    seed: int | random.Random = 0,
    *,
    messages: Sequence[ModelMessage] | None = None,
    params: ModelRequestParameters | None = None,
    content_type: str | None = None,
) -> ModelResponse:
    """Stream `data` to `model` over a real loopback socket, cut by `rechunk(data, seed)`, and return the result.

    The model's own base URL is ignored: it is pointed at a throwaway server for this one request
    by swapping its provider's URL, so the real transport and the codec's framing and parser run.
    """
    from ..messages import ModelRequest, UserPromptPart
    from ..models import ModelRequestParameters
    from .server import LoopbackServer, Reply

    ctype = content_type or model.codec.StreamParser.framing_for(model.profile).media_type
    pieces: list[bytes | float] = list(rechunk(data, seed))
    server = LoopbackServer(lambda request: Reply(200, {"content-type": ctype}, chunks=pieces))
    history: list[ModelMessage] = (
        list(messages) if messages else [ModelRequest(parts=[UserPromptPart("hello")])]
    )
    provider: Any = model.provider
    with server:
        saved = provider.__dict__.get("base_url", _MISSING), provider.__dict__.get("_base_url", _MISSING)
        _point_at(provider, server.url)
        try:
            async with model.request_stream(history, None, params or ModelRequestParameters()) as stream:
                async for _ in stream:
                    pass
                return stream.get()
        finally:
            _restore(provider, saved)


_MISSING = object()


def _point_at(provider: Any, url: str) -> None:
    """Send the provider's requests to `url`, keeping the path below the host (e.g. `/v1`)."""
    import httpx

    old = httpx.URL(provider.base_url)
    new = httpx.URL(url).copy_with(path=old.path or "/")
    if "_base_url" in provider.__dict__:
        provider._base_url = str(new).rstrip("/")
    else:
        provider.base_url = str(new).rstrip("/")


def _restore(provider: Any, saved: tuple[Any, Any]) -> None:
    for name, value in zip(("base_url", "_base_url"), saved):
        if value is _MISSING:
            provider.__dict__.pop(name, None)
        else:
            provider.__dict__[name] = value
