"""`RenamedToolset`: some wrapped tools under new names, given as `{new_name: original_name}`."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._mapped import RenamingToolset
from .abstract import AgentDepsT

__all__ = ["RenamedToolset"]


@dataclass
class RenamedToolset(RenamingToolset[AgentDepsT]):
    name_map: dict[str, str]
    _new_names: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._new_names = {original: new for new, original in self.name_map.items()}

    def new_name(self, original: str) -> str:
        return self._new_names.get(original, original)

    def original_name(self, name: str) -> str:
        return self.name_map.get(name, name)
