"""The stream direction: the `response.*` SSE event family in, part events out.

Parts are keyed by `output_index` (text also by `content_index`). A native tool item starts its call
part at `response.output_item.added`; code (`response.code_interpreter_call_code.delta`) and MCP
arguments (`response.mcp_call_arguments.delta`) grow its arguments as JSON text; partial images
(`response.image_generation_call.partial_image`) arrive as a `FilePart` that the final image replaces;
`response.output_item.done` settles the call's arguments exactly and adds the files and the return,
and brings a `compaction` item whole.
`response.completed` (or `.incomplete`) ends a good stream.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from ..._params import ModelRequestParameters
from ...exceptions import ModelHTTPError, UnexpectedModelBehavior, snippet
from ...messages import (
    BinaryImage,
    FilePart,
    ModelResponsePart,
    ModelResponseStreamEvent,
    NativeToolCallPart,
    NativeToolReturnPart,
    TextPart,
)
from ...profiles import ModelProfile
from .._base import NO_EVENTS, BaseStreamParser, epoch_datetime, loads, obj, text
from ..openai_chat import error_status
from . import native_tools
from .response import call_id_scope, compaction_part, finish, parse_usage, raise_error, text_details

__all__ = ["StreamParser"]

Key = tuple[Hashable, ...]


class StreamParser(BaseStreamParser):
    """The `response.*` SSE event family in, part events out; `response.completed` ends a good stream."""

    def __init__(
        self,
        params: ModelRequestParameters | None = None,
        *,
        model_name: str | None = None,
        profile: ModelProfile | None = None,
    ):
        super().__init__(params, model_name=model_name, profile=profile)
        self.done = False
        self._summary_index: dict[int, int] = {}
        self._has_calls = False
        self._created_at: Any = None
        self._streamed_args: set[Key] = set()

    def _frame(self, event: Any) -> Sequence[ModelResponseStreamEvent]:
        data = event.data
        if not data.strip() or data.strip() == "[DONE]":
            return NO_EVENTS
        try:
            payload = loads(data)
        except ValueError:
            raise UnexpectedModelBehavior(
                f"{self.model_name}: invalid JSON in stream", snippet(data)
            ) from None
        if not isinstance(payload, dict):
            raise UnexpectedModelBehavior(f"{self.model_name}: unexpected stream event", snippet(data))
        kind = payload.get("type") or event.event
        handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            return NO_EVENTS
        out = handler(self, payload)
        if out is None:
            return NO_EVENTS
        return out if isinstance(out, list) else (out,)

    def _key(self, payload: Mapping[str, Any], *more: Hashable) -> Key:
        index = payload.get("output_index", 0)
        return ("item", index if isinstance(index, int) else 0, *more)

    def _text_key(self, payload: Mapping[str, Any]) -> Key:
        index = payload.get("content_index", 0)
        return self._key(payload, "text", index if isinstance(index, int) else 0)

    # ------------------------------------------------------------------------------ the response

    def _response(self, payload: Mapping[str, Any]) -> None:
        response = payload.get("response")
        if not isinstance(response, dict):
            return None
        if isinstance(response.get("id"), str):
            self.provider_response_id = response["id"]
        if isinstance(response.get("model"), str):
            self.model_name = response["model"]
        if isinstance(response.get("created_at"), (int, float)) and self._created_at is None:
            self._created_at = response["created_at"]
            self.timestamp = epoch_datetime(self._created_at)
        if response.get("usage") or response.get("status") in ("completed", "incomplete"):
            self.usage = parse_usage(response.get("usage"), response.get("output"))
        return None

    def _end(self, payload: Mapping[str, Any]) -> None:
        self._response(payload)
        response = payload.get("response")
        if isinstance(response, dict):
            raise_error(response.get("error"), self.model_name, dict(payload))
            self.finish_reason, self.provider_details = finish(response, self._has_calls)
        self.done = True

    def _failed(self, payload: Mapping[str, Any]) -> None:
        response = payload.get("response")
        error = response.get("error") if isinstance(response, dict) else None
        raise ModelHTTPError(error_status(error), self.model_name, dict(payload))

    def _error(self, payload: Mapping[str, Any]) -> None:
        raise ModelHTTPError(error_status(payload), self.model_name, dict(payload))

    # ------------------------------------------------------------------------------ output items

    def _item_added(self, payload: Mapping[str, Any]) -> list[ModelResponseStreamEvent] | None:
        item = payload.get("item")
        if not isinstance(item, dict):
            return None
        key = self._key(payload)
        if item.get("type") == "function_call":
            self._has_calls = True
            return [
                self.parts.handle_tool_call_part(
                    key,
                    text(item.get("name")) or "",
                    text(item.get("arguments")) or None,
                    self._call_id(item),
                    id=text(item.get("id")),
                )
            ]
        native = self._native_parts(item)
        if not native:
            return None
        call = native[0]
        assert isinstance(call, NativeToolCallPart)
        prefix = _streamed_args_prefix(item)
        if prefix is None:
            return [self.parts.handle_part(key, call)]
        call.args = None
        events: list[ModelResponseStreamEvent] = [self.parts.handle_part(key, call)]
        delta = self.parts.handle_tool_call_delta(key, None, prefix, None)
        if delta is not None:
            events.append(delta)
        return events

    def _call_id(self, item: Mapping[str, Any]) -> str | None:
        """A function call's id, qualified with the response's where the host's are per response."""
        call_id = text(item.get("call_id"))
        scope = call_id_scope(self.provider_response_id, self.profile)
        return scope + call_id if call_id and scope and not call_id.startswith(scope) else call_id

    def _item_done(self, payload: Mapping[str, Any]) -> list[ModelResponseStreamEvent] | None:
        item = payload.get("item")
        if not isinstance(item, dict):
            return None
        key = self._key(payload)
        kind = item.get("type")
        if kind == "function_call":
            arguments = item.get("arguments")
            # Some servers send the arguments only whole, at the end.
            if isinstance(arguments, str) and arguments and self.parts.has_part(key):
                if not self.parts.tool_call_args_text(key):
                    self.parts.set_tool_call_args(key, arguments)
            elif isinstance(arguments, str) and not self.parts.has_part(key):
                self._has_calls = True
                return [
                    self.parts.handle_tool_call_part(
                        key,
                        str(item.get("name", "")),
                        arguments,
                        self._call_id(item),
                        id=text(item.get("id")),
                    )
                ]
            return None
        if kind == "reasoning":
            event = self.parts.handle_thinking_delta(
                key,
                None,
                signature=text(item.get("encrypted_content")),
                id=text(item.get("id")),
                provider_name=self.provider_name,
            )
            return [event] if event is not None else None
        if kind == "message":
            self._annotate(payload, item)
            return None
        if kind == "compaction":  # whole when done: nothing of it streams
            part = compaction_part(item, self.model_name)
            part.provider_name = self.provider_name
            return [self.parts.handle_part(key, part)]
        return self._native_done(key, item)

    def _native_done(self, key: Key, item: dict[str, Any]) -> list[ModelResponseStreamEvent] | None:
        """The finished item is the truth: the call's arguments as sent, then its files and return."""
        native = self._native_parts(item)
        if not native:
            return None
        call, *rest = native
        assert isinstance(call, NativeToolCallPart)
        events: list[ModelResponseStreamEvent] = []
        if self.parts.has_part(key) and isinstance(self.parts.part_for(key), NativeToolCallPart):
            if call.args is not None:
                self.parts.set_tool_call_args(key, call.args)
        else:
            events.append(self.parts.handle_part(key, call))
        files = [p for p in rest if isinstance(p, FilePart)]
        for n, file in enumerate(files):
            events.append(self.parts.handle_part((*key, "file", n), file))
        for part in rest:
            if isinstance(part, NativeToolReturnPart):
                events.append(self.parts.handle_part((*key, "return"), part))
        return events

    def _native_parts(self, item: Mapping[str, Any]) -> list[ModelResponsePart] | None:
        """A native item's parts, named after this stream's provider, returns stamped with `created_at`."""
        timestamp = epoch_datetime(self._created_at) if self._created_at is not None else None
        parts = native_tools.item_parts(item, timestamp=timestamp, model_name=self.model_name)
        for part in parts or ():
            if isinstance(part, (NativeToolCallPart, NativeToolReturnPart, FilePart)):
                part.provider_name = self.provider_name
        return parts

    def _annotate(self, payload: Mapping[str, Any], item: Mapping[str, Any]) -> None:
        """A message's citations, read once whole from its finished item onto its text parts."""
        for index, content in enumerate(item.get("content") or ()):
            details = text_details(obj(content))
            key = self._key(payload, "text", index)
            part = self.parts.part_for(key) if details and self.parts.has_part(key) else None
            if isinstance(part, TextPart):
                part.provider_details = {**(part.provider_details or {}), **(details or {})}

    # ------------------------------------------------------------------------------ deltas

    def _text_delta(self, payload: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        delta = payload.get("delta")
        if not isinstance(delta, str):
            return None
        return self.parts.handle_text_delta(self._text_key(payload), delta, id=text(payload.get("item_id")))

    def _args_delta(self, payload: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        delta = payload.get("delta")
        if not isinstance(delta, str):
            return None
        return self.parts.handle_tool_call_delta(self._key(payload), None, delta, None)

    def _args_done(self, payload: Mapping[str, Any]) -> None:
        key = self._key(payload)
        arguments = payload.get("arguments")
        if isinstance(arguments, str) and arguments and self.parts.has_part(key):
            if not self.parts.tool_call_args_text(key):
                self.parts.set_tool_call_args(key, arguments)

    def _code_delta(self, payload: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        delta = payload.get("delta")
        if not isinstance(delta, str):
            return None
        # The code is a JSON string inside the call's arguments object.
        return self.parts.handle_tool_call_delta(self._key(payload), None, json.dumps(delta)[1:-1], None)

    def _code_done(self, payload: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        return self._close_args(self._key(payload), '"}')

    def _mcp_args_delta(self, payload: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        key = self._key(payload)
        self._streamed_args.add(key)
        return self._args_delta(payload)

    def _mcp_args_done(self, payload: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        key = self._key(payload)
        arguments = payload.get("arguments") if key not in self._streamed_args else ""
        return self._close_args(key, (arguments if isinstance(arguments, str) else "") + "}")

    def _close_args(self, key: Key, tail: str) -> ModelResponseStreamEvent | None:
        if not isinstance(self.parts.part_for(key), NativeToolCallPart):
            return None
        return self.parts.handle_tool_call_delta(key, None, tail, None)

    def _partial_image(self, payload: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        data = payload.get("partial_image_b64")
        item_id = text(payload.get("item_id"))
        if not isinstance(data, str) or not data or item_id is None:
            return None
        fmt = text(payload.get("output_format")) or "png"
        index = payload.get("partial_image_index")
        image = BinaryImage(native_tools.decode_base64(data, item_id), f"image/{fmt}")
        part = FilePart(
            image,
            id=item_id,
            provider_name=self.provider_name,
            provider_details={"partial_image_index": index},
        )
        return self.parts.handle_part((*self._key(payload), "file", 0), part)  # the final image replaces it

    def _summary_delta(self, payload: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        delta = payload.get("delta")
        if not isinstance(delta, str):
            return None
        key = self._key(payload)
        item_index = key[1]
        assert isinstance(item_index, int)
        summary_index = payload.get("summary_index", 0)
        previous = self._summary_index.get(item_index)
        if previous is not None and previous != summary_index:
            delta = "\n\n" + delta  # summaries of one item join as paragraphs, as in the non-stream parse
        self._summary_index[item_index] = summary_index if isinstance(summary_index, int) else 0
        return self.parts.handle_thinking_delta(
            key, delta, id=text(payload.get("item_id")), provider_name=self.provider_name
        )

    def _check_complete(self) -> None:
        if not self.done:
            raise UnexpectedModelBehavior(
                f"{self.model_name}: the stream ended without `response.completed` (truncated)"
            )


def _streamed_args_prefix(item: Mapping[str, Any]) -> str | None:
    """For items whose arguments stream (code, MCP arguments): the JSON text they start from."""
    if item.get("type") == "code_interpreter_call":
        code = text(item.get("code")) or ""
        return '{"container_id":' + json.dumps(item.get("container_id")) + ',"code":' + json.dumps(code)[:-1]
    if item.get("type") == "mcp_call":
        head = '{"action":"call_tool","tool_name":' + json.dumps(item.get("name")) + ',"tool_args":'
        return head + (text(item.get("arguments")) or "")
    return None


_HANDLERS: dict[str, Any] = {
    "response.created": StreamParser._response,
    "response.in_progress": StreamParser._response,
    "response.completed": StreamParser._end,
    "response.incomplete": StreamParser._end,
    "response.failed": StreamParser._failed,
    "error": StreamParser._error,
    "response.output_item.added": StreamParser._item_added,
    "response.output_item.done": StreamParser._item_done,
    "response.output_text.delta": StreamParser._text_delta,
    "response.refusal.delta": StreamParser._text_delta,
    "response.function_call_arguments.delta": StreamParser._args_delta,
    "response.function_call_arguments.done": StreamParser._args_done,
    "response.code_interpreter_call_code.delta": StreamParser._code_delta,
    "response.code_interpreter_call_code.done": StreamParser._code_done,
    "response.mcp_call_arguments.delta": StreamParser._mcp_args_delta,
    "response.mcp_call_arguments.done": StreamParser._mcp_args_done,
    "response.image_generation_call.partial_image": StreamParser._partial_image,
    "response.reasoning_summary_text.delta": StreamParser._summary_delta,
    "response.reasoning_text.delta": StreamParser._summary_delta,
}
