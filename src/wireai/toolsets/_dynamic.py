"""A toolset built by a function of the run context (`Agent(toolsets=[func])`, `@agent.toolset`)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Union

from ..tools import RunContext
from .abstract import AbstractToolset, AgentDepsT, ToolsetTool

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["AgentToolset", "DynamicToolset", "ToolsetFunc"]

ToolsetFunc = Callable[
    [RunContext[Any]],
    Union[AbstractToolset[Any], None, Awaitable[Union[AbstractToolset[Any], None]]],
]
"""A sync or async function of the `RunContext` returning the toolset to use (or None for no tools)."""

AgentToolset = Union[AbstractToolset[Any], ToolsetFunc]
"""What `Agent(toolsets=[...])` takes: a toolset, or a function building one per run."""


class DynamicToolset(AbstractToolset[AgentDepsT]):
    """Calls `toolset_func` at the first step of a run (and again each step when `per_run_step`).

    The agent holds one of these as a template and gives each run its own copy (`for_run`), so
    concurrent runs never share the toolset a function built; each built toolset is entered for as
    long as it is in use and exited when replaced or when the run ends.
    """

    def __init__(self, toolset_func: ToolsetFunc, per_run_step: bool = True):
        self.toolset_func = toolset_func
        self.per_run_step = per_run_step
        self._toolset: AbstractToolset[AgentDepsT] | None = None
        self._built = False
        self._run_step = -1

    @property
    def label(self) -> str:
        return f"{type(self).__name__}({getattr(self.toolset_func, '__name__', self.toolset_func)!r})"

    def for_run(self) -> AbstractToolset[AgentDepsT]:
        return DynamicToolset(self.toolset_func, self.per_run_step)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *args: Any) -> bool | None:
        toolset, self._toolset, self._built = self._toolset, None, False
        if toolset is not None:
            return await toolset.__aexit__(*args)
        return None

    async def get_tools(self, ctx: RunContext[AgentDepsT]) -> dict[str, ToolsetTool[AgentDepsT]]:
        if not self._built or (self.per_run_step and ctx.run_step != self._run_step):
            if self._toolset is not None:
                old, self._toolset = self._toolset, None
                await old.__aexit__(None, None, None)
            built = self.toolset_func(ctx)
            if inspect.isawaitable(built):
                built = await built
            if built is not None:
                await built.__aenter__()
            self._toolset, self._built, self._run_step = built, True, ctx.run_step
        if self._toolset is None:
            return {}
        return await self._toolset.get_tools(ctx)

    async def call_tool(
        self, name: str, tool_args: dict[str, Any], ctx: RunContext[AgentDepsT], tool: ToolsetTool[AgentDepsT]
    ) -> Any:
        assert self._toolset is not None, "call_tool before get_tools"
        return await self._toolset.call_tool(name, tool_args, ctx, tool)
