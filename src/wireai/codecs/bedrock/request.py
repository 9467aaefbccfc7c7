"""Converse / ConverseStream and CountTokens requests: our messages and settings as the request body.

The model id is a URI member (`model/{modelId}/converse[-stream]`, `model/{modelId}/count-tokens`),
never part of the body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..._params import ModelRequestParameters, ToolDefinition
from ...exceptions import UserError
from ...messages import (
    FilePart,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    RetryPromptPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from ...profiles import DEFAULT_PROFILE, ModelProfile
from .._base import (
    WireRequest,
    assistant_blocks,
    block_messages,
    claude_thinking_on,
    file_followup_content,
    finish_request,
    resolve_tool_choice,
    tool_input,
)
from .common import PROVIDER_NAME, cache_point, count_tokens_path, request_path
from .content import DocumentNamer, add_cache_point, file_block, limit_cache_points, tool_result, user_blocks
from .native_tools import (
    check_native_tools_for,
    native_call_block,
    native_return_block,
    system_tool_entries,
    wire_tool_name,
)
from .options import model_fields, service_tier

__all__ = [
    "build_count_tokens_request",
    "build_request",
    "converse_body",
    "map_messages",
    "tool_use_block",
]

_INFERENCE = (("max_tokens", "maxTokens"), ("temperature", "temperature"), ("top_p", "topP"))
_PASSED_THROUGH = (
    ("bedrock_guardrail_config", "guardrailConfig"),
    ("bedrock_performance_configuration", "performanceConfig"),
    ("bedrock_request_metadata", "requestMetadata"),
    ("bedrock_additional_model_response_fields_paths", "additionalModelResponseFieldPaths"),
    ("bedrock_prompt_variables", "promptVariables"),
)
_COUNTED = ("messages", "system", "toolConfig", "additionalModelRequestFields")
"""The members of a Converse body that CountTokens' `input.converse` takes."""


def build_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    stream: bool = False,
    profile: ModelProfile | None = None,
) -> WireRequest:
    """`POST model/{model}/converse` (or `converse-stream`). `settings` may carry the `bedrock_*` keys
    of `BedrockModelSettings` and the portable `thinking` / `service_tier`; the profile says what this
    model family takes (`toolChoice`, native tools, cache points, files in tool results, thinking).

    Prompted output needs nothing here: the agent puts the schema (in the output's own template) into
    the instructions, which go out as the last `system` block.
    """
    s: Mapping[str, Any] = settings or {}
    accept = "application/vnd.amazon.eventstream" if stream else "application/json"
    headers = {"content-type": "application/json", "accept": accept}
    body = converse_body(messages, params, s, model=model, profile=profile)
    return finish_request(WireRequest("POST", request_path(model, stream=stream), body, headers), s)


def build_count_tokens_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    profile: ModelProfile | None = None,
) -> WireRequest:
    """`POST model/{model}/count-tokens` with `{input: {converse: {messages, system, toolConfig,
    additionalModelRequestFields}}}`: the Converse request this would be, minus what CountTokens does
    not take (inference and output settings), for the foundation model behind an inference profile.
    `extra_body` merges into the Converse body it counts."""
    s: Mapping[str, Any] = settings or {}
    converse = WireRequest("POST", "", converse_body(messages, params, s, model=model, profile=profile))
    finish_request(converse, s)
    counted = {key: value for key, value in (converse.body or {}).items() if key in _COUNTED}
    request = WireRequest(
        "POST",
        count_tokens_path(model),
        {"input": {"converse": counted}},
        {"content-type": "application/json", "accept": "application/json"},
    )
    return finish_request(request, {"extra_headers": s.get("extra_headers")})


