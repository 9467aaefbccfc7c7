"""`CombinedToolset`: several toolsets used as one; each call goes back to the toolset that listed the tool."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..exceptions import UserError
from ..tools import RunContext
from .abstract import AbstractToolset, AgentDepsT, ToolsetTool, has_lifecycle

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["CombinedToolset"]


@dataclass(kw_only=True)
class _CombinedToolsetTool(ToolsetTool[AgentDepsT]):
    """A member's tool, remembering which member to call and with which of its own tool records."""

    source_toolset: AbstractToolset[AgentDepsT]
    source_tool: ToolsetTool[AgentDepsT]


@dataclass
class CombinedToolset(AbstractToolset[AgentDepsT]):
    toolsets: Sequence[AbstractToolset[AgentDepsT]]
    _exit_stack: AsyncExitStack | None = field(default=None, init=False, repr=False)
    _entered: int = field(default=0, init=False, repr=False)

    async def __aenter__(self) -> Self:
        # Entered once however many runs share this instance; members that hold nothing are skipped.
        if self._entered == 0:
            stack = AsyncExitStack()
            try:
                for toolset in self.toolsets:
                    if has_lifecycle(toolset):
                        await stack.enter_async_context(toolset)
            except BaseException:
                await stack.aclose()
                raise
            self._exit_stack = stack
        self._entered += 1
        return self

    async def __aexit__(self, *args: Any) -> bool | None:
        self._entered -= 1
        if self._entered == 0 and self._exit_stack is not None:
            stack, self._exit_stack = self._exit_stack, None
            await stack.aclose()
        return None

    def for_run(self) -> AbstractToolset[AgentDepsT]:
        members = [toolset.for_run() for toolset in self.toolsets]
        if all(new is old for new, old in zip(members, self.toolsets)):
            return self
        return CombinedToolset(members)

    async def get_tools(self, ctx: RunContext[AgentDepsT]) -> dict[str, ToolsetTool[AgentDepsT]]:
        if len(self.toolsets) == 1:
            listed = [await self.toolsets[0].get_tools(ctx)]
        else:
            import asyncio  # not at import: `import wireai` loads no asyncio

            listed = await asyncio.gather(*(toolset.get_tools(ctx) for toolset in self.toolsets))
        tools: dict[str, ToolsetTool[AgentDepsT]] = {}
        for toolset, member_tools in zip(self.toolsets, listed):
            for name, tool in member_tools.items():
                existing = tools.get(name)
                if existing is not None:
                    raise UserError(
                        f"{toolset.label} defines a tool whose name conflicts with existing tool from "
                        f"{existing.toolset.label}: {name!r}. {toolset.tool_name_conflict_hint}"
                    )
                tools[name] = _CombinedToolsetTool(
                    toolset=tool.toolset,
                    tool_def=tool.tool_def,
                    max_retries=tool.max_retries,
                    args_validator=tool.args_validator,
                    source_toolset=toolset,
                    source_tool=tool,
                )
        return tools

    async def call_tool(
        self, name: str, tool_args: dict[str, Any], ctx: RunContext[AgentDepsT], tool: ToolsetTool[AgentDepsT]
    ) -> Any:
        assert isinstance(tool, _CombinedToolsetTool)
        return await tool.source_toolset.call_tool(name, tool_args, ctx, tool.source_tool)
