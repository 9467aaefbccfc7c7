"""`WrapperToolset`: delegates everything to the toolset it wraps; subclass it to change one thing."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..tools import RunContext
from .abstract import AbstractToolset, AgentDepsT, ToolsetTool

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["WrapperToolset"]


@dataclass
class WrapperToolset(AbstractToolset[AgentDepsT]):
    """Override `call_tool` (logging, timing, sandboxing) or `get_tools` and call `super()` for the rest."""

    wrapped: AbstractToolset[AgentDepsT]

    @property
    def label(self) -> str:
        return f"{type(self).__name__}({self.wrapped.label})"

    async def __aenter__(self) -> Self:
        await self.wrapped.__aenter__()
        return self

    async def __aexit__(self, *args: Any) -> bool | None:
        return await self.wrapped.__aexit__(*args)

    def for_run(self) -> AbstractToolset[AgentDepsT]:
        inner = self.wrapped.for_run()
        if inner is self.wrapped:
            return self
        fresh = copy.copy(self)
        fresh.wrapped = inner
        return fresh

    async def get_tools(self, ctx: RunContext[AgentDepsT]) -> dict[str, ToolsetTool[AgentDepsT]]:
        return await self.wrapped.get_tools(ctx)

    async def call_tool(
        self, name: str, tool_args: dict[str, Any], ctx: RunContext[AgentDepsT], tool: ToolsetTool[AgentDepsT]
    ) -> Any:
        return await self.wrapped.call_tool(name, tool_args, ctx, tool)
