"""Loopback mock of OpenAI chat completions and Anthropic messages, for the benchmarks only.

Standard library only, so it runs under any interpreter (the harness starts it with its own).
It is an `asyncio.Protocol` over HTTP/1.1 keep-alive that answers from a cache of pre-encoded
bodies: the mock must not dominate the client's figures, and its CPU per request is reported.

Routing is by path suffix, so it works whatever base URL a client library composes:

- ``.../chat/completions`` -> OpenAI chat completions (JSON, or SSE when ``"stream": true``);
- ``.../messages``         -> Anthropic messages (JSON, or SSE when ``"stream": true``);
- ``.../embeddings``       -> OpenAI embeddings: one vector per input, ``dimensions`` wide (default
  1536), float JSON or base64 float32 as ``encoding_format`` says (``embeddings_body``);
- a path segment ``/d<N>/`` anywhere (e.g. base URL ``http://127.0.0.1:PORT/d20000/v1``)
  makes a streamed text reply carry N text deltas (default 8);
- ``GET /__stats`` -> ``{"requests": n, "connections": n, "cpu_s": seconds of this process's CPU}``
  (connections: TCP connections that carried at least one request other than ``/__stats``, so
  the concurrency figures can show a client's pool churn).

When the request carries tools and the conversation does not end with a tool result, the reply
is a call of the first tool with arguments made from its JSON schema (that is how an agent's
structured output arrives); otherwise it is a short text.

Run: ``python mock_server.py [--port 0]``; the first stdout line is the port it listens on.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import re
import signal
import struct
import sys
import time
from typing import Any

_DELTAS_RE = re.compile(rb"/d(\d+)(?:/|$)")
_DEFAULT_DELTAS = 8
_TEXT = "Hello! How can I help you today?"
_DELTA_TEXT = "tok "


# ---------------------------------------------------------------------------------------- bodies


def _sample(schema: dict[str, Any], defs: dict[str, Any], depth: int = 0) -> Any:
    """A value that validates against a (simple) JSON schema: enough for a 2-field output model."""
    if depth > 8:
        return None
    if "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[-1]
        return _sample(defs.get(ref, {}), defs, depth + 1)
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return _sample(schema[key][0], defs, depth + 1)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _sample(sub, defs, depth + 1) for name, sub in props.items()}
    if kind == "array":
        return [_sample(schema.get("items", {}), defs, depth + 1)]
    return {"string": "Paris", "integer": 1, "number": 1.5, "boolean": True, "null": None}.get(kind, "x")


def _sse(data: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def openai_body(
    model: str, tool: tuple[str, str] | None, stream: bool, deltas: int, usage_chunk: bool
) -> tuple[bytes, str]:
    """An OpenAI chat completion (or its SSE stream) answering with `tool` (name, args) or text."""
    usage = {"prompt_tokens": 9, "completion_tokens": max(deltas, 7), "total_tokens": 9 + max(deltas, 7)}
    if not stream:
        if tool:
            message: dict[str, Any] = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_bench_1",
                        "type": "function",
                        "function": {"name": tool[0], "arguments": tool[1]},
                    }
                ],
            }
            finish = "tool_calls"
        else:
            message = {"role": "assistant", "content": _TEXT, "refusal": None}
            finish = "stop"
        body = {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 1700000000,
            "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
            "usage": usage,
            "system_fingerprint": "fp_bench",
        }
        return json.dumps(body, separators=(",", ":")).encode(), "application/json"

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        return _sse(
            {
                "id": "chatcmpl-bench",
                "object": "chat.completion.chunk",
                "created": 1700000000,
                "model": model,
                "system_fingerprint": "fp_bench",
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            }
        )

    out = [chunk({"role": "assistant", "content": ""})]
    if tool:
        call = {
            "index": 0,
            "id": "call_bench_1",
            "type": "function",
            "function": {"name": tool[0], "arguments": tool[1]},
        }
        out.append(chunk({"tool_calls": [call]}))
        out.append(chunk({}, "tool_calls"))
    else:
        one = chunk({"content": _DELTA_TEXT})
        out.extend([one] * deltas)
        out.append(chunk({}, "stop"))
    if usage_chunk:
        out.append(
            _sse(
                {
                    "id": "chatcmpl-bench",
                    "object": "chat.completion.chunk",
                    "created": 1700000000,
                    "model": model,
                    "choices": [],
                    "usage": usage,
                }
            )
        )
    out.append(b"data: [DONE]\n\n")
    return b"".join(out), "text/event-stream"


def anthropic_body(model: str, tool: tuple[str, str] | None, stream: bool, deltas: int) -> tuple[bytes, str]:
    """An Anthropic message (or its SSE stream) answering with `tool` (name, args) or text."""
    if tool:
        block: dict[str, Any] = {
            "type": "tool_use",
            "id": "toolu_bench_1",
            "name": tool[0],
            "input": json.loads(tool[1]),
        }
        stop = "tool_use"
    else:
        block = {"type": "text", "text": _TEXT}
        stop = "end_turn"
    out_tokens = max(deltas, 7)
    if not stream:
        body = {
            "id": "msg_bench",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [block],
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {"input_tokens": 9, "output_tokens": out_tokens},
        }
        return json.dumps(body, separators=(",", ":")).encode(), "application/json"

    message = {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 9, "output_tokens": 1},
    }
    out = [_sse({"type": "message_start", "message": message}, "message_start")]
    if tool:
        start = {"type": "tool_use", "id": "toolu_bench_1", "name": tool[0], "input": {}}
        out.append(
            _sse({"type": "content_block_start", "index": 0, "content_block": start}, "content_block_start")
        )
        delta = {"type": "input_json_delta", "partial_json": tool[1]}
        out.append(_sse({"type": "content_block_delta", "index": 0, "delta": delta}, "content_block_delta"))
    else:
        start = {"type": "text", "text": ""}
        out.append(
            _sse({"type": "content_block_start", "index": 0, "content_block": start}, "content_block_start")
        )
        one = _sse(
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": _DELTA_TEXT}},
            "content_block_delta",
        )
        out.extend([one] * deltas)
    out.append(_sse({"type": "content_block_stop", "index": 0}, "content_block_stop"))
    out.append(
        _sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": out_tokens},
            },
            "message_delta",
        )
    )
    out.append(_sse({"type": "message_stop"}, "message_stop"))
    return b"".join(out), "text/event-stream"


_VECTOR_CACHE: dict[int, list[float]] = {}


def _vector(dimensions: int) -> list[float]:
    """A fixed float32-valued vector, as OpenAI's are (its float JSON prints float32 values in full)."""
    vector = _VECTOR_CACHE.get(dimensions)
    if vector is None:
        rng = random.Random(dimensions)
        packed = struct.pack(f"<{dimensions}f", *(rng.gauss(0, 0.025) for _ in range(dimensions)))
        vector = _VECTOR_CACHE[dimensions] = list(struct.unpack(f"<{dimensions}f", packed))
    return vector


