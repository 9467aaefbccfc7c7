"""Results of agent runs: `AgentRunResult` (run / run_sync), `StreamedRunResult` (run_stream) and
`AgentStream` (one streamed response of `agent.iter()`)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._output import OutputSchema, OutputValidationError
from .exceptions import UnexpectedModelBehavior, UserError
from .messages import (
    BinaryImage,
    FilePart,
    FinalResultEvent,
    ModelMessage,
    ModelResponse,
    ModelResponseStreamEvent,
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

__all__ = ["AgentRunResult", "AgentStream", "StreamedRunResult", "StreamedRunResultSync"]

OutputDataT = TypeVar("OutputDataT")
T = TypeVar("T")


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


class _FinalResultRule:
    """Which stream event starts a run's final result: text (when the output may be text), an image
    (when it may be one), or a call of an output tool. Asked of every event until one matches, so
    it is precomputed per response."""

    __slots__ = ("image_final", "output_tools", "text_final")

    def __init__(self, schema: OutputSchema):
        self.output_tools = schema.tool_names
        self.text_final = schema.allow_text or schema.mode in ("native", "prompted")
        self.image_final = schema.allows_image

    def __call__(self, event: ModelResponseStreamEvent) -> FinalResultEvent | None:
        if type(event) is PartStartEvent:
            part = event.part
            if isinstance(part, TextPart) and self.text_final and part.content:
                return FinalResultEvent(None, None)
            if isinstance(part, ToolCallPart) and part.tool_name in self.output_tools:
                return FinalResultEvent(part.tool_name, part.tool_call_id)
            if isinstance(part, FilePart) and self.image_final and isinstance(part.content, BinaryImage):
                return FinalResultEvent(None, None)
        elif type(event) is PartDeltaEvent and self.text_final and isinstance(event.delta, TextPartDelta):
            return FinalResultEvent(None, None)
        return None


async def find_final_result(streamed: StreamedResponse, schema: OutputSchema) -> FinalResultEvent | None:
    """Consume stream events until one starts the final result; None if the response ends without one."""
    rule = _FinalResultRule(schema)
    async for event in streamed:
        final = rule(event)
        if final is not None:
            return final
    return None


class _ResponseStream(Generic[OutputDataT]):
    """The text and output streamed from one model response: what `StreamedRunResult` (run_stream)
    and `AgentStream` (a request node's stream) share. `_complete` is set once the response is part
    of the run (its usage counted there)."""

    def __init__(
        self, runner: Runner, streamed: StreamedResponse | None, final_event: FinalResultEvent | None
    ):
        self._runner = runner
        self._streamed = streamed
        self._final_event = final_event
        self._output: Any = None
        self._complete = False

    async def _ready(self) -> None:
        """Before streaming output: the final result's event must be known (it says what to stream)."""

    async def _finish(self) -> None:
        raise NotImplementedError

    async def get_output(self) -> OutputDataT:
        raise NotImplementedError

    # ------------------------------------------------------------------------------------- streaming

    def stream_text(self, *, delta: bool = False, debounce_by: float | None = 0.1) -> AsyncIterator[str]:
        """The response's text as it grows (or, with `delta=True`, each new piece)."""
        if delta and debounce_by is None:
            # Each delta as it comes, the hot loop of a chat UI: one generator between the wire
            # events and the caller, not one per step.
            return self._text_deltas(whole=True)
        return self._stream_text(delta, debounce_by)

    async def _stream_text(self, delta: bool, debounce_by: float | None) -> AsyncIterator[str]:
        if await self._text_stream_ready():
            chunks = _debounce_join(self._text_deltas(), debounce_by)
            if delta:
                async for chunk in chunks:
                    yield chunk
            else:
                text = ""
                async for chunk in chunks:
                    text += chunk
                    yield text
            await self._finish()
        elif isinstance(self._output, str):
            yield self._output

    async def _text_stream_ready(self) -> bool:
        """Ready to stream text: True if there is a stream to read, False if the output is already
        complete; raises if the final result is a structured output."""
        await self._ready()
        if (
            self._runner.output_schema.mode in ("tool", "tool_or_text")
            and self._final_event
            and self._final_event.tool_name
        ):
            raise UnexpectedModelBehavior(
                "stream_text() cannot stream a structured output; use stream_output()"
            )
        return self._streamed is not None

    async def _text_deltas(self, *, whole: bool = False) -> AsyncIterator[str]:
        """The text pieces of the response. `whole`: the entire text stream, from getting ready to
        finishing the response (else the caller does both)."""
        if whole and not await self._text_stream_ready():
            if isinstance(self._output, str):
                yield self._output
            return
        streamed = self._streamed
        assert streamed is not None
        # What arrived before the final result was recognised is already in the response.
        response = streamed.get()
        for part in response.parts:
            if isinstance(part, TextPart) and part.content:
                yield part.content
        async for event in streamed:
            if type(event) is PartDeltaEvent:
                delta = event.delta
                if type(delta) is TextPartDelta:
                    yield delta.content_delta
            elif type(event) is PartStartEvent and isinstance(event.part, TextPart) and event.part.content:
                yield event.part.content
        if whole:
            await self._finish()

    async def stream_output(self, *, debounce_by: float | None = 0.1) -> AsyncIterator[OutputDataT]:
        """The output as it grows: partial structured outputs validated as their JSON arrives."""
        await self._ready()
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
        await self._ready()
        if self._streamed is None:
            return
        async for _ in _debounce_events(self._streamed, debounce_by):
            yield self._streamed.get(), False
        await self._finish()
        yield self._streamed.get(), True

    @property
    def usage(self) -> RunUsage:
        """Usage so far, including the response still streaming; callable like the seed's method."""
        usage = RunUsage()
        usage.incr(self._runner.usage)
        if self._streamed is not None and not self._complete:
            usage.incr(self._streamed.usage())
        return usage


class StreamedRunResult(_ResponseStream[OutputDataT]):
    """The streamed response carrying the final result; iterate its text or (partial) output."""

    def __init__(
        self, runner: Runner, streamed: StreamedResponse | None, final_event: FinalResultEvent | None
    ):
        super().__init__(runner, streamed, final_event)
        self.is_complete = False

    @classmethod
    def completed(cls, runner: Runner, final: FinalResult) -> StreamedRunResult[Any]:
        result: StreamedRunResult[Any] = cls(runner, None, None)
        result._output = final.output
        result._complete = result.is_complete = True
        return result

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


class AgentStream(_ResponseStream[OutputDataT]):
    """One model response as `ModelRequestNode.stream()` gives it: iterate it for the response's events
    (with the `FinalResultEvent` right after the event that starts the final result), or stream its
    text or output. Its tools run in the `CallToolsNode` that follows, not here."""

    def __init__(self, runner: Runner, streamed: StreamedResponse):
        super().__init__(runner, streamed, None)
        self._streamed: StreamedResponse = streamed
        self._events: AsyncIterator[ModelResponseStreamEvent] | None = None

    def __aiter__(self) -> AsyncIterator[ModelResponseStreamEvent]:
        # One iterator for the stream's life: a loop that stopped at the final result, and the text
        # or output streamed after it, carry on from the same place.
        if self._events is None:
            self._events = self._with_final_event()
        return self._events

    async def _with_final_event(self) -> AsyncIterator[ModelResponseStreamEvent]:
        rule = _FinalResultRule(self._runner.output_schema)
        async for event in self._streamed:
            yield event
            if self._final_event is None and (final := rule(event)) is not None:
                self._final_event = final
                yield final

    async def _ready(self) -> None:
        if self._final_event is None:
            async for _ in self:
                if self._final_event is not None:
                    break

    async def _finish(self) -> None:
        async for _ in self:
            pass

    async def get_output(self) -> OutputDataT:
        """Wait for the response to end and return the output it holds, validated (its tools do not run)."""
        await self._finish()
        tool_call_id = self._final_event.tool_call_id if self._final_event is not None else None
        try:
            result = await self._runner.revalidate_final(tool_call_id, self._streamed.get())
        except OutputValidationError as exc:
            raise UnexpectedModelBehavior(
                f"The streamed response does not hold a valid output: {exc.content!r}"
            ) from exc
        return result.output

    get_data = get_output

    @property
    def response(self) -> ModelResponse:
        """The response so far."""
        return self._streamed.get()


class StreamedRunResultSync(Generic[OutputDataT]):
    """`StreamedRunResult` for synchronous code (`agent.run_stream_sync()`): no event loop to manage,
    its streams are plain iterators. The run goes on in one task of an event loop of its own
    (`_sync.TaskPortal`) and ends when the output has been read to its end, when the `with` block
    is left, or at `close()`."""

    def __init__(self, stream: AbstractAsyncContextManager[StreamedRunResult[OutputDataT]]):
        from ._sync import TaskPortal

        self._portal = TaskPortal()
        self._stream = stream
        try:
            self._result: StreamedRunResult[OutputDataT] = self._portal.call(stream.__aenter__)
        except BaseException:
            self._portal.close()
            raise
        self._open = True

    def __enter__(self) -> StreamedRunResultSync[OutputDataT]:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._close(*exc_info)

    def close(self) -> None:
        """End the run (a stream not read to its end is closed) and release its loop."""
        self._close(None, None, None)

    def _close(self, *exc_info: Any) -> None:
        if not self._open:
            return
        self._open = False
        try:
            self._portal.call(lambda: self._stream.__aexit__(*exc_info))
        finally:
            self._portal.close()

    def _iterate(self, stream: Callable[[], AsyncIterator[T]]) -> Iterator[T]:
        if not self._open:
            raise UserError("This streamed run has ended; its output is `get_output()`")
        try:
            yield from self._portal.iterate(stream)
        finally:
            if self._open and self._result.is_complete:
                self.close()

    def stream_text(self, *, delta: bool = False, debounce_by: float | None = 0.1) -> Iterator[str]:
        """The response's text as it grows (or, with `delta=True`, each new piece)."""
        return self._iterate(lambda: self._result.stream_text(delta=delta, debounce_by=debounce_by))

    def stream_output(self, *, debounce_by: float | None = 0.1) -> Iterator[OutputDataT]:
        """The output as it grows: partial structured outputs validated as their JSON arrives."""
        return self._iterate(lambda: self._result.stream_output(debounce_by=debounce_by))

    stream = stream_output

    def stream_structured(self, *, debounce_by: float | None = 0.1) -> Iterator[tuple[ModelResponse, bool]]:
        """(response so far, is_last) pairs — the v0.0.36 API."""
        return self._iterate(lambda: self._result.stream_structured(debounce_by=debounce_by))

    def get_output(self) -> OutputDataT:
        """Wait for the stream to end and return the validated output (the run ends there)."""
        if self._open:
            output: OutputDataT = self._portal.call(self._result.get_output)
            self.close()
            return output
        return self._result._output

    get_data = get_output

    @property
    def is_complete(self) -> bool:
        return self._result.is_complete

    @property
    def usage(self) -> RunUsage:
        """Usage so far, including the response still streaming; callable like the seed's method."""
        return self._result.usage

    def all_messages(self) -> list[ModelMessage]:
        return self._result.all_messages()

    def new_messages(self) -> list[ModelMessage]:
        return self._result.new_messages()

    def all_messages_json(self) -> bytes:
        return self._result.all_messages_json()

    def new_messages_json(self) -> bytes:
        return self._result.new_messages_json()


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
