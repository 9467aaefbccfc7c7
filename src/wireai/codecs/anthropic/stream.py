"""The stream direction: Messages API SSE bytes -> part events and the `ModelResponse`."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..._params import ModelRequestParameters
from ...exceptions import UnexpectedModelBehavior, snippet
from ...messages import (
    ModelResponseStreamEvent,
    NativeToolCallPart,
    PartStartEvent,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from ...profiles import ModelProfile
from ...wire.eventstream import EventStreamMessage
from ...wire.sse import SSEEvent
from .._aws import stream_error
from .._base import NO_EVENTS, BaseStreamParser, Framing, block_index, loads, obj, text, token_count
from .common import INVOCATION_METRICS, PROVIDER_NAME, REDACTED
from .native_tools import call_part, is_call_block, is_result_block, return_part
from .response import (
    FINISH_REASONS,
    USAGE_COUNTS,
    block_part,
    caller_details,
    compaction_part,
    error,
    message_details,
    read_usage,
)
from .variants import variant_of

__all__ = ["StreamParser"]

_Events = ModelResponseStreamEvent | Sequence[ModelResponseStreamEvent] | None


class StreamParser(BaseStreamParser):
    """`message_start`, `content_block_*`, `message_delta`, `message_stop`, `ping` and `error` SSE
    events in, part events out; the content-block `index` is the part key.

    Tool input (a `tool_use` or a server tool's `server_tool_use` / `mcp_tool_use`) arrives as partial
    JSON over `input_json_delta` events; it is accumulated per block and parsed once at
    `content_block_stop` (fragments may be empty, and an input may instead come whole in
    `content_block_start`). A server tool's result block comes whole in its `content_block_start`.
    A `compaction` block's summary comes in `compaction_delta`s (`content` pieces joined, the opaque
    `encrypted_content` the latest given): it is one `CompactionPart`, started whole at its
    `content_block_stop`. Blocks already inside `message_start` (a turn continued after programmatic tool calls) are read as
    complete blocks 0..n-1, and later blocks keep their place after them. Usage: `message_start` has the
    input and cache counts, `message_delta` cumulative totals (and `iterations` where the request had
    several billed steps); a later count replaces an earlier one key by key. A stream that ends before
    `message_stop` was cut off.
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
        self._tool_blocks: dict[int, dict[str, Any]] = {}  # key -> input given in content_block_start
        self._skipped_blocks: set[int] = set()  # block types newer than this codec
        self._compactions: dict[int, dict[str, Any]] = {}  # key -> the compaction block so far
        self._kinds: dict[str, str] = {}  # server tool call id -> kind (names an MCP result)
        self._citations: dict[int, list[Any]] = {}  # key -> citations that came before the block's text
        self._start_details: dict[str, Any] = {}  # the `message` of `message_start`, for provider_details
        self._started_blocks = 0  # blocks that came inside `message_start`
        self._offset: int | None = None  # added to later block indices if they restart at 0
        self._stopped = False
        self._started = False

    @classmethod
    def framing_for(cls, profile: ModelProfile | None) -> type[Framing]:
        return variant_of(profile).framing  # SSE, or AWS event-stream from Bedrock's InvokeModel

    def _frame(self, event: SSEEvent | EventStreamMessage) -> Sequence[ModelResponseStreamEvent]:
        if isinstance(event, EventStreamMessage):
            data = invoke_stream_event(event, self.model_name)
            return NO_EVENTS if data is None else self._event(data, None, data)
        if event.event == "ping":
            return NO_EVENTS
        try:
            data = loads(event.data)
        except ValueError:
            if not event.data.strip():
                return NO_EVENTS  # an event with empty data: nothing to read (checked only here, off the hot path)
            raise UnexpectedModelBehavior(
                "Anthropic stream: an event's data is not JSON", event.data
            ) from None
        if type(data) is dict and data.get("type") == "content_block_delta":
            # Nearly every event of a stream: straight to its handler, without the general dispatch.
            out = self._block_delta(data)
            return NO_EVENTS if out is None else (out,)
        return self._event(data, event.event, event.data)

    def _event(self, data: Any, name: str | None, raw: Any) -> Sequence[ModelResponseStreamEvent]:
        """One Anthropic stream event (`name`: the SSE event name, where the framing has one)."""
        if not isinstance(data, dict):
            raise UnexpectedModelBehavior("Anthropic stream: an event's data is not an object", snippet(raw))
        kind = data.get("type", name)
        handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            return NO_EVENTS  # `ping` and event types newer than this codec
        out: _Events = handler(self, data)
        if out is None:
            return NO_EVENTS
        return out if isinstance(out, (list, tuple)) else (out,)  # not `Sequence`: an ABC check per event

    def _check_complete(self) -> None:
        if not self._stopped:
            raise UnexpectedModelBehavior(
                "Anthropic stream ended before `message_stop`"
                + ("" if self._started else " (no `message_start` either)")
            )

    # ---------------------------------------------------------------------------- event handlers

    def _message_start(self, data: dict[str, Any]) -> list[ModelResponseStreamEvent]:
        message = obj(data.get("message"))
        self._started = True
        self.provider_response_id = text(message.get("id")) or self.provider_response_id
        self.model_name = text(message.get("model")) or self.model_name
        self._start_details = message
        self.provider_details = message_details(message)
        self._merge_usage(obj(message.get("usage")))
        content = message.get("content")
        events: list[ModelResponseStreamEvent] = []
        if isinstance(content, list):
            for index, block in enumerate(content):
                event = self._whole_block(index, block, data)
                if event is not None:
                    events.append(event)
            self._started_blocks = len(content)
        return events

    def _whole_block(self, key: int, block: Any, data: dict[str, Any]) -> ModelResponseStreamEvent | None:
        """A block that arrived complete (inside `message_start`), added as its part."""
        part = block_part(block, data, self._kinds)
        parts = self.parts
        if isinstance(part, TextPart):
            event = parts.handle_text_delta(key, part.content)
            started = parts.part_for(key)
            if isinstance(started, TextPart):
                started.provider_details = part.provider_details
            return event
        if isinstance(part, ThinkingPart):
            return parts.handle_thinking_delta(
                key,
                part.content,
                signature=part.signature,
                provider_name=PROVIDER_NAME,
                provider_details=part.provider_details,
            )
        if isinstance(part, ToolCallPart):
            return parts.handle_tool_call_part(
                key, part.tool_name, part.args, part.tool_call_id, provider_details=part.provider_details
            )
        if part is None:
            self._skipped_blocks.add(key)
            return None
        return parts.handle_part(key, part)

    def _key(self, data: dict[str, Any]) -> int:
        """The part key of a block event: its index, shifted past the blocks of `message_start` if the
        server numbered the later blocks from 0 again."""
        index = data.get("index")
        if type(index) is int and self._offset is not None:
            return index + self._offset  # every event after the first: no call per delta
        index = block_index(data, "index", "Anthropic")
        if self._offset is None:
            self._offset = self._started_blocks if index < self._started_blocks else 0
        return index + self._offset

    def _block_start(self, data: dict[str, Any]) -> ModelResponseStreamEvent | None:
        key = self._key(data)
        block = data.get("content_block")
        if not isinstance(block, dict):
            raise UnexpectedModelBehavior(
                "Anthropic stream: content_block_start without a block", snippet(data)
            )
        kind = block.get("type")
        parts = self.parts
        if kind == "text":
            return parts.handle_text_delta(key, text(block.get("text")) or "")
        if kind == "tool_use":
            given = block.get("input")
            self._tool_blocks[key] = given if isinstance(given, dict) else {}
            event = parts.handle_tool_call_delta(
                key, text(block.get("name")) or "", None, text(block.get("id"))
            )
            caller = caller_details(block.get("caller"))
            if caller and isinstance(event, PartStartEvent) and isinstance(event.part, ToolCallPart):
                event.part.provider_details = caller
                call = parts.part_for(key)
                assert isinstance(call, ToolCallPart)
                call.provider_details = caller
            return event
        if is_call_block(kind):
            call = call_part(block)
            self._kinds[call.tool_call_id] = call.tool_name
            self._tool_blocks[key] = call.args_as_dict()
            return parts.handle_part(key, replace(call, args=None))  # the input follows as deltas
        if is_result_block(kind):
            return parts.handle_part(key, return_part(block, self._kinds.get))
        if kind == "thinking":
            return parts.handle_thinking_delta(
                key,
                text(block.get("thinking")) or "",
                signature=text(block.get("signature")) or None,
                provider_name=PROVIDER_NAME,
            )
        if kind == "redacted_thinking":
            return parts.handle_thinking_delta(
                key,
                "",
                provider_name=PROVIDER_NAME,
                provider_details={REDACTED: text(block.get("data")) or ""},
            )
        if kind == "compaction":
            self._compactions[key] = dict(block)
            return None
        self._skipped_blocks.add(key)
        return None

    def _block_delta(self, data: dict[str, Any]) -> ModelResponseStreamEvent | None:
        key = self._key(data)
        delta = data.get("delta")
        if not isinstance(delta, dict):
            delta = {}
        kind = delta.get("type")
        parts = self.parts
        if key in self._skipped_blocks:
            return None  # the deltas of a block type newer than this codec
        if kind == "text_delta":
            content = delta.get("text")
            event = parts.handle_text_delta(key, content if isinstance(content, str) else "")
            if key in self._citations and isinstance(event, PartStartEvent):
                self._cite(key, self._citations.pop(key), event)
            return event
        if kind == "input_json_delta":
            if key not in self._tool_blocks:
                raise UnexpectedModelBehavior(
                    "Anthropic stream: input_json_delta outside a tool_use block", snippet(data)
                )
            return parts.handle_tool_call_delta(key, None, text(delta.get("partial_json")) or None, None)
        if kind == "thinking_delta":
            return parts.handle_thinking_delta(
                key, text(delta.get("thinking")) or "", provider_name=PROVIDER_NAME
            )
        if kind == "signature_delta":
            return parts.handle_thinking_delta(
                key, signature=text(delta.get("signature")) or "", provider_name=PROVIDER_NAME
            )
        if kind == "compaction_delta" and key in self._compactions:
            self._grow_compaction(self._compactions[key], delta)
            return None
        if kind == "citations_delta" and delta.get("citation") is not None:
            if isinstance(parts.part_for(key), TextPart):
                self._cite(key, [delta["citation"]])
            else:  # a citation before the first text of its block: kept until the text starts
                self._citations.setdefault(key, []).append(delta["citation"])
        return None

    @staticmethod
    def _grow_compaction(block: dict[str, Any], delta: dict[str, Any]) -> None:
        # The summary may come in several pieces; an opaque field is whole in each delta that has it
        # (and a null one does not erase what came before).
        piece = delta.get("content")
        if isinstance(piece, str):
            block["content"] = (text(block.get("content")) or "") + piece
        for field, value in delta.items():
            if field not in ("type", "content") and value is not None:
                block[field] = value

    def _cite(self, key: int, citations: list[Any], event: PartStartEvent | None = None) -> None:
        """Add citations to the text part under `key` (and to the start event that carries it)."""
        part = self.parts.part_for(key)
        assert isinstance(part, TextPart)
        part_details = part.provider_details = dict(part.provider_details or {})
        part_details["citations"] = [*part_details.get("citations", []), *citations]
        if event is not None:
            event.part.provider_details = dict(part_details)

    def _block_stop(self, data: dict[str, Any]) -> ModelResponseStreamEvent | None:
        key = self._key(data)
        self._skipped_blocks.discard(key)
        compaction = self._compactions.pop(key, None)
        if compaction is not None:
            return self.parts.handle_part(key, compaction_part(compaction))
        given = self._tool_blocks.pop(key, None)
        if given is None or not isinstance(self.parts.part_for(key), (ToolCallPart, NativeToolCallPart)):
            return None
        args_text = self.parts.tool_call_args_text(key)
        if not args_text.strip():
            self.parts.set_tool_call_args(key, given)
            return None
        try:
            args = json.loads(args_text)
        except ValueError:
            return None  # cut off (max_tokens) or malformed: left as text for the agent's retry prompt
        if isinstance(args, dict):
            self.parts.set_tool_call_args(key, args)
        return None

    def _message_delta(self, data: dict[str, Any]) -> None:
        delta = obj(data.get("delta"))
        stop_reason = delta.get("stop_reason")
        if isinstance(stop_reason, str):
            self.finish_reason = FINISH_REASONS.get(stop_reason)
        self.provider_details = message_details(self._start_details, delta)
        self._merge_usage(obj(data.get("usage")))

    def _message_stop(self, data: dict[str, Any]) -> None:
        self._stopped = True
        metrics = data.get(INVOCATION_METRICS)  # Bedrock adds its own count of the invocation here
        if isinstance(metrics, dict):
            self.provider_details = {**(self.provider_details or {}), INVOCATION_METRICS: metrics}

    def _error(self, data: dict[str, Any]) -> None:
        raise error(data, self.model_name)

    def _merge_usage(self, raw: dict[str, Any]) -> None:
        # Counts are cumulative, so they never go down: a `message_delta` that repeats `input_tokens`
        # as 0 (as some Anthropic-compatible gateways do) must not erase `message_start`'s count.
        # `iterations` (every billed step, in the final `message_delta`) replaces them all when present.
        for key, value in raw.items():
            if value is None:
                continue
            if key in USAGE_COUNTS and token_count(value) < token_count(self._raw_usage.get(key)):
                continue
            self._raw_usage[key] = value
        self.usage = read_usage(self._raw_usage)


