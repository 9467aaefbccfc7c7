"""xAI Grok: OpenAI chat at `https://api.x.ai/v1`, reasoning (grok-3-mini) in `reasoning_content`."""

from __future__ import annotations

from typing import ClassVar

from ..profiles import ModelProfile
from .openai import OpenAIProvider

__all__ = ["GrokProvider"]


class GrokProvider(OpenAIProvider):
    name = "grok"
    default_base_url: ClassVar[str] = "https://api.x.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("XAI_API_KEY", "GROK_API_KEY")
    base_url_env: ClassVar[tuple[str, ...]] = ()

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return ModelProfile(
            supports_json_schema_output=True,
            supports_json_object_output=True,
            extra={"openai_chat": {"reasoning_fields": ("reasoning_content",)}},
        )
