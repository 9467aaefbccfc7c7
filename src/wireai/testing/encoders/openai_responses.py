"""What the OpenAI Responses API sends: `response` objects and the `response.*` event stream.

Native tool parts are encoded as the vendor's items: a `NativeToolCallPart` with the
`NativeToolReturnPart` and `FilePart`s of the same id becomes one `web_search_call`,
`code_interpreter_call`, `image_generation_call`, `file_search_call`, `mcp_list_tools`, `mcp_call` or
`mcp_approval_request` (named by the call's `provider_details['item_type']`, or inferred from its
tool name), and a `FilePart` of its own becomes an `image_generation_call` (a generated image).
`TextPart.provider_details['annotations']` are the text's citations. A `CompactionPart` is a
`compaction` item (its `encrypted_content` from `provider_details`), announced and done whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ...codecs.openai_responses import native_tools
from ...messages import (
    CompactionPart,
    FilePart,
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
from ._base import pieces

__all__ = ["encode_response", "encode_stream"]


def _encode_usage(usage: RequestUsage) -> dict[str, Any]:
    details = dict(usage.details or {})
    return {
        "input_tokens": usage.input_tokens,
        "input_tokens_details": {
            "cached_tokens": usage.cache_read_tokens,
            "cache_write_tokens": usage.cache_write_tokens,
        },
        "output_tokens": usage.output_tokens,
        "output_tokens_details": {"reasoning_tokens": details.get("reasoning_tokens", 0)},
        "total_tokens": usage.input_tokens + usage.output_tokens,
    }


def _item_type(call: NativeToolCallPart) -> str:
    """The item a native call is: as parsed (`item_type`), or by its tool name when a test wrote it."""
    given = (call.provider_details or {}).get(native_tools.ITEM_KEY)
    if given:
        return str(given)
    if call.tool_name.startswith("mcp_server:"):
        action = call.args.get("action") if isinstance(call.args, dict) else None
        return "mcp_list_tools" if action == "list_tools" else "mcp_call"
    try:
        return _ITEM_OF_TOOL[call.tool_name]
    except KeyError:
        raise ValueError(f"the OpenAI Responses API has no native tool {call.tool_name!r}") from None


_ITEM_OF_TOOL = {
    "web_search": "web_search_call",
    "code_execution": "code_interpreter_call",
    "image_generation": "image_generation_call",
    "file_search": "file_search_call",
}


def _native_item(call: NativeToolCallPart, parts: list[ModelResponsePart]) -> dict[str, Any]:
    returned = next(
        (p for p in parts if isinstance(p, NativeToolReturnPart) and p.tool_call_id == call.tool_call_id),
        None,
    )
    content = returned.content if returned is not None and isinstance(returned.content, dict) else {}
    files = [p.content for p in parts if isinstance(p, FilePart) and p.id == call.tool_call_id]
    item = native_tools.output_item(_item_type(call), call, content, files)
    if item["type"] == "web_search_call" and "sources" in content and "action" in item:
        item["action"] = {**item["action"], "sources": content["sources"]}
    elif item["type"] == "image_generation_call":
        item.update({k: content[k] for k in native_tools.IMAGE_DETAILS if k in content})
    return item


def _output_items(response: ModelResponse, status: str) -> list[dict[str, Any]]:
    """The output items, a message `incomplete` when the response is (cut at `max_output_tokens`)."""
    items: list[dict[str, Any]] = []
    native_ids = {p.tool_call_id for p in response.parts if isinstance(p, NativeToolCallPart)}
    for n, part in enumerate(response.parts):
        if isinstance(part, TextPart):
            annotations = (part.provider_details or {}).get("annotations", [])
            text = {"type": "output_text", "annotations": annotations, "logprobs": [], "text": part.content}
            items.append(
                {
                    "id": part.id or f"msg_{n}",
                    "type": "message",
                    "status": status,
                    "content": [text],
                    "role": "assistant",
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
        elif isinstance(part, CompactionPart):
            details = part.provider_details or {}
            items.append({"id": part.id or f"cmp_{n}", "type": "compaction", **details})
        elif isinstance(part, NativeToolCallPart):
            items.append(_native_item(part, response.parts))
        elif isinstance(part, FilePart) and part.id not in native_ids:
            image_id = part.id or f"ig_{n}"
            items.append(
                {
                    "id": image_id,
                    "type": "image_generation_call",
                    "status": "completed",
                    "result": part.content.base64,
                }
            )
    return items


def _status(response: ModelResponse) -> tuple[str, dict[str, Any] | None]:
    if response.finish_reason == "length":
        return "incomplete", {"reason": "max_output_tokens"}
    if response.finish_reason == "content_filter":
        return "incomplete", {"reason": "content_filter"}
    return "completed", None


def encode_response(
    response: ModelResponse, *, model: str | None = None, request: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The `response` object OpenAI would send for `response`, the request's settings echoed as the
    API does (`request`: the request body; the API's defaults without one)."""
    status, incomplete = _status(response)
    asked = request or {}
    created = int(response.timestamp.timestamp())
    reasoning = asked.get("reasoning")
    reasoning = reasoning if isinstance(reasoning, dict) else {}
    return {
        "id": response.provider_response_id or "resp_fake",
        "object": "response",
        "created_at": created,
        "status": status,
        "completed_at": created if status == "completed" else None,
        "error": None,
        "incomplete_details": incomplete,
        "instructions": asked.get("instructions"),
        "max_output_tokens": asked.get("max_output_tokens"),
        "model": model or response.model_name or "fake-model",
        "output": _output_items(response, status),
        "parallel_tool_calls": asked.get("parallel_tool_calls", True),
        "previous_response_id": asked.get("previous_response_id"),
        "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
        "temperature": asked.get("temperature", 1.0),
        "text": asked.get("text", {"format": {"type": "text"}}),
        "tool_choice": asked.get("tool_choice", "auto"),
        "tools": asked.get("tools", []),
        "top_p": asked.get("top_p", 1.0),
        "truncation": asked.get("truncation", "disabled"),
        "usage": _encode_usage(response.usage),
        "metadata": asked.get("metadata", {}),
    }


