"""Claude on Microsoft (Azure AI) Foundry: Anthropic's Messages API at the resource's `/anthropic`.

`https://{resource}.services.ai.azure.com/anthropic/v1/messages`, exactly the Anthropic API's requests
(`anthropic-version` header included), so the Messages codec needs no variant. The resource comes
from `resource=` or `ANTHROPIC_FOUNDRY_RESOURCE` (or the whole base URL from `base_url=` /
`ANTHROPIC_FOUNDRY_BASE_URL`); the key from `api_key=` or `ANTHROPIC_FOUNDRY_API_KEY`, sent as the
`api-key` header, or, with `azure_ad_token_provider=` (a function returning a Microsoft Entra ID token,
sync or async, called at every request), `Authorization: Bearer`. The model name is the deployment's.
"""

from __future__ import annotations

import os
import re

import httpx

from ..exceptions import UserError
from ..profiles import ModelProfile
from ..transport.token_auth import TokenProvider, TokenProviderAuth
from . import Provider, env_key
from .anthropic import claude_profile

__all__ = ["AnthropicFoundryProvider"]

_RESOURCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


class AnthropicFoundryProvider(Provider):
    """`AnthropicModel('claude-sonnet-4-5', provider=AnthropicFoundryProvider(resource='my-resource'))`."""

    name = "anthropic-foundry"

    def __init__(
        self,
        *,
        resource: str | None = None,
        api_key: str | None = None,
        azure_ad_token_provider: TokenProvider | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int | None = None,
    ):
        if api_key and azure_ad_token_provider is not None:
            raise UserError("Pass `api_key=` or `azure_ad_token_provider=`, not both")
        self._auth = TokenProviderAuth(azure_ad_token_provider) if azure_ad_token_provider else None
        self._api_key = None
        if self._auth is None:
            self._api_key = env_key(api_key, "ANTHROPIC_FOUNDRY_API_KEY", provider="anthropic-foundry")
        resource = resource or os.environ.get("ANTHROPIC_FOUNDRY_RESOURCE")
        base_url = base_url or os.environ.get("ANTHROPIC_FOUNDRY_BASE_URL")
        if base_url and resource:
            raise UserError("Pass the Foundry resource name or the base URL, not both")
        self.base_url = (base_url or resource_base_url(resource)).rstrip("/")
        self._http_client = http_client
        if max_retries is not None:
            self.max_retries = max_retries

    @property
    def headers(self) -> dict[str, str]:
        return {"api-key": self._api_key} if self._api_key else {}

    @property
    def auth(self) -> httpx.Auth | None:
        return self._auth

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return claude_profile(model_name)


def resource_base_url(resource: str | None) -> str:
    """`https://{resource}.services.ai.azure.com/anthropic` for a resource name."""
    if not resource:
        raise UserError(
            "Set the `ANTHROPIC_FOUNDRY_RESOURCE` environment variable or pass `resource=` (or `base_url=`) "
            "to use the anthropic-foundry provider"
        )
    # A value such as `evil.example/x` must not send the key to another host.
    if not _RESOURCE.fullmatch(resource):
        raise UserError(
            f"Invalid Foundry resource name {resource!r}: pass the name alone (`my-resource`), or `base_url=`"
        )
    return f"https://{resource}.services.ai.azure.com/anthropic"
