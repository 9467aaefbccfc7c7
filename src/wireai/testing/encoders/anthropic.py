"""What Anthropic sends: `message` objects and the Messages SSE stream (`message_start` ... `message_stop`).

Native tool parts are sent as the server tool blocks they came from (`server_tool_use` /
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
    response: ModelResponse, *, model_name: str | None = None, id: str = "msg_fake"
) -> dict[str, Any]:
    """The `message` JSON Anthropic would send for `response`."""
    details = response.provider_details or {}
    message: dict[str, Any] = {
        "id": response.provider_response_id or id,
        "type": "message",
        "role": "assistant",
        "model": response.model_name or model_name or "claude-fake",
        "content": [_encode_block(p) for p in response.parts],
        "stop_reason": _stop_reason(response),
        "stop_sequence": details.get("stop_sequence"),
        "usage": encode_usage(response.usage),
    }
    if isinstance(details.get("stop_details"), dict):
        message["stop_details"] = details["stop_details"]
    if isinstance(details.get("container_id"), str):
        message["container"] = {
            "id": details["container_id"],
            "expires_at": details.get("container_expires_at", "2026-12-01T12:00:00Z"),
        }
    return message


def _encode_block(part: ModelResponsePart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        block: dict[str, Any] = {"type": "text", "text": part.content}
        citations = (part.provider_details or {}).get("citations")
        if citations:
            block["citations"] = citations
        return block
    if isinstance(part, ToolCallPart):
        block = {
            "type": "tool_use",
            "id": part.tool_call_id,
            "name": part.tool_name,
            "input": tool_input(part),
        }
        caller = (part.provider_details or {}).get("caller")
        if caller:
            block["caller"] = caller
        return block
    if isinstance(part, (NativeToolCallPart, NativeToolReturnPart)):
        native = call_block(part) if isinstance(part, NativeToolCallPart) else return_block(part)
        if native is None:
            raise NotImplementedError(
                f"the Anthropic fake cannot send a {part.tool_name!r} native tool part without its "
                "Anthropic block fields in provider_details"
            )
        return native
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


def encode_usage(usage: RequestUsage) -> dict[str, Any]:
    """`usage` as Anthropic counts it: fresh input apart from cache writes and reads."""
    details = usage.details or {}
    out: dict[str, Any] = {
        "input_tokens": fresh_input_tokens(usage),
        "cache_creation_input_tokens": usage.cache_write_tokens,
        "cache_read_input_tokens": usage.cache_read_tokens,
        "output_tokens": usage.output_tokens,
    }
    creation = {k: v for k, v in details.items() if k.startswith("ephemeral_")}
    if creation:
        out["cache_creation"] = creation
    server = {k: v for k, v in details.items() if not k.startswith("ephemeral_")}
    if server:
        out["server_tool_use"] = server
    return out


def encode_stream(
    response: ModelResponse, *, model_name: str | None = None, id: str = "msg_fake", chunk_size: int = 16
) -> bytes:
    """The SSE stream Anthropic would send for `response`: text and tool input cut into `chunk_size` pieces."""
    message = encode_response(response, model_name=model_name, id=id)
    usage = message["usage"]
    start_usage = {**usage, "output_tokens": min(1, usage["output_tokens"])}
    start = {k: v for k, v in message.items() if k not in ("stop_details", "container")}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": {**start, "content": [], "stop_reason": None,
                                                                 "stop_sequence": None, "usage": start_usage}}),
        ("ping", {"type": "ping"}),
    ]  # fmt: skip
    for index, block in enumerate(message["content"]):
        events.extend(_encode_block_events(index, block, chunk_size))
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": message["stop_sequence"]}
    delta.update({k: message[k] for k in ("stop_details", "container") if k in message})
    events.append(
        (
            "message_delta",
            {"type": "message_delta", "delta": delta, "usage": {"output_tokens": usage["output_tokens"]}},
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return b"".join(encode_sse(json.dumps(data), event) for event, data in events)


def _encode_block_events(index: int, block: dict[str, Any], size: int) -> list[tuple[str, dict[str, Any]]]:
    kind = block["type"]
    deltas: list[dict[str, Any]] = []
    if kind == "text":
        start: dict[str, Any] = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": piece} for piece in pieces(block["text"], size)]
        deltas += [{"type": "citations_delta", "citation": c} for c in block.get("citations", ())]
    elif kind == "tool_use" or is_call_block(kind):
        start = {**block, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": ""}]
        deltas += [
            {"type": "input_json_delta", "partial_json": p} for p in pieces(json.dumps(block["input"]), size)
        ]
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": ""}
        deltas = [{"type": "thinking_delta", "thinking": piece} for piece in pieces(block["thinking"], size)]
        if block["signature"]:
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
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
