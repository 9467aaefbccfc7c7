"""Record a test's real HTTP exchanges once, replay them offline forever after.

How it hooks in: while recording or replaying, `httpx.AsyncHTTPTransport.handle_async_request`
(and the sync `httpx.HTTPTransport.handle_request`, which Google token refresh uses) is wrapped.
That is below every client — the shared pooled one, a provider's own, a user's `http_client` —
so nothing needs to be passed around, and above the socket, so the real codecs (their
SSE/event-stream framing included), retries and error mapping all run on replay.

- Recording passes each request through, tees the response bytes as the caller reads them (a
  stream is still a stream) and writes the cassette when the block ends.
- Replaying matches each request against the cassette (method + path + body by default), then
  rewrites it to a loopback server that answers with the recorded status, headers and bytes over
  a real socket (streams one SSE event / event-stream frame per chunk). Nothing leaves the host;
  a request with no match raises `CassetteMismatchError` naming the closest recorded request.

The file is JSON, indented, keys sorted: JSON bodies are stored as JSON, text (SSE included) as
a list of lines, binary (AWS event-stream) as base64. Secrets are redacted before writing:
see `REDACTED_HEADERS` and `REDACTED_QUERY_PARAMS`.
"""

from __future__ import annotations

import base64
import difflib
import json
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from .rechunk import split_events
from .server import LoopbackServer, RecordedRequest, Reply

__all__ = [
    "REDACTED",
    "REDACTED_HEADERS",
    "REDACTED_QUERY_PARAMS",
    "Cassette",
    "CassetteMismatchError",
    "CassetteRecorder",
    "CassetteReplayer",
    "redact_headers",
    "redact_url",
    "use_cassette",
]

FORMAT_VERSION = 1
REDACTED = "REDACTED"
REDACTED_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "x-amz-security-token",
     "x-amz-signature", "x-amz-credential", "cookie", "set-cookie", "ocp-apim-subscription-key"}
)  # fmt: skip
REDACTED_QUERY_PARAMS = frozenset(
    {"key", "api_key", "api-key", "apikey", "access_token", "token", "x-amz-signature", "x-amz-credential",
     "x-amz-security-token", "sig", "signature"}
)  # fmt: skip
# Transport-level headers that say nothing about the exchange and would only add diff noise.
_DROPPED_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "connection", "keep-alive", "accept-encoding"}
)
_INDEX_HEADER = "x-wireai-cassette-index"

MatchKey = Literal["method", "host", "path", "query", "body", "headers"]
DEFAULT_MATCH_ON: tuple[MatchKey, ...] = ("method", "path", "body")
Mode = Literal["once", "record", "replay"]


class CassetteMismatchError(AssertionError):
    """A request the cassette has no (unused) recording for; the message names the closest one."""


# ============================================================================================ format


def redact_headers(headers: Iterable[tuple[str, str]], extra: Iterable[str] = ()) -> dict[str, str]:
    secret = REDACTED_HEADERS | {h.lower() for h in extra}
    out: dict[str, str] = {}
    for name, value in headers:
        lower = name.lower()
        if lower in _DROPPED_HEADERS or lower == _INDEX_HEADER:
            continue
        out[lower] = REDACTED if lower in secret else value
    return out


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (k, REDACTED if k.lower() in REDACTED_QUERY_PARAMS else v) for k, v in parse_qsl(parts.query, True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe=":/")))


def encode_body(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """Bodies as a human would want to read them in a diff: JSON as JSON, text as lines, else base64."""
    if not raw:
        return {}
    ctype = (content_type or "").lower()
    if "json" in ctype or not ctype:
        try:
            value = json.loads(raw)
            if (
                json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() == raw
                or "json" in ctype
            ):
                return {"json": value}
        except ValueError:
            pass
    if "eventstream" not in ctype and "octet" not in ctype:
        try:
            return {"text": raw.decode("utf-8").split("\n")}
        except UnicodeDecodeError:
            pass
    return {"base64": base64.b64encode(raw).decode("ascii")}


def decode_body(spec: dict[str, Any]) -> bytes:
    if "json" in spec:
        return json.dumps(spec["json"], ensure_ascii=False, separators=(",", ":")).encode()
    if "text" in spec:
        text = spec["text"]
        return ("\n".join(text) if isinstance(text, list) else str(text)).encode("utf-8")
    if "base64" in spec:
        return base64.b64decode(spec["base64"])
    return b""


@dataclass
class Cassette:
    """The recorded exchanges of one test, in order."""

    path: Path
    interactions: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, path: str | Path) -> Cassette:
        path = Path(path)
        data = json.loads(path.read_text("utf-8"))
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"{path}: not a wireai cassette (format {data.get('format')!r})")
        return cls(path, list(data.get("interactions", [])))

    def save(self) -> None:
        from .. import __version__

        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "format": FORMAT_VERSION,
            "recorded_with": f"wireai {__version__}",
            "interactions": self.interactions,
        }
        self.path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")


# ============================================================================================ hooking httpx


