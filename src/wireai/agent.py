"""`Agent`: configuration (model, output type, prompts, tools, validators) and the public run methods."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from functools import partial
from types import FrameType
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, Union, overload

from ._function_schema import takes_run_context
from ._output import OutputSchema, build_output_schema
from ._run import Runner, captured_messages
from ._scope import run_scope
from .exceptions import UserError
from .messages import AgentStreamEvent, ModelMessage, UserContent
from .models import Model, infer_model
from .result import AgentRunResult, StreamedRunResult, StreamedRunResultSync, find_final_result
from .settings import ModelSettings, merge_model_settings
from .tools import DeferredToolResults, RunContext, Tool
from .toolsets.abstract import AbstractToolset
from .toolsets.function import FunctionToolset, ToolDecorators
from .usage import RunUsage, UsageLimits

if TYPE_CHECKING:
    from ._instrumentation import RunTracing
    from ._iter import AgentRun
    from .batch._progress import ProgressArg
    from .batch.job import StoreArg
    from .concurrency import AbstractConcurrencyLimiter, AnyConcurrencyLimit
    from .models.instrumented import InstrumentationSettings
    from .native_tools import AbstractNativeTool
    from .run import AgentEventStream
    from .toolsets._dynamic import ToolsetFunc

__all__ = ["Agent", "EndStrategy", "EventStreamHandler", "HistoryProcessor", "capture_run_messages"]

AgentDepsT = TypeVar("AgentDepsT")
OutputDataT = TypeVar("OutputDataT")
EndStrategy = Literal["early", "exhaustive"]
_UNSET: Any = object()
F = TypeVar("F", bound=Callable[..., Any])

HistoryProcessor = Union[
    Callable[[list[ModelMessage]], Union[list[ModelMessage], Awaitable[list[ModelMessage]]]],
    Callable[[RunContext[Any], list[ModelMessage]], Union[list[ModelMessage], Awaitable[list[ModelMessage]]]],
]
"""Messages in, messages out (sync or async, optionally taking the `RunContext` first), before each request."""

EventStreamHandler = Callable[[RunContext[AgentDepsT], AsyncIterable[AgentStreamEvent]], Awaitable[None]]
"""Called with the run's context and the events of each step (a model response as it streams, the
tool calls as they run); the run goes on once it returns."""


class Agent(ToolDecorators, Generic[AgentDepsT, OutputDataT]):
    """An LLM agent: send a prompt, let the model call tools, get a validated output back."""

    _instrument_default: InstrumentationSettings | bool = False

    def __init__(
        self,
        model: Model | str | None = None,
        *,
        output_type: Any = _UNSET,
        instructions: str | Callable[..., Any] | Sequence[str | Callable[..., Any]] | None = None,
        system_prompt: str | Sequence[str] = (),
        deps_type: type[AgentDepsT] = type(None),  # type: ignore[assignment]
        name: str | None = None,
        model_settings: ModelSettings | None = None,
        retries: int = 1,
        output_retries: int | None = None,
        tools: Sequence[Tool[AgentDepsT] | Callable[..., Any]] = (),
        toolsets: Sequence[AbstractToolset[AgentDepsT] | ToolsetFunc] = (),
        history_processors: Sequence[HistoryProcessor] = (),
        defer_model_check: bool = False,
        end_strategy: EndStrategy = "early",
        usage_limits: UsageLimits | None = None,
        result_type: Any = _UNSET,
        result_retries: int | None = None,
        result_tool_name: str | None = None,
        result_tool_description: str | None = None,
        instrument: InstrumentationSettings | bool | None = None,
        native_tools: Sequence[AbstractNativeTool] = (),
        builtin_tools: Sequence[AbstractNativeTool] = (),
        max_concurrency: AnyConcurrencyLimit = None,
        event_stream_handler: EventStreamHandler[AgentDepsT] | None = None,
    ):
        if output_type is not _UNSET and result_type is not _UNSET:
            raise UserError("Pass `output_type` or its old name `result_type`, not both")
        self.output_type: Any = (
            output_type if output_type is not _UNSET else (str if result_type is _UNSET else result_type)
        )
        if model is None or defer_model_check:
            self.model: Model | str | None = model
        else:
            self.model = infer_model(model)
        self.name = name
        self.deps_type = deps_type
        self.model_settings = model_settings
        self.end_strategy = end_strategy
        self.usage_limits = usage_limits
        self._max_output_retries = (
            output_retries
            if output_retries is not None
            else (result_retries if result_retries is not None else retries)
        )
        self._output_tool_name = result_tool_name
        self._output_tool_description = result_tool_description
        self._system_prompts: list[str] = (
            [system_prompt] if isinstance(system_prompt, str) else list(system_prompt)
        )
        self._system_prompt_functions: list[tuple[Callable[..., Any], bool, str | None]] = []
        self._dynamic_system_prompts: dict[str, tuple[Callable[..., Any], bool]] = {}
        self._instructions: list[str] = []
        self._instruction_functions: list[tuple[Callable[..., Any], bool]] = []
        for item in (
            [instructions]
            if isinstance(instructions, str) or callable(instructions)
            else list(instructions or ())
        ):
            if isinstance(item, str):
                self._instructions.append(item)
            else:
                self._instruction_functions.append((item, takes_run_context(item)))
        # The agent's own tools are one FunctionToolset among its toolsets: every tool takes one path.
        self._function_toolset: FunctionToolset[AgentDepsT] = FunctionToolset(tools, max_retries=retries)
        self._user_toolsets: list[AbstractToolset[AgentDepsT]] = [_as_toolset(t) for t in toolsets]
        self._history_processors: list[tuple[Callable[..., Any], bool]] = [
            (p, _processor_takes_ctx(p)) for p in history_processors
        ]
        if native_tools and builtin_tools:
            raise UserError("Pass `native_tools` or its old name `builtin_tools`, not both")
        self._native_tools: list[AbstractNativeTool] = list(native_tools or builtin_tools)
        self._output_validators: list[tuple[Callable[..., Any], bool]] = []
        self._output_schemas: dict[tuple[int, str], tuple[Any, OutputSchema]] = {}
        self._override_model: ContextVar[Model | None] = ContextVar("override_model", default=None)
        self._override_deps: ContextVar[Any] = ContextVar("override_deps", default=_UNSET)
        self._override_toolsets: ContextVar[list[AbstractToolset[AgentDepsT]] | None] = ContextVar(
            "override_toolsets", default=None
        )
        self.instrument = instrument
        """OpenTelemetry for this agent's runs: settings, True (defaults), False, or None: `instrument_all()`'s."""
        self.event_stream_handler = event_stream_handler
        """The handler of every run's events when a run is not given one: `run` and `run_stream` then stream."""
        self._default_instrumentation: InstrumentationSettings | None = None
        self._concurrency_limiter: AbstractConcurrencyLimiter | None = None
        if max_concurrency is not None:
            from .concurrency import normalize_to_limiter  # imported only by agents that limit

            self._concurrency_limiter = normalize_to_limiter(max_concurrency, name=name)

    @staticmethod
    def instrument_all(instrument: InstrumentationSettings | bool = True) -> None:
        """Trace every agent that was not given `instrument=` itself (False turns it back off)."""
        Agent._instrument_default = instrument

    def __repr__(self) -> str:
        model = self.model.model_name if isinstance(self.model, Model) else self.model
        return f"Agent(model={model!r}, name={self.name!r}, output_type={self.output_type!r})"

    # ------------------------------------------------------------------------------------- decorators

    @overload
    def system_prompt(self, func: F, /) -> F: ...

    @overload
    def system_prompt(self, /, *, dynamic: bool = False) -> Callable[[F], F]: ...

    def system_prompt(self, func: Any = None, /, *, dynamic: bool = False) -> Any:
        """Register a function (sync or async, with or without `RunContext`) that returns a system prompt.

        `dynamic=True` re-evaluates it when a run continues a message history.
        """

        def register(fn: F) -> F:
            takes_ctx = takes_run_context(fn)
            ref = fn.__qualname__ if dynamic else None
            self._system_prompt_functions.append((fn, takes_ctx, ref))
            if ref is not None:
                self._dynamic_system_prompts[ref] = (fn, takes_ctx)
            return fn

        return register(func) if func is not None else register

    def instructions(self, func: F, /) -> F:
        """Register a function returning instructions, evaluated for every request and not kept in history."""
        self._instruction_functions.append((func, takes_run_context(func)))
        return func

    def _function_tools(self) -> FunctionToolset[AgentDepsT]:
        """Where `@agent.tool` / `@agent.tool_plain` put a tool: the agent's own function toolset."""
        return self._function_toolset

    @overload
    def toolset(self, func: ToolsetFunc, /) -> ToolsetFunc: ...

    @overload
    def toolset(self, /, *, per_run_step: bool = True) -> Callable[[ToolsetFunc], ToolsetFunc]: ...

    def toolset(self, func: Any = None, /, *, per_run_step: bool = True) -> Any:
        """Register a function of the `RunContext` (sync or async) that returns the toolset to use (or None).

        It is called at the first step of each run, and again at every step unless `per_run_step=False`.
        """

        def register(fn: ToolsetFunc) -> ToolsetFunc:
            from .toolsets._dynamic import DynamicToolset

            self._user_toolsets.append(DynamicToolset(fn, per_run_step=per_run_step))
            return fn

        return register(func) if func is not None else register

    @property
    def toolsets(self) -> list[AbstractToolset[AgentDepsT]]:
        """Every toolset of the agent, its own function tools first (the override's, inside `override(toolsets=)`)."""
        override = self._override_toolsets.get()
        return [self._function_toolset, *(override if override is not None else self._user_toolsets)]

    def output_validator(self, func: F, /) -> F:
        """Register a validator of the final output (sync or async, may take `RunContext`, may raise `ModelRetry`)."""
        self._output_validators.append((func, takes_run_context(func)))
        return func

    result_validator = output_validator

    # ------------------------------------------------------------------------------------- runs

    async def run(
        self,
        user_prompt: str | Sequence[UserContent] | None = None,
        *,
        output_type: Any = None,
        message_history: Sequence[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: AgentDepsT = None,  # type: ignore[assignment]
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: RunUsage | None = None,
        infer_name: bool = True,
        toolsets: Sequence[AbstractToolset[AgentDepsT]] | None = None,
        deferred_tool_results: DeferredToolResults | None = None,
        result_type: Any = None,
        event_stream_handler: EventStreamHandler[AgentDepsT] | None = None,
    ) -> AgentRunResult[Any]:
        """Run the agent until it produces a final output.

        With an `event_stream_handler` (or the agent's), the model requests are streamed and every
        step's events go to it, as `run_stream_events()` gives them.
        """
        if infer_name:
            self._infer_name(inspect.currentframe())
        runner = self._runner(
            output_type or result_type,
            message_history,
            model,
            deps,
            model_settings,
            usage_limits,
            usage,
            user_prompt,
            toolsets,
            deferred_tool_results,
        )
        handler = event_stream_handler or self.event_stream_handler
        async with self._run_scope(runner):
            if handler is not None:
                from ._iter import AgentRun, run_with_handler

                agent_run = AgentRun(runner, user_prompt)
                await run_with_handler(agent_run, handler)
                assert agent_run.result is not None
                return agent_run.result
            final = await runner.start(user_prompt)
            while final is None:
                response = await runner.request()
                final = await runner.handle_response(response)
        return AgentRunResult(
            final.output, runner.messages, runner.new_message_index, runner.usage, final.tool_name
        )

    def run_sync(
        self,
        user_prompt: str | Sequence[UserContent] | None = None,
        *,
        output_type: Any = None,
        message_history: Sequence[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: AgentDepsT = None,  # type: ignore[assignment]
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: RunUsage | None = None,
        infer_name: bool = True,
        toolsets: Sequence[AbstractToolset[AgentDepsT]] | None = None,
        deferred_tool_results: DeferredToolResults | None = None,
        result_type: Any = None,
        event_stream_handler: EventStreamHandler[AgentDepsT] | None = None,
    ) -> AgentRunResult[Any]:
        """`run` from synchronous code (also works when called inside a running event loop)."""
        from ._sync import run_sync

        if infer_name:
            self._infer_name(inspect.currentframe())
        return run_sync(
            self.run(
                user_prompt,
                output_type=output_type,
                message_history=message_history,
                model=model,
                deps=deps,
                model_settings=model_settings,
                usage_limits=usage_limits,
                usage=usage,
                infer_name=False,
                toolsets=toolsets,
                deferred_tool_results=deferred_tool_results,
                result_type=result_type,
                event_stream_handler=event_stream_handler,
            )
        )

    @asynccontextmanager
    async def run_stream(
        self,
        user_prompt: str | Sequence[UserContent] | None = None,
        *,
        output_type: Any = None,
        message_history: Sequence[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: AgentDepsT = None,  # type: ignore[assignment]
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: RunUsage | None = None,
        infer_name: bool = True,
        toolsets: Sequence[AbstractToolset[AgentDepsT]] | None = None,
        deferred_tool_results: DeferredToolResults | None = None,
        result_type: Any = None,
        event_stream_handler: EventStreamHandler[AgentDepsT] | None = None,
    ) -> AsyncIterator[StreamedRunResult[Any]]:
        """Run the agent, streaming the response that carries the final result.

        Responses that only call tools are consumed and their tools run; the context manager yields
        as soon as a response starts with the final result (text, or an output tool call). An
        `event_stream_handler` gets every event up to the final result's; what follows it is
        yours to stream.
        """
        if infer_name and (frame := inspect.currentframe()) is not None:
            self._infer_name(frame.f_back)  # past the context manager's __aenter__
        runner = self._runner(
            output_type or result_type,
            message_history,
            model,
            deps,
            model_settings,
            usage_limits,
            usage,
            user_prompt,
            toolsets,
            deferred_tool_results,
        )
        handler = event_stream_handler or self.event_stream_handler
        async with self._run_scope(runner):
            if handler is None:
                final = await runner.start(user_prompt)
                read = partial(find_final_result, schema=runner.output_schema)
            else:
                from ._iter import answer_with_handler, events_to_final

                pending = await runner.begin(user_prompt)
                final = (
                    await answer_with_handler(runner, handler, pending, answers_history=True)
                    if pending is not None
                    else None
                )
                read = partial(events_to_final, runner, handler=handler)
            while final is None:
                async with runner.request_stream(read) as (streamed, final_event):
                    if final_event is not None:
                        yield StreamedRunResult(runner, streamed, final_event)
                        return
                    response = streamed.get()
                runner.add_response(response)
                if handler is None:
                    final = await runner.handle_response(response)
                else:
                    final = await answer_with_handler(runner, handler, response, answers_history=False)
            # A final result found only once a response was complete, or without asking the model.
            yield StreamedRunResult.completed(runner, final)

    @asynccontextmanager
    async def iter(
        self,
        user_prompt: str | Sequence[UserContent] | None = None,
        *,
        output_type: Any = None,
        message_history: Sequence[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: AgentDepsT = None,  # type: ignore[assignment]
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: RunUsage | None = None,
        infer_name: bool = True,
        toolsets: Sequence[AbstractToolset[AgentDepsT]] | None = None,
        deferred_tool_results: DeferredToolResults | None = None,
        result_type: Any = None,
    ) -> AsyncIterator[AgentRun]:
        """The run as nodes: iterate the yielded `AgentRun`, then read its `result`."""
        from ._iter import AgentRun

        if infer_name and (frame := inspect.currentframe()) is not None:
            self._infer_name(frame.f_back)  # past the context manager's __aenter__

        runner = self._runner(
            output_type or result_type,
            message_history,
            model,
            deps,
            model_settings,
            usage_limits,
            usage,
            user_prompt,
            toolsets,
            deferred_tool_results,
        )
        async with self._run_scope(runner):
            yield AgentRun(runner, user_prompt)

    async def run_batch(
        self,
        inputs: Sequence[Any],
        *,
        store: StoreArg = None,
        resume: str | None = None,
        output_type: Any = None,
        model: Model | str | None = None,
        deps: AgentDepsT = None,  # type: ignore[assignment]
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        toolsets: Sequence[AbstractToolset[AgentDepsT]] | None = None,
        poll_interval: float = 30.0,
        timeout: float | None = None,
        progress: ProgressArg = False,
    ) -> list[AgentRunResult[Any] | BaseException]:
        """Run the agent on every input through the vendor's batch API (about half the price, within
        24 hours): one `AgentRunResult`, or the exception that ended that run, per input, in order.

        `inputs` are prompts, `(custom_id, prompt)` pairs, or dicts with `user_prompt`,
        `message_history`, `deps` (and `custom_id`); `deps` is the default for inputs without their
        own. Runs advance in rounds, one batch per round with every run waiting for the model;
        tools run here between rounds. Each round is saved in `store` (see `submit_batch`), so
        `resume=job_id` with the same inputs carries on after a crash from the last finished round.
        `poll_interval`, `timeout`, `progress` are `BatchJob.wait`'s, per round. See docs/batch.md.
        """
        from .batch.agent import run_batch

        return await run_batch(
            self,
            inputs,
            store=store,
            resume=resume,
            output_type=output_type,
            model=model,
            deps=deps,
            model_settings=model_settings,
            usage_limits=usage_limits,
            toolsets=toolsets,
            poll_interval=poll_interval,
            timeout=timeout,
            progress=progress,
        )

    def run_stream_events(
        self,
        user_prompt: str | Sequence[UserContent] | None = None,
        *,
        output_type: Any = None,
        message_history: Sequence[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: AgentDepsT = None,  # type: ignore[assignment]
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: RunUsage | None = None,
        infer_name: bool = True,
        toolsets: Sequence[AbstractToolset[AgentDepsT]] | None = None,
        deferred_tool_results: DeferredToolResults | None = None,
        result_type: Any = None,
    ) -> AgentEventStream[Any]:
        """Every event of the run (each model response as it streams, each tool call and result),
        then an `AgentRunResultEvent` with the result: `async for event in agent.run_stream_events(...)`,
        or `async with agent.run_stream_events(...) as events:` and iterate `events`."""
        from ._iter import stream_run_events
        from .run import AgentEventStream

        if infer_name:
            self._infer_name(inspect.currentframe())
        run = self.iter(
            user_prompt,
            output_type=output_type,
            message_history=message_history,
            model=model,
            deps=deps,
            model_settings=model_settings,
            usage_limits=usage_limits,
            usage=usage,
            infer_name=False,
            toolsets=toolsets,
            deferred_tool_results=deferred_tool_results,
            result_type=result_type,
        )
        return AgentEventStream(stream_run_events(run))

    def run_stream_sync(
        self,
        user_prompt: str | Sequence[UserContent] | None = None,
        *,
        output_type: Any = None,
        message_history: Sequence[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: AgentDepsT = None,  # type: ignore[assignment]
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: RunUsage | None = None,
        infer_name: bool = True,
        toolsets: Sequence[AbstractToolset[AgentDepsT]] | None = None,
        deferred_tool_results: DeferredToolResults | None = None,
        result_type: Any = None,
        event_stream_handler: EventStreamHandler[AgentDepsT] | None = None,
    ) -> StreamedRunResultSync[Any]:
        """`run_stream` for scripts: no event loop needed, the result's methods are plain functions and
        iterators. Use it as a context manager, or read the output to its end (which ends the run)."""
        if infer_name:
            self._infer_name(inspect.currentframe())
        return StreamedRunResultSync(
            self.run_stream(
                user_prompt,
                output_type=output_type,
                message_history=message_history,
                model=model,
                deps=deps,
                model_settings=model_settings,
                usage_limits=usage_limits,
                usage=usage,
                infer_name=False,
                toolsets=toolsets,
                deferred_tool_results=deferred_tool_results,
                result_type=result_type,
                event_stream_handler=event_stream_handler,
            )
        )

    def _infer_name(self, function_frame: FrameType | None) -> None:
        """Name an unnamed agent after the variable holding it where a run was started (as
        PydanticAI does), so logs and traces can tell agents apart without `name=`."""
        caller = function_frame.f_back if function_frame is not None else None
        if self.name is not None or caller is None:
            return
        for scope in (caller.f_locals, caller.f_globals):
            for name, item in scope.items():
                if item is self and name.isidentifier():  # not a tool's temporary (pytest's `@py_assert1`)
                    self.name = name
                    return

    @staticmethod
    def is_user_prompt_node(node: object) -> bool:
        from ._iter import UserPromptNode

        return isinstance(node, UserPromptNode)

    @staticmethod
    def is_model_request_node(node: object) -> bool:
        from ._iter import ModelRequestNode

        return isinstance(node, ModelRequestNode)

    @staticmethod
    def is_call_tools_node(node: object) -> bool:
        from ._iter import CallToolsNode

        return isinstance(node, CallToolsNode)

    @staticmethod
    def is_end_node(node: object) -> bool:
        from ._iter import End

        return isinstance(node, End)

    def _runner(
        self,
        output_type: Any,
        message_history: Sequence[ModelMessage] | None,
        model: Model | str | None,
        deps: Any,
        model_settings: ModelSettings | None,
        usage_limits: UsageLimits | None,
        usage: RunUsage | None,
        user_prompt: Any,
        toolsets: Sequence[AbstractToolset[Any]] | None = None,
        deferred_tool_results: DeferredToolResults | None = None,
    ) -> Runner:
        chosen = self._resolve_model(model)
        tracing = self._tracing()
        if tracing is not None:
            from .models.instrumented import instrument_model

            chosen = instrument_model(chosen, tracing.settings)
        if self._concurrency_limiter is not None:
            from .models.concurrency import limiters_of

            if self._concurrency_limiter in limiters_of(chosen):
                raise UserError(
                    "The agent's max_concurrency and its ConcurrencyLimitedModel use the same limiter, which can "
                    "deadlock a run; use separate limiters or limit concurrency at one level only"
                )
        schema = self._output_schema(output_type if output_type is not None else self.output_type, chosen)
        profile = chosen.profile
        if schema.mode == "native" and not profile.supports_json_schema_output:
            raise UserError(
                f"NativeOutput is not supported by {chosen.system}:{chosen.model_name}; use ToolOutput or PromptedOutput"
            )
        if not profile.supports_tools and schema.mode in ("tool", "tool_or_text"):
            raise UserError(
                f"{chosen.system}:{chosen.model_name} cannot call tools, so it cannot return output through an "
                "output tool; use NativeOutput or PromptedOutput"
            )
        if schema.allows_image and not profile.supports_image_output:
            raise UserError(
                f"Image output is not supported by {chosen.system}:{chosen.model_name}; use a model that "
                "answers with images (a Gemini image model, say) or leave BinaryImage out of the output type"
            )
        override_deps = self._override_deps.get()
        return Runner(
            self,
            model=chosen,
            deps=override_deps if override_deps is not _UNSET else deps,
            output_schema=schema,
            settings=merge_model_settings(self.model_settings, model_settings),
            usage=usage if usage is not None else RunUsage(),
            limits=usage_limits or self.usage_limits or UsageLimits(),
            history=message_history,
            prompt=user_prompt,
            toolset=self._run_toolset(toolsets),
            deferred_tool_results=deferred_tool_results,
            tracing=tracing,
        )

    def _run_toolset(self, extra: Sequence[AbstractToolset[Any]] | None) -> AbstractToolset[Any]:
        """This run's tools: the agent's toolsets, then the run's (ignored inside `override(toolsets=)`)."""
        override = self._override_toolsets.get()
        members = [
            self._function_toolset,
            *(override if override is not None else self._user_toolsets),
            *(extra if extra and override is None else ()),
        ]
        if len(members) == 1:  # the common case, an agent with only its own tools, combines nothing
            return members[0].for_run()
        from .toolsets.combined import CombinedToolset  # not imported by agents with only their own tools

        return CombinedToolset([toolset.for_run() for toolset in members])

    def _run_scope(self, runner: Runner) -> Any:
        return run_scope(self._concurrency_limiter, f"agent:{self.name or 'agent'}", runner)

    def _tracing(self) -> RunTracing | None:
        """This agent's run tracing, or None when it is not instrumented (nothing imported then)."""
        instrument = self.instrument if self.instrument is not None else Agent._instrument_default
        if not instrument:
            return None
        from ._instrumentation import RunTracing
        from .models.instrumented import InstrumentationSettings

        if not isinstance(instrument, InstrumentationSettings):
            if self._default_instrumentation is None:
                self._default_instrumentation = InstrumentationSettings()
            instrument = self._default_instrumentation
        return RunTracing(instrument, self.name or "agent")

    def _resolve_model(self, model: Model | str | None) -> Model:
        override = self._override_model.get()
        if override is not None:
            return override
        if model is not None:
            return infer_model(model)
        if self.model is None:
            raise UserError("`model` must be set either when creating the agent or when calling it")
        if not isinstance(self.model, Model):
            self.model = infer_model(self.model)
        return self.model

    def _output_schema(self, output_type: Any, model: Model) -> OutputSchema:
        mode = model.profile.default_structured_output_mode
        key = (id(output_type), mode)
        cached = self._output_schemas.get(key)
        # The entry holds the output type itself: its id cannot be reused by another object (a new
        # `[str, DeferredToolRequests]` list per call) while the entry exists.
        if cached is not None and cached[0] is output_type:
            return cached[1]
        schema = build_output_schema(
            output_type,
            default_mode=mode,
            tool_name=self._output_tool_name,
            tool_description=self._output_tool_description,
        )
        self._output_schemas[key] = (output_type, schema)
        return schema

    # ------------------------------------------------------------------------------------- testing

    @contextmanager
    def override(
        self,
        *,
        deps: Any = _UNSET,
        model: Model | str | None = _UNSET,
        toolsets: Sequence[AbstractToolset[AgentDepsT] | ToolsetFunc] | None = None,
    ) -> Iterator[None]:
        """Swap the model, deps and/or toolsets inside the block (for tests), whatever the run passes.

        `toolsets` replace the agent's toolsets and any a run passes; the agent's own tools stay.
        """
        model_token = (
            self._override_model.set(infer_model(model))
            if model is not _UNSET and model is not None
            else None
        )
        deps_token = self._override_deps.set(deps) if deps is not _UNSET else None
        toolsets_token = (
            self._override_toolsets.set([_as_toolset(t) for t in toolsets]) if toolsets is not None else None
        )
        try:
            yield
        finally:
            if model_token is not None:
                self._override_model.reset(model_token)
            if deps_token is not None:
                self._override_deps.reset(deps_token)
            if toolsets_token is not None:
                self._override_toolsets.reset(toolsets_token)


def _as_toolset(toolset: AbstractToolset[Any] | ToolsetFunc) -> AbstractToolset[Any]:
    if isinstance(toolset, AbstractToolset):
        return toolset
    from .toolsets._dynamic import DynamicToolset

    return DynamicToolset(toolset)


def _processor_takes_ctx(processor: Callable[..., Any]) -> bool:
    """A `RunContext` first parameter, by annotation, or by taking two arguments when unannotated."""
    if takes_run_context(processor):
        return True
    try:
        params = inspect.signature(processor).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) == 2 and positional[0].annotation is inspect.Parameter.empty


@contextmanager
def capture_run_messages() -> Iterator[list[ModelMessage]]:
    """The messages of the run started inside the block, available even if the run raised."""
    messages: list[ModelMessage] = []
    token = captured_messages.set(messages)
    try:
        yield messages
    finally:
        captured_messages.reset(token)
