"""Claude on Amazon Bedrock through Anthropic's Messages API (Bedrock's InvokeModel), not Converse.

Where and as whom are Bedrock Runtime's (`BedrockProvider`: region, SigV4 with service `bedrock` or a
Bedrock API key, `bedrock_client=`); `ANTHROPIC_BEDROCK_BASE_URL` is read as the Anthropic SDK reads
it. The profile names the `bedrock` variant of the Messages codec: `POST model/{modelId}/invoke`
(`invoke-with-response-stream` in AWS event-stream framing), `anthropic_version: bedrock-2023-05-31`
in a body without `model` and `stream`, betas as `anthropic_beta`. Model ids are Bedrock's
(`anthropic.claude-sonnet-4-5-20250929-v1:0`, inference profiles `us.anthropic....`, ARNs).
"""

from __future__ import annotations

import os
from typing import Any

import httpx

from ..profiles import ModelProfile
from .anthropic import claude_profile
from .bedrock import BedrockProvider

__all__ = ["AnthropicBedrockProvider"]


class AnthropicBedrockProvider(BedrockProvider):
    """`AnthropicModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0', provider=AnthropicBedrockProvider())`."""

    name = "anthropic-bedrock"

    def __init__(
        self,
        *,
        bedrock_client: Any = None,
        region_name: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int | None = None,
    ):
        super().__init__(
            bedrock_client=bedrock_client,
            region_name=region_name,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            profile_name=profile_name,
            api_key=api_key,
            base_url=base_url or os.environ.get("ANTHROPIC_BEDROCK_BASE_URL"),
            http_client=http_client,
            max_retries=max_retries,
        )

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return claude_profile(model_name, "bedrock")