@contextmanager
def _patched_transports(async_handler: Any, sync_handler: Any) -> Iterator[None]:
    """Swap the handlers of httpx's real transports for the block; always restored."""
    async_original = httpx.AsyncHTTPTransport.handle_async_request
    sync_original = httpx.HTTPTransport.handle_request

    async def handle_async(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        return await async_handler(async_original, self, request)

    def handle_sync(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        return sync_handler(sync_original, self, request)

    httpx.AsyncHTTPTransport.handle_async_request = handle_async  # type: ignore[method-assign]
    httpx.HTTPTransport.handle_request = handle_sync  # type: ignore[method-assign]
    try:
        yield
    finally:
        httpx.AsyncHTTPTransport.handle_async_request = async_original  # type: ignore[method-assign]
        httpx.HTTPTransport.handle_request = sync_original  # type: ignore[method-assign]


class _TeeAsync(httpx.AsyncByteStream):
    def __init__(self, inner: Any, done: Any):
        self._inner, self._done, self._buffer = inner, done, bytearray()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self._buffer += chunk
            yield chunk

    async def aclose(self) -> None:
        self._done(bytes(self._buffer))
        await self._inner.aclose()


class _TeeSync(httpx.SyncByteStream):
    def __init__(self, inner: Any, done: Any):
        self._inner, self._done, self._buffer = inner, done, bytearray()

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._buffer += chunk
            yield chunk

    def close(self) -> None:
        self._done(bytes(self._buffer))
        self._inner.close()


class CassetteRecorder:
    """While active, every httpx request and its raw response bytes are appended to `cassette`."""

    def __init__(self, cassette: Cassette, *, redact: Iterable[str] = ()):
        self.cassette = cassette
        self.redact = tuple(redact)

    def _entry(self, request: httpx.Request, response: httpx.Response) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "request": {
                "method": request.method,
                "url": redact_url(str(request.url)),
                "headers": redact_headers(request.headers.multi_items(), self.redact),
                "body": encode_body(request.content, request.headers.get("content-type")),
            },
            "response": {
                "status": response.status_code,
                "headers": redact_headers(response.headers.multi_items(), self.redact),
                "body": {},
            },
        }
        self.cassette.interactions.append(entry)
        return entry

    def _finish(self, entry: dict[str, Any], response: httpx.Response) -> Any:
        def done(raw: bytes) -> None:
            entry["response"]["body"] = encode_body(raw, response.headers.get("content-type"))

        return done

    async def _handle_async(self, original: Any, transport: Any, request: httpx.Request) -> httpx.Response:
        await request.aread()
        request.headers["accept-encoding"] = "identity"  # keep recorded bytes readable
        response: httpx.Response = await original(transport, request)
        entry = self._entry(request, response)
        response.stream = _TeeAsync(response.stream, self._finish(entry, response))
        return response

    def _handle_sync(self, original: Any, transport: Any, request: httpx.Request) -> httpx.Response:
        request.read()
        request.headers["accept-encoding"] = "identity"
        response: httpx.Response = original(transport, request)
        entry = self._entry(request, response)
        response.stream = _TeeSync(response.stream, self._finish(entry, response))
        return response

    @contextmanager
    def active(self) -> Iterator[CassetteRecorder]:
        with _patched_transports(self._handle_async, self._handle_sync):
            try:
                yield self
            finally:
                self.cassette.save()


class CassetteReplayer:
    """While active, requests are answered from `cassette` by a loopback server; nothing else is reached."""

    def __init__(
        self,
        cassette: Cassette,
        *,
        match_on: Iterable[MatchKey] = DEFAULT_MATCH_ON,
        allow_repeats: bool = False,
    ):
        self.cassette = cassette
        self.match_on = tuple(match_on)
        self.allow_repeats = allow_repeats
        self.used: list[int] = []
        self.server = LoopbackServer(self._serve)

    @property
    def unused(self) -> list[int]:
        return [i for i in range(len(self.cassette.interactions)) if i not in self.used]

    # ------------------------------------------------------------------------------ matching

    def match(self, method: str, url: str, headers: httpx.Headers, body: bytes) -> int:
        """The index of the first unused recording matching the request; else a clear error."""
        candidates = [
            i
            for i, e in enumerate(self.cassette.interactions)
            if self._matches(e["request"], method, url, headers, body)
        ]
        for i in candidates:
            if i not in self.used:
                return i
        if candidates and self.allow_repeats:
            return candidates[-1]
        raise CassetteMismatchError(self._explain(method, url, body, bool(candidates)))

    def _matches(
        self, want: dict[str, Any], method: str, url: str, headers: httpx.Headers, body: bytes
    ) -> bool:
        got = urlsplit(redact_url(url))
        recorded = urlsplit(want.get("url", ""))
        for key in self.match_on:
            if key == "method" and want.get("method", "").upper() != method.upper():
                return False
            if key == "host" and recorded.netloc != got.netloc:
                return False
            if key == "path" and recorded.path != got.path:
                return False
            if key == "query" and sorted(parse_qsl(recorded.query, True)) != sorted(
                parse_qsl(got.query, True)
            ):
                return False
            if key == "body" and not _same_body(want.get("body", {}), body):
                return False
            if key == "headers":
                redacted = redact_headers(headers.multi_items())
                if any(redacted.get(k) != v for k, v in want.get("headers", {}).items() if k != "user-agent"):
                    return False
        return True

    def _explain(self, method: str, url: str, body: bytes, all_used: bool) -> str:
        path = urlsplit(url).path
        head = f"wireai cassette {self.cassette.path}: no recorded request matches {method} {path} (matching on {', '.join(self.match_on)})"
        if all_used:
            return head + "; every matching recording was already played (record again, or allow repeats)"
        if not self.cassette.interactions:
            return head + "; the cassette is empty"
        text = _body_text(body)

        def score(entry: dict[str, Any]) -> float:
            want = entry["request"]
            same_method = want.get("method", "").upper() == method.upper()
            same_path = urlsplit(want.get("url", "")).path == path
            ratio = difflib.SequenceMatcher(None, _body_text(decode_body(want.get("body", {}))), text).ratio()
            return same_method * 4 + same_path * 2 + ratio

        best = max(range(len(self.cassette.interactions)), key=lambda i: score(self.cassette.interactions[i]))
        want = self.cassette.interactions[best]["request"]
        diff = list(
            difflib.unified_diff(
                _body_text(decode_body(want.get("body", {}))).splitlines(),
                text.splitlines(),
                "recorded",
                "sent",
                lineterm="",
                n=1,
            )
        )
        shown = "\n".join(diff[:40]) + ("\n..." if len(diff) > 40 else "")
        return (
            f"{head}.\nClosest recorded request: #{best} {want.get('method')} {urlsplit(want.get('url', '')).path}"
            + (f"\nbody diff:\n{shown}" if diff else "")
        )

    # ------------------------------------------------------------------------------ serving

    def _serve(self, request: RecordedRequest) -> Reply:
        index = int(request.headers.get(_INDEX_HEADER, "-1"))
        if (
            not 0 <= index < len(self.cassette.interactions)
        ):  # pragma: no cover - only our own header reaches here
            return Reply.json({"error": {"message": "wireai cassette: unknown interaction"}}, 500)
        recorded = self.cassette.interactions[index]["response"]
        headers = dict(recorded.get("headers", {}))
        raw = decode_body(recorded.get("body", {}))
        ctype = headers.get("content-type", "")
        if "event-stream" in ctype:
            return Reply(recorded.get("status", 200), headers, chunks=list(split_events(raw, "sse")))
        if "eventstream" in ctype:
            return Reply(recorded.get("status", 200), headers, chunks=list(split_events(raw, "eventstream")))
        return Reply(recorded.get("status", 200), headers, raw)

    def _redirect(self, request: httpx.Request, body: bytes) -> None:
        index = self.match(request.method, str(request.url), request.headers, body)
        self.used.append(index)
        request.url = request.url.copy_with(scheme="http", host=self.server.host, port=self.server.port)
        request.headers["host"] = f"{self.server.host}:{self.server.port}"
        request.headers[_INDEX_HEADER] = str(index)

    async def _handle_async(self, original: Any, transport: Any, request: httpx.Request) -> httpx.Response:
        self._redirect(request, await request.aread())
        return await original(transport, request)

    def _handle_sync(self, original: Any, transport: Any, request: httpx.Request) -> httpx.Response:
        self._redirect(request, request.read())
        return original(transport, request)

    @contextmanager
    def active(self) -> Iterator[CassetteReplayer]:
        with self.server, _patched_transports(self._handle_async, self._handle_sync):
            yield self


@contextmanager
def use_cassette(
    path: str | Path,
    *,
    mode: Mode = "once",
    match_on: Iterable[MatchKey] = DEFAULT_MATCH_ON,
    redact: Iterable[str] = (),
    allow_repeats: bool = False,
) -> Iterator[CassetteRecorder | CassetteReplayer]:
    """Record into `path` (mode `record`, or `once` when it does not exist yet) or replay from it.

    Works for sync and async code alike (the hook is on httpx's transports, not on a client).
    """
    path = Path(path)
    if mode == "record" or (mode == "once" and not path.exists()):
        with CassetteRecorder(Cassette(path), redact=redact).active() as recorder:
            yield recorder
        return
    if not path.exists():
        raise CassetteMismatchError(
            f"wireai cassette {path} does not exist; record it first (--wireai-record)"
        )
    with CassetteReplayer(
        Cassette.load(path), match_on=match_on, allow_repeats=allow_repeats
    ).active() as replayer:
        yield replayer


def _same_body(spec: dict[str, Any], body: bytes) -> bool:
    if "json" in spec:
        try:
            return bool(json.loads(body) == spec["json"]) if body else False
        except ValueError:
            return False
    return decode_body(spec) == body


def _body_text(raw: bytes) -> str:
    """A body pretty-printed for a diff (JSON indented, else text)."""
    try:
        return json.dumps(json.loads(raw), indent=1, sort_keys=True, ensure_ascii=False)
    except ValueError:
        return raw.decode("utf-8", "replace")


def safe_name(name: str) -> str:
    """A test node name as a file name: `test_x[param-1]` -> `test_x-param-1`."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "cassette"
