"""Model families on any host: one function from a model name, however the host spells it, to its profile.

The same Qwen or DeepSeek model is `Qwen/Qwen3-235B-A22B` on Together and Hugging Face,
`accounts/fireworks/models/qwen3-235b-a22b` on Fireworks, `qwen-3-235b` on Cerebras and
`qwen3:8b` on Ollama; what it can do (JSON schema output, `$ref`s, inline `<think>`) does not change.
`family_profile` strips the spelling (organisation path, `:tag` suffix, host prefixes such as
Snowflake's `snowflake-`/`openai-` or Cerebras's `zai-`) and matches the family by name, then by
organisation. Hosts lay their own quirks over the result (`providers/compatible.py`).

The capabilities follow PydanticAI's `profiles/` modules. `<think>` splitting, which PydanticAI
applies to every chat response, is switched on here for the families that reason inline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..profiles import ModelProfile, merge_extra
from .openai import openai_model_profile

__all__ = ["compatible_profile", "family_profile", "grok_model_profile", "inline_defs", "split_model_name"]

Family = Callable[[str], ModelProfile]

# Names a host puts in front of a family's own name.
_HOST_PREFIXES = ("snowflake-", "openai-", "zai-", "meta-", "mistralai-", "cohere-")


def split_model_name(model_name: str) -> tuple[str, str]:
    """`(organisation, name)`, lowercased: `'Qwen/Qwen3-32B:together'` -> `('qwen', 'qwen3-32b')`."""
    lowered = model_name.strip().lower()
    org, _, name = lowered.rpartition("/")
    org = org.split("/", 1)[0]
    return org, name.split(":", 1)[0]


def _think(**changes: Any) -> ModelProfile:
    """Reasoning models whose hosts (vLLM, SGLang, Together, Fireworks...) often leave `<think>` in the content."""
    return ModelProfile(extra={"openai_chat": {"think_tags": True}}, **changes)


def _qwen(name: str) -> ModelProfile:
    # Qwen mishandles `$ref`; the coder models reject `strict` tool definitions; 3.5 does json_schema.
    if name.startswith(("qwen3-coder", "qwen-3-coder")):
        return ModelProfile(
            json_schema_transformer=inline_defs, extra={"openai_chat": {"supports_strict": False}}
        )
    if re.search(r"qwen-?3[.\-]5", name):
        return _think(
            json_schema_transformer=inline_defs,
            supports_json_schema_output=True,
            supports_json_object_output=True,
        )
    return _think(json_schema_transformer=inline_defs)


def _google(name: str) -> ModelProfile:
    image = "image" in name
    return ModelProfile(
        supports_tools=not image,
        supports_json_schema_output=not image or "gemini-3" in name,
        supports_json_object_output=not image or "gemini-3" in name,
    )


def grok_model_profile(name: str) -> ModelProfile:
    return ModelProfile(
        supports_json_schema_output=True,
        supports_json_object_output=True,
        extra={"openai_chat": {"reasoning_fields": ("reasoning_content",), **_grok_thinking(name)}},
    )


def _grok_thinking(name: str) -> dict[str, Any]:
    """grok-3-mini takes `reasoning_effort` low or high; grok-4 reasoning models always think and
    reject the field; non-reasoning models cannot think."""
    if name.startswith("grok-3-mini"):
        return {"thinking_efforts": ("low", "high"), "thinking_on": "low"}
    if "non-reasoning" in name or not name.startswith(("grok-4", "grok-code")):
        return {"thinking": "never"}
    return {"thinking": "always"}


def _plain(name: str) -> ModelProfile:
    """Llama, Mistral, Cohere, Claude behind a chat gateway: tools, no response_format claims."""
    return ModelProfile()


def _amazon(name: str) -> ModelProfile:
    return ModelProfile(json_schema_transformer=inline_defs)


def _reasoner(name: str) -> ModelProfile:
    return _think()


# Name prefix -> family; the first match wins, so `gpt-oss` comes before `gpt-`.
_BY_NAME: tuple[tuple[tuple[str, ...], Family], ...] = (
    (("gpt-oss",), openai_model_profile),  # OpenAI's open weights (Harmony): OpenAI's capabilities
    (("gpt-", "o1", "o3", "o4", "chatgpt-"), openai_model_profile),
    (("qwen", "qwq"), _qwen),
    (("deepseek",), _reasoner),
    (("glm",), _reasoner),
    (("kimi", "moonshot"), _reasoner),
    (("minimax",), _reasoner),
    (("gemini", "gemma"), _google),
    (("grok",), grok_model_profile),
    (("llama", "mistral", "mixtral", "magistral", "codestral", "ministral", "devstral", "pixtral"), _plain),
    (("command", "c4ai", "claude"), _plain),
    (("nova", "amazon."), _amazon),
)

# Organisation -> family, for names the table above does not know (`microsoft/Phi-4` on GitHub).
_BY_ORG: dict[str, Family] = {
    "openai": openai_model_profile,
    "microsoft": openai_model_profile,
    "qwen": _qwen,
    "deepseek": _reasoner,
    "deepseek-ai": _reasoner,
    "moonshotai": _reasoner,
    "zai": _reasoner,
    "zai-org": _reasoner,
    "thudm": _reasoner,
    "google": _google,
    "vertex": _google,
    "xai": grok_model_profile,
    "x-ai": grok_model_profile,
    "amazon": _amazon,
    "bedrock": _amazon,
    **dict.fromkeys(
        ("meta", "meta-llama", "mistralai", "mistral", "mistral-ai", "cohere", "anthropic"), _plain
    ),
}


def _match(name: str) -> Family | None:
    for prefixes, family in _BY_NAME:
        if name.startswith(prefixes):
            return family
    return None


def family_profile(model_name: str) -> ModelProfile | None:
    """The profile of the family `model_name` belongs to, or None for a name no family claims."""
    org, name = split_model_name(model_name)
    family = _match(name)
    if family is None:
        for prefix in _HOST_PREFIXES:
            if name.startswith(prefix) and (family := _match(name[len(prefix) :])) is not None:
                name = name[len(prefix) :]
                break
    if family is None:
        family = _BY_ORG.get(org)
    return family(name) if family is not None else None


def compatible_profile(
    model_name: str,
    *,
    fallback: Family | None = None,
    changes: Mapping[str, Any] | None = None,
    chat: Mapping[str, Any] | None = None,
) -> ModelProfile:
    """A model's profile on one OpenAI-compatible host: its family's (or `fallback`'s, for names no family
    claims), with the host's `changes` (profile fields) and `chat` (`openai_chat` codec knobs) laid on top."""
    profile = family_profile(model_name)
    if profile is None:
        profile = fallback(model_name) if fallback is not None else ModelProfile()
    if changes:
        profile = profile.update(**changes)
    if chat:
        profile = profile.update(extra=merge_extra(profile.extra, {"openai_chat": dict(chat)}))
    return profile


