"""What Gemini sends (the Generative Language API and Vertex AI alike): `GenerateContentResponse`
bodies, and the `alt=sse` stream of such responses, each carrying the next slice of parts.

Native tools are encoded where Gemini puts them: code execution as `executableCode` /
`codeExecutionResult` parts, Google Search and file search as the candidate's `groundingMetadata`
(with the text's citations as `groundingSupports`; on a stream's last chunk), URL context as
`urlContextMetadata` (on a stream's first chunk); files as `inlineData` parts. A response with no
parts, `finish_reason='content_filter'` and a `block_reason` is a blocked prompt (`promptFeedback`).
"""

from __future__ import annotations

import json
from typing import Any

from ...codecs.gemini import FINISH_REASONS, function_call
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
from ...wire.sse import encode_sse
from ._base import pieces, wire_finish

__all__ = ["encode_response", "encode_stream", "encode_usage"]


def encode_response(
    response: ModelResponse, *, response_id: str | None = None, call_ids: bool = True
) -> dict[str, Any]:
    """The `GenerateContentResponse` Gemini would send for `response` (`call_ids=False`: Vertex AI,
    whose `FunctionCall` has no `id`)."""
    body: dict[str, Any] = {}
    blocked = _prompt_feedback(response)
    if blocked is not None:
        body["promptFeedback"] = blocked
    else:
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": _parts(response, call_ids)}}
        candidate["finishReason"] = _finish(response)
        candidate.update(_candidate_details(response))
        candidate["index"] = 0
        candidate.update(_metadata(response))
        body["candidates"] = [candidate]
    body["usageMetadata"] = encode_usage(response.usage)
    body["modelVersion"] = response.model_name or "gemini-2.0-flash"
    rid = response_id or response.provider_response_id
    if rid:
        body["responseId"] = rid
    return body


def _prompt_feedback(response: ModelResponse) -> dict[str, Any] | None:
    details = response.provider_details or {}
    if response.parts or not details.get("block_reason"):
        return None
    feedback: dict[str, Any] = {"blockReason": details["block_reason"]}
    if details.get("block_reason_message"):
        feedback["blockReasonMessage"] = details["block_reason_message"]
    if details.get("safety_ratings"):
        feedback["safetyRatings"] = details["safety_ratings"]
    return feedback


def _candidate_details(response: ModelResponse) -> dict[str, Any]:
    details = response.provider_details or {}
    out: dict[str, Any] = {}
    if details.get("finish_message"):
        out["finishMessage"] = details["finish_message"]
    if details.get("safety_ratings"):
        out["safetyRatings"] = details["safety_ratings"]
    return out


def _finish(response: ModelResponse) -> str:
    """The raw `finishReason` a parsed response kept, else the codec's table read backwards (a turn
    that ends with function calls says `STOP`: Gemini has no finish reason of its own for them)."""
    raw = (response.provider_details or {}).get("finish_reason")
    if isinstance(raw, str):
        return raw
    return wire_finish(FINISH_REASONS, response, "STOP")


def _parts(response: ModelResponse, call_ids: bool) -> list[dict[str, Any]]:
    """Every content part as Gemini itself sends it: thought signatures where the part carries one,
    call ids where Gemini minted them and the host has them."""
    out = []
    for part in response.parts:
        signature = (part.provider_details or {}).get("thought_signature")
        if isinstance(part, ToolCallPart):
            item: dict[str, Any] = {"functionCall": function_call(part, call_ids=call_ids)}
        elif isinstance(part, ThinkingPart):
            item = {"text": part.content, "thought": True}
            signature = part.signature
        elif isinstance(part, TextPart):
            item = {"text": part.content}
        elif isinstance(part, FilePart):
            item = {"inlineData": {"mimeType": part.content.media_type, "data": part.content.base64}}
        elif isinstance(part, NativeToolCallPart) and part.tool_name == "code_execution":
            item = {"executableCode": part.args_as_dict()}
        elif isinstance(part, NativeToolReturnPart) and part.tool_name == "code_execution":
            item = {"codeExecutionResult": part.content}
        else:
            continue  # search and URL-context records travel as candidate metadata
        if signature:
            item["thoughtSignature"] = signature
        out.append(item)
    return out


