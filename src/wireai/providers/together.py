"""Together AI: OpenAI chat at `https://api.together.xyz/v1`, models named `org/Model` (`meta-llama/...`)."""

from __future__ import annotations

from typing import ClassVar

from .compatible import OpenAICompatibleProvider

__all__ = ["TogetherProvider"]


class TogetherProvider(OpenAICompatibleProvider):
    name = "together"
    default_base_url: ClassVar[str] = "https://api.together.xyz/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("TOGETHER_API_KEY",)
