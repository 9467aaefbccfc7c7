"""OpenAI Chat Completions (`POST {base_url}/chat/completions`), as spoken by OpenAI and its imitators.

One codec serves OpenAI, Azure, Groq, DeepSeek, OpenRouter, xAI, Perplexity, Ollama and the other
compatible hosts, and its response side serves Mistral too (same chunk format). Where the hosts
differ (which field carries reasoning text, whether `stream_options` is accepted, ...) the
difference is a field of `ChatOptions`, filled in from the model profile — never a copy of this code.

The codec contract (docs/codecs.md): `build_request` -> `WireRequest`, `parse_response`,
`parse_error`, and `StreamParser`, fed the raw SSE bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timezone
from typing import Any, ClassVar, Literal

from .._params import ModelRequestParameters, ToolDefinition
from ..exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError, snippet
from ..messages import (
    AudioUrl,
    BinaryContent,
    DocumentUrl,
    FinishReason,
    ImageUrl,
    ModelMessage,
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
    VideoUrl,
)
from ..profiles import DEFAULT_PROFILE, ModelProfile
from ..settings import ModelSettings
from ..usage import RequestUsage
from ._base import (
    NO_EVENTS,
    BaseStreamParser,
    WireRequest,
    chat_messages,
    finish_request,
    json_object,
    loads,
    obj,
    parse_error,
    resolve_tool_choice,
    text,
    token_count,
)

__all__ = [
    "FINISH_REASONS",
    "ChatOptions",
    "StreamParser",
    "build_request",
    "error_status",
    "parse_error",
    "parse_response",
    "parse_usage",
    "read_completion",
]

# --------------------------------------------------------------------------------------------- host options


@dataclass(frozen=True)
class ChatOptions:
    """What one OpenAI-compatible host accepts and returns, as data.

    Built from the model profile (`ModelProfile.extra['openai_chat']`, a dict of these field names,
    plus `supports_json_object_output`), so a provider describes its host without touching the codec.
    """

    system_role: Literal["system", "developer", "user"] = "system"
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    # Some compatible hosts reject `stream_options`; without it OpenAI sends no usage in streams.
    include_usage: bool = True
    supports_strict: bool = True
    supports_json_object: bool = False
    # Response fields read as reasoning text, first present wins (DeepSeek/xAI: reasoning_content,
    # Ollama/OpenRouter/Groq parsed: reasoning).
    reasoning_fields: tuple[str, ...] = ("reasoning_content", "reasoning")
    # `<think>...</think>` inline in content (Groq `reasoning_format: raw`, some Ollama models).
    think_tags: bool = False
    # Groq reports stream usage in the last chunk's `x_groq.usage`.
    x_groq_usage: bool = False
    # Top-level response fields kept in `provider_details` (Perplexity `citations`, `search_results`).
    detail_fields: tuple[str, ...] = ()
    # Vendor-prefixed settings -> body field. Shared table plus per-host additions.
    setting_fields: Mapping[str, str] = field(default_factory=dict)
    # The body names the model (Azure's deployments URL names it instead).
    send_model: bool = True

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any] | None) -> ChatOptions:
        known = {f.name for f in fields(cls)}
        given = dict((extra or {}).get("openai_chat", {}))
        unknown = set(given) - known
        if unknown:
            raise UserError(f"Unknown openai_chat profile options: {sorted(unknown)}")
        for key in ("reasoning_fields", "detail_fields"):
            if key in given:
                given[key] = tuple(given[key])
        return cls(**given)

    @classmethod
    def from_profile(cls, profile: ModelProfile | None) -> ChatOptions:
        """The options a profile describes; computed once per profile object (profiles are frozen)."""
        profile = profile or DEFAULT_PROFILE
        cached = _OPTIONS.get(id(profile))
        if cached is not None and cached[0] is profile:
            return cached[1]
        options = cls.from_extra(profile.extra)
        if profile.supports_json_object_output != options.supports_json_object:
            options = replace(options, supports_json_object=profile.supports_json_object_output)
        if len(_OPTIONS) >= 256:  # a bound, for programs that build models in a loop
            _OPTIONS.clear()
        _OPTIONS[id(profile)] = (profile, options)
        return options


# id(profile) -> (profile, its options); the profile is kept so its id cannot be reused meanwhile.
_OPTIONS: dict[int, tuple[ModelProfile, ChatOptions]] = {}

# Settings every OpenAI-shaped host shares, common `ModelSettings` key -> body field.
_COMMON_SETTINGS = {
    "temperature": "temperature",
    "top_p": "top_p",
    "seed": "seed",
    "presence_penalty": "presence_penalty",
    "frequency_penalty": "frequency_penalty",
    "logit_bias": "logit_bias",
    "stop_sequences": "stop",
}

# `openai_*` settings -> body field.
OPENAI_SETTINGS = {
    "openai_reasoning_effort": "reasoning_effort",
    "openai_user": "user",
    "openai_service_tier": "service_tier",
    "openai_logprobs": "logprobs",
    "openai_top_logprobs": "top_logprobs",
    "openai_prediction": "prediction",
    "openai_store": "store",
    "openai_metadata": "metadata",
}

FINISH_REASONS: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "model_length": "length",  # Mistral
    "tool_calls": "tool_call",
    "function_call": "tool_call",
    "content_filter": "content_filter",
    "error": "error",
}

# --------------------------------------------------------------------------------------------- request


def build_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: ModelSettings | Mapping[str, Any] | None = None,
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
    response_format = _response_format(params, opts)
    if response_format:
        body["response_format"] = response_format
    if "max_tokens" in settings:
        body[opts.max_tokens_field] = settings["max_tokens"]
    for key, wire in (*_COMMON_SETTINGS.items(), *OPENAI_SETTINGS.items(), *opts.setting_fields.items()):
        if settings.get(key) is not None:
            body[wire] = settings[key]
    if stream:
        body["stream"] = True
        if opts.include_usage:
            body["stream_options"] = {"include_usage": True}
    return finish_request(
        WireRequest("POST", "chat/completions", body, {"content-type": "application/json"}), settings
    )


def map_messages(messages: Sequence[ModelMessage], opts: ChatOptions) -> list[dict[str, Any]]:
    return chat_messages(
        messages, lambda part: _request_part(part, opts), _assistant_message, system_role=opts.system_role
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


def _assistant_message(message: ModelResponse) -> dict[str, Any] | None:
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            texts.append(part.content)
        elif isinstance(part, ToolCallPart):
            calls.append(
                {
                    "id": part.tool_call_id,
                    "type": "function",
                    "function": {"name": part.tool_name, "arguments": part.args_as_json_str()},
                }
            )
        # ThinkingPart: not sent back; DeepSeek rejects `reasoning_content` in input.
    if not texts and not calls:
        return None
    out: dict[str, Any] = {"role": "assistant"}
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


# --------------------------------------------------------------------------------------------- errors


def error_status(error: Any, default: int = 500) -> int:
    """An HTTP status for an error a vendor reported in a 200 body or inside a stream."""
    if not isinstance(error, dict):
        return default
    code = error.get("code")
    if isinstance(code, int) and 400 <= code <= 599:
        return code
    if isinstance(code, str) and code.isdigit() and 400 <= int(code) <= 599:
        return int(code)
    kind = f"{error.get('type') or ''} {code or ''}".lower()
    if "overloaded" in kind:
        return 529
    if "rate_limit" in kind or "quota" in kind:
        return 429
    if "invalid_request" in kind or "tool_use_failed" in kind or "context_length" in kind:
        return 400
    if "authentication" in kind or "invalid_api_key" in kind:
        return 401
    return default


def _raise_error(body: Mapping[str, Any], model_name: str) -> None:
    """A 200 body (or stream chunk) that reports a failure: OpenAI-style `{"error": {...}}`, or
    Mistral's `{"object": "error", "message", "type", "code"}`."""
    error = body.get("error")
    if error:
        raise ModelHTTPError(error_status(error), model_name, dict(body))
    if body.get("object") == "error":
        raise ModelHTTPError(error_status(body), model_name, dict(body))


