"""Anthropic Messages API (`POST /v1/messages`), both directions, sans I/O.

Request: `build_request` turns our messages into a Messages body (`system` blocks, alternating
`user`/`assistant` turns, tools, thinking, prompt caching). Response: `parse_response` reads a
`message` object. Stream: `AnthropicStreamParser` is fed decoded SSE events (`message_start`,
`content_block_*`, `message_delta`, `message_stop`, `ping`, `error`). `encode_response` and
`encode_stream` are the inverse, for fake vendors. See `protocols/anthropic.md`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._params import ToolDefinition
from .._parts_manager import ModelResponsePartsManager
from ..exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError, snippet
from ..messages import (
    BinaryContent,
    DocumentUrl,
    FinishReason,
    ImageUrl,
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
from ..settings import ModelSettings
from ..usage import RequestUsage
from ..wire.sse import SSEDecoder, SSEEvent, encode_sse
from ._base import (
    NO_EVENTS,
    StreamParser,
    latest_instructions,
    loads,
    parse_stream_with,
    pieces,
    resolve_tool_choice,
    token_count,
)

__all__ = [
    "ANTHROPIC_VERSION",
    "FINISH_REASONS",
    "PROVIDER_NAME",
    "AnthropicStreamParser",
    "RequestOptions",
    "build_request",
    "encode_response",
    "encode_stream",
    "parse_response",
    "parse_stream",
    "request_headers",
]

ANTHROPIC_VERSION = "2023-06-01"
PROVIDER_NAME = "anthropic"

# stop_reason -> our finish reason. `pause_turn` means "send the conversation back to continue".
FINISH_REASONS: dict[str, FinishReason | None] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_call",
    "refusal": "content_filter",
    "pause_turn": None,
}
_STOP_REASONS: dict[FinishReason, str] = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_call": "tool_use",
    "content_filter": "refusal",
    "error": "end_turn",
}

# error.type of an error body -> the HTTP status Anthropic uses for it (for errors inside a stream).
ERROR_STATUS: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}

_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_REDACTED = "redacted_thinking"  # ThinkingPart.provider_details key holding a redacted block's `data`
_USAGE_COUNTS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


# ============================================================================================ request


@dataclass
class RequestOptions:
    """What the model layer decides for the codec: everything not in our messages or settings."""

    model: str
    max_tokens: int
    stream: bool = False
    thinking: dict[str, Any] | None = None
    cache_instructions: bool | str = False
    cache_tool_definitions: bool | str = False
    cache_messages: bool | str = False
    cache: bool | str = False
    metadata: dict[str, Any] | None = None
    service_tier: str | None = None
    effort: str | None = None
    betas: list[str] = field(default_factory=list)


def build_request(
    messages: Sequence[ModelMessage],
    settings: ModelSettings,
    *,
    options: RequestOptions,
    function_tools: Sequence[ToolDefinition] = (),
    output_tools: Sequence[ToolDefinition] = (),
    output_mode: str = "text",
    output_schema: dict[str, Any] | None = None,
    allow_text_output: bool = True,
) -> dict[str, Any]:
    """The Messages request body for this conversation (no `None`s: the API rejects some of them).

    Prompted output needs nothing here: the agent puts the schema into the instructions.
    """
    system, turns = map_messages(messages)
    if system and options.cache_instructions:
        system[-1]["cache_control"] = _cache_control(options.cache_instructions)
    if turns and options.cache_messages:
        _mark_last_block(turns, _cache_control(options.cache_messages))

    body: dict[str, Any] = {"model": options.model, "max_tokens": options.max_tokens}
    if system:
        body["system"] = system
    body["messages"] = turns

    tools = [_tool(t) for t in (*function_tools, *output_tools)]
    if tools:
        if options.cache_tool_definitions:
            tools[-1]["cache_control"] = _cache_control(options.cache_tool_definitions)
        body["tools"] = tools
        body["tool_choice"] = _tool_choice(
            settings, options, allow_text_output, [t["name"] for t in body["tools"] if "name" in t]
        )

    if options.thinking is not None:
        body["thinking"] = options.thinking
    output_config: dict[str, Any] = {}
    if options.effort:
        output_config["effort"] = options.effort
    if output_mode == "native" and output_schema is not None:
        output_config["format"] = {"type": "json_schema", "schema": output_schema}
    if output_config:
        body["output_config"] = output_config
    if options.cache:
        body["cache_control"] = _cache_control(options.cache)

    for key in ("temperature", "top_p", "top_k", "stop_sequences"):
        if key in settings:
            body[key] = settings[key]
    if options.metadata:
        body["metadata"] = options.metadata
    if options.service_tier:
        body["service_tier"] = options.service_tier
    if options.stream:
        body["stream"] = True
    return body


def request_headers(api_betas: Iterable[str]) -> dict[str, str]:
    """Per-request headers: `anthropic-beta` with every beta once, in first-seen order."""
    betas: list[str] = []
    for item in api_betas:
        for beta in item.split(","):
            beta = beta.strip()
            if beta and beta not in betas:
                betas.append(beta)
    return {"anthropic-beta": ",".join(betas)} if betas else {}


def map_messages(messages: Sequence[ModelMessage]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Our history -> (`system` text blocks, `messages` turns with same-role neighbours merged)."""
    system: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []

    def add(role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return  # the API rejects empty turns
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})

    instructions = latest_instructions(messages)
    for message in messages:
        if isinstance(message, ModelRequest):
            blocks: list[dict[str, Any]] = []
            for part in message.parts:
                if isinstance(part, SystemPromptPart):
                    if part.content:
                        system.append({"type": "text", "text": part.content})
                elif isinstance(part, UserPromptPart):
                    blocks.extend(_user_content(part.content))
                elif isinstance(part, ToolReturnPart):
                    blocks.append(
                        {
                            "type": "tool_result",
                            "tool_use_id": part.tool_call_id,
                            "content": part.model_response_str(),
                        }
                    )
                elif isinstance(part, RetryPromptPart):
                    if part.tool_name is None:
                        blocks.append({"type": "text", "text": part.model_response()})
                    else:
                        blocks.append(
                            {
                                "type": "tool_result",
                                "tool_use_id": part.tool_call_id,
                                "content": part.model_response(),
                                "is_error": True,
                            }
                        )
            add("user", blocks)
        elif isinstance(message, ModelResponse):
            add("assistant", _assistant_content(message))
    if instructions:
        system.append({"type": "text", "text": instructions})
    return system, turns


