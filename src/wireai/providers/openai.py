"""OpenAI, and the base every OpenAI-compatible host's provider builds on (key, base URL, endpoint)."""

from __future__ import annotations

import os
import re
from typing import Any, ClassVar

import httpx

from ..exceptions import UserError
from ..profiles import ModelProfile
from ..transport.pacing import Pacing, resolve_pacing
from . import Endpoint, Provider, env_key

__all__ = ["OpenAIProvider", "openai_model_profile", "openai_reasoning_efforts"]


# The operations Azure's deployments API addresses as `/deployments/{model}/...`; the others
# (`responses`, `files`, `batches`) live beside them under `/openai/` and name the model in the body.
_DEPLOYMENT_PATHS = frozenset({"chat/completions", "embeddings"})


class OpenAIProvider(Provider):
    """`https://api.openai.com/v1` with `Authorization: Bearer`; subclasses change only the class data.

    `openai_client=` takes an `AsyncOpenAI` / `AsyncAzureOpenAI`-like object and reads its settings
    (`base_url`, `api_key`, `organization`, `project`, Azure's api-version) without importing `openai`:
    the requests still go through wireai's transport.
    """

    name = "openai"
    default_base_url: ClassVar[str] = "https://api.openai.com/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("OPENAI_API_KEY",)
    base_url_env: ClassVar[tuple[str, ...]] = ("OPENAI_BASE_URL",)
    key_optional: ClassVar[bool] = False

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        openai_client: Any = None,
        http_client: httpx.AsyncClient | None = None,
        organization: str | None = None,
        project: str | None = None,
        *,
        max_retries: int | None = None,
        pacing: bool | Pacing = False,
    ):
        if max_retries is not None:
            self.max_retries = max_retries
        self.pacing = resolve_pacing(pacing)
        self._api_version: str | None = None
        self._deployments = False  # Azure's `/deployments/{model}/...?api-version=` form
        self._key_header = "authorization"
        self._default_headers: dict[str, str] = {}
        if openai_client is not None:
            if base_url or api_key or http_client:
                raise UserError(
                    "Pass either `openai_client=` or `base_url=`/`api_key=`/`http_client=`, not both"
                )
            base_url, api_key, organization, project = self._read_client(openai_client)
        explicit_base = base_url or _first_env(self.base_url_env)
        self.base_url = (explicit_base or self.default_base_url).rstrip("/")
        custom_host = bool(explicit_base) and self.base_url != self.default_base_url.rstrip("/")
        self._api_key = env_key(
            api_key, *self.api_key_env, provider=self.name, required=not (self.key_optional or custom_host)
        )
        self._organization = organization
        self._project = project
        if http_client is not None:
            self._http_client = http_client

    def _read_client(self, client: Any) -> tuple[str | None, str | None, str | None, str | None]:
        base_url = getattr(client, "base_url", None)
        api_key = getattr(client, "api_key", None)
        version = getattr(client, "_api_version", None) or getattr(client, "api_version", None)
        if version is None:
            query = getattr(client, "_custom_query", None) or getattr(client, "default_query", None) or {}
            version = query.get("api-version") if hasattr(query, "get") else None
        azure_endpoint = getattr(client, "_azure_endpoint", None) or getattr(client, "azure_endpoint", None)
        if version or azure_endpoint:
            # An AsyncAzureOpenAI: its base_url is `{endpoint}/openai/`; the model is the deployment.
            self._api_version = str(version) if version else None
            self._deployments = True
            self._key_header = "api-key"
            if azure_endpoint and not base_url:
                base_url = str(azure_endpoint).rstrip("/") + "/openai"
        http_client = getattr(client, "_client", None)
        if isinstance(http_client, httpx.AsyncClient):
            self._http_client = http_client
        return (
            str(base_url) if base_url else None,
            str(api_key) if api_key else None,
            getattr(client, "organization", None),
            getattr(client, "project", None),
        )

    @property
    def headers(self) -> dict[str, str]:
        headers = dict(self._default_headers)
        if self._api_key:
            if self._key_header == "authorization":
                headers["authorization"] = f"Bearer {self._api_key}"
            else:
                headers[self._key_header] = self._api_key
        if self._organization:
            headers["openai-organization"] = self._organization
        if self._project:
            headers["openai-project"] = self._project
        return headers

    def endpoint(self, path: str, model_name: str) -> Endpoint:
        """The URL (and query) for `path` (`chat/completions`, `responses`) and `model_name`."""
        if not self._deployments:
            return Endpoint(self.url(path))
        params = {"api-version": self._api_version} if self._api_version else None
        path = path.strip("/")
        if path in _DEPLOYMENT_PATHS:
            return Endpoint(f"{self.base_url}/deployments/{model_name}/{path}", params, model_in_path=True)
        return Endpoint(self.url(path), params)

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return azure_aware_profile(openai_model_profile(model_name), self._deployments, self._api_version)


