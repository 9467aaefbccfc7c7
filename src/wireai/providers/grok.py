"""xAI under its V1 name: `GrokProvider` is `XaiProvider` reporting itself as `grok` (and also reading `GROK_API_KEY`)."""

from __future__ import annotations

from typing import ClassVar

from .xai import XaiProvider

__all__ = ["GrokProvider"]


class GrokProvider(XaiProvider):
    name = "grok"
    api_key_env: ClassVar[tuple[str, ...]] = ("XAI_API_KEY", "GROK_API_KEY")
