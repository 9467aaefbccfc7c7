"""GitHub Models: OpenAI chat at `https://models.github.ai/inference`, a GitHub token as the key.

Models are `publisher/name` (`openai/gpt-4.1`, `meta/Llama-4-Scout-17B-16E-Instruct`,
`deepseek/DeepSeek-R1`); a bare name is one of OpenAI's.
"""

from __future__ import annotations

from typing import ClassVar

from .compatible import OpenAICompatibleProvider
from .openai import openai_model_profile

__all__ = ["GitHubProvider"]


class GitHubProvider(OpenAICompatibleProvider):
    name = "github"
    default_base_url: ClassVar[str] = "https://models.github.ai/inference"
    api_key_env: ClassVar[tuple[str, ...]] = ("GITHUB_API_KEY",)
    fallback_family = openai_model_profile
