"""OpenAI models: Chat Completions (`OpenAIModel`, also every OpenAI-compatible host) and the Responses API."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

import httpx

from .._parts_manager import ModelResponsePartsManager
from ..codecs import openai_chat, openai_responses
from ..codecs._base import StreamParser
from ..messages import DocumentUrl, FileUrl, ImageUrl, ModelMessage, ModelResponse
from ..profiles import ModelProfile
from ..providers import Provider
from ..settings import ModelSettings
from . import ModelRequestParameters
from ._http import HTTPModel, PreparedRequest, resolve_provider

__all__ = [
    "OpenAIChatModel",
    "OpenAIModel",
    "OpenAIModelName",
    "OpenAIModelSettings",
    "OpenAIResponsesModel",
    "OpenAIResponsesModelSettings",
    "OpenRouterModelSettings",
]

OpenAIModelName = str
"""Any OpenAI model id (`gpt-4o`, `o3-mini`, ...) or a compatible host's model name."""


class OpenAIModelSettings(ModelSettings, total=False):
    """Settings only OpenAI-shaped hosts understand, sent as the field after the `openai_` prefix."""

    openai_reasoning_effort: Literal["minimal", "low", "medium", "high"]
    openai_user: str
    openai_service_tier: Literal["auto", "default", "flex", "priority"]
    openai_logprobs: bool
    openai_top_logprobs: int
    openai_prediction: dict[str, Any]
    openai_store: bool
    openai_metadata: dict[str, str]


class OpenAIResponsesModelSettings(OpenAIModelSettings, total=False):
    openai_reasoning_summary: Literal["auto", "concise", "detailed"]
    openai_previous_response_id: Literal["auto"] | str
    """A stored response's id to continue from; `'auto'`: the last response in the history, and only
    the messages after it are sent."""
    openai_truncation: Literal["auto", "disabled"]
    openai_include: list[str]
    openai_text_verbosity: Literal["low", "medium", "high"]


class OpenRouterModelSettings(OpenAIModelSettings, total=False):
    """OpenRouter's own request fields (see `providers/openrouter.py`), sent after the prefix."""

    openrouter_reasoning: dict[str, Any]
    """`reasoning`: `{"effort": "high"}` or `{"max_tokens": 2000}`, `"exclude": true` to hide it."""
    openrouter_provider: dict[str, Any]
    """`provider`: routing preferences (`order`, `allow_fallbacks`, `only`, ...)."""
    openrouter_models: list[str]
    """`models`: fallback models tried in order."""


class _OpenAIBase(HTTPModel):
    def __init__(
        self,
        model_name: str,
        *,
        provider: Literal["openai", "azure", "deepseek", "openrouter", "grok", "perplexity", "ollama", "groq"]
        | str
        | Provider = "openai",
        api_key: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        openai_client: Any = None,
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
        system_prompt_role: Literal["system", "developer", "user"] | None = None,
    ):
        resolved = resolve_provider(
            provider, api_key=api_key, base_url=base_url, http_client=http_client, openai_client=openai_client
        )
        super().__init__(model_name, resolved, settings=settings, profile=profile)
        options = openai_chat.ChatOptions.from_extra(self.profile.extra)
        options = replace(options, supports_json_object=self.profile.supports_json_object_output)
        if system_prompt_role is not None:
            options = replace(options, system_role=system_prompt_role)
        self._options = options

    def _endpoint(self, path: str) -> tuple[str, dict[str, str] | None, bool]:
        endpoint = getattr(self._provider, "endpoint", None)
        if endpoint is None:  # a user's own Provider subclass
            return self._provider.url(path), None, True
        found = endpoint(path, self._model_name)
        return found.url, found.params, found.model_in_body


class OpenAIChatModel(_OpenAIBase):
    """Chat Completions (`POST {base_url}/chat/completions`) on OpenAI or any compatible host."""

    def fetches_url(self, item: FileUrl) -> bool:
        # Chat Completions takes images by URL; audio and files only inline.
        return isinstance(item, ImageUrl)

    def prepare(
        self,
        messages: list[ModelMessage],
        settings: ModelSettings,
        params: ModelRequestParameters,
        *,
        stream: bool,
    ) -> PreparedRequest:
        url, query, model_in_body = self._endpoint("chat/completions")
        options = self._options if model_in_body else replace(self._options, send_model=False)
        body = openai_chat.build_request(
            messages, settings, params, model=self._model_name, stream=stream, options=options
        )
        return PreparedRequest(url, body, params=query)

    def parse(self, body: Any) -> ModelResponse:
        return openai_chat.parse_response(
            body, model_name=self._model_name, provider_name=self.system, options=self._options
        )

    def stream_parser(self, parts: ModelResponsePartsManager, params: ModelRequestParameters) -> StreamParser:
        return openai_chat.ChatStreamParser(
            parts, model_name=self._model_name, provider_name=self.system, options=self._options
        )


OpenAIModel = OpenAIChatModel


class OpenAIResponsesModel(_OpenAIBase):
    """The Responses API (`POST {base_url}/responses`): input items, reasoning summaries, `previous_response_id`."""

    def fetches_url(self, item: FileUrl) -> bool:
        return isinstance(item, (ImageUrl, DocumentUrl))

    def prepare(
        self,
        messages: list[ModelMessage],
        settings: ModelSettings,
        params: ModelRequestParameters,
        *,
        stream: bool,
    ) -> PreparedRequest:
        url, query, _ = self._endpoint("responses")
        body = openai_responses.build_request(
            messages,
            settings,
            params,
            model=self._model_name,
            stream=stream,
            supports_strict=self._options.supports_strict,
        )
        return PreparedRequest(url, body, params=query)

    def _endpoint(self, path: str) -> tuple[str, dict[str, str] | None, bool]:
        endpoint = getattr(self._provider, "endpoint", None)
        if endpoint is None:
            return self._provider.url(path), None, True
        found = endpoint(path, self._model_name)
        if not found.model_in_body:  # Azure: `/openai/responses?api-version=`, model in body
            return self._provider.url(path), found.params, True
        return found.url, found.params, True

    def parse(self, body: Any) -> ModelResponse:
        return openai_responses.parse_response(body, model_name=self._model_name, provider_name=self.system)

    def stream_parser(self, parts: ModelResponsePartsManager, params: ModelRequestParameters) -> StreamParser:
        return openai_responses.ResponsesStreamParser(
            parts, model_name=self._model_name, provider_name=self.system
        )
