"""The portable settings that Converse spells per model family: `thinking`, `top_k`, `service_tier`.

Converse has no field of its own for reasoning or top-k: each family takes its own keys in
`additionalModelRequestFields` (Claude `thinking`, Nova 2 `reasoningConfig` and
`inferenceConfig.topK`, gpt-oss `reasoning_effort`), so which spelling a model gets is profile data
(`extra['bedrock_thinking']`, `extra['bedrock_top_k']`). A vendor-prefixed setting wins: a key in
`bedrock_additional_model_requests_fields`, or `bedrock_service_tier`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...exceptions import UserError
from ...profiles import ModelProfile
from .._base import claude_portable_thinking

__all__ = ["EFFORTS", "THINKING_KEYS", "ModelFields", "model_fields", "service_tier"]

EFFORTS: dict[Any, str] = {True: "medium", "minimal": "low", "low": "low", "medium": "medium", "high": "high"}
"""The portable thinking levels on the families with three efforts (Nova 2 `maxReasoningEffort`,
gpt-oss `reasoning_effort`); `xhigh` is beyond them, a `UserError`."""

THINKING_KEYS = ("thinking", "reasoningConfig", "reasoning_effort")
"""Keys of `additionalModelRequestFields` that set reasoning: given there, the portable `thinking` yields."""

_CLAUDE_ANSWER_TOKENS = 4096
"""Room left for the answer above a thinking budget when `max_tokens` does not leave any."""


@dataclass
class ModelFields:
    """What the portable settings add to a Converse request."""

    additional: dict[str, Any]
    """Merged into `additionalModelRequestFields` (under the user's own fields)."""
    effort: str | None = None
    """`outputConfig.effort` (Claude with adaptive thinking)."""
    max_tokens: int | None = None
    """`inferenceConfig.maxTokens` raised so a Claude thinking budget fits below it."""


def model_fields(settings: Mapping[str, Any], profile: ModelProfile, model: str) -> ModelFields:
    """`top_k` and `thinking` in the model family's own `additionalModelRequestFields` keys."""
    fields = ModelFields({})
    top_k = settings.get("top_k")
    if top_k is not None:
        if profile.extra.get("bedrock_top_k") == "nova":
            fields.additional["inferenceConfig"] = {"topK": top_k}
        else:
            fields.additional["top_k"] = top_k
    user_fields = settings.get("bedrock_additional_model_requests_fields") or {}
    thinking = settings.get("thinking")
    variant = profile.extra.get("bedrock_thinking")
    if thinking is None or any(key in user_fields for key in THINKING_KEYS):
        return fields
    if variant == "claude":
        field, fields.effort = claude_portable_thinking(thinking, profile.extra, model)
        if field is not None:
            fields.additional["thinking"] = field
        budget = (field or {}).get("budget_tokens")
        max_tokens = settings.get("max_tokens")
        if budget is not None and (max_tokens is None or max_tokens <= budget):
            fields.max_tokens = budget + (max_tokens or _CLAUDE_ANSWER_TOKENS)
        return fields
    if thinking is False:
        return (
            fields  # off is every other family's default; a model that cannot think has nothing to turn off
        )
    if variant in ("nova", "openai"):
        effort = EFFORTS.get(thinking)
        if effort is None:
            raise UserError(
                f"Bedrock model {model!r} thinks at low, medium or high effort; `thinking={thinking!r}` "
                "is not one of its levels (use True, 'minimal', 'low', 'medium' or 'high')"
            )
        if variant == "nova":
            fields.additional["reasoningConfig"] = {"type": "enabled", "maxReasoningEffort": effort}
        else:
            fields.additional["reasoning_effort"] = effort
        return fields
    raise UserError(
        f"wireai knows no thinking setting for Bedrock model {model!r} (Claude, Amazon Nova 2 and gpt-oss "
        "have one): leave `thinking` unset, or pass the model's own field in "
        "`bedrock_additional_model_requests_fields`"
    )


def service_tier(settings: Mapping[str, Any]) -> dict[str, Any] | None:
    """`serviceTier`: `bedrock_service_tier` (a tier name or PydanticAI's `{'type': ...}`), else the
    portable `service_tier`; `'auto'` sends nothing (the account's default tier serves it)."""
    tier = settings.get("bedrock_service_tier")
    if isinstance(tier, Mapping):
        return dict(tier)
    if not tier:
        tier = settings.get("service_tier")
        if tier == "auto":
            return None
    return {"type": tier} if tier else None
