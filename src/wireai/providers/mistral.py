"""Mistral's API: `https://api.mistral.ai`, a bearer key from `MISTRAL_API_KEY`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from ..profiles import ModelProfile
from . import BearerKeyProvider

__all__ = ["MistralProvider", "mistral_model_profile"]


def mistral_model_profile(model_name: str) -> ModelProfile:
    """Every current Mistral chat model takes tools, `json_schema` and `json_object` response formats."""
    return ModelProfile(
        supports_tools=True,
        supports_json_schema_output=True,
        supports_json_object_output=True,
        default_structured_output_mode="tool",
    )


class MistralProvider(BearerKeyProvider):
    """Where Mistral is and who we are to it.

    `api_key` may be a callable returning the key (the seed's `MistralModel` accepted one), so a
    rotating secret is read at each request instead of once.
    """

    name = "mistral"
    default_base_url = "https://api.mistral.ai"
    api_key_env = ("MISTRAL_API_KEY",)
    base_url_env = ("MISTRAL_BASE_URL",)
    sdk = ("mistralai", "mistral_client")

    def __init__(
        self,
        *,
        api_key: str | Callable[[], str] | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        mistral_client: Any = None,
        max_retries: int | None = None,
    ):
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            http_client=http_client,
            sdk_client=mistral_client,
            max_retries=max_retries,
        )

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return mistral_model_profile(model_name)
