"""Downloads of user-given file URLs, safe against server-side request forgery.

Some vendors take files inline only, so the model layer downloads the `ImageUrl`/`DocumentUrl`/...
a prompt names. That URL may come from an end user, or from a model's own output, so a download
must not become a way into the network wireai runs in (`http://169.254.169.254/` hands out cloud
credentials; `http://10.0.0.5/admin` is an internal service). By default, a download:

- uses http or https only;
- resolves the host and refuses loopback, private, link-local, multicast, reserved, unspecified and
  otherwise non-global addresses, IPv4 and IPv6 alike, including an IPv4 address carried inside an
  IPv6 one (IPv4-mapped, IPv4-compatible, NAT64) or behind a 6to4 address (refused too);
- connects to the very address it checked (the URL's host goes in the Host header and TLS SNI, and
  the certificate is verified for it), so a DNS answer that changes between check and connect
  cannot redirect it;
- follows at most 5 redirects itself, checking every hop the same way;
- reads at most 100 MB (`WIREAI_MAX_DOWNLOAD_BYTES` or `max_bytes=`), counted while streaming;
- gives up after 60 seconds in total (`timeout=`), however slowly the server trickles bytes.

Local addresses are allowed per URL with `force_download='allow-local'` (as in PydanticAI), for a
whole process with `WIREAI_ALLOW_LOCAL_DOWNLOADS=1`, or per call with `download(..., allow_local=True)`.
Cloud metadata endpoints stay refused even then: no file lives there, only credentials.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Any, Union

import httpx

from ..exceptions import UserError
from .clients import create_async_http_client

__all__ = [
    "ALLOW_LOCAL_ENV",
    "DOWNLOAD_TIMEOUT",
    "MAX_DOWNLOAD_BYTES",
    "MAX_DOWNLOAD_BYTES_ENV",
    "MAX_REDIRECTS",
    "address_refusal",
    "download",
]

MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60.0
MAX_REDIRECTS = 5
ALLOW_LOCAL_ENV = "WIREAI_ALLOW_LOCAL_DOWNLOADS"
MAX_DOWNLOAD_BYTES_ENV = "WIREAI_MAX_DOWNLOAD_BYTES"

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]

_CLOUD_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack... instance metadata
        "169.254.170.2",  # AWS ECS task credentials
        "fd00:ec2::254",  # AWS instance metadata over IPv6
        "100.100.100.200",  # Alibaba Cloud metadata
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


async def download(
    url: str,
    *,
    max_bytes: int | None = None,
    timeout: float = DOWNLOAD_TIMEOUT,
    allow_local: bool | None = None,
) -> tuple[bytes, str | None]:
    """GET a user's file URL (for vendors that take the bytes inline only): body and media type.

    `max_bytes` defaults to `WIREAI_MAX_DOWNLOAD_BYTES` or 100 MB; `allow_local` to whether
    `WIREAI_ALLOW_LOCAL_DOWNLOADS` is `1`/`true`/`yes`. A fresh client carrying no vendor
    credentials is used and closed (pooling by address would mix hosts that share one). Every
    failure is the user's input problem, a `UserError` naming the URL and the reason, not a
    vendor failure to fall back on.
    """
    import asyncio

    if allow_local is None:
        allow_local = os.environ.get(ALLOW_LOCAL_ENV, "").strip().lower() in ("1", "true", "yes")
    if max_bytes is None:
        max_bytes = _env_max_bytes()
    try:
        return await asyncio.wait_for(_fetch(url, max_bytes, timeout, allow_local), timeout)
    except asyncio.TimeoutError:
        raise UserError(f"Could not download {url}: no complete answer within {timeout:g} s") from None


async def _fetch(url: str, max_bytes: int, timeout: float, allow_local: bool) -> tuple[bytes, str | None]:
    async with create_async_http_client(httpx.Timeout(timeout, connect=min(timeout, 10.0))) as client:
        target = _parse(url, url)
        for _ in range(MAX_REDIRECTS + 1):
            address = await _checked_address(url, target, allow_local)
            try:
                response = await client.send(_pinned_request(client, target, address), stream=True)
                try:
                    if response.is_redirect:
                        target = _parse(url, str(target.join(response.headers["location"])))
                        continue
                    if not response.is_success:
                        raise UserError(f"Could not download {url}: HTTP {response.status_code}")
                    return await _read(url, response, max_bytes)
                finally:
                    await response.aclose()
            except httpx.HTTPError as exc:
                raise UserError(f"Could not download {url}: {exc!r}") from exc
    raise UserError(f"Could not download {url}: more than {MAX_REDIRECTS} redirects")


def _parse(url: str, hop: str) -> httpx.URL:
    try:
        target = httpx.URL(hop)
    except httpx.InvalidURL as exc:
        raise UserError(f"Could not download {url}: {hop!r} is not a valid URL ({exc})") from exc
    if target.scheme not in ("http", "https") or not target.host:
        raise _refusal(url, target, "only http and https URLs are downloaded")
    return target


def _refusal(url: str, target: httpx.URL, why: str) -> UserError:
    where = "" if str(target) == str(httpx.URL(url)) else f" (redirected to {target})"
    return UserError(f"Refused to download {url}{where}: {why}")


async def _checked_address(url: str, target: httpx.URL, allow_local: bool) -> IPAddress:
    """The address to connect to: the host's first address, once every address it has passed."""
    host = target.raw_host.decode("ascii")
    try:
        addresses = [ipaddress.ip_address(host)]
        literal = True
    except ValueError:
        try:
            addresses = await _resolve(host, target.port or (443 if target.scheme == "https" else 80))
        except OSError as exc:
            raise UserError(f"Could not download {url}: {host} does not resolve ({exc})") from exc
        literal = False
    for address in addresses:
        reason = address_refusal(address, allow_local=allow_local)
        if reason is not None:
            what = host if literal else f"{host} resolves to {address}, which"
            article = "an" if reason[0] in "aeiou" else "a"
            hint = "" if reason == "cloud metadata" or allow_local else _LOCAL_HINT
            raise _refusal(url, target, f"{what} is {article} {reason} address{hint}")
    return addresses[0]


