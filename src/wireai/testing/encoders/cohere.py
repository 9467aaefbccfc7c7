"""What Cohere sends: `/v2/chat` bodies and the typed SSE event stream (`message-start` ... `message-end`)."""

from __future__ import annotations

import json
from typing import Any

from ...codecs.cohere import FINISH_REASONS, TOOL_PLAN_ID, _map_response
from ...messages import ModelResponse, TextPart, ThinkingPart, ToolCallPart
from ...usage import RequestUsage
from ...wire.sse import encode_sse
from ._base import pieces, wire_finish

__all__ = ["encode_response", "encode_stream"]


def _finish(response: ModelResponse) -> str:
    return wire_finish(FINISH_REASONS, response, "COMPLETE")


def _wire_usage(usage: RequestUsage) -> dict[str, Any]:
    tokens = {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens}
    out: dict[str, Any] = {"billed_units": dict(tokens), "tokens": tokens}
    if usage.cache_read_tokens:
        out["cached_tokens"] = usage.cache_read_tokens
    return out


def encode_response(response: ModelResponse) -> dict[str, Any]:
    """The `/v2/chat` body Cohere would send for `response`."""
    message = _map_response(response) or {"role": "assistant", "content": []}
    return {
        "id": response.provider_response_id or "wireai-cohere-response",
        "message": message,
        "finish_reason": _finish(response),
        "usage": _wire_usage(response.usage),
    }


def encode_stream(response: ModelResponse, *, chunk_size: int = 8) -> bytes:
    """The SSE stream Cohere would send for `response`: text and arguments split every `chunk_size` chars."""
    frames: list[dict[str, Any]] = [
        {
            "type": "message-start",
            "id": response.provider_response_id or "wireai-cohere-response",
            "delta": {
                "message": {
                    "role": "assistant",
                    "content": [],
                    "tool_plan": "",
                    "tool_calls": [],
                    "citations": [],
                }
            },
        }
    ]
    content_index = 0
    tool_index = 0
    for part in response.parts:
        if isinstance(part, ThinkingPart) and part.id == TOOL_PLAN_ID:
            frames.extend(
                {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": p}}}
                for p in (pieces(part.content, chunk_size) or [""])
            )
        elif isinstance(part, (TextPart, ThinkingPart)):
            key = "text" if isinstance(part, TextPart) else "thinking"
            frames.append(
                {
                    "type": "content-start",
                    "index": content_index,
                    "delta": {"message": {"content": {"type": key, key: ""}}},
                }
            )
            frames.extend(
                {"type": "content-delta", "index": content_index, "delta": {"message": {"content": {key: p}}}}
                for p in (pieces(part.content, chunk_size) or [""])
            )
            frames.append({"type": "content-end", "index": content_index})
            content_index += 1
        elif isinstance(part, ToolCallPart):
            call = {
                "id": part.tool_call_id,
                "type": "function",
                "function": {"name": part.tool_name, "arguments": ""},
            }
            frames.append(
                {"type": "tool-call-start", "index": tool_index, "delta": {"message": {"tool_calls": call}}}
            )
            frames.extend(
                {
                    "type": "tool-call-delta",
                    "index": tool_index,
                    "delta": {"message": {"tool_calls": {"function": {"arguments": p}}}},
                }
                for p in (pieces(part.args_as_json_str(), chunk_size) or [""])
            )
            frames.append({"type": "tool-call-end", "index": tool_index})
            tool_index += 1
    finish = _finish(response)
    frames.append(
        {"type": "message-end", "delta": {"finish_reason": finish, "usage": _wire_usage(response.usage)}}
    )
    out = [encode_sse(json.dumps(f, ensure_ascii=False), f["type"]) for f in frames]
    out.append(encode_sse("[DONE]"))
    return b"".join(out)
