"""Turns vendor stream deltas into response parts and stream events; shared by every codec.

Codecs key deltas by the vendor's own part id (a content-block index, a tool-call index, a chunk
type); this manager decides when a delta starts a new part. Text and argument fragments are kept
as lists and joined only when a snapshot is asked for, so a delta costs one append and one event.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any

from .messages import (
    ModelResponsePart,
    ModelResponseStreamEvent,
    NativeToolCallPart,
    PartDeltaEvent,
    PartEndEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ThinkingPart,
    ThinkingPartDelta,
    ToolCallPart,
    ToolCallPartDelta,
)

__all__ = ["ModelResponsePartsManager", "PartEnds"]


class _Builder:
    __slots__ = ("chunks", "part")

    def __init__(self, part: ModelResponsePart, first: str | None):
        self.part = part
        self.chunks: list[str] = [first] if first else []

    def snapshot(self) -> ModelResponsePart:
        part = self.part
        chunks = self.chunks
        if len(chunks) > 1:
            chunks[:] = ["".join(chunks)]
        joined = chunks[0] if chunks else ""
        if isinstance(part, (ToolCallPart, NativeToolCallPart)):
            if not isinstance(part.args, dict):
                part.args = joined or part.args
        elif isinstance(part, (TextPart, ThinkingPart)):
            part.content = joined
        return part


class ModelResponsePartsManager:
    """Holds the parts of one streamed response in order."""

    __slots__ = ("_builders", "_by_vendor_id")

    def __init__(self) -> None:
        self._builders: list[_Builder] = []
        self._by_vendor_id: dict[Hashable, int] = {}

    # ------------------------------------------------------------------------------------- text

    def handle_text_delta(
        self, vendor_part_id: Hashable | None, content: str, *, id: str | None = None
    ) -> ModelResponseStreamEvent | None:
        """Append text to the part for `vendor_part_id` (None: the latest part if it is text)."""
        index = self._by_vendor_id.get(vendor_part_id) if vendor_part_id is not None else None
        if index is not None and type((builder := self._builders[index]).part) is TextPart:
            # The common case, a later delta of a keyed text part: `_index_for` inlined (once per delta).
            builder.chunks.append(content)
            return PartDeltaEvent(index, TextPartDelta(content))
        index = self._index_for(vendor_part_id, TextPart)
        if index is None:
            if not content:
                return None
            return self._start(vendor_part_id, TextPart(content, id=id), content)
        self._builders[index].chunks.append(content)
        return PartDeltaEvent(index, TextPartDelta(content))

    # ------------------------------------------------------------------------------------- thinking

    def handle_thinking_delta(
        self,
        vendor_part_id: Hashable | None,
        content: str | None = None,
        *,
        signature: str | None = None,
        id: str | None = None,
        provider_name: str | None = None,
        provider_details: dict[str, Any] | None = None,
    ) -> ModelResponseStreamEvent | None:
        index = self._index_for(vendor_part_id, ThinkingPart)
        if index is None:
            if not content and signature is None and provider_details is None:
                return None
            part = ThinkingPart(
                content or "",
                id=id,
                signature=signature,
                provider_name=provider_name,
                provider_details=provider_details,
            )
            return self._start(vendor_part_id, part, content)
        builder = self._builders[index]
        thinking = builder.part
        assert isinstance(thinking, ThinkingPart)
        if content:
            builder.chunks.append(content)
        if signature is not None:
            thinking.signature = (thinking.signature or "") + signature
        if provider_details:
            thinking.provider_details = {**(thinking.provider_details or {}), **provider_details}
        if id is not None:
            thinking.id = id
        if not content and signature is None:
            return None
        return PartDeltaEvent(index, ThinkingPartDelta(content or None, signature))

    # ------------------------------------------------------------------------------------- tool calls

    def handle_tool_call_delta(
        self,
        vendor_part_id: Hashable | None,
        tool_name: str | None = None,
        args: str | None = None,
        tool_call_id: str | None = None,
    ) -> ModelResponseStreamEvent | None:
        """Add a fragment of a streamed tool call: the first fragment for `vendor_part_id` starts
        the call, later ones extend its name and arguments. Telling calls apart on a server that
        reuses one id for several is the codec's job (it gives each call its own key)."""
        index = self._index_for(vendor_part_id, ToolCallPart)
        if index is None and vendor_part_id is not None:
            index = self._index_for(vendor_part_id, NativeToolCallPart)  # a native call's argument deltas
        if index is None:
            if tool_name is None and not args and tool_call_id is None:
                return None
            part = ToolCallPart(tool_name or "", None)
            if tool_call_id:
                part.tool_call_id = tool_call_id
            return self._start(vendor_part_id, part, args)
        builder = self._builders[index]
        call = builder.part
        assert isinstance(call, (ToolCallPart, NativeToolCallPart))
        if tool_name:
            call.tool_name += tool_name
        if tool_call_id:
            call.tool_call_id = tool_call_id
        if args:
            builder.chunks.append(args)
        if not (tool_name or args or tool_call_id):
            return None
        return PartDeltaEvent(index, ToolCallPartDelta(tool_name or None, args or None, tool_call_id))

    def handle_tool_call_part(
        self,
        vendor_part_id: Hashable | None,
        tool_name: str,
        args: str | dict[str, Any] | None,
        tool_call_id: str | None = None,
        *,
        id: str | None = None,
        provider_details: dict[str, Any] | None = None,
    ) -> ModelResponseStreamEvent:
        """Add (or replace) a tool call that arrived whole, as Gemini sends them."""
        part = ToolCallPart(tool_name, args, id=id, provider_details=provider_details)
        if tool_call_id:
            part.tool_call_id = tool_call_id
        index = self._by_vendor_id.get(vendor_part_id) if vendor_part_id is not None else None
        if index is not None and isinstance(self._builders[index].part, ToolCallPart):
            self._builders[index] = _Builder(part, None)
            return PartStartEvent(index, part)
        return self._start(vendor_part_id, part, None)

    def handle_part(self, vendor_part_id: Hashable | None, part: ModelResponsePart) -> PartStartEvent:
        """Add a part that arrived whole (a native tool call or its result, a file), or replace the
        part under `vendor_part_id` with it; a native call started here takes argument deltas."""
        index = self._by_vendor_id.get(vendor_part_id) if vendor_part_id is not None else None
        if index is not None:
            self._builders[index] = _Builder(part, None)
            return PartStartEvent(index, _copy(part))
        return self._start(vendor_part_id, part, None)

    def set_tool_call_args(self, vendor_part_id: Hashable, args: str | dict[str, Any]) -> None:
        """Replace the accumulated arguments (a codec that validated or re-parsed them at block end)."""
        index = self._by_vendor_id[vendor_part_id]
        builder = self._builders[index]
        builder.chunks = []
        assert isinstance(builder.part, (ToolCallPart, NativeToolCallPart))
        builder.part.args = args

    def tool_call_args_text(self, vendor_part_id: Hashable) -> str:
        index = self._by_vendor_id[vendor_part_id]
        return "".join(self._builders[index].chunks)

    def has_part(self, vendor_part_id: Hashable) -> bool:
        return vendor_part_id in self._by_vendor_id

    def part_for(self, vendor_part_id: Hashable) -> ModelResponsePart | None:
        index = self._by_vendor_id.get(vendor_part_id)
        return None if index is None else self._builders[index].snapshot()

    # ------------------------------------------------------------------------------------- snapshots

    def get_parts(self) -> list[ModelResponsePart]:
        """The parts so far (empty text parts and nameless tool calls left out)."""
        parts = []
        for builder in self._builders:
            part = builder.snapshot()
            if isinstance(part, TextPart) and not part.content:
                continue
            if isinstance(part, ToolCallPart) and not part.tool_name:
                continue
            parts.append(part)
        return parts

    def latest(self) -> ModelResponsePart | None:
        return self._builders[-1].snapshot() if self._builders else None

    def part_at(self, index: int) -> ModelResponsePart:
        """The part at a stream event's `index`, as it stands now."""
        return self._builders[index].snapshot()

    # ------------------------------------------------------------------------------------- internals

    def _index_for(self, vendor_part_id: Hashable | None, kind: type) -> int | None:
        if vendor_part_id is None:
            if self._builders and type(self._builders[-1].part) is kind:
                return len(self._builders) - 1
            return None
        index = self._by_vendor_id.get(vendor_part_id)
        if index is not None and type(self._builders[index].part) is not kind:
            return None
        return index

    def _start(
        self, vendor_part_id: Hashable | None, part: ModelResponsePart, first: str | None
    ) -> PartStartEvent:
        index = len(self._builders)
        self._builders.append(_Builder(part, first))
        if vendor_part_id is not None:
            self._by_vendor_id[vendor_part_id] = index
        if first:
            if isinstance(part, (ToolCallPart, NativeToolCallPart)):
                part.args = first
            elif isinstance(part, (TextPart, ThinkingPart)):
                part.content = first
        return PartStartEvent(index, _copy(part))