def encode_stream(
    response: ModelResponse,
    *,
    model: str | None = None,
    fragment: int = 8,
    request: Mapping[str, Any] | None = None,
) -> bytes:
    """The event stream OpenAI would send for `response`, arguments and text in `fragment`-char pieces:
    `response.created` and `response.in_progress`, then each output item announced `in_progress`
    with its content parts, deltas and `.done` events, finished by `response.output_item.done`."""
    final = encode_response(response, model=model, request=request)
    head = {**final, "status": "in_progress", "completed_at": None, "output": [], "usage": None}
    head["incomplete_details"] = None
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": head},
        {"type": "response.in_progress", "response": head},
    ]
    for index, item in enumerate(final["output"]):
        ids = {"item_id": item["id"], "output_index": index}
        kind = item["type"]
        if kind == "message":
            started = {**item, "status": "in_progress", "content": []}
            events.append({"type": "response.output_item.added", "output_index": index, "item": started})
            for n, content in enumerate(item["content"]):
                events += _text_events(content, {**ids, "content_index": n}, fragment)
        elif kind == "function_call":
            started = {**item, "status": "in_progress", "arguments": ""}
            events.append({"type": "response.output_item.added", "output_index": index, "item": started})
            events += [
                {"type": "response.function_call_arguments.delta", **ids, "delta": p}
                for p in pieces(item["arguments"], fragment)
            ]
            events.append(
                {"type": "response.function_call_arguments.done", **ids, "name": item["name"],
                 "arguments": item["arguments"]}
            )  # fmt: skip
        elif kind == "reasoning":
            started = {k: v for k, v in item.items() if k != "encrypted_content"}
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": index,
                    "item": {**started, "summary": []},
                }
            )
            for n, summary in enumerate(item["summary"]):
                events += _summary_events(summary, {**ids, "summary_index": n}, fragment)
        elif kind == "compaction":  # nothing of it streams: announced and done whole
            events.append({"type": "response.output_item.added", "output_index": index, "item": item})
        else:
            events += _native_item_events(item, index, fragment)
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    end = "response.completed" if final["status"] == "completed" else "response.incomplete"
    events.append({"type": end, "response": final})
    return b"".join(
        encode_sse(json.dumps({**e, "sequence_number": n}), e["type"]) for n, e in enumerate(events)
    )


