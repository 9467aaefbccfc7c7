"""A Converse answer (`output.message.content`, `stopReason`, `usage`, `metrics`) and a CountTokens
answer (`inputTokens`), read into our response and usage."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from ...exceptions import UnexpectedModelBehavior, snippet
from ...messages import (
    BinaryImage,
    FilePart,
    ModelResponse,
    ModelResponsePart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from ...profiles import ModelProfile
from ...usage import RequestUsage
from .._base import json_object, obj, text, token_count
from .common import FINISH_REASONS, PROVIDER_NAME
from .native_tools import is_server_tool_use, native_call_part, native_return_part, wire_tool_name

__all__ = [
    "citations_text",
    "image_part",
    "parse_count_tokens_response",
    "parse_response",
    "read_usage",
    "response_details",
]

_USAGE_FIELDS = frozenset(
    {
        "inputTokens",
        "outputTokens",
        "totalTokens",
        "cacheReadInputTokens",
        "cacheWriteInputTokens",
        "cacheDetails",
    }
)


def read_usage(usage: Any) -> RequestUsage:
    """Bedrock's `inputTokens` leaves out cache reads and writes; ours includes them.

    `details` gets the cache writes by TTL (`cacheDetails` -> `cache_write_tokens_5m` / `_1h`) and any
    other counter the usage holds, flat or one level down (`serverToolUsage`'s, under their own
    names): the botocore model of 2023-09-30 documents neither shape of server-tool usage, so
    whatever integers come are kept rather than guessed at."""
    u = obj(usage)
    cache_read = token_count(u.get("cacheReadInputTokens"))
    cache_write = token_count(u.get("cacheWriteInputTokens"))
    details: dict[str, int] = {}
    cache_details = u.get("cacheDetails")
    for entry in cache_details if isinstance(cache_details, list) else ():
        ttl = text(obj(entry).get("ttl"))
        if ttl:
            details[f"cache_write_tokens_{ttl}"] = token_count(obj(entry).get("inputTokens"))
    for key, value in u.items():
        if key in _USAGE_FIELDS:
            continue
        counters = value if isinstance(value, dict) else {key: value}
        details.update(
            {name: int(n) for name, n in counters.items() if isinstance(n, int) and not isinstance(n, bool)}
        )
    return RequestUsage(
        input_tokens=token_count(u.get("inputTokens")) + cache_read + cache_write,
        output_tokens=token_count(u.get("outputTokens")),
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        details=details or None,
    )


def response_details(stop_reason: str | None, body: Mapping[str, Any]) -> dict[str, Any] | None:
    """`provider_details`: the raw `stopReason`, `latencyMs`, and the answer's model fields, guardrail
    trace, performance config and the service tier that served it, as sent. A content-filtered
    answer (`content_filtered`, `guardrail_intervened`) is told apart by these: the trace holds the
    guardrail's assessments when the request asked for them."""
    details: dict[str, Any] = {}
    if stop_reason is not None:
        details["stopReason"] = stop_reason
    metrics = body.get("metrics")
    if isinstance(metrics, dict) and "latencyMs" in metrics:
        details["latencyMs"] = metrics["latencyMs"]
    for key in ("additionalModelResponseFields", "trace", "performanceConfig", "serviceTier"):
        if body.get(key) is not None:
            details[key] = body[key]
    return details or None


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    profile: ModelProfile | None = None,
) -> ModelResponse:
    """A Converse answer as a `ModelResponse`. A content-filtered answer is returned, not raised:
    `finish_reason='content_filter'`, the parts Bedrock sent (none, or the guardrail's own message),
    the stop reason and trace in `provider_details`.

    Converse does not name the model in its answer: the response carries `model_name` as given.
    """
    answer = json_object(body, "Bedrock Converse")
    content = obj(obj(answer.get("output")).get("message")).get("content")
    if not isinstance(content, list):
        raise UnexpectedModelBehavior(
            "Bedrock Converse answer has no output.message.content list", snippet(answer)
        )
    parts: list[ModelResponsePart] = []
    server_calls: dict[str, str] = {}
    for raw in content:
        part = _part(obj(raw), server_calls)
        if part is not None:
            parts.append(part)
    stop = text(answer.get("stopReason"))
    return ModelResponse(
        parts=parts,
        usage=read_usage(answer.get("usage")),
        model_name=model_name,
        provider_name=PROVIDER_NAME,
        finish_reason=FINISH_REASONS.get(stop) if stop else None,
        provider_details=response_details(stop, answer),
    )


