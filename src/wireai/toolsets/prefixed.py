"""`PrefixedToolset`: the wrapped tools named `{prefix}_{name}`, so toolsets with the same names can mix."""

from __future__ import annotations

from dataclasses import dataclass

from ._mapped import RenamingToolset
from .abstract import AgentDepsT

__all__ = ["PrefixedToolset"]


@dataclass
class PrefixedToolset(RenamingToolset[AgentDepsT]):
    prefix: str

    @property
    def tool_name_conflict_hint(self) -> str:
        return "Change the `prefix` of the `PrefixedToolset` to avoid name conflicts."

    def new_name(self, original: str) -> str:
        return f"{self.prefix}_{original}"

    def original_name(self, name: str) -> str:
        return name.removeprefix(f"{self.prefix}_")
