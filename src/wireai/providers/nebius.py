"""Nebius AI Studio: OpenAI chat at `https://api.studio.nebius.com/v1`, models named `org/Model`."""

from __future__ import annotations

from typing import ClassVar

from .compatible import OpenAICompatibleProvider

__all__ = ["NebiusProvider"]


class NebiusProvider(OpenAICompatibleProvider):
    name = "nebius"
    default_base_url: ClassVar[str] = "https://api.studio.nebius.com/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("NEBIUS_API_KEY",)
