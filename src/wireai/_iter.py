"""`agent.iter()`: the run as a sequence of nodes, for callers who want to watch or log each step.

PydanticAI exposes its agent graph's nodes here; wireai's run is a plain loop, so the nodes are
plain records of the loop's steps with the same names and fields: a `UserPromptNode`, then for
each round trip a `ModelRequestNode` (the request about to be sent) and a `CallToolsNode` (the
response whose tools are about to run), and finally `End` with the `FinalResult`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, Union

from ._run import FinalResult, Runner
from .messages import ModelMessage, ModelRequest, ModelResponse, UserContent
from .result import AgentRunResult
from .usage import RunUsage

__all__ = ["AgentRun", "CallToolsNode", "End", "ModelRequestNode", "UserPromptNode"]

T = TypeVar("T")


@dataclass
class UserPromptNode:
    user_prompt: str | Sequence[UserContent] | None


@dataclass
class ModelRequestNode:
    request: ModelRequest


@dataclass
class CallToolsNode:
    model_response: ModelResponse


@dataclass
class End(Generic[T]):
    data: T


AgentNode = Union[UserPromptNode, ModelRequestNode, CallToolsNode, "End[FinalResult]"]


class AgentRun:
    """Iterate it for the run's nodes; `result` is set once the `End` node has been yielded."""

    def __init__(self, runner: Runner, user_prompt: str | Sequence[UserContent] | None):
        self._runner = runner
        self._user_prompt = user_prompt
        self.result: AgentRunResult[Any] | None = None

    async def __aiter__(self) -> AsyncIterator[AgentNode]:
        runner = self._runner
        yield UserPromptNode(self._user_prompt)
        final = await runner.start(self._user_prompt)
        while final is None:
            last = runner.messages[-1]
            assert isinstance(last, ModelRequest)
            yield ModelRequestNode(last)
            response = await runner.request()
            yield CallToolsNode(response)
            final = await runner.handle_response(response)
        self.result = AgentRunResult(
            final.output, runner.messages, runner.new_message_index, runner.usage, final.tool_name
        )
        yield End(final)

    @property
    def usage(self) -> RunUsage:
        """The run's usage so far; callable like the seed's method."""
        return self._runner.usage

    def all_messages(self) -> list[ModelMessage]:
        return list(self._runner.messages)

    def new_messages(self) -> list[ModelMessage]:
        return self.all_messages()[self._runner.new_message_index :]
