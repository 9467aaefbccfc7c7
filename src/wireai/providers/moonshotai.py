"""Moonshot AI (Kimi): OpenAI chat at `https://api.moonshot.ai/v1`, reasoning in `reasoning_content`."""

from __future__ import annotations

from typing import Any, ClassVar

from .compatible import OpenAICompatibleProvider

__all__ = ["MoonshotAIProvider"]


class MoonshotAIProvider(OpenAICompatibleProvider):
    name = "moonshotai"
    default_base_url: ClassVar[str] = "https://api.moonshot.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("MOONSHOTAI_API_KEY",)
    profile_changes: ClassVar[dict[str, Any]] = {"supports_json_object_output": True}
    chat_options: ClassVar[dict[str, Any]] = {"reasoning_fields": ("reasoning_content",)}
