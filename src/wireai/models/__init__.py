"""The `Model` and `StreamedResponse` interfaces, request parameters, and `'provider:model'` resolution.

Vendor model modules are imported only when a name with their prefix is resolved, so importing
wireai costs httpx + pydantic and nothing per vendor.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from .._params import ModelRequestParameters, OutputMode, OutputObjectDefinition, ToolDefinition
from .._parts_manager import ModelResponsePartsManager, PartEnds
from ..exceptions import UserError
from ..messages import (
    FinishReason,
    ModelMessage,
    ModelResponse,
    ModelResponseStreamEvent,
    PartStartEvent,
    now_utc,
)
from ..profiles import DEFAULT_PROFILE, ModelProfile
from ..settings import ModelSettings
from ..usage import RequestUsage

__all__ = [
    "ALLOW_MODEL_REQUESTS",
    "KnownModelName",
    "Model",
    "ModelRequestParameters",
    "OutputMode",
    "OutputObjectDefinition",
    "StreamedResponse",
    "cached_async_http_client",
    "check_allow_model_requests",
    "infer_model",
]


ALLOW_MODEL_REQUESTS = True
"""Set to False in tests to make any real model request fail (TestModel and FunctionModel still work)."""


def check_allow_model_requests() -> None:
    if not ALLOW_MODEL_REQUESTS:
        raise RuntimeError("Model requests are not allowed, since ALLOW_MODEL_REQUESTS is False")


class Model(ABC):
    """A model behind some API. Subclasses implement `request` (and `request_stream` to stream)."""

    _settings: ModelSettings | None = None
    _profile: ModelProfile | None = None

    @abstractmethod
    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        raise NotImplementedError

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AsyncIterator[StreamedResponse]:
        raise NotImplementedError(f"Streamed requests are not supported by {type(self).__name__}")
        yield  # pragma: no cover

    async def count_tokens(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> RequestUsage:
        """The input tokens this request would take, counted by the vendor without running the model."""
        raise UserError(
            f"Token counting is not supported by {type(self).__name__} ({self.system}); the vendors that "
            "count tokens before a request are Anthropic, Google Gemini/Vertex, Bedrock and OpenAI Responses"
        )

    def customize_request_parameters(
        self, model_request_parameters: ModelRequestParameters
    ) -> ModelRequestParameters:
        """Adapt tool and output schemas to what this model accepts (the profile's schema transformer)."""
        transformer = self.profile.json_schema_transformer
        if transformer is None:
            return model_request_parameters
        return _transform_schemas(model_request_parameters, transformer)

    def retry_feedback(self, error: Exception) -> str | None:
        """Feedback for the model when `error` means "the model's own output was unusable, ask again".

        Some vendors reject a generation themselves (Groq's `tool_use_failed` 400); the agent then
        retries with this text as a retry prompt instead of failing the run.
        """
        return None

    @property
    @abstractmethod
    def model_name(self) -> str:
        raise NotImplementedError

    @property
    @abstractmethod
    def system(self) -> str:
        """The vendor or provider name (`openai`, `anthropic`, ...), as OpenTelemetry's gen_ai.system."""
        raise NotImplementedError

    @property
    def settings(self) -> ModelSettings | None:
        return self._settings

    @property
    def profile(self) -> ModelProfile:
        return self._profile or DEFAULT_PROFILE

    @property
    def base_url(self) -> str | None:
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_name={self.model_name!r})"


def _transform_schemas(params: ModelRequestParameters, transformer: Any) -> ModelRequestParameters:
    def tool(t: ToolDefinition) -> ToolDefinition:
        return replace(t, parameters_json_schema=transformer(t.parameters_json_schema))

    output_object = params.output_object
    if output_object is not None:
        output_object = OutputObjectDefinition(
            transformer(output_object.json_schema),
            output_object.name,
            output_object.description,
            output_object.strict,
        )
    return replace(
        params,
        function_tools=[tool(t) for t in params.function_tools],
        output_object=output_object,
        output_tools=[tool(t) for t in params.output_tools],
    )


