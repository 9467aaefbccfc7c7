"""`AnthropicModel`: Claude over the Messages API, via `codecs.anthropic` and `AnthropicProvider`."""

from __future__ import annotations

import re
from typing import Any, Literal, Union

import httpx
from typing_extensions import TypedDict

from ..codecs import anthropic
from ..messages import DocumentUrl, FileUrl, ImageUrl
from ..profiles import ModelProfile
from ..providers import Provider
from ..settings import ModelSettings
from ._http import HTTPModel, resolve_provider

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
    """`output_config.effort` (wins over the effort a portable `thinking` level implies)."""
    anthropic_container: str | Literal[False]
    """`container`: the code execution container to run in. Unset, a request with `CodeExecutionTool`
    continues in the container of the latest Anthropic response in the history (answering a
    programmatic tool call needs it); `False` starts a fresh one."""
    anthropic_context_management: dict[str, Any]
    """`context_management` (beta `compact-2026-01-12` added), e.g. server-side compaction:
    `{'edits': [{'type': 'compact_20260112', 'trigger': {'type': 'input_tokens', 'value': 150000}}]}`.
    The usage of every step (compaction included) is summed into the response's usage."""
    anthropic_code_execution_tool_version: Literal["20260120", "20250825", "20250522"]
    """Which `code_execution_<version>` tool `CodeExecutionTool` is sent as; unset, the model's newest
    (or the one the tools' `allowed_callers` name)."""


_VERSION = re.compile(
    r"claude-(?:(?P<family>opus|sonnet|haiku)-(?P<major>\d+)(?:-(?P<minor>\d)(?!\d))?|(?P<old>3(?:-\d)?))"
)


_SERVER_TOOLS = ("web_search", "web_fetch", "code_execution", "mcp_server")


def anthropic_model_profile(model_name: str) -> ModelProfile:
    """What a Claude model accepts: its default `max_tokens`, native JSON-schema output, whether and how
    it thinks, the native tools it runs and their versions. A name wireai cannot place gets the
    current models' profile."""
    match = _VERSION.search(model_name)
    extra: dict[str, Any] = {"max_tokens": anthropic.DEFAULT_MAX_TOKENS, "adaptive_thinking": False}
    json_schema = False
    if match and match.group("old") is not None:
        old = match.group("old")
        extra["max_tokens"] = 4096 if old == "3" else anthropic.DEFAULT_MAX_TOKENS
        extra["thinking"] = old == "3-7"
        extra["native_tools"] = ("mcp_server",) if old == "3" else _SERVER_TOOLS
        extra["code_execution_versions"] = ("20250825", "20250522")
        extra["web_tools_20260209"] = False
    elif match:
        family = match.group("family")
        version = (int(match.group("major")), int(match.group("minor") or 0))
        json_schema = version >= (4, 5) or (family == "opus" and version >= (4, 1))
        extra["adaptive_thinking"] = version >= (4, 6)
        extra["xhigh_effort"] = version >= (4, 7)
        # code_execution_20260120 (programmatic tool calling, REPL state) from Sonnet/Opus 4.5;
        # dynamic filtering of web results (the 20260209 web tools) from Sonnet/Opus 4.6.
        newer = family in ("opus", "sonnet")
        extra["code_execution_versions"] = (
            anthropic.native_tools.CODE_EXECUTION_VERSIONS
            if newer and version >= (4, 5)
            else ("20250825", "20250522")
        )
        extra["web_tools_20260209"] = newer and version >= (4, 6)
    return ModelProfile(
        supports_json_schema_output=json_schema,
        default_structured_output_mode="tool",
        extra=extra,
    )


class AnthropicModel(HTTPModel):
    """A Claude model. Accepts PydanticAI's constructors: `AnthropicModel('claude-...', api_key=...)`,
    `provider='anthropic'` or an `AnthropicProvider(...)`, plus `http_client=` and `base_url=`; Claude
    served by a cloud: `AnthropicBedrockProvider`, `AnthropicBedrockMantleProvider`,
    `AnthropicVertexProvider`, `AnthropicFoundryProvider` (or their names). Which envelope the requests take is the provider's profile's
    (`extra['anthropic_variant']`), kept under a `profile=` given here."""

    codec = anthropic

    def __init__(
        self,
        model_name: AnthropicModelName,
        *,
        provider: Literal[
            "anthropic",
            "anthropic-bedrock",
            "anthropic-bedrock-mantle",
            "anthropic-vertex",
            "anthropic-foundry",
        ]
        | Provider = "anthropic",
        api_key: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        base_url: str | None = None,
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
    ):
        provider = resolve_provider(provider, api_key=api_key, base_url=base_url, http_client=http_client)
        platform = provider.model_profile(model_name) or anthropic_model_profile(model_name)
        if profile is not None:
            variant = platform.extra.get("anthropic_variant")
            profile = (
                profile
                if variant is None
                else profile.update(extra={**profile.extra, "anthropic_variant": variant})
            )
        super().__init__(model_name, provider, settings=settings, profile=profile or platform)

    def fetches_url(self, item: FileUrl) -> bool:
        # Images and PDFs by URL where the platform fetches them; other documents (plain text...) go inline.
        if not anthropic.variant_of(self.profile).fetches_urls:
            return False
        return isinstance(item, ImageUrl) or (
            isinstance(item, DocumentUrl) and item.media_type == "application/pdf"
        )

    @property
    def system(self) -> str:
        return "anthropic"