# ------------------------------------------------------------------------------------------ $ref inlining

_PREFIX = "#/$defs/"


def inline_defs(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with every `$ref` into `$defs` replaced by the definition itself.

    Qwen and Amazon models served through OpenAI-compatible hosts (vLLM, SGLang, Bedrock) mishandle
    `$ref`. A recursive definition cannot be inlined: it stays in `$defs`, referred to as before.
    Siblings of a `$ref` (a `description` on the field) win over the definition's own.
    """
    defs = schema.get("$defs")
    if not isinstance(defs, dict) or not defs:
        return schema
    kept: set[str] = set()

    def resolve(node: Any, stack: frozenset[str]) -> Any:
        if isinstance(node, list):
            return [resolve(item, stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_PREFIX) and ref[len(_PREFIX) :] in defs:
            name = ref[len(_PREFIX) :]
            if name in stack:
                kept.add(name)
                return node
            target = resolve(defs[name], stack | {name})
            siblings = {k: resolve(v, stack) for k, v in node.items() if k != "$ref"}
            return {**target, **siblings} if isinstance(target, dict) else target
        return {k: resolve(v, stack) for k, v in node.items() if k != "$defs"}

    out = resolve(schema, frozenset())
    done: dict[str, Any] = {}
    while kept - set(done):  # a kept definition may itself refer to others that must be kept
        for name in sorted(kept - set(done)):
            done[name] = resolve(defs[name], frozenset({name}))
    if done:
        out["$defs"] = {name: done[name] for name in sorted(done)}
    return out
