"""A tiny HTTP/1.1 server on loopback, for replaying and faking vendors over a real socket.

It runs its own event loop in a daemon thread, so the same server serves async tests, `run_sync`
code and the CLI demo alike. Responses are scripted: whole bodies, chunked streams with pauses,
a stall before the headers, or a connection dropped mid-stream. Every request is recorded.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from ssl import SSLContext

__all__ = ["LoopbackServer", "RecordedRequest", "Reply"]


@dataclass
class RecordedRequest:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def url_path(self) -> str:
        return self.path.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.path.partition("?")[2]


@dataclass
class Reply:
    """One scripted answer.

    `chunks` streams the body with chunked transfer encoding; a float in it pauses that many
    seconds. `delay` waits before sending anything (a stall). `drop` closes the socket after the
    chunks without finishing the body (a connection lost mid-stream).
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    chunks: list[bytes | float] | None = None
    delay: float = 0.0
    drop: bool = False

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, {"content-type": "application/json", **(headers or {})}, json.dumps(data).encode())


Handler = Callable[[RecordedRequest], Union[Reply, Awaitable[Reply]]]

_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 408: "Request Timeout",
            422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable", 529: "Overloaded"}  # fmt: skip


class LoopbackServer:
    """Serve `handler` on 127.0.0.1 (a free port) until stopped; use as a sync or async context manager."""

    def __init__(
        self, handler: Handler, *, host: str = "127.0.0.1", port: int = 0, ssl: SSLContext | None = None
    ):
        self.handler = handler
        self.host = host
        self.port = port
        self.ssl = ssl  # a server-side context: serve https (TLS handshakes, SNI, certificates)
        self.requests: list[RecordedRequest] = []
        self.open_connections = 0
        self.total_connections = 0
        self.max_open_connections = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"{'https' if self.ssl else 'http'}://{self.host}:{self.port}"

    # ------------------------------------------------------------------------------ lifecycle

    def start(self) -> LoopbackServer:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._serve, self.host, self.port, ssl=self.ssl)
                )
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:  # pragma: no cover - port in use etc.
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="wireai-loopback", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None or self._thread is None:
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for writer in list(self._writers):
                writer.close()
            if self._server is not None:
                try:
                    await asyncio.wait_for(self._server.wait_closed(), 2)
                except (asyncio.TimeoutError, Exception):
                    pass
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(5)
        except Exception:
            pass
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(5)
        self._loop = None
        self._thread = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> LoopbackServer:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------------------ HTTP

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self._lock:
            self.open_connections += 1
            self.total_connections += 1
            self.max_open_connections = max(self.max_open_connections, self.open_connections)
        self._writers.add(writer)
        try:
            while True:
                request = await self._read_request(reader)
                if request is None:
                    return
                self.requests.append(request)
                try:
                    reply = self.handler(request)
                    if inspect.isawaitable(reply):
                        reply = await reply
                except Exception as exc:  # a broken test handler shows up as a 500 naming the error
                    reply = Reply.json({"error": {"message": f"loopback handler failed: {exc!r}"}}, 500)
                keep_alive = await self._write_reply(writer, reply)
                if not keep_alive or request.headers.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return
        finally:
            self._writers.discard(writer)
            with self._lock:
                self.open_connections -= 1
            try:
                writer.close()
            except Exception:  # pragma: no cover
                pass

    async def _read_request(self, reader: asyncio.StreamReader) -> RecordedRequest | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            length = int(headers.get("content-length", "0") or 0)
            body = await reader.readexactly(length) if length else b""
        return RecordedRequest(method, path, headers, body)

    async def _write_reply(self, writer: asyncio.StreamWriter, reply: Reply) -> bool:
        if reply.delay:
            await asyncio.sleep(reply.delay)
        headers = {k.lower(): v for k, v in reply.headers.items()}
        streaming = reply.chunks is not None
        if streaming:
            headers["transfer-encoding"] = "chunked"
        else:
            headers["content-length"] = str(len(reply.body))
        head = f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        writer.write(head.encode("latin-1"))
        if not streaming:
            writer.write(reply.body)
            await writer.drain()
            return not reply.drop
        for chunk in reply.chunks or ():
            if isinstance(chunk, (int, float)):
                await writer.drain()
                await asyncio.sleep(chunk)
                continue
            if chunk:
                writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        if reply.drop:
            await writer.drain()
            transport = writer.transport
            transport.abort()
            return False
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True
