"""Per-request settings. Vendor-only options carry the vendor's prefix (`anthropic_*`, `openai_*`, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from typing_extensions import TypedDict

if TYPE_CHECKING:  # codecs import this module and must not need httpx
    import httpx

__all__ = ["ModelSettings", "ServiceTier", "ThinkingLevel", "merge_model_settings"]

ThinkingLevel = Literal["minimal", "low", "medium", "high", "xhigh"]
ServiceTier = Literal["auto", "default", "flex", "priority"]


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
    tool_choice: str
    """`'auto'`, `'required'` (some tool must be called), `'none'`, or a tool's name to force that tool.

    Unset, the codec chooses what the output mode needs: `required` when text output is not allowed.
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
