"""`ExternalToolset`: tools the model may call whose results come from outside the run (a frontend, a worker).

Every call ends the run with a `DeferredToolRequests` listing it in `calls`; the arguments are checked
only as JSON (the schema is the caller's), and the results come back as `DeferredToolResults.calls`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pydantic_core import SchemaValidator, core_schema

from .._params import ToolDefinition
from ..exceptions import CallDeferred
from ..tools import RunContext
from .abstract import AbstractToolset, AgentDepsT, ToolsetTool

__all__ = ["ExternalToolset"]

_ANY_ARGS = SchemaValidator(core_schema.dict_schema(core_schema.str_schema(), core_schema.any_schema()))


class ExternalToolset(AbstractToolset[AgentDepsT]):
    def __init__(self, tool_defs: Sequence[ToolDefinition], *, id: str | None = None):
        self.tool_defs = [replace(tool_def, kind="external") for tool_def in tool_defs]
        self._id = id

    @property
    def id(self) -> str | None:
        return self._id

    async def get_tools(self, ctx: RunContext[AgentDepsT]) -> dict[str, ToolsetTool[AgentDepsT]]:
        return {
            tool_def.name: ToolsetTool(
                toolset=self, tool_def=tool_def, max_retries=0, args_validator=_ANY_ARGS
            )
            for tool_def in self.tool_defs
        }

    async def call_tool(
        self, name: str, tool_args: dict[str, Any], ctx: RunContext[AgentDepsT], tool: ToolsetTool[AgentDepsT]
    ) -> Any:
        raise CallDeferred  # the agent defers `external` tools before calling; a direct call defers too
