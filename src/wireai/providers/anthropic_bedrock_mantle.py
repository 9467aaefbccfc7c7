"""Claude on Amazon Bedrock Mantle: Anthropic's own Messages API at `bedrock-mantle.{region}.api.aws/anthropic`.

Anthropic's recommended way to Claude on Bedrock (its SDK's `AnthropicBedrockMantle` client): the
Anthropic API's requests as they are (`POST v1/messages`, `model` and `stream` in the body, the
`anthropic-version` header), so the Messages codec needs no variant; only where and as whom differ:
SigV4 for service `bedrock-mantle`, or a Bedrock API key (`api_key=`, `AWS_BEARER_TOKEN_BEDROCK` or
`ANTHROPIC_AWS_API_KEY`) as the bearer token; the region and credential chain as `BedrockProvider`'s.
`base_url=` (or `ANTHROPIC_BEDROCK_MANTLE_BASE_URL`) replaces the whole base. Model ids are Mantle's
(`anthropic.claude-opus-4-5`: no inference-profile prefix, no version suffix).
"""

from __future__ import annotations

from ..profiles import ModelProfile
from .anthropic import claude_profile
from .bedrock import AwsProvider

__all__ = ["AnthropicBedrockMantleProvider"]


class AnthropicBedrockMantleProvider(AwsProvider):
    """`AnthropicModel('anthropic.claude-sonnet-4-5', provider=AnthropicBedrockMantleProvider(region_name='us-east-1'))`."""

    name = "anthropic-bedrock-mantle"
    signing_name = "bedrock-mantle"
    base_url_env = "ANTHROPIC_BEDROCK_MANTLE_BASE_URL"
    bearer_env = ("AWS_BEARER_TOKEN_BEDROCK", "ANTHROPIC_AWS_API_KEY")

    def regional_base_url(self, region: str) -> str:
        return f"https://bedrock-mantle.{region}.api.aws/anthropic"

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return claude_profile(model_name)
