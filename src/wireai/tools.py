"""Tool definitions sent to models, the `RunContext` handed to tools, and the `Tool` wrapper."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, Union

from typing_extensions import TypedDict

from ._params import ToolDefinition
from .messages import ToolCallPart
from .usage import RunUsage

if TYPE_CHECKING:
    from .messages import ModelMessage
    from .models import Model

__all__ = [
    "DeferredToolRequests",
    "DeferredToolResults",
    "DocstringFormat",
    "RunContext",
    "Tool",
    "ToolApproved",
    "ToolDefinition",
    "ToolDenied",
    "ToolOptions",
    "ToolPrepareFunc",
    "ToolsPrepareFunc",
]

AgentDepsT = TypeVar("AgentDepsT")
DocstringFormat = Literal["google", "numpy", "sphinx", "auto"]


@dataclass
class RunContext(Generic[AgentDepsT]):
    """What a tool, prompt function or validator knows about the run it is part of."""

    deps: AgentDepsT
    model: Model
    usage: RunUsage = field(default_factory=RunUsage)
    prompt: Any = None
    messages: list[ModelMessage] = field(default_factory=list)
    retry: int = 0
    tool_name: str | None = None
    tool_call_id: str | None = None
    run_step: int = 0
    retries: dict[str, int] = field(default_factory=dict)
    max_retries: int = 0
    tool_call_approved: bool = False
    tool_call_metadata: Any = None

    @property
    def last_attempt(self) -> bool:
        """Whether a failure now ends the run instead of asking the model to try again."""
        return self.retry == self.max_retries

    def replace_with(self, **kwargs: Any) -> RunContext[AgentDepsT]:
        # A shallow copy with some fields changed; dataclasses.replace re-runs __init__ and costs
        # several microseconds on every tool call and output validation.
        new = object.__new__(RunContext)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(kwargs)
        return new


ToolPrepareFunc = Callable[[RunContext[Any], ToolDefinition], Awaitable[Union[ToolDefinition, None]]]
ToolsPrepareFunc = Callable[
    [RunContext[Any], list[ToolDefinition]], Awaitable[Union[list[ToolDefinition], None]]
]


class ToolOptions(TypedDict, total=False):
    """What `@agent.tool(...)`, `@toolset.tool_plain(...)` and `add_function(...)` take besides the function."""

    name: str | None
    description: str | None
    retries: int | None
    prepare: ToolPrepareFunc | None
    docstring_format: DocstringFormat
    require_parameter_descriptions: bool
    strict: bool | None
    requires_approval: bool
    metadata: dict[str, Any] | None


class Tool(Generic[AgentDepsT]):
    """A function the model may call, with its schema built once from the signature and docstring."""

    def __init__(
        self,
        function: Callable[..., Any],
        *,
        takes_ctx: bool | None = None,
        max_retries: int | None = None,
        name: str | None = None,
        description: str | None = None,
        prepare: ToolPrepareFunc | None = None,
        docstring_format: DocstringFormat = "auto",
        require_parameter_descriptions: bool = False,
        strict: bool | None = None,
        requires_approval: bool = False,
        metadata: dict[str, Any] | None = None,
    ):
        from ._function_schema import function_schema, takes_run_context

        if takes_ctx is None:
            takes_ctx = takes_run_context(function)
        self.function = function
        self.takes_ctx = takes_ctx
        self.max_retries = max_retries
        self.name = name or function.__name__
        self.prepare = prepare
        self.strict = strict
        self.requires_approval = requires_approval
        self.metadata = metadata
        self.docstring_format = docstring_format
        self.schema = function_schema(
            function,
            takes_ctx=takes_ctx,
            docstring_format=docstring_format,
            require_parameter_descriptions=require_parameter_descriptions,
        )
        self.description = description if description is not None else self.schema.description
        self.is_async = inspect.iscoroutinefunction(function)
        self.tool_def = ToolDefinition(
            name=self.name,
            description=self.description,
            parameters_json_schema=self.schema.json_schema,
            strict=strict,
            kind="unapproved" if requires_approval else "function",
            metadata=metadata,
        )

    async def prepare_tool_def(self, ctx: RunContext[Any]) -> ToolDefinition | None:
        if self.prepare is None:
            return self.tool_def
        return await self.prepare(ctx, self.tool_def)

    def __repr__(self) -> str:
        return f"Tool(name={self.name!r}, takes_ctx={self.takes_ctx})"


# ------------------------------------------------------------------------------------- deferred tools


@dataclass(kw_only=True)
class DeferredToolRequests:
    """The output of a run that stopped at tool calls it may not run itself.

    Put it in `output_type` (`[str, DeferredToolRequests]`). `calls` need a result from outside
    (`CallDeferred`, external tools), `approvals` a human decision (`requires_approval=True`,
    `ApprovalRequired`); `metadata` is what the tools attached, by `tool_call_id`. Store the run's
    messages, gather the answers, and finish with `run(message_history=..., deferred_tool_results=...)`.
    """

    calls: list[ToolCallPart] = field(default_factory=list)
    approvals: list[ToolCallPart] = field(default_factory=list)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(kw_only=True)
class ToolApproved:
    """Run the approved call, with `override_args` instead of the model's arguments when given."""

    override_args: dict[str, Any] | None = None
    kind: Literal["tool-approved"] = "tool-approved"


@dataclass
class ToolDenied:
    """Do not run the call; the model gets `message` as the tool's result."""

    message: str = "The tool call was denied."
    kind: Literal["tool-denied"] = field(default="tool-denied", kw_only=True)


@dataclass(kw_only=True)
class DeferredToolResults:
    """Answers to a `DeferredToolRequests`, by `tool_call_id`, for the run that continues it.

    `calls`: any value (the tool's result), a `ToolReturn`, a `ModelRetry` (the model is told to try
    again) or a `RetryPromptPart`. `approvals`: `True`/`ToolApproved` runs the tool now (with
    `ctx.tool_call_approved` set), `False`/`ToolDenied` sends the denial instead. `metadata` reaches
    the approved tool as `ctx.tool_call_metadata`.
    """

    calls: dict[str, Any] = field(default_factory=dict)
    approvals: dict[str, Union[bool, ToolApproved, ToolDenied]] = field(default_factory=dict)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
