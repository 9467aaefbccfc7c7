"""The base of every OpenAI-compatible host that is only data: where it is, which env vars, its quirks.

A host module sets `name`, `default_base_url`, `api_key_env` (and `base_url_env` if the host
documents one), and says how its models differ from their family's profile (`profile_changes`,
`chat_options`, `fallback_family`); the family itself comes from `wireai.profiles.families`, so a
Qwen model is described once whether Together, Fireworks or Nebius serves it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import httpx

from ..profiles import ModelProfile, merge_extra
from ..transport.pacing import Pacing
from . import env_key
from .families import compatible_profile
from .openai import OpenAIProvider

__all__ = ["OpenAICompatibleProvider"]


class OpenAICompatibleProvider(OpenAIProvider):
    """`Authorization: Bearer <key>` at `default_base_url` (or `base_url=`); the key is required unless
    `key_optional`, even on a custom base URL (these hosts always want one)."""

    base_url_env: ClassVar[tuple[str, ...]] = ()
    profile_changes: ClassVar[Mapping[str, Any]] = {}
    """Profile fields the host sets whatever the family says (Crusoe's guided decoding: JSON schema always)."""
    chat_options: ClassVar[Mapping[str, Any]] = {}
    """`openai_chat` codec knobs of the host (which field carries reasoning, ...)."""
    responses_options: ClassVar[Mapping[str, Any]] = {}
    """Responses codec knobs of the host (`openai_native_tools`, `openai_web_search`...), for the host's
    models under `OpenAIResponsesModel`."""
    fallback_family: ClassVar[Callable[[str], ModelProfile] | None] = None
    """The profile of names no family claims (GitHub's bare names are OpenAI's models)."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        openai_client: Any = None,
        http_client: httpx.AsyncClient | None = None,
        *,
        max_retries: int | None = None,
        pacing: bool | Pacing = False,
    ):
        if openai_client is None:
            api_key = env_key(api_key, *self.api_key_env, provider=self.name, required=not self.key_optional)
            base_url = self.resolve_base_url(base_url)
        super().__init__(
            base_url=base_url,
            api_key=api_key,
            openai_client=openai_client,
            http_client=http_client,
            max_retries=max_retries,
            pacing=pacing,
        )

    def resolve_base_url(self, base_url: str | None) -> str | None:
        """The base URL to use for `base_url=` (None: `base_url_env`, then `default_base_url`)."""
        return base_url

    def model_profile(self, model_name: str) -> ModelProfile | None:
        fallback = type(self).fallback_family  # a plain function kept on the class, not a method
        # None of these hosts has OpenAI's service tiers: the portable `service_tier` is not sent.
        chat = {"service_tiers": {}, **self.chat_options}
        profile = compatible_profile(model_name, fallback=fallback, changes=self.profile_changes, chat=chat)
        if self.responses_options:
            profile = profile.update(extra=merge_extra(profile.extra, dict(self.responses_options)))
        return profile
