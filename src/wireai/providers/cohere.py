"""Cohere's API: `https://api.cohere.com`, a bearer key from `CO_API_KEY` (base from `CO_BASE_URL`)."""

from __future__ import annotations

from typing import Any

import httpx

from ..profiles import ModelProfile
from . import BearerKeyProvider

__all__ = ["CohereProvider", "cohere_model_profile"]


def cohere_model_profile(model_name: str) -> ModelProfile:
    """Cohere takes a JSON schema only as `response_format: json_object` + `json_schema` (no name/strict)."""
    return ModelProfile(
        supports_tools=True,
        supports_json_schema_output=True,
        supports_json_object_output=True,
        default_structured_output_mode="tool",
    )


class CohereProvider(BearerKeyProvider):
    name = "cohere"
    default_base_url = "https://api.cohere.com"
    api_key_env = ("CO_API_KEY", "COHERE_API_KEY")
    base_url_env = ("CO_BASE_URL",)
    sdk = ("cohere", "cohere_client")

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        cohere_client: Any = None,
        max_retries: int | None = None,
    ):
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            http_client=http_client,
            sdk_client=cohere_client,
            max_retries=max_retries,
        )

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return cohere_model_profile(model_name)
