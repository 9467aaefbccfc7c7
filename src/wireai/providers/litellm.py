"""A LiteLLM proxy: OpenAI chat at the proxy's URL (`api_base=`), with its virtual or master key if it has one.

PydanticAI's provider takes `api_base=` and `api_key=` and reads no env var; wireai also reads
LiteLLM's own `LITELLM_PROXY_API_BASE` / `LITELLM_PROXY_API_KEY`, so `litellm:<model>` works from the
environment. There is no default URL: a proxy is yours, and sending to api.openai.com instead
(what a bare OpenAI client would do) is never what was meant. Model names are the proxy's
(`gpt-4o`, `anthropic/claude-sonnet-4-5`); unknown ones get OpenAI's profile, as in PydanticAI.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import httpx

from ..exceptions import UserError
from ..transport.pacing import Pacing
from .compatible import OpenAICompatibleProvider
from .openai import openai_model_profile

__all__ = ["LiteLLMProvider"]


class LiteLLMProvider(OpenAICompatibleProvider):
    name = "litellm"
    default_base_url: ClassVar[str] = ""  # none: see the module docstring
    api_key_env: ClassVar[tuple[str, ...]] = ("LITELLM_PROXY_API_KEY",)
    key_optional: ClassVar[bool] = True  # a proxy without a master key takes any request
    fallback_family = openai_model_profile

    def __init__(
        self,
        *,
        api_key: str | None = None,
        api_base: str | None = None,
        openai_client: Any = None,
        http_client: httpx.AsyncClient | None = None,
        base_url: str | None = None,
        max_retries: int | None = None,
        pacing: bool | Pacing = False,
    ):
        if api_base and base_url and api_base != base_url:
            raise UserError("Pass the proxy URL once, as `api_base=`")
        super().__init__(
            api_base or base_url, api_key, openai_client, http_client, max_retries=max_retries, pacing=pacing
        )

    def resolve_base_url(self, base_url: str | None) -> str | None:
        url = base_url or os.environ.get("LITELLM_PROXY_API_BASE")
        if not url:
            raise UserError(
                "Set the `LITELLM_PROXY_API_BASE` environment variable or pass `api_base=` "
                "(your LiteLLM proxy's URL, e.g. http://localhost:4000) to use the litellm provider"
            )
        return url
