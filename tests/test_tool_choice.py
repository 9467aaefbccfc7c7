"""`tool_choice` (auto / required / none / a tool's name) in every vendor's own spelling.

Unset, it follows the output mode: a required tool call only when text cannot be the answer, so
native and prompted output (whose answer *is* text) never force a tool.
"""

from __future__ import annotations

from typing import Any

import pytest

from support import assert_spec_valid
from wireai import UserError
from wireai.messages import ModelRequest, UserPromptPart
from wireai.models import ModelRequestParameters, OutputObjectDefinition
from wireai.testing import (
    FakeAnthropic,
    FakeBedrock,
    FakeCohere,
    FakeGemini,
    FakeMistral,
    FakeOpenAI,
    FakeOpenAIResponses,
    FakeVendor,
)
from wireai.tools import ToolDefinition

WEATHER = ToolDefinition(
    "get_weather", {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
)
OUTPUT = ToolDefinition(
    "final_result", {"type": "object", "properties": {"a": {"type": "integer"}}}, kind="output"
)
MESSAGES = [ModelRequest([UserPromptPart("hi")])]

# vendor fake, spec name, body -> the tool choice as sent, expected per choice
CASES: dict[type[FakeVendor], tuple[str, Any, dict[str, Any]]] = {
    FakeOpenAI: ("openai", lambda b: b.get("tool_choice"), {
        "auto": "auto", "required": "required", "none": "none",
        "get_weather": {"type": "function", "function": {"name": "get_weather"}},
    }),
    FakeOpenAIResponses: ("openai", lambda b: b.get("tool_choice"), {
        "auto": "auto", "required": "required", "none": "none",
        "get_weather": {"type": "function", "name": "get_weather"},
    }),
    FakeAnthropic: ("anthropic", lambda b: b.get("tool_choice"), {
        "auto": {"type": "auto"}, "required": {"type": "any"}, "none": {"type": "none"},
        "get_weather": {"type": "tool", "name": "get_weather"},
    }),
    FakeBedrock: ("bedrock", lambda b: b["toolConfig"].get("toolChoice"), {
        "auto": {"auto": {}}, "required": {"any": {}}, "get_weather": {"tool": {"name": "get_weather"}},
    }),
    FakeGemini: ("gemini", lambda b: b.get("toolConfig", {}).get("functionCallingConfig"), {
        "auto": None,
        "required": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]},
        "none": {"mode": "NONE"},
        "get_weather": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]},
    }),
    FakeMistral: ("mistral", lambda b: b.get("tool_choice"), {
        "auto": "auto", "required": "any", "none": "none",
        "get_weather": {"type": "function", "function": {"name": "get_weather"}},
    }),
    FakeCohere: ("cohere", lambda b: b.get("tool_choice"), {"auto": None, "required": "REQUIRED", "none": "NONE"}),
}  # fmt: skip


def body(
    fake_cls: type[FakeVendor], settings: dict[str, Any], params: ModelRequestParameters
) -> dict[str, Any]:
    with fake_cls() as fake:
        return fake.model().build_request(MESSAGES, settings, params).body


@pytest.mark.parametrize("fake_cls", list(CASES), ids=lambda c: c.__name__)
def test_tool_choice_in_each_vendors_spelling(fake_cls: type[FakeVendor]) -> None:
    spec, read, expected = CASES[fake_cls]
    params = ModelRequestParameters(function_tools=[WEATHER])
    for choice, wire in expected.items():
        sent = body(fake_cls, {"tool_choice": choice}, params)
        assert read(sent) == wire, (choice, sent)
        assert_spec_valid(spec, sent, "responses" if fake_cls is FakeOpenAIResponses else None)
    with pytest.raises(UserError, match="tool_choice 'nope'"):
        body(fake_cls, {"tool_choice": "nope"}, params)


def test_vendors_without_a_choice_say_so_or_send_the_named_tool_alone() -> None:
    params = ModelRequestParameters(function_tools=[WEATHER, OUTPUT])
    cohere = body(FakeCohere, {"tool_choice": "get_weather"}, params)  # REQUIRED/NONE only: no named choice
    assert [t["function"]["name"] for t in cohere["tools"]] == ["get_weather"] and cohere[
        "tool_choice"
    ] == "REQUIRED"
    with pytest.raises(UserError, match="no tool_choice 'none'"):
        body(FakeBedrock, {"tool_choice": "none"}, params)


@pytest.mark.parametrize("fake_cls", list(CASES), ids=lambda c: c.__name__)
def test_unset_follows_the_output_mode(fake_cls: type[FakeVendor]) -> None:
    spec, read, expected = CASES[fake_cls]
    tool_mode = ModelRequestParameters(
        function_tools=[WEATHER], output_tools=[OUTPUT], output_mode="tool", allow_text_output=False
    )
    with fake_cls() as fake:
        sent = fake.model().build_request(MESSAGES, None, tool_mode).body
    required = expected["required"]
    if fake_cls is FakeGemini:
        required = {"mode": "ANY", "allowedFunctionNames": ["get_weather", "final_result"]}
    assert read(sent) == required
    # Native output arrives as text: function tools stay optional.
    native = ModelRequestParameters(
        function_tools=[WEATHER],
        output_mode="native",
        output_object=OutputObjectDefinition({"type": "object"}),
        allow_text_output=True,
    )
    with fake_cls() as fake:
        model = fake.model()
        if not model.profile.supports_json_schema_output or fake_cls in (FakeGemini, FakeCohere):
            return  # Gemini < 3 and Cohere refuse native output beside function tools (a UserError of their own)
        sent = model.build_request(MESSAGES, None, native).body
    assert read(sent) == expected["auto"]


def test_gemini_tool_declarations_always_carry_a_description() -> None:
    sent = body(FakeGemini, {}, ModelRequestParameters(function_tools=[WEATHER]))
    assert sent["tools"][0]["functionDeclarations"][0]["description"] == ""
