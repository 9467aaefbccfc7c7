"""`ApprovalRequiredToolset`: calls a function picks out wait for a human's approval before they run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._params import ToolDefinition
from ..exceptions import ApprovalRequired
from ..tools import RunContext
from .abstract import AgentDepsT, ToolsetTool
from .wrapper import WrapperToolset

__all__ = ["ApprovalRequiredToolset"]


@dataclass
class ApprovalRequiredToolset(WrapperToolset[AgentDepsT]):
    """`approval_required_func(ctx, tool_def, validated_args)` true: the call goes to `DeferredToolRequests.approvals`."""

    approval_required_func: Callable[[RunContext[AgentDepsT], ToolDefinition, dict[str, Any]], bool] = (
        lambda ctx, tool_def, tool_args: True
    )

    async def call_tool(
        self, name: str, tool_args: dict[str, Any], ctx: RunContext[AgentDepsT], tool: ToolsetTool[AgentDepsT]
    ) -> Any:
        if not ctx.tool_call_approved and self.approval_required_func(ctx, tool.tool_def, tool_args):
            raise ApprovalRequired
        return await super().call_tool(name, tool_args, ctx, tool)
