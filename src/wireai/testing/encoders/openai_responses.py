"""What the OpenAI Responses API sends: `response` objects and the `response.*` event stream."""

from __future__ import annotations

import json
from typing import Any

from ...messages import ModelResponse, TextPart, ThinkingPart, ToolCallPart
from ...usage import RequestUsage
from ...wire.sse import encode_sse
from ._base import pieces

__all__ = ["encode_response", "encode_stream"]


def _encode_usage(usage: RequestUsage) -> dict[str, Any]:
    details = dict(usage.details or {})
    return {
        "input_tokens": usage.input_tokens,
        "input_tokens_details": {"cached_tokens": usage.cache_read_tokens},
        "output_tokens": usage.output_tokens,
        "output_tokens_details": {"reasoning_tokens": details.get("reasoning_tokens", 0)},
        "total_tokens": usage.input_tokens + usage.output_tokens,
    }


def _output_items(response: ModelResponse) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for n, part in enumerate(response.parts):
        if isinstance(part, TextPart):
            items.append(
                {
                    "id": part.id or f"msg_{n}",
                    "type": "message",
                    "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": part.content, "annotations": []}],
                }
            )
        elif isinstance(part, ToolCallPart):
            items.append(
                {
                    "id": part.id or f"fc_{n}",
                    "type": "function_call",
                    "status": "completed",
                    "call_id": part.tool_call_id,
                    "name": part.tool_name,
                    "arguments": part.args_as_json_str(),
                }
            )
        elif isinstance(part, ThinkingPart):
            item: dict[str, Any] = {
                "id": part.id or f"rs_{n}",
                "type": "reasoning",
                "summary": [{"type": "summary_text", "text": part.content}] if part.content else [],
            }
            if part.signature:
                item["encrypted_content"] = part.signature
            items.append(item)
    return items


def _status(response: ModelResponse) -> tuple[str, dict[str, Any] | None]:
    if response.finish_reason == "length":
        return "incomplete", {"reason": "max_output_tokens"}
    if response.finish_reason == "content_filter":
        return "incomplete", {"reason": "content_filter"}
    return "completed", None


def encode_response(response: ModelResponse, *, model: str | None = None) -> dict[str, Any]:
    status, incomplete = _status(response)
    return {
        "id": response.provider_response_id or "resp_fake",
        "object": "response",
        "created_at": int(response.timestamp.timestamp()),
        "status": status,
        "error": None,
        "incomplete_details": incomplete,
        "model": model or response.model_name or "fake-model",
        "output": _output_items(response),
        "usage": _encode_usage(response.usage),
    }


def encode_stream(response: ModelResponse, *, model: str | None = None, fragment: int = 8) -> bytes:
    """The event stream OpenAI would send for `response`, arguments and text in `fragment`-char pieces."""
    final = encode_response(response, model=model)
    head = {k: v for k, v in final.items() if k not in ("output", "usage")}
    head.update(status="in_progress", output=[], usage=None, incomplete_details=None)
    events: list[dict[str, Any]] = [{"type": "response.created", "response": head}]
    for index, item in enumerate(final["output"]):
        kind = item["type"]
        if kind == "message":
            text = item["content"][0]["text"]
            events.append(
                {"type": "response.output_item.added", "output_index": index, "item": {**item, "content": []}}
            )
            events += [
                {
                    "type": "response.output_text.delta",
                    "item_id": item["id"],
                    "output_index": index,
                    "content_index": 0,
                    "delta": p,
                }
                for p in pieces(text, fragment)
            ]
            events.append(
                {
                    "type": "response.output_text.done",
                    "item_id": item["id"],
                    "output_index": index,
                    "text": text,
                }
            )
        elif kind == "function_call":
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": index,
                    "item": {**item, "arguments": ""},
                }
            )
            events += [
                {
                    "type": "response.function_call_arguments.delta",
                    "item_id": item["id"],
                    "output_index": index,
                    "delta": p,
                }
                for p in pieces(item["arguments"], fragment)
            ]
            events.append(
                {
                    "type": "response.function_call_arguments.done",
                    "item_id": item["id"],
                    "output_index": index,
                    "arguments": item["arguments"],
                }
            )
        else:
            events.append(
                {"type": "response.output_item.added", "output_index": index, "item": {**item, "summary": []}}
            )
            for s, summary in enumerate(item["summary"]):
                events += [
                    {
                        "type": "response.reasoning_summary_text.delta",
                        "item_id": item["id"],
                        "output_index": index,
                        "summary_index": s,
                        "delta": p,
                    }
                    for p in pieces(summary["text"], fragment)
                ]
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    end = "response.completed" if final["status"] == "completed" else "response.incomplete"
    events.append({"type": end, "response": final})
    return b"".join(
        encode_sse(json.dumps({**e, "sequence_number": n}), e["type"]) for n, e in enumerate(events)
    )