def _text_events(content: dict[str, Any], ids: dict[str, Any], fragment: int) -> list[dict[str, Any]]:
    """One `output_text` part of a message: added empty, its deltas and citations, done whole."""
    text = content["text"]
    empty = {**content, "annotations": [], "text": ""}
    events: list[dict[str, Any]] = [{"type": "response.content_part.added", **ids, "part": empty}]
    events += [
        {"type": "response.output_text.delta", **ids, "delta": p, "logprobs": []}
        for p in pieces(text, fragment)
    ]
    events += [
        {
            "type": "response.output_text.annotation.added",
            **ids,
            "annotation_index": n,
            "annotation": annotation,
        }
        for n, annotation in enumerate(content["annotations"])
    ]
    events.append({"type": "response.output_text.done", **ids, "text": text, "logprobs": content["logprobs"]})
    events.append({"type": "response.content_part.done", **ids, "part": content})
    return events


def _summary_events(summary: dict[str, Any], ids: dict[str, Any], fragment: int) -> list[dict[str, Any]]:
    """One summary of a reasoning item: its part added empty, its text deltas, then done whole."""
    text = summary["text"]
    events: list[dict[str, Any]] = [
        {"type": "response.reasoning_summary_part.added", **ids, "part": {**summary, "text": ""}}
    ]
    events += [
        {"type": "response.reasoning_summary_text.delta", **ids, "delta": p} for p in pieces(text, fragment)
    ]
    events.append({"type": "response.reasoning_summary_text.done", **ids, "text": text})
    events.append({"type": "response.reasoning_summary_part.done", **ids, "part": summary})
    return events


# What each native item looks like when `response.output_item.added` announces it.
_STARTED: dict[str, dict[str, Any]] = {
    "web_search_call": {"status": "in_progress"},
    "code_interpreter_call": {"status": "in_progress", "code": "", "outputs": None},
    "image_generation_call": {"status": "in_progress", "result": None},
    "file_search_call": {"status": "in_progress", "queries": [], "results": None},
    "mcp_list_tools": {"tools": []},
    "mcp_call": {"status": "in_progress", "arguments": "", "output": None, "error": None},
    "mcp_approval_request": {},
}
# The progress events of each native item, in the vendor's order (`{delta}`: where its deltas go).
_PROGRESS: dict[str, tuple[str, ...]] = {
    "web_search_call": ("in_progress", "searching", "completed"),
    "code_interpreter_call": ("in_progress", "{delta}", "interpreting", "completed"),
    "image_generation_call": ("in_progress", "generating", "completed"),
    "file_search_call": ("in_progress", "searching", "completed"),
    "mcp_list_tools": ("in_progress", "completed"),
    "mcp_call": ("in_progress", "{delta}", "completed"),
    "mcp_approval_request": (),
}


def _native_item_events(item: dict[str, Any], index: int, fragment: int) -> list[dict[str, Any]]:
    kind = item["type"]
    started = {**item, **_STARTED[kind]}
    if kind == "web_search_call" and "action" in item:
        started["action"] = {"type": item["action"].get("type", "search")}
    events: list[dict[str, Any]] = [
        {"type": "response.output_item.added", "output_index": index, "item": started}
    ]
    ids = {"output_index": index, "item_id": item["id"]}
    for step in _PROGRESS[kind]:
        if step == "{delta}":
            events += _argument_events(item, ids, fragment)
        elif step == "completed" and item.get("error") is not None:
            events.append({"type": f"response.{kind}.failed", **ids})
        else:
            events.append({"type": f"response.{kind}.{step}", **ids})
    return events


def _argument_events(item: dict[str, Any], ids: dict[str, Any], fragment: int) -> Iterator[dict[str, Any]]:
    if item["type"] == "code_interpreter_call":
        code = item.get("code") or ""
        for p in pieces(code, fragment):
            yield {"type": "response.code_interpreter_call_code.delta", **ids, "delta": p}
        yield {"type": "response.code_interpreter_call_code.done", **ids, "code": code}
    else:
        for p in pieces(item["arguments"], fragment):
            yield {"type": "response.mcp_call_arguments.delta", **ids, "delta": p}
        yield {"type": "response.mcp_call_arguments.done", **ids, "arguments": item["arguments"]}
