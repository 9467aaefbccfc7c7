"""Voyage AI's API: `https://api.voyageai.com/v1`, a bearer key from `VOYAGE_API_KEY`."""

from __future__ import annotations

from typing import Any

import httpx

from ..exceptions import UserError
from . import Provider, env_key

__all__ = ["VoyageAIProvider"]


class VoyageAIProvider(Provider):
    name = "voyageai"

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        voyageai_client: Any = None,
        max_retries: int | None = None,
    ):
        if voyageai_client is not None:
            raise UserError(
                "wireai does not use the voyageai SDK: pass `api_key=`, `base_url=` or `http_client=` instead of `voyageai_client=`"
            )
        self._api_key = env_key(api_key, "VOYAGE_API_KEY", provider="voyageai")
        self.base_url = (base_url or "https://api.voyageai.com/v1").rstrip("/")
        self._http_client = http_client
        if max_retries is not None:
            self.max_retries = max_retries

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self._api_key}"}
