"""Gemini requests: `GenerateContentRequest` bodies (and `countTokens`), from wireai's messages,
parameters and settings. Field names are spelled as Google's REST reference spells them."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from ..._params import ModelRequestParameters, ToolDefinition
from ...exceptions import UserError
from ...messages import (
    BinaryContent,
    CachePoint,
    FilePart,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    MultiModalContent,
    NativeToolCallPart,
    NativeToolReturnPart,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
)
from ...profiles import DEFAULT_PROFILE, ModelProfile
from .._base import (
    WireRequest,
    append_turn,
    file_followup_content,
    finish_request,
    latest_instructions,
    resolve_tool_choice,
)
from ..gemini_schema import strip_json_schema, to_gemini_schema
from .native_tools import history_part, native_tool_request

__all__ = [
    "PROVIDER_NAMES",
    "SKIP_SIGNATURE",
    "TOOL_RETURN_MIME_TYPES",
    "build_count_tokens_request",
    "build_request",
    "function_call",
    "map_messages",
]

PROVIDER_NAMES = ("google-gla", "google-vertex")

# Google's documented sentinel for a function call that has no signature of its own (history
# written by another model): Gemini 3 otherwise rejects the turn with a 400.
SKIP_SIGNATURE = base64.b64encode(b"skip_thought_signature_validator").decode()

# What Gemini 3 takes inside `functionResponse.parts` (multimodal function responses); any other file
# a tool returns travels in a follow-up user turn.
TOOL_RETURN_MIME_TYPES = ("image/png", "image/jpeg", "image/webp", "application/pdf", "text/plain")

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

# Portable `thinking` levels as Gemini 2.5 thinking budgets (tokens); 24,576 is 2.5 Flash's maximum.
THINKING_BUDGETS = {"minimal": 512, "low": 2048, "medium": 8192, "high": 16384, "xhigh": 24576}
_SERVICE_TIERS = {"auto": None, "default": None, "standard": None, "flex": "flex", "priority": "priority"}


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
    `GenerateContentRequest` body; `settings` may carry `gemini_*`/`google_*` keys (`safety_settings`,
    `thinking_config`, `cached_content`, `service_tier`, `stream_function_call_arguments`, and on
    Vertex `labels`)."""
    s: Mapping[str, Any] = settings or {}
    vertex = bool((profile or DEFAULT_PROFILE).extra.get("gemini_vertex"))
    body = _generate_body(messages, params, s, model=model, profile=profile, vertex=vertex)
    headers: dict[str, str] = {}
    labels = _setting(s, "labels")
    if labels:
        if not vertex:
            raise UserError("`gemini_labels` is a Vertex AI feature; the Generative Language API rejects it")
        body["labels"] = dict(labels)
    tier = _service_tier(s)
    if tier is not None:
        if vertex:  # Vertex AI's Flex / Priority PayGo are chosen by a header
            headers["x-vertex-ai-llm-shared-request-type"] = tier
        else:
            body["serviceTier"] = tier
    method = "streamGenerateContent" if stream else "generateContent"
    request = WireRequest(
        "POST", f"models/{model}:{method}", body, {"content-type": "application/json", **headers},
        {"alt": "sse"} if stream else {},
    )  # fmt: skip
    return finish_request(request, s)


def build_count_tokens_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    profile: ModelProfile | None = None,
) -> WireRequest:
    """`POST models/{model}:countTokens` for what `build_request` would send. The Gemini API takes the
    whole request as `generateContentRequest` (so instructions, tools and cached content count);
    Vertex AI's `CountTokensRequest` takes `contents`, `systemInstruction`, `tools` and
    `generationConfig` at the top level."""
    s: Mapping[str, Any] = settings or {}
    vertex = bool((profile or DEFAULT_PROFILE).extra.get("gemini_vertex"))
    generate = _generate_body(messages, params, s, model=model, profile=profile, vertex=vertex)
    if vertex:
        body = {
            k: v
            for k, v in generate.items()
            if k in ("contents", "systemInstruction", "tools", "generationConfig")
        }
    else:
        body = {"generateContentRequest": {"model": f"models/{model}", **generate}}
    request = WireRequest("POST", f"models/{model}:countTokens", body, {"content-type": "application/json"})
    return finish_request(request, s)


