"""Gemini responses: a `GenerateContentResponse` body (and a `countTokens` answer) read back as
wireai's `ModelResponse`; the part conversions here are shared with the stream parser."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from ...exceptions import ModelHTTPError, UnexpectedModelBehavior
from ...messages import (
    BinaryContent,
    FilePart,
    FinishReason,
    ModelResponse,
    ModelResponsePart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from ...profiles import ModelProfile
from ...usage import RequestUsage
from .._base import call_id, json_object, obj, text, token_count
from .native_tools import (
    CODE_EXECUTION,
    attach_citations,
    code_call,
    code_result,
    grounding_parts,
    url_context_parts,
)
from .partial_args import ArgsWriter

__all__ = [
    "FINISH_REASONS",
    "PartReader",
    "candidate_parts",
    "finish_details",
    "first_candidate",
    "is_partial_call",
    "parse_count_tokens_response",
    "parse_response",
    "parse_usage",
    "prompt_blocked",
    "raise_error",
]

FINISH_REASONS: dict[str, FinishReason | None] = {
    "FINISH_REASON_UNSPECIFIED": None,
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "LANGUAGE": "error",
    "OTHER": None,
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "MALFORMED_FUNCTION_CALL": "error",
    "IMAGE_SAFETY": "content_filter",
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
    "IMAGE_RECITATION": "content_filter",
    "IMAGE_OTHER": None,
    "NO_IMAGE": "error",
    "UNEXPECTED_TOOL_CALL": "error",
    "TOO_MANY_TOOL_CALLS": "error",
    "MODEL_ARMOR": "content_filter",  # Vertex AI: Model Armor blocked the answer
}

# A candidate that ends for this reason with no content is malformed output, not an answer: raised.
# Content-filter endings with no content are returned (`finish_reason='content_filter'`) so the
# caller sees what happened; the Agent raises ContentFilterError from such a response.
_MALFORMED = "MALFORMED_FUNCTION_CALL"

# Google's RPC status names -> HTTP status, for errors reported inside a stream without a `code`.
_STATUS_CODES = {
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "RESOURCE_EXHAUSTED": 429,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    profile: ModelProfile | None = None,
) -> ModelResponse:
    """A `GenerateContentResponse` as a `ModelResponse`. A prompt or answer blocked by a safety
    filter, a blocklist or Model Armor comes back as a response with no parts,
    `finish_reason='content_filter'` and Google's reason and ratings in `provider_details`.

    The provider is left unnamed (one body format, two hosts): the caller names it, as wireai's
    models do with `stamp_provider`.
    """
    data = json_object(body, "Gemini")
    raise_error(data, model_name or "")
    usage = parse_usage(data.get("usageMetadata"))
    model = text(data.get("modelVersion")) or model_name
    response_id = text(data.get("responseId"))
    blocked = prompt_blocked(data)
    if blocked is not None:
        return ModelResponse([], usage, model, provider_response_id=response_id,
                             finish_reason="content_filter", provider_details=blocked)  # fmt: skip
    candidate = first_candidate(data)
    parts_in = candidate_parts(candidate, data)
    raw_finish = candidate.get("finishReason")
    if not parts_in and raw_finish == _MALFORMED:
        raise_malformed(candidate, data)
    reader = PartReader(None, data)
    parts: list[ModelResponsePart] = url_context_parts(candidate)  # where a stream puts them: first
    for part in parts_in:
        converted = reader.read(part)
        if converted is None:
            continue
        previous = parts[-1] if parts else None
        # Adjacent text slices (how Gemini sometimes splits one answer) are one part, as in streams.
        if (
            isinstance(converted, TextPart)
            and isinstance(previous, TextPart)
            and not previous.provider_details
        ):
            previous.content += converted.content
            previous.provider_details = converted.provider_details
            continue
        parts.append(converted)
    reader.check_complete(parts)
    parts.extend(grounding_parts(candidate))  # grounding describes the answer: after it
    attach_citations(parts, candidate)
    return ModelResponse(
        parts=parts,
        usage=usage,
        model_name=model,
        provider_response_id=response_id,
        finish_reason=_finish(raw_finish),
        provider_details=finish_details(raw_finish, candidate),
    )


def raise_error(body: Mapping[str, Any], model_name: str) -> None:
    """An `{"error": {...}}` body (sent with a 200 inside a stream) as the `ModelHTTPError` it means."""
    error = body.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        status = (
            code
            if isinstance(code, int) and 400 <= code < 600
            else _STATUS_CODES.get(error.get("status", ""), 500)
        )
        raise ModelHTTPError(status, model_name, dict(body))


def prompt_blocked(body: Mapping[str, Any]) -> dict[str, Any] | None:
    """`promptFeedback.blockReason` (the prompt itself was refused: no candidates) as the
    `provider_details` of the empty response; None if the prompt was not blocked."""
    feedback = obj(body.get("promptFeedback"))
    reason = feedback.get("blockReason")
    if not reason or body.get("candidates"):
        return None
    details: dict[str, Any] = {"block_reason": reason}
    if feedback.get("blockReasonMessage"):
        details["block_reason_message"] = feedback["blockReasonMessage"]
    if feedback.get("safetyRatings"):
        details["safety_ratings"] = feedback["safetyRatings"]
    return details


def first_candidate(body: Mapping[str, Any]) -> dict[str, Any]:
    candidates = body.get("candidates")
    if not isinstance(candidates, list) or not candidates or not isinstance(candidates[0], dict):
        raise UnexpectedModelBehavior("Gemini returned no candidates", json.dumps(body))
    return candidates[0]


def candidate_parts(candidate: Mapping[str, Any], body: Mapping[str, Any]) -> list[Any]:
    content = candidate.get("content")
    if content is None:
        return []
    if not isinstance(content, dict):
        raise UnexpectedModelBehavior("Gemini candidate content is not an object", json.dumps(body))
    parts = content.get("parts") or []
    if not isinstance(parts, list):
        raise UnexpectedModelBehavior("Gemini candidate parts are not a list", json.dumps(body))
    return parts


def raise_malformed(candidate: Mapping[str, Any], body: Mapping[str, Any]) -> None:
    detail = candidate.get("finishMessage") or ""
    raise UnexpectedModelBehavior(
        f"Gemini stopped with finishReason {_MALFORMED} and no content" + (f": {detail}" if detail else ""),
        json.dumps(body),
    )


def is_partial_call(call: Any) -> bool:
    """A piece of a function call whose arguments stream as `partialArgs` (Vertex AI): the first
    names the function with `willContinue: true`, later ones carry pieces, the last says no more."""
    return isinstance(call, dict) and (call.get("willContinue") is True or "partialArgs" in call or not call)


class PartReader:
    """Turns one candidate's parts into wireai parts, remembering what spans parts: the code a
    `codeExecutionResult` answers, and (in a body) a function call whose arguments arrive in pieces."""

    def __init__(self, provider_name: str | None, body: Any):
        self.provider_name = provider_name
        self.body = body
        self.code_runs = 0
        self._pending: tuple[ToolCallPart, ArgsWriter, list[str]] | None = None

    def read(self, part: Any) -> ModelResponsePart | None:
        """The part this wire part is (None: nothing to show, or a streamed call not yet complete)."""
        if not isinstance(part, dict):
            raise UnexpectedModelBehavior("Gemini part is not an object", json.dumps(self.body))
        signature = part.get("thoughtSignature")
        details = {"thought_signature": signature} if isinstance(signature, str) else None
        value = part.get("text")
        if value is not None:  # the common case first: a slice of text or of a thought
            if not isinstance(value, str):
                raise UnexpectedModelBehavior("Gemini part text is not a string", json.dumps(self.body))
            if part.get("thought"):
                return ThinkingPart(value, signature=signature if isinstance(signature, str) else None,
                                    provider_name=self.provider_name)  # fmt: skip
            if not value and details is None:
                return None
            return TextPart(value, provider_details=details)
        if "functionCall" in part:
            call = part["functionCall"]
            if is_partial_call(call) and (self._pending is not None or obj(call).get("name")):
                return self._piece(call, details)
            return function_call_part(call, details, self.body)
        if "executableCode" in part:
            self.code_runs += 1
            return code_call(part["executableCode"], self.code_call_id, details)
        if "codeExecutionResult" in part:
            return code_result(part["codeExecutionResult"], self.code_call_id, details)
        if "inlineData" in part:
            return None if part.get("thought") else file_part(part["inlineData"], details, self.body)
        if part.get("thought"):  # a thought with only a signature
            return ThinkingPart("", signature=signature if isinstance(signature, str) else None,
                                provider_name=self.provider_name)  # fmt: skip
        return None  # fileData echoes, function responses, kinds Gemini adds later: nothing to show

    @property
    def code_call_id(self) -> str:
        return f"{CODE_EXECUTION}_{max(self.code_runs, 1)}"

    def _piece(self, call: dict[str, Any], details: dict[str, Any] | None) -> ToolCallPart | None:
        if self._pending is None:
            part = function_call_part(
                {k: v for k, v in call.items() if k in ("id", "name")}, details, self.body
            )
            part.args = None
            self._pending = (part, ArgsWriter(), [])
        elif call.get("name"):
            raise UnexpectedModelBehavior(
                "Gemini started a function call before the previous one's arguments ended",
                json.dumps(self.body),
            )
        part, writer, pieces = self._pending
        for piece in partial_args(call, self.body):
            pieces.append(writer.write(piece))
        if call.get("willContinue") is True:
            return None
        pieces.append(writer.finish())
        self._pending = None
        part.args = json.loads("".join(pieces))
        return part

    def check_complete(self, parts: list[ModelResponsePart]) -> None:
        if self._pending is not None:
            part, _, pieces = self._pending
            part.args = "".join(pieces)
            raise UnexpectedModelBehavior(
                f"Gemini's streamed arguments of function call {part.tool_name!r} never completed "
                "(the last piece still said willContinue)",
                json.dumps(self.body),
                response=ModelResponse([*parts, part]),
            )


def partial_args(call: Mapping[str, Any], body: Any) -> list[Any]:
    pieces = call.get("partialArgs") or []
    if not isinstance(pieces, list):
        raise UnexpectedModelBehavior("Gemini functionCall partialArgs is not a list", json.dumps(body))
    return pieces


def function_call_part(call: Any, details: dict[str, Any] | None, body: Any) -> ToolCallPart:
    """A whole `functionCall` as a `ToolCallPart` (its id kept when Gemini sent one)."""
    if not isinstance(call, dict) or not isinstance(call.get("name"), str) or not call["name"]:
        raise UnexpectedModelBehavior("Gemini functionCall has no name", json.dumps(body))
    args = call.get("args")
    if args is not None and not isinstance(args, dict):
        raise UnexpectedModelBehavior("Gemini functionCall args are not an object", json.dumps(body))
    return ToolCallPart(call["name"], args or {}, call_id(call.get("id")), provider_details=details)


def file_part(blob: Any, details: dict[str, Any] | None, body: Any) -> FilePart:
    """An `inlineData` part of the answer (a generated image, a plot from code execution)."""
    blob = obj(blob)
    data, mime = blob.get("data"), blob.get("mimeType")
    if not isinstance(data, str) or not isinstance(mime, str) or not mime:
        raise UnexpectedModelBehavior(
            "Gemini inlineData needs base64 `data` and a `mimeType`", json.dumps(body)
        )
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise UnexpectedModelBehavior("Gemini inlineData is not base64", json.dumps(body)[:2000]) from None
    return FilePart(BinaryContent(raw, mime), provider_details=details)


def _finish(raw: Any) -> FinishReason | None:
    return FINISH_REASONS.get(raw) if isinstance(raw, str) else None


def finish_details(raw_finish: Any, candidate: Mapping[str, Any]) -> dict[str, Any] | None:
    """The response's `provider_details`: the raw finish reason, Google's words on it and the
    candidate's safety ratings."""
    details: dict[str, Any] = {}
    if isinstance(raw_finish, str):
        details["finish_reason"] = raw_finish
    if candidate.get("finishMessage"):
        details["finish_message"] = candidate["finishMessage"]
    if candidate.get("safetyRatings"):
        details["safety_ratings"] = candidate["safetyRatings"]
    return details or None


