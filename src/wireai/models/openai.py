"""OpenAI models: Chat Completions (`OpenAIModel`, also every OpenAI-compatible host) and the Responses API."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

import httpx

from ..codecs import openai_chat, openai_responses
from ..messages import DocumentUrl, FileUrl, ImageUrl
from ..native_tools import ImageGenerationTool
from ..profiles import ModelProfile
from ..providers import Provider
from ..settings import ModelSettings
from . import ModelRequestParameters
from ._http import HTTPModel, resolve_provider

__all__ = [
    "OpenAIChatModel",
    "OpenAIChatModelSettings",
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

    openai_reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"]
    """Wins over the portable `thinking` setting."""
    openai_user: str
    openai_service_tier: Literal["auto", "default", "flex", "priority"]
    """Wins over the portable `service_tier` setting."""
    openai_logprobs: bool
    openai_top_logprobs: int
    openai_prediction: dict[str, Any]
    openai_store: bool
    openai_metadata: dict[str, str]
    openai_prompt_cache_key: str
    """`prompt_cache_key`: requests that share a key share OpenAI's prompt cache (it replaces `user`
    for cache bucketing)."""
    openai_prompt_cache_retention: Literal["in_memory", "24h"]
    """`prompt_cache_retention`: `24h` keeps cached prefixes for up to a day."""


OpenAIChatModelSettings = OpenAIModelSettings
"""PydanticAI V1+ name of the Chat Completions settings (`OpenAIModelSettings` is the seed's)."""


class OpenAIResponsesModelSettings(OpenAIModelSettings, total=False):
    openai_reasoning_summary: Literal["auto", "concise", "detailed"]
    openai_previous_response_id: Literal["auto"] | str
    """A stored response's id to continue from; `'auto'`: the last response in the history, and only
    the messages after it are sent."""
    openai_truncation: Literal["auto", "disabled"]
    openai_context_management: list[dict[str, Any]]
    """`context_management`: server-side compaction, e.g. `[{'type': 'compaction', 'compact_threshold':
    200000}]`. The `compaction` item a response then holds (a `CompactionPart`) goes back in the
    history, and the API drops everything before it."""
    openai_include: list[str]
    openai_text_verbosity: Literal["low", "medium", "high"]
    openai_include_web_search_sources: bool
    """Adds `web_search_call.action.sources` to `include`: every URL a web search consulted."""
    openai_include_code_execution_outputs: bool
    """Adds `code_interpreter_call.outputs` to `include`: the logs and images the code produced."""
    openai_include_file_search_results: bool
    """Adds `file_search_call.results` to `include`: the passages a file search found."""


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
        if system_prompt_role is not None:
            extra = self.profile.extra
            chat = {**extra.get("openai_chat", {}), "system_role": system_prompt_role}
            self._profile = self.profile.update(extra={**extra, "openai_chat": chat})


class OpenAIChatModel(_OpenAIBase):
    """Chat Completions (`POST {base_url}/chat/completions`) on OpenAI or any compatible host."""

    codec = openai_chat

    def fetches_url(self, item: FileUrl) -> bool:
        # Chat Completions takes images by URL; audio and files only inline.
        return isinstance(item, ImageUrl)


OpenAIModel = OpenAIChatModel


class OpenAIResponsesModel(_OpenAIBase):
    """The Responses API (`POST {base_url}/responses`): input items, reasoning summaries, `previous_response_id`.

    It makes images with its `image_generation` tool, so a model that has the tool (the profile's
    `openai_native_tools`, all of them by default) supports image output: a request that takes an
    image as the answer (`output_type=BinaryImage`) gets the tool when it was not given one.
    """

    codec = openai_responses

    @property
    def profile(self) -> ModelProfile:
        profile = super().profile
        if profile.supports_image_output or "image_generation" not in profile.extra.get(
            "openai_native_tools", openai_responses.native_tools.KINDS
        ):
            return profile
        self._profile = profile = profile.update(supports_image_output=True)
        return profile

    def customize_request_parameters(
        self, model_request_parameters: ModelRequestParameters
    ) -> ModelRequestParameters:
        params = super().customize_request_parameters(model_request_parameters)
        if params.allow_image_output and not any(
            isinstance(t, ImageGenerationTool) for t in params.native_tools
        ):
            params = replace(params, native_tools=[*params.native_tools, ImageGenerationTool()])
        return params

    def fetches_url(self, item: FileUrl) -> bool:
        return isinstance(item, (ImageUrl, DocumentUrl))
