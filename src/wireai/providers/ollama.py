"""Ollama's OpenAI-compatible API (`http://localhost:11434/v1` or `OLLAMA_BASE_URL`); no key needed."""

from __future__ import annotations

from typing import ClassVar

from ..profiles import ModelProfile
from .families import compatible_profile
from .openai import OpenAIProvider

__all__ = ["OllamaProvider"]


class OllamaProvider(OpenAIProvider):
    name = "ollama"
    default_base_url: ClassVar[str] = "http://localhost:11434/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("OLLAMA_API_KEY",)
    base_url_env: ClassVar[tuple[str, ...]] = ("OLLAMA_BASE_URL",)
    key_optional: ClassVar[bool] = True

    def model_profile(self, model_name: str) -> ModelProfile | None:
        # Any family's model (`qwen3:8b`, `llama3.2`); Ollama grammar-constrains response_format for all.
        # Thinking models answer with `reasoning` (or inline `<think>` on older Ollama versions).
        return compatible_profile(
            model_name,
            changes={"supports_json_schema_output": True, "supports_json_object_output": True},
            chat={"reasoning_fields": ("reasoning",), "think_tags": True, "service_tiers": {}},
        )
