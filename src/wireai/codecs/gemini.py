"""Gemini `generateContent` / `streamGenerateContent?alt=sse`, as served by the Generative Language
API (`google-gla`) and Vertex AI (`google-vertex`): one body format, two hosts.

The codec contract (docs/codecs.md): `build_request` -> `WireRequest` (`models/{model}:generateContent`,
or `:streamGenerateContent` with `alt=sse`), `parse_response` reads a `GenerateContentResponse`,
`StreamParser` reads the SSE stream (each `data:` is a whole `GenerateContentResponse` carrying the
next slice of parts). Field names are spelled as in Google's REST reference (camelCase).

What differs between models and hosts is profile data (`ModelProfile.extra`), set by the providers:
- `gemini_vertex`: the body is for Vertex AI, whose v1 `FunctionCall`/`FunctionResponse` have no
  `id` (Vertex rejects unknown fields, so ids are left out) and which alone accepts `labels`;
- `gemini_json_schema`: tool and output schemas go as full JSON Schema (`parametersJsonSchema`,
  `responseJsonSchema`, Gemini 2.5+) instead of the converted OpenAPI subset;
- `gemini_native_output_with_tools`: False for models (before Gemini 3) that cannot combine
  `responseSchema` with function calling; unset, the vendor is left to decide.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .._params import ModelRequestParameters, ToolDefinition
from ..exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError, snippet
from ..messages import (
    BinaryContent,
    CachePoint,
    FinishReason,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    ModelResponseStreamEvent,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from ..profiles import DEFAULT_PROFILE, ModelProfile
from ..usage import RequestUsage
from ._base import (
    NO_EVENTS,
    BaseStreamParser,
    WireRequest,
    append_turn,
    check_native_tools,
    finish_request,
    json_object,
    latest_instructions,
    loads,
    parse_error,
    resolve_tool_choice,
    text,
    token_count,
)
from .gemini_schema import strip_json_schema, to_gemini_schema

__all__ = [
    "FINISH_REASONS",
    "PROVIDER_NAMES",
    "SKIP_SIGNATURE",
    "StreamParser",
    "build_request",
    "function_call",
    "parse_error",
    "parse_response",
    "parse_usage",
]

PROVIDER_NAMES = ("google-gla", "google-vertex")

# Google's documented sentinel for a function call that has no signature of its own (history
# written by another model): Gemini 3 otherwise rejects the turn with a 400.
SKIP_SIGNATURE = base64.b64encode(b"skip_thought_signature_validator").decode()

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
}

# A candidate ending for one of these reasons with no content is a refusal, not an empty answer.
_BLOCKED = {k for k, v in FINISH_REASONS.items() if v == "content_filter"} | {"MALFORMED_FUNCTION_CALL"}

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

# ModelSettings key -> generationConfig field.
_GENERATION_SETTINGS = {
    "max_tokens": "maxOutputTokens",
    "temperature": "temperature",
    "top_p": "topP",
    "top_k": "topK",
    "seed": "seed",
    "stop_sequences": "stopSequences",
    "presence_penalty": "presencePenalty",
    "frequency_penalty": "frequencyPenalty",
}


# ============================================================================================ request


def build_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    stream: bool = False,
    profile: ModelProfile | None = None,
) -> WireRequest:
    """`POST models/{model}:generateContent` (`:streamGenerateContent?alt=sse` when streaming) with a
    `GenerateContentRequest` body; `settings` may carry `gemini_*`/`google_*` keys
    (`safety_settings`, `thinking_config`, and on Vertex `labels`)."""
    s: Mapping[str, Any] = settings or {}
    extra = (profile or DEFAULT_PROFILE).extra
    vertex = bool(extra.get("gemini_vertex"))
    check_native_tools(params, (), "Vertex AI" if vertex else "Gemini")
    json_schema = bool(extra.get("gemini_json_schema"))
    function_tools = params.function_tools
    output_object = params.output_object
    native = params.output_mode == "native" and output_object is not None
    if native and function_tools and not extra.get("gemini_native_output_with_tools", True):
        raise UserError(
            f"{model} cannot combine NativeOutput with function tools in one request; "
            "use ToolOutput (the default) or PromptedOutput"
        )
    system, contents = map_messages(messages, call_ids=not vertex)
    body: dict[str, Any] = {"contents": contents}
    if system:
        body["systemInstruction"] = {"parts": [{"text": "\n\n".join(system)}]}

    tools = params.tool_defs
    if tools:
        body["tools"] = [{"functionDeclarations": [_function_declaration(t, json_schema) for t in tools]}]
        wanted = resolve_tool_choice(s, params.allow_text_output, (t.name for t in tools))
        if wanted == "required":
            calling: dict[str, Any] = {"mode": "ANY", "allowedFunctionNames": [t.name for t in tools]}
        elif wanted == "none":
            calling = {"mode": "NONE"}
        elif wanted != "auto":
            calling = {"mode": "ANY", "allowedFunctionNames": [wanted]}
        if wanted != "auto":
            body["toolConfig"] = {"functionCallingConfig": calling}

    generation: dict[str, Any] = {}
    for key, field_name in _GENERATION_SETTINGS.items():
        if s.get(key) is not None:
            generation[field_name] = s[key]
    if native and output_object is not None:
        generation["responseMimeType"] = "application/json"
        if json_schema:
            generation["responseJsonSchema"] = strip_json_schema(output_object.json_schema)
        else:
            generation["responseSchema"] = to_gemini_schema(output_object.json_schema)
    elif params.output_mode == "prompted" and not function_tools:
        generation["responseMimeType"] = "application/json"
    thinking = _setting(s, "thinking_config")
    if thinking is not None:
        generation["thinkingConfig"] = _camel_keys(thinking)
    if generation:
        body["generationConfig"] = generation

    safety = _setting(s, "safety_settings")
    if safety:
        body["safetySettings"] = [_camel_keys(item) for item in safety]
    labels = _setting(s, "labels")
    if labels:
        if not vertex:
            raise UserError("`gemini_labels` is a Vertex AI feature; the Generative Language API rejects it")
        body["labels"] = dict(labels)
    method = "streamGenerateContent" if stream else "generateContent"
    request = WireRequest(
        "POST",
        f"models/{model}:{method}",
        body,
        {"content-type": "application/json"},
        {"alt": "sse"} if stream else {},
    )
    return finish_request(request, s)


def _setting(settings: Mapping[str, Any], name: str) -> Any:
    # PydanticAI spelled these `gemini_*` (GeminiModel) and later `google_*` (GoogleModel).
    value = settings.get(f"gemini_{name}")
    return value if value is not None else settings.get(f"google_{name}")


def _camel_keys(value: dict[str, Any]) -> dict[str, Any]:
    """`{'thinking_budget': 0}` -> `{'thinkingBudget': 0}`: users copy either spelling from Google's docs."""
    out = {}
    for key, item in value.items():
        head, *rest = key.split("_")
        out[head + "".join(w[:1].upper() + w[1:] for w in rest)] = item
    return out


