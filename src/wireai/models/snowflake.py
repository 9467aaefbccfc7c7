"""PydanticAI's spelling: `from wireai.models.snowflake import SnowflakeModel, SnowflakeModelSettings`.

Snowflake Cortex is an OpenAI-compatible host, so `SnowflakeModel` is the Chat Completions model
with the `snowflake` provider by default; what Cortex does differently (Claude's `reasoning` request
object, its `reasoning_details` answers) is the provider's profile data, not code here.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

from ..profiles import ModelProfile
from ..providers import Provider
from .openai import OpenAIChatModel, OpenAIChatModelSettings

__all__ = ["SnowflakeModel", "SnowflakeModelSettings", "SnowflakeReasoning"]


class SnowflakeReasoning(TypedDict, total=False):
    """Cortex's `reasoning` object for Claude: an effort, or a token budget (not both)."""

    effort: Literal["high", "medium", "low"]
    max_tokens: int


class SnowflakeModelSettings(OpenAIChatModelSettings, total=False):
    snowflake_reasoning: SnowflakeReasoning
    """`reasoning`, sent as given (wins over the portable `thinking`); Claude then gets
    `temperature: 1` unless the settings set a temperature, as Cortex requires."""


class SnowflakeModel(OpenAIChatModel):
    """`SnowflakeModel('claude-sonnet-4-5')`, configured from `SNOWFLAKE_ACCOUNT` and `SNOWFLAKE_TOKEN`;
    or `SnowflakeModel(name, provider=SnowflakeProvider(account=..., token=...))`."""

    def __init__(
        self,
        model_name: str,
        *,
        provider: str | Provider = "snowflake",
        settings: SnowflakeModelSettings | None = None,
        profile: ModelProfile | None = None,
    ):
        super().__init__(model_name, provider=provider, settings=settings, profile=profile)
