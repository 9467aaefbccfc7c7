"""xAI Grok: OpenAI chat at `https://api.x.ai/v1`, reasoning (grok-3-mini) in `reasoning_content`."""

from __future__ import annotations

from typing import Any, ClassVar

from ..profiles import ModelProfile
from .openai import OpenAIProvider

__all__ = ["GrokProvider"]


class GrokProvider(OpenAIProvider):
    name = "grok"
    default_base_url: ClassVar[str] = "https://api.x.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("XAI_API_KEY", "GROK_API_KEY")
    base_url_env: ClassVar[tuple[str, ...]] = ()

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return ModelProfile(
            supports_json_schema_output=True,
            supports_json_object_output=True,
            extra={
                "openai_chat": {
                    "reasoning_fields": ("reasoning_content",),
                    "native_tools_note": _NO_NATIVE_TOOLS,
                    "service_tiers": {},
                    **_thinking(model_name),
                }
            },
        )


# xAI retired Live Search (`search_parameters`) on chat completions: it answers 410 Gone. Its web
# and X search run as agent tools on its Responses API only.
_NO_NATIVE_TOOLS = (
    "xAI runs web search only through its Responses API; chat completions' Live Search is retired"
)


def _thinking(model_name: str) -> dict[str, Any]:
    """grok-3-mini takes `reasoning_effort` low or high; grok-4 reasoning models always think and
    reject the field; non-reasoning models cannot think."""
    if model_name.startswith("grok-3-mini"):
        return {"thinking_efforts": ("low", "high"), "thinking_on": "low"}
    if "non-reasoning" in model_name or not model_name.startswith(("grok-4", "grok-code")):
        return {"thinking": "never"}
    return {"thinking": "always"}
