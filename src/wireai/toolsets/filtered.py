"""`FilteredToolset`: only the wrapped tools a function accepts, decided again at every step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .._params import ToolDefinition
from ..tools import RunContext
from .abstract import AgentDepsT, ToolsetTool
from .wrapper import WrapperToolset

__all__ = ["FilteredToolset"]


@dataclass
class FilteredToolset(WrapperToolset[AgentDepsT]):
    filter_func: Callable[[RunContext[AgentDepsT], ToolDefinition], bool]

    async def get_tools(self, ctx: RunContext[AgentDepsT]) -> dict[str, ToolsetTool[AgentDepsT]]:
        tools = await self.wrapped.get_tools(ctx)
        return {name: tool for name, tool in tools.items() if self.filter_func(ctx, tool.tool_def)}
