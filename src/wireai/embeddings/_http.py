"""Send one codec `WireRequest` through a provider: the only place an embedding model touches HTTP.

The provider supplies where (its base URL, or its `endpoint()` for Azure's deployments form),
who (default headers, `auth` for SigV4 or Google tokens), the pooled client and the retry policy;
the codec supplies the path, query, headers and exact body bytes.
"""

from __future__ import annotations

import httpx

from ..codecs import WireRequest
from ..providers import Provider
from ..transport.http import send

__all__ = ["send_wire_request"]


async def send_wire_request(provider: Provider, wire: WireRequest, *, model_name: str) -> httpx.Response:
    """The 2xx response to `wire` (body read); vendor errors are `ModelHTTPError`, network ones `ModelAPIError`."""
    query = dict(wire.query)
    endpoint = getattr(provider, "endpoint", None)
    if endpoint is not None:  # OpenAI-family providers: Azure's deployments URL names the model
        found = endpoint(wire.path, model_name)
        url = found.url
        query = {**(found.params or {}), **query}
    else:
        url = provider.url(wire.path)
    return await send(
        provider.client,
        wire.method,
        url,
        model_name=model_name,
        content=wire.content(),
        headers={**provider.headers, **wire.headers},
        params=query or None,
        auth=provider.auth,
        retry=provider.retry_policy,
    )
