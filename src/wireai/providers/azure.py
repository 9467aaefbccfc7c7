"""Azure OpenAI and Azure AI Foundry: the deployments URL with `api-version`, or the `/openai/v1/` surface.

The key goes in the `api-key` header. A Foundry resource (`https://<resource>.services.ai.azure.com`)
takes the same two forms as an Azure OpenAI one (`https://<resource>.openai.azure.com`).

Deployments form: `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=...`,
where the deployment is the model name given to the model class, and the body carries no
`model` (Azure's own API description has none there). v1 form (`api_version='v1'`, or no
api-version at all): `{endpoint}/openai/v1/chat/completions` with `model` in the body, as OpenAI.
"""

from __future__ import annotations

from typing import Any

import httpx

from ..exceptions import UserError
from ..profiles import ModelProfile
from ..transport.pacing import Pacing
from . import Endpoint, env_key
from .families import compatible_profile
from .openai import OpenAIProvider, azure_aware_profile, openai_model_profile

__all__ = ["AzureProvider"]

_V1_VERSIONS = ("v1", "latest", "preview")


class AzureProvider(OpenAIProvider):
    name = "azure"

    def __init__(
        self,
        azure_endpoint: str | None = None,
        api_version: str | None = None,
        api_key: str | None = None,
        openai_client: Any = None,
        http_client: httpx.AsyncClient | None = None,
        base_url: str | None = None,
        *,
        max_retries: int | None = None,
        pacing: bool | Pacing = False,
    ):
        if max_retries is not None:
            self.max_retries = max_retries
        if openai_client is not None:
            super().__init__(openai_client=openai_client, pacing=pacing)
            return
        endpoint = base_url or env_key(azure_endpoint, "AZURE_OPENAI_ENDPOINT", provider="azure")
        assert endpoint is not None
        endpoint = endpoint.rstrip("/")
        version = env_key(api_version, "OPENAI_API_VERSION", provider="azure", required=False)
        key = env_key(api_key, "AZURE_OPENAI_API_KEY", provider="azure")
        if endpoint.endswith("/openai/v1") or version in _V1_VERSIONS or version is None:
            base = endpoint if endpoint.endswith("/openai/v1") else f"{endpoint}/openai/v1"
            super().__init__(base_url=base, api_key=key, http_client=http_client, pacing=pacing)
            if version == "preview":
                self._api_version = version
        else:
            if "/openai/deployments/" in endpoint:
                raise UserError(
                    "Give `azure_endpoint` as `https://<resource>.openai.azure.com`, without the deployment path"
                )
            base = endpoint if endpoint.endswith("/openai") else f"{endpoint}/openai"
            super().__init__(base_url=base, api_key=key, http_client=http_client, pacing=pacing)
            self._api_version = version
            self._deployments = True
        self._key_header = "api-key"

    def endpoint(self, path: str, model_name: str) -> Endpoint:
        found = super().endpoint(path, model_name)
        if not self._deployments and self._api_version:
            return Endpoint(found.url, {"api-version": self._api_version})
        return found

    def model_profile(self, model_name: str) -> ModelProfile | None:
        # Azure AI Foundry serves other families too (`DeepSeek-R1`, `Llama-3.3-70B-Instruct`,
        # `Mistral-Large-2411`, `Cohere-command-r`); any other name is an OpenAI deployment.
        profile = compatible_profile(model_name, fallback=openai_model_profile)
        return azure_aware_profile(profile, self._deployments, self._api_version)
