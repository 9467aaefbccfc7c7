"""OpenAI Chat Completions (`POST {base_url}/chat/completions`), as spoken by OpenAI and its imitators.

One codec serves OpenAI, Azure, Groq, DeepSeek, OpenRouter, xAI, Perplexity and Ollama. Where the
hosts differ (which field carries reasoning text, whether `stream_options` is accepted, ...) the
difference is a field of `ChatOptions`, filled in from the model profile — never a copy of this code.

Sans-I/O: `build_request` gives the JSON body, `parse_response` reads a JSON body back,
`ChatStreamParser` is fed decoded SSE events. `encode_response` / `encode_stream` are the inverse,
for fake vendors.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Any, Literal

from .._params import ModelRequestParameters, ToolDefinition
from .._parts_manager import ModelResponsePartsManager
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
from ..settings import ModelSettings
from ..usage import RequestUsage
from ..wire.sse import encode_sse
from ._base import (
    NO_EVENTS,
    StreamParser,
    chat_messages,
    loads,
    pieces,
    resolve_tool_choice,
    token_count,
)

__all__ = [
    "FINISH_REASONS",
    "ChatOptions",
    "ChatStreamParser",
    "build_request",
    "encode_response",
    "encode_stream",
    "error_status",
    "parse_response",
    "parse_usage",
]

# --------------------------------------------------------------------------------------------- host options


@dataclass(frozen=True)
class ChatOptions:
    """What one OpenAI-compatible host accepts and returns, as data.

    Built from `ModelProfile.extra['openai_chat']` (a dict of these field names), so a provider
    describes its host without touching the codec.
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
    "tool_calls": "tool_call",
    "function_call": "tool_call",
    "content_filter": "content_filter",
    "error": "error",
}
_FINISH_BACK = {
    "stop": "stop",
    "length": "length",
    "tool_call": "tool_calls",
    "content_filter": "content_filter",
    "error": "stop",
}

# --------------------------------------------------------------------------------------------- request


def build_request(
    messages: Sequence[ModelMessage],
    settings: ModelSettings | Mapping[str, Any],
    params: ModelRequestParameters,
    *,
    model: str,
    stream: bool = False,
    options: ChatOptions | None = None,
) -> dict[str, Any]:
    """The Chat Completions body for this conversation (no I/O)."""
    opts = options or ChatOptions()
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
        if key in settings and settings[key] is not None:  # type: ignore[literal-required]
            body[wire] = settings[key]  # type: ignore[literal-required]
    if stream:
        body["stream"] = True
        if opts.include_usage:
            body["stream_options"] = {"include_usage": True}
    return body


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
    error = body.get("error")
    if error:
        raise ModelHTTPError(error_status(error), model_name, dict(body))


# --------------------------------------------------------------------------------------------- response


def parse_response(
    body: Any, *, model_name: str, provider_name: str | None = None, options: ChatOptions | None = None
) -> ModelResponse:
    """A `chat.completion` body as a `ModelResponse` (args kept as the raw JSON string sent)."""
    opts = options or ChatOptions()
    if not isinstance(body, dict):
        raise UnexpectedModelBehavior(f"{model_name}: expected a chat.completion object", snippet(body))
    _raise_error(body, model_name)
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise UnexpectedModelBehavior(f"{model_name}: chat.completion without choices", snippet(body))
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, dict):
        raise UnexpectedModelBehavior(f"{model_name}: choice without a message", snippet(body))
    parts: list[ModelResponsePart] = []
    details: dict[str, Any] = {}
    for name in opts.reasoning_fields:
        reasoning = message.get(name)
        if isinstance(reasoning, str) and reasoning:
            parts.append(ThinkingPart(reasoning, provider_name=provider_name))
            break
    content = message.get("content")
    if isinstance(content, str) and content:
        if opts.think_tags:
            parts.extend(_split_think_tags(content, provider_name))
        else:
            parts.append(TextPart(content))
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal:
        parts.append(TextPart(refusal))
        details["refusal"] = refusal
    for call in message.get("tool_calls") or ():
        parts.append(_tool_call(call, model_name))
    for name in opts.detail_fields:
        if body.get(name) is not None:
            details[name] = body[name]
    raw_finish = choice.get("finish_reason")
    if isinstance(raw_finish, str):
        details["finish_reason"] = raw_finish
    return ModelResponse(
        parts=parts,
        usage=parse_usage(body.get("usage"), opts),
        model_name=body.get("model") if isinstance(body.get("model"), str) else model_name,
        timestamp=_timestamp(body.get("created")),
        provider_name=provider_name,
        provider_response_id=body.get("id") if isinstance(body.get("id"), str) else None,
        finish_reason=FINISH_REASONS.get(raw_finish) if isinstance(raw_finish, str) else None,
        provider_details=details or None,
    )


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


def _split_think_tags(content: str, provider_name: str | None) -> list[ModelResponsePart]:
    parts: list[ModelResponsePart] = []
    rest = content
    while "<think>" in rest:
        before, _, after = rest.partition("<think>")
        if before.strip():
            parts.append(TextPart(before))
        thought, closed, rest = after.partition("</think>")
        parts.append(ThinkingPart(thought.strip("\n"), provider_name=provider_name))
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


