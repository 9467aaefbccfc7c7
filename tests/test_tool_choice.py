"""`tool_choice` (auto / required / none / a tool's name) in every vendor's own spelling.

Unset, it follows the output mode: a required tool call only when text cannot be the answer, so
native and prompted output (whose answer *is* text) never force a tool.

PydanticAI's other forms — a list of names, `ToolOrOutput`, `'none'` beside output tools — decide
which tools are sent: wireai narrows them once (`prepare_tool_choice`, in `HTTPModel`) and each
codec spells what is left. Those requests go over a real loopback socket to the vendor fakes.
"""

from __future__ import annotations

import warnings
from typing import Any

import anyio
import pytest
from pydantic import BaseModel

from support import assert_spec_valid
from wireai import Agent, ToolOrOutput, UserError
from wireai.codecs import openai_chat, prepare_tool_choice
from wireai.messages import ModelRequest, ModelResponse, TextPart, ToolCallPart, UserPromptPart
from wireai.models import ModelRequestParameters, OutputObjectDefinition
from wireai.settings import ModelSettings
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
TIME, CITY = ToolDefinition("get_time"), ToolDefinition("get_city")
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


# ------------------------------------------------------------------ PydanticAI's list and ToolOrOutput forms

TEXT = ModelRequestParameters(function_tools=[WEATHER, TIME, CITY])
TOOL_OUTPUT = ModelRequestParameters(
    function_tools=[WEATHER, TIME, CITY], output_tools=[OUTPUT], output_mode="tool", allow_text_output=False
)
# form id -> (settings' tool_choice, request parameters, tools the vendor must receive, what the codec spells)
FORMS: dict[str, tuple[Any, ModelRequestParameters, list[str], str]] = {
    "list_of_two": (["get_time", "get_weather"], TEXT, ["get_weather", "get_time"], "required"),
    "list_of_all": (["get_weather", "get_time", "get_city"], TEXT, ["get_weather", "get_time", "get_city"], "required"),
    "list_of_one": (["get_weather"], TEXT, ["get_weather", "get_time", "get_city"], "get_weather"),
    "tool_or_output_with_text": (ToolOrOutput(["get_weather"]), TEXT, ["get_weather"], "auto"),
    "tool_or_output_keeps_output_tool": (
        ToolOrOutput(["get_weather", "get_city"]), TOOL_OUTPUT, ["get_weather", "get_city", "final_result"], "required"
    ),
    "none_keeps_output_tool": ("none", TOOL_OUTPUT, ["final_result"], "required"),
    "empty_list_keeps_output_tool": ([], TOOL_OUTPUT, ["final_result"], "required"),
    "empty_tool_or_output_is_none": (ToolOrOutput([]), TEXT, ["get_weather", "get_time", "get_city"], "none"),
}  # fmt: skip


def _chat_names(body: dict[str, Any]) -> list[str]:
    return [t["function"]["name"] for t in body["tools"]]


# body -> the tool names sent, per vendor (CASES above says how each choice is spelled)
TOOL_NAMES: dict[type[FakeVendor], Any] = {
    FakeOpenAI: _chat_names,
    FakeOpenAIResponses: lambda b: [t["name"] for t in b["tools"]],
    FakeAnthropic: lambda b: [t["name"] for t in b["tools"]],
    FakeGemini: lambda b: [f["name"] for f in b["tools"][0]["functionDeclarations"]],
    FakeBedrock: lambda b: [t["toolSpec"]["name"] for t in b["toolConfig"]["tools"]],
    FakeMistral: _chat_names,
    FakeCohere: _chat_names,
}


