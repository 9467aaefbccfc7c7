"""What Bedrock sends: Converse answers and ConverseStream's event-stream messages."""

from __future__ import annotations

from typing import Any

from ...codecs.bedrock import FINISH_REASONS, tool_use_block
from ...messages import ModelResponse, TextPart, ThinkingPart, ToolCallPart
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
            blocks.append({"text": part.content})
        elif isinstance(part, ToolCallPart):
            blocks.append(tool_use_block(part))
    return blocks


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


def _event(event_type: str, payload: dict[str, Any]) -> Message:
    headers = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    return headers, payload


def _block_events(index: int, part: Any, chunk_size: int) -> list[Message]:
    def split(text: str) -> list[str]:
        return pieces(text, chunk_size) or [""]  # one empty delta still opens an empty part

    def delta(body: dict[str, Any]) -> Message:
        return _event("contentBlockDelta", {"contentBlockIndex": index, "delta": body})

    if isinstance(part, ToolCallPart):
        start = {"toolUse": {"toolUseId": part.tool_call_id, "name": part.tool_name}}
        out = [_event("contentBlockStart", {"contentBlockIndex": index, "start": start})]
        out += [delta({"toolUse": {"input": piece}}) for piece in split(part.args_as_json_str())]
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