# --------------------------------------------------------------------------------------------- response


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    profile: ModelProfile | None = None,
) -> ModelResponse:
    """A `chat.completion` body as a `ModelResponse` (tool arguments kept as the raw JSON string sent)."""
    return read_completion(body, ChatOptions.from_profile(profile), model_name=model_name)


def read_completion(
    body: bytes | str | Mapping[str, Any], opts: ChatOptions, *, model_name: str | None = None
) -> ModelResponse:
    """`parse_response` for a host whose options are already known (Mistral's codec reuses it)."""
    data = json_object(body, "OpenAI chat")
    name = model_name or ""
    _raise_error(data, name)
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise UnexpectedModelBehavior(f"{name}: chat.completion without choices", snippet(data))
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, dict):
        raise UnexpectedModelBehavior(f"{name}: choice without a message", snippet(data))
    parts: list[ModelResponsePart] = []
    details: dict[str, Any] = {}
    for field_name in opts.reasoning_fields:
        reasoning = message.get(field_name)
        if isinstance(reasoning, str) and reasoning:
            parts.append(ThinkingPart(reasoning))
            break
    content = message.get("content")
    if isinstance(content, str):
        if content:
            parts.extend(_split_think_tags(content) if opts.think_tags else [TextPart(content)])
    elif isinstance(content, list):
        parts.extend(_content_chunks(content, data))
    elif content is not None:
        raise UnexpectedModelBehavior(f"{name}: message.content is neither text nor chunks", snippet(data))
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal:
        parts.append(TextPart(refusal))
        details["refusal"] = refusal
    tool_calls = message.get("tool_calls") or []
    if not isinstance(tool_calls, list):
        raise UnexpectedModelBehavior(f"{name}: message.tool_calls is not a list", snippet(data))
    for call in tool_calls:
        parts.append(_tool_call(call, name))
    for detail in opts.detail_fields:
        if data.get(detail) is not None:
            details[detail] = data[detail]
    raw_finish = choice.get("finish_reason")
    if isinstance(raw_finish, str):
        details["finish_reason"] = raw_finish
    return ModelResponse(
        parts=parts,
        usage=parse_usage(data.get("usage")),
        model_name=text(data.get("model")) or model_name,
        timestamp=_timestamp(data.get("created")),
        provider_response_id=text(data.get("id")),
        finish_reason=FINISH_REASONS.get(raw_finish) if isinstance(raw_finish, str) else None,
        provider_details=details or None,
    )


