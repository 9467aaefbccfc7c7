"""Per-request settings. Vendor-only options carry the vendor's prefix (`anthropic_*`, `openai_*`, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from typing_extensions import TypedDict

if TYPE_CHECKING:  # codecs import this module and must not need httpx
    import httpx

__all__ = [
    "ModelSettings",
    "ServiceTier",
    "ThinkingLevel",
    "ToolChoice",
    "ToolChoiceScalar",
    "ToolOrOutput",
    "merge_model_settings",
]

ThinkingLevel = Literal["minimal", "low", "medium", "high", "xhigh"]
ServiceTier = Literal["auto", "default", "flex", "priority"]
ToolChoiceScalar = Literal["none", "required", "auto"]


@dataclass
class ToolOrOutput:
    """Only these function tools, while the output tools (and text or image output, where the output
    type takes it) stay available, so the agent can still finish (PydanticAI's `ToolOrOutput`).

    A plain list of names would force one of those tools on every step instead.
    """

    function_tools: list[str]
    """The names of the function tools the model may call."""


ToolChoice: TypeAlias = ToolChoiceScalar | list[str] | ToolOrOutput | str | None
"""Every value `ModelSettings.tool_choice` takes: PydanticAI's forms, plus wireai's one tool name (a `str`)."""


class ModelSettings(TypedDict, total=False):
    """Settings understood by every codec that can honour them; a codec ignores what its vendor lacks."""

    max_tokens: int
    temperature: float
    top_p: float
    top_k: int
    timeout: float | httpx.Timeout
    parallel_tool_calls: bool
    seed: int
    presence_penalty: float
    frequency_penalty: float
    logit_bias: dict[str, int]
    stop_sequences: list[str]
    tool_choice: ToolChoice
    """Which tools the model may (or must) call; PydanticAI's semantics, `wireai._tool_choice` applies them.

    - unset / `'auto'`: every tool, the model decides (a tool is required when text cannot be the answer);
    - `'none'`: no function tool; output tools stay (sent alone) when the output needs them;
    - `'required'`: some function tool must be called (a `UserError` when there is none);
    - `['a', 'b']`: one of these tools must be called, the others are not sent;
    - `ToolOrOutput(function_tools=['a'])`: these function tools plus the output tools (and text);
    - `'a'` (wireai's form, kept): force that one tool, like `['a']`.
    """
    thinking: bool | ThinkingLevel
    """Portable reasoning control: `True`/`False`, or how hard to think. Each codec maps it to its
    vendor's field (Anthropic's thinking budget or adaptive thinking, OpenAI's reasoning effort,
    Gemini's thinking budget or level, ...; docs/settings.md has the table). A vendor-prefixed
    setting (`anthropic_thinking`, `openai_reasoning_effort`...) wins over it; a model that cannot
    think ignores `False`, and a level the model's profile says it cannot honour is a `UserError`."""
    service_tier: ServiceTier
    """Portable processing tier (priority, flex...), mapped to each vendor's service tier field;
    a vendor-prefixed `*_service_tier` setting wins over it."""
    extra_headers: dict[str, str]
    extra_body: dict[str, Any]


def merge_model_settings(base: ModelSettings | None, overrides: ModelSettings | None) -> ModelSettings | None:
    """Later settings win key by key (model defaults < agent < run)."""
    if base and overrides:
        return base | overrides
    return overrides or base
