"""A bearer token fetched per request from the caller's function (Entra ID tokens for Azure, ...)."""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator

import httpx

from ..exceptions import UserError

__all__ = ["TokenProviderAuth"]

TokenProvider = Callable[[], "str | Awaitable[str]"]


class TokenProviderAuth(httpx.Auth):
    """`Authorization: Bearer <token>`, the token from `provider()` (sync or async) at every request, so
    the caller's credential library renews it when it is due."""

    def __init__(self, provider: TokenProvider):
        self._provider = provider

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._provider()
        if inspect.isawaitable(token):
            raise UserError("An async token provider needs an httpx.AsyncClient")
        request.headers["Authorization"] = f"Bearer {_checked(token)}"
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = self._provider()
        if inspect.isawaitable(token):
            token = await token
        request.headers["Authorization"] = f"Bearer {_checked(token)}"
        yield request

    def __repr__(self) -> str:
        return "TokenProviderAuth(token=***)"


def _checked(token: object) -> str:
    if not isinstance(token, str) or not token:
        raise UserError(f"The token provider returned {type(token).__name__}, not a token string")
    return token