def _content_chunks(content: list[Any], body: Any) -> list[ModelResponsePart]:
    """`content` as a list of chunks (Mistral: `text` and, from magistral models, `thinking`)."""
    parts: list[ModelResponsePart] = []
    for chunk in content:
        if not isinstance(chunk, dict):
            raise UnexpectedModelBehavior("OpenAI chat: a content chunk is not an object", snippet(body))
        kind = chunk.get("type")
        if kind == "text" and isinstance(chunk.get("text"), str):
            if parts and isinstance(parts[-1], TextPart):
                parts[-1].content += chunk["text"]
            elif chunk["text"]:
                parts.append(TextPart(chunk["text"]))
        elif kind == "thinking":
            parts.append(ThinkingPart(thinking_text(chunk), signature=text(chunk.get("signature"))))
        # reference / image chunks in an answer carry nothing wireai represents
    return parts


def thinking_text(chunk: Mapping[str, Any]) -> str:
    """The text of a `thinking` chunk: a string, or a list of `text` chunks."""
    thinking = chunk.get("thinking")
    if isinstance(thinking, str):
        return thinking
    if not isinstance(thinking, list):
        return ""
    return "".join(t["text"] for t in thinking if isinstance(t, dict) and isinstance(t.get("text"), str))


def _tool_call(call: Any, model_name: str) -> ToolCallPart:
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise UnexpectedModelBehavior(f"{model_name}: malformed tool call", snippet(call))
    arguments = function.get("arguments")
    if isinstance(arguments, (dict, list)):  # some compatible hosts send an object, not a string
        arguments = json.dumps(arguments)
    part = ToolCallPart(function["name"], arguments if isinstance(arguments, str) else None)
    if isinstance(call.get("id"), str) and call["id"]:
        part.tool_call_id = call["id"]
    return part


