"""Providers know where a vendor is and who we are to it (base URL, auth, headers), never what we send."""

from __future__ import annotations

import functools
import importlib
import os
from abc import ABC
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from ..exceptions import UserError
from ..profiles import ModelProfile
from ..transport.http import RetryPolicy, cached_async_http_client

if TYPE_CHECKING:
    from ..transport.pacing import Pacing

__all__ = [
    "BearerKeyProvider",
    "Endpoint",
    "Provider",
    "env_key",
    "infer_provider",
    "infer_provider_class",
    "provider_names",
]


@dataclass(frozen=True)
class Endpoint:
    """Where one request goes: the absolute URL and any query the provider adds (Azure's api-version)."""

    url: str
    params: dict[str, str] | None = None
    model_in_path: bool = False
    """The URL names the model (Azure's deployments form), so a body that would name it need not."""


class Provider(ABC):
    """Base URL, auth and default headers for one vendor endpoint.

    Requests are sent through `client` with absolute URLs, so one pooled `httpx.AsyncClient` can
    serve every provider; a user's own `http_client` (with its timeouts, proxies, transport) is
    used as given.
    """

    name: str = ""
    base_url: str = ""
    _http_client: httpx.AsyncClient | None = None
    max_retries: int = 2
    pacing: Pacing | None = None
    """Rate-limit pacing of this provider's requests (`pacing=` of the providers whose vendors send
    rate-limit headers: OpenAI and the OpenAI-compatible hosts, Groq, Anthropic)."""

    @property
    def client(self) -> httpx.AsyncClient:
        return self._http_client if self._http_client is not None else cached_async_http_client()

    @property
    def headers(self) -> dict[str, str]:
        """Headers sent with every request (auth headers included)."""
        return {}

    @property
    def auth(self) -> httpx.Auth | None:
        """An `httpx.Auth` for schemes that sign or fetch tokens per request (SigV4, Google)."""
        return None

    @property
    def retry_policy(self) -> RetryPolicy:
        return _retry_policy(self.max_retries)

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return None

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def endpoint(self, path: str, model_name: str) -> Endpoint:
        """Where a codec's request for `path` (relative to the base URL) goes for `model_name`."""
        return Endpoint(self.url(path))

    def __repr__(self) -> str:  # never shows keys
        return f"{type(self).__name__}(name={self.name!r}, base_url={self.base_url!r})"


@functools.lru_cache(maxsize=16)
def _retry_policy(max_retries: int) -> RetryPolicy:
    """One frozen policy per retry count, not a new one per request."""
    return RetryPolicy(max_retries=max_retries)


class BearerKeyProvider(Provider):
    """A vendor that wants `Authorization: Bearer <key>` and nothing else (Cohere, Mistral, Voyage AI).

    The key is `api_key=` (a string, or a callable read at every request so a rotating secret is
    never stale) or the first of `api_key_env` set; the base URL is `base_url=`, the first of
    `base_url_env` set, or `default_base_url`. The vendor's SDK client, which the PydanticAI
    constructor takes, is refused with what to pass instead: wireai does not use the SDK.
    """

    default_base_url: ClassVar[str]
    api_key_env: ClassVar[tuple[str, ...]]
    base_url_env: ClassVar[tuple[str, ...]] = ()
    sdk: ClassVar[tuple[str, str]]
    """The vendor SDK's package name and its client parameter, for the refusal (`('cohere', 'cohere_client')`)."""

    def __init__(
        self,
        *,
        api_key: str | Callable[[], str] | None,
        base_url: str | None,
        http_client: httpx.AsyncClient | None,
        sdk_client: Any,
        max_retries: int | None,
    ):
        if sdk_client is not None:
            package, parameter = self.sdk
            raise UserError(
                f"wireai does not use the {package} SDK: pass `api_key=`, `base_url=` or `http_client=` "
                f"instead of `{parameter}=`"
            )
        self._api_key = (
            api_key if callable(api_key) else env_key(api_key, *self.api_key_env, provider=self.name)
        )
        env_base = next((os.environ[v] for v in self.base_url_env if os.environ.get(v)), None)
        self.base_url = (base_url or env_base or self.default_base_url).rstrip("/")
        self._http_client = http_client
        if max_retries is not None:
            self.max_retries = max_retries

    @property
    def headers(self) -> dict[str, str]:
        key = self._api_key() if callable(self._api_key) else self._api_key
        return {"authorization": f"Bearer {key}"}


