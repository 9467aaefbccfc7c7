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

import os

import httpx

from ..profiles import ModelProfile
from . import Provider
from .anthropic import claude_profile
from .bedrock import AwsIdentity

__all__ = ["AnthropicBedrockMantleProvider"]


class AnthropicBedrockMantleProvider(Provider):
    """`AnthropicModel('anthropic.claude-sonnet-4-5', provider=AnthropicBedrockMantleProvider(region_name='us-east-1'))`."""

    name = "anthropic-bedrock-mantle"

    def __init__(
        self,
        *,
        region_name: str | None = None,
        api_key: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int | None = None,
    ):
        self._http_client = http_client
        if max_retries is not None:
            self.max_retries = max_retries
        self._identity = AwsIdentity(
            "bedrock-mantle",
            type(self).__name__,
            region_name=region_name,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            profile_name=profile_name,
            api_key=api_key or (None if aws_access_key_id else os.environ.get("ANTHROPIC_AWS_API_KEY")),
        )
        base_url = base_url or os.environ.get("ANTHROPIC_BEDROCK_MANTLE_BASE_URL")
        if base_url:
            self.base_url = base_url.rstrip("/")
        else:
            self.base_url = f"https://bedrock-mantle.{self._identity.require_region()}.api.aws/anthropic"

    @property
    def region_name(self) -> str | None:
        return self._identity.region_name

    @property
    def auth(self) -> httpx.Auth:
        return self._identity.auth

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return claude_profile(model_name)

    def __repr__(self) -> str:  # never shows keys
        return f"AnthropicBedrockMantleProvider(region_name={self.region_name!r}, base_url={self.base_url!r}, auth={self.auth!r})"
