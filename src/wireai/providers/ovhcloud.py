"""OVHcloud AI Endpoints: OpenAI chat at `https://oai.endpoints.kepler.ai.cloud.ovh.net/v1`."""

from __future__ import annotations

from typing import ClassVar

from .compatible import OpenAICompatibleProvider

__all__ = ["OVHcloudProvider"]


class OVHcloudProvider(OpenAICompatibleProvider):
    name = "ovhcloud"
    default_base_url: ClassVar[str] = "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("OVHCLOUD_API_KEY",)
