"""`MistralModel`: Mistral chat completions through `wireai.codecs.mistral` and `MistralProvider`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Union

import httpx

from ..codecs import mistral
from ..messages import DocumentUrl, FileUrl, ImageUrl
from ..profiles import ModelProfile
from ..providers import Provider
from ..settings import ModelSettings
from ._http import HTTPModel, resolve_provider

__all__ = ["MistralModel", "MistralModelName", "MistralModelSettings"]

LatestMistralModelNames = Literal[
    "mistral-large-latest",
    "mistral-medium-latest",
    "mistral-small-latest",
    "codestral-latest",
    "ministral-8b-latest",
    "ministral-3b-latest",
    "pixtral-large-latest",
    "magistral-medium-latest",
    "magistral-small-latest",
]
MistralModelName = Union[str, LatestMistralModelNames]
"""Any Mistral model id; the literals are the common ones (for editor completion)."""


class MistralModelSettings(ModelSettings, total=False):
    """Mistral-only request options."""

    mistral_safe_prompt: bool
    """`safe_prompt`: have Mistral prepend its safety system prompt."""
    mistral_prompt_mode: Literal["reasoning"] | None
    """`prompt_mode`: `'reasoning'` selects magistral's reasoning system prompt."""
    mistral_reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"]
    """`reasoning_effort` for models that accept it."""


class MistralModel(HTTPModel):
    """A Mistral model, addressed as PydanticAI users do: `MistralModel('mistral-small-latest', api_key=...)`."""

    codec = mistral

    def __init__(
        self,
        model_name: MistralModelName,
        *,
        provider: Literal["mistral"] | Provider | str = "mistral",
        api_key: str | Callable[[], str] | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        client: Any = None,
        json_mode_schema_prompt: str | None = None,
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
    ):
        provider = resolve_provider(
            provider, api_key=api_key, base_url=base_url, http_client=http_client, mistral_client=client
        )
        profile = profile or provider.model_profile(model_name) or ModelProfile()
        if json_mode_schema_prompt is not None:
            # The seed's knob for the JSON-mode prompt is our prompted-output template.
            profile = profile.update(prompted_output_template=json_mode_schema_prompt)
        super().__init__(model_name, provider, settings=settings, profile=profile)

    def fetches_url(self, item: FileUrl) -> bool:
        return isinstance(item, (ImageUrl, DocumentUrl))
