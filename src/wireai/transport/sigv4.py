"""AWS auth for httpx: SigV4 signing through botocore, and Bedrock API keys (bearer tokens).

botocore is used for two things only: its `SigV4Auth` signer (the canonical request rules have
enough corner cases that re-implementing them buys nothing) and its credential chain (env vars,
shared config/credentials profiles, SSO, web identity, container and instance roles). It is imported
when a request is first signed, never by `import wireai`.

Credentials are read from botocore's credentials object at every request: `RefreshableCredentials`
(assumed roles, SSO, IMDS) then renew themselves before they expire, which a client that froze its
keys at start-up would not do (long-running agents then fail hours later with ExpiredToken).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import httpx

from ..exceptions import UserError

__all__ = ["BearerAuth", "SigV4Auth", "import_botocore", "session_credentials"]

_MISSING_EXTRA = (
    "AWS request signing needs botocore: install it with `pip install 'wireai[bedrock]'` "
    "(or use a Bedrock API key via `AWS_BEARER_TOKEN_BEDROCK` / `api_key=`, which needs no botocore)"
)

# Only these request headers are signed: proxies and httpx itself may touch the others.
_SIGNED = ("host", "content-type", "x-amz-content-sha256")


def import_botocore() -> Any:
    """botocore, or a `UserError` that names the extra to install."""
    try:
        import botocore.auth
        import botocore.awsrequest
        import botocore.credentials
        import botocore.session
    except ImportError as exc:  # pragma: no cover - botocore is installed in the test env
        raise UserError(_MISSING_EXTRA) from exc
    return botocore


def session_credentials(profile_name: str | None = None) -> Any:
    """botocore's default credential chain (optionally for a named profile); None when it finds nothing."""
    botocore = import_botocore()
    session = botocore.session.Session(profile=profile_name)
    return session.get_credentials()


class SigV4Auth(httpx.Auth):
    """Signs every request with AWS Signature Version 4 for `service` in `region`.

    `credentials` is a botocore credentials object, or a zero-argument callable returning one; the
    callable runs once, at the first request, so building a model never blocks on the credential
    chain (which may call the instance metadata service).
    """

    requires_request_body = True

    def __init__(self, credentials: Any | Callable[[], Any], region: str, service: str = "bedrock"):
        if hasattr(credentials, "get_frozen_credentials"):
            self._value: Any = credentials
            self._factory: Callable[[], Any] | None = None
        else:
            self._value = None
            self._factory = credentials
        self.region = region
        self.service = service

    def credentials(self) -> Any:
        """The credentials object, resolving the chain on first use (and again while it finds nothing)."""
        if self._value is None and self._factory is not None:
            self._value = self._factory()
        if self._value is None:
            raise UserError(
                "No AWS credentials found: set `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`), "
                "`AWS_PROFILE`, or `AWS_BEARER_TOKEN_BEDROCK`, or pass them to `BedrockProvider(...)`"
            )
        return self._value

    def sign(self, request: httpx.Request) -> None:
        """Add `Authorization`, `X-Amz-Date` (and `X-Amz-Security-Token`) to `request`."""
        botocore = import_botocore()
        frozen = self.credentials().get_frozen_credentials()  # refreshes expiring credentials
        headers = {name: request.headers[name] for name in _SIGNED if name in request.headers}
        if "host" not in headers:
            headers["host"] = request.url.netloc.decode("ascii")
        aws_request = botocore.awsrequest.AWSRequest(
            method=request.method, url=str(request.url), data=request.content, headers=headers
        )
        botocore.auth.SigV4Auth(frozen, self.service, self.region).add_auth(aws_request)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            value = aws_request.headers.get(name)
            if value is not None:
                request.headers[name] = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request

    def __repr__(self) -> str:
        return f"SigV4Auth(service={self.service!r}, region={self.region!r})"


class BearerAuth(httpx.Auth):
    """A Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`) sent as `Authorization: Bearer`; no signing, no botocore."""

    def __init__(self, token: str):
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(token=***)"