def embeddings_body(model: str, count: int, dimensions: int, base64_wanted: bool) -> tuple[bytes, str]:
    """An OpenAI embeddings answer: `count` vectors (float JSON, or base64 of little-endian float32)."""
    vector = _vector(dimensions)
    one: Any = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode() if base64_wanted else vector
    data = [{"object": "embedding", "index": i, "embedding": one} for i in range(count)]
    usage = {"prompt_tokens": 12 * count, "total_tokens": 12 * count}
    body = {"object": "list", "data": data, "model": model, "usage": usage}
    return json.dumps(body, separators=(",", ":")).encode(), "application/json"


def _openai_tool(req: dict[str, Any]) -> tuple[str, str] | None:
    tools = req.get("tools") or []
    messages = req.get("messages") or []
    if not tools or (messages and messages[-1].get("role") == "tool"):
        return None
    fn = tools[0].get("function", {})
    schema = fn.get("parameters") or {}
    args = _sample(schema, schema.get("$defs", {}))
    return fn.get("name", "tool"), json.dumps(args, separators=(",", ":"))


def _anthropic_tool(req: dict[str, Any]) -> tuple[str, str] | None:
    tools = req.get("tools") or []
    messages = req.get("messages") or []
    if not tools:
        return None
    if messages:
        content = messages[-1].get("content")
        if isinstance(content, list) and any(
            isinstance(b, dict) and b.get("type") == "tool_result" for b in content
        ):
            return None
    schema = tools[0].get("input_schema") or {}
    args = _sample(schema, schema.get("$defs", {}))
    return tools[0].get("name", "tool"), json.dumps(args, separators=(",", ":"))


