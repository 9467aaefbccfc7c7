"""One agent run: build requests, call the model, run tools, validate output, loop until a final result.

A plain loop instead of PydanticAI's graph: the states are few (request -> response -> tools or
output) and a loop keeps the per-request overhead to what the work needs. Two seams carry all the
I/O: `prepare_request` + `request` (one model round trip) and `run_tool_calls` (a response's
function tool calls, through the run's toolset).

Events of handling a response (the tool calls made and what they gave) go to `emit` when someone
listens (`agent.iter()` node streams, `event_stream_handler`); with nobody listening it is None and
no event is built.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

from ._output import OutputSchema, OutputValidationError
from ._tool_results import ToolOutcome, deferred_result, tool_return, unprocessed_calls
from .exceptions import (
    ApprovalRequired,
    CallDeferred,
    ContentFilterError,
    IncompleteToolCall,
    ModelHTTPError,
    ModelRetry,
    UnexpectedModelBehavior,
    UserError,
    _ToolDeferral,
)
from .messages import (
    FilePart,
    FunctionToolCallEvent,
    FunctionToolResultEvent,
    HandleResponseEvent,
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    OutputToolCallEvent,
    OutputToolResultEvent,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
)
from .models import Model, ModelRequestParameters, StreamedResponse
from .settings import ModelSettings
from .tools import DeferredToolRequests, DeferredToolResults, RunContext, ToolApproved, ToolDefinition
from .toolsets.abstract import AbstractToolset, ToolsetTool
from .usage import RunUsage, UsageLimits

if TYPE_CHECKING:
    from ._instrumentation import RunTracing
    from .agent import Agent

__all__ = ["FinalResult", "Runner", "captured_messages"]

T = TypeVar("T")

captured_messages: ContextVar[list[ModelMessage] | None] = ContextVar(
    "wireai_captured_messages", default=None
)

FINAL_RESULT_PROCESSED = "Final result processed."
OUTPUT_TOOL_NOT_USED = "Output tool not used - a final result was already processed."
TOOL_NOT_EXECUTED = "Tool not executed - a final result was already processed."
PLAIN_TEXT_NOT_ALLOWED = "Plain text responses are not permitted, please include your response in a tool call"
EMPTY_RESPONSE = "Responses without text or tool calls are not permitted; reply with text or call a tool."
IMAGE_REQUIRED = "Please return an image."


@dataclass
class FinalResult:
    output: Any
    tool_name: str | None = None
    tool_call_id: str | None = None


class Runner:
    """The state of one run, shared by `Agent.run`, `Agent.run_stream` and `Agent.iter`."""

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
        toolset: AbstractToolset[Any],
        deferred_tool_results: DeferredToolResults | None = None,
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
        self.toolset = toolset
        self.tools: dict[str, ToolsetTool[Any]] = {}  # what the toolset listed for the current step
        self.deferred_tool_results = deferred_tool_results
        self._checked_defs: list[ToolDefinition] = []
        self.tool_retries: dict[str, int] = {}
        self.output_retries = 0
        self.run_step = 0
        self.emit: Callable[[HandleResponseEvent], None] | None = None
        self.ctx = RunContext(
            deps=deps,
            model=model,
            usage=usage,
            prompt=prompt,
            messages=self.messages,
            retries=self.tool_retries,
        )

    # ----------------------------------------------------------------------------------------- start

    async def start(self, user_prompt: str | Sequence[UserContent] | None) -> FinalResult | None:
        """Queue the first request; or, when the history ends in tool calls, answer them first.

        Returns a final result when the run ends without asking the model anything (the history's
        tool calls gave the output, or were deferred again).
        """
        pending = await self.begin(user_prompt)
        return None if pending is None else await self.answer_pending(pending)

    async def begin(self, user_prompt: str | Sequence[UserContent] | None) -> ModelResponse | None:
        """Queue the first request (None), or return the history's response whose tool calls must be
        answered first (by `answer_pending`): `agent.iter()` makes that a `CallToolsNode`."""
        messages = self.messages
        results = self.deferred_tool_results
        if results is not None and not messages:
            raise UserError("Tool call results were provided, but the message history is empty.")
        if not messages and user_prompt is None:
            raise UserError("Give a user prompt or a message history to run the agent")
        pending = self._unprocessed_response()
        if results is not None and pending is None:
            raise UserError(
                "Tool call results were provided, but the message history does not contain any unprocessed tool calls."
            )
        if isinstance(messages[-1] if messages else None, ModelResponse):
            if pending is None and user_prompt is None:
                raise UserError(
                    "The message history ends with a model response and no new user prompt was given: "
                    "there is nothing to send. Pass a user prompt to continue the conversation."
                )
            if pending is not None and user_prompt is not None and results is None:
                raise UserError(
                    "Cannot provide a new user prompt when the message history contains unprocessed tool calls: "
                    "run without a prompt to execute them, or pass their results as `deferred_tool_results`."
                )
        parts: list[ModelRequestPart] = []
        agent = self.agent
        if not messages:
            parts.extend(SystemPromptPart(p) for p in agent._system_prompts)
            for fn, takes_ctx, ref in agent._system_prompt_functions:
                parts.append(
                    SystemPromptPart(await self._call_prompt_function(fn, takes_ctx), dynamic_ref=ref)
                )
        elif agent._dynamic_system_prompts:
            await self._reevaluate_dynamic_prompts()
        if pending is not None:
            self.tools = await self.toolset.get_tools(self.ctx)
            return pending
        if user_prompt is not None:
            parts.append(UserPromptPart(user_prompt if isinstance(user_prompt, str) else list(user_prompt)))
        if parts:
            messages.append(ModelRequest(parts, instructions=await self.instructions()))
        elif isinstance(messages[-1], ModelRequest):
            messages[-1].instructions = await self.instructions()
        return None

    async def answer_pending(self, response: ModelResponse) -> FinalResult | None:
        """Answer the tool calls `begin` found unanswered: run them, or apply the results given for them."""
        results = self.deferred_tool_results
        if results is None:
            return await self.handle_response(response)
        return await self._resume(response, results, self.prompt)

    def _unprocessed_response(self) -> ModelResponse | None:
        """The history's last response when tool calls in it still wait for their results."""
        messages = self.messages
        if not messages:
            return None
        last = messages[-1]
        if isinstance(last, ModelResponse):
            return last if last.tool_calls else None
        # A run that stopped on deferred calls keeps the results of the calls it did run in a request
        # after the response; only deferred results make that request unfinished.
        if self.deferred_tool_results is not None and len(messages) > 1:
            response = messages[-2]
            if (
                isinstance(response, ModelResponse)
                and unprocessed_calls(response, last, self.output_schema.tool_names)[0]
            ):
                return response
        return None

    async def _resume(
        self,
        response: ModelResponse,
        results: DeferredToolResults,
        user_prompt: str | Sequence[UserContent] | None,
    ) -> FinalResult | None:
        last = self.messages[-1]
        pending, answered = unprocessed_calls(
            response, last if isinstance(last, ModelRequest) else None, self.output_schema.tool_names
        )
        given = {*results.approvals, *results.calls}
        already = sorted(given & answered)
        if already:
            raise UserError(
                f"Tool call {already[0]!r} was already executed and its result cannot be overridden."
            )
        expected = {call.tool_call_id for call in pending}
        if given != expected:
            raise UserError(
                "Tool call results need to be provided for all deferred tool calls. "
                f"Expected: {_id_set(expected)}, got: {_id_set(given)}"
            )
        parts, deferred = await self.run_tool_calls(pending, results)
        final = self._deferred_output(deferred) if deferred.calls or deferred.approvals else None
        if user_prompt is not None:
            parts.append(UserPromptPart(user_prompt if isinstance(user_prompt, str) else list(user_prompt)))
        return await self._finish_step(parts, final)

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

    # ----------------------------------------------------------------------------------------- requests

    async def request_parameters(self) -> ModelRequestParameters:
        """This step's tools (asked of the toolset every step) and output, as the model gets them."""
        tools = self.tools = await self.toolset.get_tools(self.ctx)
        tool_defs = [tool.tool_def for tool in tools.values()]
        if tool_defs and tool_defs != self._checked_defs:
            model = self.model
            if not model.profile.supports_tools:
                raise UserError(
                    f"{model.system}:{model.model_name} cannot call tools; remove the agent's tools "
                    f"({', '.join(tools)}) or use another model"
                )
            output_names = self.output_schema.tool_names
            for tool_def in tool_defs:
                if tool_def.name in output_names:
                    raise UserError(
                        f"Tool name {tool_def.name!r} clashes with an output tool; rename the tool"
                    )
            self._checked_defs = tool_defs
        return self.output_schema.request_parameters(tool_defs, self.agent._native_tools)

    def check_before_request(self) -> None:
        self.limits.check_before_request(self.usage)
        self.run_step += 1
        self.ctx.run_step = self.run_step

    async def prepare_request(self) -> tuple[list[ModelMessage], ModelRequestParameters]:
        """Everything before a model request: limits, this step's tools, the history processors, and
        the vendor's count of the request's input when the limits ask for it."""
        self.check_before_request()
        params = await self.request_parameters()
        messages = await self._process_history() if self.agent._history_processors else self.messages
        if self.limits.count_tokens_before_request:
            await self._check_counted_tokens(messages, params)
        return messages, params

    async def _check_counted_tokens(
        self, messages: list[ModelMessage], params: ModelRequestParameters
    ) -> None:
        """`UsageLimits(count_tokens_before_request=True)`: the input limits, checked with the vendor's
        count of what is about to be sent, so an oversized request is never made."""
        try:
            counted = await self.model.count_tokens(messages, self.settings, params)
        except UserError as exc:
            raise UserError(
                f"UsageLimits(count_tokens_before_request=True) could not count this request's tokens: "
                f"{exc.message}. Turn count_tokens_before_request off to run without the check."
            ) from exc
        self.limits.check_per_request_input_tokens(counted.input_tokens)
        self.limits.check_before_request(self.usage + counted)

    async def _process_history(self) -> list[ModelMessage]:
        """Run the history processors; as in PydanticAI, what they return replaces the run's messages."""
        messages = self.messages
        added = len(messages) - self.new_message_index
        processed = messages
        for processor, takes_ctx in self.agent._history_processors:
            out = processor(self.ctx, processed) if takes_ctx else processor(processed)
            processed = await out if inspect.isawaitable(out) else out
        if not processed:
            raise UserError("Processed history cannot be empty.")
        if not isinstance(processed[-1], ModelRequest):
            raise UserError("Processed history must end with a `ModelRequest`.")
        if processed is not messages:
            messages[:] = processed  # the same list: capture_run_messages() and ctx.messages see it
        # Processors trim or rewrite old turns and keep the recent ones: this run's messages stay the tail.
        self.new_message_index = max(0, len(messages) - added)
        return messages

    def add_response(self, response: ModelResponse) -> None:
        self.usage.requests += 1
        self.usage.incr(response.usage)
        self.messages.append(response)
        if self.limits.has_token_limits():
            self.limits.check_per_request_input_tokens(response.usage.input_tokens)
            self.limits.check_tokens(self.usage)

    async def request(self) -> ModelResponse:
        while True:
            messages, params = await self.prepare_request()
            try:
                response = await self.model.request(messages, self.settings, params)
            except ModelHTTPError as exc:
                self.retry_with_feedback(exc)
                continue
            self.add_response(response)
            return response

    @asynccontextmanager
    async def request_stream(
        self, read: Callable[[StreamedResponse], Awaitable[T]] | None = None
    ) -> AsyncIterator[tuple[StreamedResponse, T | None]]:
        """One streamed model round trip (adding the response is the caller's job), and what `read`
        took from its start. A vendor rejecting the model's generation while the stream opens or is
        read is retried with feedback, as in `request`; once yielded, the stream is the caller's."""
        while True:
            messages, params = await self.prepare_request()
            reading = True
            try:
                async with self.model.request_stream(messages, self.settings, params) as streamed:
                    head = await read(streamed) if read is not None else None
                    reading = False
                    yield streamed, head
                return
            except ModelHTTPError as exc:
                if not reading:
                    raise
                self.retry_with_feedback(exc)

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
        if response.finish_reason == "content_filter" and not _has_output(response):
            raise _content_filter_error(response)
        calls = [p for p in response.parts if isinstance(p, ToolCallPart)]
        if calls:
            parts, final = await self._handle_tool_calls(calls)
        else:
            parts, final = await self._handle_text(response)
        return await self._finish_step(parts, final)

    async def _finish_step(
        self, parts: list[ModelRequestPart], final: FinalResult | None
    ) -> FinalResult | None:
        if final is not None:
            self.final = final
            if parts:
                self.messages.append(ModelRequest(parts))
            return final
        self.messages.append(ModelRequest(parts, instructions=await self.instructions()))
        return None

    async def _handle_tool_calls(
        self, calls: list[ToolCallPart]
    ) -> tuple[list[ModelRequestPart], FinalResult | None]:
        schema = self.output_schema
        output_tools = schema.tool_names
        parts: list[ModelRequestPart] = []
        final: FinalResult | None = None
        function_calls = []
        for call in calls:
            if call.tool_name not in output_tools:
                function_calls.append(call)
                continue
            part: ToolReturnPart | RetryPromptPart
            args_valid: bool | None = True
            if final is not None:
                part = ToolReturnPart(call.tool_name, OUTPUT_TOOL_NOT_USED, call.tool_call_id)
                args_valid = None
            else:
                try:
                    output = await schema.validate_tool_call(call, self._output_ctx(call))
                    if self.agent._output_validators:
                        output = await self._run_output_validators(output)
                except OutputValidationError as exc:
                    self._count_output_retry(schema.tool_names[call.tool_name].max_retries)
                    part = RetryPromptPart(
                        exc.content, tool_name=call.tool_name, tool_call_id=call.tool_call_id
                    )
                    # The arguments were valid when the output function or a validator asked for a retry.
                    args_valid = isinstance(exc.__cause__, ModelRetry)
                else:
                    final = FinalResult(output, call.tool_name, call.tool_call_id)
                    part = ToolReturnPart(call.tool_name, FINAL_RESULT_PROCESSED, call.tool_call_id)
            parts.append(part)
            if self.emit is not None:
                self.emit(OutputToolCallEvent(call, args_valid))
                self.emit(OutputToolResultEvent(part))

        if function_calls:
            if final is not None and self.agent.end_strategy == "early":
                parts.extend(_not_executed(function_calls))
            else:
                tool_parts, deferred = await self.run_tool_calls(function_calls)
                parts.extend(tool_parts)
                if deferred.calls or deferred.approvals:
                    if final is None:
                        final = self._deferred_output(deferred)
                    else:
                        parts.extend(_not_executed([*deferred.calls, *deferred.approvals]))
        return parts, final

    async def _handle_text(
        self, response: ModelResponse
    ) -> tuple[list[ModelRequestPart], FinalResult | None]:
        schema = self.output_schema
        image = next(iter(response.images), None) if schema.allows_image else None
        text = ""
        if image is None:
            if schema.mode == "image":
                return self._retry(IMAGE_REQUIRED)
            text = "".join(p.content for p in response.parts if isinstance(p, TextPart))
            if not text:
                return self._retry(EMPTY_RESPONSE)
            if not (schema.allow_text or schema.mode in ("native", "prompted")):
                return self._retry(PLAIN_TEXT_NOT_ALLOWED)
        try:
            output = (
                image
                if image is not None
                else await schema.validate_text(text, self.ctx.replace_with(retry=self.output_retries))
            )
            return [], FinalResult(await self._run_output_validators(output))
        except OutputValidationError as exc:
            return self._retry(exc.content)

    def _retry(self, content: str | list[dict[str, Any]]) -> tuple[list[ModelRequestPart], None]:
        """Ask the model again (its answer gave no output), counting the try against the output retries."""
        self._count_output_retry(None)
        return [RetryPromptPart(content)], None

    def _deferred_output(self, deferred: DeferredToolRequests) -> FinalResult:
        if not self.output_schema.allows_deferred_tools:
            raise UserError(
                "A deferred tool call was present, but `DeferredToolRequests` is not among output types. "
                "To resolve this, add `DeferredToolRequests` to the list of output types for this agent."
            )
        return FinalResult(deferred)

    async def revalidate_final(
        self, tool_call_id: str | None, response: ModelResponse | None = None
    ) -> FinalResult:
        """The final result a response holds (the run's last one unless given): its output tool call
        `tool_call_id` (or its text), validated again, tools not run: a batch run resumed after a
        crash from its saved history (`wireai.batch.agent`), `AgentStream.get_output()`."""
        if response is None:
            response = next(m for m in reversed(self.messages) if isinstance(m, ModelResponse))
        if tool_call_id is None:
            text = "".join(p.content for p in response.parts if isinstance(p, TextPart))
            output = await self.output_schema.validate_text(
                text, self.ctx.replace_with(retry=self.output_retries)
            )
            return FinalResult(await self._run_output_validators(output))
        call = next(
            p for p in response.parts if isinstance(p, ToolCallPart) and p.tool_call_id == tool_call_id
        )
        output = await self.output_schema.validate_tool_call(call, self._output_ctx(call))
        return FinalResult(await self._run_output_validators(output), call.tool_name, call.tool_call_id)

    def _output_ctx(self, call: ToolCallPart) -> RunContext[Any]:
        return self.ctx.replace_with(
            retry=self.output_retries, tool_name=call.tool_name, tool_call_id=call.tool_call_id
        )

    def _count_output_retry(self, limit: int | None) -> None:
        self.output_retries += 1
        max_retries = limit if limit is not None else self.agent._max_output_retries
        if self.output_retries > max_retries:
            self._raise_if_cut_mid_tool_call()
            raise UnexpectedModelBehavior(f"Exceeded maximum retries ({max_retries}) for output validation")

    def _raise_if_cut_mid_tool_call(self) -> None:
        """`IncompleteToolCall` when the retries ran out on a response cut at the token limit inside
        its last tool call's arguments (PydanticAI's check, at both places retries run out)."""
        response = next((m for m in reversed(self.messages) if isinstance(m, ModelResponse)), None)
        if response is None or response.finish_reason != "length" or not response.parts:
            return
        call = response.parts[-1]
        if not isinstance(call, ToolCallPart):
            return
        try:
            call.args_as_dict()
        except ValueError:
            max_tokens = (self.settings or {}).get("max_tokens") or "provider default"
            raise IncompleteToolCall(
                f"Model token limit ({max_tokens}) exceeded while generating a tool call, resulting in "
                "incomplete arguments. Increase the `max_tokens` model setting, or simplify the prompt to "
                "result in a shorter response that will fit within the limit."
            ) from None

    async def _run_output_validators(self, output: Any) -> Any:
        for validator, takes_ctx in self.agent._output_validators:
            args = (self.ctx.replace_with(retry=self.output_retries), output) if takes_ctx else (output,)
            try:
                result = validator(*args)
                output = await result if inspect.isawaitable(result) else result
            except ModelRetry as exc:
                raise OutputValidationError(exc.message) from exc
        return output

    # ----------------------------------------------------------------------------------------- tools

    async def run_tool_calls(
        self, calls: list[ToolCallPart], results: DeferredToolResults | None = None
    ) -> tuple[list[ModelRequestPart], DeferredToolRequests]:
        """Run function tool calls (concurrently when several); results keep the calls' order.

        Every call is checked before any runs (arguments validated, given results and deferrals
        applied), as PydanticAI does: a listener hears of all the calls, then of each result as it
        comes. Returns the request parts (tool results first, then the user content tools asked to
        send) and the calls that were deferred instead of run.
        """
        if self.limits.tool_calls_limit is not None:
            runs = sum(self._runs_here(call, results) for call in calls)
            self.limits.check_before_tool_call(RunUsage(tool_calls=self.usage.tool_calls + runs))
        checked = [self._check_call(call, results) for call in calls]
        if self.emit is not None:
            for call, (_, args_valid) in zip(calls, checked):
                self.emit(FunctionToolCallEvent(call, args_valid))
        if len(calls) == 1:
            outcomes = [await self._call_tool(calls[0], checked[0][0])]
        else:
            import asyncio

            outcomes = list(
                await asyncio.gather(*(self._call_tool(c, run) for c, (run, _) in zip(calls, checked)))
            )
        tool_parts: list[ModelRequestPart] = []
        user_parts: list[ModelRequestPart] = []
        deferred = DeferredToolRequests()
        for call, outcome in zip(calls, outcomes):
            if isinstance(outcome, _ToolDeferral):
                (deferred.calls if isinstance(outcome, CallDeferred) else deferred.approvals).append(call)
                if outcome.metadata is not None:
                    deferred.metadata[call.tool_call_id] = outcome.metadata
                continue
            part, user_part = outcome
            tool_parts.append(part)
            if user_part is not None:
                user_parts.append(user_part)
        return tool_parts + user_parts, deferred

    def _runs_here(self, call: ToolCallPart, results: DeferredToolResults | None) -> bool:
        """Whether the call would run a function now (what `tool_calls_limit` counts): a known
        function tool, or an approval-required one being resumed; external calls never run here."""
        tool = self.tools.get(call.tool_name)
        kind = tool.tool_def.kind if tool is not None else None
        return kind == "function" or (kind == "unapproved" and results is not None)

    async def _call_tool(self, call: ToolCallPart, run: ToolOutcome | _ToolRun) -> ToolOutcome:
        if self.tracing is None:
            outcome = await self._execute_tool(call, run)
        else:
            outcome = await self.tracing.run_tool(call, lambda c: self._execute_tool(c, run))
        if self.emit is not None and not isinstance(outcome, _ToolDeferral):
            part, user_part = outcome
            self.emit(FunctionToolResultEvent(part, user_part.content if user_part is not None else None))
        return outcome

    def _check_call(
        self, call: ToolCallPart, results: DeferredToolResults | None
    ) -> tuple[ToolOutcome | _ToolRun, bool | None]:
        """Before a call runs: its outcome when that is already known (a result given for it, an
        unknown tool, invalid arguments, a deferral) or what running it takes; and whether its
        arguments validated (None: not checked, a result was given)."""
        approved = False
        metadata = None
        args = call.args
        if results is not None:
            decision = deferred_result(call, results)
            if not isinstance(decision, ToolApproved):
                return decision, None
            approved = True
            metadata = results.metadata.get(call.tool_call_id)
            if decision.override_args is not None:
                args = decision.override_args
        name = call.tool_name
        tool = self.tools.get(name)
        if tool is None:
            self._count_output_retry(None)
            names = ", ".join(repr(n) for n in [*self.tools, *self.output_schema.tool_names])
            message = f"Unknown tool name: {name!r}. " + (
                f"Available tools: {names}" if names else "No tools available."
            )
            return (RetryPromptPart(message, tool_name=name, tool_call_id=call.tool_call_id), None), False
        validator = tool.args_validator
        try:
            tool_args = (
                validator.validate_json(args or "{}")
                if isinstance(args, str)
                else validator.validate_python(args or {})
            )
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False)
            return (self._tool_retry(tool, call, errors), None), False
        kind = tool.tool_def.kind
        if kind == "external":
            return CallDeferred(), True
        if kind == "unapproved" and not approved:
            return ApprovalRequired(), True
        ctx = self.ctx.replace_with(
            retry=self.tool_retries.get(name, 0),
            max_retries=tool.max_retries,
            tool_name=name,
            tool_call_id=call.tool_call_id,
            tool_call_approved=approved,
            tool_call_metadata=metadata,
        )
        return _ToolRun(tool, tool_args, ctx), True

    async def _execute_tool(self, call: ToolCallPart, run: ToolOutcome | _ToolRun) -> ToolOutcome:
        """One checked call: run it, or give the outcome its check already decided."""
        if not isinstance(run, _ToolRun):
            return run
        name = call.tool_name
        try:
            result = await self.toolset.call_tool(name, run.args, run.ctx, run.tool)
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False)
            return self._tool_retry(run.tool, call, errors), None
        except ModelRetry as exc:
            return self._tool_retry(run.tool, call, exc.message), None
        except _ToolDeferral as exc:
            return exc
        self.tool_retries.pop(name, None)
        self.usage.tool_calls += 1
        return tool_return(call, result)

    def _tool_retry(self, tool: ToolsetTool[Any], call: ToolCallPart, content: Any) -> RetryPromptPart:
        name = call.tool_name
        count = self.tool_retries[name] = self.tool_retries.get(name, 0) + 1
        if count > tool.max_retries:
            self._raise_if_cut_mid_tool_call()
            raise UnexpectedModelBehavior(f"Tool {name!r} exceeded max retries count of {tool.max_retries}")
        return RetryPromptPart(content, tool_name=name, tool_call_id=call.tool_call_id)