def _part(block: dict[str, Any], server_calls: dict[str, str]) -> ModelResponsePart | None:
    """One content block as a part; blocks of no kind we know are skipped."""
    if isinstance(block.get("text"), str):
        return TextPart(block["text"])
    if "toolUse" in block:
        tool = obj(block["toolUse"])
        if not isinstance(tool.get("name"), str):
            raise UnexpectedModelBehavior("Bedrock toolUse block without a name", snippet(block))
        tool_args = tool.get("input")
        args = tool_args if isinstance(tool_args, (dict, str)) else {}
        if is_server_tool_use(tool):
            call = native_call_part(tool, args)
            server_calls[call.tool_call_id] = wire_tool_name(call)
            return call
        part = ToolCallPart(tool["name"], args)
        if isinstance(tool.get("toolUseId"), str):
            part.tool_call_id = tool["toolUseId"]
        return part
    if "toolResult" in block:  # in an assistant message: the result of a tool Bedrock ran
        result = obj(block["toolResult"])
        raw = result.get("content")
        return native_return_part(result, raw if isinstance(raw, list) else [], server_calls)
    if "reasoningContent" in block:
        reasoning = obj(block["reasoningContent"])
        if isinstance(reasoning.get("redactedContent"), str):
            return ThinkingPart(
                "",
                provider_name=PROVIDER_NAME,
                provider_details={"redactedContent": reasoning["redactedContent"]},
            )
        reasoning_text = obj(reasoning.get("reasoningText"))
        if reasoning_text:
            return ThinkingPart(
                str(reasoning_text.get("text") or ""),
                signature=text(reasoning_text.get("signature")),
                provider_name=PROVIDER_NAME,
            )
        return None
    if "citationsContent" in block:
        cited = obj(block["citationsContent"])
        citations = cited.get("citations")
        return TextPart(
            citations_text(cited.get("content")),
            provider_details={"citations": citations if isinstance(citations, list) else []},
        )
    if "image" in block:
        image = obj(block["image"])
        return image_part(
            text(image.get("format")), text(obj(image.get("source")).get("bytes")), image.get("error")
        )
    return None


def citations_text(content: Any) -> str:
    """The generated text of a `citationsContent` block (its `content[].text` pieces, joined)."""
    pieces = content if isinstance(content, list) else []
    return "".join(text(obj(piece).get("text")) or "" for piece in pieces)


def image_part(fmt: str | None, data: str | None, error: Any = None) -> FilePart:
    """An image the model generated (`image {format, source: {bytes}}`) as a `FilePart`; an image
    block that reports an `error` instead keeps it in `provider_details` (and no bytes)."""
    try:
        raw = base64.b64decode(data or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UnexpectedModelBehavior("Bedrock image block bytes are not base64", snippet(data)) from exc
    media_type = f"image/{fmt or 'png'}"
    details = {"error": error} if error is not None else None
    return FilePart(BinaryImage(raw, media_type), provider_name=PROVIDER_NAME, provider_details=details)


def parse_count_tokens_response(
    body: bytes | str | Mapping[str, Any], *, model_name: str | None = None
) -> RequestUsage:
    """A CountTokens answer (`{"inputTokens": n}`) as the input tokens the request would take."""
    answer = json_object(body, "Bedrock CountTokens")
    count = answer.get("inputTokens")
    if not isinstance(count, int) or isinstance(count, bool):
        raise UnexpectedModelBehavior(
            "Bedrock CountTokens answer has no integer inputTokens", snippet(answer)
        )
    return RequestUsage(input_tokens=count)
