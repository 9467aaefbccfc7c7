"""OpenRouter: OpenAI chat at `https://openrouter.ai/api/v1`, app attribution headers, `reasoning` field.

Request-side `reasoning`, `provider` and `models` come from the `openrouter_*` settings
(`OpenRouterModelSettings`); reasoning text comes back in `reasoning`. Errors after the model has
started arrive as an `error` object in a 200 body or stream chunk (`finish_reason: error`).
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import httpx

from ..profiles import ModelProfile
from ..transport.pacing import Pacing
from .families import compatible_profile
from .openai import OpenAIProvider

__all__ = ["OpenRouterProvider"]


class OpenRouterProvider(OpenAIProvider):
    name = "openrouter"
    default_base_url: ClassVar[str] = "https://openrouter.ai/api/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("OPENROUTER_API_KEY",)
    base_url_env: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        api_key: str | None = None,
        *,
        app_url: str | None = None,
        app_title: str | None = None,
        base_url: str | None = None,
        openai_client: Any = None,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int | None = None,
        pacing: bool | Pacing = False,
    ):
        if max_retries is not None:
            self.max_retries = max_retries
        super().__init__(
            base_url=base_url,
            api_key=api_key,
            openai_client=openai_client,
            http_client=http_client,
            pacing=pacing,
        )
        # Optional attribution: shown on openrouter.ai rankings.
        app_url = app_url or os.environ.get("OPENROUTER_APP_URL")
        app_title = app_title or os.environ.get("OPENROUTER_APP_TITLE")
        if app_url:
            self._default_headers["http-referer"] = app_url
        if app_title:
            self._default_headers["x-title"] = app_title

    def model_profile(self, model_name: str) -> ModelProfile | None:
        # Any family's model (`deepseek/deepseek-r1`, `qwen/qwen3-32b`); OpenRouter itself adds
        # response_format for all, its `reasoning` field and its routing settings.
        return compatible_profile(
            model_name,
            changes={"supports_json_schema_output": True, "supports_json_object_output": True},
            chat={
                "reasoning_fields": ("reasoning",),
                # Web search for every model, as OpenRouter's own server tool; `thinking` as
                # `reasoning: {effort}`; OpenRouter has no service tiers of its own.
                "native_tools": ("openrouter:web_search",),
                "thinking": "openrouter",
                "service_tiers": {},
                "setting_fields": {
                    "openrouter_reasoning": "reasoning",
                    "openrouter_provider": "provider",
                    "openrouter_models": "models",
                },
            },
        )