def _has_output(response: ModelResponse) -> bool:
    """Whether the response holds anything a run can end or go on with: text, a tool call, a file."""
    return any(
        isinstance(p, (ToolCallPart, FilePart)) or (isinstance(p, TextPart) and p.content)
        for p in response.parts
    )


def _content_filter_error(response: ModelResponse) -> ContentFilterError:
    """The error for a response a content filter left empty, with the vendor's reason from its details."""
    from .exceptions import snippet
    from .messages import ModelMessagesTypeAdapter

    message = f"Content filter triggered: {response.model_name or 'the model'} returned no output"
    if response.provider_details:
        message += f" (provider details: {snippet(json.dumps(response.provider_details, default=str))})"
    body = ModelMessagesTypeAdapter.dump_json([response]).decode()
    return ContentFilterError(message, body, response=response)


@dataclass
class _ToolRun:
    """A checked call ready to run: its tool, validated arguments and context."""

    tool: ToolsetTool[Any]
    args: Any
    ctx: RunContext[Any]


def _not_executed(calls: list[ToolCallPart]) -> list[ModelRequestPart]:
    return [ToolReturnPart(c.tool_name, TOOL_NOT_EXECUTED, c.tool_call_id) for c in calls]


def _id_set(ids: set[str]) -> str:
    """A set of tool call ids printed like Python's set repr, in a stable order."""
    return "{" + ", ".join(repr(i) for i in sorted(ids)) + "}" if ids else "set()"
