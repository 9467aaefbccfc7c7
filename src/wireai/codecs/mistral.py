"""Mistral chat completions (`POST /v1/chat/completions`), sans-I/O.

The shape is OpenAI's chat completions, but Mistral differs in ways that break a copied OpenAI
body, so each difference is spelled out here rather than hidden behind a shared codec:

- tool call ids must be exactly 9 characters of `[a-zA-Z0-9]`: ids minted by other vendors (or by
  wireai) are mapped to such an id with a stable hash, so a call and its result still pair up;
- `tool_choice` is `"any"` (not `"required"`) when the model must call a tool;
- tool result messages carry the tool's `name` beside `tool_call_id`;
- the seed is `random_seed`; `safe_prompt` and `prompt_mode` are Mistral-only switches;
- message `content` may be a string or a list of chunks (`text`, `image_url`, `document_url`,
  `input_audio`, and `thinking` chunks from magistral models), in requests, responses and stream
  deltas alike;
- streams need no `stream_options`: usage arrives in the last chunk.
See `protocols/mistral.md` for the whole wire contract.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Mapping, Sequence
from typing import Any

from .._params import ModelRequestParameters, ToolDefinition
from ..exceptions import UserError
from ..messages import (
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
from ..profiles import ModelProfile
from . import openai_chat
from ._base import (
    WireRequest,
    chat_messages,
    chat_tool_call,
    check_native_tools,
    finish_request,
    parse_error,
    resolve_tool_choice,
    stamp_provider,
    tool_result_content,
)
from .openai_chat.portable import portable_fields

__all__ = [
    "FINISH_REASONS",
    "OPTIONS",
    "PROVIDER_NAME",
    "StreamParser",
    "build_request",
    "mistral_tool_call_id",
    "parse_error",
    "parse_response",
]

PROVIDER_NAME = "mistral"

FINISH_REASONS = openai_chat.FINISH_REASONS
"""`choices[].finish_reason` -> wireai's finish reason (the chat table, which has Mistral's `model_length`)."""

OPTIONS = openai_chat.ChatOptions(
    reasoning_fields=(),
    include_usage=False,
    thinking_efforts=("none", "minimal", "low", "medium", "high", "xhigh"),
    thinking_on="high",
    thinking_off="none",
    service_tiers={"auto": "auto", "default": "standard_only"},
)
"""What Mistral's answers look like to the chat response reader: no reasoning fields (magistral sends
`thinking` content chunks instead), usage in the last chunk without `stream_options`; the portable
`thinking` as `reasoning_effort` (True: `high`, False: `none`) and `service_tier` as Mistral's
`auto` / `standard_only` (it has no flex or priority tier to ask for)."""

_ID_CHARS = string.ascii_letters + string.digits
_ID_RE = re.compile(r"[a-zA-Z0-9]{9}")


def mistral_tool_call_id(tool_call_id: str) -> str:
    """The id as Mistral accepts it: kept when it is 9 alphanumerics, else a stable 9-char digest.

    Stable, so the assistant's `tool_calls[].id` and the later tool message's `tool_call_id` map to
    the same value without any state kept between requests.
    """
    if _ID_RE.fullmatch(tool_call_id):
        return tool_call_id
    digest = hashlib.sha256(tool_call_id.encode("utf-8")).digest()
    return "".join(_ID_CHARS[b % len(_ID_CHARS)] for b in digest[:9])


# ============================================================================================ request


_MISTRAL_CHOICE = {"auto": "auto", "required": "any", "none": "none"}


def build_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    stream: bool = False,
    profile: ModelProfile | None = None,
) -> WireRequest:
    """`POST v1/chat/completions`; `settings` may carry `mistral_*` keys (`mistral_safe_prompt`,
    `mistral_prompt_mode`, `mistral_reasoning_effort`)."""
    s: Mapping[str, Any] = settings or {}
    check_native_tools(params, (), "Mistral")
    body: dict[str, Any] = {"model": model, "messages": map_messages(messages), "stream": stream}

    tool_defs: list[ToolDefinition] = params.tool_defs
    if tool_defs:
        body["tools"] = [map_tool(t) for t in tool_defs]
        # Mistral's name for "must call some tool" is `any`.
        choice = resolve_tool_choice(s, params.allow_text_output, (t.name for t in tool_defs))
        body["tool_choice"] = _MISTRAL_CHOICE.get(choice) or {
            "type": "function",
            "function": {"name": choice},
        }
        if "parallel_tool_calls" in s:
            body["parallel_tool_calls"] = s["parallel_tool_calls"]

    output_object = params.output_object
    if params.output_mode == "native" and output_object is not None:
        json_schema: dict[str, Any] = {
            "name": output_object.name or "result",
            "schema": output_object.json_schema,
        }
        if output_object.description:
            json_schema["description"] = output_object.description
        if output_object.strict is not None:
            json_schema["strict"] = output_object.strict
        body["response_format"] = {"type": "json_schema", "json_schema": json_schema}
    elif params.output_mode == "prompted":
        body["response_format"] = {"type": "json_object"}

    for ours, theirs in (
        ("max_tokens", "max_tokens"),
        ("temperature", "temperature"),
        ("top_p", "top_p"),
        ("seed", "random_seed"),
        ("presence_penalty", "presence_penalty"),
        ("frequency_penalty", "frequency_penalty"),
        ("stop_sequences", "stop"),
    ):
        if s.get(ours) is not None:
            body[theirs] = s[ours]
    body.update(portable_fields(s, OPTIONS, model))
    for ours, theirs in _MISTRAL_SETTINGS.items():
        if s.get(ours) is not None:
            body[theirs] = s[ours]
    return finish_request(
        WireRequest("POST", "v1/chat/completions", body, {"content-type": "application/json"}), s
    )


_MISTRAL_SETTINGS = {
    "mistral_safe_prompt": "safe_prompt",
    "mistral_prompt_mode": "prompt_mode",
    "mistral_reasoning_effort": "reasoning_effort",
}
"""`mistral_*` settings -> body field; applied after the portable `thinking`, so they win."""


def map_tool(tool: ToolDefinition) -> dict[str, Any]:
    function: dict[str, Any] = {"name": tool.name, "parameters": tool.parameters_json_schema}
    if tool.description:
        function["description"] = tool.description
    if tool.strict is not None:
        function["strict"] = tool.strict
    return {"type": "function", "function": function}


def map_messages(messages: Sequence[ModelMessage]) -> list[dict[str, Any]]:
    """Our history as Mistral `messages`; the latest request's `instructions` lead as a system message."""
    return chat_messages(messages, _map_request_part, _map_response)


