"""Results of agent runs: `AgentRunResult` (run / run_sync) and `StreamedRunResult` (run_stream)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._output import OutputSchema, OutputValidationError
from .exceptions import UnexpectedModelBehavior
from .messages import (
    BinaryImage,
    FilePart,
    FinalResultEvent,
    ModelMessage,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ToolCallPart,
    ToolReturnPart,
)
from .usage import RunUsage

if TYPE_CHECKING:
    from ._run import FinalResult, Runner
    from .models import StreamedResponse

__all__ = ["AgentRunResult", "StreamedRunResult"]

OutputDataT = TypeVar("OutputDataT")


def _dump_messages(messages: list[ModelMessage]) -> bytes:
    from .messages import ModelMessagesTypeAdapter

    return ModelMessagesTypeAdapter.dump_json(messages)


class AgentRunResult(Generic[OutputDataT]):
    """The output of a finished run, its messages and its usage."""

    def __init__(
        self,
        output: OutputDataT,
        messages: list[ModelMessage],
        new_message_index: int,
        usage: RunUsage,
        output_tool_name: str | None = None,
    ):
        self.output = output
        self._messages = messages
        self._new_message_index = new_message_index
        self._usage = usage
        self._output_tool_name = output_tool_name

    @property
    def data(self) -> OutputDataT:
        """The output, by its v0.0.36 name."""
        return self.output

    @property
    def usage(self) -> RunUsage:
        """The run's usage; call it (`result.usage()`, the seed's spelling) or read it (`result.usage.input_tokens`)."""
        return self._usage

    def all_messages(
        self, *, output_tool_return_content: str | None = None, result_tool_return_content: str | None = None
    ) -> list[ModelMessage]:
        content = (
            output_tool_return_content
            if output_tool_return_content is not None
            else result_tool_return_content
        )
        if content is None:
            return list(self._messages)
        return _replace_output_return(self._messages, self._output_tool_name, content)

    def new_messages(
        self, *, output_tool_return_content: str | None = None, result_tool_return_content: str | None = None
    ) -> list[ModelMessage]:
        return self.all_messages(
            output_tool_return_content=output_tool_return_content,
            result_tool_return_content=result_tool_return_content,
        )[self._new_message_index :]

    def all_messages_json(self, **kwargs: Any) -> bytes:
        return _dump_messages(self.all_messages(**kwargs))

    def new_messages_json(self, **kwargs: Any) -> bytes:
        return _dump_messages(self.new_messages(**kwargs))

    def __repr__(self) -> str:
        return f"AgentRunResult(output={self.output!r})"


def _replace_output_return(
    messages: list[ModelMessage], tool_name: str | None, content: str
) -> list[ModelMessage]:
    import copy

    out = list(messages)
    for i in range(len(out) - 1, -1, -1):
        message = out[i]
        if message.kind == "request":
            for j, part in enumerate(message.parts):
                if isinstance(part, ToolReturnPart) and part.tool_name == tool_name:
                    new_message = copy.copy(message)
                    new_message.parts = list(message.parts)
                    new_message.parts[j] = copy.copy(part)
                    new_message.parts[j].content = content
                    out[i] = new_message
                    return out
    return out


async def find_final_result(streamed: StreamedResponse, schema: OutputSchema) -> FinalResultEvent | None:
    """Consume stream events until one starts the final result; None if the response ends without one."""
    output_tools = schema.tool_names
    text_final = schema.allow_text or schema.mode in ("native", "prompted")
    async for event in streamed:
        if isinstance(event, PartStartEvent):
            part = event.part
            if isinstance(part, TextPart) and text_final and part.content:
                return FinalResultEvent(None, None)
            if isinstance(part, ToolCallPart) and part.tool_name in output_tools:
                return FinalResultEvent(part.tool_name, part.tool_call_id)
            if isinstance(part, FilePart) and schema.allows_image and isinstance(part.content, BinaryImage):
                return FinalResultEvent(None, None)
        elif isinstance(event, PartDeltaEvent) and text_final and isinstance(event.delta, TextPartDelta):
            return FinalResultEvent(None, None)
    return None


class StreamedRunResult(Generic[OutputDataT]):
    """The streamed response carrying the final result; iterate its text or (partial) output."""

    def __init__(
        self, runner: Runner, streamed: StreamedResponse | None, final_event: FinalResultEvent | None
    ):
        self._runner = runner
        self._streamed = streamed
        self._final_event = final_event
        self._output: Any = None
        self._complete = False
        self.is_complete = False

    @classmethod
    def completed(cls, runner: Runner, final: FinalResult) -> StreamedRunResult[Any]:
        result: StreamedRunResult[Any] = cls(runner, None, None)
        result._output = final.output
        result._complete = result.is_complete = True
        return result

    # ------------------------------------------------------------------------------------- streaming

    async def stream_text(
        self, *, delta: bool = False, debounce_by: float | None = 0.1
    ) -> AsyncIterator[str]:
        """The response's text as it grows (or, with `delta=True`, each new piece)."""
        if (
            self._runner.output_schema.mode in ("tool", "tool_or_text")
            and self._final_event
            and self._final_event.tool_name
        ):
            raise UnexpectedModelBehavior(
                "stream_text() cannot stream a structured output; use stream_output()"
            )
        if self._streamed is None:
            if isinstance(self._output, str):
                yield self._output
            return
        if delta:
            chunks = (
                self._text_deltas()
                if debounce_by is None
                else _debounce_join(self._text_deltas(), debounce_by)
            )
            async for chunk in chunks:
                yield chunk
        else:
            text = ""
            async for chunk in _debounce_join(self._text_deltas(), debounce_by):
                text += chunk
                yield text
        await self._finish()

    async def _text_deltas(self) -> AsyncIterator[str]:
        streamed = self._streamed
        assert streamed is not None
        text_indexes: set[int] = set()
        # What arrived before the final result was recognised is already in the response.
        response = streamed.get()
        for index, part in enumerate(response.parts):
            if isinstance(part, TextPart) and part.content:
                text_indexes.add(index)
                yield part.content
        async for event in streamed:
            if type(event) is PartDeltaEvent:
                delta = event.delta
                if type(delta) is TextPartDelta:
                    yield delta.content_delta
            elif type(event) is PartStartEvent and isinstance(event.part, TextPart) and event.part.content:
                yield event.part.content

    async def stream_output(self, *, debounce_by: float | None = 0.1) -> AsyncIterator[OutputDataT]:
        """The output as it grows: partial structured outputs validated as their JSON arrives."""
        if self._streamed is None:
            yield self._output
            return
        schema = self._runner.output_schema
        streamed = self._streamed
        last: Any = _NOTHING
        ctx = self._runner.ctx
        async for _ in _debounce_events(streamed, debounce_by):
            response = streamed.get()
            partial = await _partial_output(schema, response, self._final_event, ctx)
            if partial is not _NOTHING and partial != last:
                last = partial
                yield partial
        output = await self.get_output()
        if output != last:
            yield output

    stream = stream_output

    async def stream_structured(
        self, *, debounce_by: float | None = 0.1
    ) -> AsyncIterator[tuple[ModelResponse, bool]]:
        """(response so far, is_last) pairs — the v0.0.36 API."""
        if self._streamed is None:
            return
        async for _ in _debounce_events(self._streamed, debounce_by):
            yield self._streamed.get(), False
        await self._finish()
        yield self._streamed.get(), True

    async def get_output(self) -> OutputDataT:
        """Wait for the stream to end and return the validated output."""
        await self._finish()
        return self._output

    get_data = get_output

    async def _finish(self) -> None:
        if self._complete:
            return
        streamed = self._streamed
        assert streamed is not None
        async for _ in streamed:
            pass
        self._complete = True
        runner = self._runner
        response = streamed.get()
        runner.add_response(response)
        final = await runner.handle_response(response)
        if final is None:
            last = runner.messages[-1]
            detail = getattr(last, "parts", [None])[0]
            raise UnexpectedModelBehavior(
                f"The streamed response did not give a valid final output: {getattr(detail, 'content', detail)!r}"
            )
        self._output = final.output
        self.is_complete = True

    # ------------------------------------------------------------------------------------- run info

    @property
    def usage(self) -> RunUsage:
        """Usage so far, including the response still streaming; callable like the seed's method."""
        usage = RunUsage()
        usage.incr(self._runner.usage)
        if self._streamed is not None and not self._complete:
            usage.incr(self._streamed.usage())
        return usage

    def all_messages(self) -> list[ModelMessage]:
        messages = list(self._runner.messages)
        if self._streamed is not None and not self._complete:
            messages.append(self._streamed.get())
        return messages

    def new_messages(self) -> list[ModelMessage]:
        return self.all_messages()[self._runner.new_message_index :]

    def all_messages_json(self) -> bytes:
        return _dump_messages(self.all_messages())

    def new_messages_json(self) -> bytes:
        return _dump_messages(self.new_messages())


