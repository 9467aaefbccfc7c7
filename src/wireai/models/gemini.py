"""Gemini models on the Generative Language API (`google-gla`) or Vertex AI (`google-vertex`)."""

from __future__ import annotations

from typing import Any, Literal, Union

import httpx

from .._parts_manager import ModelResponsePartsManager
from ..codecs import gemini as codec
from ..codecs._base import StreamParser
from ..exceptions import UserError
from ..messages import ModelMessage, ModelResponse
from ..profiles import ModelProfile
from ..providers import Provider
from ..settings import ModelSettings
from . import ModelRequestParameters
from ._http import HTTPModel, PreparedRequest, resolve_provider

__all__ = ["GeminiModel", "GeminiModelName", "GeminiModelSettings", "GoogleModel", "GoogleModelSettings"]

LatestGeminiModelNames = Literal[
    "gemini-1.5-flash",
    "gemini-1.5-flash-8b",
    "gemini-1.5-pro",
    "gemini-1.0-pro",
    "gemini-2.0-flash",
    "gemini-2.0-flash-lite",
    "gemini-2.0-pro-exp-02-05",
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
    "gemini-2.5-pro",
    "gemini-3-pro-preview",
]
GeminiModelName = Union[str, LatestGeminiModelNames]


class GeminiModelSettings(ModelSettings, total=False):
    """Gemini-only settings (`google_*` spellings of the same keys are accepted too)."""

    gemini_safety_settings: list[dict[str, str]]
    """`[{'category': 'HARM_CATEGORY_HARASSMENT', 'threshold': 'BLOCK_ONLY_HIGH'}]` -> `safetySettings`."""
    gemini_thinking_config: dict[str, Any]
    """`{'thinking_budget': 1024, 'include_thoughts': True}` (either case) -> `generationConfig.thinkingConfig`."""
    gemini_labels: dict[str, str]
    """Vertex AI billing labels -> `labels`."""
    google_safety_settings: list[dict[str, str]]
    google_thinking_config: dict[str, Any]
    google_labels: dict[str, str]


GoogleModelSettings = GeminiModelSettings


class GeminiModel(HTTPModel):
    """`GeminiModel('gemini-2.0-flash', provider='google-gla' | 'google-vertex' | Provider)`."""

    def __init__(
        self,
        model_name: GeminiModelName,
        *,
        provider: Literal["google-gla", "google-vertex"] | str | Provider = "google-gla",
        api_key: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        base_url: str | None = None,
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
    ):
        if isinstance(provider, str):
            if api_key is not None and provider not in ("google-gla", "google", "gemini"):
                raise UserError(
                    "`api_key=` is for the google-gla provider; Vertex AI uses Google credentials"
                )
            provider = "google-gla" if provider == "gemini" else provider
        provider = resolve_provider(provider, api_key=api_key, base_url=base_url, http_client=http_client)
        super().__init__(model_name, provider, settings=settings, profile=profile)

    @property
    def _vertex(self) -> bool:
        return self._provider.name == "google-vertex"

    def prepare(
        self,
        messages: list[ModelMessage],
        settings: ModelSettings,
        params: ModelRequestParameters,
        *,
        stream: bool,
    ) -> PreparedRequest:
        extra = self.profile.extra
        if (
            params.output_mode == "native"
            and params.function_tools
            and not extra.get("gemini_native_output_with_tools")
        ):
            raise UserError(
                f"{self._model_name} cannot combine NativeOutput with function tools in one request; "
                "use ToolOutput (the default) or PromptedOutput"
            )
        body = codec.build_request(
            messages,
            dict(settings),
            function_tools=params.function_tools,
            output_tools=params.output_tools,
            allow_text_output=params.allow_text_output,
            output_mode=params.output_mode,
            output_schema=params.output_object.json_schema if params.output_object else None,
            json_schema=bool(extra.get("gemini_json_schema")),
            vertex=self._vertex,
        )
        method = "streamGenerateContent" if stream else "generateContent"
        url = self._provider.url(f"models/{self._model_name}:{method}")
        return PreparedRequest(url, body, params={"alt": "sse"} if stream else None)

    def parse(self, body: Any) -> ModelResponse:
        return codec.parse_response(body, model_name=self._model_name, provider_name=self._provider.name)

    def stream_parser(self, parts: ModelResponsePartsManager, params: ModelRequestParameters) -> StreamParser:
        return codec.GeminiStreamParser(parts, model_name=self._model_name, provider_name=self._provider.name)


GoogleModel = GeminiModel