class StreamedResponse(ABC):
    """A response arriving as events. Iterate it for part events; `get()` is the response so far.

    Subclasses implement `_get_event_iterator` (part starts and deltas, through `_parts_manager`);
    iterating the response adds a `PartEndEvent` as each part completes.
    """

    def __init__(
        self,
        model_request_parameters: ModelRequestParameters,
        model_name: str,
        provider_name: str | None = None,
    ):
        self.model_request_parameters = model_request_parameters
        self._model_name = model_name
        self._provider_name = provider_name
        self._parts_manager = ModelResponsePartsManager()
        self._usage = RequestUsage()
        self._timestamp = now_utc()
        self._event_iterator: AsyncIterator[ModelResponseStreamEvent] | None = None
        self.provider_response_id: str | None = None
        self.finish_reason: FinishReason | None = None
        self.provider_details: dict[str, Any] | None = None

    def __aiter__(self) -> AsyncIterator[ModelResponseStreamEvent]:
        if self._event_iterator is None:
            self._event_iterator = self._events()
        return self._event_iterator

    @abstractmethod
    def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        raise NotImplementedError

    def _events(self) -> AsyncIterator[ModelResponseStreamEvent]:
        """Every event of the response: `_get_event_iterator()`'s, with the part ends. A subclass whose
        iterator yields them itself (in its own loop, or passed on from a wrapped stream) returns it."""
        return with_part_ends(self._get_event_iterator(), PartEnds(self._parts_manager.part_at))

    def get(self) -> ModelResponse:
        return ModelResponse(
            parts=self._parts_manager.get_parts(),
            usage=self.usage(),
            model_name=self.model_name,
            timestamp=self.timestamp,
            provider_name=self._provider_name,
            provider_response_id=self.provider_response_id,
            finish_reason=self.finish_reason,
            provider_details=self.provider_details,
        )

    def usage(self) -> RequestUsage:
        return self._usage

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def provider_name(self) -> str | None:
        return self._provider_name

    @property
    def timestamp(self) -> datetime:
        return self._timestamp


async def with_part_ends(
    events: AsyncIterator[ModelResponseStreamEvent], ends: PartEnds
) -> AsyncIterator[ModelResponseStreamEvent]:
    async for event in events:
        if type(event) is PartStartEvent and (end := ends.start(event)) is not None:
            yield end
        yield event
    if (end := ends.finish()) is not None:
        yield end


# --------------------------------------------------------------------------------------------- model names

