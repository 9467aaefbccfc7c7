"""Vercel AI Gateway: OpenAI chat at `https://ai-gateway.vercel.sh/v1`, models `provider/model`.

The key is an AI Gateway API key (`VERCEL_AI_GATEWAY_API_KEY`) or, on Vercel, the deployment's
OIDC token (`VERCEL_OIDC_TOKEN`).
"""

from __future__ import annotations

from typing import ClassVar

from .compatible import OpenAICompatibleProvider

__all__ = ["VercelProvider"]


class VercelProvider(OpenAICompatibleProvider):
    name = "vercel"
    default_base_url: ClassVar[str] = "https://ai-gateway.vercel.sh/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("VERCEL_AI_GATEWAY_API_KEY", "VERCEL_OIDC_TOKEN")