def _function_declaration(tool: ToolDefinition, json_schema: bool) -> dict[str, Any]:
    # `description` is REQUIRED in Google's FunctionDeclaration: an undocumented tool sends "".
    declaration: dict[str, Any] = {"name": tool.name, "description": tool.description or ""}
    schema = tool.parameters_json_schema
    if json_schema:
        declaration["parametersJsonSchema"] = strip_json_schema(schema)
    elif schema.get("properties") or schema.get("$ref") or schema.get("anyOf"):
        # Gemini rejects an OBJECT with no properties; a tool without arguments omits `parameters`.
        declaration["parameters"] = to_gemini_schema(schema)
    return declaration


def map_messages(
    messages: Sequence[ModelMessage], *, call_ids: bool = True
) -> tuple[list[str], list[dict[str, Any]]]:
    """System texts and `contents`; adjacent turns of one role are merged, as Gemini wants parallel
    function responses in one `user` turn."""
    system: list[str] = []
    contents: list[dict[str, Any]] = []
    instructions = latest_instructions(messages)

    for message in messages:
        if isinstance(message, ModelRequest):
            parts: list[dict[str, Any]] = []
            for part in message.parts:
                if isinstance(part, SystemPromptPart):
                    system.append(part.content)
                elif isinstance(part, UserPromptPart):
                    parts.extend(_user_parts(part))
                elif isinstance(part, ToolReturnPart):
                    parts.append(
                        _function_response(
                            part.tool_name,
                            part.tool_call_id if call_ids else None,
                            part.model_response_object(),
                        )
                    )
                elif isinstance(part, RetryPromptPart):
                    if part.tool_name is None:
                        parts.append({"text": part.model_response()})
                    else:
                        error = {"call_error": part.model_response()}
                        parts.append(
                            _function_response(part.tool_name, part.tool_call_id if call_ids else None, error)
                        )
            append_turn(contents, "user", parts, key="parts")
        else:
            append_turn(contents, "model", _model_parts(message, call_ids), key="parts")
    if instructions:
        system.append(instructions)
    if not contents:
        # Gemini requires at least one turn; a run with only instructions still asks something.
        contents.append({"role": "user", "parts": [{"text": ""}]})
    return system, contents


