"""Send one codec `WireRequest` through a provider: the only place an embedding model touches HTTP.

The provider supplies where (its base URL, or its `endpoint()` for Azure's deployments form),
who (default headers, `auth` for SigV4 or Google tokens), the pooled client and the retry policy;
the codec supplies the path, query, headers and exact body bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ..codecs import WireRequest
from ..models._http import send_wire_request as send_model_request
from ..providers import Provider
from ..transport.http import read_body

__all__ = ["WireResponse", "send_wire_request"]


@dataclass
class WireResponse:
    """A 2xx answer, read whole: what a codec's `parse_response` needs and nothing else."""

    status_code: int
    headers: httpx.Headers
    content: bytes


async def send_wire_request(provider: Provider, wire: WireRequest, *, model_name: str) -> WireResponse:
    """The 2xx answer to `wire`; vendor errors are `ModelHTTPError`, network ones `ModelAPIError`.

    Streamed and read by `read_body`, not cached on the httpx response (which lives in a reference
    cycle until the next garbage collection): a body of 2,048 float vectors is some 60 MB, freed
    here as soon as the codec has parsed it.
    """
    response = await send_model_request(provider, wire, model_name=model_name, stream=True)
    content = await read_body(response, model_name)
    return WireResponse(response.status_code, response.headers, content)
