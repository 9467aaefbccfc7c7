"""`BedrockConverseModel`: any model behind AWS Bedrock's Converse API, via `codecs.bedrock` and `BedrockProvider`."""

from __future__ import annotations

from typing import Any, Literal, Union

import httpx
from typing_extensions import TypedDict

from ..codecs import bedrock
from ..messages import FileUrl
from ..profiles import ModelProfile
from ..providers import Provider
from ..settings import ModelSettings
from ._http import HTTPModel, resolve_provider

__all__ = ["BedrockConverseModel", "BedrockModelName", "BedrockModelSettings", "bedrock_model_profile"]

LatestBedrockModelNames = Literal[
    "amazon.nova-pro-v1:0",
    "amazon.nova-lite-v1:0",
    "amazon.nova-micro-v1:0",
    "amazon.titan-text-express-v1",
    "anthropic.claude-3-sonnet-20240229-v1:0",
    "anthropic.claude-3-haiku-20240307-v1:0",
    "anthropic.claude-3-opus-20240229-v1:0",
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "anthropic.claude-3-5-sonnet-20241022-v2:0",
    "anthropic.claude-3-5-haiku-20241022-v1:0",
    "anthropic.claude-3-7-sonnet-20250219-v1:0",
    "anthropic.claude-sonnet-4-20250514-v1:0",
    "anthropic.claude-opus-4-20250514-v1:0",
    "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
    "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
    "us.anthropic.claude-sonnet-4-20250514-v1:0",
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    "us.amazon.nova-pro-v1:0",
    "us.amazon.nova-2-lite-v1:0",
    "global.amazon.nova-2-lite-v1:0",
    "cohere.command-r-v1:0",
    "cohere.command-r-plus-v1:0",
    "meta.llama3-8b-instruct-v1:0",
    "meta.llama3-70b-instruct-v1:0",
    "meta.llama3-1-405b-instruct-v1:0",
    "meta.llama3-3-70b-instruct-v1:0",
    "us.meta.llama3-3-70b-instruct-v1:0",
    "mistral.mistral-large-2402-v1:0",
    "mistral.mistral-large-2407-v1:0",
    "us.deepseek.r1-v1:0",
]
BedrockModelName = Union[str, LatestBedrockModelNames]
"""Any Bedrock model id, inference profile id (`us.anthropic...`) or ARN; the literal lists common ones."""
CacheSetting = Union[bool, Literal["5m", "1h"]]
ServiceTierType = Literal["priority", "default", "flex", "reserved"]


class ServiceTierDict(TypedDict):
    type: ServiceTierType


class BedrockModelSettings(ModelSettings, total=False):
    """Settings only Bedrock understands (each maps to one Converse request field)."""

    bedrock_additional_model_requests_fields: dict[str, Any]
    """Merged into `additionalModelRequestFields`, e.g. `{'thinking': {'type': 'enabled', 'budget_tokens': 1024}}`;
    a reasoning key here (`thinking`, `reasoningConfig`, `reasoning_effort`) wins over the portable `thinking`."""
    bedrock_guardrail_config: dict[str, Any]
    """`guardrailConfig`: `{'guardrailIdentifier': ..., 'guardrailVersion': ..., 'trace': 'enabled'}`."""
    bedrock_performance_configuration: dict[str, Any]
    """`performanceConfig`, e.g. `{'latency': 'optimized'}`."""
    bedrock_request_metadata: dict[str, str]
    """`requestMetadata` (for invocation logs)."""
    bedrock_additional_model_response_fields_paths: list[str]
    """`additionalModelResponseFieldPaths` (JSON pointers into the model's native answer)."""
    bedrock_prompt_variables: dict[str, Any]
    """`promptVariables`, for a prompt-management ARN as model id."""
    bedrock_service_tier: ServiceTierType | ServiceTierDict
    """`serviceTier`: a tier name, or PydanticAI's `{'type': ...}`; wins over the portable
    `service_tier`, and is the only way to ask for `'reserved'`."""
    bedrock_cache_instructions: CacheSetting
    """A `cachePoint` after the system blocks (`True` = the default 5 minute TTL, or `'1h'`)."""
    bedrock_cache_tool_definitions: CacheSetting
    """A `cachePoint` after the tool definitions."""
    bedrock_cache_messages: CacheSetting
    """A `cachePoint` at the end of the last user message."""


# Families Converse serves that have neither cache points nor files inside tool results.
_PLAIN_FAMILIES = (
    "meta.",
    "mistral.",
    "cohere.",
    "titan",
    "deepseek.",
    "ai21.",
    "writer.",
    "openai.",
    "qwen.",
)


def bedrock_model_profile(model_name: str) -> ModelProfile:
    """What a model family behind Converse accepts: `toolChoice` (not Llama, Cohere or the small
    Mistrals), cache points and files inside tool results (Claude, Nova and families wireai does not
    know, such as ARNs; not the plain ones), its thinking field, native tools (Nova 2's code
    interpreter), Nova's `topK` spelling and image output (Nova 2 Omni)."""
    from .anthropic import anthropic_model_profile

    name = model_name.lower()
    # Meta Llama, Cohere and older Mistral reject toolChoice (any/tool) with a ValidationException.
    tool_choice = not any(
        family in name for family in ("meta.", "cohere.", "mistral.mistral-7b", "mistral.mixtral")
    )
    plain = any(family in name for family in _PLAIN_FAMILIES)
    json_schema = False
    extra: dict[str, Any] = {
        "bedrock_supports_tool_choice": tool_choice,
        "bedrock_prompt_caching": not plain,
        "bedrock_files_in_tool_results": not plain,
    }
    if "claude" in name:
        # How a Claude thinks (and whether it takes JSON-schema output) is the same wherever it is served.
        claude = anthropic_model_profile(name)
        json_schema = claude.supports_json_schema_output
        extra["bedrock_thinking"] = "claude"
        extra.update(
            {
                key: claude.extra[key]
                for key in ("adaptive_thinking", "xhigh_effort", "thinking")
                if key in claude.extra
            }
        )
    elif "nova-2" in name:
        extra.update(bedrock_thinking="nova", bedrock_native_tools=("code_execution",))
    elif "gpt-oss" in name:
        extra["bedrock_thinking"] = "openai"
    if "nova" in name:
        extra["bedrock_top_k"] = "nova"
    return ModelProfile(
        supports_tools="titan" not in name,
        supports_json_schema_output=json_schema,
        supports_image_output="nova-2-omni" in name,
        default_structured_output_mode="tool",
        extra=extra,
    )


class BedrockConverseModel(HTTPModel):
    """A model behind Bedrock Converse. Accepts PydanticAI's constructors:
    `BedrockConverseModel('anthropic.claude-...')`, `provider='bedrock'` or a `BedrockProvider(...)`,
    plus `api_key=` (a Bedrock API key), `http_client=` and `base_url=`."""

    codec = bedrock

    def __init__(
        self,
        model_name: BedrockModelName,
        *,
        provider: Literal["bedrock"] | Provider = "bedrock",
        api_key: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        base_url: str | None = None,
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
    ):
        provider = resolve_provider(provider, api_key=api_key, base_url=base_url, http_client=http_client)
        super().__init__(
            model_name, provider, settings=settings, profile=profile or bedrock_model_profile(model_name)
        )

    def fetches_url(self, item: FileUrl) -> bool:
        # Converse reads S3 locations itself; anything else travels as bytes.
        return item.url.startswith("s3://")

    @property
    def system(self) -> str:
        return "bedrock"
