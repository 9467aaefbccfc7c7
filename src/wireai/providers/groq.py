"""Groq: OpenAI chat at `https://api.groq.com/openai/v1`, usage in `x_groq`, `reasoning_format`."""

from __future__ import annotations

from typing import Any, ClassVar

from ..profiles import ModelProfile
from .openai import OpenAIProvider

__all__ = ["GroqProvider"]

# Models Groq documents as supporting `response_format: json_schema` (structured outputs).
_JSON_SCHEMA_MODELS = ("openai/gpt-oss", "moonshotai/kimi-k2", "meta-llama/llama-4")
# Compound systems: web search and code execution run on Groq's side, reported in `executed_tools`.
_COMPOUND_MODELS = ("groq/compound", "compound-beta")
# Groq's portable tiers: its `on_demand` is OpenAI's default, `performance` its priority.
_SERVICE_TIERS = {"auto": "auto", "default": "on_demand", "flex": "flex", "priority": "performance"}


def _model_options(model_name: str) -> dict[str, Any]:
    """What this Groq model runs itself and how it takes `thinking`: gpt-oss has `browser_search` and
    `code_interpreter` tools and efforts low-high; qwen3 reasons (`default`) or not (`none`);
    compound systems search and run code unasked (their `search_settings` filter domains)."""
    if model_name.startswith(_COMPOUND_MODELS):
        return {"native_tools": ("search_settings", "compound_code")}
    if model_name.startswith("openai/gpt-oss"):
        return {
            "native_tools": ("browser_search", "code_interpreter"),
            "thinking_efforts": ("low", "medium", "high"),
        }
    if model_name.startswith("qwen/qwen3"):
        return {"thinking_efforts": ("none", "default"), "thinking_on": "default", "thinking_off": "none"}
    if "deepseek-r1" in model_name:
        return {"thinking": "always"}
    return {"thinking": "never"}


class GroqProvider(OpenAIProvider):
    name = "groq"
    default_base_url: ClassVar[str] = "https://api.groq.com/openai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("GROQ_API_KEY",)
    base_url_env: ClassVar[tuple[str, ...]] = ("GROQ_BASE_URL",)

    def model_profile(self, model_name: str) -> ModelProfile | None:
        return groq_model_profile(model_name)


def groq_model_profile(model_name: str) -> ModelProfile:
    """Groq's host quirks as data for the shared chat codec.

    Groq rejects `stream_options` and reports stream usage in the last chunk's `x_groq.usage`;
    `reasoning_format: parsed` returns `reasoning`, `raw` puts `<think>` inline in the content.
    """
    json_schema = model_name.startswith(_JSON_SCHEMA_MODELS)
    return ModelProfile(
        supports_json_schema_output=json_schema,
        supports_json_object_output=True,
        default_structured_output_mode="native" if json_schema else "tool",
        extra={
            "openai_chat": {
                "include_usage": False,
                "x_groq_usage": True,
                "reasoning_fields": ("reasoning",),
                "think_tags": True,
                "setting_fields": {"groq_reasoning_format": "reasoning_format"},
                "service_tiers": _SERVICE_TIERS,
                **_model_options(model_name),
            }
        },
    )
