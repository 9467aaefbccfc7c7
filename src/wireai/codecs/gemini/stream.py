"""Gemini's `streamGenerateContent?alt=sse`: each `data:` is a whole `GenerateContentResponse`
carrying the next slice of the candidate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..._params import ModelRequestParameters
from ...exceptions import UnexpectedModelBehavior, snippet
from ...messages import (
    FilePart,
    ModelResponseStreamEvent,
    NativeToolCallPart,
    NativeToolReturnPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from ...profiles import ModelProfile
from .._base import NO_EVENTS, BaseStreamParser, loads
from .native_tools import attach_citations, grounding_parts, url_context_parts
from .partial_args import ArgsWriter
from .request import is_vendor_id
from .response import (
    PartReader,
    candidate_parts,
    finish_details,
    first_candidate,
    is_partial_call,
    parse_usage,
    partial_args,
    prompt_blocked,
    raise_error,
    raise_malformed,
)
from .response import _finish as finish_reason_of

__all__ = ["StreamParser"]


class StreamParser(BaseStreamParser):
    """`streamGenerateContent?alt=sse`: text and thoughts arrive in slices; function calls whole, or
    (Vertex AI with `streamFunctionCallArguments`) as a named start, `partialArgs` pieces and an end,
    streamed as argument deltas; code execution and images as whole parts; grounding and URL-context
    metadata with the last chunks. `usageMetadata` and `finishReason` are final in the last chunk.
    There is no `[DONE]`: a stream that ends before any chunk carried a `finishReason` (or a prompt
    block) was cut off, and so was one whose streamed function call never completed."""

    def __init__(
        self,
        params: ModelRequestParameters | None = None,
        *,
        model_name: str | None = None,
        profile: ModelProfile | None = None,
    ):
        super().__init__(params, model_name=model_name, profile=profile)
        self._calls = 0
        self._finished = False
        self._reader: PartReader | None = None
        self._streaming: tuple[tuple[str, int], ArgsWriter] | None = (
            None  # the call whose pieces are arriving
        )

    def _frame(self, event: Any) -> Sequence[ModelResponseStreamEvent]:
        data = event.data
        if not data.strip():
            return NO_EVENTS
        try:
            chunk = loads(data)
        except ValueError:
            raise UnexpectedModelBehavior("Gemini stream chunk is not JSON", snippet(data)) from None
        if not isinstance(chunk, dict):
            raise UnexpectedModelBehavior("Gemini stream chunk is not an object", snippet(data))
        raise_error(chunk, self.model_name)
        if isinstance(chunk.get("usageMetadata"), dict):
            self.usage = parse_usage(chunk["usageMetadata"])
        if isinstance(chunk.get("modelVersion"), str):
            self.model_name = chunk["modelVersion"]
        if isinstance(chunk.get("responseId"), str):
            self.provider_response_id = chunk["responseId"]
        blocked = prompt_blocked(chunk)
        if blocked is not None:  # the prompt was refused: an empty, content-filtered answer
            self._finished = True
            self.finish_reason = "content_filter"
            self.provider_details = blocked
            return NO_EVENTS
        if not chunk.get("candidates"):
            return NO_EVENTS  # a usage-only chunk
        candidate = first_candidate(chunk)
        if self._reader is None:
            self._reader = PartReader(self.provider_name, chunk)
        self._reader.body = chunk
        events: list[ModelResponseStreamEvent] = []
        if "urlContextMetadata" in candidate:
            events.extend(self._metadata(url_context_parts(candidate)))
        for part in candidate_parts(candidate, chunk):
            events.extend(self._part(part, chunk))
        if "groundingMetadata" in candidate:
            events.extend(self._metadata(grounding_parts(candidate)))
            attach_citations(self.parts.get_parts(), candidate)
        raw_finish = candidate.get("finishReason")
        if isinstance(raw_finish, str):
            self._finished = True
            self.finish_reason = finish_reason_of(raw_finish)
            self.provider_details = finish_details(raw_finish, candidate)
            if raw_finish == "MALFORMED_FUNCTION_CALL" and not self.parts.get_parts():
                raise_malformed(candidate, chunk)
        return events

    def _part(self, part: Any, chunk: dict[str, Any]) -> list[ModelResponseStreamEvent]:
        call = part.get("functionCall") if isinstance(part, dict) else None
        if call is not None and is_partial_call(call) and (self._streaming is not None or call.get("name")):
            return self._call_piece(part, call, chunk)
        assert self._reader is not None
        converted = self._reader.read(part)
        if converted is None:
            return []
        parts = self.parts
        if isinstance(converted, ToolCallPart):
            self._calls += 1
            event = parts.handle_tool_call_part(
                ("call", self._calls),
                converted.tool_name,
                converted.args,
                converted.tool_call_id if is_vendor_id(converted.tool_call_id) else None,
                provider_details=converted.provider_details,
            )
            return [event]
        if isinstance(converted, ThinkingPart):
            thinking = parts.handle_thinking_delta(
                None, converted.content, signature=converted.signature, provider_name=self.provider_name
            )
            return [thinking] if thinking is not None else []
        if isinstance(converted, TextPart):
            text = parts.handle_text_delta(None, converted.content)
            if converted.provider_details:
                latest = parts.latest()
                if isinstance(latest, TextPart):
                    # The signature closes the text it rides on (often an empty final slice).
                    latest.provider_details = {
                        **(latest.provider_details or {}),
                        **converted.provider_details,
                    }
            return [text] if text is not None else []
        if isinstance(converted, (NativeToolCallPart, NativeToolReturnPart, FilePart)):
            converted.provider_name = self.provider_name  # as `stamp_provider` names them in a body
        return [parts.handle_part(None, converted)]  # code, its result, a file: whole parts

    def _call_piece(
        self, part: dict[str, Any], call: dict[str, Any], chunk: dict[str, Any]
    ) -> list[ModelResponseStreamEvent]:
        events: list[ModelResponseStreamEvent] = []
        if self._streaming is None:
            self._calls += 1
            key = ("call", self._calls)
            call_id = call.get("id") if isinstance(call.get("id"), str) else None
            start = self.parts.handle_tool_call_delta(key, call["name"], None, call_id or None)
            if start is not None:
                events.append(start)
            signature = part.get("thoughtSignature")
            started = self.parts.part_for(key)
            if isinstance(signature, str) and isinstance(started, ToolCallPart):
                started.provider_details = {"thought_signature": signature}
            self._streaming = (key, ArgsWriter())
        elif call.get("name"):
            raise UnexpectedModelBehavior(
                "Gemini started a function call before the previous one's arguments ended", snippet(chunk)
            )
        key, writer = self._streaming
        fragments = [writer.write(piece) for piece in partial_args(call, chunk)]
        if call.get("willContinue") is not True:
            fragments.append(writer.finish())
        for fragment in fragments:
            delta = self.parts.handle_tool_call_delta(key, None, fragment)
            if delta is not None:
                events.append(delta)
        if call.get("willContinue") is not True:
            self._streaming = None
            self.parts.set_tool_call_args(key, loads(self.parts.tool_call_args_text(key)))
        return events

    def _metadata(self, found: list[Any]) -> list[ModelResponseStreamEvent]:
        """Native call/return parts read from candidate metadata; a later copy of the same record
        (Gemini may repeat grounding metadata as it grows) replaces the earlier one in place."""
        events: list[ModelResponseStreamEvent] = []
        for part in found:
            part.provider_name = self.provider_name
            events.append(self.parts.handle_part(("metadata", part.part_kind, part.tool_call_id), part))
        return events

    def _check_complete(self) -> None:
        if self._streaming is not None:
            key, _ = self._streaming
            part = self.parts.part_for(key)
            name = part.tool_name if isinstance(part, ToolCallPart) else "?"
            raise UnexpectedModelBehavior(
                f"The Gemini stream ended before the streamed arguments of function call {name!r} completed"
            )
        if not self._finished:
            raise UnexpectedModelBehavior("The Gemini stream ended before a chunk with a finishReason")
