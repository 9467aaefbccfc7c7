"""The shape `PrefixedToolset` and `RenamedToolset` share: the model sees new names, the wrapped toolset its own."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import replace
from typing import Any

from ..exceptions import UserError
from ..tools import RunContext
from .abstract import AgentDepsT, ToolsetTool
from .wrapper import WrapperToolset

__all__ = ["RenamingToolset"]


class RenamingToolset(WrapperToolset[AgentDepsT]):
    @abstractmethod
    def new_name(self, original: str) -> str:
        """The name the model sees for the wrapped tool `original`."""

    @abstractmethod
    def original_name(self, name: str) -> str:
        """The wrapped tool's own name for `name`."""

    async def get_tools(self, ctx: RunContext[AgentDepsT]) -> dict[str, ToolsetTool[AgentDepsT]]:
        tools: dict[str, ToolsetTool[AgentDepsT]] = {}
        for original, tool in (await self.wrapped.get_tools(ctx)).items():
            name = self.new_name(original)
            if name in tools:
                raise UserError(
                    f"{self.label} gives two tools the name {name!r}. {self.tool_name_conflict_hint}"
                )
            tools[name] = (
                tool if name == original else replace(tool, tool_def=replace(tool.tool_def, name=name))
            )
        return tools

    async def call_tool(
        self, name: str, tool_args: dict[str, Any], ctx: RunContext[AgentDepsT], tool: ToolsetTool[AgentDepsT]
    ) -> Any:
        original = self.original_name(name)
        if original != name:
            tool = replace(tool, tool_def=replace(tool.tool_def, name=original))
            ctx = ctx.replace_with(tool_name=original)
        return await self.wrapped.call_tool(original, tool_args, ctx, tool)
