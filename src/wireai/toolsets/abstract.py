"""`AbstractToolset`: a collection of tools an agent lists before each request and calls by name.

The agent never reaches into a toolset: each step it asks `get_tools(ctx)` for what the model may
call, and sends each call to `call_tool(name, validated_args, ctx, tool)` of the toolset that listed
it. Composition (`filtered()`, `prefixed()`, `renamed()`, `prepared()`, `approval_required()`) wraps a
toolset in another that changes one of those two answers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from .._params import ToolDefinition
from ..tools import RunContext, ToolsPrepareFunc

if TYPE_CHECKING:
    from typing_extensions import Self

    from .approval_required import ApprovalRequiredToolset
    from .filtered import FilteredToolset
    from .prefixed import PrefixedToolset
    from .prepared import PreparedToolset
    from .renamed import RenamedToolset

__all__ = ["AbstractToolset", "ArgsValidator", "ToolsetTool", "has_lifecycle"]

AgentDepsT = TypeVar("AgentDepsT")


class ArgsValidator(Protocol):
    """Validates a tool call's arguments into the keyword arguments `call_tool` receives.

    pydantic-core's `SchemaValidator` (a dict schema) satisfies it, and so does a function tool's schema.
    """

    def validate_json(self, args: str | bytes, /) -> Any: ...

    def validate_python(self, args: Any, /) -> Any: ...


@dataclass(kw_only=True)
class ToolsetTool(Generic[AgentDepsT]):
    """A tool as a toolset lists it: its definition, retry budget and argument validator."""

    toolset: AbstractToolset[AgentDepsT]
    tool_def: ToolDefinition
    max_retries: int
    args_validator: ArgsValidator


class AbstractToolset(ABC, Generic[AgentDepsT]):
    """Subclass and implement `get_tools` and `call_tool` (and `__aenter__`/`__aexit__` to hold resources)."""

    @property
    def id(self) -> str | None:
        """An ID unique among the toolsets of one agent, shown in error messages when set."""
        return None

    @property
    def label(self) -> str:
        """How error messages name this toolset."""
        label = type(self).__name__
        return f"{label} {self.id!r}" if self.id else label

    @property
    def tool_name_conflict_hint(self) -> str:
        return "Rename the tool or wrap the toolset in a `PrefixedToolset` to avoid name conflicts."

    async def __aenter__(self) -> Self:
        """Called when a run using this toolset starts: open connections here."""
        return self

    async def __aexit__(self, *args: Any) -> bool | None:
        """Called when that run ends, however it ends."""
        return None

    def for_run(self) -> AbstractToolset[AgentDepsT]:
        """The instance one run uses: return a fresh one to keep per-run state apart (the default shares `self`)."""
        return self

    @abstractmethod
    async def get_tools(self, ctx: RunContext[AgentDepsT]) -> dict[str, ToolsetTool[AgentDepsT]]:
        """The tools the model may call at this step, by name."""

    @abstractmethod
    async def call_tool(
        self, name: str, tool_args: dict[str, Any], ctx: RunContext[AgentDepsT], tool: ToolsetTool[AgentDepsT]
    ) -> Any:
        """Run tool `name` with arguments already checked by `tool.args_validator`; return its result."""

    # --------------------------------------------------------------------------------- composition

    def filtered(
        self, filter_func: Callable[[RunContext[AgentDepsT], ToolDefinition], bool]
    ) -> FilteredToolset[AgentDepsT]:
        """Only the tools for which `filter_func(ctx, tool_def)` is true, decided at every step."""
        from .filtered import FilteredToolset

        return FilteredToolset(self, filter_func)

    def prefixed(self, prefix: str) -> PrefixedToolset[AgentDepsT]:
        """The same tools named `{prefix}_{name}`."""
        from .prefixed import PrefixedToolset

        return PrefixedToolset(self, prefix)

    def prepared(self, prepare_func: ToolsPrepareFunc) -> PreparedToolset[AgentDepsT]:
        """Tool definitions rewritten (or dropped) by `prepare_func(ctx, tool_defs)` at every step."""
        from .prepared import PreparedToolset

        return PreparedToolset(self, prepare_func)

    def renamed(self, name_map: dict[str, str]) -> RenamedToolset[AgentDepsT]:
        """Tools renamed by `{new_name: original_name}`."""
        from .renamed import RenamedToolset

        return RenamedToolset(self, name_map)

    def approval_required(
        self,
        approval_required_func: Callable[[RunContext[AgentDepsT], ToolDefinition, dict[str, Any]], bool] = (
            lambda ctx, tool_def, tool_args: True
        ),
    ) -> ApprovalRequiredToolset[AgentDepsT]:
        """Calls for which `approval_required_func(ctx, tool_def, args)` is true wait for a human's approval."""
        from .approval_required import ApprovalRequiredToolset

        return ApprovalRequiredToolset(self, approval_required_func)


def has_lifecycle(toolset: AbstractToolset[Any]) -> bool:
    """Whether entering `toolset` does anything: runs skip `async with` for toolsets that hold nothing."""
    cls = type(toolset)
    return cls.__aenter__ is not AbstractToolset.__aenter__ or cls.__aexit__ is not AbstractToolset.__aexit__
