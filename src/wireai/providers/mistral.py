"""Mistral's API: `https://api.mistral.ai`, a bearer key from `MISTRAL_API_KEY`."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import httpx

from ..exceptions import UserError
from ..profiles import ModelProfile
from . import Provider, env_key

__all__ = ["MistralProvider", "mistral_model_profile"]


def mistral_model_profile(model_name: str) -> ModelProfile:
    """Every current Mistral chat model takes tools, `json_schema` and `json_object` response formats."""
    return ModelProfile(
        supports_tools=True,
        supports_json_schema_output=True,
        supports_json_object_output=True,
        default_structured_output_mode="tool",
    )


class MistralProvider(Provider):
    """Where Mistral is and who we are to it.

    `api_key` may be a callable returning the key (the seed's `MistralModel` accepted one), so a
    rotating secret is read at each request instead of once.
    """

    name = "mistral"

    def __init__(
        self,
        *,
        api_key: str | Callable[[], str] | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        mistral_client: Any = None,
        max_retries: int | None = None,
    ):
        if mistral_client is not None:
            raise UserError(
                "wireai does not use the mistralai SDK: pass `api_key=`, `base_url=` or `http_client=` instead of `mistral_client=`"
            )
        self._api_key: str | Callable[[], str] | None = (
            api_key if callable(api_key) else env_key(api_key, "MISTRAL_API_KEY", provider="mistral")
        )
        self.base_url = (base_url or os.environ.get("MISTRAL_BASE_URL") or "https://api.mistral.ai").rstrip(
            "/"
        )
        self._http_client = http_client
        if max_retries is not None:
            self.max_retries = max_retries

    @property
    def headers(self) -> dict[str, str]:
        key = self._api_key() if callable(self._api_key) else self._api_key
        return {"authorization": f"Bearer {key}"}

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return mistral_model_profile(model_name)