def env_key(api_key: str | None, *env_vars: str, provider: str, required: bool = True) -> str | None:
    """The API key given, else the first env var set; a missing key is a `UserError` naming the env var."""
    if api_key:
        return api_key
    for var in env_vars:
        value = os.environ.get(var)
        if value:
            return value
    if required:
        names = " or ".join(f"`{v}`" for v in env_vars)
        raise UserError(
            f"Set the {names} environment variable or pass `api_key=` to use the {provider} provider"
        )
    return None


# name -> (module, class); imported only when asked for.
_PROVIDERS: dict[str, tuple[str, str]] = {
    "openai": ("wireai.providers.openai", "OpenAIProvider"),
    "azure": ("wireai.providers.azure", "AzureProvider"),
    "deepseek": ("wireai.providers.deepseek", "DeepSeekProvider"),
    "openrouter": ("wireai.providers.openrouter", "OpenRouterProvider"),
    "grok": ("wireai.providers.grok", "GrokProvider"),
    "xai": ("wireai.providers.xai", "XaiProvider"),
    "perplexity": ("wireai.providers.perplexity", "PerplexityProvider"),
    "ollama": ("wireai.providers.ollama", "OllamaProvider"),
    "anthropic": ("wireai.providers.anthropic", "AnthropicProvider"),
    "anthropic-bedrock": ("wireai.providers.anthropic_bedrock", "AnthropicBedrockProvider"),
    "anthropic-bedrock-mantle": (
        "wireai.providers.anthropic_bedrock_mantle",
        "AnthropicBedrockMantleProvider",
    ),
    "anthropic-vertex": ("wireai.providers.anthropic_vertex", "AnthropicVertexProvider"),
    "anthropic-foundry": ("wireai.providers.anthropic_foundry", "AnthropicFoundryProvider"),
    "google-gla": ("wireai.providers.google_gla", "GoogleGLAProvider"),
    "google": ("wireai.providers.google", "GoogleProvider"),
    "google-vertex": ("wireai.providers.google_vertex", "GoogleVertexProvider"),
    "vertexai": ("wireai.providers.google_vertex", "GoogleVertexProvider"),
    "google-cloud": ("wireai.providers.google_vertex", "GoogleVertexProvider"),
    "groq": ("wireai.providers.groq", "GroqProvider"),
    "mistral": ("wireai.providers.mistral", "MistralProvider"),
    "cohere": ("wireai.providers.cohere", "CohereProvider"),
    "bedrock": ("wireai.providers.bedrock", "BedrockProvider"),
    "bedrock-mantle": ("wireai.providers.bedrock_mantle", "BedrockMantleProvider"),
    "voyageai": ("wireai.providers.voyageai", "VoyageAIProvider"),
    # OpenAI-compatible hosts (`providers/compatible.py`)
    "alibaba": ("wireai.providers.alibaba", "AlibabaProvider"),
    "cerebras": ("wireai.providers.cerebras", "CerebrasProvider"),
    "crusoe": ("wireai.providers.crusoe", "CrusoeProvider"),
    "fireworks": ("wireai.providers.fireworks", "FireworksProvider"),
    "github": ("wireai.providers.github", "GitHubProvider"),
    "heroku": ("wireai.providers.heroku", "HerokuProvider"),
    "huggingface": ("wireai.providers.huggingface", "HuggingFaceProvider"),
    "litellm": ("wireai.providers.litellm", "LiteLLMProvider"),
    "moonshotai": ("wireai.providers.moonshotai", "MoonshotAIProvider"),
    "nebius": ("wireai.providers.nebius", "NebiusProvider"),
    "ovhcloud": ("wireai.providers.ovhcloud", "OVHcloudProvider"),
    "sambanova": ("wireai.providers.sambanova", "SambaNovaProvider"),
    "snowflake": ("wireai.providers.snowflake", "SnowflakeProvider"),
    "together": ("wireai.providers.together", "TogetherProvider"),
    "vercel": ("wireai.providers.vercel", "VercelProvider"),
    "zai": ("wireai.providers.zai", "ZaiProvider"),
}


def provider_names() -> tuple[str, ...]:
    """Every name `infer_provider` knows (nothing imported)."""
    return tuple(_PROVIDERS)


def infer_provider_class(name: str) -> type[Provider]:
    try:
        module, cls = _PROVIDERS[name]
    except KeyError:
        raise UserError(
            f"Unknown provider {name!r}; known providers: {', '.join(sorted(_PROVIDERS))}"
        ) from None
    return getattr(importlib.import_module(module), cls)


def infer_provider(name: str, **kwargs: Any) -> Provider:
    """A provider instance for a name such as `'openai'` or `'google-vertex'`, configured from env vars."""
    return infer_provider_class(name)(**kwargs)