class Responder:
    """Maps a request (path, JSON body) to a cached, fully encoded HTTP response."""

    def __init__(self) -> None:
        self.cache: dict[tuple[Any, ...], bytes] = {}
        self.requests = 0
        self.connections = 0

    def respond(self, method: bytes, path: bytes, body: bytes) -> bytes:
        self.requests += 1
        if method == b"GET" and path.startswith(b"/__stats"):
            self.requests -= 1
            stats = {"requests": self.requests, "connections": self.connections, "cpu_s": time.process_time()}
            return _http(200, json.dumps(stats).encode(), "application/json")
        try:
            req = json.loads(body) if body else {}
        except ValueError:
            return _http(
                400, b'{"error":{"message":"bad json","type":"invalid_request_error"}}', "application/json"
            )
        route = path.split(b"?", 1)[0].rstrip(b"/")
        m = _DELTAS_RE.search(route)
        deltas = int(m.group(1)) if m else _DEFAULT_DELTAS
        stream = bool(req.get("stream"))
        model = str(req.get("model", "model"))
        if route.endswith(b"/chat/completions"):
            tool = _openai_tool(req)
            usage_chunk = bool((req.get("stream_options") or {}).get("include_usage"))
            key: tuple[Any, ...] = ("openai", model, tool, stream, deltas if stream else 0, usage_chunk)
            hit = self.cache.get(key)
            if hit is None:
                hit = self.cache[key] = _http(200, *openai_body(model, tool, stream, deltas, usage_chunk))
            return hit
        if route.endswith(b"/messages"):
            tool = _anthropic_tool(req)
            key = ("anthropic", model, tool, stream, deltas if stream else 0)
            hit = self.cache.get(key)
            if hit is None:
                hit = self.cache[key] = _http(200, *anthropic_body(model, tool, stream, deltas))
            return hit
        if route.endswith(b"/embeddings"):
            given = req.get("input") or []
            count = 1 if isinstance(given, str) else len(given)
            base64_wanted = req.get("encoding_format") == "base64"
            key = ("embeddings", model, count, req.get("dimensions") or 1536, base64_wanted)
            hit = self.cache.get(key)
            if hit is None:
                hit = self.cache[key] = _http(200, *embeddings_body(model, count, key[3], base64_wanted))
            return hit
        return _http(404, b'{"error":{"message":"no such route","type":"not_found"}}', "application/json")


def _http(status: int, body: bytes, content_type: str) -> bytes:
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "OK")
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\n"
        f"content-length: {len(body)}\r\nconnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


# ---------------------------------------------------------------------------------------- server


class _Conn(asyncio.Protocol):
    """One keep-alive connection: parse request head + content-length/chunked body, write the reply."""

    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.buf = b""
        self.transport: asyncio.Transport | None = None
        self.counted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end]
            lines = head.split(b"\r\n")
            parts = lines[0].split(b" ")
            if len(parts) < 2:
                self._close()
                return
            method, path = parts[0], parts[1]
            length = 0
            chunked = False
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                lname = name.strip().lower()
                if lname == b"content-length":
                    length = int(value.strip())
                elif lname == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
            start = end + 4
            if chunked:
                parsed = _dechunk(self.buf, start)
                if parsed is None:
                    return
                body, consumed = parsed
            else:
                if len(self.buf) - start < length:
                    return
                body, consumed = self.buf[start : start + length], start + length
            self.buf = self.buf[consumed:]
            assert self.transport is not None
            if not self.counted and not path.startswith(b"/__stats"):
                self.counted = True
                self.responder.connections += 1
            self.transport.write(self.responder.respond(method, path, body))

    def _close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def _dechunk(buf: bytes, pos: int) -> tuple[bytes, int] | None:
    """Decode a chunked body starting at `pos`; None until it is complete."""
    out = []
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return None
        size = int(buf[pos:eol].split(b";")[0], 16)
        pos = eol + 2
        if size == 0:
            trailer_end = buf.find(b"\r\n", pos)
            if trailer_end < 0:
                return None
            return b"".join(out), trailer_end + 2
        if len(buf) < pos + size + 2:
            return None
        out.append(buf[pos : pos + size])
        pos += size + 2


async def serve(port: int, ready: Any = None) -> None:
    """Serve until SIGTERM/SIGINT; print the bound port on stdout's first line."""
    loop = asyncio.get_running_loop()
    responder = Responder()
    # 500 concurrent runs may connect at once: a full accept queue would drop SYNs, and the
    # kernel's 1 s retransmit would show up as time to first delta.
    server = await loop.create_server(lambda: _Conn(responder), "127.0.0.1", port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(bound, flush=True)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-main thread / Windows
            pass
    async with server:
        await stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