def parse_usage(usage: Any, opts: ChatOptions | None = None) -> RequestUsage:
    """OpenAI usage: `prompt_tokens` already includes cached tokens; the rest goes into `details`."""
    if not isinstance(usage, dict):
        return RequestUsage()
    details: dict[str, int] = {}
    prompt_details = usage.get("prompt_tokens_details")
    prompt_details = prompt_details if isinstance(prompt_details, dict) else {}
    completion_details = usage.get("completion_tokens_details")
    completion_details = completion_details if isinstance(completion_details, dict) else {}
    cached = token_count(prompt_details.get("cached_tokens")) or token_count(
        usage.get("prompt_cache_hit_tokens")
    )  # DeepSeek
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


class ChatStreamParser(StreamParser):
    """`chat.completion.chunk` events in, part events out.

    Tool calls are keyed by their `index`; the parts manager starts a new call when a server
    reuses `index: 0` for the next one. A chunk with empty `choices` carries the final usage.
    """

    def __init__(
        self,
        parts: ModelResponsePartsManager | None = None,
        *,
        model_name: str,
        provider_name: str | None = None,
        options: ChatOptions | None = None,
    ):
        super().__init__(parts, model_name=model_name)
        self.options = options or ChatOptions()
        self.provider_name = provider_name
        self.done = False
        self._think = _ThinkTagSplitter() if self.options.think_tags else None

    def feed(self, event: Any) -> Sequence[ModelResponseStreamEvent]:
        data = getattr(event, "data", event)
        if not isinstance(data, str):
            return NO_EVENTS
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
                self._choice(choice, out)
        return out

    def _metadata(self, chunk: Mapping[str, Any]) -> None:
        if self.provider_response_id is None and isinstance(chunk.get("id"), str):
            self.provider_response_id = chunk["id"]
        model = chunk.get("model")
        if model and type(model) is str:
            self.model_name = model
        usage = chunk.get("usage")
        if self.options.x_groq_usage and not isinstance(usage, dict):
            x_groq = chunk.get("x_groq")
            usage = x_groq.get("usage") if isinstance(x_groq, dict) else None
        if isinstance(usage, dict):
            self.usage = parse_usage(usage, self.options)
        for name in self.options.detail_fields:
            if chunk.get(name) is not None:
                self.provider_details = {**(self.provider_details or {}), name: chunk[name]}

    def _choice(self, choice: Mapping[str, Any], out: list[ModelResponseStreamEvent]) -> None:
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
            for name in self.options.reasoning_fields:
                reasoning = delta.get(name)
                if isinstance(reasoning, str) and reasoning:
                    self._add(
                        out,
                        self.parts.handle_thinking_delta(
                            _THINKING, reasoning, provider_name=self.provider_name
                        ),
                    )
                    break
            content = delta.get("content")
            if isinstance(content, str) and content:
                if self._think is not None:
                    for is_thought, text in self._think.feed(content):
                        self._add(out, self._text_or_thought(is_thought, text))
                else:
                    self._add(out, self.parts.handle_text_delta(_TEXT, content))
            refusal = delta.get("refusal")
            if isinstance(refusal, str) and refusal:
                self._add(out, self.parts.handle_text_delta(_TEXT, refusal))
                details = self.provider_details or {}
                self.provider_details = {**details, "refusal": details.get("refusal", "") + refusal}
            tool_calls = delta.get("tool_calls")
            for call in tool_calls if isinstance(tool_calls, list) else ():
                if isinstance(call, dict):
                    self._add(out, self._tool_delta(call))
        raw_finish = choice.get("finish_reason")
        if isinstance(raw_finish, str):
            self.finish_reason = FINISH_REASONS.get(raw_finish)
            self.provider_details = {**(self.provider_details or {}), "finish_reason": raw_finish}
            self._add_all(out, self._flush_think())

    def _tool_delta(self, call: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        function = call.get("function")
        function = function if isinstance(function, dict) else {}
        name = function.get("name") if isinstance(function.get("name"), str) else None
        arguments = function.get("arguments")
        if isinstance(arguments, (dict, list)):
            arguments = json.dumps(arguments)
        call_id = call.get("id") if isinstance(call.get("id"), str) and call.get("id") else None
        index = call.get("index", 0)
        key = ("tool", index if isinstance(index, int) else 0)
        return self.parts.handle_tool_call_delta(
            key, name, arguments if isinstance(arguments, str) else None, call_id
        )

    def _text_or_thought(self, is_thought: bool, text: str) -> ModelResponseStreamEvent | None:
        if is_thought:
            return self.parts.handle_thinking_delta(
                ("think", self._think_count()), text, provider_name=self.provider_name
            )
        return self.parts.handle_text_delta(("text", self._think_count()), text)

    def _think_count(self) -> int:
        return self._think.blocks if self._think is not None else 0

    def _flush_think(self) -> list[ModelResponseStreamEvent]:
        out: list[ModelResponseStreamEvent] = []
        if self._think is not None:
            for is_thought, text in self._think.flush():
                self._add(out, self._text_or_thought(is_thought, text))
        return out

    @staticmethod
    def _add(out: list[ModelResponseStreamEvent], event: ModelResponseStreamEvent | None) -> None:
        if event is not None:
            out.append(event)

    @staticmethod
    def _add_all(out: list[ModelResponseStreamEvent], events: Sequence[ModelResponseStreamEvent]) -> None:
        out.extend(events)

    def close(self) -> None:
        # Hosts that skip `[DONE]` still send a finish_reason; a stream with neither was cut off.
        if not self.done and self.finish_reason is None:
            raise UnexpectedModelBehavior(
                f"{self.model_name}: the stream ended without a finish_reason or `data: [DONE]` (truncated)"
            )


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


def _partial_suffix(text: str, tag: str) -> int:
    for n in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:n]):
            return n
    return 0


