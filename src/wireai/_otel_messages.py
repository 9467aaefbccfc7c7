"""Messages in the shape of the OpenTelemetry GenAI conventions (`gen_ai.input.messages` and friends).

`[{"role": "user", "parts": [{"type": "text", "content": "hi"}]}, {"role": "assistant", ...}]`,
as PydanticAI writes them. Without `include_content` every part keeps its type, tool name and id
but loses its text, arguments, results, URLs and bytes: no prompt or completion text is left.
Pure data: this module imports no OpenTelemetry.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .messages import (
    BinaryContent,
    FileUrl,
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
    _to_jsonable,
)

__all__ = ["ContentPolicy", "dumps", "latest_instructions", "otel_messages", "system_instructions"]

_MODALITIES = ("image", "audio", "video")


@dataclass(frozen=True)
class ContentPolicy:
    """What of the messages may leave the process, and in which format version."""

    include_content: bool = True
    include_binary_content: bool = True
    version: int = 5


def dumps(value: Any) -> str:
    """Compact JSON for an attribute value; anything not JSON-able is shown by its `str`."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def otel_messages(messages: Sequence[ModelMessage], policy: ContentPolicy) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, ModelResponse):
            out.append(response_message(message, policy))
            continue
        group: list[dict[str, Any]] = []
        group_is_system: bool | None = None
        for part in message.parts:
            is_system = isinstance(part, SystemPromptPart)
            if group and is_system != group_is_system:
                out.append(_request_message(group, bool(group_is_system)))
                group = []
            group_is_system = is_system
            group.extend(_request_parts(part, policy))
        if group:
            out.append(_request_message(group, bool(group_is_system)))
    return out


def response_message(response: ModelResponse, policy: ContentPolicy) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    for part in response.parts:
        if isinstance(part, TextPart):
            parts.append(_text("text", part.content, policy))
        elif isinstance(part, ThinkingPart):
            parts.append(_text("thinking", part.content, policy))
        elif isinstance(part, ToolCallPart):
            call: dict[str, Any] = {"type": "tool_call", "id": part.tool_call_id, "name": part.tool_name}
            if policy.include_content:
                call["arguments"] = _arguments(part)
            parts.append(call)
    message: dict[str, Any] = {"role": "assistant", "parts": parts}
    if response.finish_reason is not None:
        message["finish_reason"] = response.finish_reason
    return message


def system_instructions(messages: Sequence[ModelMessage], policy: ContentPolicy) -> list[dict[str, Any]]:
    """`gen_ai.system_instructions`: the latest instructions, then the system prompts (content only)."""
    if not policy.include_content:
        return []
    found: list[dict[str, Any]] = []
    instructions = latest_instructions(messages)
    if instructions:
        found.append({"type": "text", "content": instructions})
    for message in messages:
        if isinstance(message, ModelRequest):
            found.extend(
                {"type": "text", "content": p.content}
                for p in message.parts
                if isinstance(p, SystemPromptPart)
            )
    return found


def latest_instructions(messages: Sequence[ModelMessage]) -> str | None:
    for message in reversed(messages):
        if isinstance(message, ModelRequest) and message.instructions is not None:
            return message.instructions
    return None


def _request_message(parts: list[dict[str, Any]], is_system: bool) -> dict[str, Any]:
    if is_system:
        role = "system"
    elif any(p["type"] == "tool_call_response" for p in parts):
        role = "tool"
    else:
        role = "user"
    return {"role": role, "parts": parts}


def _request_parts(part: ModelRequestPart, policy: ContentPolicy) -> list[dict[str, Any]]:
    if isinstance(part, SystemPromptPart):
        return [_text("text", part.content, policy)]
    if isinstance(part, UserPromptPart):
        items = [part.content] if isinstance(part.content, str) else part.content
        return [_user_item(item, policy) for item in items]
    if isinstance(part, ToolReturnPart):
        found: dict[str, Any] = {
            "type": "tool_call_response",
            "id": part.tool_call_id,
            "name": part.tool_name,
        }
        if policy.include_content and part.content is not None:
            found["result"] = _to_jsonable(part.content)
        return [found]
    assert isinstance(part, RetryPromptPart)
    if part.tool_name is None:
        return [_text("text", part.model_response(), policy)]
    retry: dict[str, Any] = {"type": "tool_call_response", "id": part.tool_call_id, "name": part.tool_name}
    if policy.include_content:
        retry["result"] = part.model_response()
    return [retry]


def _user_item(item: Any, policy: ContentPolicy) -> dict[str, Any]:
    if isinstance(item, str):
        return _text("text", item, policy)
    if isinstance(item, BinaryContent):
        return _binary(item, policy)
    if isinstance(item, FileUrl):
        kind = getattr(item, "kind", "document-url")
        if policy.version < 4:
            url_part: dict[str, Any] = {"type": kind}
            if policy.include_content:
                url_part["url"] = item.url
            return url_part
        uri: dict[str, Any] = {"type": "uri"}
        modality = kind.removesuffix("-url")
        if modality in _MODALITIES:
            uri["modality"] = modality
        uri["mime_type"] = item.media_type
        if policy.include_content:
            uri["uri"] = item.url
        return uri
    return {"type": type(item).__name__}


def _binary(item: BinaryContent, policy: ContentPolicy) -> dict[str, Any]:
    with_bytes = policy.include_content and policy.include_binary_content
    if policy.version < 4:
        part: dict[str, Any] = {"type": "binary", "media_type": item.media_type}
    else:
        part = {"type": "blob"}
        modality = item.media_type.split("/", 1)[0]
        if modality in _MODALITIES:
            part["modality"] = modality
        part["mime_type"] = item.media_type
    if with_bytes:
        part["content"] = item.base64
    return part


def _text(kind: str, content: str, policy: ContentPolicy) -> dict[str, Any]:
    return {"type": kind, "content": content} if policy.include_content else {"type": kind}


def _arguments(call: ToolCallPart) -> Any:
    if isinstance(call.args, str):
        try:
            return json.loads(call.args)
        except ValueError:
            return call.args
    return _to_jsonable(call.args) if call.args is not None else {}
