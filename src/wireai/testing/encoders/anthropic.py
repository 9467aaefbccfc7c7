"""What Anthropic sends: `message` objects and the Messages SSE stream (`message_start` ... `message_stop`).

A `CompactionPart` is sent as the `compaction` block it came from (streamed as one
`compaction_delta` with the whole summary, as the API sends it). Native tool parts are sent as the
server tool blocks they came from (`server_tool_use` /
`mcp_tool_use` and `*_tool_result`, from their `provider_details`, or the kind's default block), a
tool call's `caller` as the `tool_use` block's, and a response's `container_id` / `stop_details` as
the message's `container` / `stop_details`.
"""

from __future__ import annotations

import json
from typing import Any

from ...codecs._base import tool_input
from ...codecs.anthropic import FINISH_REASONS
from ...codecs.anthropic.common import REDACTED
from ...codecs.anthropic.native_tools import call_block, is_call_block, return_block
from ...messages import (
    CompactionPart,
    ModelResponse,
    ModelResponsePart,
    NativeToolCallPart,
    NativeToolReturnPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from ...usage import RequestUsage
from ...wire.sse import encode_sse
from ._base import fresh_input_tokens, pieces, wire_finish

__all__ = ["encode_response", "encode_stream", "encode_usage"]


def encode_response(
    response: ModelResponse, *, model_name: str | None = None, id: str = "msg_fake", beta: bool = False
) -> dict[str, Any]:
    """The `message` JSON Anthropic would send for `response`: every field its reference lists,
    `null` where there is nothing to say (`beta`: the shape a request with `anthropic-beta` gets,
    with `context_management` and the usage's `iterations` and `speed`)."""
    details = response.provider_details or {}
    message: dict[str, Any] = {
        "id": response.provider_response_id or id,
        "type": "message",
        "role": "assistant",
        "model": response.model_name or model_name or "claude-fake",
        "content": [_encode_block(p) for p in response.parts],
        "stop_reason": _stop_reason(response),
        "stop_sequence": details.get("stop_sequence"),
        "stop_details": details["stop_details"] if isinstance(details.get("stop_details"), dict) else None,
        "usage": encode_usage(response.usage, beta=beta),
    }
    if beta:
        message["context_management"] = None
    message["container"] = _container(details)
    return message


def _container(details: dict[str, Any]) -> dict[str, Any] | None:
    if not isinstance(details.get("container_id"), str):
        return None
    return {
        "id": details["container_id"],
        "expires_at": details.get("container_expires_at", "2026-12-01T12:00:00Z"),
    }


def _encode_block(part: ModelResponsePart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        citations = (part.provider_details or {}).get("citations")
        return {"type": "text", "text": part.content, "citations": citations or None}
    if isinstance(part, ToolCallPart):
        return {
            "type": "tool_use",
            "id": part.tool_call_id,
            "name": part.tool_name,
            "input": tool_input(part),
            "caller": (part.provider_details or {}).get("caller") or {"type": "direct"},
        }
    if isinstance(part, (NativeToolCallPart, NativeToolReturnPart)):
        native = call_block(part) if isinstance(part, NativeToolCallPart) else return_block(part)
        if native is None:
            raise NotImplementedError(
                f"the Anthropic fake cannot send a {part.tool_name!r} native tool part without its "
                "Anthropic block fields in provider_details"
            )
        return native
    if isinstance(part, CompactionPart):
        details = part.provider_details or {}
        return {"type": "compaction", "content": part.content, "encrypted_content": None, **details}
    if not isinstance(part, ThinkingPart):
        raise NotImplementedError(f"the Anthropic fake cannot send a {type(part).__name__} yet")
    redacted = (part.provider_details or {}).get(REDACTED)
    if isinstance(redacted, str):
        return {"type": "redacted_thinking", "data": redacted}
    return {"type": "thinking", "thinking": part.content, "signature": part.signature or ""}


def _stop_reason(response: ModelResponse) -> str:
    raw = (response.provider_details or {}).get("stop_reason")
    if isinstance(raw, str):
        return raw
    return wire_finish(FINISH_REASONS, response, "end_turn")


def encode_usage(usage: RequestUsage, *, beta: bool = False) -> dict[str, Any]:
    """`usage` as Anthropic counts it: fresh input apart from cache writes and reads, the cache
    writes by TTL and the server tools' requests where `details` has them (`null` where not).

    Steps other than the message itself (`compaction_input_tokens`... in `details`, which the codec
    sums from `iterations`) go back as `iterations` with `beta`; without it their tokens are folded
    into the totals, which is all a client reading a non-beta message could see."""
    details = usage.details or {}
    steps = _iterations(usage) if beta else []
    message = {k: v for k, v in steps[-1].items() if k in _COUNTS} if steps else _counts(usage)
    cache_creation = {k: details[k] for k in _CACHE_TTLS if k in details}
    server = {k: v for k, v in details.items() if k.endswith("_requests")}
    out: dict[str, Any] = {
        **message,
        "cache_creation": dict.fromkeys(_CACHE_TTLS, 0) | cache_creation if cache_creation else None,
        "inference_geo": None,
        "server_tool_use": {**dict.fromkeys(_SERVER_TOOL_REQUESTS, 0), **server} if server else None,
        "service_tier": "standard",
    }
    if beta:
        out["iterations"] = steps or None
        out["speed"] = None
    return out


_CACHE_TTLS = ("ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens")
_SERVER_TOOL_REQUESTS = ("web_search_requests", "web_fetch_requests")
_STEPS = ("compaction", "advisor_message")  # iteration types besides the message itself


_COUNTS = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens")


def _counts(usage: RequestUsage) -> dict[str, int]:
    return {
        "input_tokens": fresh_input_tokens(usage),
        "cache_creation_input_tokens": usage.cache_write_tokens,
        "cache_read_input_tokens": usage.cache_read_tokens,
        "output_tokens": usage.output_tokens,
    }


def _iterations(usage: RequestUsage) -> list[dict[str, Any]]:
    """The billed steps a usage's `details` name, then the message with what is left."""
    details = usage.details or {}
    steps = []
    rest = _counts(usage)
    for kind in _STEPS:
        step = {key: int(details.get(f"{kind}_{key}", 0)) for key in rest}
        if any(step.values()):
            steps.append({"type": kind, **step, "cache_creation": None})
            rest = {key: rest[key] - step[key] for key in rest}
    return [*steps, {"type": "message", **rest, "cache_creation": None}] if steps else []


def _delta_usage(usage: dict[str, Any], beta: bool) -> dict[str, Any]:
    """`message_delta.usage`: the cumulative counts (and `iterations` with `beta`)."""
    out = {key: usage[key] for key in _COUNTS}
    out["server_tool_use"] = usage["server_tool_use"]
    if beta:
        out["iterations"] = usage["iterations"]
    return out


def encode_stream(
    response: ModelResponse,
    *,
    model_name: str | None = None,
    id: str = "msg_fake",
    chunk_size: int = 16,
    beta: bool = False,
) -> bytes:
    """The SSE stream Anthropic would send for `response`: text and tool input cut into `chunk_size` pieces."""
    message = encode_response(response, model_name=model_name, id=id, beta=beta)
    usage = message["usage"]
    start_usage = {**usage, "output_tokens": min(1, usage["output_tokens"])}
    if beta:
        start_usage["iterations"] = None  # every step is known at the end only
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None, "stop_details": None}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": {**start, "usage": start_usage}}),
        ("ping", {"type": "ping"}),
    ]
    for index, block in enumerate(message["content"]):
        events.extend(_encode_block_events(index, block, chunk_size))
    delta = {k: message[k] for k in ("stop_reason", "stop_sequence", "stop_details", "container")}
    end: dict[str, Any] = {"type": "message_delta", "delta": delta, "usage": _delta_usage(usage, beta)}
    if beta:
        end = {"type": "message_delta", "context_management": None, **end}
    events.append(("message_delta", end))
    events.append(("message_stop", {"type": "message_stop"}))
    return b"".join(encode_sse(json.dumps(data), event) for event, data in events)