def sent_body(
    fake_cls: type[FakeVendor], settings: ModelSettings, params: ModelRequestParameters
) -> dict[str, Any]:
    """The body the vendor fake received for one request."""

    async def main() -> dict[str, Any]:
        async with fake_cls() as fake:
            fake.add_text("ok")
            await fake.model().request(MESSAGES, settings, params)
            body: dict[str, Any] = fake.requests[-1].json()
            return body

    return anyio.run(main)


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("fake_cls", list(CASES), ids=lambda c: c.__name__)
def test_each_form_sends_the_allowed_tools_and_the_vendors_choice(
    fake_cls: type[FakeVendor], form: str
) -> None:
    choice, params, tools, codec_value = FORMS[form]
    spec, read, spelled = CASES[fake_cls]
    if fake_cls is FakeBedrock and codec_value == "none":
        with pytest.raises(UserError, match="Bedrock Converse has no tool_choice 'none'"):
            sent_body(fake_cls, {"tool_choice": choice}, params)
        return
    body = sent_body(fake_cls, {"tool_choice": choice}, params)
    if fake_cls is FakeCohere and codec_value == "get_weather":
        # Cohere cannot name a tool: the named tool is sent alone, with REQUIRED.
        tools, codec_value = ["get_weather"], "required"
    assert TOOL_NAMES[fake_cls](body) == tools
    wire = spelled[codec_value]
    if fake_cls is FakeGemini and codec_value == "required":
        wire = {"mode": "ANY", "allowedFunctionNames": tools}  # ANY over the tools sent
    assert read(body) == wire
    assert_spec_valid(spec, body, "responses" if fake_cls is FakeOpenAIResponses else None)


def test_openai_chat_body_for_a_list_of_tools_is_exact() -> None:
    body = sent_body(FakeOpenAI, {"tool_choice": ["get_time", "get_weather"]}, TEXT)
    empty = {"type": "object", "properties": {}, "additionalProperties": False}
    assert body == {
        "model": FakeOpenAI.default_model,
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [
            {
                "type": "function",
                "function": {"name": "get_weather", "parameters": WEATHER.parameters_json_schema},
            },
            {"type": "function", "function": {"name": "get_time", "parameters": empty}},
        ],
        "tool_choice": "required",
    }


@pytest.mark.parametrize("fake_cls", list(CASES), ids=lambda c: c.__name__)
def test_tool_names_the_request_lacks_are_a_user_error(fake_cls: type[FakeVendor]) -> None:
    with pytest.raises(
        UserError, match=r"tool_choice names \['nope'\], none of which is among this request's tools"
    ):
        sent_body(fake_cls, {"tool_choice": ["nope"]}, TEXT)
    with pytest.raises(
        UserError, match=r"\['final_result'\], none of which is among this request's function tools"
    ):
        # ToolOrOutput chooses among function tools; output tools are kept by it, not named.
        sent_body(fake_cls, {"tool_choice": ToolOrOutput(["final_result"])}, TOOL_OUTPUT)
    with pytest.raises(UserError, match="tool_choice 'nope' is neither auto/required/none nor one of"):
        sent_body(fake_cls, {"tool_choice": "nope"}, TEXT)  # wireai's one-name form, as before


def test_some_unknown_names_warn_and_the_known_ones_apply() -> None:
    with pytest.warns(UserWarning, match=r"tool_choice names \['nope'\], which this request does not have"):
        settings, params = prepare_tool_choice({"tool_choice": ["get_time", "get_city", "nope"]}, TEXT)
    assert settings == {"tool_choice": "required"}
    assert [t.name for t in params.function_tools] == ["get_time", "get_city"]


def test_required_without_function_tools_is_a_user_error() -> None:
    only_output = ModelRequestParameters(output_tools=[OUTPUT], output_mode="tool", allow_text_output=False)
    with pytest.raises(UserError, match="tool_choice='required' needs function tools"):
        sent_body(FakeOpenAI, {"tool_choice": "required"}, only_output)
    with pytest.raises(UserError, match="tool_choice='required' needs function tools"):
        sent_body(FakeOpenAI, {"tool_choice": "required"}, ModelRequestParameters())


def test_image_output_counts_as_a_direct_answer() -> None:
    params = ModelRequestParameters(
        function_tools=[WEATHER, TIME],
        output_tools=[OUTPUT],
        allow_text_output=False,
        allow_image_output=True,
    )
    settings, narrowed = prepare_tool_choice({"tool_choice": ToolOrOutput(["get_time"])}, params)
    assert settings == {"tool_choice": "auto"}
    assert [t.name for t in narrowed.tool_defs] == ["get_time", "final_result"]


