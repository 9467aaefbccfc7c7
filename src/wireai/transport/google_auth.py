"""Google OAuth2 bearer tokens for Vertex AI, as an `httpx.Auth`, without `requests`.

google-auth is imported at the first request, never at import or construction time, and
`google.auth.default()` (which may probe the metadata server) runs then too, in a worker thread.
Token refreshes also run in a worker thread, over `HttpxRequest`, a sync-httpx implementation of
google-auth's `transport.Request`, so the `requests` package is not needed. Concurrent requests
share one refresh: the first takes a per-event-loop lock, the rest find a fresh token behind it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import anyio.to_thread
import httpx

from ..exceptions import UserError
from .clients import loop_local

__all__ = ["SCOPES", "GoogleAuth", "HttpxRequest", "import_google_auth"]

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
PROJECT_PLACEHOLDER = "__wireai_adc_project__"


def import_google_auth() -> Any:
    try:
        import google.auth
        import google.auth.transport
    except ImportError:
        raise UserError(
            "Vertex AI authentication needs google-auth: install it with `pip install 'wireai[vertexai]'`"
        ) from None
    return google.auth


def HttpxRequest(timeout: float = 60.0) -> Any:
    """A google-auth `transport.Request` over sync httpx (built lazily: its base class is google-auth's)."""
    import google.auth.exceptions
    import google.auth.transport

    class _Response(google.auth.transport.Response):
        def __init__(self, response: httpx.Response):
            self._response = response

        @property
        def status(self) -> int:
            return self._response.status_code

        @property
        def headers(self) -> dict[str, str]:
            return dict(self._response.headers)

        @property
        def data(self) -> bytes:
            return self._response.content

    class _Request(google.auth.transport.Request):
        def __call__(
            self,
            url: str,
            method: str = "GET",
            body: bytes | None = None,
            headers: dict[str, str] | None = None,
            timeout: float | None = None,
            **kwargs: Any,
        ) -> Any:
            try:
                with httpx.Client(timeout=timeout or default_timeout) as client:
                    return _Response(client.request(method, url, content=body, headers=headers))
            except httpx.HTTPError as exc:
                raise google.auth.exceptions.TransportError(exc) from exc

    default_timeout = timeout
    return _Request()


class GoogleAuth(httpx.Auth):
    """Adds `Authorization: Bearer <token>`; loads credentials on first use, refreshes before expiry
    (google-auth's `valid` includes its refresh margin) and once more on a 401."""

    def __init__(
        self,
        *,
        credentials: Any = None,
        service_account_file: str | None = None,
        service_account_info: dict[str, Any] | None = None,
        project_id: str | None = None,
        on_project: Callable[[str], None] | None = None,
    ):
        self._credentials = credentials
        self._file = service_account_file
        self._info = service_account_info
        self.project_id = project_id
        self._on_project = on_project
        self.refresh_count = 0

    def _lock(self) -> asyncio.Lock:
        # One per loop (a lock binds the loop it first waits on), dropped when that loop ends.
        return loop_local(self, asyncio.Lock)

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise UserError("Vertex AI requests go through an httpx.AsyncClient")
        yield request  # pragma: no cover

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.token()
        self._prepare(request, token)
        response = yield request
        if response.status_code == 401:
            # Revoked or rotated early: one fresh token, one retry.
            await response.aread()
            token = await self.token(stale=token)
            self._prepare(request, token)
            yield request

    def _prepare(self, request: httpx.Request, token: str) -> None:
        request.headers["authorization"] = f"Bearer {token}"
        if PROJECT_PLACEHOLDER in request.url.path and self.project_id:
            request.url = request.url.copy_with(
                path=request.url.path.replace(PROJECT_PLACEHOLDER, self.project_id)
            )

    async def token(self, *, stale: str | None = None) -> str:
        """A valid access token; `stale` forces a refresh unless someone already replaced that token."""
        credentials = self._credentials
        if credentials is not None and _fresh(credentials, stale):
            return str(credentials.token)
        async with self._lock():
            if self._credentials is None:
                await anyio.to_thread.run_sync(self._load)
            credentials = self._credentials
            if not _fresh(credentials, stale):
                await anyio.to_thread.run_sync(self._refresh, credentials)
            return str(credentials.token)

    def _refresh(self, credentials: Any) -> None:
        import google.auth.exceptions

        try:
            credentials.refresh(HttpxRequest())
        except google.auth.exceptions.GoogleAuthError as exc:
            raise UserError(f"Could not get a Google access token for Vertex AI: {exc}") from exc
        self.refresh_count += 1

    def _load(self) -> None:
        google_auth = import_google_auth()
        project: str | None = None
        if self._info is not None or self._file is not None:
            from google.oauth2 import service_account

            if self._info is not None:
                credentials = service_account.Credentials.from_service_account_info(self._info, scopes=SCOPES)
            else:
                credentials = service_account.Credentials.from_service_account_file(self._file, scopes=SCOPES)
            project = credentials.project_id
        else:
            try:
                credentials, project = google_auth.default(scopes=SCOPES)
            except google_auth.exceptions.DefaultCredentialsError as exc:
                raise UserError(
                    "No Google credentials found for Vertex AI: run `gcloud auth application-default login`, set "
                    "GOOGLE_APPLICATION_CREDENTIALS, or pass `service_account_file=`/`credentials=`"
                ) from exc
        self.set_project(project)
        self._credentials = credentials

    def set_project(self, found: str | None) -> None:
        """Check the credentials' project against the one asked for; the first known one wins the URL."""
        if found and self.project_id and found != self.project_id:
            raise UserError(
                f"The project_id you passed ({self.project_id!r}) conflicts with the credentials' project "
                f"({found!r}); pass the matching project_id or omit it"
            )
        project = self.project_id or found
        if not project:
            raise UserError(
                "No Google Cloud project for Vertex AI: pass `project_id=` to GoogleVertexProvider"
            )
        self.project_id = project
        if self._on_project is not None:
            self._on_project(project)


def _fresh(credentials: Any, stale: str | None) -> bool:
    if credentials is None or not credentials.token:
        return False
    if stale is not None and credentials.token == stale:
        return False
    return bool(credentials.valid)
