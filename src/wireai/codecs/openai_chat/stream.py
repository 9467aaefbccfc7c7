"""The stream direction: `chat.completion.chunk` SSE bytes -> part events and the `ModelResponse`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ..._params import ModelRequestParameters
from ...exceptions import UnexpectedModelBehavior, snippet
from ...messages import (
    ModelResponse,
    ModelResponseStreamEvent,
)
from ...profiles import ModelProfile
from .._base import (
    NO_EVENTS,
    BaseStreamParser,
    block_index,
    epoch_datetime,
    loads,
    obj,
    text,
)
from .native_tools import executed_tool_parts
from .options import FINISH_REASONS, ChatOptions
from .reasoning_details import detail_key, thinking_delta
from .response import _raise_error, attach_annotations, blank_finish, parse_usage, thinking_text
from .think import ThinkTagSplitter

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
        self._think = ThinkTagSplitter() if self.opts.think_tags else None
        self._calls: dict[int, tuple[int, str | None]] = {}  # index -> (calls seen at it, open call's id)
        self._annotations: list[Any] = []  # url_citations, attached to the answer's text in get()
        self._created: int | float | None = None
        # Top-level chunk fields kept in provider_details (Azure's prompt verdicts for every host).
        self._detail_names = (*self.opts.detail_fields, "prompt_filter_results")

    def _frame(self, event: Any) -> Sequence[ModelResponseStreamEvent]:
        data = event.data
        if data[:1] != "{":
            stripped = data.strip()
            if not stripped:
                return NO_EVENTS
            if stripped == "[DONE]":
                self.done = True
                if self.finish_reason is None and self.opts.blank_finish_reason:
                    self.finish_reason = blank_finish(self.parts.get_parts())
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
        if self.provider_response_id is None and text(chunk.get("id")):  # Azure's first chunk: id ""
            self.provider_response_id = chunk["id"]
        model = chunk.get("model")
        if model and type(model) is str:
            self.model_name = model
        if self._created is None and type(chunk.get("created")) in (int, float) and chunk["created"]:
            self._created = chunk["created"]
        usage = chunk.get("usage")
        if self.opts.x_groq_usage and not isinstance(usage, dict):
            usage = obj(chunk.get("x_groq")).get("usage")
        if isinstance(usage, dict):
            self.usage = parse_usage(usage)
        for name in self._detail_names:
            if name in chunk and chunk[name] is not None:
                self._detail(name, chunk[name])

    def _detail(self, name: str, value: Any) -> None:
        self.provider_details = {**(self.provider_details or {}), name: value}

    def get(self) -> ModelResponse:
        response = super().get()
        if self._annotations:
            attach_annotations(response.parts, list(self._annotations))
        return response

    def _choice(self, choice: Mapping[str, Any], out: list[ModelResponseStreamEvent], data: str) -> None:
        if "content_filter_results" in choice and choice["content_filter_results"]:  # Azure's verdict
            self._detail("content_filter_results", choice["content_filter_results"])
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
            self._reasoning(delta, out, data)
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
            executed = delta.get("executed_tools")
            if executed:
                self._executed_tools(executed, out, data)
            annotations = delta.get("annotations")
            if isinstance(annotations, list):
                self._annotations.extend(annotations)
        raw_finish = choice.get("finish_reason")
        if isinstance(raw_finish, str):
            self.finish_reason = FINISH_REASONS.get(raw_finish)
            self.provider_details = {**(self.provider_details or {}), "finish_reason": raw_finish}
            out.extend(self._flush_think())

    def _reasoning(self, delta: Mapping[str, Any], out: list[ModelResponseStreamEvent], data: str) -> None:
        """The delta's reasoning: its `reasoning_details` entries where the host sends them (each block
        a part of its own, keyed by type and index), else the first `reasoning_fields` field present."""
        entries = delta.get("reasoning_details") if self.opts.reasoning_details else None
        if entries is not None and not isinstance(entries, list):
            raise UnexpectedModelBehavior(
                f"{self.model_name}: delta.reasoning_details is not a list", snippet(data)
            )
        if entries:
            for position, entry in enumerate(entries):
                read = thinking_delta(entry, data)
                if read is not None:
                    content, signature, details = read
                    _add(
                        out,
                        self.parts.handle_thinking_delta(
                            detail_key(entry, position),
                            content,
                            signature=signature or None,
                            id=text(entry.get("id")),
                            provider_name=self.provider_name,
                            provider_details=details,
                        ),
                    )
            return
        for name in self.opts.reasoning_fields:
            reasoning = delta.get(name)
            if isinstance(reasoning, str) and reasoning:
                _add(
                    out,
                    self.parts.handle_thinking_delta(_THINKING, reasoning, provider_name=self.provider_name),
                )
                return

    def _executed_tools(self, executed: Any, out: list[ModelResponseStreamEvent], data: str) -> None:
        """Groq streams each executed tool twice under its `index`: the call with its arguments,
        then the call again with its output (or both at once)."""
        if not isinstance(executed, list):
            raise UnexpectedModelBehavior(
                f"{self.model_name}: delta.executed_tools is not a list", snippet(data)
            )
        for item in executed:
            if not isinstance(item, dict):
                raise UnexpectedModelBehavior(
                    f"{self.model_name}: an executed tool is not an object", snippet(data)
                )
            key = ("executed", block_index(item, "index", "Groq executed_tools"))
            started = self.parts.has_part((*key, "call"))
            # Stamped with the chunk's `created`, as the JSON body's parts are: the same bytes, the same parts.
            created = epoch_datetime(self._created) if self._created is not None else self.timestamp
            call, result = executed_tool_parts(item, created, with_call=not started)
            if call is not None:
                call.provider_name = self.provider_name
                out.append(self.parts.handle_part((*key, "call"), call))
            if result is not None:
                result.provider_name = self.provider_name
                out.append(self.parts.handle_part((*key, "return"), result))

    def _text(self, content: str, out: list[ModelResponseStreamEvent]) -> None:
        if self._think is None:
            _add(out, self.parts.handle_text_delta(_TEXT, content))
            return
        for is_thought, piece, number in self._think.feed(content):
            _add(out, self._text_or_thought(is_thought, piece, number))

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

    def _text_or_thought(self, is_thought: bool, piece: str, number: int) -> ModelResponseStreamEvent | None:
        if is_thought:
            return self.parts.handle_thinking_delta(
                ("think", number), piece, provider_name=self.provider_name
            )
        return self.parts.handle_text_delta(("text", number), piece)

    def _flush_think(self) -> list[ModelResponseStreamEvent]:
        out: list[ModelResponseStreamEvent] = []
        if self._think is not None:
            for is_thought, piece, number in self._think.flush():
                _add(out, self._text_or_thought(is_thought, piece, number))
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
