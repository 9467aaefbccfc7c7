"""Send one codec `WireRequest` through a provider: the only place an embedding model touches HTTP.

The provider supplies where (its base URL, or its `endpoint()` for Azure's deployments form),
who (default headers, `auth` for SigV4 or Google tokens), the pooled client and the retry policy;
the codec supplies the path, query, headers and exact body bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ..codecs import WireRequest
from ..exceptions import ModelAPIError
from ..providers import Provider
from ..transport.http import send

__all__ = ["WireResponse", "send_wire_request"]


@dataclass
class WireResponse:
    """A 2xx answer, read whole: what a codec's `parse_response` needs and nothing else."""

    status_code: int
    headers: httpx.Headers
    content: bytes


async def send_wire_request(provider: Provider, wire: WireRequest, *, model_name: str) -> WireResponse:
    """The 2xx answer to `wire`; vendor errors are `ModelHTTPError`, network ones `ModelAPIError`.

    The body is read here rather than by httpx into `Response.content`: an httpx response sits in
    a reference cycle until the garbage collector runs, and with it a body that for 2,048 float
    vectors is some 60 MB. Read this way, the bytes are freed as soon as the codec has parsed them.
    """
    query = dict(wire.query)
    endpoint = getattr(provider, "endpoint", None)
    if endpoint is not None:  # OpenAI-family providers: Azure's deployments URL names the model
        found = endpoint(wire.path, model_name)
        url = found.url
        query = {**(found.params or {}), **query}
    else:
        url = provider.url(wire.path)
    response = await send(
        provider.client,
        wire.method,
        url,
        model_name=model_name,
        content=wire.content(),
        headers={**provider.headers, **wire.headers},
        params=query or None,
        auth=provider.auth,
        retry=provider.retry_policy,
        stream=True,
    )
    try:
        content = b"".join([chunk async for chunk in response.aiter_bytes()])
    except httpx.TimeoutException as exc:
        raise ModelAPIError(
            model_name, f"The response stalled: no data within the read timeout ({type(exc).__name__})"
        ) from exc
    except httpx.HTTPError as exc:
        raise ModelAPIError(model_name, f"The response broke off: {exc!r}") from exc
    finally:
        await response.aclose()
    return WireResponse(response.status_code, response.headers, content)
