"""What one OpenAI-compatible host accepts and returns (`ChatOptions`), and the tables every host shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from ...exceptions import UserError
from ...messages import (
    FinishReason,
)
from ...profiles import DEFAULT_PROFILE, ModelProfile

# --------------------------------------------------------------------------------------------- host options


@dataclass(frozen=True)
class ChatOptions:
    """What one OpenAI-compatible host accepts and returns, as data.

    Built from the model profile (`ModelProfile.extra['openai_chat']`, a dict of these field names,
    plus `supports_json_object_output`), so a provider describes its host without touching the codec.
    """

    system_role: Literal["system", "developer", "user"] = "system"
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    # Some compatible hosts reject `stream_options`; without it OpenAI sends no usage in streams.
    include_usage: bool = True
    supports_strict: bool = True
    supports_json_object: bool = False
    # Response fields read as reasoning text, first present wins (DeepSeek/xAI: reasoning_content,
    # Ollama/OpenRouter/Groq parsed: reasoning).
    reasoning_fields: tuple[str, ...] = ("reasoning_content", "reasoning")
    # The assistant message field that sends the host's own reasoning back in history, and the
    # provider whose reasoning that is (DeepSeek: `reasoning_content`, required after tool calls in
    # thinking mode). Empty: reasoning is not sent back.
    send_reasoning_field: str = ""
    reasoning_provider: str = ""
    # `<think>...</think>` inline in content (Groq `reasoning_format: raw`, some Ollama models).
    think_tags: bool = False
    # `reasoning_details`, the list of typed reasoning entries OpenRouter introduced, in which Snowflake
    # Cortex's Claude answers carry their thinking (text and signature): read into thinking parts, in
    # place of `reasoning_fields` where a message has both, and the host's own (`reasoning_provider`)
    # sent back the same way, so Claude can verify its signed thinking after a tool call.
    reasoning_details: bool = False
    # Cortex answers Claude with `finish_reason: ""` (and streams none): read as a finished answer,
    # `tool_call` when it calls tools and `stop` otherwise, rather than as no finish reason at all.
    blank_finish_reason: bool = False
    # Groq reports stream usage in the last chunk's `x_groq.usage`.
    x_groq_usage: bool = False
    # Top-level response fields kept in `provider_details` (Perplexity `citations`, `search_results`).
    detail_fields: tuple[str, ...] = ()
    # Vendor-prefixed settings -> body field. Shared table plus per-host additions.
    setting_fields: Mapping[str, str] = field(default_factory=dict)
    # The body names the model (Azure's deployments URL names it instead).
    send_model: bool = True
    # Native tools this model runs, by the wire form each takes (`native_tools.FORMS`: e.g.
    # `web_search_options` on OpenAI's search models, `search_settings` on Groq's compound systems).
    native_tools: tuple[str, ...] = ()
    # Why this host runs none over chat completions, said in the UserError (xAI: Responses API only).
    native_tools_note: str = ""
    # How the portable `thinking` setting reaches this model: `reasoning_effort` (OpenAI, Groq, xAI),
    # `deepseek` (`thinking: {type}` + `reasoning_effort`), `openrouter` (`reasoning: {...}`),
    # `cortex` (`reasoning: {effort: low|medium|high}`, Snowflake's Claude), `always` (it always
    # thinks and has no knob), `never` (it cannot think).
    thinking: Literal["reasoning_effort", "deepseek", "openrouter", "cortex", "always", "never"] = (
        "reasoning_effort"
    )
    # The temperature a request that asks the model to think is sent with when the settings give none
    # (Cortex's Claude thinks only at temperature 1, and Cortex's own default is lower).
    thinking_temperature: float | None = None
    # The efforts the model accepts; empty when the profile does not know (levels then pass through).
    thinking_efforts: tuple[str, ...] = ()
    # The effort sent for `thinking=True`, and for `thinking=False` ("": it cannot be switched off).
    thinking_on: str = "medium"
    thinking_off: str = ""
    # Portable `service_tier` -> this host's value (None: OpenAI's own names; empty: no tiers, ignored).
    service_tiers: Mapping[str, str] | None = None

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any] | None) -> ChatOptions:
        known = {f.name for f in fields(cls)}
        given = dict((extra or {}).get("openai_chat", {}))
        unknown = set(given) - known
        if unknown:
            raise UserError(f"Unknown openai_chat profile options: {sorted(unknown)}")
        for key in ("reasoning_fields", "detail_fields", "native_tools", "thinking_efforts"):
            if key in given:
                given[key] = tuple(given[key])
        return cls(**given)

    @classmethod
    def from_profile(cls, profile: ModelProfile | None) -> ChatOptions:
        """The options a profile describes; computed once per profile object (profiles are frozen)."""
        profile = profile or DEFAULT_PROFILE
        cached = _OPTIONS.get(id(profile))
        if cached is not None and cached[0] is profile:
            return cached[1]
        options = cls.from_extra(profile.extra)
        if profile.supports_json_object_output != options.supports_json_object:
            options = replace(options, supports_json_object=profile.supports_json_object_output)
        if len(_OPTIONS) >= 256:  # a bound, for programs that build models in a loop
            _OPTIONS.clear()
        _OPTIONS[id(profile)] = (profile, options)
        return options


# id(profile) -> (profile, its options); the profile is kept so its id cannot be reused meanwhile.
_OPTIONS: dict[int, tuple[ModelProfile, ChatOptions]] = {}

# Settings every OpenAI-shaped host shares, common `ModelSettings` key -> body field.
_COMMON_SETTINGS = {
    "temperature": "temperature",
    "top_p": "top_p",
    "seed": "seed",
    "presence_penalty": "presence_penalty",
    "frequency_penalty": "frequency_penalty",
    "logit_bias": "logit_bias",
    "stop_sequences": "stop",
}

# `openai_*` settings -> body field.
OPENAI_SETTINGS = {
    "openai_reasoning_effort": "reasoning_effort",
    "openai_user": "user",
    "openai_service_tier": "service_tier",
    "openai_logprobs": "logprobs",
    "openai_top_logprobs": "top_logprobs",
    "openai_prediction": "prediction",
    "openai_store": "store",
    "openai_metadata": "metadata",
    "openai_prompt_cache_key": "prompt_cache_key",
    "openai_prompt_cache_retention": "prompt_cache_retention",
}

FINISH_REASONS: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "model_length": "length",  # Mistral
    "tool_calls": "tool_call",
    "function_call": "tool_call",
    "content_filter": "content_filter",
    "error": "error",
}
