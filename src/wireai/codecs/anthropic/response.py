"""The response direction: a Messages API `message` object -> `ModelResponse`, and the tables it uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...exceptions import ModelHTTPError, UnexpectedModelBehavior, snippet
from ...messages import (
    CompactionPart,
    FinishReason,
    ModelResponse,
    ModelResponsePart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from ...profiles import ModelProfile
from ...usage import RequestUsage
from .._base import json_object, obj, text, token_count
from .common import PROVIDER_NAME, REDACTED
from .native_tools import call_part, is_call_block, is_result_block, return_part

__all__ = [
    "ERROR_STATUS",
    "FINISH_REASONS",
    "USAGE_COUNTS",
    "block_part",
    "compaction_part",
    "message_details",
    "parse_response",
    "read_usage",
]

# stop_reason -> our finish reason. `pause_turn` means "send the conversation back to continue";
# `compaction`: the turn stopped after its compaction block (`pause_after_compaction`).
FINISH_REASONS: dict[str, FinishReason | None] = {
    "end_turn": "stop",
    "compaction": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_call",
    "refusal": "content_filter",
    "pause_turn": None,
}

# error.type of an error body -> the HTTP status Anthropic uses for it (for errors inside a stream).
ERROR_STATUS: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}

USAGE_COUNTS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    profile: ModelProfile | None = None,
) -> ModelResponse:
    """A `message` object -> `ModelResponse`; an `error` object (in a 200 body) -> `ModelHTTPError`.

    A refusal (`stop_reason: refusal`) is a response like any other: `finish_reason='content_filter'`,
    whatever text came before it, and `stop_details` (category, explanation) in `provider_details`.
    """
    message = json_object(body, "Anthropic")
    if message.get("type") == "error":
        raise error(message, model_name or "")
    content = message.get("content")
    if not isinstance(content, list):
        raise UnexpectedModelBehavior("Anthropic: message without a `content` list", snippet(message))
    kinds: dict[str, str] = {}
    parts = [p for p in (block_part(b, message, kinds) for b in content) if p is not None]
    stop_reason = message.get("stop_reason")
    return ModelResponse(
        parts=parts,
        usage=read_usage(obj(message.get("usage"))),
        model_name=text(message.get("model")) or model_name,
        provider_name=PROVIDER_NAME,
        provider_response_id=text(message.get("id")),
        finish_reason=FINISH_REASONS.get(stop_reason) if isinstance(stop_reason, str) else None,
        provider_details=message_details(message),
    )


class _MissingField(Exception):
    pass


def _required(block: dict[str, Any], key: str) -> str:
    value = block.get(key)
    if not isinstance(value, str):
        raise _MissingField(key)
    return value


def block_part(block: Any, message: Any, kinds: dict[str, str]) -> ModelResponsePart | None:
    """One complete content block as a part (None for block types this codec does not read); `kinds`
    maps the server tool calls seen so far to their kind, so an MCP result is named after its call.
    `message` is shown in the error when the block is malformed."""
    if not isinstance(block, dict):
        raise UnexpectedModelBehavior("Anthropic: content block is not an object", snippet(message))
    kind = block.get("type")
    try:
        if kind == "text":
            citations = block.get("citations")
            return TextPart(
                _required(block, "text"), provider_details={"citations": citations} if citations else None
            )
        if kind == "tool_use":
            args = block.get("input")
            return ToolCallPart(
                _required(block, "name"),
                args if isinstance(args, dict) else {},
                tool_call_id=_required(block, "id"),
                provider_details=caller_details(block.get("caller")),
            )
        if kind == "thinking":
            return ThinkingPart(
                _required(block, "thinking"),
                signature=text(block.get("signature")),
                provider_name=PROVIDER_NAME,
            )
        if kind == "redacted_thinking":
            return ThinkingPart(
                "", provider_name=PROVIDER_NAME, provider_details={REDACTED: _required(block, "data")}
            )
        if is_call_block(kind):
            _required(block, "id")
            call = call_part(block)
            kinds[call.tool_call_id] = call.tool_name
            return call
        if is_result_block(kind):
            _required(block, "tool_use_id")
            return return_part(block, kinds.get)
        if kind == "compaction":
            return compaction_part(block)
    except _MissingField as exc:
        raise UnexpectedModelBehavior(
            f"Anthropic: {kind} block without a string `{exc}`", snippet(message)
        ) from None
    return None  # block types newer than this codec are not ours to interpret


def compaction_part(block: Mapping[str, Any]) -> CompactionPart:
    """A `compaction` block: its summary (`content`, null when compaction failed) as the part's
    content, and every other field it carries (`encrypted_content`, opaque) in `provider_details`, so
    the block goes back exactly as it came: the API drops everything before it."""
    details = {k: v for k, v in block.items() if k not in ("type", "content") and v is not None}
    content = block.get("content")
    return CompactionPart(
        content if isinstance(content, str) else None,
        provider_name=PROVIDER_NAME,
        provider_details=details or None,
    )


def caller_details(caller: Any) -> dict[str, Any] | None:
    """`provider_details` of a `tool_use` the code execution sandbox made: its `caller`, which must go
    back with it (a direct call's `{type: direct}` is the default and needs no keeping)."""
    if isinstance(caller, dict) and caller.get("type") not in (None, "direct"):
        return {"caller": caller}
    return None


def read_usage(raw: Mapping[str, Any]) -> RequestUsage:
    """Anthropic counts fresh, cache-written and cache-read input separately; our input is their sum.

    Where `iterations` lists the steps of the request (server-side compaction, advisor calls, the
    message itself), every step is billed, and the top-level counts cover only the message: the
    figures are then the sums over `iterations`, and `details` names what the other steps took
    (`compaction_input_tokens`, ...)."""
    extra: dict[str, int] = {}
    for group in ("cache_creation", "server_tool_use"):
        values = raw.get(group)
        if isinstance(values, dict):
            for key, value in values.items():
                if isinstance(value, int) and not isinstance(value, bool) and value:
                    extra[key] = value
    iterations = raw.get("iterations")
    if isinstance(iterations, list) and iterations:
        counts = dict.fromkeys(USAGE_COUNTS, 0)
        for step in map(obj, iterations):
            kind = text(step.get("type")) or "message"
            for key in USAGE_COUNTS:
                value = token_count(step.get(key))
                counts[key] += value
                if kind != "message" and value:
                    extra[f"{kind}_{key}"] = extra.get(f"{kind}_{key}", 0) + value
    else:
        counts = {key: token_count(raw.get(key)) for key in USAGE_COUNTS}
    written, read = counts["cache_creation_input_tokens"], counts["cache_read_input_tokens"]
    return RequestUsage(
        input_tokens=counts["input_tokens"] + written + read,
        output_tokens=counts["output_tokens"],
        cache_read_tokens=read,
        cache_write_tokens=written,
        details=extra or None,
    )


def message_details(*sources: Mapping[str, Any]) -> dict[str, Any] | None:
    """`provider_details` from a `message` (or a stream's `message_delta.delta`): the raw `stop_reason`,
    `stop_sequence` and `stop_details` (a refusal's category and explanation), and the code execution
    `container_id` / `container_expires_at`; later sources win."""
    out: dict[str, Any] = {}
    for source in sources:
        for key in ("stop_reason", "stop_sequence"):
            if isinstance(source.get(key), str):
                out[key] = source[key]
        if isinstance(source.get("stop_details"), dict):
            out["stop_details"] = source["stop_details"]
        container = obj(source.get("container"))
        if isinstance(container.get("id"), str):
            out["container_id"] = container["id"]
            if isinstance(container.get("expires_at"), str):
                out["container_expires_at"] = container["expires_at"]
    return out or None


def error(body: dict[str, Any], model_name: str) -> ModelHTTPError:
    """An `error` object (a 200 body or a stream `error` event) as the `ModelHTTPError` of its status."""
    status = ERROR_STATUS.get(text(obj(body.get("error")).get("type")) or "", 500)
    return ModelHTTPError(status, model_name, body)
