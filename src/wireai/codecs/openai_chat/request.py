"""The request direction: wireai messages, tools and settings -> a `POST chat/completions` request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..._params import ModelRequestParameters, ToolDefinition
from ...exceptions import UserError
from ...messages import (
    AudioUrl,
    BinaryContent,
    CachePoint,
    DocumentUrl,
    ImageUrl,
    ModelMessage,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
    VideoUrl,
)
from ...profiles import ModelProfile
from .._base import (
    WireRequest,
    chat_messages,
    chat_tool_call,
    finish_request,
    resolve_tool_choice,
)
from .native_tools import add_native_tools
from .options import _COMMON_SETTINGS, OPENAI_SETTINGS, ChatOptions
from .portable import portable_fields, thinking_temperature
from .reasoning_details import reasoning_detail

# --------------------------------------------------------------------------------------------- request


def build_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    stream: bool = False,
    profile: ModelProfile | None = None,
) -> WireRequest:
    """The `POST chat/completions` request for this conversation (no I/O)."""
    settings = settings or {}
    opts = ChatOptions.from_profile(profile)
    body: dict[str, Any] = {}
    if opts.send_model:
        body["model"] = model
    body["messages"] = map_messages(messages, opts)
    tools = [tool_param(t, opts) for t in params.tool_defs]
    if tools:
        body["tools"] = tools
        choice = resolve_tool_choice(settings, params.allow_text_output, (t.name for t in params.tool_defs))
        body["tool_choice"] = (
            choice
            if choice in ("auto", "required", "none")
            else {"type": "function", "function": {"name": choice}}
        )
        if "parallel_tool_calls" in settings:
            body["parallel_tool_calls"] = settings["parallel_tool_calls"]
    add_native_tools(body, params, opts, model)
    response_format = _response_format(params, opts)
    if response_format:
        body["response_format"] = response_format
    if settings:  # most requests carry none: no pass over every setting the host knows
        if "max_tokens" in settings:
            body[opts.max_tokens_field] = settings["max_tokens"]
        body.update(portable_fields(settings, opts, model))  # vendor-prefixed settings below win
        for key, wire in (*_COMMON_SETTINGS.items(), *OPENAI_SETTINGS.items(), *opts.setting_fields.items()):
            if settings.get(key) is not None:
                body[wire] = settings[key]
    body.update(thinking_temperature(body, opts))
    if stream:
        body["stream"] = True
        if opts.include_usage:
            body["stream_options"] = {"include_usage": True}
    return finish_request(
        WireRequest("POST", "chat/completions", body, {"content-type": "application/json"}), settings
    )


def map_messages(messages: Sequence[ModelMessage], opts: ChatOptions) -> list[dict[str, Any]]:
    return chat_messages(
        messages,
        lambda part: _request_part(part, opts),
        lambda message: _assistant_message(message, opts),
        system_role=opts.system_role,
        files_message=lambda files: {"role": "user", "content": user_content(files)},
    )


def _request_part(part: Any, opts: ChatOptions) -> dict[str, Any]:
    if isinstance(part, SystemPromptPart):
        return {"role": opts.system_role, "content": part.content}
    if isinstance(part, UserPromptPart):
        return {"role": "user", "content": user_content(part.content)}
    if isinstance(part, ToolReturnPart):
        return {"role": "tool", "tool_call_id": part.tool_call_id, "content": part.model_response_str()}
    if isinstance(part, RetryPromptPart):
        if part.tool_name is None:
            return {"role": "user", "content": part.model_response()}
        return {"role": "tool", "tool_call_id": part.tool_call_id, "content": part.model_response()}
    raise UserError(f"Unsupported request part for OpenAI chat: {type(part).__name__}")


def user_content(content: str | Sequence[Any]) -> str | list[dict[str, Any]]:
    """A plain string when the prompt is only text (what every compatible host accepts), else parts."""
    if isinstance(content, str):
        return content
    content = [item for item in content if not isinstance(item, CachePoint)]  # OpenAI caches on its own
    if all(isinstance(item, str) for item in content):
        return "".join(content) if len(content) == 1 else [{"type": "text", "text": t} for t in content]
    return [_content_part(item) for item in content]


def _content_part(item: Any) -> dict[str, Any]:
    if isinstance(item, str):
        return {"type": "text", "text": item}
    if isinstance(item, ImageUrl):
        image: dict[str, Any] = {"url": item.url}
        detail = (item.vendor_metadata or {}).get("detail")
        if detail:
            image["detail"] = detail
        return {"type": "image_url", "image_url": image}
    if isinstance(item, BinaryContent):
        if item.is_image:
            image = {"url": item.data_uri}
            detail = (item.vendor_metadata or {}).get("detail")
            if detail:
                image["detail"] = detail
            return {"type": "image_url", "image_url": image}
        if item.is_audio:
            if item.format not in ("wav", "mp3"):
                raise UserError(f"OpenAI chat accepts wav or mp3 audio, not {item.media_type}")
            return {"type": "input_audio", "input_audio": {"data": item.base64, "format": item.format}}
        if item.media_type.startswith("text/"):
            return {"type": "text", "text": item.data.decode("utf-8", errors="replace")}
        if item.is_document:
            filename = item.identifier or f"document.{item.format}"
            return {"type": "file", "file": {"file_data": item.data_uri, "filename": filename}}
        raise UserError(f"OpenAI chat does not accept {item.media_type} content")
    if isinstance(item, (AudioUrl, DocumentUrl, VideoUrl)):
        # Chat Completions takes audio and files only inline; a codec does no I/O to fetch them.
        raise UserError(
            f"OpenAI chat cannot take a {type(item).__name__} by URL: download it and pass `BinaryContent` instead"
        )
    raise UserError(f"Unsupported user content for OpenAI chat: {type(item).__name__}")


def _assistant_message(message: ModelResponse, opts: ChatOptions) -> dict[str, Any] | None:
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    thoughts: list[str] = []
    entries: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            texts.append(part.content)
        elif isinstance(part, ToolCallPart):
            calls.append(chat_tool_call(part))
        elif isinstance(part, ThinkingPart) and part.provider_name == opts.reasoning_provider:
            # Only where the host wants its own reasoning back: as the entries it came in, or as text.
            entry = reasoning_detail(part) if opts.reasoning_details else None
            if entry is not None:
                entries.append(entry)
            elif part.content:
                thoughts.append(part.content)
        # Native tool parts and files: no host's request messages take them.
    if not texts and not calls:
        return None
    out: dict[str, Any] = {"role": "assistant"}
    if entries:
        out["reasoning_details"] = entries
    if thoughts and opts.send_reasoning_field:
        out[opts.send_reasoning_field] = "".join(thoughts)
    if texts:
        out["content"] = "\n\n".join(texts)
    if calls:
        out["tool_calls"] = calls
    return out


def tool_param(tool: ToolDefinition, opts: ChatOptions) -> dict[str, Any]:
    function: dict[str, Any] = {"name": tool.name}
    if tool.description:
        function["description"] = tool.description
    function["parameters"] = tool.parameters_json_schema
    if tool.strict is not None and opts.supports_strict:
        function["strict"] = tool.strict
    return {"type": "function", "function": function}


def _response_format(params: ModelRequestParameters, opts: ChatOptions) -> dict[str, Any] | None:
    if params.output_mode == "native" and params.output_object is not None:
        out = params.output_object
        schema: dict[str, Any] = {"name": out.name or "result", "schema": out.json_schema}
        if out.description:
            schema["description"] = out.description
        if out.strict is not None and opts.supports_strict:
            schema["strict"] = out.strict
        return {"type": "json_schema", "json_schema": schema}
    if params.output_mode == "prompted" and opts.supports_json_object:
        return {"type": "json_object"}
    return None