def test_narrowing_leaves_the_callers_settings_and_parameters_alone() -> None:
    settings: ModelSettings = {"tool_choice": ToolOrOutput(["get_weather"]), "temperature": 0.5}
    narrowed, params = prepare_tool_choice(settings, TOOL_OUTPUT)
    assert narrowed == {"tool_choice": "required", "temperature": 0.5}
    assert settings["tool_choice"] == ToolOrOutput(["get_weather"])
    assert [t.name for t in TOOL_OUTPUT.function_tools] == ["get_weather", "get_time", "get_city"]
    assert params.output_mode == "tool" and params.output_tools == [OUTPUT]
    for unchanged in ({}, {"tool_choice": "auto"}, {"tool_choice": "get_time"}):
        assert prepare_tool_choice(unchanged, TEXT) == (unchanged, TEXT)  # type: ignore[arg-type]


def test_a_codec_driven_by_hand_says_to_narrow_first() -> None:
    with pytest.raises(
        UserError, match=r"narrow it with `wireai.codecs.prepare_tool_choice\(settings, params\)`"
    ):
        openai_chat.build_request(
            MESSAGES, TEXT, {"tool_choice": ["get_time", "get_weather"]}, model="gpt-4o"
        )
    settings, params = prepare_tool_choice({"tool_choice": ["get_time", "get_weather"]}, TEXT)
    body = openai_chat.build_request(MESSAGES, params, settings, model="gpt-4o").body
    assert (
        body is not None
        and _chat_names(body) == ["get_weather", "get_time"]
        and body["tool_choice"] == "required"
    )


def test_batch_lines_and_token_counts_are_narrowed_too() -> None:
    async def main() -> dict[str, Any]:
        async with FakeAnthropic() as fake:
            fake.add_token_count(12)
            usage = await fake.model().count_tokens(
                MESSAGES, {"tool_choice": ToolOrOutput(["get_city"])}, TOOL_OUTPUT
            )
            assert usage.input_tokens == 12
            body: dict[str, Any] = fake.requests[-1].json()
            return body

    body = anyio.run(main)
    assert [t["name"] for t in body["tools"]] == ["get_city", "final_result"]
    assert body["tool_choice"] == {"type": "any"}
    with FakeOpenAI() as fake:  # a batch line is `HTTPModel.build_request`'s body
        line = fake.model().build_request(MESSAGES, {"tool_choice": "none"}, TOOL_OUTPUT).body
    assert line is not None and _chat_names(line) == ["final_result"] and line["tool_choice"] == "required"


class City(BaseModel):
    city: str


def test_agent_run_with_tool_or_output_keeps_the_output_tool_and_finishes() -> None:
    """`ToolOrOutput` on an agent: only the chosen function tool is offered, the output tool always is,
    so the run calls the tool, then answers through `final_result`."""
    with FakeOpenAI() as fake:
        fake.add_response(ModelResponse([ToolCallPart("get_weather", {"city": "Paris"}, tool_call_id="c1")]))
        fake.add_response(ModelResponse([ToolCallPart("final_result", {"city": "Paris"}, tool_call_id="c2")]))
        agent = Agent(
            fake.model(), output_type=City, model_settings={"tool_choice": ToolOrOutput(["get_weather"])}
        )

        @agent.tool_plain
        def get_weather(city: str) -> str:
            return "sunny"

        @agent.tool_plain
        def get_time(city: str) -> str:
            return "noon"

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = agent.run_sync("Weather in Paris?")
        bodies = [r.json() for r in fake.requests]
    assert result.output == City(city="Paris")
    assert [(_chat_names(b), b["tool_choice"]) for b in bodies] == [
        (["get_weather", "final_result"], "required"),
        (["get_weather", "final_result"], "required"),
    ]
    assert bodies[1]["messages"][-1] == {"role": "tool", "tool_call_id": "c1", "content": "sunny"}


def test_agent_run_with_none_and_text_output_sends_the_vendors_none() -> None:
    with FakeAnthropic() as fake:
        fake.add_response(ModelResponse([TextPart("no tools needed")]))
        agent = Agent(fake.model(), model_settings={"tool_choice": "none"})

        @agent.tool_plain
        def get_time() -> str:
            return "noon"

        assert agent.run_sync("hi").output == "no tools needed"
        body = fake.requests[-1].json()
    assert [t["name"] for t in body["tools"]] == ["get_time"] and body["tool_choice"] == {"type": "none"}