def _split_think_tags(content: str) -> list[ModelResponsePart]:
    parts: list[ModelResponsePart] = []
    rest = content
    while "<think>" in rest:
        before, _, after = rest.partition("<think>")
        if before.strip():
            parts.append(TextPart(before))
        thought, closed, rest = after.partition("</think>")
        parts.append(ThinkingPart(thought.strip("\n")))
        if not closed:
            rest = ""
        rest = rest.lstrip("\n")
    if rest:
        parts.append(TextPart(rest))
    return parts


def _timestamp(created: Any) -> datetime:
    if isinstance(created, (int, float)) and not isinstance(created, bool):
        try:
            return datetime.fromtimestamp(created, timezone.utc)
        except (OverflowError, OSError, ValueError):
            pass
    return datetime.now(timezone.utc)


def parse_usage(usage: Any) -> RequestUsage:
    """OpenAI usage: `prompt_tokens` already includes cached tokens; the rest goes into `details`."""
    if not isinstance(usage, dict):
        return RequestUsage()
    details: dict[str, int] = {}
    prompt_details = usage.get("prompt_tokens_details")
    prompt_details = prompt_details if isinstance(prompt_details, dict) else {}
    completion_details = usage.get("completion_tokens_details")
    completion_details = completion_details if isinstance(completion_details, dict) else {}
    cached = (
        token_count(prompt_details.get("cached_tokens"))
        or token_count(usage.get("prompt_cache_hit_tokens"))  # DeepSeek
        or token_count(usage.get("num_cached_tokens"))  # Mistral
    )
    for key, value in prompt_details.items():
        if key != "cached_tokens" and token_count(value):
            details[f"input_{key}" if key == "audio_tokens" else key] = value
    for key, value in completion_details.items():
        if token_count(value):
            details[f"output_{key}" if key == "audio_tokens" else key] = value
    for key, value in usage.items():
        if key not in ("prompt_tokens", "completion_tokens", "total_tokens") and token_count(value):
            details[key] = value
    return RequestUsage(
        input_tokens=token_count(usage.get("prompt_tokens")),
        output_tokens=token_count(usage.get("completion_tokens")),
        cache_read_tokens=cached,
        details=details or None,
    )


# --------------------------------------------------------------------------------------------- stream

_TEXT, _THINKING = "content", "reasoning"


