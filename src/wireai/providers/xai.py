"""xAI: Grok over OpenAI chat at `https://api.x.ai/v1` (PydanticAI's `XaiProvider` speaks xAI's gRPC SDK;
the same models answer here through the OpenAI-compatible API). Reasoning (grok-3-mini) is in
`reasoning_content`."""

from __future__ import annotations

from typing import Any, ClassVar

from .compatible import OpenAICompatibleProvider
from .families import grok_model_profile

__all__ = ["XaiProvider"]


class XaiProvider(OpenAICompatibleProvider):
    name = "xai"
    default_base_url: ClassVar[str] = "https://api.x.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("XAI_API_KEY",)
    fallback_family = grok_model_profile
    chat_options: ClassVar[dict[str, Any]] = {
        # xAI retired Live Search (`search_parameters`) on chat completions: it answers 410 Gone. Its
        # web and X search run as agent tools on its Responses API only.
        "native_tools_note": "xAI runs web search only through its Responses API; chat completions' Live Search is retired",
    }