KnownModelName = Literal[
    "alibaba:qwen-max",
    "alibaba:qwen-plus",
    "alibaba:qwen3-max",
    "cerebras:gpt-oss-120b",
    "cerebras:llama-3.3-70b",
    "cerebras:qwen-3-32b",
    "cerebras:zai-glm-4.6",
    "crusoe:meta-llama/Llama-3.3-70B-Instruct",
    "crusoe:deepseek-ai/DeepSeek-R1-0528",
    "fireworks:accounts/fireworks/models/deepseek-r1",
    "fireworks:accounts/fireworks/models/llama-v3p3-70b-instruct",
    "fireworks:accounts/fireworks/models/qwen3-235b-a22b",
    "github:openai/gpt-4.1",
    "github:meta/Llama-4-Scout-17B-16E-Instruct",
    "github:deepseek/DeepSeek-R1",
    "heroku:claude-4-sonnet",
    "heroku:gpt-oss-120b",
    "heroku:nova-pro",
    "huggingface:Qwen/Qwen3-235B-A22B",
    "huggingface:deepseek-ai/DeepSeek-R1",
    "huggingface:meta-llama/Llama-3.3-70B-Instruct",
    "moonshotai:kimi-k2-0711-preview",
    "moonshotai:kimi-latest",
    "moonshotai:moonshot-v1-8k",
    "nebius:meta-llama/Llama-3.3-70B-Instruct",
    "nebius:Qwen/Qwen3-235B-A22B",
    "nebius:deepseek-ai/DeepSeek-R1-0528",
    "ovhcloud:Meta-Llama-3_3-70B-Instruct",
    "ovhcloud:gpt-oss-120b",
    "ovhcloud:Qwen3-32B",
    "sambanova:DeepSeek-R1",
    "sambanova:Meta-Llama-3.3-70B-Instruct",
    "sambanova:Qwen3-32B",
    "snowflake:claude-sonnet-4-5",
    "snowflake:llama3.3-70b",
    "snowflake:openai-gpt-4.1",
    "together:meta-llama/Llama-3.3-70B-Instruct-Turbo",
    "together:deepseek-ai/DeepSeek-R1",
    "together:Qwen/Qwen3-235B-A22B-fp8-tput",
    "vercel:anthropic/claude-sonnet-4",
    "vercel:openai/gpt-4o",
    "vercel:xai/grok-4",
    "zai:glm-4.5",
    "zai:glm-4.6",
    "anthropic:claude-3-5-haiku-latest",
    "anthropic:claude-3-5-sonnet-latest",
    "anthropic:claude-3-7-sonnet-latest",
    "anthropic:claude-3-opus-latest",
    "anthropic:claude-haiku-4-5",
    "anthropic:claude-opus-4-1",
    "anthropic:claude-opus-4-5",
    "anthropic:claude-sonnet-4-0",
    "anthropic:claude-sonnet-4-5",
    "anthropic-bedrock:us.anthropic.claude-haiku-4-5-20251001-v1:0",
    "anthropic-bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "anthropic-bedrock-mantle:anthropic.claude-sonnet-4-5",
    "anthropic-foundry:claude-sonnet-4-5",
    "anthropic-vertex:claude-haiku-4-5@20251001",
    "anthropic-vertex:claude-sonnet-4-5@20250929",
    "bedrock:amazon.nova-lite-v1:0",
    "bedrock:amazon.nova-pro-v1:0",
    "bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0",
    "bedrock:anthropic.claude-3-sonnet-20240229-v1:0",
    "bedrock:us.anthropic.claude-sonnet-4-20250514-v1:0",
    "bedrock:meta.llama3-3-70b-instruct-v1:0",
    "bedrock-mantle:openai.gpt-5.4",
    "bedrock-mantle:openai.gpt-oss-120b",
    "bedrock-mantle:openai.gpt-oss-20b",
    "bedrock-mantle:openai.gpt-oss-safeguard-20b",
    "cohere:command",
    "cohere:command-a-03-2025",
    "cohere:command-r-08-2024",
    "cohere:command-r-plus",
    "cohere:command-r-plus-08-2024",
    "deepseek:deepseek-chat",
    "deepseek:deepseek-reasoner",
    "google-gla:gemini-1.5-flash",
    "google-gla:gemini-1.5-pro",
    "google-gla:gemini-2.0-flash",
    "google-gla:gemini-2.5-flash",
    "google-gla:gemini-2.5-flash-lite",
    "google-gla:gemini-2.5-pro",
    "google-vertex:gemini-2.0-flash",
    "google-vertex:gemini-2.5-flash",
    "google-vertex:gemini-2.5-pro",
    "grok:grok-2-1212",
    "grok:grok-3",
    "grok:grok-4",
    "xai:grok-3",
    "xai:grok-4",
    "xai-responses:grok-4",
    "groq:gemma2-9b-it",
    "groq:llama-3.1-8b-instant",
    "groq:llama-3.3-70b-versatile",
    "groq:deepseek-r1-distill-llama-70b",
    "groq:qwen/qwen3-32b",
    "mistral:codestral-latest",
    "mistral:magistral-medium-latest",
    "mistral:mistral-large-latest",
    "mistral:mistral-small-latest",
    "openai:gpt-4.1",
    "openai:gpt-4.1-mini",
    "openai:gpt-4o",
    "openai:gpt-4o-mini",
    "openai:gpt-5",
    "openai:gpt-5-mini",
    "openai:o1",
    "openai:o3",
    "openai:o3-mini",
    "openai:o4-mini",
    "openai-responses:gpt-4o",
    "openai-responses:gpt-5",
    "openai-responses:o3",
    "perplexity:sonar",
    "perplexity:sonar-pro",
    "test",
]

