"""Cerebras: OpenAI chat at `https://api.cerebras.ai/v1` (Llama, Qwen, gpt-oss, GLM as `zai-glm-*`)."""

from __future__ import annotations

from typing import ClassVar

from .compatible import OpenAICompatibleProvider

__all__ = ["CerebrasProvider"]


class CerebrasProvider(OpenAICompatibleProvider):
    name = "cerebras"
    default_base_url: ClassVar[str] = "https://api.cerebras.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("CEREBRAS_API_KEY",)