# --------------------------------------------------------------------------------------------- encoders (fakes)


def _encode_usage(usage: RequestUsage) -> dict[str, Any]:
    out: dict[str, Any] = {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.input_tokens + usage.output_tokens,
    }
    prompt_details: dict[str, int] = {}
    completion_details: dict[str, int] = {}
    if usage.cache_read_tokens:
        prompt_details["cached_tokens"] = usage.cache_read_tokens
    for key, value in (usage.details or {}).items():
        if key == "input_audio_tokens":
            prompt_details["audio_tokens"] = value
        elif key == "output_audio_tokens":
            completion_details["audio_tokens"] = value
        elif key in ("reasoning_tokens", "accepted_prediction_tokens", "rejected_prediction_tokens"):
            completion_details[key] = value
        else:
            out[key] = value
    if prompt_details:
        out["prompt_tokens_details"] = prompt_details
    if completion_details:
        out["completion_tokens_details"] = completion_details
    return out


def _created(response: ModelResponse) -> int:
    return int(response.timestamp.timestamp())


def encode_response(
    response: ModelResponse, *, model: str | None = None, reasoning_field: str = "reasoning_content"
) -> dict[str, Any]:
    """The `chat.completion` body a host would send for `response`."""
    message: dict[str, Any] = {"role": "assistant", "content": None}
    texts = [p.content for p in response.parts if isinstance(p, TextPart)]
    thoughts = [p.content for p in response.parts if isinstance(p, ThinkingPart)]
    calls = [p for p in response.parts if isinstance(p, ToolCallPart)]
    if texts:
        message["content"] = "".join(texts)
    if thoughts:
        message[reasoning_field] = "".join(thoughts)
    if calls:
        message["tool_calls"] = [
            {
                "id": c.tool_call_id,
                "type": "function",
                "function": {"name": c.tool_name, "arguments": c.args_as_json_str()},
            }
            for c in calls
        ]
    return {
        "id": response.provider_response_id or "chatcmpl-fake",
        "object": "chat.completion",
        "created": _created(response),
        "model": model or response.model_name or "fake-model",
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": _finish_back(response)}
        ],
        "usage": _encode_usage(response.usage),
    }


def _finish_back(response: ModelResponse) -> str:
    if response.finish_reason is None:
        return "tool_calls" if response.tool_calls else "stop"
    return _FINISH_BACK[response.finish_reason]


def encode_stream(
    response: ModelResponse,
    *,
    model: str | None = None,
    reasoning_field: str = "reasoning_content",
    fragment: int = 8,
    include_usage: bool = True,
    done: bool = True,
) -> bytes:
    """The SSE stream a host would send: reasoning, text, tool calls in `fragment`-char argument pieces."""
    base = {
        "id": response.provider_response_id or "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": _created(response),
        "model": model or response.model_name or "fake-model",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        body = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
        return encode_sse(json.dumps(body))

    out = [chunk({"role": "assistant", "content": ""})]
    tool_index = 0
    for part in response.parts:
        if isinstance(part, ThinkingPart):
            out.extend(chunk({reasoning_field: piece}) for piece in pieces(part.content, fragment))
        elif isinstance(part, TextPart):
            out.extend(chunk({"content": piece}) for piece in pieces(part.content, fragment))
        elif isinstance(part, ToolCallPart):
            head = {"index": tool_index, "id": part.tool_call_id, "type": "function"}
            out.append(
                chunk({"tool_calls": [{**head, "function": {"name": part.tool_name, "arguments": ""}}]})
            )
            for piece in pieces(part.args_as_json_str(), fragment):
                out.append(chunk({"tool_calls": [{"index": tool_index, "function": {"arguments": piece}}]}))
            tool_index += 1
    out.append(chunk({}, _finish_back(response)))
    if include_usage:
        out.append(encode_sse(json.dumps({**base, "choices": [], "usage": _encode_usage(response.usage)})))
    if done:
        out.append(encode_sse("[DONE]"))
    return b"".join(out)
