"""Heroku Managed Inference: OpenAI chat at `HEROKU_INFERENCE_URL` + `/v1` (default `https://us.inference.heroku.com`).

The add-on sets `HEROKU_INFERENCE_KEY` and `HEROKU_INFERENCE_URL` on the app; models have bare
names (`claude-4-sonnet`, `gpt-oss-120b`, `kimi-k2-5`, `nova-pro`), matched to their family.
"""

from __future__ import annotations

import os
from typing import ClassVar

from .compatible import OpenAICompatibleProvider

__all__ = ["HerokuProvider"]


class HerokuProvider(OpenAICompatibleProvider):
    name = "heroku"
    default_base_url: ClassVar[str] = "https://us.inference.heroku.com/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("HEROKU_INFERENCE_KEY",)

    def resolve_base_url(self, base_url: str | None) -> str | None:
        # The add-on's URL is the host alone; the OpenAI-compatible API is under `/v1`.
        base = (base_url or os.environ.get("HEROKU_INFERENCE_URL") or self.default_base_url).rstrip("/")
        return base if base.endswith("/v1") else base + "/v1"