def converse_body(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any],
    *,
    model: str,
    profile: ModelProfile | None = None,
) -> dict[str, Any]:
    """The Converse request body (before `extra_body`)."""
    s = settings
    p = profile or DEFAULT_PROFILE
    check_native_tools_for(params, p, model)
    caching = bool(p.extra.get("bedrock_prompt_caching", True))
    declared = {entry["systemTool"]["name"] for entry in system_tool_entries(params)}
    system, turns = map_messages(
        messages,
        caching=caching,
        inline_files=bool(p.extra.get("bedrock_files_in_tool_results", True)),
        system_tools=declared,
    )
    if s.get("bedrock_cache_instructions") and system:
        system.append(cache_point(s["bedrock_cache_instructions"]))
    if s.get("bedrock_cache_messages") and turns and turns[-1]["role"] == "user":
        add_cache_point(turns[-1]["content"], s["bedrock_cache_messages"])
    body: dict[str, Any] = {"messages": turns}
    if system:
        body["system"] = system

    fields = model_fields(s, p, model)
    additional = {**fields.additional, **(s.get("bedrock_additional_model_requests_fields") or {})}
    inference = {wire: s[key] for key, wire in _INFERENCE if s.get(key) is not None}
    if fields.max_tokens is not None:
        inference["maxTokens"] = fields.max_tokens
    if s.get("stop_sequences"):
        inference["stopSequences"] = list(s["stop_sequences"])
    if inference:
        body["inferenceConfig"] = inference

    supports_tool_choice = bool(p.extra.get("bedrock_supports_tool_choice", True))
    if params.tool_defs or params.native_tools:
        body["toolConfig"] = _tool_config(params, s, supports_tool_choice, additional.get("thinking"))
    elif history_tools := _tools_in_history(turns):
        # Converse rejects toolUse/toolResult blocks in the history unless `toolConfig` is defined
        # (a ValidationException), e.g. a text-only run continuing a conversation that used tools.
        body["toolConfig"] = {"tools": history_tools}
    limit_cache_points(system, body.get("toolConfig", {}).get("tools", []), turns)

    output_config: dict[str, Any] = {}
    output = params.output_object
    if params.output_mode == "native" and output is not None:
        json_schema: dict[str, Any] = {"schema": json.dumps(output.json_schema, ensure_ascii=False)}
        if output.name:
            json_schema["name"] = output.name
        if output.description:
            json_schema["description"] = output.description
        output_config["textFormat"] = {"type": "json_schema", "structure": {"jsonSchema": json_schema}}
    if fields.effort is not None:
        output_config["effort"] = fields.effort
    if output_config:
        body["outputConfig"] = output_config

    if additional:
        body["additionalModelRequestFields"] = additional
    for key, wire in _PASSED_THROUGH:
        if s.get(key):
            body[wire] = s[key]
    tier = service_tier(s)
    if tier is not None:
        body["serviceTier"] = tier
    return body


def _tool_config(
    params: ModelRequestParameters, settings: Mapping[str, Any], supports_tool_choice: bool, thinking: Any
) -> dict[str, Any]:
    tools: list[dict[str, Any]] = [{"toolSpec": _tool_spec(t)} for t in params.tool_defs]
    tools.extend(system_tool_entries(params))
    if settings.get("bedrock_cache_tool_definitions"):
        tools.append(cache_point(settings["bedrock_cache_tool_definitions"]))
    config: dict[str, Any] = {"tools": tools}
    if supports_tool_choice and params.tool_defs:
        # Claude refuses a forced tool while extended thinking is on; `auto` is the only choice then.
        names = [t.name for t in params.tool_defs]
        wanted = resolve_tool_choice(
            settings, params.allow_text_output, names, can_force=not claude_thinking_on(thinking)
        )
        if wanted == "none":
            raise UserError("Bedrock Converse has no tool_choice 'none' (only auto, any and a named tool)")
        if wanted in ("auto", "required"):
            config["toolChoice"] = {"auto": {}} if wanted == "auto" else {"any": {}}
        else:
            config["toolChoice"] = {"tool": {"name": wanted}}
    return config