def _function_response(name: str, tool_call_id: str | None, response: dict[str, Any]) -> dict[str, Any]:
    function_response: dict[str, Any] = {"name": name, "response": response}
    if _is_vendor_id(tool_call_id):
        function_response = {"id": tool_call_id, **function_response}
    return {"functionResponse": function_response}


def _is_vendor_id(tool_call_id: str | None) -> bool:
    # Ids wireai made up (Gemini sent none) must not be sent back as if Gemini had.
    return bool(tool_call_id) and not str(tool_call_id).startswith("pyd_ai_")


def _user_parts(part: UserPromptPart) -> list[dict[str, Any]]:
    if isinstance(part.content, str):
        return [{"text": part.content}]
    out: list[dict[str, Any]] = []
    for item in part.content:
        if isinstance(item, str):
            out.append({"text": item})
        elif isinstance(item, BinaryContent):
            out.append({"inlineData": {"mimeType": item.media_type, "data": item.base64}})
        elif isinstance(item, CachePoint):
            continue  # Gemini caches on its own (or through `cachedContent`)
        else:
            if item.force_download:
                raise UserError(
                    f"Gemini fetches {item.url!r} itself; to send the bytes inline, download them and pass "
                    "`BinaryContent(data, media_type)` instead of `force_download=True`"
                )
            out.append({"fileData": {"mimeType": item.media_type, "fileUri": item.url}})
    return out


def _model_parts(response: ModelResponse, call_ids: bool = True) -> list[dict[str, Any]]:
    own = response.provider_name in PROVIDER_NAMES or response.provider_name is None
    out: list[dict[str, Any]] = []
    for part in response.parts:
        signature = (part.provider_details or {}).get("thought_signature")
        if isinstance(part, TextPart):
            if not part.content and not signature:
                continue
            item: dict[str, Any] = {"text": part.content}
        elif isinstance(part, ThinkingPart):
            if part.provider_name not in PROVIDER_NAMES and part.provider_name is not None:
                continue  # another vendor's reasoning means nothing to Gemini
            item = {"text": part.content, "thought": True}
            signature = part.signature or signature
        elif isinstance(part, ToolCallPart):
            item = {"functionCall": function_call(part, call_ids=call_ids)}
            if not signature and not own:
                signature = SKIP_SIGNATURE
        else:
            continue  # parts of other vendors' native tools mean nothing to Gemini
        if signature:
            item["thoughtSignature"] = signature
        out.append(item)
    return out


def function_call(part: ToolCallPart, *, call_ids: bool = True) -> dict[str, Any]:
    """A `FunctionCall` for a tool call: its id only when Gemini minted it and the host takes ids."""
    call: dict[str, Any] = {"name": part.tool_name, "args": _args_dict(part)}
    if call_ids and _is_vendor_id(part.tool_call_id):
        call = {"id": part.tool_call_id, **call}
    return call


def _args_dict(part: ToolCallPart) -> dict[str, Any]:
    try:
        return part.args_as_dict()
    except ValueError:
        # Malformed arguments from an earlier turn: send them as Gemini's Struct needs an object.
        return {"raw_arguments": part.args_as_json_str()}


# ============================================================================================ response


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    profile: ModelProfile | None = None,
) -> ModelResponse:
    """A `GenerateContentResponse` as a `ModelResponse`; a blocked or empty answer is `UnexpectedModelBehavior`.

    The provider is left unnamed (one body format, two hosts): the caller names it, as wireai's
    models do with `stamp_provider`.
    """
    data = json_object(body, "Gemini")
    _raise_error(data, model_name or "")
    candidate = _first_candidate(data)
    parts_in = _candidate_parts(candidate, data)
    raw_finish = candidate.get("finishReason")
    if not parts_in:
        _raise_blocked(raw_finish, candidate, data)
    parts: list[ModelResponsePart] = []
    for part in parts_in:
        converted = _response_part(part, None, data)
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
    return ModelResponse(
        parts=parts,
        usage=parse_usage(data.get("usageMetadata")),
        model_name=text(data.get("modelVersion")) or model_name,
        provider_response_id=text(data.get("responseId")),
        finish_reason=_finish(raw_finish),
        provider_details=_details(raw_finish, candidate),
    )


