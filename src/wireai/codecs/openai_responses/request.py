"""The request direction: wireai messages, tools and settings -> `POST responses` (and
`POST responses/input_tokens`, which counts the same input without running the model)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..._params import ModelRequestParameters, ToolDefinition
from ...exceptions import UserError
from ...messages import (
    BinaryContent,
    CachePoint,
    CompactionPart,
    DocumentUrl,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from ...profiles import DEFAULT_PROFILE, ModelProfile
from .._base import (
    WireRequest,
    check_native_tools,
    finish_request,
    latest_instructions,
    resolve_tool_choice,
    tool_result_content,
)
from ..openai_chat import ChatOptions
from . import native_tools

__all__ = [
    "COUNT_TOKENS_FIELDS",
    "INCLUDE_SETTINGS",
    "build_count_tokens_request",
    "build_request",
    "chain_from_last_response",
    "map_input",
    "reasoning_effort",
    "tool_param",
]

# Settings -> body field.
_SETTINGS = {
    "max_tokens": "max_output_tokens",
    "temperature": "temperature",
    "top_p": "top_p",
    "parallel_tool_calls": "parallel_tool_calls",
    "openai_user": "user",
    "openai_top_logprobs": "top_logprobs",
    "openai_store": "store",
    "openai_metadata": "metadata",
    "openai_truncation": "truncation",
    "openai_context_management": "context_management",
    "openai_prompt_cache_key": "prompt_cache_key",
    "openai_prompt_cache_retention": "prompt_cache_retention",
}
# PydanticAI's boolean settings for the `include` entries native tools need to show their results.
INCLUDE_SETTINGS = {
    "openai_include_web_search_sources": "web_search_call.action.sources",
    "openai_include_code_execution_outputs": "code_interpreter_call.outputs",
    "openai_include_file_search_results": "file_search_call.results",
}
# The fields `POST responses/input_tokens` takes (its reference's `TokenCountsBody`).
COUNT_TOKENS_FIELDS = frozenset(
    {
        "model",
        "input",
        "previous_response_id",
        "tools",
        "text",
        "reasoning",
        "truncation",
        "instructions",
        "conversation",
        "tool_choice",
        "parallel_tool_calls",
    }
)

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
    """`POST responses`: `instructions` from the latest request, the rest as input items."""
    settings = settings or {}
    profile = profile or DEFAULT_PROFILE
    supports_strict = ChatOptions.from_profile(profile).supports_strict
    supported = tuple(profile.extra.get("openai_native_tools", native_tools.KINDS))
    check_native_tools(
        params,
        supported,
        "OpenAI Responses" if supported == native_tools.KINDS else f"OpenAI Responses model {model}",
    )
    body: dict[str, Any] = {"model": model}
    previous = settings.get("openai_previous_response_id")
    if previous:
        messages, previous = chain_from_last_response(messages, None if previous == "auto" else previous)
    instructions, items = map_input(messages)
    if instructions:
        body["instructions"] = instructions
    body["input"] = items
    web_search = profile.extra.get("openai_web_search")
    tools = [native_tools.tool_param(t, web_search) for t in params.native_tools]
    tools += [tool_param(t, supports_strict) for t in params.tool_defs]
    if tools:
        body["tools"] = tools
    if params.tool_defs:
        choice = resolve_tool_choice(settings, params.allow_text_output, (t.name for t in params.tool_defs))
        body["tool_choice"] = (
            choice if choice in ("auto", "required", "none") else {"type": "function", "name": choice}
        )
    text_config = _text_config(params, settings, supports_strict)
    if text_config:
        body["text"] = text_config
    reasoning: dict[str, Any] = {}
    effort = reasoning_effort(settings, profile, model)
    if effort is not None:
        reasoning["effort"] = effort
    if "openai_reasoning_summary" in settings:
        reasoning["summary"] = settings["openai_reasoning_summary"]
    if reasoning:
        body["reasoning"] = reasoning
    for key, wire in _SETTINGS.items():
        if settings.get(key) is not None:
            if key == "parallel_tool_calls" and not tools:
                continue
            body[wire] = settings[key]
    service_tier = settings.get("openai_service_tier") or settings.get("service_tier")
    if service_tier is not None:
        body["service_tier"] = service_tier
    if previous:
        body["previous_response_id"] = previous
    include = _include(settings)
    if include:
        body["include"] = include
    if stream:
        body["stream"] = True
    return finish_request(
        WireRequest("POST", "responses", body, {"content-type": "application/json"}), settings
    )


def build_count_tokens_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    profile: ModelProfile | None = None,
) -> WireRequest:
    """`POST responses/input_tokens`: the input, instructions and tools `build_request` would send,
    counted by the vendor without running the model (the fields that only shape the answer are left out)."""
    request = build_request(messages, params, settings, model=model, profile=profile)
    assert request.body is not None
    body = {k: v for k, v in request.body.items() if k in COUNT_TOKENS_FIELDS}
    return WireRequest("POST", "responses/input_tokens", body, request.headers)


def _text_config(
    params: ModelRequestParameters, settings: Mapping[str, Any], supports_strict: bool
) -> dict[str, Any]:
    text_config: dict[str, Any] = {}
    if params.output_mode == "native" and params.output_object is not None:
        out = params.output_object
        fmt: dict[str, Any] = {"type": "json_schema", "name": out.name or "result", "schema": out.json_schema}
        if out.description:
            fmt["description"] = out.description
        if out.strict is not None and supports_strict:
            fmt["strict"] = out.strict
        text_config["format"] = fmt
    elif params.output_mode == "prompted":
        text_config["format"] = {"type": "json_object"}
    if "openai_text_verbosity" in settings:
        text_config["verbosity"] = settings["openai_text_verbosity"]
    return text_config


def _include(settings: Mapping[str, Any]) -> list[str]:
    include = list(settings.get("openai_include") or ())
    for key, entry in INCLUDE_SETTINGS.items():
        if settings.get(key) and entry not in include:
            include.append(entry)
    return include


def reasoning_effort(settings: Mapping[str, Any], profile: ModelProfile, model: str) -> str | None:
    """`reasoning.effort`: `openai_reasoning_effort` as given, else the portable `thinking` setting
    (`True` -> `medium`, a level as itself, `False` -> `none` where the model can switch reasoning off,
    a `UserError` where the profile knows it cannot).

    The profile's `openai_reasoning_efforts` lists the efforts a model takes (empty: it does not
    reason); a model that does not reason ignores `thinking=False`, and asking it to think, or any
    model for a level it lacks, is a `UserError`. Without that knowledge the level is sent as is.
    """
    if settings.get("openai_reasoning_effort") is not None:
        return str(settings["openai_reasoning_effort"])
    thinking = settings.get("thinking")
    if thinking is None:
        return None
    efforts = profile.extra.get("openai_reasoning_efforts")
    if thinking is False:
        if efforts and "none" not in efforts:  # as the Chat Completions codec: never silently ignored
            raise UserError(f"{model} cannot switch its reasoning off; its efforts are {', '.join(efforts)}")
        return "none" if efforts else None
    if efforts is not None and not efforts:
        raise UserError(f"{model} does not reason, so thinking={thinking!r} cannot be honoured")
    level = "medium" if thinking is True else str(thinking)
    if efforts is not None and level not in efforts:
        if thinking is not True:
            raise UserError(
                f"{model} takes reasoning effort {', '.join(e for e in efforts if e != 'none')}, "
                f"not thinking={thinking!r}"
            )
        level = next(e for e in efforts if e != "none")
    return level


def chain_from_last_response(
    messages: Sequence[ModelMessage], response_id: str | None = None
) -> tuple[Sequence[ModelMessage], str | None]:
    """`previous_response_id`: the server already holds the conversation up to that stored response
    (`'auto'`, i.e. `response_id=None`: the last one in the history, an id starting `resp_`), so only
    the messages after it are sent, chained to its id; its reasoning and native tool items are not
    sent again. A given id found nowhere in the history is sent with everything.
    """
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, ModelResponse):
            found = message.provider_response_id
            if found and (found == response_id if response_id else found.startswith("resp_")):
                return messages[index + 1 :], found
    return messages, response_id


def map_input(messages: Sequence[ModelMessage]) -> tuple[str | None, list[dict[str, Any]]]:
    items: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, ModelRequest):
            for part in message.parts:
                items.append(_request_item(part))
        elif isinstance(message, ModelResponse):
            items.extend(_response_items(message))
    return latest_instructions(messages), items


def _request_item(part: Any) -> dict[str, Any]:
    if isinstance(part, SystemPromptPart):
        return {"role": "system", "content": part.content}
    if isinstance(part, UserPromptPart):
        if isinstance(part.content, str):
            return {"role": "user", "content": part.content}
        # OpenAI caches prompt prefixes on its own: cache points are left out.
        return {
            "role": "user",
            "content": [_content_part(c) for c in part.content if not isinstance(c, CachePoint)],
        }
    if isinstance(part, ToolReturnPart):
        return {
            "type": "function_call_output",
            "call_id": part.tool_call_id,
            "output": tool_result_content(part, _content_part),
        }
    if isinstance(part, RetryPromptPart):
        if part.tool_name is None:
            return {"role": "user", "content": part.model_response()}
        return {"type": "function_call_output", "call_id": part.tool_call_id, "output": part.model_response()}
    raise UserError(f"Unsupported request part for OpenAI responses: {type(part).__name__}")


def _content_part(item: Any) -> dict[str, Any]:
    if isinstance(item, str):
        return {"type": "input_text", "text": item}
    if isinstance(item, ImageUrl):
        detail = (item.vendor_metadata or {}).get("detail", "auto")
        return {"type": "input_image", "image_url": item.url, "detail": detail}
    if isinstance(item, DocumentUrl):
        return {"type": "input_file", "file_url": item.url}
    if isinstance(item, BinaryContent):
        if item.is_image:
            detail = (item.vendor_metadata or {}).get("detail", "auto")
            return {"type": "input_image", "image_url": item.data_uri, "detail": detail}
        if item.media_type.startswith("text/"):
            return {"type": "input_text", "text": item.data.decode("utf-8", errors="replace")}
        if item.is_document:
            filename = item.identifier or f"document.{item.format}"
            return {"type": "input_file", "file_data": item.data_uri, "filename": filename}
    what = f"{item.media_type} content" if isinstance(item, BinaryContent) else f"{type(item).__name__} input"
    raise UserError(f"The OpenAI Responses API does not accept {what} (images, PDFs/documents and text only)")


def _response_items(message: ModelResponse) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            if part.content:
                items.append({"role": "assistant", "content": part.content})
        elif isinstance(part, ToolCallPart):
            call: dict[str, Any] = {
                "type": "function_call",
                "call_id": part.tool_call_id,
                "name": part.tool_name,
                "arguments": part.args_as_json_str(),
            }
            if part.id:
                call["id"] = part.id
            items.append(call)
        elif isinstance(part, NativeToolCallPart):
            # The item goes back whole (its return and files are in it); another vendor's is left out.
            item = native_tools.input_item(part, message.parts)
            if item is not None:
                items.append(item)
        elif isinstance(part, ThinkingPart):
            # Only OpenAI's own reasoning items (an `rs_` id) can go back, and only whole.
            if part.id and part.id.startswith("rs_"):
                reasoning: dict[str, Any] = {
                    "type": "reasoning",
                    "id": part.id,
                    "summary": [{"type": "summary_text", "text": part.content}] if part.content else [],
                }
                if part.signature:
                    reasoning["encrypted_content"] = part.signature
                items.append(reasoning)
        elif isinstance(part, CompactionPart):
            # Only OpenAI's own compaction items (a `cmp_` id) can go back: the API then drops every
            # item before it. Another vendor's summary is left out.
            encrypted = (part.provider_details or {}).get("encrypted_content")
            if part.id and part.id.startswith("cmp_") and isinstance(encrypted, str):
                items.append({"type": "compaction", "id": part.id, "encrypted_content": encrypted})
        # Native tool returns and files travel inside their call's item; others' files stay behind.
    return items


def tool_param(tool: ToolDefinition, supports_strict: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "function", "name": tool.name}
    if tool.description:
        out["description"] = tool.description
    out["parameters"] = tool.parameters_json_schema
    # `strict` defaults to true on the Responses API, which rejects most non-strict schemas: say it.
    out["strict"] = bool(tool.strict) if supports_strict else False
    return out