def azure_aware_profile(profile: ModelProfile, deployments: bool, api_version: str | None) -> ModelProfile:
    """Azure's deployments API names the model in the URL, so the chat body carries none, and it
    rejects `stream_options` ("Unknown parameter") before 2024-09-01-preview.

    API versions are dates (`2024-07-01-preview`, `2024-10-21`), so they compare as strings.
    """
    if not deployments:
        return profile
    chat = {**profile.extra.get("openai_chat", {}), "send_model": False}
    if api_version and api_version < "2024-09-01":
        chat["include_usage"] = False
    return profile.update(extra={**profile.extra, "openai_chat": chat})


def _first_env(names: tuple[str, ...]) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


def _is_reasoning_model(model_name: str) -> bool:
    name = model_name.rsplit("/", 1)[-1]
    return name.startswith(("o1", "o3", "o4", "gpt-5"))


def _chat_reasoning(model_name: str) -> dict[str, Any]:
    """How the portable `thinking` reaches this model over chat completions (`ChatOptions.thinking*`),
    from the same table of efforts the Responses API uses: a model that takes none cannot think,
    `none` among its efforts switches reasoning off, and a family not in the table gets levels as given."""
    efforts = openai_reasoning_efforts(model_name)
    if efforts is None:
        return {}
    if not efforts:
        return {"thinking": "never"}
    return {"thinking_efforts": efforts, "thinking_off": "none" if "none" in efforts else ""}


def openai_model_profile(model_name: str) -> ModelProfile:
    """OpenAI's own models: json_schema output, `strict`, and `max_completion_tokens` on reasoning models;
    the reasoning efforts each family takes; web search (`web_search_options`) on the search models."""
    chat: dict[str, Any] = {"supports_strict": True, **_chat_reasoning(model_name)}
    if _is_reasoning_model(model_name):
        chat["max_tokens_field"] = "max_completion_tokens"
    if "search" in model_name.rsplit("/", 1)[-1]:  # gpt-4o-search-preview, gpt-5-search-api...
        chat["native_tools"] = ("web_search_options",)
    if model_name.startswith("o1-mini"):
        chat["system_role"] = "user"  # o1-mini accepts neither system nor developer messages
    extra: dict[str, Any] = {"openai_chat": chat}
    efforts = openai_reasoning_efforts(model_name)
    if efforts is not None:
        extra["openai_reasoning_efforts"] = efforts
    if model_name.startswith("gpt-4.1-nano"):
        # OpenAI's web search guide: not available on gpt-4.1-nano.
        extra["openai_native_tools"] = ("code_execution", "image_generation", "file_search", "mcp_server")
    return ModelProfile(
        supports_json_schema_output=True,
        supports_json_object_output=True,
        default_structured_output_mode="tool",
        extra=extra,
    )


_DATED = r"(-\d{4}-\d{2}-\d{2})?"
# Model families -> the `reasoning.effort` / `reasoning_effort` values they take (empty: no reasoning).
_REASONING_EFFORTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (rf"(gpt-4o|gpt-4\.1|gpt-4|gpt-3\.5)(-[a-z0-9.-]+)?{_DATED}", ()),
    (rf"(o1|o3|o3-mini|o4-mini){_DATED}", ("low", "medium", "high")),
    (rf"gpt-5(-mini|-nano)?{_DATED}", ("minimal", "low", "medium", "high")),
    (rf"gpt-5\.1{_DATED}", ("none", "low", "medium", "high")),
)


def openai_reasoning_efforts(model_name: str) -> tuple[str, ...] | None:
    """The reasoning efforts an OpenAI model takes, for the families whose list is certain (empty: the
    model does not reason); None for the others, whose setting is sent as given."""
    name = model_name.rsplit("/", 1)[-1]
    for pattern, efforts in _REASONING_EFFORTS:
        if re.fullmatch(pattern, name):
            return efforts
    return None
