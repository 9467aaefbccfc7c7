"""Tool definitions sent to models, the `RunContext` handed to tools, and the `Tool` wrapper."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, Union

from ._params import ToolDefinition
from .usage import RunUsage

if TYPE_CHECKING:
    from .messages import ModelMessage
    from .models import Model

__all__ = ["DocstringFormat", "RunContext", "Tool", "ToolDefinition", "ToolPrepareFunc"]

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

    def replace_with(self, **kwargs: Any) -> RunContext[AgentDepsT]:
        # A shallow copy with some fields changed; dataclasses.replace re-runs __init__ and costs
        # several microseconds on every tool call and output validation.
        new = object.__new__(RunContext)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(kwargs)
        return new


ToolPrepareFunc = Callable[[RunContext[Any], ToolDefinition], Awaitable[Union[ToolDefinition, None]]]


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
        )

    async def prepare_tool_def(self, ctx: RunContext[Any]) -> ToolDefinition | None:
        if self.prepare is None:
            return self.tool_def
        return await self.prepare(ctx, self.tool_def)

    def __repr__(self) -> str:
        return f"Tool(name={self.name!r}, takes_ctx={self.takes_ctx})"
