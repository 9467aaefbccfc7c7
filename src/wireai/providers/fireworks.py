"""Fireworks AI: OpenAI chat at `https://api.fireworks.ai/inference/v1`, models `accounts/fireworks/models/...`."""

from __future__ import annotations

from typing import ClassVar

from .compatible import OpenAICompatibleProvider

__all__ = ["FireworksProvider"]


class FireworksProvider(OpenAICompatibleProvider):
    name = "fireworks"
    default_base_url: ClassVar[str] = "https://api.fireworks.ai/inference/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("FIREWORKS_API_KEY",)
