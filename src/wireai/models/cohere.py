"""`CohereModel`: Cohere Chat v2 through `wireai.codecs.cohere` and `CohereProvider`."""

from __future__ import annotations

from typing import Any, Literal, Union

import httpx

from ..codecs import cohere
from ..messages import FileUrl, ImageUrl
from ..profiles import ModelProfile
from ..providers import Provider
from ..settings import ModelSettings
from ._http import HTTPModel, resolve_provider

__all__ = ["CohereModel", "CohereModelName", "CohereModelSettings"]

LatestCohereModelNames = Literal[
    "command",
    "command-light",
    "command-r",
    "command-r-plus",
    "command-r-08-2024",
    "command-r-plus-08-2024",
    "command-r7b-12-2024",
    "command-a-03-2025",
    "command-a-reasoning-08-2025",
]
CohereModelName = Union[str, LatestCohereModelNames]
"""Any Cohere model id; the literals are the common ones (for editor completion)."""


class CohereModelSettings(ModelSettings, total=False):
    """Cohere-only request options."""

    cohere_thinking: dict[str, Any]
    """`thinking`: `{'type': 'enabled' | 'disabled', 'token_budget': int}` for reasoning models."""
    cohere_strict_tools: bool
    """`strict_tools`: make the model follow every tool's schema exactly."""
    cohere_safety_mode: Literal["CONTEXTUAL", "STRICT", "OFF"]
    """`safety_mode`."""


class CohereModel(HTTPModel):
    """A Cohere model, addressed as PydanticAI users do: `CohereModel('command', api_key=...)`."""

    codec = cohere

    def __init__(
        self,
        model_name: CohereModelName,
        *,
        provider: Literal["cohere"] | Provider | str = "cohere",
        api_key: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        cohere_client: Any = None,
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
    ):
        provider = resolve_provider(
            provider, api_key=api_key, base_url=base_url, http_client=http_client, cohere_client=cohere_client
        )
        super().__init__(model_name, provider, settings=settings, profile=profile)

    def fetches_url(self, item: FileUrl) -> bool:
        return isinstance(item, ImageUrl)
