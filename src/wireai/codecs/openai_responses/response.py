"""The response direction: a `response` object (or the one inside a stream's last event) -> `ModelResponse`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
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
from .._base import epoch_datetime, json_object, obj, text, token_count
from ..openai_chat import error_status
from . import native_tools

__all__ = [
    "INCOMPLETE_REASONS",
    "STATUS_FINISH",
    "compaction_part",
    "finish",
    "parse_count_tokens_response",
    "parse_response",
    "parse_usage",
    "raise_error",
    "text_details",
]

# `incomplete_details.reason` -> finish reason (status `incomplete`).
INCOMPLETE_REASONS: dict[str, FinishReason] = {
    "max_output_tokens": "length",
    "content_filter": "content_filter",
}
# `status` -> finish reason, when not incomplete.
STATUS_FINISH: dict[str, FinishReason] = {"completed": "stop", "failed": "error", "cancelled": "error"}


def raise_error(error: Any, model_name: str, body: Any) -> None:
    if error:
        raise ModelHTTPError(error_status(error), model_name, body)


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    profile: ModelProfile | None = None,
) -> ModelResponse:
    """A `response` object as a `ModelResponse`: reasoning items as `ThinkingPart`s (encrypted content
    as the signature), `compaction` items as `CompactionPart`s, native tool items as call, file and return parts, text annotations (citations)
    in `TextPart.provider_details`. A response the vendor's content filter stopped is returned, with
    `finish_reason='content_filter'`, not raised."""
    body = json_object(body, "OpenAI Responses")
    model_name = model_name or ""
    raise_error(body.get("error"), model_name, dict(body))
    output = body.get("output")
    if not isinstance(output, list):
        raise UnexpectedModelBehavior(f"{model_name}: response without `output`", snippet(body))
    timestamp = epoch_datetime(body.get("created_at"))
    scope = call_id_scope(text(body.get("id")), profile)
    parts: list[ModelResponsePart] = []
    for item in output:
        parts.extend(_output_item(item, model_name, timestamp, scope))
    finish_reason, details = finish(body, any(isinstance(p, ToolCallPart) for p in parts))
    return ModelResponse(
        parts=parts,
        usage=parse_usage(body.get("usage"), output),
        model_name=text(body.get("model")) or model_name or None,
        timestamp=timestamp,
        provider_response_id=text(body.get("id")),
        finish_reason=finish_reason,
        provider_details=details,
    )


def call_id_scope(response_id: str | None, profile: ModelProfile | None) -> str | None:
    """The prefix of this response's function call ids, where the host's ids are unique within one
    response only (`extra['openai_responses_scoped_call_ids']`: Bedrock Mantle's `/openai/v1`, where
    every response numbers its calls from `call_0`): `{response id}:`, so the ids of a history stay
    distinct. The qualified id is what goes back to the host, which takes it."""
    if response_id and profile is not None and profile.extra.get("openai_responses_scoped_call_ids"):
        return f"{response_id}:"
    return None


def _output_item(
    item: Any, model_name: str, timestamp: datetime, scope: str | None
) -> list[ModelResponsePart]:
    if not isinstance(item, dict):
        raise UnexpectedModelBehavior(f"{model_name}: malformed output item", snippet(item))
    kind = item.get("type")
    item_id = text(item.get("id"))
    if kind == "message":
        parts: list[ModelResponsePart] = []
        for content in item.get("content") or ():
            if not isinstance(content, dict):
                continue
            if content.get("type") == "output_text" and isinstance(content.get("text"), str):
                parts.append(TextPart(content["text"], id=item_id, provider_details=text_details(content)))
            elif content.get("type") == "refusal" and isinstance(content.get("refusal"), str):
                parts.append(TextPart(content["refusal"], id=item_id, provider_details={"refusal": True}))
        return parts
    if kind == "function_call":
        name, call_id = item.get("name"), item.get("call_id")
        if not isinstance(name, str) or not isinstance(call_id, str):
            raise UnexpectedModelBehavior(
                f"{model_name}: function_call without name or call_id", snippet(item)
            )
        arguments = item.get("arguments")
        if scope and not call_id.startswith(scope):
            call_id = scope + call_id
        return [
            ToolCallPart(
                name, arguments if isinstance(arguments, str) else None, tool_call_id=call_id, id=item_id
            )
        ]
    if kind == "reasoning":
        texts = [s.get("text", "") for s in item.get("summary") or () if isinstance(s, dict)]
        texts += [c.get("text", "") for c in item.get("content") or () if isinstance(c, dict)]
        encrypted = text(item.get("encrypted_content"))
        if not any(texts) and not encrypted:
            return []  # nothing to show or send back (ask for `reasoning.encrypted_content` to keep it)
        return [ThinkingPart("\n\n".join(t for t in texts if t), id=item_id, signature=encrypted)]
    if kind == "compaction":
        return [compaction_part(item, model_name)]
    native = native_tools.item_parts(item, timestamp=timestamp, model_name=model_name)
    return native or []  # items wireai does not model (computer_call, ...) are left out


def compaction_part(item: Mapping[str, Any], model_name: str) -> CompactionPart:
    """A `compaction` item (context management's, or `responses/compact`'s): no readable summary, its
    `id`, and its `encrypted_content` (with `created_by`, where given) in `provider_details`: the
    item must go back as input for the API to drop what it summarised."""
    if not isinstance(item.get("encrypted_content"), str):
        raise UnexpectedModelBehavior(
            f"{model_name}: compaction item without `encrypted_content`", snippet(dict(item))
        )
    details = {k: v for k, v in item.items() if k not in ("type", "id") and v is not None}
    return CompactionPart(None, id=text(item.get("id")), provider_details=details)


def text_details(content: Mapping[str, Any]) -> dict[str, Any] | None:
    """An `output_text`'s annotations (url_citation, file_citation, container_file_citation,
    file_path), kept on its `TextPart` as the vendor sent them."""
    annotations = content.get("annotations")
    return {"annotations": annotations} if isinstance(annotations, list) and annotations else None


def finish(body: Mapping[str, Any], has_calls: bool) -> tuple[FinishReason | None, dict[str, Any] | None]:
    status = body.get("status")
    if not isinstance(status, str):
        return None, None
    details: dict[str, Any] = {"status": status}
    if status == "incomplete":
        reason = obj(body.get("incomplete_details")).get("reason")
        if isinstance(reason, str):
            details["incomplete_reason"] = reason
        return INCOMPLETE_REASONS.get(reason, "length") if isinstance(reason, str) else "length", details
    finish_reason = STATUS_FINISH.get(status)
    if finish_reason == "stop" and has_calls:
        finish_reason = "tool_call"
    return finish_reason, details


def parse_usage(usage: Any, output: Any = ()) -> RequestUsage:
    """Tokens (cache reads and writes apart), reasoning tokens, and the billed native tool calls
    counted from the response's `output` (`web_search_calls`, ...) in `details`; a host that counts
    them itself (xAI's `usage.server_side_tool_usage_details`) is taken at its word, as it bills them."""
    details: dict[str, int] = native_tools.server_tool_usage(output if isinstance(output, list) else ())
    if not isinstance(usage, dict):
        return RequestUsage(details=details or None)
    input_details = obj(usage.get("input_tokens_details"))
    output_details = obj(usage.get("output_tokens_details"))
    server_tools = obj(usage.get("server_side_tool_usage_details"))
    details.update({k: token_count(v) for k, v in server_tools.items() if token_count(v)})
    details.update({k: v for k, v in output_details.items() if token_count(v)})
    cache = ("cached_tokens", "cache_write_tokens")
    details.update({k: v for k, v in input_details.items() if k not in cache and token_count(v)})
    return RequestUsage(
        input_tokens=token_count(usage.get("input_tokens")),
        output_tokens=token_count(usage.get("output_tokens")),
        cache_read_tokens=token_count(input_details.get("cached_tokens")),
        cache_write_tokens=token_count(input_details.get("cache_write_tokens")),
        details=details or None,
    )


def parse_count_tokens_response(
    body: bytes | str | Mapping[str, Any], *, model_name: str | None = None
) -> RequestUsage:
    """`{"object": "response.input_tokens", "input_tokens": N}` as the input side of a usage."""
    body = json_object(body, "OpenAI Responses input_tokens")
    raise_error(body.get("error"), model_name or "", dict(body))
    count = body.get("input_tokens")
    if not isinstance(count, int) or isinstance(count, bool):
        raise UnexpectedModelBehavior(
            f"{model_name or ''}: token count without `input_tokens`", snippet(body)
        )
    return RequestUsage(input_tokens=count)