def invoke_stream_event(message: EventStreamMessage, model_name: str) -> dict[str, Any] | None:
    """The Anthropic stream event one InvokeModelWithResponseStream message carries: a `chunk` event's
    `bytes` (base64 of the event's JSON; a `p` member beside it is padding); an exception message is
    the `ModelHTTPError` it stands for; other event types carry none."""
    if message.message_type != "event":
        raise stream_error(message, model_name)
    if message.event_type != "chunk":
        return None
    payload = message.json()
    encoded = payload.get("bytes") if isinstance(payload, dict) else None
    if not isinstance(encoded, str):
        raise UnexpectedModelBehavior("Bedrock stream: a chunk without base64 `bytes`", snippet(payload))
    try:
        event = json.loads(base64.b64decode(encoded, validate=True))
    except ValueError:
        raise UnexpectedModelBehavior(
            "Bedrock stream: a chunk's `bytes` are not base64 of a JSON event", encoded[:2000]
        ) from None
    if not isinstance(event, dict):
        raise UnexpectedModelBehavior("Bedrock stream: a chunk's event is not an object", snippet(event))
    return event


_HANDLERS: dict[str, Any] = {
    "message_start": StreamParser._message_start,
    "content_block_start": StreamParser._block_start,
    "content_block_delta": StreamParser._block_delta,
    "content_block_stop": StreamParser._block_stop,
    "message_delta": StreamParser._message_delta,
    "message_stop": StreamParser._message_stop,
    "error": StreamParser._error,
}