def _generate_body(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    s: Mapping[str, Any],
    *,
    model: str,
    profile: ModelProfile | None,
    vertex: bool,
) -> dict[str, Any]:
    extra = (profile or DEFAULT_PROFILE).extra
    json_schema = bool(extra.get("gemini_json_schema"))
    function_tools = params.function_tools
    output_object = params.output_object
    native = params.output_mode == "native" and output_object is not None
    if native and function_tools and not extra.get("gemini_native_output_with_tools", True):
        raise UserError(
            f"{model} cannot combine NativeOutput with function tools in one request; "
            "use ToolOutput (the default) or PromptedOutput"
        )
    native_tools, native_generation = native_tool_request(params, profile, vertex=vertex, model=model)
    system, contents = map_messages(
        messages, call_ids=not vertex, tool_return_parts=bool(extra.get("gemini_tool_return_parts"))
    )
    body: dict[str, Any] = {"contents": contents}
    if system:
        body["systemInstruction"] = {"parts": [{"text": "\n\n".join(system)}]}

    tools = params.tool_defs
    tool_entries: list[dict[str, Any]] = []
    if tools:
        tool_entries.append({"functionDeclarations": [_function_declaration(t, json_schema) for t in tools]})
    tool_entries.extend(native_tools)
    if tool_entries:
        body["tools"] = tool_entries
    if tools:
        calling = _function_calling(s, params, tools, vertex)
        if calling:
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
    if profile is not None and profile.supports_image_output:
        generation["responseModalities"] = ["TEXT", "IMAGE"]  # what an image model answers with
    generation.update(native_generation)
    thinking = thinking_config(s, profile, model)
    if thinking is not None:
        generation["thinkingConfig"] = thinking
    if generation:
        body["generationConfig"] = generation

    safety = _setting(s, "safety_settings")
    if safety:
        body["safetySettings"] = [_camel_keys(item) for item in safety]
    cached = _setting(s, "cached_content")
    if cached:
        body["cachedContent"] = str(cached)
    return body


def _function_calling(
    s: Mapping[str, Any], params: ModelRequestParameters, tools: Sequence[ToolDefinition], vertex: bool
) -> dict[str, Any]:
    wanted = resolve_tool_choice(s, params.allow_text_output, (t.name for t in tools))
    calling: dict[str, Any] = {}
    if wanted == "required":
        calling = {"mode": "ANY", "allowedFunctionNames": [t.name for t in tools]}
    elif wanted == "none":
        calling = {"mode": "NONE"}
    elif wanted != "auto":
        calling = {"mode": "ANY", "allowedFunctionNames": [wanted]}
    if _setting(s, "stream_function_call_arguments"):
        if not vertex:
            raise UserError(
                "`google_stream_function_call_arguments` is a Vertex AI feature "
                "(`functionCallingConfig.streamFunctionCallArguments`); the Gemini API does not stream arguments"
            )
        calling["streamFunctionCallArguments"] = True
    return calling


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


def thinking_config(
    settings: Mapping[str, Any], profile: ModelProfile | None, model: str
) -> dict[str, Any] | None:
    """`generationConfig.thinkingConfig`: `gemini_thinking_config` as given, else the portable
    `thinking` setting mapped by what the profile says the model does (`extra['gemini_thinking']`:
    `budget` on Gemini 2.5, `level` on Gemini 3, `none` for models that do not think; unset, the
    codec assumes a current, level-based model)."""
    explicit = _setting(settings, "thinking_config")
    if explicit is not None:
        return _camel_keys(dict(explicit))
    thinking = settings.get("thinking")
    if thinking is None:
        return None
    extra = (profile or DEFAULT_PROFILE).extra
    mode = extra.get("gemini_thinking", "level")
    always_on = bool(extra.get("gemini_thinking_always_on")) or mode == "level"
    if mode == "none":
        if thinking is False:
            return None  # a model that cannot think is not thinking
        raise UserError(f"{model} does not think; leave `thinking` unset for it")
    if thinking is False:
        if always_on:
            raise UserError(
                f"{model} always thinks and cannot turn thinking off; "
                f"ask for less with thinking={'low' if mode == 'level' else 'minimal'!r}"
            )
        return {"thinkingBudget": 0}
    config: dict[str, Any] = {"includeThoughts": True}
    if thinking is True:
        return config  # the model's own (dynamic) amount
    if mode == "budget":
        config["thinkingBudget"] = THINKING_BUDGETS[thinking]
        return config
    if thinking == "xhigh" or (thinking == "minimal" and extra.get("gemini_thinking_always_on")):
        raise UserError(
            f"{model} has no thinking level {thinking!r}; its levels are "
            + ("low, medium, high" if thinking == "minimal" else "minimal, low, medium, high")
        )
    config["thinkingLevel"] = str(thinking).upper()
    return config


def _service_tier(settings: Mapping[str, Any]) -> str | None:
    """The tier to ask for (`google_service_tier` wins over the portable `service_tier`); None for
    the standard tier, which is what an absent field means."""
    tier = _setting(settings, "service_tier")
    if tier is None:
        tier = settings.get("service_tier")
    if tier is None:
        return None
    if tier not in _SERVICE_TIERS:
        raise UserError(f"Gemini service tiers are standard, flex and priority, not {tier!r}")
    return _SERVICE_TIERS[tier]


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