class StreamParser(BaseStreamParser):
    """`chat.completion.chunk` SSE events in, part events out; ended by `data: [DONE]` or a finish_reason.

    Tool calls are keyed by their `index`. Hosts differ in how they send several calls: OpenAI
    gives each its own index; some compatible servers (and Mistral, which sends each call whole)
    reuse `index: 0`, telling calls apart only by a new `id`, or by a new name after arguments that
    already form a complete object — those start a new part under the same index. A chunk with empty
    `choices` carries the final usage.
    """

    options: ClassVar[ChatOptions | None] = None  # a codec reusing this parser fixes its host's options

    def __init__(
        self,
        params: ModelRequestParameters | None = None,
        *,
        model_name: str | None = None,
        profile: ModelProfile | None = None,
    ):
        super().__init__(params, model_name=model_name, profile=profile)
        self.opts = self.options or ChatOptions.from_profile(profile)
        self.done = False
        self._think = _ThinkTagSplitter() if self.opts.think_tags else None
        self._calls: dict[int, tuple[int, str | None]] = {}  # index -> (calls seen at it, open call's id)

    def _frame(self, event: Any) -> Sequence[ModelResponseStreamEvent]:
        data = event.data
        if data[:1] != "{":
            stripped = data.strip()
            if not stripped:
                return NO_EVENTS
            if stripped == "[DONE]":
                self.done = True
                return self._flush_think()
        try:
            chunk = loads(data)
        except ValueError:
            raise UnexpectedModelBehavior(
                f"{self.model_name}: invalid JSON in stream", snippet(data)
            ) from None
        if not isinstance(chunk, dict):
            raise UnexpectedModelBehavior(f"{self.model_name}: unexpected stream chunk", snippet(data))
        _raise_error(chunk, self.model_name)
        self._metadata(chunk)
        out: list[ModelResponseStreamEvent] = []
        choices = chunk.get("choices")
        for choice in choices if isinstance(choices, list) else ():
            if isinstance(choice, dict) and choice.get("index", 0) == 0:
                self._choice(choice, out, data)
        return out

    def _metadata(self, chunk: Mapping[str, Any]) -> None:
        if self.provider_response_id is None and isinstance(chunk.get("id"), str):
            self.provider_response_id = chunk["id"]
        model = chunk.get("model")
        if model and type(model) is str:
            self.model_name = model
        usage = chunk.get("usage")
        if self.opts.x_groq_usage and not isinstance(usage, dict):
            usage = obj(chunk.get("x_groq")).get("usage")
        if isinstance(usage, dict):
            self.usage = parse_usage(usage)
        for name in self.opts.detail_fields:
            if chunk.get(name) is not None:
                self.provider_details = {**(self.provider_details or {}), name: chunk[name]}

    def _choice(self, choice: Mapping[str, Any], out: list[ModelResponseStreamEvent], data: str) -> None:
        delta = choice.get("delta")
        if (
            type(delta) is dict
            and len(delta) == 1
            and self._think is None
            and choice.get("finish_reason") is None
        ):
            # The common chunk, one text fragment (`{"content": "..."}`): no other field to look at.
            content = delta.get("content")
            if type(content) is str:
                if content:
                    event = self.parts.handle_text_delta(_TEXT, content)
                    if event is not None:
                        out.append(event)
                return
        if isinstance(delta, dict):
            for name in self.opts.reasoning_fields:
                reasoning = delta.get(name)
                if isinstance(reasoning, str) and reasoning:
                    _add(
                        out,
                        self.parts.handle_thinking_delta(
                            _THINKING, reasoning, provider_name=self.provider_name
                        ),
                    )
                    break
            content = delta.get("content")
            if isinstance(content, str):
                if content:
                    self._text(content, out)
            elif isinstance(content, list):
                self._content_chunks(content, out, data)
            elif content is not None:
                raise UnexpectedModelBehavior(
                    f"{self.model_name}: delta.content is neither text nor chunks", snippet(data)
                )
            refusal = delta.get("refusal")
            if isinstance(refusal, str) and refusal:
                _add(out, self.parts.handle_text_delta(_TEXT, refusal))
                details = self.provider_details or {}
                self.provider_details = {**details, "refusal": details.get("refusal", "") + refusal}
            tool_calls = delta.get("tool_calls")
            if tool_calls is not None and not isinstance(tool_calls, list):
                raise UnexpectedModelBehavior(
                    f"{self.model_name}: delta.tool_calls is not a list", snippet(data)
                )
            for call in tool_calls or ():
                if not isinstance(call, dict):
                    raise UnexpectedModelBehavior(
                        f"{self.model_name}: a tool call delta is not an object", snippet(data)
                    )
                _add(out, self._tool_delta(call))
        raw_finish = choice.get("finish_reason")
        if isinstance(raw_finish, str):
            self.finish_reason = FINISH_REASONS.get(raw_finish)
            self.provider_details = {**(self.provider_details or {}), "finish_reason": raw_finish}
            out.extend(self._flush_think())

    def _text(self, content: str, out: list[ModelResponseStreamEvent]) -> None:
        if self._think is None:
            _add(out, self.parts.handle_text_delta(_TEXT, content))
            return
        for is_thought, piece in self._think.feed(content):
            _add(out, self._text_or_thought(is_thought, piece))

    def _content_chunks(self, content: list[Any], out: list[ModelResponseStreamEvent], data: str) -> None:
        for chunk in content:
            if not isinstance(chunk, dict):
                raise UnexpectedModelBehavior(
                    f"{self.model_name}: a delta content chunk is not an object", snippet(data)
                )
            kind = chunk.get("type")
            if kind == "text" and isinstance(chunk.get("text"), str):
                if chunk["text"]:
                    self._text(chunk["text"], out)
            elif kind == "thinking":
                _add(
                    out,
                    self.parts.handle_thinking_delta(
                        _THINKING,
                        thinking_text(chunk),
                        signature=text(chunk.get("signature")),
                        provider_name=self.provider_name,
                    ),
                )

    def _tool_delta(self, call: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        function = obj(call.get("function"))
        name = text(function.get("name"))
        arguments = function.get("arguments")
        if isinstance(arguments, (dict, list)):  # some compatible hosts send an object, not a string
            arguments = json.dumps(arguments, ensure_ascii=False)
        call_id = text(call.get("id")) or None
        if call_id == "null":  # Mistral, on continuation chunks
            call_id = None
        index = call.get("index", 0)
        index = index if type(index) is int else 0
        seen = self._calls.get(index)
        if seen is None or self._starts_call(index, seen, name, call_id):
            count = 0 if seen is None else seen[0] + 1
            self._calls[index] = (count, call_id)
        else:
            count, open_id = seen
            name = None  # a continuation that repeats its call's name
            if open_id is None and call_id is not None:
                self._calls[index] = (count, call_id)  # the id came after the first delta
            else:
                call_id = None
        return self.parts.handle_tool_call_delta(
            ("tool", index, count), name, arguments if isinstance(arguments, str) else None, call_id
        )

    def _starts_call(
        self, index: int, seen: tuple[int, str | None], name: str | None, call_id: str | None
    ) -> bool:
        """Whether a delta at an index already seen opens a new call rather than continuing the open one:
        it carries an id other than the open call's, or — with no ids to go by — it names a tool after
        arguments that already form a complete JSON object."""
        count, open_id = seen
        if call_id is not None and open_id is not None:
            return call_id != open_id
        key = ("tool", index, count)
        if not name or not self.parts.has_part(key):
            return False
        args = self.parts.tool_call_args_text(key)
        try:
            return bool(args) and isinstance(json.loads(args), dict)
        except ValueError:
            return False

    def _text_or_thought(self, is_thought: bool, piece: str) -> ModelResponseStreamEvent | None:
        assert self._think is not None
        if is_thought:
            return self.parts.handle_thinking_delta(
                ("think", self._think.blocks), piece, provider_name=self.provider_name
            )
        return self.parts.handle_text_delta(("text", self._think.blocks), piece)

    def _flush_think(self) -> list[ModelResponseStreamEvent]:
        out: list[ModelResponseStreamEvent] = []
        if self._think is not None:
            for is_thought, piece in self._think.flush():
                _add(out, self._text_or_thought(is_thought, piece))
        return out

    def _check_complete(self) -> None:
        # Hosts that skip `[DONE]` still send a finish_reason; a stream with neither was cut off.
        if not self.done and self.finish_reason is None:
            raise UnexpectedModelBehavior(
                f"{self.model_name}: the stream ended without a finish_reason or `data: [DONE]` (truncated)"
            )


def _add(out: list[ModelResponseStreamEvent], event: ModelResponseStreamEvent | None) -> None:
    if event is not None:
        out.append(event)


class _ThinkTagSplitter:
    """Splits streamed content on `<think>`/`</think>`, holding back a tag cut between chunks."""

    def __init__(self) -> None:
        self.inside = False
        self.buffer = ""
        self.blocks = 0  # incremented when a thought closes, so the text after it is a new part
        self.strip = False

    def feed(self, text: str) -> list[tuple[bool, str]]:
        self.buffer += text
        out: list[tuple[bool, str]] = []
        while True:
            if self.strip:  # newlines right after a tag are layout, not content
                self.buffer = self.buffer.lstrip("\n")
                if not self.buffer:
                    return out
                self.strip = False
            tag = "</think>" if self.inside else "<think>"
            at = self.buffer.find(tag)
            if at >= 0:
                if at:
                    out.append((self.inside, self.buffer[:at]))
                self.buffer = self.buffer[at + len(tag) :]
                if self.inside:
                    self.blocks += 1
                self.inside = not self.inside
                self.strip = True
                continue
            keep = _partial_suffix(self.buffer, tag)
            emit = self.buffer[: len(self.buffer) - keep]
            if emit:
                out.append((self.inside, emit))
            self.buffer = self.buffer[len(emit) :]
            return out

    def flush(self) -> list[tuple[bool, str]]:
        rest, self.buffer = self.buffer, ""
        return [(self.inside, rest)] if rest else []


def _partial_suffix(buffer: str, tag: str) -> int:
    for n in range(min(len(tag) - 1, len(buffer)), 0, -1):
        if buffer.endswith(tag[:n]):
            return n
    return 0