def _encode_block_events(index: int, block: dict[str, Any], size: int) -> list[tuple[str, dict[str, Any]]]:
    kind = block["type"]
    deltas: list[dict[str, Any]] = []
    if kind == "text":
        start: dict[str, Any] = {"type": "text", "text": "", "citations": [] if block["citations"] else None}
        deltas = [{"type": "text_delta", "text": piece} for piece in pieces(block["text"], size)]
        deltas += [{"type": "citations_delta", "citation": c} for c in block["citations"] or ()]
    elif kind == "tool_use" or is_call_block(kind):
        start = {**block, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": ""}]
        deltas += [
            {"type": "input_json_delta", "partial_json": p} for p in pieces(json.dumps(block["input"]), size)
        ]
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = [{"type": "thinking_delta", "thinking": piece} for piece in pieces(block["thinking"], size)]
        if block["signature"]:
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
    elif kind == "compaction":
        start = {**block, "content": None, "encrypted_content": None}
        deltas = [{"type": "compaction_delta", **{k: v for k, v in block.items() if k != "type"}}]
    else:
        start = block
    return [
        ("content_block_start", {"type": "content_block_start", "index": index, "content_block": start}),
        *[
            ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
            for d in deltas
        ],
        ("content_block_stop", {"type": "content_block_stop", "index": index}),
    ]
