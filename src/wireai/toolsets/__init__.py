"""Toolsets: collections of tools an agent can use, composable (filter, prefix, rename, prepare, approve).

PydanticAI's module layout and names, so `from pydantic_ai.toolsets import X` becomes
`from wireai.toolsets import X`. Names are imported on first use: the agent needs only a few of
these modules, and `import wireai` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "AbstractToolset": ".abstract",
    "AgentToolset": "._dynamic",
    "ToolsetTool": ".abstract",
    "ApprovalRequiredToolset": ".approval_required",
    "CombinedToolset": ".combined",
    "ExternalToolset": ".external",
    "FilteredToolset": ".filtered",
    "FunctionToolset": ".function",
    "PrefixedToolset": ".prefixed",
    "PreparedToolset": ".prepared",
    "RenamedToolset": ".renamed",
    "ToolsetFunc": "._dynamic",
    "WrapperToolset": ".wrapper",
}

__all__ = [*_EXPORTS]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from ._dynamic import AgentToolset, ToolsetFunc
    from .abstract import AbstractToolset, ToolsetTool
    from .approval_required import ApprovalRequiredToolset
    from .combined import CombinedToolset
    from .external import ExternalToolset
    from .filtered import FilteredToolset
    from .function import FunctionToolset
    from .prefixed import PrefixedToolset
    from .prepared import PreparedToolset
    from .renamed import RenamedToolset
    from .wrapper import WrapperToolset
