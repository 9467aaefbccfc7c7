"""Gemini models on the Generative Language API (`google-gla`) or Vertex AI (`google-vertex`)."""

from __future__ import annotations

from typing import Any, Literal, Union

import httpx

from ..codecs import gemini
from ..exceptions import UserError
from ..profiles import ModelProfile
from ..providers import Provider
from ..settings import ModelSettings
from ._http import HTTPModel, resolve_provider

__all__ = ["GeminiModel", "GeminiModelName", "GeminiModelSettings", "GoogleModel", "GoogleModelSettings"]

LatestGeminiModelNames = Literal[
    "gemini-1.5-flash",
    "gemini-1.5-flash-8b",
    "gemini-1.5-pro",
    "gemini-1.0-pro",
    "gemini-2.0-flash",
    "gemini-2.0-flash-lite",
    "gemini-2.0-pro-exp-02-05",
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
    "gemini-2.5-pro",
    "gemini-3-pro-preview",
]
GeminiModelName = Union[str, LatestGeminiModelNames]


class GeminiModelSettings(ModelSettings, total=False):
    """Gemini-only settings (`google_*` spellings of the same keys are accepted too)."""

    gemini_safety_settings: list[dict[str, str]]
    """`[{'category': 'HARM_CATEGORY_HARASSMENT', 'threshold': 'BLOCK_ONLY_HIGH'}]` -> `safetySettings`."""
    gemini_thinking_config: dict[str, Any]
    """`{'thinking_budget': 1024, 'include_thoughts': True}` (either case) -> `generationConfig.thinkingConfig`."""
    gemini_labels: dict[str, str]
    """Vertex AI billing labels -> `labels`."""
    google_safety_settings: list[dict[str, str]]
    google_thinking_config: dict[str, Any]
    google_labels: dict[str, str]
    google_cached_content: str
    """A cache made with the caching API (`cachedContents/...`) -> `cachedContent`; its tokens come
    back as `usage.cache_read_tokens`."""
    google_service_tier: Literal["standard", "flex", "priority"]
    """Wins over the portable `service_tier`: `serviceTier` on the Gemini API, the
    `x-vertex-ai-llm-shared-request-type` header on Vertex AI."""
    google_stream_function_call_arguments: bool
    """Vertex AI: stream each function call's arguments piece by piece
    (`functionCallingConfig.streamFunctionCallArguments`); they arrive as tool-call argument deltas."""


GoogleModelSettings = GeminiModelSettings


class GeminiModel(HTTPModel):
    """`GeminiModel('gemini-2.0-flash', provider='google-gla' | 'google-vertex' | Provider)`.

    Both hosts speak `wireai.codecs.gemini`; where their bodies differ (Vertex takes `labels` and no
    function-call ids) the provider's profile says so (`extra['gemini_vertex']`).
    """

    codec = gemini

    def __init__(
        self,
        model_name: GeminiModelName,
        *,
        provider: Literal["google-gla", "google-vertex"] | str | Provider = "google-gla",
        api_key: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        base_url: str | None = None,
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
    ):
        if isinstance(provider, str):
            if api_key is not None and provider not in ("google-gla", "google", "gemini"):
                raise UserError(
                    "`api_key=` is for the google-gla provider; Vertex AI uses Google credentials"
                )
            provider = "google-gla" if provider == "gemini" else provider
        provider = resolve_provider(provider, api_key=api_key, base_url=base_url, http_client=http_client)
        super().__init__(
            model_name, provider, settings=settings, profile=_with_host(profile, provider, model_name)
        )


def _with_host(profile: ModelProfile | None, provider: Provider, model_name: str) -> ModelProfile | None:
    """A profile the user gave describes the model; which body flavour the host takes is the
    provider's, so its `gemini_vertex` mark is kept (ids sent to Vertex would be a 400)."""
    if profile is None or "gemini_vertex" in profile.extra:
        return profile
    host = provider.model_profile(model_name)
    if host is None or "gemini_vertex" not in host.extra:
        return profile
    return profile.update(extra={**profile.extra, "gemini_vertex": host.extra["gemini_vertex"]})


GoogleModel = GeminiModel
