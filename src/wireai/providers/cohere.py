"""Cohere's API: `https://api.cohere.com`, a bearer key from `CO_API_KEY` (base from `CO_BASE_URL`)."""

from __future__ import annotations

import os
from typing import Any

import httpx

from ..exceptions import UserError
from ..profiles import ModelProfile
from . import Provider, env_key

__all__ = ["CohereProvider", "cohere_model_profile"]


def cohere_model_profile(model_name: str) -> ModelProfile:
    """Cohere takes a JSON schema only as `response_format: json_object` + `json_schema` (no name/strict)."""
    return ModelProfile(
        supports_tools=True,
        supports_json_schema_output=True,
        supports_json_object_output=True,
        default_structured_output_mode="tool",
    )


class CohereProvider(Provider):
    name = "cohere"

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        cohere_client: Any = None,
        max_retries: int | None = None,
    ):
        if cohere_client is not None:
            raise UserError(
                "wireai does not use the cohere SDK: pass `api_key=`, `base_url=` or `http_client=` instead of `cohere_client=`"
            )
        self._api_key = env_key(api_key, "CO_API_KEY", "COHERE_API_KEY", provider="cohere")
        self.base_url = (base_url or os.environ.get("CO_BASE_URL") or "https://api.cohere.com").rstrip("/")
        self._http_client = http_client
        if max_retries is not None:
            self.max_retries = max_retries

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self._api_key}"}

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return cohere_model_profile(model_name)
