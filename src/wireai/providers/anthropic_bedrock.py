"""Claude on Amazon Bedrock through Anthropic's Messages API (Bedrock's InvokeModel), not Converse.

Where and as whom are Bedrock Runtime's (`BedrockProvider`: region, SigV4 with service `bedrock` or a
Bedrock API key, `bedrock_client=`); `ANTHROPIC_BEDROCK_BASE_URL` is read as the Anthropic SDK reads
it. The profile names the `bedrock` variant of the Messages codec: `POST model/{modelId}/invoke`
(`invoke-with-response-stream` in AWS event-stream framing), `anthropic_version: bedrock-2023-05-31`
in a body without `model` and `stream`, betas as `anthropic_beta`. Model ids are Bedrock's
(`anthropic.claude-sonnet-4-5-20250929-v1:0`, inference profiles `us.anthropic....`, ARNs).
"""

from __future__ import annotations

from ..profiles import ModelProfile
from .anthropic import claude_profile
from .bedrock import BedrockProvider

__all__ = ["AnthropicBedrockProvider"]


class AnthropicBedrockProvider(BedrockProvider):
    """`AnthropicModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0', provider=AnthropicBedrockProvider())`."""

    name = "anthropic-bedrock"
    base_url_env = "ANTHROPIC_BEDROCK_BASE_URL"

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return claude_profile(model_name, "bedrock")
