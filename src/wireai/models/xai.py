"""PydanticAI V2 spelling: `from wireai.models.xai import XaiModel`.

PydanticAI's `XaiModel` drives xAI's gRPC SDK; here it is the Chat Completions model with the
`xai` provider by default, since xAI serves the same models over its OpenAI-compatible API.
"""

from __future__ import annotations

from ..profiles import ModelProfile
from ..providers import Provider
from ..settings import ModelSettings
from .openai import OpenAIChatModel

__all__ = ["XaiModel"]


class XaiModel(OpenAIChatModel):
    """`XaiModel('grok-4')`, key from `XAI_API_KEY`; or `XaiModel('grok-4', provider=XaiProvider(api_key=...))`."""

    def __init__(
        self,
        model_name: str,
        *,
        provider: str | Provider = "xai",
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
    ):
        super().__init__(model_name, provider=provider, settings=settings, profile=profile)
