"""`TestModel`: no network, calls every tool once with schema-valid arguments, then answers validly."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from .._schema_data import generate
from ..messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    ModelResponseStreamEvent,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from ..profiles import ModelProfile
from ..settings import ModelSettings
from ..tools import ToolDefinition
from . import Model, ModelRequestParameters, StreamedResponse
from .function import estimate_usage

__all__ = ["TestModel"]

_PROFILE = ModelProfile(supports_json_schema_output=True, supports_json_object_output=True)


class TestModel(Model):
    """A model for tests of agent code.

    First response: a call to each function tool (or those named in `call_tools`) with arguments
    generated from its schema. Next: the output — a call to the output tool (arguments from
    `custom_output_args` or generated), or text (`custom_output_text`, or a JSON summary of the
    tool results).
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        *,
        call_tools: list[str] | Literal["all"] = "all",
        custom_output_text: str | None = None,
        custom_output_args: Any | None = None,
        seed: int = 0,
        model_name: str = "test",
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
        custom_result_text: str | None = None,
        custom_result_args: Any | None = None,
    ):
        self.call_tools = call_tools
        self.custom_output_text = custom_output_text if custom_output_text is not None else custom_result_text
        self.custom_output_args = custom_output_args if custom_output_args is not None else custom_result_args
        self.seed = seed
        self._model_name = model_name
        self._settings = settings
        self._profile = profile or _PROFILE  # `profile=`: what the model under test can do (image output...)
        self.last_model_request_parameters: ModelRequestParameters | None = None

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def system(self) -> str:
        return "test"

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        self.last_model_request_parameters = model_request_parameters
        response = ModelResponse(
            self._respond(messages, model_request_parameters), model_name=self._model_name
        )
        response.usage = estimate_usage([*messages, response])
        return response

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AsyncIterator[StreamedResponse]:
        self.last_model_request_parameters = model_request_parameters
        parts = self._respond(messages, model_request_parameters)
        yield TestStreamedResponse(model_request_parameters, self._model_name, parts, messages)

    # ------------------------------------------------------------------------------------- behaviour

    def _respond(
        self, messages: list[ModelMessage], params: ModelRequestParameters
    ) -> list[ModelResponsePart]:
        last = messages[-1] if messages else None
        tools = self._tools_to_call(params.function_tools)
        if isinstance(last, ModelRequest):
            retried = [
                p
                for p in last.parts
                if isinstance(p, RetryPromptPart) and p.tool_name in {t.name for t in tools}
            ]
            if retried:
                by_name = {t.name: t for t in tools}
                return [self._call(by_name[p.tool_name]) for p in retried if p.tool_name]
            answered = any(isinstance(p, (ToolReturnPart, RetryPromptPart)) for p in last.parts)
            if tools and not answered and not self._called_before(messages):
                return [self._call(t) for t in tools]
        return [self._output(messages, params)]

    def _tools_to_call(self, function_tools: list[ToolDefinition]) -> list[ToolDefinition]:
        if self.call_tools == "all":
            return list(function_tools)
        return [t for t in function_tools if t.name in self.call_tools]

    @staticmethod
    def _called_before(messages: list[ModelMessage]) -> bool:
        return any(isinstance(m, ModelResponse) and m.tool_calls for m in messages[-2:-1])

    def _call(self, tool: ToolDefinition) -> ToolCallPart:
        return ToolCallPart(tool.name, generate(tool.parameters_json_schema, self.seed))

    def _output(self, messages: list[ModelMessage], params: ModelRequestParameters) -> ModelResponsePart:
        if params.output_tools and (not params.allow_text_output or self.custom_output_args is not None):
            tool = params.output_tools[0]
            if self.custom_output_args is not None:
                args = self.custom_output_args
                if tool.outer_typed_dict_key:
                    args = {tool.outer_typed_dict_key: args}
            else:
                args = generate(tool.parameters_json_schema, self.seed)
            return ToolCallPart(tool.name, _jsonable(args))
        if params.output_mode in ("native", "prompted") and params.output_object is not None:
            if self.custom_output_args is not None:
                return TextPart(json.dumps(_jsonable(self.custom_output_args)))
            return TextPart(json.dumps(generate(params.output_object.json_schema, self.seed)))
        if self.custom_output_text is not None:
            return TextPart(self.custom_output_text)
        returns = {}
        for message in messages:
            if isinstance(message, ModelRequest):
                for part in message.parts:
                    if isinstance(part, ToolReturnPart):
                        returns[part.tool_name] = part.content
        if returns:
            from ..messages import _to_jsonable

            return TextPart(json.dumps(_to_jsonable(returns), separators=(",", ":")))
        return TextPart("success (no tool calls)")


def _jsonable(value: Any) -> Any:
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(value)


class TestStreamedResponse(StreamedResponse):
    __test__ = False

    def __init__(
        self,
        params: ModelRequestParameters,
        model_name: str,
        parts: list[ModelResponsePart],
        messages: list[ModelMessage],
    ):
        super().__init__(params, model_name, "test")
        self._parts = parts
        self._messages = messages

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        manager = self._parts_manager
        for index, part in enumerate(self._parts):
            event: ModelResponseStreamEvent | None
            if isinstance(part, TextPart):
                words = part.content.split(" ")
                for i, word in enumerate(words):
                    event = manager.handle_text_delta(("text", index), word if i == 0 else " " + word)
                    if event is not None:
                        yield event
            elif isinstance(part, ToolCallPart):
                args = part.args_as_json_str()
                # Arguments arrive in pieces, as a real vendor streams them.
                pieces = [args[i : i + 8] for i in range(0, len(args), 8)] or [""]
                event = manager.handle_tool_call_delta(index, part.tool_name, pieces[0], part.tool_call_id)
                if event is not None:
                    yield event
                for piece in pieces[1:]:
                    event = manager.handle_tool_call_delta(index, None, piece, None)
                    if event is not None:
                        yield event
        self._usage = estimate_usage([*self._messages, self.get()])
