"""The stream direction: Messages API SSE bytes -> part events and the `ModelResponse`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..._params import ModelRequestParameters
from ...exceptions import UnexpectedModelBehavior, snippet
from ...messages import ModelResponseStreamEvent, TextPart, ToolCallPart
from ...profiles import ModelProfile
from ...wire.sse import SSEEvent
from .._base import NO_EVENTS, BaseStreamParser, block_index, loads, obj, text, token_count
from .request import PROVIDER_NAME, REDACTED
from .response import FINISH_REASONS, USAGE_COUNTS, details, error, read_usage

__all__ = ["StreamParser"]


class StreamParser(BaseStreamParser):
    """`message_start`, `content_block_*`, `message_delta`, `message_stop`, `ping` and `error` SSE
    events in, part events out; the content-block `index` is the part key.

    Tool input arrives as partial JSON over `input_json_delta` events; it is accumulated per block
    and parsed once at `content_block_stop` (fragments may be empty, and an input may instead come
    whole in `content_block_start`). Usage: `message_start` has the input and cache counts,
    `message_delta` cumulative totals; a later count replaces an earlier one key by key. A stream
    that ends before `message_stop` was cut off.
    """

    default_provider_name = PROVIDER_NAME

    def __init__(
        self,
        params: ModelRequestParameters | None = None,
        *,
        model_name: str | None = None,
        profile: ModelProfile | None = None,
    ):
        super().__init__(params, model_name=model_name, profile=profile)
        self._raw_usage: dict[str, Any] = {}
        self._tool_blocks: dict[int, dict[str, Any]] = {}  # index -> input given in content_block_start
        self._skipped_blocks: set[int] = set()  # server tool calls and block types newer than this codec
        self._stopped = False
        self._started = False

    def _frame(self, event: SSEEvent) -> Sequence[ModelResponseStreamEvent]:
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

    def _check_complete(self) -> None:
        if not self._stopped:
            raise UnexpectedModelBehavior(
                "Anthropic stream ended before `message_stop`"
                + ("" if self._started else " (no `message_start` either)")
            )

    # ---------------------------------------------------------------------------- event handlers

    def _message_start(self, data: dict[str, Any]) -> None:
        message = obj(data.get("message"))
        self._started = True
        self.provider_response_id = text(message.get("id")) or self.provider_response_id
        self.model_name = text(message.get("model")) or self.model_name
        self._merge_usage(obj(message.get("usage")))

    def _block_start(self, data: dict[str, Any]) -> ModelResponseStreamEvent | None:
        index = block_index(data, "index", "Anthropic")
        block = data.get("content_block")
        if not isinstance(block, dict):
            raise UnexpectedModelBehavior(
                "Anthropic stream: content_block_start without a block", snippet(data)
            )
        kind = block.get("type")
        parts = self.parts
        if kind == "text":
            return parts.handle_text_delta(index, text(block.get("text")) or "")
        if kind == "tool_use":
            given = block.get("input")
            self._tool_blocks[index] = given if isinstance(given, dict) else {}
            return parts.handle_tool_call_delta(
                index, text(block.get("name")) or "", None, text(block.get("id"))
            )
        if kind == "thinking":
            return parts.handle_thinking_delta(
                index,
                text(block.get("thinking")) or "",
                signature=text(block.get("signature")) or None,
                provider_name=PROVIDER_NAME,
            )
        if kind == "redacted_thinking":
            return parts.handle_thinking_delta(
                index,
                "",
                provider_name=PROVIDER_NAME,
                provider_details={REDACTED: text(block.get("data")) or ""},
            )
        self._skipped_blocks.add(index)
        return None

    def _block_delta(self, data: dict[str, Any]) -> ModelResponseStreamEvent | None:
        index = block_index(data, "index", "Anthropic")
        delta = obj(data.get("delta"))
        kind = delta.get("type")
        parts = self.parts
        if index in self._skipped_blocks:
            return None  # e.g. the `input_json_delta`s of a `server_tool_use` (web search) block
        if kind == "text_delta":
            return parts.handle_text_delta(index, text(delta.get("text")) or "")
        if kind == "input_json_delta":
            if index not in self._tool_blocks:
                raise UnexpectedModelBehavior(
                    "Anthropic stream: input_json_delta outside a tool_use block", snippet(data)
                )
            return parts.handle_tool_call_delta(index, None, text(delta.get("partial_json")) or None, None)
        if kind == "thinking_delta":
            return parts.handle_thinking_delta(
                index, text(delta.get("thinking")) or "", provider_name=PROVIDER_NAME
            )
        if kind == "signature_delta":
            return parts.handle_thinking_delta(
                index, signature=text(delta.get("signature")) or "", provider_name=PROVIDER_NAME
            )
        if kind == "citations_delta":
            part = parts.part_for(index)
            citation = delta.get("citation")
            if isinstance(part, TextPart) and citation is not None:
                part_details = part.provider_details = dict(part.provider_details or {})
                part_details["citations"] = [*part_details.get("citations", []), citation]
        return None

    def _block_stop(self, data: dict[str, Any]) -> None:
        index = block_index(data, "index", "Anthropic")
        self._skipped_blocks.discard(index)
        given = self._tool_blocks.pop(index, None)
        if given is None or not isinstance(self.parts.part_for(index), ToolCallPart):
            return
        args_text = self.parts.tool_call_args_text(index)
        if not args_text.strip():
            self.parts.set_tool_call_args(index, given)
            return
        try:
            args = json.loads(args_text)
        except ValueError:
            return  # cut off (max_tokens) or malformed: left as text for the agent's retry prompt
        if isinstance(args, dict):
            self.parts.set_tool_call_args(index, args)

    def _message_delta(self, data: dict[str, Any]) -> None:
        delta = obj(data.get("delta"))
        stop_reason = delta.get("stop_reason")
        if isinstance(stop_reason, str):
            self.finish_reason = FINISH_REASONS.get(stop_reason)
            self.provider_details = details(stop_reason, delta.get("stop_sequence"))
        self._merge_usage(obj(data.get("usage")))

    def _message_stop(self, data: dict[str, Any]) -> None:
        self._stopped = True

    def _error(self, data: dict[str, Any]) -> None:
        raise error(data, self.model_name)

    def _merge_usage(self, raw: dict[str, Any]) -> None:
        # Counts are cumulative, so they never go down: a `message_delta` that repeats `input_tokens`
        # as 0 (as some Anthropic-compatible gateways do) must not erase `message_start`'s count.
        for key, value in raw.items():
            if value is None:
                continue
            if key in USAGE_COUNTS and token_count(value) < token_count(self._raw_usage.get(key)):
                continue
            self._raw_usage[key] = value
        self.usage = read_usage(self._raw_usage)


_HANDLERS: dict[str, Any] = {
    "message_start": StreamParser._message_start,
    "content_block_start": StreamParser._block_start,
    "content_block_delta": StreamParser._block_delta,
    "content_block_stop": StreamParser._block_stop,
    "message_delta": StreamParser._message_delta,
    "message_stop": StreamParser._message_stop,
    "error": StreamParser._error,
}
