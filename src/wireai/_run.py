"""One agent run: build requests, call the model, run tools, validate output, loop until a final result.

A plain loop instead of PydanticAI's graph: the states are few (request -> response -> tools or
output) and a loop keeps the per-request overhead to what the work needs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ._output import OutputSchema, OutputValidationError
from .exceptions import ModelHTTPError, ModelRetry, UnexpectedModelBehavior, UserError
from .messages import (
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
)
from .models import Model, ModelRequestParameters
from .settings import ModelSettings
from .tools import RunContext, Tool, ToolDefinition
from .usage import RunUsage, UsageLimits

if TYPE_CHECKING:
    from ._instrumentation import RunTracing
    from .agent import Agent

__all__ = ["FinalResult", "Runner", "captured_messages"]

captured_messages: ContextVar[list[ModelMessage] | None] = ContextVar(
    "wireai_captured_messages", default=None
)

FINAL_RESULT_PROCESSED = "Final result processed."
OUTPUT_TOOL_NOT_USED = "Output tool not used - a final result was already processed."
TOOL_NOT_EXECUTED = "Tool not executed - a final result was already processed."
PLAIN_TEXT_NOT_ALLOWED = "Plain text responses are not permitted, please include your response in a tool call"
EMPTY_RESPONSE = "Responses without text or tool calls are not permitted; reply with text or call a tool."


@dataclass
class FinalResult:
    output: Any
    tool_name: str | None = None
    tool_call_id: str | None = None


class Runner:
    """The state of one run, shared by `Agent.run` and `Agent.run_stream`."""

    def __init__(
        self,
        agent: Agent[Any, Any],
        *,
        model: Model,
        deps: Any,
        output_schema: OutputSchema,
        settings: ModelSettings | None,
        usage: RunUsage,
        limits: UsageLimits,
        history: Sequence[ModelMessage] | None,
        prompt: Any,
        tracing: RunTracing | None = None,
    ):
        self.agent = agent
        self.tracing = tracing
        self.final: FinalResult | None = None
        self.model = model
        self.deps = deps
        self.output_schema = output_schema
        self.settings = settings
        self.usage = usage
        self.limits = limits
        captured = captured_messages.get()
        if captured is not None and not captured:
            # capture_run_messages(): the first run in the block fills the caller's list as it goes.
            captured.extend(history or ())
            self.messages: list[ModelMessage] = captured
        else:
            self.messages = list(history or ())
        self.new_message_index = len(self.messages)
        self.prompt = prompt
        self.tool_retries: dict[str, int] = {}
        self.output_retries = 0
        self.run_step = 0
        self.ctx = RunContext(deps=deps, model=model, usage=usage, prompt=prompt, messages=self.messages)
        self._static_params: ModelRequestParameters | None = None

    # ----------------------------------------------------------------------------------------- requests

    async def start(self, user_prompt: str | Sequence[UserContent] | None) -> None:
        if not self.messages and user_prompt is None:
            raise UserError("Give a user prompt or a message history to run the agent")
        if user_prompt is None and isinstance(self.messages[-1], ModelResponse):
            raise UserError(
                "The message history ends with a model response and no new user prompt was given: "
                "there is nothing to send. Pass a user prompt to continue the conversation."
            )
        parts: list[ModelRequestPart] = []
        agent = self.agent
        if not self.messages:
            parts.extend(SystemPromptPart(p) for p in agent._system_prompts)
            for fn, takes_ctx, ref in agent._system_prompt_functions:
                parts.append(
                    SystemPromptPart(await self._call_prompt_function(fn, takes_ctx), dynamic_ref=ref)
                )
        elif agent._dynamic_system_prompts:
            await self._reevaluate_dynamic_prompts()
        if user_prompt is not None:
            parts.append(UserPromptPart(user_prompt if isinstance(user_prompt, str) else list(user_prompt)))
        if parts:
            self.messages.append(ModelRequest(parts, instructions=await self.instructions()))
        elif isinstance(self.messages[-1], ModelRequest):
            self.messages[-1].instructions = await self.instructions()

    async def _reevaluate_dynamic_prompts(self) -> None:
        functions = self.agent._dynamic_system_prompts
        for message in self.messages:
            if isinstance(message, ModelRequest):
                for i, part in enumerate(message.parts):
                    if isinstance(part, SystemPromptPart) and part.dynamic_ref in functions:
                        content = await self._call_prompt_function(*functions[part.dynamic_ref])
                        message.parts[i] = SystemPromptPart(content, dynamic_ref=part.dynamic_ref)

    async def instructions(self) -> str | None:
        agent = self.agent
        texts = list(agent._instructions)
        for fn, takes_ctx in agent._instruction_functions:
            text = await self._call_prompt_function(fn, takes_ctx)
            if text:
                texts.append(text)
        prompted = self.output_schema.prompted_instructions(self.model.profile)
        if prompted:
            texts.append(prompted)
        return "\n\n".join(t for t in texts if t) or None

    async def _call_prompt_function(self, fn: Callable[..., Any], takes_ctx: bool) -> str:
        result = fn(self.ctx) if takes_ctx else fn()
        if inspect.isawaitable(result):
            result = await result
        return result

    async def request_parameters(self) -> ModelRequestParameters:
        if self._static_params is not None:
            return self._static_params
        agent = self.agent
        tool_defs: list[ToolDefinition] = []
        dynamic = False
        for tool in agent._function_tools.values():
            if tool.prepare is None:
                tool_defs.append(tool.tool_def)
                continue
            dynamic = True
            tool_def = await tool.prepare_tool_def(
                self.ctx.replace_with(retry=self.tool_retries.get(tool.name, 0))
            )
            if tool_def is not None:
                tool_defs.append(tool_def)
        output_names = self.output_schema.tool_names
        for tool_def in tool_defs:
            if tool_def.name in output_names:
                raise UserError(f"Tool name {tool_def.name!r} clashes with an output tool; rename the tool")
        params = self.output_schema.request_parameters(tool_defs)
        if agent._native_tools:
            params.native_tools = list(agent._native_tools)
        if not dynamic:
            self._static_params = params
        return params

    def check_before_request(self) -> None:
        self.limits.check_before_request(self.usage)
        self.run_step += 1
        self.ctx.run_step = self.run_step

    def add_response(self, response: ModelResponse) -> None:
        self.usage.requests += 1
        self.usage.incr(response.usage)
        self.messages.append(response)
        if self.limits.has_token_limits():
            self.limits.check_tokens(self.usage)

    async def request(self) -> ModelResponse:
        while True:
            self.check_before_request()
            params = await self.request_parameters()
            try:
                response = await self.model.request(self.messages, self.settings, params)
            except ModelHTTPError as exc:
                self.retry_with_feedback(exc)
                continue
            self.add_response(response)
            return response

    def retry_with_feedback(self, exc: ModelHTTPError) -> None:
        """Turn a vendor-side rejection of the model's generation into a retry prompt, or re-raise."""
        feedback = self.model.retry_feedback(exc)
        if feedback is None:
            raise exc
        self.usage.requests += 1
        self._count_output_retry(None)
        last = self.messages[-1]
        assert isinstance(last, ModelRequest)
        last.parts.append(RetryPromptPart(feedback))

    # ----------------------------------------------------------------------------------------- responses

    async def handle_response(self, response: ModelResponse) -> FinalResult | None:
        """Run tools / validate output; return the final result, or None after queueing the next request."""
        schema = self.output_schema
        output_tools = schema.tool_names
        calls = [p for p in response.parts if isinstance(p, ToolCallPart)]
        parts: list[ModelRequestPart] = []
        final: FinalResult | None = None

        function_calls = []
        for call in calls:
            if call.tool_name not in output_tools:
                function_calls.append(call)
                continue
            if final is not None:
                parts.append(ToolReturnPart(call.tool_name, OUTPUT_TOOL_NOT_USED, call.tool_call_id))
                continue
            try:
                output = await schema.validate_tool_call(call, self._output_ctx(call))
                output = await self._run_output_validators(output)
            except OutputValidationError as exc:
                self._count_output_retry(schema.tool_names[call.tool_name].max_retries)
                parts.append(
                    RetryPromptPart(exc.content, tool_name=call.tool_name, tool_call_id=call.tool_call_id)
                )
                continue
            final = FinalResult(output, call.tool_name, call.tool_call_id)
            parts.append(ToolReturnPart(call.tool_name, FINAL_RESULT_PROCESSED, call.tool_call_id))

        if function_calls:
            if final is not None and self.agent.end_strategy == "early":
                parts.extend(
                    ToolReturnPart(c.tool_name, TOOL_NOT_EXECUTED, c.tool_call_id) for c in function_calls
                )
            else:
                parts.extend(await self._run_tools(function_calls))

        if final is None and not calls:
            text = "".join(p.content for p in response.parts if isinstance(p, TextPart))
            if text:
                if schema.allow_text or schema.mode in ("native", "prompted"):
                    try:
                        output = await schema.validate_text(
                            text, self.ctx.replace_with(retry=self.output_retries)
                        )
                        final = FinalResult(await self._run_output_validators(output))
                    except OutputValidationError as exc:
                        self._count_output_retry(None)
                        parts.append(RetryPromptPart(exc.content))
                else:
                    self._count_output_retry(None)
                    parts.append(RetryPromptPart(PLAIN_TEXT_NOT_ALLOWED))
            else:
                self._count_output_retry(None)
                parts.append(RetryPromptPart(EMPTY_RESPONSE))

        if final is not None:
            self.final = final
            if parts:
                self.messages.append(ModelRequest(parts))
            return final
        self.messages.append(ModelRequest(parts, instructions=await self.instructions()))
        return None

    def _output_ctx(self, call: ToolCallPart) -> RunContext[Any]:
        return self.ctx.replace_with(
            retry=self.output_retries, tool_name=call.tool_name, tool_call_id=call.tool_call_id
        )

    def _count_output_retry(self, limit: int | None) -> None:
        self.output_retries += 1
        max_retries = limit if limit is not None else self.agent._max_output_retries
        if self.output_retries > max_retries:
            raise UnexpectedModelBehavior(f"Exceeded maximum retries ({max_retries}) for output validation")

    async def _run_output_validators(self, output: Any) -> Any:
        for validator, takes_ctx in self.agent._output_validators:
            args = (self.ctx.replace_with(retry=self.output_retries), output) if takes_ctx else (output,)
            try:
                result = validator(*args)
                output = await result if inspect.isawaitable(result) else result
            except ModelRetry as exc:
                raise OutputValidationError(exc.message) from exc
        return output

    async def _run_tools(self, calls: list[ToolCallPart]) -> list[ModelRequestPart]:
        if len(calls) == 1:
            return [await self._run_tool(calls[0])]
        # Parallel calls from one response run concurrently; results keep the calls' order.
        import asyncio

        return list(await asyncio.gather(*(self._run_tool(c) for c in calls)))

    async def _run_tool(self, call: ToolCallPart) -> ModelRequestPart:
        if self.tracing is None:
            return await self._execute_tool(call)
        return await self.tracing.run_tool(call, self._execute_tool)

    async def _execute_tool(self, call: ToolCallPart) -> ModelRequestPart:
        tools = self.agent._function_tools
        tool = tools.get(call.tool_name)
        if tool is None:
            self._count_output_retry(None)
            names = ", ".join(repr(n) for n in [*tools, *self.output_schema.tool_names])
            message = f"Unknown tool name: {call.tool_name!r}. " + (
                f"Available tools: {names}" if names else "No tools available."
            )
            return RetryPromptPart(message, tool_name=call.tool_name, tool_call_id=call.tool_call_id)
        retries = self.tool_retries.get(tool.name, 0)
        ctx = self.ctx.replace_with(retry=retries, tool_name=tool.name, tool_call_id=call.tool_call_id)
        try:
            args = tool.schema.validate_args(call.args)
            result = await tool.schema.call(args, ctx)
        except ValidationError as exc:
            return self._tool_retry(tool, call, exc.errors(include_url=False, include_context=False))
        except ModelRetry as exc:
            return self._tool_retry(tool, call, exc.message)
        self.tool_retries.pop(tool.name, None)
        return ToolReturnPart(tool.name, result, call.tool_call_id)

    def _tool_retry(self, tool: Tool[Any], call: ToolCallPart, content: Any) -> RetryPromptPart:
        count = self.tool_retries[tool.name] = self.tool_retries.get(tool.name, 0) + 1
        max_retries = tool.max_retries if tool.max_retries is not None else self.agent._default_retries
        if count > max_retries:
            raise UnexpectedModelBehavior(f"Tool {tool.name!r} exceeded max retries count of {max_retries}")
        return RetryPromptPart(content, tool_name=call.tool_name, tool_call_id=call.tool_call_id)