# prefix -> (module, class, provider name passed to the class)
_MODEL_PREFIXES: dict[str, tuple[str, str, str]] = {
    "openai": ("wireai.models.openai", "OpenAIModel", "openai"),
    "openai-chat": ("wireai.models.openai", "OpenAIModel", "openai"),
    "openai-responses": ("wireai.models.openai", "OpenAIResponsesModel", "openai"),
    "azure": ("wireai.models.openai", "OpenAIModel", "azure"),
    "deepseek": ("wireai.models.openai", "OpenAIModel", "deepseek"),
    "openrouter": ("wireai.models.openai", "OpenAIModel", "openrouter"),
    "grok": ("wireai.models.openai", "OpenAIModel", "grok"),
    "xai": ("wireai.models.xai", "XaiModel", "xai"),
    # xAI's Responses API (its agent tools: web search), as `openai-responses:` is OpenAI's.
    "xai-responses": ("wireai.models.openai", "OpenAIResponsesModel", "xai"),
    "perplexity": ("wireai.models.openai", "OpenAIModel", "perplexity"),
    "ollama": ("wireai.models.openai", "OpenAIModel", "ollama"),
    "anthropic": ("wireai.models.anthropic", "AnthropicModel", "anthropic"),
    "anthropic-bedrock": ("wireai.models.anthropic", "AnthropicModel", "anthropic-bedrock"),
    "anthropic-bedrock-mantle": ("wireai.models.anthropic", "AnthropicModel", "anthropic-bedrock-mantle"),
    "anthropic-vertex": ("wireai.models.anthropic", "AnthropicModel", "anthropic-vertex"),
    "anthropic-foundry": ("wireai.models.anthropic", "AnthropicModel", "anthropic-foundry"),
    "google-gla": ("wireai.models.gemini", "GeminiModel", "google-gla"),
    "google": ("wireai.models.gemini", "GeminiModel", "google-gla"),
    "gemini": ("wireai.models.gemini", "GeminiModel", "google-gla"),
    "google-vertex": ("wireai.models.gemini", "GeminiModel", "google-vertex"),
    "vertexai": ("wireai.models.gemini", "GeminiModel", "google-vertex"),
    "google-cloud": ("wireai.models.gemini", "GeminiModel", "google-vertex"),
    "groq": ("wireai.models.groq", "GroqModel", "groq"),
    "mistral": ("wireai.models.mistral", "MistralModel", "mistral"),
    "cohere": ("wireai.models.cohere", "CohereModel", "cohere"),
    "bedrock": ("wireai.models.bedrock", "BedrockConverseModel", "bedrock"),
    "bedrock-mantle": ("wireai.models.bedrock_mantle", "bedrock_mantle_model", "bedrock-mantle"),
    "alibaba": ("wireai.models.openai", "OpenAIChatModel", "alibaba"),
    "cerebras": ("wireai.models.openai", "OpenAIChatModel", "cerebras"),
    "crusoe": ("wireai.models.openai", "OpenAIChatModel", "crusoe"),
    "fireworks": ("wireai.models.openai", "OpenAIChatModel", "fireworks"),
    "github": ("wireai.models.openai", "OpenAIChatModel", "github"),
    "heroku": ("wireai.models.openai", "OpenAIChatModel", "heroku"),
    "huggingface": ("wireai.models.openai", "OpenAIChatModel", "huggingface"),
    "litellm": ("wireai.models.openai", "OpenAIChatModel", "litellm"),
    "moonshotai": ("wireai.models.openai", "OpenAIChatModel", "moonshotai"),
    "nebius": ("wireai.models.openai", "OpenAIChatModel", "nebius"),
    "ovhcloud": ("wireai.models.openai", "OpenAIChatModel", "ovhcloud"),
    "sambanova": ("wireai.models.openai", "OpenAIChatModel", "sambanova"),
    "snowflake": ("wireai.models.snowflake", "SnowflakeModel", "snowflake"),
    "together": ("wireai.models.openai", "OpenAIChatModel", "together"),
    "vercel": ("wireai.models.openai", "OpenAIChatModel", "vercel"),
    "zai": ("wireai.models.openai", "OpenAIChatModel", "zai"),
}

# v0.0.36 accepted a few names without a prefix.
_BARE_NAME_PREFIXES = (
    ("gpt", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4", "openai"),
    ("claude", "anthropic"),
    ("gemini", "google-gla"),
)


def infer_model(model: Model | KnownModelName | str) -> Model:
    """A `Model` for a model object or a `'provider:model-name'` string."""
    if isinstance(model, Model):
        return model
    if not isinstance(model, str):
        raise UserError(f"Expected a Model or a 'provider:model' string, got {type(model).__name__}")
    if model == "test":
        from .test import TestModel

        return TestModel()
    prefix, sep, name = model.partition(":")
    if not sep:
        for start, guessed in _BARE_NAME_PREFIXES:
            if model.startswith(start):
                prefix, name = guessed, model
                break
        else:
            raise UserError(
                f"Unknown model {model!r}: write it as 'provider:model-name', with provider one of "
                f"{', '.join(sorted(_MODEL_PREFIXES))} (or 'test')"
            )
    if prefix == "test":
        from .test import TestModel

        return TestModel()
    try:
        module, cls, provider = _MODEL_PREFIXES[prefix]
    except KeyError:
        raise UserError(
            f"Unknown model provider {prefix!r} in {model!r}; known prefixes: {', '.join(sorted(_MODEL_PREFIXES))}, test"
        ) from None
    model_cls = getattr(importlib.import_module(module), cls)
    return model_cls(name, provider=provider)


def model_prefixes() -> dict[str, tuple[str, str, str]]:
    return dict(_MODEL_PREFIXES)


def __getattr__(name: str) -> Any:
    if name in ("cached_async_http_client", "create_async_http_client"):
        from ..transport import http

        return getattr(http, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    from ..transport.http import cached_async_http_client as cached_async_http_client
