"""Groq: the OpenAI chat codec with Groq's host profile (see `providers/groq.py`), not a codec of its own.

A tool call Groq's server could not parse comes back as HTTP 400 `{"error": {"code":
"tool_use_failed", "failed_generation": "..."}}` (inside the stream too). It is raised as a
`ModelHTTPError` whose `body` keeps `failed_generation`; `GroqModel.retry_feedback` turns it into
a retry prompt, so the agent asks again (counted against its output retries) instead of failing.
"""

from __future__ import annotations

from typing import Any, Literal

import httpx

from ..exceptions import ModelHTTPError
from ..profiles import ModelProfile
from ..providers import Provider
from ..settings import ModelSettings
from .openai import OpenAIChatModel, OpenAIModelSettings

__all__ = [
    "GroqModel",
    "GroqModelName",
    "GroqModelSettings",
    "is_tool_use_failed",
    "tool_use_failed_generation",
]

GroqModelName = Literal[
    "llama-3.3-70b-versatile",
    "llama-3.1-8b-instant",
    "llama3-70b-8192",
    "llama3-8b-8192",
    "gemma2-9b-it",
    "deepseek-r1-distill-llama-70b",
    "qwen/qwen3-32b",
    "qwen-qwq-32b",
    "mistral-saba-24b",
    "meta-llama/llama-4-maverick-17b-128e-instruct",
    "meta-llama/llama-4-scout-17b-16e-instruct",
    "moonshotai/kimi-k2-instruct",
    "openai/gpt-oss-120b",
    "openai/gpt-oss-20b",
]


class GroqModelSettings(OpenAIModelSettings, total=False):
    groq_reasoning_format: Literal["hidden", "raw", "parsed"]
    """`parsed`: reasoning in `reasoning` (a `ThinkingPart`); `raw`: inline `<think>` (split out too); `hidden`: none."""


class GroqModel(OpenAIChatModel):
    """`https://api.groq.com/openai/v1/chat/completions`, key from `GROQ_API_KEY`."""

    def __init__(
        self,
        model_name: GroqModelName | str,
        *,
        provider: Literal["groq"] | str | Provider = "groq",
        api_key: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        settings: ModelSettings | GroqModelSettings | None = None,
        profile: ModelProfile | None = None,
        groq_client: Any = None,
    ):
        super().__init__(
            model_name,
            provider=provider,
            api_key=api_key,
            base_url=base_url,
            http_client=http_client,
            openai_client=groq_client,
            settings=settings,
            profile=profile,
        )

    def retry_feedback(self, error: Exception) -> str | None:
        generation = tool_use_failed_generation(error)
        if generation is None:
            return None
        return (
            "Your tool call could not be parsed by the server (it must be a tool name and a JSON object "
            f"of arguments). You generated:\n{generation}\nCall the tool again with valid JSON arguments."
        )


def tool_use_failed_generation(exc: BaseException) -> str | None:
    """The text Groq's model produced when its tool call failed to parse, else None."""
    if not isinstance(exc, ModelHTTPError) or exc.status_code != 400 or not isinstance(exc.body, dict):
        return None
    error = exc.body.get("error")
    if not isinstance(error, dict) or error.get("code") != "tool_use_failed":
        return None
    generation = error.get("failed_generation")
    return generation if isinstance(generation, str) else ""


def is_tool_use_failed(exc: BaseException) -> bool:
    return tool_use_failed_generation(exc) is not None