def _raise_error(body: Mapping[str, Any], model_name: str) -> None:
    error = body.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        status = (
            code
            if isinstance(code, int) and 400 <= code < 600
            else _STATUS_CODES.get(error.get("status", ""), 500)
        )
        raise ModelHTTPError(status, model_name, dict(body))


def _first_candidate(body: dict[str, Any]) -> dict[str, Any]:
    candidates = body.get("candidates")
    feedback = body.get("promptFeedback")
    if isinstance(feedback, dict) and feedback.get("blockReason"):
        reason = feedback["blockReason"]
        message = feedback.get("blockReasonMessage")
        raise UnexpectedModelBehavior(
            f"Gemini blocked the prompt: {reason}" + (f" ({message})" if message else ""), json.dumps(body)
        )
    if not isinstance(candidates, list) or not candidates or not isinstance(candidates[0], dict):
        raise UnexpectedModelBehavior("Gemini returned no candidates", json.dumps(body))
    return candidates[0]


def _candidate_parts(candidate: dict[str, Any], body: dict[str, Any]) -> list[Any]:
    content = candidate.get("content")
    if content is None:
        return []
    if not isinstance(content, dict):
        raise UnexpectedModelBehavior("Gemini candidate content is not an object", json.dumps(body))
    parts = content.get("parts") or []
    if not isinstance(parts, list):
        raise UnexpectedModelBehavior("Gemini candidate parts are not a list", json.dumps(body))
    return parts


def _raise_blocked(raw_finish: Any, candidate: dict[str, Any], body: dict[str, Any]) -> None:
    if raw_finish in _BLOCKED:
        detail = candidate.get("finishMessage") or ""
        raise UnexpectedModelBehavior(
            f"Gemini stopped with finishReason {raw_finish} and no content"
            + (f": {detail}" if detail else ""),
            json.dumps(body),
        )


def _response_part(part: Any, provider_name: str | None, body: Any) -> ModelResponsePart | None:
    if not isinstance(part, dict):
        raise UnexpectedModelBehavior("Gemini part is not an object", json.dumps(body))
    signature = part.get("thoughtSignature")
    details = {"thought_signature": signature} if isinstance(signature, str) else None
    if "functionCall" in part:
        call = part["functionCall"]
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            raise UnexpectedModelBehavior("Gemini functionCall has no name", json.dumps(body))
        args = call.get("args")
        if args is not None and not isinstance(args, dict):
            raise UnexpectedModelBehavior("Gemini functionCall args are not an object", json.dumps(body))
        tool_part = ToolCallPart(call["name"], args or {}, provider_details=details)
        if isinstance(call.get("id"), str) and call["id"]:
            tool_part.tool_call_id = call["id"]
        return tool_part
    text = part.get("text")
    if text is not None and not isinstance(text, str):
        raise UnexpectedModelBehavior("Gemini part text is not a string", json.dumps(body))
    if part.get("thought"):
        return ThinkingPart(
            text or "",
            signature=signature if isinstance(signature, str) else None,
            provider_name=provider_name,
        )
    if text is not None:
        if not text and details is None:
            return None
        return TextPart(text, provider_details=details)
    # executableCode, inlineData outputs, ...: not modelled; kept out rather than failing the turn.
    return None


def _finish(raw: Any) -> FinishReason | None:
    return FINISH_REASONS.get(raw) if isinstance(raw, str) else None


def _details(raw_finish: Any, candidate: dict[str, Any]) -> dict[str, Any] | None:
    details: dict[str, Any] = {}
    if isinstance(raw_finish, str):
        details["finish_reason"] = raw_finish
    if candidate.get("safetyRatings"):
        details["safety_ratings"] = candidate["safetyRatings"]
    return details or None


