"""Z.AI (Zhipu GLM): OpenAI chat at `https://api.z.ai/api/paas/v4`, reasoning in `reasoning_content`."""

from __future__ import annotations

from typing import Any, ClassVar

from .compatible import OpenAICompatibleProvider

__all__ = ["ZaiProvider"]


class ZaiProvider(OpenAICompatibleProvider):
    name = "zai"
    default_base_url: ClassVar[str] = "https://api.z.ai/api/paas/v4"
    api_key_env: ClassVar[tuple[str, ...]] = ("ZAI_API_KEY",)
    profile_changes: ClassVar[dict[str, Any]] = {"supports_json_object_output": True}
    chat_options: ClassVar[dict[str, Any]] = {"reasoning_fields": ("reasoning_content",)}
