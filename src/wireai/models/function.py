"""`FunctionModel`: a model whose answers come from your function — for tests and custom logic."""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Union

from ..messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponseStreamEvent,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from ..profiles import ModelProfile
from ..settings import ModelSettings
from ..tools import ToolDefinition
from ..usage import RequestUsage
from . import Model, ModelRequestParameters, StreamedResponse

__all__ = [
    "AgentInfo",
    "DeltaThinkingCall",
    "DeltaThinkingCalls",
    "DeltaToolCall",
    "DeltaToolCalls",
    "FunctionModel",
    "estimate_usage",
]


@dataclass(frozen=True)
class AgentInfo:
    """What the agent asked for in this request: tools, output tools, whether text is allowed, settings."""

    function_tools: list[ToolDefinition]
    allow_text_output: bool
    output_tools: list[ToolDefinition]
    model_settings: ModelSettings | None
    model_request_parameters: ModelRequestParameters = field(default_factory=ModelRequestParameters)

    @property
    def allow_text_result(self) -> bool:
        return self.allow_text_output

    @property
    def result_tools(self) -> list[ToolDefinition]:
        return self.output_tools


@dataclass
class DeltaToolCall:
    """A piece of a streamed tool call."""

    name: str | None = None
    json_args: str | None = None
    tool_call_id: str | None = None


@dataclass
class DeltaThinkingCall:
    """A piece of streamed thinking."""

    content: str | None = None
    signature: str | None = None


DeltaToolCalls = dict[int, DeltaToolCall]
DeltaThinkingCalls = dict[int, DeltaThinkingCall]
FunctionDef = Callable[[list[ModelMessage], AgentInfo], Union[ModelResponse, Awaitable[ModelResponse]]]
StreamFunctionDef = Callable[
    [list[ModelMessage], AgentInfo], AsyncIterator[Union[str, DeltaToolCalls, DeltaThinkingCalls]]
]


class FunctionModel(Model):
    def __init__(
        self,
        function: FunctionDef | None = None,
        *,
        stream_function: StreamFunctionDef | None = None,
        model_name: str | None = None,
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
    ):
        if function is None and stream_function is None:
            raise TypeError("Give FunctionModel a `function`, a `stream_function`, or both")
        self.function = function
        self.stream_function = stream_function
        self._settings = settings
        self._profile = profile  # what the model stands in for can do (image output, native output...)
        if model_name is None:
            names = [f.__name__ for f in (function, stream_function) if f is not None]
            model_name = "function:" + ":".join(names)
        self._model_name = model_name

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def system(self) -> str:
        return "function"

    def _info(self, settings: ModelSettings | None, params: ModelRequestParameters) -> AgentInfo:
        return AgentInfo(
            params.function_tools, params.allow_text_output, params.output_tools, settings, params
        )

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        if self.function is None:
            raise RuntimeError("This FunctionModel has only a stream_function; use run_stream")
        result = self.function(messages, self._info(model_settings, model_request_parameters))
        response = await result if inspect.isawaitable(result) else result
        assert isinstance(response, ModelResponse), (
            f"FunctionModel's function must return a ModelResponse, got {response!r}"
        )
        response.model_name = response.model_name or self._model_name
        if not response.usage.has_values():
            response.usage = estimate_usage([*messages, response])
        return response

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AsyncIterator[StreamedResponse]:
        if self.stream_function is None:
            raise RuntimeError("This FunctionModel has no stream_function; use run, not run_stream")
        chunks = self.stream_function(messages, self._info(model_settings, model_request_parameters))
        yield FunctionStreamedResponse(model_request_parameters, self._model_name, chunks, messages)


class FunctionStreamedResponse(StreamedResponse):
    def __init__(
        self,
        params: ModelRequestParameters,
        model_name: str,
        chunks: AsyncIterator[Any],
        messages: list[ModelMessage],
    ):
        super().__init__(params, model_name, "function")
        self._chunks = chunks
        self._messages = messages

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        parts = self._parts_manager
        event: ModelResponseStreamEvent | None
        async for item in self._chunks:
            if isinstance(item, str):
                event = parts.handle_text_delta("content", item)
                if event is not None:
                    yield event
                continue
            for index, delta in item.items():
                if isinstance(delta, DeltaToolCall):
                    event = parts.handle_tool_call_delta(
                        index, delta.name, delta.json_args, delta.tool_call_id
                    )
                elif isinstance(delta, DeltaThinkingCall):
                    event = parts.handle_thinking_delta(
                        ("thinking", index), delta.content, signature=delta.signature
                    )
                else:
                    raise TypeError(f"stream_function yielded an unsupported item: {delta!r}")
                if event is not None:
                    yield event
            self._usage = estimate_usage([*self._messages, self.get()])
        self._usage = estimate_usage([*self._messages, self.get()])


_WORD = re.compile(r"[\s\",.:]+")


def _words(text: str) -> int:
    return len([w for w in _WORD.split(text.strip()) if w])


def estimate_usage(messages: list[ModelMessage]) -> RequestUsage:
    """A rough token count (words) for models with no real tokenizer, as PydanticAI's test models do."""
    request_tokens = 50
    response_tokens = 0
    for message in messages:
        if isinstance(message, ModelRequest):
            for part in message.parts:
                if isinstance(part, (SystemPromptPart, UserPromptPart)):
                    content = part.content
                    request_tokens += (
                        _words(content)
                        if isinstance(content, str)
                        else sum(_words(c) if isinstance(c, str) else 0 for c in content)
                    )
                elif isinstance(part, ToolReturnPart):
                    request_tokens += _words(part.model_response_str())
                elif isinstance(part, RetryPromptPart):
                    request_tokens += _words(part.model_response())
        elif message is messages[-1]:  # only the response being estimated
            for rpart in message.parts:
                if isinstance(rpart, (TextPart, ThinkingPart)):
                    response_tokens += _words(rpart.content)
                elif isinstance(rpart, ToolCallPart):
                    response_tokens += 1 + _words(rpart.args_as_json_str() if rpart.args is not None else "")
    return RequestUsage(input_tokens=request_tokens, output_tokens=response_tokens)
