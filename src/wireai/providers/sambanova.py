"""SambaNova Cloud: OpenAI chat at `https://api.sambanova.ai/v1` (or `SAMBANOVA_BASE_URL`)."""

from __future__ import annotations

from typing import ClassVar

from .compatible import OpenAICompatibleProvider

__all__ = ["SambaNovaProvider"]


class SambaNovaProvider(OpenAICompatibleProvider):
    name = "sambanova"
    default_base_url: ClassVar[str] = "https://api.sambanova.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("SAMBANOVA_API_KEY",)
    base_url_env: ClassVar[tuple[str, ...]] = ("SAMBANOVA_BASE_URL",)