# ============================================================================================ messages


def map_messages(
    messages: Sequence[ModelMessage], *, call_ids: bool = True, tool_return_parts: bool = False
) -> tuple[list[str], list[dict[str, Any]]]:
    """System texts and `contents`; adjacent turns of one role are merged, as Gemini wants parallel
    function responses in one `user` turn. With `tool_return_parts` (Gemini 3) images, PDFs and text
    files a tool returned go inside its `functionResponse.parts`; otherwise (and for other kinds)
    they follow in the same user turn, introduced by the name the function response gives them."""
    system: list[str] = []
    contents: list[dict[str, Any]] = []
    instructions = latest_instructions(messages)

    for message in messages:
        if isinstance(message, ModelRequest):
            parts: list[dict[str, Any]] = []
            followups: list[MultiModalContent] = []
            for part in message.parts:
                if isinstance(part, SystemPromptPart):
                    system.append(part.content)
                elif isinstance(part, UserPromptPart):
                    parts.extend(_user_parts(part.content))
                elif isinstance(part, ToolReturnPart):
                    files = part.files()
                    inline = [f for f in files if isinstance(f, BinaryContent) and tool_return_parts
                              and f.media_type in TOOL_RETURN_MIME_TYPES]  # fmt: skip
                    followups.extend(f for f in files if not any(f is i for i in inline))
                    response = _function_response(
                        part.tool_name, part.tool_call_id if call_ids else None, part.model_response_object()
                    )
                    if inline:
                        response["functionResponse"]["parts"] = [_inline(f) for f in inline]
                    parts.append(response)
                elif isinstance(part, RetryPromptPart):
                    if part.tool_name is None:
                        parts.append({"text": part.model_response()})
                    else:
                        error = {"call_error": part.model_response()}
                        parts.append(
                            _function_response(part.tool_name, part.tool_call_id if call_ids else None, error)
                        )
            parts.extend(_user_parts(file_followup_content(followups)))
            append_turn(contents, "user", parts, key="parts")
        else:
            append_turn(contents, "model", _model_parts(message, call_ids), key="parts")
    if instructions:
        system.append(instructions)
    if not contents:
        # Gemini requires at least one turn; a run with only instructions still asks something.
        contents.append({"role": "user", "parts": [{"text": ""}]})
    return system, contents


def _inline(item: BinaryContent) -> dict[str, Any]:
    return {"inlineData": {"mimeType": item.media_type, "data": item.base64}}


def _function_response(name: str, tool_call_id: str | None, response: dict[str, Any]) -> dict[str, Any]:
    function_response: dict[str, Any] = {"name": name, "response": response}
    if is_vendor_id(tool_call_id):
        function_response = {"id": tool_call_id, **function_response}
    return {"functionResponse": function_response}


def is_vendor_id(tool_call_id: str | None) -> bool:
    """Ids wireai made up (Gemini sent none) must not be sent back as if Gemini had."""
    return bool(tool_call_id) and not str(tool_call_id).startswith("pyd_ai_")


def _user_parts(content: str | Sequence[UserContent]) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"text": content}]
    out: list[dict[str, Any]] = []
    for item in content:
        if isinstance(item, str):
            out.append({"text": item})
        elif isinstance(item, BinaryContent):
            out.append(_inline(item))
        elif isinstance(item, CachePoint):
            continue  # Gemini caches implicitly, or explicitly through `google_cached_content`
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
        elif isinstance(part, FilePart):
            item = _inline(part.content)  # an image the model made (its signature, if Gemini's, with it)
        elif isinstance(part, (NativeToolCallPart, NativeToolReturnPart)):
            if part.provider_name not in PROVIDER_NAMES and part.provider_name is not None:
                continue  # other vendors' native tools mean nothing to Gemini
            native = history_part(part)
            if native is not None:
                out.append(native)
            continue
        else:
            continue
        if signature:
            item["thoughtSignature"] = signature
        out.append(item)
    return out


def function_call(part: ToolCallPart, *, call_ids: bool = True) -> dict[str, Any]:
    """A `FunctionCall` for a tool call: its id only when Gemini minted it and the host takes ids."""
    call: dict[str, Any] = {"name": part.tool_name, "args": _args_dict(part)}
    if call_ids and is_vendor_id(part.tool_call_id):
        call = {"id": part.tool_call_id, **call}
    return call


def _args_dict(part: ToolCallPart) -> dict[str, Any]:
    try:
        return part.args_as_dict()
    except ValueError:
        # Malformed arguments from an earlier turn: send them as Gemini's Struct needs an object.
        return {"raw_arguments": part.args_as_json_str()}
