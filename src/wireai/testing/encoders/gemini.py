"""What Gemini sends (the Generative Language API and Vertex AI alike): `GenerateContentResponse`
bodies, and the `alt=sse` stream of such responses, each carrying the next slice of parts."""

from __future__ import annotations

import json
from typing import Any

from ...codecs.gemini import FINISH_REASONS, function_call
from ...messages import ModelResponse, TextPart, ThinkingPart, ToolCallPart
from ...usage import RequestUsage
from ...wire.sse import encode_sse
from ._base import pieces, wire_finish

__all__ = ["encode_response", "encode_stream", "encode_usage"]


def encode_response(response: ModelResponse, *, response_id: str | None = None) -> dict[str, Any]:
    """The `GenerateContentResponse` Gemini would send for `response`."""
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": _parts(response)}, "index": 0}
    candidate["finishReason"] = _finish(response)
    body: dict[str, Any] = {"candidates": [candidate], "usageMetadata": encode_usage(response.usage)}
    body["modelVersion"] = response.model_name or "gemini-2.0-flash"
    rid = response_id or response.provider_response_id
    if rid:
        body["responseId"] = rid
    return body


def _finish(response: ModelResponse) -> str:
    """The raw `finishReason` a parsed response kept, else the codec's table read backwards (a turn
    that ends with function calls says `STOP`: Gemini has no finish reason of its own for them)."""
    raw = (response.provider_details or {}).get("finish_reason")
    if isinstance(raw, str):
        return raw
    return wire_finish(FINISH_REASONS, response, "STOP")


def _parts(response: ModelResponse) -> list[dict[str, Any]]:
    """Every part as Gemini itself sends it: thought signatures where the part carries one, call ids
    where Gemini minted them (the vendor side sends whatever it has, so nothing is dropped)."""
    out = []
    for part in response.parts:
        if isinstance(part, ToolCallPart):
            item: dict[str, Any] = {"functionCall": function_call(part)}
            signature = (part.provider_details or {}).get("thought_signature")
        elif isinstance(part, ThinkingPart):
            item = {"text": part.content, "thought": True}
            signature = part.signature
        elif isinstance(part, TextPart):
            item = {"text": part.content}
            signature = (part.provider_details or {}).get("thought_signature")
        else:
            continue
        if signature:
            item["thoughtSignature"] = signature
        out.append(item)
    return out


def encode_usage(usage: RequestUsage) -> dict[str, Any]:
    """`usageMetadata`: the inverse of the codec's `parse_usage` (thoughts and tool-use prompt
    tokens counted apart from candidates and prompt, modality breakdowns from `details`)."""
    details = usage.details or {}
    thoughts = details.get("reasoning_tokens", 0)
    tool_prompt = details.get("tool_use_prompt_tokens", 0)
    meta: dict[str, Any] = {
        "promptTokenCount": usage.input_tokens - tool_prompt,
        "candidatesTokenCount": usage.output_tokens - thoughts,
        "totalTokenCount": usage.input_tokens + usage.output_tokens,
    }
    if thoughts:
        meta["thoughtsTokenCount"] = thoughts
    if tool_prompt:
        meta["toolUsePromptTokenCount"] = tool_prompt
    if usage.cache_read_tokens:
        meta["cachedContentTokenCount"] = usage.cache_read_tokens
    for field_name, suffix in (
        ("promptTokensDetails", "_prompt_tokens"),
        ("candidatesTokensDetails", "_candidates_tokens"),
        ("cacheTokensDetails", "_cache_tokens"),
    ):
        entries = [
            {"modality": key[: -len(suffix)].upper(), "tokenCount": value}
            for key, value in details.items()
            if key.endswith(suffix) and key != "tool_use_prompt_tokens"
        ]
        if entries:
            meta[field_name] = entries
    return meta


def encode_stream(response: ModelResponse, *, response_id: str | None = None, text_chunk: int = 0) -> bytes:
    """The SSE stream Gemini would send: one chunk per part (text split every `text_chunk` chars
    when set), usage and `finishReason` on the last chunk."""
    full = encode_response(response, response_id=response_id)
    candidate = full["candidates"][0]
    slices: list[dict[str, Any]] = []
    for item in candidate["content"]["parts"]:
        text = item.get("text")
        if text_chunk and isinstance(text, str) and len(text) > text_chunk:
            cut = pieces(text, text_chunk)
            for n, piece in enumerate(cut):
                sliced = {**item, "text": piece}
                if n < len(cut) - 1:
                    sliced.pop("thoughtSignature", None)  # the signature rides on a part's last slice
                slices.append(sliced)
        else:
            slices.append(item)
    out = bytearray()
    head = {k: v for k, v in full.items() if k in ("modelVersion", "responseId")}
    for n, item in enumerate(slices):
        chunk: dict[str, Any] = {
            "candidates": [{"content": {"role": "model", "parts": [item]}, "index": 0}],
            **head,
        }
        if n == len(slices) - 1:
            chunk["candidates"][0]["finishReason"] = candidate["finishReason"]
            chunk["usageMetadata"] = full["usageMetadata"]
        out += encode_sse(json.dumps(chunk))
    if not slices:
        last = {"candidates": [{"content": {"role": "model", "parts": []}, "finishReason": candidate["finishReason"]}],
                "usageMetadata": full["usageMetadata"], **head}  # fmt: skip
        out += encode_sse(json.dumps(last))
    return bytes(out)
