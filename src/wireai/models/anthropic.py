"""`AnthropicModel`: Claude over the Messages API, via `codecs.anthropic` and `AnthropicProvider`."""

from __future__ import annotations

import re
from typing import Any, Literal, Union

import httpx
from typing_extensions import TypedDict

from .._parts_manager import ModelResponsePartsManager
from ..codecs import anthropic as codec
from ..codecs._base import StreamParser
from ..exceptions import UserError
from ..messages import DocumentUrl, FileUrl, ImageUrl, ModelMessage, ModelResponse
from ..profiles import ModelProfile
from ..providers import Provider
from ..settings import ModelSettings, merge_model_settings
from . import ModelRequestParameters
from ._http import HTTPModel, PreparedRequest, resolve_provider

__all__ = [
    "AnthropicModel",
    "AnthropicModelName",
    "AnthropicModelSettings",
    "LatestAnthropicModelNames",
    "anthropic_model_profile",
]

LatestAnthropicModelNames = Literal[
    "claude-opus-4-7",
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "claude-haiku-4-5",
    "claude-opus-4-5",
    "claude-sonnet-4-5",
    "claude-opus-4-1",
    "claude-opus-4-0",
    "claude-sonnet-4-0",
    "claude-3-7-sonnet-latest",
    "claude-3-5-haiku-latest",
    "claude-3-5-sonnet-latest",
    "claude-3-opus-latest",
]
AnthropicModelName = Union[str, LatestAnthropicModelNames]
"""Any Claude model id; the literal lists current ones for editors."""

CacheSetting = Union[bool, Literal["5m", "1h"]]


class ThinkingEnabled(TypedDict):
    type: Literal["enabled"]
    budget_tokens: int


class ThinkingOther(TypedDict):
    type: Literal["adaptive", "disabled"]


class AnthropicModelSettings(ModelSettings, total=False):
    """Settings only Anthropic understands (each maps to one request field or header)."""

    anthropic_metadata: dict[str, Any]
    """`metadata`, e.g. `{'user_id': 'opaque-id'}`."""
    anthropic_thinking: ThinkingEnabled | ThinkingOther | bool
    """`thinking`. `True` picks `adaptive` where the model takes it, else `enabled` with a 4096 budget."""
    anthropic_cache_instructions: CacheSetting
    """`cache_control` on the last `system` block (`True` = default 5 minute TTL, or `'1h'`)."""
    anthropic_cache_tool_definitions: CacheSetting
    """`cache_control` on the last tool definition."""
    anthropic_cache_messages: CacheSetting
    """`cache_control` on the last content block of the last message."""
    anthropic_cache: CacheSetting
    """Top-level `cache_control`: the API places the breakpoint itself (automatic caching)."""
    anthropic_betas: list[str]
    """Extra `anthropic-beta` values (merged with any in `extra_headers`, each sent once)."""
    anthropic_service_tier: Literal["auto", "standard_only"]
    anthropic_effort: Literal["low", "medium", "high", "xhigh", "max"]
    """`output_config.effort`."""


DEFAULT_THINKING_BUDGET = 4096
_VERSION = re.compile(
    r"claude-(?:(?P<family>opus|sonnet|haiku)-(?P<major>\d+)(?:-(?P<minor>\d)(?!\d))?|(?P<old>3(?:-\d)?))"
)


def anthropic_model_profile(model_name: str) -> ModelProfile:
    """What a Claude model accepts: its default `max_tokens`, native JSON-schema output, adaptive thinking."""
    match = _VERSION.search(model_name)
    max_tokens, json_schema, adaptive = 8192, False, False
    if match and match.group("old") is not None:
        max_tokens = 4096 if match.group("old") == "3" else 8192
    elif match:
        version = (int(match.group("major")), int(match.group("minor") or 0))
        json_schema = version >= (4, 5) or (match.group("family") == "opus" and version >= (4, 1))
        adaptive = version >= (4, 6)
    return ModelProfile(
        supports_json_schema_output=json_schema,
        default_structured_output_mode="tool",
        extra={"max_tokens": max_tokens, "adaptive_thinking": adaptive},
    )


