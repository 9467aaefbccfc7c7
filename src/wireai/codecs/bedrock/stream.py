"""ConverseStream: the raw AWS event-stream body, fed in any chunking, as part events and a response."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..._params import ModelRequestParameters
from ...exceptions import UnexpectedModelBehavior, snippet
from ...messages import ModelResponseStreamEvent, TextPart
from ...profiles import ModelProfile
from ...wire.eventstream import EventStreamDecoder, EventStreamMessage
from .._aws import STREAM_EXCEPTION_STATUS, stream_error
from .._base import NO_EVENTS, BaseStreamParser, block_index, obj, text
from .common import FINISH_REASONS, PROVIDER_NAME
from .native_tools import is_server_tool_use, native_call_part, native_return_part, wire_tool_name
from .response import image_part, read_usage, response_details

__all__ = ["STREAM_EXCEPTION_STATUS", "StreamParser", "stream_error"]


class StreamParser(BaseStreamParser):
    """ConverseStream's event-stream messages, in order: messageStart, (contentBlockStart?
    contentBlockDelta* contentBlockStop)*, messageStop, metadata. `contentBlockIndex` is the part key.

    Text, reasoning and tool input stream as deltas. A system tool's call (`start.toolUse` with
    `type: server_tool_use`) starts a `NativeToolCallPart` that its input deltas extend; its result
    (`start.toolResult`, then `delta.toolResult` pieces), a generated image (`start.image`, then
    `delta.image` pieces of base64) and citations (`delta.citation`, onto the text of their block)
    are whole only at `contentBlockStop`, where the part is added. `metadata` carries the usage,
    after `messageStop`: a stream that ends before either was cut off, and says so rather than
    report zero tokens (which token `UsageLimits` would never trip on).
    """

    framing = EventStreamDecoder
    default_provider_name = PROVIDER_NAME

    def __init__(
        self,
        params: ModelRequestParameters | None = None,
        *,
        model_name: str | None = None,
        profile: ModelProfile | None = None,
    ):
        super().__init__(params, model_name=model_name, profile=profile)
        self.stopped = False
        self.has_metadata = False
        self._stop_reason: str | None = None
        self._metadata: dict[str, Any] = {}
        self._server_calls: dict[str, str] = {}  # server tool call id -> system tool name
        self._native_calls: set[int] = set()  # blocks holding a server tool call
        self._results: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}  # start, content
        self._images: dict[int, tuple[str | None, list[str], list[Any]]] = {}  # format, base64, error
        self._citations: dict[int, list[Any]] = {}

    def _frame(self, event: EventStreamMessage) -> Sequence[ModelResponseStreamEvent]:
        if event.message_type != "event":
            raise stream_error(event, self.model_name)
        event_type = event.event_type
        payload = event.json()
        if not isinstance(payload, dict):
            raise UnexpectedModelBehavior(
                f"Bedrock {event_type} event payload is not an object", snippet(payload)
            )
        if event_type == "contentBlockDelta":
            return self._delta(payload)
        if event_type == "contentBlockStart":
            return self._start(payload)
        if event_type == "contentBlockStop":
            return self._stop(block_index(payload, "contentBlockIndex", "Bedrock"))
        if event_type == "messageStop":
            self.stopped = True
            self._stop_reason = text(payload.get("stopReason"))
            self.finish_reason = FINISH_REASONS.get(self._stop_reason) if self._stop_reason else None
            if payload.get("additionalModelResponseFields") is not None:
                self._metadata["additionalModelResponseFields"] = payload["additionalModelResponseFields"]
            self.provider_details = response_details(self._stop_reason, self._metadata)
            pending = sorted({*self._results, *self._images, *self._citations, *self._native_calls})
            return [event for index in pending for event in self._stop(index)]  # blocks never stopped
        if event_type == "metadata":
            self.has_metadata = True
            self.usage = read_usage(payload.get("usage"))
            self._metadata.update(
                {
                    k: v
                    for k, v in payload.items()
                    if k in ("metrics", "trace", "performanceConfig", "serviceTier")
                }
            )
            self.provider_details = response_details(self._stop_reason, self._metadata)
        # messageStart and unknown future events change nothing.
        return NO_EVENTS

    def _start(self, payload: dict[str, Any]) -> Sequence[ModelResponseStreamEvent]:
        index = block_index(payload, "contentBlockIndex", "Bedrock")
        start = obj(payload.get("start"))
        if "toolUse" in start:
            tool = obj(start["toolUse"])
            if is_server_tool_use(tool):
                call = native_call_part(tool, None)
                self._server_calls[call.tool_call_id] = wire_tool_name(call)
                self._native_calls.add(index)
                return (self.parts.handle_part(index, call),)
            out = self.parts.handle_tool_call_delta(
                index, text(tool.get("name")), None, text(tool.get("toolUseId"))
            )
            return (out,) if out is not None else NO_EVENTS
        if "toolResult" in start:
            self._results[index] = (obj(start["toolResult"]), [])
        elif "image" in start:
            self._images[index] = (text(obj(start["image"]).get("format")), [], [])
        return NO_EVENTS

    def _delta(self, payload: dict[str, Any]) -> Sequence[ModelResponseStreamEvent]:
        index = block_index(payload, "contentBlockIndex", "Bedrock")
        delta = obj(payload.get("delta"))
        out: ModelResponseStreamEvent | None = None
        if isinstance(delta.get("text"), str):
            out = self.parts.handle_text_delta(index, delta["text"])
        elif "toolUse" in delta:
            fragment = obj(delta["toolUse"]).get("input")
            if isinstance(fragment, str):
                out = self.parts.handle_tool_call_delta(index, None, fragment, None)
        elif "reasoningContent" in delta:
            reasoning = obj(delta["reasoningContent"])
            redacted = text(reasoning.get("redactedContent"))
            out = self.parts.handle_thinking_delta(
                index,
                text(reasoning.get("text")),
                signature=text(reasoning.get("signature")),
                provider_name=PROVIDER_NAME,
                provider_details={"redactedContent": redacted} if redacted is not None else None,
            )
        elif "toolResult" in delta:
            pieces = delta["toolResult"]
            content = self._results.setdefault(index, ({}, []))[1]
            content.extend(obj(piece) for piece in (pieces if isinstance(pieces, list) else [pieces]))
        elif "image" in delta:
            image = obj(delta["image"])
            _, data, error = self._images.setdefault(index, (None, [], []))
            data.append(text(obj(image.get("source")).get("bytes")) or "")
            if image.get("error") is not None:
                error.append(image["error"])
        elif "citation" in delta:
            self._citations.setdefault(index, []).append(delta["citation"])
        return (out,) if out is not None else NO_EVENTS

    def _stop(self, index: int) -> Sequence[ModelResponseStreamEvent]:
        """Complete the block at `index`: the parts that arrive whole are added now."""
        if index in self._native_calls:
            self._native_calls.discard(index)
            try:
                args = json.loads(self.parts.tool_call_args_text(index) or "{}")
            except ValueError:
                args = None  # malformed input stays the text it came as
            if isinstance(args, dict):
                self.parts.set_tool_call_args(index, args)
        if index in self._results:
            start, content = self._results.pop(index)
            part = native_return_part(start, _joined(content), self._server_calls)
            return (self.parts.handle_part(index, part),)
        if index in self._images:
            fmt, data, error = self._images.pop(index)
            return (
                self.parts.handle_part(index, image_part(fmt, "".join(data), error[-1] if error else None)),
            )
        if index in self._citations:
            citations = self._citations.pop(index)
            cited = self.parts.part_for(index)
            if isinstance(cited, TextPart):
                cited.provider_details = {**(cited.provider_details or {}), "citations": citations}
        return NO_EVENTS

    def _check_complete(self) -> None:
        if not self.stopped:
            raise UnexpectedModelBehavior(
                "The Bedrock ConverseStream ended before its messageStop event (truncated)"
            )
        if not self.has_metadata:
            raise UnexpectedModelBehavior(
                "The Bedrock ConverseStream ended before its metadata event (truncated): the usage never arrived"
            )


def _joined(pieces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A streamed tool result's content blocks: consecutive `text` pieces are one block's text."""
    content: list[dict[str, Any]] = []
    for piece in pieces:
        if isinstance(piece.get("text"), str) and content and isinstance(content[-1].get("text"), str):
            content[-1] = {"text": content[-1]["text"] + piece["text"]}
        else:
            content.append(dict(piece))
    return content