def parse_usage(meta: Any) -> RequestUsage:
    """`usageMetadata`: `promptTokenCount` already includes cached tokens (`cachedContentTokenCount`,
    reported as cache reads); thoughts are output tokens; tool-use prompt tokens (what native tools
    fed the model) are input."""
    if not isinstance(meta, dict):
        return RequestUsage()
    details: dict[str, int] = {}
    thoughts = token_count(meta.get("thoughtsTokenCount"))
    tool_prompt = token_count(meta.get("toolUsePromptTokenCount"))
    if thoughts:
        details["reasoning_tokens"] = thoughts
    if tool_prompt:
        details["tool_use_prompt_tokens"] = tool_prompt
    _modality_details(meta, details)
    return RequestUsage(
        input_tokens=token_count(meta.get("promptTokenCount")) + tool_prompt,
        output_tokens=token_count(meta.get("candidatesTokenCount")) + thoughts,
        cache_read_tokens=token_count(meta.get("cachedContentTokenCount")),
        details=details or None,
    )


def _modality_details(meta: Mapping[str, Any], details: dict[str, int]) -> None:
    for field_name, suffix in (
        ("promptTokensDetails", "prompt_tokens"),
        ("candidatesTokensDetails", "candidates_tokens"),
        ("cacheTokensDetails", "cache_tokens"),
        ("toolUsePromptTokensDetails", "tool_use_prompt_tokens"),
    ):
        for entry in meta.get(field_name) or []:
            if isinstance(entry, dict) and isinstance(entry.get("modality"), str):
                details[f"{entry['modality'].lower()}_{suffix}"] = token_count(entry.get("tokenCount"))


def parse_count_tokens_response(
    body: bytes | str | Mapping[str, Any], *, model_name: str | None = None
) -> RequestUsage:
    """A `CountTokensResponse`: `totalTokens` as the input tokens (`cachedContentTokenCount` as cache
    reads on the Gemini API; Vertex AI's `totalBillableCharacters` in `details`)."""
    data = json_object(body, "Gemini countTokens")
    raise_error(data, model_name or "")
    if not isinstance(data.get("totalTokens"), int):
        raise UnexpectedModelBehavior("Gemini countTokens answered without totalTokens", json.dumps(data))
    details: dict[str, int] = {}
    _modality_details(data, details)
    if "totalBillableCharacters" in data:
        details["billable_characters"] = token_count(data["totalBillableCharacters"])
    return RequestUsage(
        input_tokens=data["totalTokens"],
        cache_read_tokens=token_count(data.get("cachedContentTokenCount")),
        details=details or None,
    )