def parse_usage(meta: Any) -> RequestUsage:
    """`usageMetadata`: `promptTokenCount` already includes cached tokens; thoughts are output tokens."""
    if not isinstance(meta, dict):
        return RequestUsage()
    details: dict[str, int] = {}
    thoughts = token_count(meta.get("thoughtsTokenCount"))
    tool_prompt = token_count(meta.get("toolUsePromptTokenCount"))
    if thoughts:
        details["reasoning_tokens"] = thoughts
    if tool_prompt:
        details["tool_use_prompt_tokens"] = tool_prompt
    for field_name, suffix in (
        ("promptTokensDetails", "prompt_tokens"),
        ("candidatesTokensDetails", "candidates_tokens"),
        ("cacheTokensDetails", "cache_tokens"),
    ):
        for entry in meta.get(field_name) or []:
            if isinstance(entry, dict) and isinstance(entry.get("modality"), str):
                details[f"{entry['modality'].lower()}_{suffix}"] = token_count(entry.get("tokenCount"))
    return RequestUsage(
        input_tokens=token_count(meta.get("promptTokenCount")) + tool_prompt,
        output_tokens=token_count(meta.get("candidatesTokenCount")) + thoughts,
        cache_read_tokens=token_count(meta.get("cachedContentTokenCount")),
        details=details or None,
    )


# ============================================================================================ stream


class StreamParser(BaseStreamParser):
    """`streamGenerateContent?alt=sse`: text and thoughts arrive in slices, function calls whole,
    `usageMetadata` and `finishReason` are final in the last chunk. There is no `[DONE]`: a stream
    that ends before any chunk carried a `finishReason` was cut off."""

    def __init__(
        self,
        params: ModelRequestParameters | None = None,
        *,
        model_name: str | None = None,
        profile: ModelProfile | None = None,
    ):
        super().__init__(params, model_name=model_name, profile=profile)
        self._calls = 0
        self._finished = False

    def _frame(self, event: Any) -> Sequence[ModelResponseStreamEvent]:
        data = event.data
        if not data.strip():
            return NO_EVENTS
        try:
            chunk = loads(data)
        except ValueError:
            raise UnexpectedModelBehavior("Gemini stream chunk is not JSON", snippet(data)) from None
        if not isinstance(chunk, dict):
            raise UnexpectedModelBehavior("Gemini stream chunk is not an object", snippet(data))
        _raise_error(chunk, self.model_name)
        if isinstance(chunk.get("usageMetadata"), dict):
            self.usage = parse_usage(chunk["usageMetadata"])
        if isinstance(chunk.get("modelVersion"), str):
            self.model_name = chunk["modelVersion"]
        if isinstance(chunk.get("responseId"), str):
            self.provider_response_id = chunk["responseId"]
        candidates = chunk.get("candidates")
        if not candidates:
            # A usage-only chunk is normal; a blocked prompt is not.
            if isinstance(chunk.get("promptFeedback"), dict) and chunk["promptFeedback"].get("blockReason"):
                _first_candidate(chunk)
            return NO_EVENTS
        candidate = _first_candidate(chunk)
        events: list[ModelResponseStreamEvent] = []
        for part in _candidate_parts(candidate, chunk):
            event = self._part(part, chunk)
            if event is not None:
                events.append(event)
        raw_finish = candidate.get("finishReason")
        if isinstance(raw_finish, str):
            self._finished = True
            self.finish_reason = _finish(raw_finish)
            self.provider_details = _details(raw_finish, candidate)
            if not self.parts.get_parts():
                _raise_blocked(raw_finish, candidate, chunk)
        return events

    def _part(self, part: Any, chunk: dict[str, Any]) -> ModelResponseStreamEvent | None:
        converted = _response_part(part, self.provider_name, chunk)
        if converted is None:
            return None
        parts = self.parts
        if isinstance(converted, ToolCallPart):
            self._calls += 1
            return parts.handle_tool_call_part(
                ("call", self._calls),
                converted.tool_name,
                converted.args,
                converted.tool_call_id if _is_vendor_id(converted.tool_call_id) else None,
                provider_details=converted.provider_details,
            )
        if isinstance(converted, ThinkingPart):
            return parts.handle_thinking_delta(
                None, converted.content, signature=converted.signature, provider_name=self.provider_name
            )
        if not isinstance(converted, TextPart):
            return None
        event = parts.handle_text_delta(None, converted.content)
        if converted.provider_details:
            latest = parts.latest()
            if isinstance(latest, TextPart):
                # The signature closes the text it rides on (often an empty final slice).
                latest.provider_details = converted.provider_details
        return event

    def _check_complete(self) -> None:
        if not self._finished:
            raise UnexpectedModelBehavior("The Gemini stream ended before a chunk with a finishReason")
