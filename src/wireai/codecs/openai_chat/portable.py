"""The portable `thinking` and `service_tier` settings as the body fields of one compatible host.

Each host spells them its own way (OpenAI's `reasoning_effort`, DeepSeek's `thinking: {type}`,
OpenRouter's `reasoning: {effort}`, Groq's `on_demand`/`performance` tiers); which way is data in
`ChatOptions`, filled in by the provider's profile. A vendor-prefixed setting
(`openai_reasoning_effort`, `openrouter_reasoning`, `openai_service_tier`) is applied after these
fields, so it wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...exceptions import UserError
from .options import ChatOptions

__all__ = ["effort_for", "portable_fields", "thinking_temperature"]

# Cortex's reasoning efforts for each portable level (it has low, medium and high).
_CORTEX_EFFORTS: dict[bool | str, str] = {
    True: "medium", "minimal": "low", "low": "low", "medium": "medium", "high": "high", "xhigh": "high",
}  # fmt: skip
# The body field each way of thinking is asked for in.
_THINKING_FIELD = {
    "reasoning_effort": "reasoning_effort", "deepseek": "thinking", "openrouter": "reasoning",
    "cortex": "reasoning", "always": "reasoning_effort", "never": "reasoning_effort",
}  # fmt: skip


def portable_fields(settings: Mapping[str, Any], opts: ChatOptions, model: str) -> dict[str, Any]:
    """The body fields `thinking` and `service_tier` ask for on this host (empty when unset)."""
    body: dict[str, Any] = {}
    thinking = settings.get("thinking")
    if thinking is not None:
        body.update(_thinking_fields(thinking, opts, model))
    tier = settings.get("service_tier")
    if tier is not None:
        tiers = opts.service_tiers
        wire = tier if tiers is None else tiers.get(tier)
        if wire is not None:  # a host without this tier serves the request its usual way
            body["service_tier"] = wire
    return body


def _thinking_fields(thinking: bool | str, opts: ChatOptions, model: str) -> dict[str, Any]:
    form = opts.thinking
    if form == "never":
        if thinking is False:
            return {}  # a model that cannot think ignores "don't think"
        raise UserError(f"{model} cannot think: drop the `thinking` setting for it")
    if form == "always":
        if thinking is True:
            return {}  # it thinks anyway
        raise UserError(
            f"{model} always thinks and has no effort setting: `thinking` can only be True for it"
        )
    if form == "openrouter":
        if thinking is True:
            return {"reasoning": {"enabled": True}}
        return {"reasoning": {"effort": "none" if thinking is False else thinking}}
    if form == "cortex":
        if thinking is False:
            return {}  # Claude on Cortex thinks only when asked
        if thinking not in _CORTEX_EFFORTS:
            raise UserError(
                f"`thinking` takes True/False or one of {', '.join(map(str, list(_CORTEX_EFFORTS)[1:]))}, "
                f"not {thinking!r}"
            )
        return {"reasoning": {"effort": _CORTEX_EFFORTS[thinking]}}
    if form == "deepseek":
        if thinking is False:
            return {"thinking": {"type": "disabled"}}
        fields: dict[str, Any] = {"thinking": {"type": "enabled"}}
        if thinking is not True:
            fields["reasoning_effort"] = thinking  # DeepSeek maps every level name onto its own
        return fields
    effort = effort_for(thinking, opts, model)
    return {"reasoning_effort": effort} if effort else {}


def thinking_temperature(body: Mapping[str, Any], opts: ChatOptions) -> dict[str, Any]:
    """`temperature` for a body that asks the model to think where the host needs one then
    (`thinking_temperature`) and the settings set none; empty otherwise."""
    if (
        opts.thinking_temperature is None
        or "temperature" in body
        or not body.get(_THINKING_FIELD[opts.thinking])
    ):
        return {}
    return {"temperature": opts.thinking_temperature}


def effort_for(thinking: bool | str, opts: ChatOptions, model: str) -> str:
    """The `reasoning_effort` for a portable `thinking` value ("" when nothing should be sent).

    A level the profile knows the model lacks, or `False` on a model the profile knows cannot stop
    thinking, is a `UserError`; with no such knowledge the level goes to the vendor as it is.
    """
    known = opts.thinking_efforts
    if thinking is True:
        effort = opts.thinking_on
    elif thinking is False:
        effort = opts.thinking_off
        if not effort:
            if known:
                raise UserError(
                    f"{model} cannot switch its reasoning off; its efforts are {', '.join(known)}"
                )
            return ""
    else:
        effort = str(thinking)
    if known and effort not in known:
        raise UserError(
            f"{model} takes the reasoning efforts {', '.join(known)}, not {thinking!r}: pick one of those"
        )
    return effort
