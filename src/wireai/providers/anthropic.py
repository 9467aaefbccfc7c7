"""Where Anthropic's Messages API lives and how we authenticate to it (`x-api-key`)."""

from __future__ import annotations

import os

import httpx

from ..profiles import ModelProfile
from ..transport.pacing import Pacing, resolve_pacing
from . import Provider, env_key

__all__ = ["AnthropicProvider", "claude_profile"]

DEFAULT_BASE_URL = "https://api.anthropic.com"


class AnthropicProvider(Provider):
    """api.anthropic.com, or a compatible host / gateway via `base_url=` or `ANTHROPIC_BASE_URL`."""

    name = "anthropic"

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        *,
        max_retries: int | None = None,
        pacing: bool | Pacing = False,
    ):
        self._api_key = env_key(api_key, "ANTHROPIC_API_KEY", provider="Anthropic")
        self.base_url = (base_url or os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self._http_client = http_client
        if max_retries is not None:
            self.max_retries = max_retries
        self.pacing = resolve_pacing(pacing)

    @property
    def headers(self) -> dict[str, str]:
        # Who we are only: `anthropic-version` says what protocol the body speaks, so the codec sends it.
        return {"x-api-key": self._api_key or ""}

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return claude_profile(model_name)


def claude_profile(model_name: str, variant: str | None = None) -> ModelProfile:
    """A Claude model's profile (what its family and version take), served through `variant`'s
    envelope of the Messages API (`codecs.anthropic.variants`: `bedrock`, `vertex`; None: the
    Anthropic API's own)."""
    from ..models.anthropic import anthropic_model_profile

    profile = anthropic_model_profile(model_name)
    return (
        profile if variant is None else profile.update(extra={**profile.extra, "anthropic_variant": variant})
    )