def _user_content(content: str | Sequence[Any]) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    blocks: list[dict[str, Any]] = []
    for item in content:
        if isinstance(item, str):
            if item:
                blocks.append({"type": "text", "text": item})
        elif isinstance(item, ImageUrl):
            blocks.append({"type": "image", "source": {"type": "url", "url": item.url}})
        elif isinstance(item, DocumentUrl):
            if item.media_type != "application/pdf":
                raise UserError(
                    f"Anthropic takes documents by URL only as PDF, not {item.media_type!r}: "
                    "download it and pass `BinaryContent` instead"
                )
            blocks.append({"type": "document", "source": {"type": "url", "url": item.url}})
        elif isinstance(item, BinaryContent):
            blocks.append(_binary_block(item))
        else:
            raise UserError(f"Anthropic does not accept {type(item).__name__} input")
    return blocks


def _binary_block(item: BinaryContent) -> dict[str, Any]:
    if item.is_image:
        if item.media_type not in _IMAGE_TYPES:
            raise UserError(
                f"Anthropic takes images as {', '.join(sorted(_IMAGE_TYPES))}, not {item.media_type!r}"
            )
        return {
            "type": "image",
            "source": {"type": "base64", "media_type": item.media_type, "data": item.base64},
        }
    if item.media_type == "application/pdf":
        return {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": item.base64},
        }
    if item.media_type.startswith("text/"):
        text = item.data.decode("utf-8", errors="replace")
        return {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": text}}
    raise UserError(f"Anthropic does not accept {item.media_type!r} content (images, PDF and text only)")


def _assistant_content(response: ModelResponse) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for part in response.parts:
        if isinstance(part, TextPart):
            if part.content:
                blocks.append({"type": "text", "text": part.content})
        elif isinstance(part, ToolCallPart):
            blocks.append(
                {
                    "type": "tool_use",
                    "id": part.tool_call_id,
                    "name": part.tool_name,
                    "input": _tool_input(part),
                }
            )
        elif isinstance(part, ThinkingPart):
            block = _thinking_block(part)
            if block is not None:
                blocks.append(block)
    return blocks


def _tool_input(part: ToolCallPart) -> dict[str, Any]:
    try:
        return part.args_as_dict()
    except ValueError:
        return {}  # malformed arguments the model produced; its retry prompt already says why


def _thinking_block(part: ThinkingPart) -> dict[str, Any] | None:
    """Anthropic's own thinking goes back verbatim with its signature; anyone else's is dropped."""
    details = part.provider_details or {}
    redacted = details.get(_REDACTED)
    if isinstance(redacted, str):
        return {"type": "redacted_thinking", "data": redacted}
    if part.signature and part.provider_name in (PROVIDER_NAME, None):
        return {"type": "thinking", "thinking": part.content, "signature": part.signature}
    return None


def _mark_last_block(turns: list[dict[str, Any]], cache_control: dict[str, Any]) -> None:
    for block in reversed(turns[-1]["content"]):
        if block.get("type") not in ("thinking", "redacted_thinking"):  # these take no cache_control
            block["cache_control"] = cache_control
            return


def _cache_control(setting: bool | str) -> dict[str, Any]:
    control: dict[str, Any] = {"type": "ephemeral"}
    if isinstance(setting, str):
        control["ttl"] = setting
    return control


def _tool(tool: ToolDefinition) -> dict[str, Any]:
    out: dict[str, Any] = {"name": tool.name}
    if tool.description:
        out["description"] = tool.description
    out["input_schema"] = tool.parameters_json_schema
    if tool.strict:
        out["strict"] = True
    return out


def _tool_choice(
    settings: ModelSettings, options: RequestOptions, allow_text_output: bool, tool_names: list[str]
) -> dict[str, Any]:
    # With extended thinking on, the API accepts only `auto`/`none`: the agent's output validation
    # then asks again if the model answers in text.
    thinking_on = options.thinking is not None and options.thinking.get("type") != "disabled"
    wanted = resolve_tool_choice(settings, allow_text_output, tool_names)
    if thinking_on and wanted != "none":
        wanted = "auto"
    if wanted in ("auto", "none"):
        choice: dict[str, Any] = {"type": wanted}
    elif wanted == "required":
        choice = {"type": "any"}
    else:
        choice = {"type": "tool", "name": wanted}
    if settings.get("parallel_tool_calls") is False:
        choice["disable_parallel_tool_use"] = True
    return choice


# ============================================================================================ response


def parse_response(body: Any, *, model_name: str | None = None) -> ModelResponse:
    """A `message` object -> `ModelResponse`; an `error` object -> `ModelHTTPError`."""
    if not isinstance(body, dict):
        raise UnexpectedModelBehavior("Anthropic: expected a message object", snippet(body))
    if body.get("type") == "error":
        raise _error(body, model_name or "")
    content = body.get("content")
    if not isinstance(content, list):
        raise UnexpectedModelBehavior("Anthropic: message without a `content` list", snippet(body))
    parts: list[ModelResponsePart] = []
    for block in content:
        part = _part(block, body)
        if part is not None:
            parts.append(part)
    stop_reason = body.get("stop_reason")
    return ModelResponse(
        parts=parts,
        usage=_usage(_as_dict(body.get("usage"))),
        model_name=_str(body.get("model")) or model_name,
        provider_name=PROVIDER_NAME,
        provider_response_id=_str(body.get("id")),
        finish_reason=FINISH_REASONS.get(stop_reason) if isinstance(stop_reason, str) else None,
        provider_details=_details(stop_reason, body.get("stop_sequence")),
    )


def _part(block: Any, body: Any) -> ModelResponsePart | None:
    if not isinstance(block, dict):
        raise UnexpectedModelBehavior("Anthropic: content block is not an object", snippet(body))
    kind = block.get("type")
    try:
        if kind == "text":
            citations = block.get("citations")
            return TextPart(
                _req_str(block, "text"), provider_details={"citations": citations} if citations else None
            )
        if kind == "tool_use":
            args = block.get("input")
            return ToolCallPart(
                _req_str(block, "name"),
                args if isinstance(args, dict) else {},
                tool_call_id=_req_str(block, "id"),
            )
        if kind == "thinking":
            return ThinkingPart(
                _req_str(block, "thinking"),
                signature=_str(block.get("signature")),
                provider_name=PROVIDER_NAME,
            )
        if kind == "redacted_thinking":
            return ThinkingPart(
                "", provider_name=PROVIDER_NAME, provider_details={_REDACTED: _req_str(block, "data")}
            )
    except _MissingField as exc:
        raise UnexpectedModelBehavior(
            f"Anthropic: {kind} block without a string `{exc}`", snippet(body)
        ) from None
    return None  # server tool blocks and future types are not ours to interpret


def _usage(raw: dict[str, Any]) -> RequestUsage:
    """Anthropic counts fresh, cache-written and cache-read input separately; our input is their sum."""
    counts = {key: token_count(raw.get(key)) for key in _USAGE_COUNTS}
    details: dict[str, int] = {}
    for group in ("cache_creation", "server_tool_use"):
        for key, value in _as_dict(raw.get(group)).items():
            if isinstance(value, int) and not isinstance(value, bool) and value:
                details[key] = value
    return RequestUsage(
        input_tokens=counts["input_tokens"]
        + counts["cache_creation_input_tokens"]
        + counts["cache_read_input_tokens"],
        output_tokens=counts["output_tokens"],
        cache_read_tokens=counts["cache_read_input_tokens"],
        cache_write_tokens=counts["cache_creation_input_tokens"],
        details=details or None,
    )


def _details(stop_reason: Any, stop_sequence: Any) -> dict[str, Any] | None:
    details: dict[str, Any] = {}
    if isinstance(stop_reason, str):
        details["stop_reason"] = stop_reason
    if isinstance(stop_sequence, str):
        details["stop_sequence"] = stop_sequence
    return details or None


def _error(body: dict[str, Any], model_name: str) -> ModelHTTPError:
    error = _as_dict(body.get("error"))
    return ModelHTTPError(ERROR_STATUS.get(_str(error.get("type")) or "", 500), model_name, body)


# ============================================================================================ stream


class AnthropicStreamParser(StreamParser):
    """Fed one decoded SSE event at a time; part events out. Content-block `index` is the part key.

    Tool input arrives as partial JSON over `input_json_delta` events; it is accumulated per block
    and parsed once at `content_block_stop` (fragments may be empty, and an input may instead come
    whole in `content_block_start`). Usage: `message_start` has the input and cache counts,
    `message_delta` cumulative totals; a later count replaces an earlier one key by key.
    """

    def __init__(self, parts: ModelResponsePartsManager | None = None, *, model_name: str):
        super().__init__(parts, model_name=model_name)
        self._raw_usage: dict[str, Any] = {}
        self._tool_blocks: dict[int, dict[str, Any]] = {}  # index -> input given in content_block_start
        self._skipped_blocks: set[int] = set()  # server tool calls and block types newer than this codec
        self._stopped = False
        self._started = False

    def feed(self, event: Any) -> Sequence[ModelResponseStreamEvent]:
        if not isinstance(event, SSEEvent):
            raise TypeError(f"expected an SSEEvent, got {type(event).__name__}")
        if event.event == "ping" or not event.data.strip():
            return NO_EVENTS
        try:
            data = loads(event.data)
        except ValueError:
            raise UnexpectedModelBehavior(
                "Anthropic stream: an event's data is not JSON", event.data
            ) from None
        if not isinstance(data, dict):
            raise UnexpectedModelBehavior("Anthropic stream: an event's data is not an object", event.data)
        kind = data.get("type", event.event)
        handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            return NO_EVENTS  # `ping` and event types newer than this codec
        out = handler(self, data)
        return NO_EVENTS if out is None else (out,)

    def close(self) -> None:
        if not self._stopped:
            raise UnexpectedModelBehavior(
                "Anthropic stream ended before `message_stop`"
                + ("" if self._started else " (no `message_start` either)")
            )

    # ---------------------------------------------------------------------------- event handlers

    def _message_start(self, data: dict[str, Any]) -> None:
        message = _as_dict(data.get("message"))
        self._started = True
        self.provider_response_id = _str(message.get("id")) or self.provider_response_id
        self.model_name = _str(message.get("model")) or self.model_name
        self._merge_usage(_as_dict(message.get("usage")))

    def _block_start(self, data: dict[str, Any]) -> ModelResponseStreamEvent | None:
        index = _index(data)
        block = data.get("content_block")
        if not isinstance(block, dict):
            raise UnexpectedModelBehavior(
                "Anthropic stream: content_block_start without a block", snippet(data)
            )
        kind = block.get("type")
        parts = self.parts
        if kind == "text":
            return parts.handle_text_delta(index, _str(block.get("text")) or "")
        if kind == "tool_use":
            given = block.get("input")
            self._tool_blocks[index] = given if isinstance(given, dict) else {}
            return parts.handle_tool_call_delta(
                index, _str(block.get("name")) or "", None, _str(block.get("id"))
            )
        if kind == "thinking":
            return parts.handle_thinking_delta(
                index,
                _str(block.get("thinking")) or "",
                signature=_str(block.get("signature")) or None,
                provider_name=PROVIDER_NAME,
            )
        if kind == "redacted_thinking":
            return parts.handle_thinking_delta(
                index,
                "",
                provider_name=PROVIDER_NAME,
                provider_details={_REDACTED: _str(block.get("data")) or ""},
            )
        self._skipped_blocks.add(index)
        return None

    def _block_delta(self, data: dict[str, Any]) -> ModelResponseStreamEvent | None:
        index = _index(data)
        delta = _as_dict(data.get("delta"))
        kind = delta.get("type")
        parts = self.parts
        if index in self._skipped_blocks:
            return None  # e.g. the `input_json_delta`s of a `server_tool_use` (web search) block
        if kind == "text_delta":
            return parts.handle_text_delta(index, _str(delta.get("text")) or "")
        if kind == "input_json_delta":
            if index not in self._tool_blocks:
                raise UnexpectedModelBehavior(
                    "Anthropic stream: input_json_delta outside a tool_use block", snippet(data)
                )
            return parts.handle_tool_call_delta(index, None, _str(delta.get("partial_json")) or None, None)
        if kind == "thinking_delta":
            return parts.handle_thinking_delta(
                index, _str(delta.get("thinking")) or "", provider_name=PROVIDER_NAME
            )
        if kind == "signature_delta":
            return parts.handle_thinking_delta(
                index, signature=_str(delta.get("signature")) or "", provider_name=PROVIDER_NAME
            )
        if kind == "citations_delta":
            part = parts.part_for(index)
            citation = delta.get("citation")
            if isinstance(part, TextPart) and citation is not None:
                details = part.provider_details = dict(part.provider_details or {})
                details["citations"] = [*details.get("citations", []), citation]
        return None

    def _block_stop(self, data: dict[str, Any]) -> None:
        index = _index(data)
        self._skipped_blocks.discard(index)
        given = self._tool_blocks.pop(index, None)
        if given is None or not isinstance(self.parts.part_for(index), ToolCallPart):
            return
        text = self.parts.tool_call_args_text(index)
        if not text.strip():
            self.parts.set_tool_call_args(index, given)
            return
        try:
            args = json.loads(text)
        except ValueError:
            return  # cut off (max_tokens) or malformed: left as text for the agent's retry prompt
        if isinstance(args, dict):
            self.parts.set_tool_call_args(index, args)

    def _message_delta(self, data: dict[str, Any]) -> None:
        delta = _as_dict(data.get("delta"))
        stop_reason = delta.get("stop_reason")
        if isinstance(stop_reason, str):
            self.finish_reason = FINISH_REASONS.get(stop_reason)
            self.provider_details = _details(stop_reason, delta.get("stop_sequence"))
        self._merge_usage(_as_dict(data.get("usage")))

    def _message_stop(self, data: dict[str, Any]) -> None:
        self._stopped = True

    def _error(self, data: dict[str, Any]) -> None:
        raise _error(data, self.model_name)

    def _merge_usage(self, raw: dict[str, Any]) -> None:
        # Counts are cumulative, so they never go down: a `message_delta` that repeats `input_tokens`
        # as 0 (as some Anthropic-compatible gateways do) must not erase `message_start`'s count.
        for key, value in raw.items():
            if value is None:
                continue
            if key in _USAGE_COUNTS and token_count(value) < token_count(self._raw_usage.get(key)):
                continue
            self._raw_usage[key] = value
        self.usage = _usage(self._raw_usage)


_HANDLERS: dict[str, Any] = {
    "message_start": AnthropicStreamParser._message_start,
    "content_block_start": AnthropicStreamParser._block_start,
    "content_block_delta": AnthropicStreamParser._block_delta,
    "content_block_stop": AnthropicStreamParser._block_stop,
    "message_delta": AnthropicStreamParser._message_delta,
    "message_stop": AnthropicStreamParser._message_stop,
    "error": AnthropicStreamParser._error,
}


def parse_stream(chunks: bytes | Iterable[bytes], *, model_name: str = "") -> ModelResponse:
    """A whole SSE body (or its chunks) -> the `ModelResponse` a streamed request would give."""
    return parse_stream_with(
        AnthropicStreamParser(model_name=model_name), SSEDecoder(), chunks, PROVIDER_NAME
    )


# ============================================================================================ inverse


def encode_response(
    response: ModelResponse, *, model_name: str | None = None, id: str = "msg_fake"
) -> dict[str, Any]:
    """The `message` JSON Anthropic would send for `response` (for fake vendors and fixtures)."""
    return {
        "id": response.provider_response_id or id,
        "type": "message",
        "role": "assistant",
        "model": response.model_name or model_name or "claude-fake",
        "content": [_encode_block(p) for p in response.parts],
        "stop_reason": _stop_reason(response),
        "stop_sequence": (response.provider_details or {}).get("stop_sequence"),
        "usage": _encode_usage(response.usage),
    }


def _encode_block(part: ModelResponsePart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        block: dict[str, Any] = {"type": "text", "text": part.content}
        citations = (part.provider_details or {}).get("citations")
        if citations:
            block["citations"] = citations
        return block
    if isinstance(part, ToolCallPart):
        return {
            "type": "tool_use",
            "id": part.tool_call_id,
            "name": part.tool_name,
            "input": _tool_input(part),
        }
    redacted = (part.provider_details or {}).get(_REDACTED)
    if isinstance(redacted, str):
        return {"type": "redacted_thinking", "data": redacted}
    return {"type": "thinking", "thinking": part.content, "signature": part.signature or ""}


def _stop_reason(response: ModelResponse) -> str:
    raw = (response.provider_details or {}).get("stop_reason")
    if isinstance(raw, str):
        return raw
    if response.finish_reason is None:
        return "tool_use" if response.tool_calls else "end_turn"
    return _STOP_REASONS.get(response.finish_reason, "end_turn")


def _encode_usage(usage: RequestUsage) -> dict[str, Any]:
    details = usage.details or {}
    out: dict[str, Any] = {
        "input_tokens": usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens,
        "cache_creation_input_tokens": usage.cache_write_tokens,
        "cache_read_input_tokens": usage.cache_read_tokens,
        "output_tokens": usage.output_tokens,
    }
    creation = {k: v for k, v in details.items() if k.startswith("ephemeral_")}
    if creation:
        out["cache_creation"] = creation
    server = {k: v for k, v in details.items() if not k.startswith("ephemeral_")}
    if server:
        out["server_tool_use"] = server
    return out


def encode_stream(
    response: ModelResponse, *, model_name: str | None = None, id: str = "msg_fake", chunk_size: int = 16
) -> bytes:
    """The SSE stream Anthropic would send for `response`: text and tool input cut into `chunk_size` pieces."""
    message = encode_response(response, model_name=model_name, id=id)
    usage = message["usage"]
    start_usage = {**usage, "output_tokens": min(1, usage["output_tokens"])}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": {**message, "content": [], "stop_reason": None,
                                                                 "stop_sequence": None, "usage": start_usage}}),
        ("ping", {"type": "ping"}),
    ]  # fmt: skip
    for index, block in enumerate(message["content"]):
        events.extend(_encode_block_events(index, block, chunk_size))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": message["stop_reason"], "stop_sequence": message["stop_sequence"]},
                "usage": {"output_tokens": usage["output_tokens"]},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return b"".join(encode_sse(json.dumps(data), event) for event, data in events)