_NOTHING: Any = object()


async def _partial_output(
    schema: OutputSchema, response: ModelResponse, final_event: FinalResultEvent | None, ctx: Any
) -> Any:
    try:
        if final_event is not None and final_event.tool_name:
            for part in response.parts:
                if isinstance(part, ToolCallPart) and part.tool_call_id == final_event.tool_call_id:
                    if not part.args:
                        return _NOTHING
                    return await schema.validate_tool_call(part, ctx, partial=True)
            return _NOTHING
        if schema.allows_image and response.images:
            return response.images[0]
        if schema.mode == "image":
            return _NOTHING
        text = "".join(p.content for p in response.parts if isinstance(p, TextPart))
        if not text:
            return _NOTHING
        return await schema.validate_text(text, ctx, partial=True)
    except (OutputValidationError, ValueError):
        return _NOTHING


async def _debounce_events(streamed: StreamedResponse, debounce_by: float | None) -> AsyncIterator[None]:
    """Tick at most once per `debounce_by` seconds while events arrive (every event when None)."""
    last = 0.0
    pending = False
    async for _ in streamed:
        if debounce_by is None:
            yield None
            continue
        now = time.monotonic()
        if now - last >= debounce_by:
            last = now
            pending = False
            yield None
        else:
            pending = True
    if pending:
        yield None


async def _debounce_join(chunks: AsyncIterator[str], debounce_by: float | None) -> AsyncIterator[str]:
    """Join text pieces arriving within `debounce_by` seconds of the last yield (every piece when None)."""
    if debounce_by is None:
        async for chunk in chunks:
            yield chunk
        return
    buffer: list[str] = []
    last = 0.0
    async for chunk in chunks:
        buffer.append(chunk)
        now = time.monotonic()
        if now - last >= debounce_by:
            last = now
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)
