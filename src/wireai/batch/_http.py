"""Sending a batch API's requests through the model's own provider: the same auth, client, retries
(with backoff and `Retry-After`), pacing and error mapping as every other request of that model."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from ..codecs._base import WireRequest, json_object
from ..exceptions import ModelAPIError
from ..models._http import HTTPModel, send_wire_request
from ..transport.http import read_body

__all__ = ["BatchHTTP"]


class BatchHTTP:
    """`json()` for the API's JSON answers, `stream()` for result files read as they download."""

    def __init__(self, model: HTTPModel):
        self.model = model

    async def send(self, wire: WireRequest, *, stream: bool = False) -> httpx.Response:
        return await send_wire_request(
            self.model.provider,
            wire,
            model_name=self.model.model_name,
            stream=stream,
            parse_error=self.model.codec.parse_error,
        )

    async def json(self, wire: WireRequest) -> dict[str, Any]:
        response = await self.send(wire, stream=True)
        body = await read_body(response, self.model.model_name)
        return json_object(body or b"{}", f"{self.model.system} batch API")

    async def stream(self, wire: WireRequest) -> AsyncIterator[bytes]:
        """The body's bytes as they arrive (a results file is never held whole)."""
        response = await self.send(wire, stream=True)
        try:
            async for chunk in response.aiter_bytes():
                yield chunk
        except httpx.HTTPError as exc:
            raise ModelAPIError(self.model.model_name, f"The results download broke off: {exc!r}") from exc
        finally:
            await response.aclose()