def _encode_block_events(index: int, block: dict[str, Any], size: int) -> list[tuple[str, dict[str, Any]]]:
    kind = block["type"]
    deltas: list[dict[str, Any]] = []
    if kind == "text":
        start: dict[str, Any] = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": piece} for piece in pieces(block["text"], size)]
        deltas += [{"type": "citations_delta", "citation": c} for c in block.get("citations", ())]
    elif kind == "tool_use":
        start = {**block, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": ""}]
        deltas += [
            {"type": "input_json_delta", "partial_json": p} for p in pieces(json.dumps(block["input"]), size)
        ]
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": ""}
        deltas = [{"type": "thinking_delta", "thinking": piece} for piece in pieces(block["thinking"], size)]
        if block["signature"]:
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
    else:
        start = block
    return [
        ("content_block_start", {"type": "content_block_start", "index": index, "content_block": start}),
        *[
            ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
            for d in deltas
        ],
        ("content_block_stop", {"type": "content_block_stop", "index": index}),
    ]


# ============================================================================================ helpers


class _MissingField(Exception):
    pass


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _req_str(block: dict[str, Any], key: str) -> str:
    value = block.get(key)
    if not isinstance(value, str):
        raise _MissingField(key)
    return value


def _index(data: dict[str, Any]) -> int:
    index = data.get("index")
    if not isinstance(index, int) or isinstance(index, bool):
        raise UnexpectedModelBehavior(
            f"Anthropic stream: {data.get('type')} without an integer `index`", snippet(data)
        )
    return index