def _copy(part: ModelResponsePart) -> ModelResponsePart:
    # The start event carries the part as it began; the builder keeps growing its own object.
    if isinstance(part, TextPart):
        return TextPart(part.content, id=part.id, provider_details=part.provider_details)
    if isinstance(part, ThinkingPart):
        return ThinkingPart(
            part.content,
            id=part.id,
            signature=part.signature,
            provider_name=part.provider_name,
            provider_details=part.provider_details,
        )
    if isinstance(part, ToolCallPart):
        return ToolCallPart(
            part.tool_name,
            part.args,
            tool_call_id=part.tool_call_id,
            id=part.id,
            provider_details=part.provider_details,
        )
    return replace(part)


# Parts that take deltas: only their completion is news (a file or a native tool's result arrives whole).
_ENDING_PARTS = (TextPart, ThinkingPart, ToolCallPart, NativeToolCallPart)


class PartEnds:
    """A stream's `PartEndEvent`s, by PydanticAI's rule: a part ends when the next one starts, or when
    the stream ends. Fed only the part starts (a handful per response), so deltas pay nothing;
    `part_at` gives the finished part (the parts manager's own object, snapshotted once)."""

    __slots__ = ("_last", "_part_at")

    def __init__(self, part_at: Callable[[int], ModelResponsePart]):
        self._part_at = part_at
        self._last: PartStartEvent | None = None

    def start(self, event: PartStartEvent) -> PartEndEvent | None:
        """The end of the part before `event` (None if there is none, or it takes no end); notes
        that part's kind on `event` as `previous_part_kind`."""
        last = self._last
        self._last = event
        if last is None:
            return None
        event.previous_part_kind = last.part.part_kind
        return self._end(last.index, event.part.part_kind)

    def finish(self) -> PartEndEvent | None:
        """The end of the stream's last part."""
        last = self._last
        self._last = None
        return None if last is None else self._end(last.index, None)

    def _end(self, index: int, next_kind: Any) -> PartEndEvent | None:
        part = self._part_at(index)
        return PartEndEvent(index, part, next_kind) if isinstance(part, _ENDING_PARTS) else None
