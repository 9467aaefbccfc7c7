"""`FunctionToolset`: Python functions as tools, each with a schema built once from its signature.

The agent's own `@agent.tool` functions live in one of these, so every tool goes through one path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from typing_extensions import Unpack

from .._params import ToolDefinition
from ..exceptions import UserError
from ..tools import RunContext, Tool, ToolOptions
from .abstract import AbstractToolset, AgentDepsT, ToolsetTool

__all__ = ["FunctionToolset", "ToolDecorators"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(kw_only=True)
class FunctionToolsetTool(ToolsetTool[AgentDepsT]):
    tool: Tool[AgentDepsT]


class ToolDecorators:
    """`@x.tool` and `@x.tool_plain`, bare or with options: written once for `FunctionToolset` and for
    `Agent`, whose decorators register into its own function toolset (`_function_tools` says where)."""

    def _function_tools(self) -> FunctionToolset[Any]:
        raise NotImplementedError

    @overload
    def tool(self, func: F, /) -> F: ...

    @overload
    def tool(
        self,
        /,
        **options: Unpack[ToolOptions],
    ) -> Callable[[F], F]: ...

    def tool(self, func: Any = None, /, **options: Any) -> Any:
        """Register a tool whose first parameter is the `RunContext`."""
        return self._decorator(func, True, options)

    @overload
    def tool_plain(self, func: F, /) -> F: ...

    @overload
    def tool_plain(
        self,
        /,
        **options: Unpack[ToolOptions],
    ) -> Callable[[F], F]: ...

    def tool_plain(self, func: Any = None, /, **options: Any) -> Any:
        """Register a tool that does not take a `RunContext`."""
        return self._decorator(func, False, options)

    def _decorator(self, func: Any, takes_ctx: bool, options: dict[str, Any]) -> Any:
        def register(fn: F) -> F:
            self._function_tools().add_function(fn, takes_ctx=takes_ctx, **options)
            return fn

        return register(func) if func is not None else register


class FunctionToolset(ToolDecorators, AbstractToolset[AgentDepsT]):
    """Tools from functions: `tools=[...]`, `@toolset.tool` / `@toolset.tool_plain`, `add_function`, `add_tool`.

    `max_retries` is the budget of tools that do not set their own. Tools may be added while a run is
    going on; they are offered from the next step.
    """

    def __init__(
        self,
        tools: Sequence[Tool[AgentDepsT] | Callable[..., Any]] = (),
        *,
        max_retries: int = 1,
        id: str | None = None,
    ):
        self.max_retries = max_retries
        self._id = id
        self.tools: dict[str, Tool[AgentDepsT]] = {}
        # Tools without a prepare function are listed as the same record every step: no per-step work.
        self._listed: dict[str, FunctionToolsetTool[AgentDepsT]] = {}
        for tool in tools:
            if isinstance(tool, Tool):
                self.add_tool(tool)
            else:
                self.add_function(tool)

    @property
    def id(self) -> str | None:
        return self._id

    def _function_tools(self) -> FunctionToolset[AgentDepsT]:
        return self

    def __repr__(self) -> str:
        return f"FunctionToolset(tools={list(self.tools)!r})"

    # ------------------------------------------------------------------------------------- registering

    def add_function(
        self,
        func: Callable[..., Any],
        takes_ctx: bool | None = None,
        *,
        retries: int | None = None,
        **options: Any,
    ) -> None:
        """Register `func` as a tool (`takes_ctx` is inferred from a `RunContext` first parameter when None)."""
        self.add_tool(Tool(func, takes_ctx=takes_ctx, max_retries=retries, **options))

    def add_tool(self, tool: Tool[AgentDepsT]) -> None:
        if tool.name in self.tools:
            raise UserError(f"Tool name conflicts with an existing tool: {tool.name!r}")
        self.tools[tool.name] = tool
        self._listed[tool.name] = self._record(tool, tool.tool_def)

    def _record(self, tool: Tool[AgentDepsT], tool_def: ToolDefinition) -> FunctionToolsetTool[AgentDepsT]:
        return FunctionToolsetTool(
            toolset=self,
            tool_def=tool_def,
            max_retries=tool.max_retries if tool.max_retries is not None else self.max_retries,
            args_validator=tool.schema,
            tool=tool,
        )

    # ------------------------------------------------------------------------------------- running

    async def get_tools(self, ctx: RunContext[AgentDepsT]) -> dict[str, ToolsetTool[AgentDepsT]]:
        tools: dict[str, ToolsetTool[AgentDepsT]] = {}
        for name, tool in self.tools.items():
            if tool.prepare is None:
                record = self._listed[name]
            else:
                tool_def = await tool.prepare_tool_def(
                    ctx.replace_with(tool_name=name, retry=ctx.retries.get(name, 0))
                )
                if tool_def is None:
                    continue
                record = self._listed[name] if tool_def is tool.tool_def else self._record(tool, tool_def)
            if record.tool_def.name in tools:
                raise UserError(
                    f"{self.label} defines a tool whose name conflicts with existing tool from the same toolset: "
                    f"{record.tool_def.name!r}. {self.tool_name_conflict_hint}"
                )
            tools[record.tool_def.name] = record
        return tools

    async def call_tool(
        self, name: str, tool_args: dict[str, Any], ctx: RunContext[AgentDepsT], tool: ToolsetTool[AgentDepsT]
    ) -> Any:
        assert isinstance(tool, FunctionToolsetTool)
        return await tool.tool.schema.call_kwargs(tool_args, ctx)