async def _resolve(host: str, port: int) -> list[IPAddress]:
    import asyncio
    import socket

    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]  # no IPv6 zone


_LOCAL_HINT = f"; to download from your own network, use `force_download='allow-local'` on the URL or set {ALLOW_LOCAL_ENV}=1"


def address_refusal(address: IPAddress, *, allow_local: bool = False) -> str | None:
    """Why a download must not connect to `address` (a word for the error message), or None."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _carried_ipv4(address)
        if inner is not None:  # it reaches exactly that IPv4 address
            return address_refusal(inner, allow_local=allow_local)
        if address.sixtofour is not None:
            # 6to4 (deprecated, RFC 7526) goes through a relay to the IPv4 address inside: judged by
            # that, and refused anyway unless local addresses are allowed (Python 3.13 calls all of
            # 2002::/16 private, older versions global; this keeps the answer the same everywhere).
            reason = address_refusal(address.sixtofour, allow_local=allow_local)
            return reason if reason is not None or allow_local else "6to4"
    if address in _CLOUD_METADATA:
        return "cloud metadata"
    if allow_local:
        return None
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-global", not address.is_global),  # e.g. 100.64.0.0/10, carrier-grade NAT
    )
    return next((reason for reason, hit in checks if hit), None)


def _carried_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    compatible = address.packed[:12] == bytes(12) and int(address) > 1  # ::a.b.c.d, not :: or ::1
    if compatible or address in _NAT64:
        return ipaddress.IPv4Address(address.packed[12:])
    return None


def _pinned_request(client: httpx.AsyncClient, target: httpx.URL, address: IPAddress) -> httpx.Request:
    """A GET to `address` itself, still addressed to the URL's host (Host header, TLS SNI and the
    name the certificate is checked against)."""
    extensions: dict[str, Any] = {}
    if target.scheme == "https":
        extensions["sni_hostname"] = target.raw_host.decode("ascii")
    return client.build_request(
        "GET",
        target.copy_with(host=str(address)),
        headers={"Host": target.netloc.decode("ascii")},
        extensions=extensions,
    )


async def _read(url: str, response: httpx.Response, max_bytes: int) -> tuple[bytes, str | None]:
    too_large = f"Refused to download {url}: it is larger than {max_bytes} bytes; pass the bytes yourself as BinaryContent"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise UserError(too_large)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():  # decoded: a gzip bomb is counted as it inflates
        size += len(chunk)
        if size > max_bytes:
            raise UserError(too_large)
        chunks.append(chunk)
    content_type = response.headers.get("content-type")
    media_type = content_type.split(";", 1)[0].strip().lower() if content_type else None
    return b"".join(chunks), media_type


def _env_max_bytes() -> int:
    raw = os.environ.get(MAX_DOWNLOAD_BYTES_ENV, "").strip()
    if not raw:
        return MAX_DOWNLOAD_BYTES
    if not raw.isdigit():
        raise UserError(f"{MAX_DOWNLOAD_BYTES_ENV} must be a whole number of bytes, got {raw!r}")
    return int(raw)
