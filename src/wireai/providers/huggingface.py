"""Hugging Face Inference Providers: the OpenAI-compatible router at `https://router.huggingface.co/v1`.

Models are Hub ids (`Qwen/Qwen3-235B-A22B`); a `:provider` suffix (`...:together`, `:fastest`)
picks the serving partner, as the router documents. The key is a Hugging Face token (`HF_TOKEN`).
"""

from __future__ import annotations

from typing import ClassVar

from .compatible import OpenAICompatibleProvider

__all__ = ["HuggingFaceProvider"]


class HuggingFaceProvider(OpenAICompatibleProvider):
    name = "huggingface"
    default_base_url: ClassVar[str] = "https://router.huggingface.co/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("HF_TOKEN",)
