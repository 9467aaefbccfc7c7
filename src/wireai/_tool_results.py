"""What a tool call turns into in the next request: a tool's return value, or a result given from outside.

Plain functions the run loop (`_run.py`) uses for function tools and for resuming deferred calls.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import replace
from typing import Any, Union

from .exceptions import ModelRetry, UserError, _ToolDeferral
from .messages import (
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    ToolCallPart,
    ToolReturn,
    ToolReturnPart,
    UserPromptPart,
)
from .tools import DeferredToolResults, ToolApproved, ToolDenied

__all__ = ["ToolOutcome", "deferred_result", "tool_return", "unprocessed_calls"]

# A call's outcome: its result part (and the user content it asked to send after the results), or
# the deferral (`CallDeferred` / `ApprovalRequired`) that keeps it for a later run.
ToolOutcome = Union[tuple[Union[ToolReturnPart, RetryPromptPart], Union[UserPromptPart, None]], _ToolDeferral]


def tool_return(call: ToolCallPart, result: Any) -> tuple[ToolReturnPart, UserPromptPart | None]:
    """A tool's return value as its `ToolReturnPart`; a `ToolReturn`'s `content` follows as a user part."""
    if isinstance(result, ToolReturn):
        part = ToolReturnPart(
            call.tool_name, result.return_value, call.tool_call_id, metadata=result.metadata
        )
        content = result.content
        if not content:
            return part, None
        return part, UserPromptPart(content if isinstance(content, str) else list(content))
    if isinstance(result, list) and any(isinstance(item, ToolReturn) for item in result):
        raise UserError(
            f"The return value of tool {call.tool_name!r} contains invalid nested `ToolReturn` objects. "
            "`ToolReturn` should be used directly."
        )
    return ToolReturnPart(call.tool_name, result, call.tool_call_id), None


def deferred_result(call: ToolCallPart, results: DeferredToolResults) -> ToolApproved | ToolOutcome:
    """The answer given for a deferred call: `ToolApproved` (run it now) or the part to send instead."""
    call_id = call.tool_call_id
    if call_id in results.calls:
        value = results.calls[call_id]
        if isinstance(value, ModelRetry):
            return RetryPromptPart(value.message, tool_name=call.tool_name, tool_call_id=call_id), None
        if isinstance(value, RetryPromptPart):
            return replace(value, tool_name=call.tool_name, tool_call_id=call_id), None
        return tool_return(call, value)
    decision = results.approvals[call_id]
    if decision is True:
        return ToolApproved()
    if isinstance(decision, ToolApproved):
        return decision
    denied = decision if isinstance(decision, ToolDenied) else ToolDenied()
    return ToolReturnPart(call.tool_name, denied.message, call_id), None


def unprocessed_calls(
    response: ModelResponse, request: ModelRequest | None, output_tools: Container[str]
) -> tuple[list[ToolCallPart], set[str]]:
    """The response's function tool calls `request` holds no result for, and the ids it does answer."""
    answered = (
        {p.tool_call_id for p in request.parts if isinstance(p, (ToolReturnPart, RetryPromptPart))}
        if request is not None
        else set()
    )
    pending = [
        call
        for call in response.tool_calls
        if call.tool_call_id not in answered and call.tool_name not in output_tools
    ]
    return pending, answered
