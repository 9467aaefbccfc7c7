"""xAI: Grok at `https://api.x.ai/v1`, over OpenAI chat (`OpenAIChatModel`, `XaiModel`) or xAI's
Responses API (`OpenAIResponsesModel('grok-4', provider=XaiProvider())`, `xai-responses:grok-4`).
PydanticAI's `XaiProvider` speaks xAI's gRPC SDK; the same models answer here through the
OpenAI-compatible APIs. Reasoning (grok-3-mini) is in `reasoning_content` on chat.

Web search runs only on the Responses API, as xAI's `web_search` agent tool: xAI's reference takes
`allowed_domains` or `excluded_domains` (at most 5 each) on the tool itself and rejects OpenAI's
`search_context_size` and `user_location`; there is no per-tool search limit.
"""

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
        "native_tools_note": (
            "xAI runs web search only through its Responses API: use "
            "OpenAIResponsesModel(model_name, provider=XaiProvider()) or 'xai-responses:<model>'; "
            "chat completions' Live Search is retired"
        ),
    }
    responses_options: ClassVar[dict[str, Any]] = {
        "openai_native_tools": ("web_search",),
        "openai_web_search": {
            "vendor": "xAI",
            "fields": {"allowed_domains": "allowed_domains", "blocked_domains": "excluded_domains"},
            "max_domains": 5,
        },
    }
