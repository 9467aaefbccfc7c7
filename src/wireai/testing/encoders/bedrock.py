"""What Bedrock sends: Converse answers and ConverseStream's event-stream messages."""

from __future__ import annotations

import json
from typing import Any

from ...codecs._base import tool_input
from ...codecs.bedrock import FINISH_REASONS, tool_use_block
from ...codecs.bedrock.native_tools import (
    SERVER_TOOL_USE,
    native_call_block,
    native_return_block,
    wire_tool_name,
)
from ...messages import (
    FilePart,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from ...usage import RequestUsage
from ...wire.eventstream import encode_message
from ._base import fresh_input_tokens, pieces, wire_finish

__all__ = ["encode_response", "encode_stream", "encode_stream_messages", "encode_usage"]

Message = tuple[dict[str, Any], dict[str, Any]]  # (headers, payload) of one event-stream message


def _content_blocks(response: ModelResponse) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for part in response.parts:
        if isinstance(part, ThinkingPart):
            redacted = (part.provider_details or {}).get("redactedContent")
            if isinstance(redacted, str):
                blocks.append({"reasoningContent": {"redactedContent": redacted}})
            else:
                text: dict[str, Any] = {"text": part.content}
                if part.signature:
                    text["signature"] = part.signature
                blocks.append({"reasoningContent": {"reasoningText": text}})
        elif isinstance(part, TextPart):
            citations = (part.provider_details or {}).get("citations")
            if citations is None:
                blocks.append({"text": part.content})
            else:
                blocks.append(
                    {"citationsContent": {"content": [{"text": part.content}], "citations": citations}}
                )
        elif isinstance(part, ToolCallPart):
            blocks.append(tool_use_block(part))
        elif isinstance(part, NativeToolCallPart):
            blocks.append(native_call_block(part, tool_input(part)))
        elif isinstance(part, NativeToolReturnPart):
            blocks.append(native_return_block(part))
        elif isinstance(part, FilePart):
            blocks.append(_image_block(part))
    return blocks


def _image_block(part: FilePart) -> dict[str, Any]:
    image: dict[str, Any] = {"format": part.content.format, "source": {"bytes": part.content.base64}}
    error = (part.provider_details or {}).get("error")
    if error is not None:
        image = {"format": part.content.format, "error": error}
    return {"image": image}


def encode_usage(usage: RequestUsage) -> dict[str, int]:
    """`usage` as Bedrock counts it: `inputTokens` without the cache reads and writes."""
    out = {
        "inputTokens": fresh_input_tokens(usage),
        "outputTokens": usage.output_tokens,
        "totalTokens": usage.input_tokens + usage.output_tokens,
    }
    if usage.cache_read_tokens:
        out["cacheReadInputTokens"] = usage.cache_read_tokens
    if usage.cache_write_tokens:
        out["cacheWriteInputTokens"] = usage.cache_write_tokens
    return out


def _stop_reason(response: ModelResponse) -> str:
    raw = (response.provider_details or {}).get("stopReason")
    if isinstance(raw, str):
        return raw
    return wire_finish(FINISH_REASONS, response, "end_turn")


def encode_response(response: ModelResponse, *, latency_ms: int = 100) -> dict[str, Any]:
    """The Converse JSON body Bedrock would send for `response`."""
    return {
        "output": {"message": {"role": "assistant", "content": _content_blocks(response)}},
        "stopReason": _stop_reason(response),
        "usage": encode_usage(response.usage),
        "metrics": {"latencyMs": latency_ms},
    }


# Bedrock pads every ConverseStream event with a `p` member of varying length, so that sizes on the
# wire do not give the content away; clients ignore it (botocore drops unknown members).
_PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _event(event_type: str, payload: dict[str, Any]) -> Message:
    headers = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    padding = _PADDING[: 1 + len(json.dumps(payload)) % len(_PADDING)]
    return headers, {**payload, "p": padding}


def _block_events(index: int, part: Any, chunk_size: int) -> list[Message]:
    def split(text: str) -> list[str]:
        return pieces(text, chunk_size) or [""]  # one empty delta still opens an empty part

    def delta(body: dict[str, Any]) -> Message:
        return _event("contentBlockDelta", {"contentBlockIndex": index, "delta": body})

    def start(body: dict[str, Any]) -> Message:
        return _event("contentBlockStart", {"contentBlockIndex": index, "start": body})

    if isinstance(part, (ToolCallPart, NativeToolCallPart)):
        tool: dict[str, Any] = {"toolUseId": part.tool_call_id, "name": part.tool_name}
        if isinstance(part, NativeToolCallPart):
            tool.update(name=wire_tool_name(part), type=SERVER_TOOL_USE)
        out = [start({"toolUse": tool})]
        out += [delta({"toolUse": {"input": piece}}) for piece in split(part.args_as_json_str())]
    elif isinstance(part, NativeToolReturnPart):
        result = native_return_block(part)["toolResult"]
        head = {key: result[key] for key in ("toolUseId", "type", "status") if key in result}
        out = [start({"toolResult": head})]
        for block in result["content"]:
            if isinstance(block.get("text"), str):
                out += [delta({"toolResult": [{"text": piece}]}) for piece in split(block["text"])]
            else:
                out.append(delta({"toolResult": [block]}))
    elif isinstance(part, FilePart):
        image = _image_block(part)["image"]
        out = [start({"image": {"format": image["format"]}})]
        if "error" in image:
            out.append(delta({"image": {"error": image["error"]}}))
        else:
            # each delta's bytes are a blob of their own: base64 cut only between 4-character groups
            data = image["source"]["bytes"]
            out += [
                delta({"image": {"source": {"bytes": piece}}})
                for piece in pieces(data, max(4, chunk_size - chunk_size % 4)) or [""]
            ]
    elif isinstance(part, ThinkingPart):
        redacted = (part.provider_details or {}).get("redactedContent")
        reasoning: list[dict[str, Any]] = []
        if isinstance(redacted, str):
            reasoning.append({"redactedContent": redacted})
        else:
            reasoning.extend({"text": piece} for piece in pieces(part.content, chunk_size))
            if part.signature:
                reasoning.append({"signature": part.signature})
        out = [delta({"reasoningContent": r}) for r in reasoning]
    else:
        out = [delta({"text": piece}) for piece in split(part.content)]
        out += [delta({"citation": c}) for c in (part.provider_details or {}).get("citations") or ()]
    return [*out, _event("contentBlockStop", {"contentBlockIndex": index})]


def encode_stream_messages(
    response: ModelResponse, *, chunk_size: int = 16, latency_ms: int = 100
) -> list[Message]:
    """The ConverseStream messages (headers, payload) for `response`; text and tool input split every `chunk_size` chars."""
    out = [_event("messageStart", {"role": "assistant"})]
    for index, part in enumerate(response.parts):
        out.extend(_block_events(index, part, chunk_size))
    out.append(_event("messageStop", {"stopReason": _stop_reason(response)}))
    out.append(
        _event("metadata", {"usage": encode_usage(response.usage), "metrics": {"latencyMs": latency_ms}})
    )
    return out


def encode_stream(response: ModelResponse, *, chunk_size: int = 16, latency_ms: int = 100) -> bytes:
    """The ConverseStream body (event-stream frames) Bedrock would send for `response`."""
    return b"".join(
        encode_message(headers, payload)
        for headers, payload in encode_stream_messages(response, chunk_size=chunk_size, latency_ms=latency_ms)
    )
