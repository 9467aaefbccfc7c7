"""What Mistral sends: chat completion bodies and chunk streams (each tool call whole in one chunk)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from ...codecs.mistral import FINISH_REASONS, _map_response
from ...messages import ModelResponse, TextPart, ThinkingPart, ToolCallPart
from ...usage import RequestUsage
from ...wire.sse import encode_sse
from ._base import pieces, wire_finish
from .openai_chat import encode_usage

__all__ = ["encode_response", "encode_stream"]

_MISTRAL_FINISH = {k: v for k, v in FINISH_REASONS.items() if k in ("stop", "length", "tool_calls", "error")}


def _finish(response: ModelResponse) -> str:
    return wire_finish(_MISTRAL_FINISH, response, "stop")


def _wire_message(response: ModelResponse) -> dict[str, Any]:
    message = _map_response(response) or {"role": "assistant", "content": ""}
    for call in message.get("tool_calls", []):
        call.pop("type", None)
    # Ids as Mistral itself would send them, not remapped: encoders speak for the vendor.
    calls = [p for p in response.parts if isinstance(p, ToolCallPart)]
    for wire_call, part in zip(message.get("tool_calls", []), calls):
        wire_call["id"] = part.tool_call_id
    message.setdefault("content", "")
    return message


def _usage(usage: RequestUsage) -> dict[str, Any]:
    """Mistral's `UsageInfo`: the three counts, and the cache reads its prompt caching guide puts in
    `prompt_tokens_details.cached_tokens`; nothing else (the description closes the object)."""
    return encode_usage(replace(usage, details=None), cache_writes=False, host_fields=False)


def encode_response(response: ModelResponse, *, model_name: str | None = None) -> dict[str, Any]:
    """The chat completion body Mistral would send for `response`."""
    return {
        "id": response.provider_response_id or "cmpl-wireai",
        "object": "chat.completion",
        "created": int(response.timestamp.timestamp()),
        "model": model_name or response.model_name or "mistral-small-latest",
        "choices": [{"index": 0, "message": _wire_message(response), "finish_reason": _finish(response)}],
        "usage": _usage(response.usage),
    }


def encode_stream(response: ModelResponse, *, model_name: str | None = None, chunk_size: int = 8) -> bytes:
    """The SSE stream Mistral would send: text split every `chunk_size` chars; each tool call whole
    (name, id and complete arguments) in one chunk, as Mistral's API sends and describes them."""
    head = {
        "id": response.provider_response_id or "cmpl-wireai",
        "object": "chat.completion.chunk",
        "created": int(response.timestamp.timestamp()),
        "model": model_name or response.model_name or "mistral-small-latest",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None, usage: dict[str, Any] | None = None) -> bytes:
        body: dict[str, Any] = {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        if usage is not None:
            body["usage"] = usage
        return encode_sse(json.dumps(body, ensure_ascii=False))

    out = [chunk({"role": "assistant", "content": ""})]
    tool_index = 0
    for part in response.parts:
        if isinstance(part, TextPart):
            out.extend(chunk({"content": piece}) for piece in (pieces(part.content, chunk_size) or [""]))
        elif isinstance(part, ThinkingPart):
            for piece in pieces(part.content, chunk_size) or [""]:
                think: dict[str, Any] = {"type": "thinking", "thinking": [{"type": "text", "text": piece}]}
                out.append(chunk({"content": [think]}))
        elif isinstance(part, ToolCallPart):
            call = {
                "id": part.tool_call_id,
                "function": {"name": part.tool_name, "arguments": part.args_as_json_str()},
                "index": tool_index,
            }
            out.append(chunk({"tool_calls": [call]}))
            tool_index += 1
    out.append(chunk({"content": ""}, _finish(response), _usage(response.usage)))
    out.append(encode_sse("[DONE]"))
    return b"".join(out)