def _map_request_part(part: Any) -> dict[str, Any]:
    if isinstance(part, SystemPromptPart):
        return {"role": "system", "content": part.content}
    if isinstance(part, UserPromptPart):
        if isinstance(part.content, str):
            return {"role": "user", "content": part.content}
        # A CachePoint marks nothing for Mistral, which caches prompts on its own.
        content = [_map_user_content(c) for c in part.content if not isinstance(c, CachePoint)]
        return {"role": "user", "content": content}
    if isinstance(part, ToolReturnPart):
        return {
            "role": "tool",
            "tool_call_id": mistral_tool_call_id(part.tool_call_id),
            "name": part.tool_name,
            "content": tool_result_content(part, _map_user_content),
        }
    if isinstance(part, RetryPromptPart):
        if part.tool_name is None:
            return {"role": "user", "content": part.model_response()}
        return {
            "role": "tool",
            "tool_call_id": mistral_tool_call_id(part.tool_call_id),
            "name": part.tool_name,
            "content": part.model_response(),
        }
    raise UserError(f"Mistral cannot send a {type(part).__name__} in a request")


def _map_user_content(item: Any) -> dict[str, Any]:
    if isinstance(item, str):
        return {"type": "text", "text": item}
    if isinstance(item, ImageUrl):
        return {"type": "image_url", "image_url": {"url": item.url}}
    if isinstance(item, DocumentUrl):
        return {"type": "document_url", "document_url": item.url}
    if isinstance(item, BinaryContent):
        if item.is_image:
            return {"type": "image_url", "image_url": {"url": item.data_uri}}
        if item.is_audio:
            return {"type": "input_audio", "input_audio": item.base64}
        if item.media_type == "application/pdf":
            return {"type": "document_url", "document_url": item.data_uri}
        if item.media_type.startswith("text/"):
            return {"type": "text", "text": item.data.decode("utf-8", errors="replace")}
        raise UserError(f"Mistral chat does not accept {item.media_type} content")
    if isinstance(item, (AudioUrl, VideoUrl)):
        raise UserError(
            f"Mistral chat does not accept {type(item).__name__} input; pass the bytes as BinaryContent"
        )
    raise UserError(f"Mistral cannot send user content of type {type(item).__name__}")


def _map_response(message: ModelResponse) -> dict[str, Any] | None:
    chunks: list[dict[str, Any]] = []
    tool_calls: list[dict[str, Any]] = []
    has_thinking = False
    for part in message.parts:
        if isinstance(part, TextPart):
            if part.content:
                chunks.append({"type": "text", "text": part.content})
        elif isinstance(part, ThinkingPart):
            # Only Mistral's own reasoning goes back as a thinking chunk; another vendor's is dropped.
            if part.content and part.provider_name in (None, PROVIDER_NAME):
                think: dict[str, Any] = {
                    "type": "thinking",
                    "thinking": [{"type": "text", "text": part.content}],
                }
                if part.signature:
                    think["signature"] = part.signature
                chunks.append(think)
                has_thinking = True
        elif isinstance(part, ToolCallPart):
            tool_calls.append(chat_tool_call(part, mistral_tool_call_id(part.tool_call_id)))
    if not chunks and not tool_calls:
        return None
    out: dict[str, Any] = {"role": "assistant"}
    if has_thinking:
        out["content"] = chunks
    elif chunks:
        out["content"] = "".join(c["text"] for c in chunks)
    if tool_calls:
        out["tool_calls"] = tool_calls
    return out


# ============================================================================================ response


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    profile: ModelProfile | None = None,
) -> ModelResponse:
    """A chat completion body: Mistral's is OpenAI's shape, with `content` as a string or a list of
    `text`/`thinking` chunks and errors as `{"object": "error", ...}`."""
    return stamp_provider(openai_chat.read_completion(body, OPTIONS, model_name=model_name), PROVIDER_NAME)


class StreamParser(openai_chat.StreamParser):
    """The chat completion chunk stream, read with Mistral's options. Mistral sends each tool call
    whole in one chunk, several at `index: 0` with distinct ids; the chat parser tells them apart."""

    options = OPTIONS
    default_provider_name = PROVIDER_NAME
