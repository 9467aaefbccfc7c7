"""What a wrapper model says about itself is what the model it wraps says: chat wrappers
(`WrapperModel`) and embedding wrappers (`WrapperEmbeddingModel`) share this, so a wrapper
only writes what it changes."""

from __future__ import annotations

from typing import Any

__all__ = ["Delegating"]


class Delegating:
    """Name, system, settings, base URL and any other attribute read from `wrapped`."""

    wrapped: Any

    @property
    def model_name(self) -> str:
        return self.wrapped.model_name

    @property
    def system(self) -> str:
        return self.wrapped.system

    @property
    def settings(self) -> Any:
        return self.wrapped.settings

    @property
    def base_url(self) -> str | None:
        return self.wrapped.base_url

    def __getattr__(self, item: str) -> Any:
        if item == "wrapped":  # not set yet (during __init__, or on an unpickled copy): no recursion
            raise AttributeError(item)
        return getattr(self.wrapped, item)
