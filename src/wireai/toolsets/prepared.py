"""`PreparedToolset`: the wrapped tool definitions rewritten or dropped by a function at every step."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..exceptions import UserError
from ..tools import RunContext, ToolsPrepareFunc
from .abstract import AgentDepsT, ToolsetTool
from .wrapper import WrapperToolset

__all__ = ["PreparedToolset"]


@dataclass
class PreparedToolset(WrapperToolset[AgentDepsT]):
    """`prepare_func(ctx, tool_defs)` returns the definitions to offer (None: none); it cannot add or rename."""

    prepare_func: ToolsPrepareFunc

    async def get_tools(self, ctx: RunContext[AgentDepsT]) -> dict[str, ToolsetTool[AgentDepsT]]:
        tools = await self.wrapped.get_tools(ctx)
        prepared = await self.prepare_func(ctx, [tool.tool_def for tool in tools.values()]) or []
        unknown = [tool_def.name for tool_def in prepared if tool_def.name not in tools]
        if unknown:
            raise UserError(
                f"The prepare function of {self.label} returned tools it was not given ({', '.join(unknown)}): "
                "it cannot add or rename tools. Use `FunctionToolset.add_function()` or `RenamedToolset` instead."
            )
        return {
            tool_def.name: tools[tool_def.name]
            if tool_def is tools[tool_def.name].tool_def
            else replace(tools[tool_def.name], tool_def=tool_def)
            for tool_def in prepared
        }