class AnthropicModel(HTTPModel):
    """A Claude model. Accepts PydanticAI's constructors: `AnthropicModel('claude-...', api_key=...)`,
    `provider='anthropic'` or an `AnthropicProvider(...)`, plus `http_client=` and `base_url=`."""

    def __init__(
        self,
        model_name: AnthropicModelName,
        *,
        provider: Literal["anthropic"] | Provider = "anthropic",
        api_key: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        base_url: str | None = None,
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
    ):
        provider = resolve_provider(provider, api_key=api_key, base_url=base_url, http_client=http_client)
        super().__init__(
            model_name, provider, settings=settings, profile=profile or anthropic_model_profile(model_name)
        )

    def fetches_url(self, item: FileUrl) -> bool:
        # Images and PDFs by URL; other documents (plain text...) go inline.
        return isinstance(item, ImageUrl) or (
            isinstance(item, DocumentUrl) and item.media_type == "application/pdf"
        )

    @property
    def system(self) -> str:
        return "anthropic"

    def build_request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        *,
        stream: bool = False,
    ) -> PreparedRequest:
        prepared = super().build_request(messages, model_settings, model_request_parameters, stream=stream)
        # `extra_headers` may have replaced our `anthropic-beta`: send the union, each beta once.
        settings: dict[str, Any] = dict(merge_model_settings(self._settings, model_settings) or {})
        betas = list(settings.get("anthropic_betas", []))
        for name in list(prepared.headers):
            if name.lower() == "anthropic-beta":
                betas.append(prepared.headers.pop(name))
        prepared.headers.update(codec.request_headers(betas))
        return prepared

    def prepare(
        self,
        messages: list[ModelMessage],
        settings: ModelSettings,
        params: ModelRequestParameters,
        *,
        stream: bool,
    ) -> PreparedRequest:
        s: AnthropicModelSettings = settings  # type: ignore[assignment]
        extra = self.profile.extra
        default_max = int(extra.get("max_tokens", 8192))
        thinking = self._thinking(s.get("anthropic_thinking"))
        max_tokens = s.get("max_tokens")
        if max_tokens is None:
            budget = thinking.get("budget_tokens", 0) if thinking else 0
            max_tokens = default_max if budget < default_max else budget + default_max
        output_object = params.output_object
        options = codec.RequestOptions(
            model=self._model_name,
            max_tokens=max_tokens,
            stream=stream,
            thinking=thinking,
            cache_instructions=s.get("anthropic_cache_instructions", False),
            cache_tool_definitions=s.get("anthropic_cache_tool_definitions", False),
            cache_messages=s.get("anthropic_cache_messages", False),
            cache=s.get("anthropic_cache", False),
            metadata=s.get("anthropic_metadata"),
            service_tier=s.get("anthropic_service_tier"),
            effort=s.get("anthropic_effort"),
        )
        body = codec.build_request(
            messages,
            settings,
            options=options,
            function_tools=params.function_tools,
            output_tools=params.output_tools,
            output_mode=params.output_mode,
            output_schema=output_object.json_schema if output_object is not None else None,
            allow_text_output=params.allow_text_output,
        )
        return PreparedRequest(
            self._provider.url("/v1/messages"), body, codec.request_headers(s.get("anthropic_betas", []))
        )

    def _thinking(self, setting: Any) -> dict[str, Any] | None:
        if setting is None or setting is False:
            return None
        if setting is True:
            if self.profile.extra.get("adaptive_thinking"):
                return {"type": "adaptive"}
            return {"type": "enabled", "budget_tokens": DEFAULT_THINKING_BUDGET}
        if isinstance(setting, dict):
            return dict(setting)
        raise UserError(
            "`anthropic_thinking` takes True/False or a dict like {'type': 'enabled', 'budget_tokens': 2048}"
        )

    def parse(self, body: Any) -> ModelResponse:
        response = codec.parse_response(body, model_name=self._model_name)
        response.provider_name = self.system
        return response

    def stream_parser(self, parts: ModelResponsePartsManager, params: ModelRequestParameters) -> StreamParser:
        return codec.AnthropicStreamParser(parts, model_name=self._model_name)
