"""DeepSeek: OpenAI chat at `https://api.deepseek.com` (no `/v1`), reasoning in `reasoning_content`."""

from __future__ import annotations

from typing import ClassVar

from ..profiles import ModelProfile
from .openai import OpenAIProvider

__all__ = ["DeepSeekProvider"]


class DeepSeekProvider(OpenAIProvider):
    name = "deepseek"
    default_base_url: ClassVar[str] = "https://api.deepseek.com"
    api_key_env: ClassVar[tuple[str, ...]] = ("DEEPSEEK_API_KEY",)
    base_url_env: ClassVar[tuple[str, ...]] = ()

    def model_profile(self, model_name: str) -> ModelProfile | None:
        # JSON mode yes, json_schema no; `strict` only on the beta endpoint, so it is not sent.
        return ModelProfile(
            supports_json_object_output=True,
            extra={
                "openai_chat": {
                    "supports_strict": False,
                    "reasoning_fields": ("reasoning_content",),
                    # In thinking mode DeepSeek wants its reasoning back on every assistant turn
                    # after a tool call (400 otherwise); on other turns it ignores it.
                    "send_reasoning_field": "reasoning_content",
                    "reasoning_provider": "deepseek",
                    # `thinking: {type: enabled|disabled}` switches it, `reasoning_effort` sets how hard.
                    "thinking": "deepseek",
                    "service_tiers": {},
                }
            },
        )