def _metadata(response: ModelResponse) -> dict[str, Any]:
    """`groundingMetadata` / `urlContextMetadata` for the response's search and fetch records: the
    raw metadata a parsed response kept, else built from the scripted parts."""
    out: dict[str, Any] = {}
    calls = {p.tool_call_id: p for p in response.parts if isinstance(p, NativeToolCallPart)}
    grounding: dict[str, Any] = {}
    for part in response.parts:
        if not isinstance(part, NativeToolReturnPart):
            continue
        kept = part.provider_details or {}
        if part.tool_name == "web_fetch":
            out["urlContextMetadata"] = kept.get("url_context_metadata") or {"urlMetadata": part.content}
        elif part.tool_name in ("web_search", "file_search"):
            if "grounding_metadata" in kept:
                grounding = dict(kept["grounding_metadata"])
                continue
            chunk_key = "web" if part.tool_name == "web_search" else "retrievedContext"
            grounding.setdefault("groundingChunks", []).extend({chunk_key: c} for c in part.content or [])
            call = calls.get(part.tool_call_id)
            queries = call.args_as_dict().get("queries") if call is not None else None
            if part.tool_name == "web_search" and queries:
                grounding["webSearchQueries"] = list(queries)
    if grounding and "groundingSupports" not in grounding:
        supports = [
            {k: v for k, v in citation.items() if k != "sources"}
            for p in response.parts
            if isinstance(p, TextPart)
            for citation in (p.provider_details or {}).get("citations", [])
        ]
        if supports:
            grounding["groundingSupports"] = supports
    if grounding:
        out["groundingMetadata"] = grounding
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
        ("toolUsePromptTokensDetails", "_tool_use_prompt_tokens"),
    ):
        entries = [
            {"modality": key[: -len(suffix)].upper(), "tokenCount": value}
            for key, value in details.items()
            if key.endswith(suffix) and key != "tool_use_prompt_tokens"
            and not (suffix == "_prompt_tokens" and key.endswith("_tool_use_prompt_tokens"))
        ]  # fmt: skip
        if entries:
            meta[field_name] = entries
    return meta


def encode_stream(
    response: ModelResponse,
    *,
    response_id: str | None = None,
    text_chunk: int = 0,
    stream_function_call_arguments: bool = False,
    call_ids: bool = True,
) -> bytes:
    """The SSE stream Gemini would send: one chunk per part (text split every `text_chunk` chars
    when set), URL-context metadata on the first chunk, grounding metadata, usage and
    `finishReason` on the last. With `stream_function_call_arguments` (what Vertex AI does when the
    request asks for it) each function call comes as a named start, one `partialArgs` piece per
    argument and an empty end."""
    full = encode_response(response, response_id=response_id, call_ids=call_ids)
    head = {k: v for k, v in full.items() if k in ("modelVersion", "responseId")}
    if "promptFeedback" in full:
        return encode_sse(json.dumps(full))
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
        elif stream_function_call_arguments and "functionCall" in item:
            slices.extend(_call_pieces(item))
        else:
            slices.append(item)
    chunks: list[dict[str, Any]] = [
        {"candidates": [{"content": {"role": "model", "parts": [item]}, "index": 0}], **head}
        for item in slices
    ] or [{"candidates": [{"content": {"role": "model", "parts": []}, "index": 0}], **head}]
    if "urlContextMetadata" in candidate:
        chunks[0]["candidates"][0]["urlContextMetadata"] = candidate["urlContextMetadata"]
    last = chunks[-1]["candidates"][0]
    last["finishReason"] = candidate["finishReason"]
    for key in ("finishMessage", "safetyRatings", "groundingMetadata"):
        if key in candidate:
            last[key] = candidate[key]
    chunks[-1]["usageMetadata"] = full["usageMetadata"]
    return b"".join(encode_sse(json.dumps(chunk)) for chunk in chunks)


def _call_pieces(item: dict[str, Any]) -> list[dict[str, Any]]:
    call = item["functionCall"]
    start: dict[str, Any] = {k: v for k, v in call.items() if k in ("id", "name")}
    start["willContinue"] = True
    first = {"functionCall": start}
    if "thoughtSignature" in item:
        first["thoughtSignature"] = item["thoughtSignature"]
    out = [first]
    for path, value in _leaves(call.get("args") or {}, "$"):
        out.append({"functionCall": {"partialArgs": [{"jsonPath": path, **value}], "willContinue": True}})
    out.append({"functionCall": {}})
    return out


def _leaves(value: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    """Each leaf of an arguments object as (JSON path, typed `partialArgs` value)."""
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [leaf for n, item in enumerate(value) for leaf in _leaves(item, f"{path}[{n}]")]
    if isinstance(value, str):
        return [(path, {"stringValue": value})]
    if isinstance(value, bool):
        return [(path, {"boolValue": value})]
    if value is None:
        return [(path, {"nullValue": "NULL_VALUE"})]
    return [(path, {"numberValue": value})]
