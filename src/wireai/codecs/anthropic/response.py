"""The response direction: a Messages API `message` object -> `ModelResponse`, and the tables it uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...exceptions import ModelHTTPError, UnexpectedModelBehavior, snippet
from ...messages import FinishReason, ModelResponse, ModelResponsePart, TextPart, ThinkingPart, ToolCallPart
from ...profiles import ModelProfile
from ...usage import RequestUsage
from .._base import json_object, obj, text, token_count
from .request import PROVIDER_NAME, REDACTED

__all__ = ["ERROR_STATUS", "FINISH_REASONS", "USAGE_COUNTS", "parse_response", "read_usage"]

# stop_reason -> our finish reason. `pause_turn` means "send the conversation back to continue".
FINISH_REASONS: dict[str, FinishReason | None] = {
    "end_turn": "stop",
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
    """A `message` object -> `ModelResponse`; an `error` object (in a 200 body) -> `ModelHTTPError`."""
    message = json_object(body, "Anthropic")
    if message.get("type") == "error":
        raise error(message, model_name or "")
    content = message.get("content")
    if not isinstance(content, list):
        raise UnexpectedModelBehavior("Anthropic: message without a `content` list", snippet(message))
    parts: list[ModelResponsePart] = []
    for block in content:
        part = _part(block, message)
        if part is not None:
            parts.append(part)
    stop_reason = message.get("stop_reason")
    return ModelResponse(
        parts=parts,
        usage=read_usage(obj(message.get("usage"))),
        model_name=text(message.get("model")) or model_name,
        provider_name=PROVIDER_NAME,
        provider_response_id=text(message.get("id")),
        finish_reason=FINISH_REASONS.get(stop_reason) if isinstance(stop_reason, str) else None,
        provider_details=details(stop_reason, message.get("stop_sequence")),
    )


class _MissingField(Exception):
    pass


def _required(block: dict[str, Any], key: str) -> str:
    value = block.get(key)
    if not isinstance(value, str):
        raise _MissingField(key)
    return value


def _part(block: Any, message: dict[str, Any]) -> ModelResponsePart | None:
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
    except _MissingField as exc:
        raise UnexpectedModelBehavior(
            f"Anthropic: {kind} block without a string `{exc}`", snippet(message)
        ) from None
    return None  # server tool blocks and future types are not ours to interpret


def read_usage(raw: Mapping[str, Any]) -> RequestUsage:
    """Anthropic counts fresh, cache-written and cache-read input separately; our input is their sum."""
    counts = {key: token_count(raw.get(key)) for key in USAGE_COUNTS}
    extra: dict[str, int] = {}
    for group in ("cache_creation", "server_tool_use"):
        for key, value in obj(raw.get(group)).items():
            if isinstance(value, int) and not isinstance(value, bool) and value:
                extra[key] = value
    return RequestUsage(
        input_tokens=counts["input_tokens"]
        + counts["cache_creation_input_tokens"]
        + counts["cache_read_input_tokens"],
        output_tokens=counts["output_tokens"],
        cache_read_tokens=counts["cache_read_input_tokens"],
        cache_write_tokens=counts["cache_creation_input_tokens"],
        details=extra or None,
    )


def details(stop_reason: Any, stop_sequence: Any) -> dict[str, Any] | None:
    """`provider_details`: the raw `stop_reason` and `stop_sequence`, where they are strings."""
    out: dict[str, Any] = {}
    if isinstance(stop_reason, str):
        out["stop_reason"] = stop_reason
    if isinstance(stop_sequence, str):
        out["stop_sequence"] = stop_sequence
    return out or None


def error(body: dict[str, Any], model_name: str) -> ModelHTTPError:
    """An `error` object (a 200 body or a stream `error` event) as the `ModelHTTPError` of its status."""
    status = ERROR_STATUS.get(text(obj(body.get("error")).get("type")) or "", 500)
    return ModelHTTPError(status, model_name, body)
