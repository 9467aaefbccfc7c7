"""What every codec's stream parser shares: the parts it builds and the response metadata it reads."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .._parts_manager import ModelResponsePartsManager
from ..exceptions import UserError
from ..messages import FinishReason, ModelMessage, ModelRequest, ModelResponse, ModelResponseStreamEvent
from ..usage import RequestUsage

__all__ = [
    "NO_EVENTS",
    "StreamParser",
    "WireRequest",
    "chat_messages",
    "latest_instructions",
    "loads",
    "parse_stream_with",
    "pieces",
    "resolve_tool_choice",
    "token_count",
]


@dataclass
class WireRequest:
    """One HTTP request as a codec wants it sent: what to send, never where or as whom.

    `path` is relative to the provider's base URL; the provider adds the host, auth (a key header,
    SigV4, a Google token) and its default headers. `content()` is the exact body on the wire.
    """

    method: str
    path: str
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        """The body as sent: compact JSON, UTF-8, non-ASCII kept as is (empty for a body-less request)."""
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode()


def resolve_tool_choice(
    settings: Mapping[str, Any], allow_text_output: bool, tool_names: Iterable[str]
) -> str:
    """`'auto'`, `'required'`, `'none'` or a tool name: the `tool_choice` setting, else what the output needs.

    Each codec spells the answer its vendor's way; a name that is not one of this request's tools is
    a `UserError` here rather than a vendor 400 later.
    """
    choice = settings.get("tool_choice")
    if choice is None:
        return "auto" if allow_text_output else "required"
    names = list(tool_names)
    if choice not in ("auto", "required", "none") and choice not in names:
        raise UserError(
            f"tool_choice {choice!r} is neither auto/required/none nor one of this request's tools {names}"
        )
    return str(choice)


def token_count(value: Any) -> int:
    """A vendor's token count, or 0 for anything that is not a number (some specs type them as doubles)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(value)


def pieces(text: str, size: int) -> list[str]:
    """`text` cut into `size`-character fragments, as the fake vendors stream it (empty text: none)."""
    return [text[i : i + size] for i in range(0, len(text), max(size, 1))]


_scan_once = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # set in __init__, not in the stubs


def loads(text: str) -> Any:
    """`json.loads` minus its Python-level wrapper: the C scanner called directly.

    Stream parsers decode one small JSON document per event; on a 20,000-delta stream the wrapper
    (two regex matches and three calls per document) is a measurable share of the CPU. Errors are
    the same `ValueError`s `json.loads` raises.
    """
    try:
        value, end = _scan_once(text, 0)
    except StopIteration:
        return json.loads(text)  # leading whitespace or not JSON: let json say why
    if end != len(text) and text[end:].strip():
        return json.loads(text)  # extra data: json raises the error with its position
    return value


NO_EVENTS: Sequence[ModelResponseStreamEvent] = ()


class StreamParser:
    """State machine over one response's decoded stream events.

    `feed()` takes one decoded event and returns the part events it produced; `close()` is called
    when the bytes end and raises `UnexpectedModelBehavior` if the vendor's stream was incomplete
    (or `ModelHTTPError` for an error it reported).
    """

    def __init__(self, parts: ModelResponsePartsManager | None = None, *, model_name: str):
        self.parts = parts if parts is not None else ModelResponsePartsManager()
        self.model_name = model_name
        self.usage = RequestUsage()
        self.finish_reason: FinishReason | None = None
        self.provider_response_id: str | None = None
        self.provider_details: dict[str, Any] | None = None

    def feed(self, event: Any) -> Sequence[ModelResponseStreamEvent]:
        raise NotImplementedError

    def close(self) -> None:
        """Check the stream ended the way the vendor ends a complete response."""

    def response(self, provider_name: str | None = None) -> ModelResponse:
        """The response assembled so far."""
        return ModelResponse(
            parts=self.parts.get_parts(),
            usage=self.usage,
            model_name=self.model_name,
            provider_name=provider_name,
            provider_response_id=self.provider_response_id,
            finish_reason=self.finish_reason,
            provider_details=self.provider_details,
        )


class _Decoder(Protocol):
    def feed(self, chunk: bytes) -> Sequence[Any]: ...

    def close(self) -> Sequence[Any]: ...


def parse_stream_with(
    parser: StreamParser, decoder: _Decoder, chunks: bytes | Iterable[bytes], provider_name: str | None
) -> ModelResponse:
    """Run a whole stream body (or its chunks) through a decoder and parser, as a streamed request would."""
    for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
        for event in decoder.feed(chunk):
            parser.feed(event)
    for event in decoder.close():
        parser.feed(event)
    parser.close()
    return parser.response(provider_name)


def chat_messages(
    messages: Sequence[ModelMessage],
    request_part: Callable[[Any], dict[str, Any]],
    response: Callable[[ModelResponse], dict[str, Any] | None],
    *,
    system_role: str = "system",
) -> list[dict[str, Any]]:
    """The `messages` list of the role/content chat APIs (OpenAI chat, Mistral, Cohere): the latest
    instructions first as a system message, then one message per request part and per response."""
    out: list[dict[str, Any]] = []
    instructions = latest_instructions(messages)
    if instructions:
        out.append({"role": system_role, "content": instructions})
    for message in messages:
        if isinstance(message, ModelRequest):
            out.extend(request_part(part) for part in message.parts)
        else:
            mapped = response(message)
            if mapped is not None:
                out.append(mapped)
    return out


def latest_instructions(messages: Sequence[ModelMessage]) -> str | None:
    """Only the most recent request's instructions apply (the agent re-evaluates them every request)."""
    for message in reversed(messages):
        if isinstance(message, ModelRequest) and message.instructions:
            return message.instructions
    return None
