"""`ModelProfile` as PydanticAI V2 uses it, and model families recognised however a host spells the name."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wireai.exceptions import UserError
from wireai.profiles import DEFAULT_PROFILE, ModelProfile
from wireai.providers.families import compatible_profile, family_profile, inline_defs, split_model_name
from wireai.providers.openai import openai_model_profile

# ------------------------------------------------------------------------------------------ ModelProfile


def test_v2_fields_and_defaults() -> None:
    profile = ModelProfile(
        supports_tools=False,
        supports_json_schema_output=True,
        supports_json_object_output=True,
        default_structured_output_mode="native",
        prompted_output_template="Schema: {schema}",
        thinking_tags=("<think>", "</think>"),
    )
    assert (profile.supports_tools, profile.default_structured_output_mode) == (False, "native")
    assert DEFAULT_PROFILE.thinking_tags == ("<think>", "</think>")


def test_thinking_tags_other_than_think_are_refused_not_ignored() -> None:
    with pytest.raises(UserError, match="splits reasoning out of text only on"):
        ModelProfile(thinking_tags=("<thinking>", "</thinking>"))


def test_update_with_a_profile_takes_its_non_default_values_and_merges_extra_per_codec() -> None:
    host = ModelProfile(
        supports_json_object_output=True,
        extra={"openai_chat": {"include_usage": False, "supports_strict": False}, "other": 1},
    )
    family = ModelProfile(
        supports_json_schema_output=True,
        json_schema_transformer=inline_defs,
        extra={"openai_chat": {"think_tags": True, "supports_strict": True}},
    )
    merged = host.update(family)
    assert merged.supports_json_object_output and merged.supports_json_schema_output
    assert merged.json_schema_transformer is inline_defs
    assert merged.extra == {
        "openai_chat": {"include_usage": False, "supports_strict": True, "think_tags": True},
        "other": 1,
    }
    # A default value in the other profile does not undo a set one (V2's rule).
    assert ModelProfile(supports_tools=False).update(ModelProfile()).supports_tools is False
    assert host.update(None) is host


def test_update_with_keywords_replaces_fields_as_given() -> None:
    profile = ModelProfile(extra={"openai_chat": {"think_tags": True}})
    assert profile.update(supports_tools=False).supports_tools is False
    assert profile.update(extra={"x": 1}).extra == {"x": 1}
    both = profile.update(ModelProfile(supports_json_object_output=True), supports_tools=False)
    assert both.supports_json_object_output and not both.supports_tools


def test_from_profile() -> None:
    profile = ModelProfile(supports_json_schema_output=True)
    assert ModelProfile.from_profile(profile) is profile
    assert ModelProfile.from_profile(None) == ModelProfile()


# ------------------------------------------------------------------------------------------ families


def chat(profile: ModelProfile | None) -> dict[str, Any]:
    assert profile is not None
    return dict(profile.extra.get("openai_chat", {}))


@pytest.mark.parametrize(
    "name",
    [
        "Qwen/Qwen3-235B-A22B",  # Together, Hugging Face, Nebius
        "accounts/fireworks/models/qwen3-235b-a22b",  # Fireworks
        "qwen-3-32b",  # Cerebras
        "Qwen3-32B",  # SambaNova, OVHcloud
        "qwen3:8b",  # Ollama
        "qwq-plus",  # DashScope
        "Qwen/Qwen3-32B:together",  # Hugging Face router with a partner
    ],
)
def test_qwen_everywhere_inlines_refs_and_splits_think_tags(name: str) -> None:
    profile = family_profile(name)
    assert profile is not None and profile.json_schema_transformer is inline_defs
    assert chat(profile) == {"think_tags": True}
    assert not profile.supports_json_schema_output


def test_qwen_variants() -> None:
    coder = family_profile("Qwen/Qwen3-Coder-480B-A35B-Instruct")
    assert chat(coder) == {"supports_strict": False}
    new = family_profile("qwen3.5-plus")
    assert new is not None and new.supports_json_schema_output and new.supports_json_object_output


@pytest.mark.parametrize(
    "name",
    [
        "deepseek-ai/DeepSeek-R1",
        "accounts/fireworks/models/deepseek-r1",
        "DeepSeek-R1-Distill-Llama-70B",
        "zai-glm-4.6",  # Cerebras spells GLM with a `zai-` prefix
        "zai-org/GLM-4.5",
        "glm-4.6",
        "moonshotai/Kimi-K2-Instruct",
        "kimi-k2-5",  # Heroku
        "MiniMax-M1",
    ],
)
def test_families_that_reason_inline_split_think_tags(name: str) -> None:
    assert chat(family_profile(name)).get("think_tags") is True


@pytest.mark.parametrize(
    "name",
    [
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "Meta-Llama-3.3-70B-Instruct",  # SambaNova
        "Meta-Llama-3_3-70B-Instruct",  # OVHcloud
        "snowflake-llama-3.3-70b",  # Snowflake's fine-tune
        "llama3.2",
        "mistralai/Mistral-Small-24B-Instruct-2501",
        "Mistral-Large-2411",  # Azure AI Foundry
        "mistral-large2",  # Snowflake
        "Cohere-command-r",  # Azure AI Foundry
        "claude-4-sonnet",  # Heroku
        "anthropic/claude-sonnet-4",  # Vercel
    ],
)
def test_plain_families_claim_tools_only(name: str) -> None:
    assert family_profile(name) == ModelProfile()


@pytest.mark.parametrize(
    "name",
    [
        "gpt-oss-120b",
        "openai/gpt-oss-20b",
        "openai/gpt-4.1",
        "openai-gpt-4.1",
        "gpt-4o",
        "o3-mini",
        "microsoft/Phi-4",
    ],
)
def test_openai_models_on_any_host_get_openai_s_profile(name: str) -> None:
    _, bare = split_model_name(name)
    expected = openai_model_profile(bare.removeprefix("openai-"))
    assert family_profile(name) == expected
    assert expected.supports_json_schema_output


def test_google_grok_amazon() -> None:
    gemma = family_profile("google/gemma-3-27b-it")
    assert gemma is not None and gemma.supports_json_schema_output
    image = family_profile("vertex/gemini-2.5-flash-image")
    assert image is not None and not image.supports_tools
    grok = family_profile("xai/grok-4")
    assert grok is not None and grok.supports_json_schema_output
    assert chat(grok) == {"reasoning_fields": ("reasoning_content",), "thinking": "always"}
    for name in ("nova-pro", "amazon.nova-lite-v1:0"):
        nova = family_profile(name)
        assert nova is not None and nova.json_schema_transformer is inline_defs


def test_unknown_names_have_no_family_and_get_the_host_fallback() -> None:
    assert family_profile("my-finetune-v2") is None
    assert compatible_profile("my-finetune-v2") == ModelProfile()
    assert compatible_profile("my-deployment", fallback=openai_model_profile) == openai_model_profile(
        "my-deployment"
    )


def test_compatible_profile_lays_host_changes_and_chat_knobs_over_the_family() -> None:
    profile = compatible_profile(
        "deepseek-ai/DeepSeek-R1",
        changes={"supports_json_schema_output": True},
        chat={"reasoning_fields": ("reasoning",)},
    )
    assert profile.supports_json_schema_output
    assert chat(profile) == {"think_tags": True, "reasoning_fields": ("reasoning",)}


def test_split_model_name() -> None:
    assert split_model_name("Qwen/Qwen3-32B:together") == ("qwen", "qwen3-32b")
    assert split_model_name("accounts/fireworks/models/llama-v3p3-70b-instruct") == (
        "accounts",
        "llama-v3p3-70b-instruct",
    )
    assert split_model_name("gpt-4o") == ("", "gpt-4o")


@given(st.text())
def test_any_name_gives_a_profile_or_none_never_an_error(name: str) -> None:
    profile = family_profile(name)
    assert profile is None or isinstance(profile, ModelProfile)
    assert isinstance(compatible_profile(name), ModelProfile)


# ------------------------------------------------------------------------------------------ inline_defs


def test_inline_defs_replaces_refs_and_keeps_siblings() -> None:
    schema = {
        "type": "object",
        "properties": {
            "home": {"$ref": "#/$defs/Address", "description": "where they live"},
            "work": {"anyOf": [{"$ref": "#/$defs/Address"}, {"type": "null"}]},
        },
        "$defs": {
            "Address": {
                "type": "object",
                "description": "an address",
                "properties": {"city": {"$ref": "#/$defs/City"}},
            },
            "City": {"type": "string"},
        },
    }
    address = {"type": "object", "description": "an address", "properties": {"city": {"type": "string"}}}
    assert inline_defs(schema) == {
        "type": "object",
        "properties": {
            "home": {**address, "description": "where they live"},
            "work": {"anyOf": [address, {"type": "null"}]},
        },
    }
    assert "$defs" in schema  # the input is not changed


def test_inline_defs_keeps_recursive_definitions() -> None:
    schema = {
        "type": "object",
        "properties": {"root": {"$ref": "#/$defs/Node"}},
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
            },
        },
    }
    node = {
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
    }
    assert inline_defs(schema) == {"type": "object", "properties": {"root": node}, "$defs": {"Node": node}}


def test_inline_defs_without_defs_is_the_identity() -> None:
    schema = {"type": "object", "properties": {"x": {"$ref": "#/components/X"}}}
    assert inline_defs(schema) is schema
