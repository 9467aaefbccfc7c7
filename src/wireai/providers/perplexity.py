"""Perplexity Sonar: OpenAI chat at `https://api.perplexity.ai`, no tools, web citations kept."""

from __future__ import annotations

from typing import ClassVar

from ..profiles import ModelProfile
from .openai import OpenAIProvider

__all__ = ["PerplexityProvider"]


class PerplexityProvider(OpenAIProvider):
    name = "perplexity"
    default_base_url: ClassVar[str] = "https://api.perplexity.ai"
    api_key_env: ClassVar[tuple[str, ...]] = ("PERPLEXITY_API_KEY", "PPLX_API_KEY")
    base_url_env: ClassVar[tuple[str, ...]] = ()

    def model_profile(self, model_name: str) -> ModelProfile | None:
        # Sonar has no function calling; structured output goes through response_format json_schema.
        # It streams usage unasked and its reasoning models put `<think>` inline in content.
        return ModelProfile(
            supports_tools=False,
            supports_json_schema_output=True,
            default_structured_output_mode="native",
            extra={
                "openai_chat": {
                    "include_usage": False,
                    "supports_strict": False,
                    "think_tags": "reasoning" in model_name,
                    "detail_fields": ("citations", "search_results"),
                    "service_tiers": {},
                }
            },
        )
