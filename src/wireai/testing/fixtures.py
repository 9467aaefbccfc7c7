"""Recorded-style vendor exchanges (`wireai/fixtures/<protocol>/<case>.json`) and their replay.

A case file holds the exchanges of one scenario in order, each an expected request and the
vendor's answer:

    {"description": "...",
     "exchanges": [
       {"request": {"method": "POST", "path": "/v1/chat/completions",
                    "headers": {"authorization": "Bearer test-key"}, "body": {...}},
        "response": {"status": 200, "headers": {...}, "json": {...}}}]}

The response body is one of `json` (an object), `text` (raw text), `sse` (raw SSE text),
`sse_file` (raw SSE text in a file beside the case), `sse_events` (a list of `{"event"?, "data"}`
encoded as SSE, `data` objects as JSON) or `eventstream` (a list of `{"headers", "payload"}` AWS
event-stream messages; `{"headers", "chunk"}` for Bedrock's InvokeModel stream, whose payload is the
chunk's event JSON, base64, as `bytes`). The same files serve the test suite and `wireai demo`.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..wire.sse import encode_sse
from .server import LoopbackServer, RecordedRequest, Reply

__all__ = [
    "Exchange",
    "FixtureCase",
    "ReplayServer",
    "fixtures_dir",
    "list_cases",
    "load_case",
]


def fixtures_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "fixtures"


@dataclass
class Exchange:
    request: dict[str, Any]
    response: dict[str, Any]
    base: Path

    @property
    def body(self) -> Any:
        return self.request.get("body")

    def reply(self) -> Reply:
        """The response as the loopback server sends it (streams split one event per chunk)."""
        spec = self.response
        status = spec.get("status", 200)
        headers = dict(spec.get("headers", {}))
        if "json" in spec:
            headers.setdefault("content-type", "application/json")
            return Reply(status, headers, json.dumps(spec["json"]).encode())
        if "text" in spec:
            return Reply(status, headers, spec["text"].encode())
        if "sse" in spec or "sse_file" in spec or "sse_events" in spec:
            headers.setdefault("content-type", "text/event-stream")
            return Reply(status, headers, chunks=self.stream_chunks())
        if "eventstream" in spec:
            headers.setdefault("content-type", "application/vnd.amazon.eventstream")
            return Reply(status, headers, chunks=self.stream_chunks())
        return Reply(status, headers)

    def stream_chunks(self) -> list[bytes | float]:
        spec = self.response
        if "sse_events" in spec:
            return [
                encode_sse(e["data"] if isinstance(e["data"], str) else json.dumps(e["data"]), e.get("event"))
                for e in spec["sse_events"]
            ]
        if "eventstream" in spec:
            from ..wire.eventstream import encode_message

            return [encode_message(m["headers"], _eventstream_payload(m)) for m in spec["eventstream"]]
        text = spec["sse"] if "sse" in spec else (self.base / spec["sse_file"]).read_text("utf-8")
        raw = text.encode("utf-8")
        # One chunk per event, as a vendor flushes them.
        pieces = raw.split(b"\n\n")
        chunks: list[bytes | float] = [p + b"\n\n" for p in pieces[:-1]]
        if pieces[-1]:
            chunks.append(pieces[-1])
        return chunks

    def raw_body(self) -> bytes:
        reply = self.reply()
        if reply.chunks is None:
            return reply.body
        return b"".join(c for c in reply.chunks if isinstance(c, bytes))


def _eventstream_payload(message: dict[str, Any]) -> Any:
    """A message's payload; a `chunk` (Bedrock's InvokeModelWithResponseStream) is written as the event
    it carries and sent as `{"bytes": base64 of its JSON}` (with `p`, Bedrock's padding, where given)."""
    if "chunk" not in message:
        return message["payload"]
    raw = json.dumps(message["chunk"], separators=(",", ":")).encode()
    payload = {"bytes": base64.b64encode(raw).decode("ascii")}
    if "p" in message:
        payload["p"] = message["p"]
    return payload


@dataclass
class FixtureCase:
    protocol: str
    name: str
    description: str
    exchanges: list[Exchange] = field(default_factory=list)


def load_case(protocol: str, name: str, root: Path | None = None) -> FixtureCase:
    path = (root or fixtures_dir()) / protocol / f"{name}.json"
    data = json.loads(path.read_text("utf-8"))
    return FixtureCase(
        protocol,
        name,
        data.get("description", ""),
        [Exchange(e["request"], e["response"], path.parent) for e in data["exchanges"]],
    )


def list_cases(protocol: str, root: Path | None = None) -> list[str]:
    return sorted(p.stem for p in ((root or fixtures_dir()) / protocol).glob("*.json"))


class ReplayServer(LoopbackServer):
    """Answers the case's requests in order, recording what was sent; extra requests get a 500."""

    def __init__(self, case: FixtureCase | list[Exchange]):
        self.exchanges = case.exchanges if isinstance(case, FixtureCase) else case
        self._next = 0
        super().__init__(self._answer)

    def _answer(self, request: RecordedRequest) -> Reply:
        if self._next >= len(self.exchanges):
            return Reply.json(
                {"error": {"message": f"replay: unexpected request #{self._next + 1} {request.path}"}}, 500
            )
        exchange = self.exchanges[self._next]
        self._next += 1
        return exchange.reply()

    def assert_requests_match(self, *, headers: bool = True) -> None:
        """Every exchange was requested with the expected method, path, body and (subset of) headers."""
        assert len(self.requests) == len(self.exchanges), (
            f"expected {len(self.exchanges)} requests, got {len(self.requests)}: {[r.path for r in self.requests]}"
        )
        for i, (got, exchange) in enumerate(zip(self.requests, self.exchanges)):
            want = exchange.request
            assert got.method == want.get("method", "POST"), f"request {i}: method {got.method}"
            if "path" in want:
                assert got.path == want["path"], f"request {i}: path {got.path!r} != {want['path']!r}"
            if "body" in want:
                assert got.json() == want["body"], (
                    f"request {i}: body differs:\n{got.json()}\n!=\n{want['body']}"
                )
            if headers:
                for name, value in want.get("headers", {}).items():
                    assert got.headers.get(name.lower()) == value, (
                        f"request {i}: header {name}: {got.headers.get(name.lower())!r} != {value!r}"
                    )