def _tools_in_history(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A declaration for each function tool the history called, taking any object: enough for Converse to accept it."""
    names = dict.fromkeys(
        block["toolUse"]["name"]
        for message in messages
        for block in message["content"]
        if "toolUse" in block and "type" not in block["toolUse"]
    )
    return [
        {"toolSpec": {"name": name, "inputSchema": {"json": {"type": "object", "properties": {}}}}}
        for name in names
    ]


def _tool_spec(tool: ToolDefinition) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": tool.name}
    if tool.description:
        spec["description"] = tool.description
    spec["inputSchema"] = {"json": tool.parameters_json_schema}
    if tool.strict:
        spec["strict"] = True
    return spec


def map_messages(
    messages: Sequence[ModelMessage],
    *,
    caching: bool = True,
    inline_files: bool = True,
    system_tools: frozenset[str] | set[str] = frozenset(),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Our history as Bedrock `system` blocks and alternating `user`/`assistant` messages.

    Converse rejects two messages of the same role in a row, so consecutive turns of one role (tool
    results followed by a retry, say) are merged into one message. `caching`: whether `CachePoint`s
    become `cachePoint` blocks (else they are left out); `inline_files`: whether files a tool returned
    go inside its `toolResult` (else after the tool results, in the user content). Bedrock's own
    system tool calls and results go back as received where this request declares the tool
    (`system_tools`, by wire name); without it Converse could not take them (and would run the tool
    again under a permission the caller may lack), so they are left out.
    """
    documents = DocumentNamer()

    def request_blocks(part: Any) -> list[dict[str, Any]]:
        if isinstance(part, UserPromptPart):
            return user_blocks(part.content, documents, caching=caching)
        if isinstance(part, ToolReturnPart):
            return tool_result(part, documents, inline_files=inline_files, caching=caching)
        if isinstance(part, RetryPromptPart):
            if part.tool_name is None:
                return [_text_block(part.model_response())]
            result = {
                "toolUseId": part.tool_call_id,
                "content": [{"text": part.model_response()}],
                "status": "error",
            }
            return [{"toolResult": result}]
        return []

    def follow_up(message: ModelRequest) -> list[dict[str, Any]]:
        files = [item for part in message.parts if isinstance(part, ToolReturnPart) for item in part.files()]
        return user_blocks(file_followup_content(files), documents, caching=caching)

    def native_block(part: NativeToolCallPart | NativeToolReturnPart) -> dict[str, Any] | None:
        if part.provider_name != PROVIDER_NAME or wire_tool_name(part) not in system_tools:
            return None
        if isinstance(part, NativeToolCallPart):
            return native_call_block(part, tool_input(part))
        return native_return_block(part)

    def assistant_content(response: ModelResponse) -> list[dict[str, Any]]:
        return assistant_blocks(
            response,
            _text_block,
            tool_use_block,
            _reasoning_block,
            native_block=native_block,
            file_block=_file_part_block,
        )

    return block_messages(
        messages, _text_block, request_blocks, assistant_content, None if inline_files else follow_up
    )


def _text_block(text: str) -> dict[str, Any]:
    return {"text": text}


def tool_use_block(part: ToolCallPart) -> dict[str, Any]:
    """A call as a `toolUse` content block (arguments the model malformed go back as `{}`)."""
    return {"toolUse": {"toolUseId": part.tool_call_id, "name": part.tool_name, "input": tool_input(part)}}


def _file_part_block(part: FilePart) -> dict[str, Any] | None:
    """An image Bedrock generated goes back as the `image` block it came in; other files (and
    other vendors' images) are left out."""
    if part.provider_name != PROVIDER_NAME or not part.content.is_image or not part.content.data:
        return None
    return file_block(part.content, DocumentNamer())


def _reasoning_block(part: ThinkingPart) -> dict[str, Any] | None:
    """Bedrock reasoning goes back verbatim (signature included); another vendor's cannot be verified, so is dropped."""
    if part.provider_name not in (None, PROVIDER_NAME):
        return None
    redacted = (part.provider_details or {}).get("redactedContent")
    if isinstance(redacted, str):
        return {"reasoningContent": {"redactedContent": redacted}}
    if not part.content:
        return None
    text: dict[str, Any] = {"text": part.content}
    if part.signature:
        text["signature"] = part.signature
    return {"reasoningContent": {"reasoningText": text}}
