"""Voyage AI's API: `https://api.voyageai.com/v1`, a bearer key from `VOYAGE_API_KEY`."""

from __future__ import annotations

from typing import Any

import httpx

from . import BearerKeyProvider

__all__ = ["VoyageAIProvider"]


class VoyageAIProvider(BearerKeyProvider):
    name = "voyageai"
    default_base_url = "https://api.voyageai.com/v1"
    api_key_env = ("VOYAGE_API_KEY",)
    sdk = ("voyageai", "voyageai_client")

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        voyageai_client: Any = None,
        max_retries: int | None = None,
    ):
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            http_client=http_client,
            sdk_client=voyageai_client,
            max_retries=max_retries,
        )
