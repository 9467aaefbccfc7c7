"""A conversation started on one vendor continues on any other (FallbackModel switches mid-run).

The history holds every vendor's particulars — Anthropic thinking signatures and redacted
thinking, Gemini thought signatures, OpenAI `call_...` ids, Bedrock `tooluse_...` ids — and every
codec must turn it into a body its own vendor accepts (checked against the vendor's spec).
"""

from __future__ import annotations

from typing import Any

import pytest

from support import assert_protocol_valid, assert_spec_valid
from wireai.messages import (
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters
from wireai.testing import (
    FakeAnthropic,
    FakeBedrock,
    FakeCohere,
    FakeGemini,
    FakeMistral,
    FakeOpenAI,
    FakeOpenAIResponses,
    FakeVendor,
    FakeVertex,
)
from wireai.tools import ToolDefinition

WEATHER = ToolDefinition(
    "get_weather",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    "Weather",
)

HISTORY = [
    ModelRequest(
        [SystemPromptPart("Be brief."), UserPromptPart("Weather in Paris and Rome?")],
        instructions="Use metric.",
    ),
    ModelResponse(
        [
            ThinkingPart("Two cities.", signature="EqQBCkYIAxgCIkD", provider_name="anthropic"),
            ThinkingPart(
                "", provider_name="anthropic", provider_details={"redacted_thinking": "EmwKAhgBEgy3va"}
            ),
            TextPart("Checking both."),
            ToolCallPart("get_weather", {"city": "Paris"}, tool_call_id="toolu_01A09q90qw90lq917835lq9"),
        ],
        provider_name="anthropic",
    ),
    ModelRequest([ToolReturnPart("get_weather", "sunny", tool_call_id="toolu_01A09q90qw90lq917835lq9")]),
    ModelResponse(
        [
            ThinkingPart(
                "Now Rome.",
                provider_name="google-gla",
                provider_details={"thought_signature": "CiQB0e2Kbw=="},
            ),
            ToolCallPart(
                "get_weather",
                {"city": "Rome"},
                tool_call_id="call_abc123",
                provider_details={"thought_signature": "CiQB0e2Kbw=="},
            ),
        ],
        provider_name="google-gla",
    ),
    ModelRequest(
        [RetryPromptPart("city must be capitalised", tool_name="get_weather", tool_call_id="call_abc123")]
    ),
    ModelResponse(
        [ToolCallPart("get_weather", '{"city": "Rome"}', tool_call_id="tooluse_kZJMlvQmRJ6eAyJE5GIl7Q")],
        provider_name="bedrock",
    ),
    ModelRequest(
        [ToolReturnPart("get_weather", {"temp_c": 21}, tool_call_id="tooluse_kZJMlvQmRJ6eAyJE5GIl7Q")]
    ),
    ModelResponse([TextPart("Paris is sunny, Rome 21 °C.")], provider_name="openai"),
    ModelRequest([UserPromptPart("And tomorrow?")]),
    # An Anthropic web search turn: only Anthropic gets the server tool blocks back.
    ModelResponse(
        [
            NativeToolCallPart(
                "web_search",
                {"query": "Paris weather tomorrow"},
                tool_call_id="srvtoolu_01XvendorSearch",
                provider_name="anthropic",
                provider_details={"type": "server_tool_use", "name": "web_search"},
            ),
            NativeToolReturnPart(
                "web_search",
                [
                    {
                        "type": "web_search_result",
                        "url": "https://m.fr",
                        "title": "Météo",
                        "encrypted_content": "EqXv",
                        "page_age": None,
                    }
                ],
                tool_call_id="srvtoolu_01XvendorSearch",
                provider_name="anthropic",
                provider_details={"type": "web_search_tool_result"},
            ),
            TextPart(
                "Rain tomorrow.",
                provider_details={
                    "citations": [
                        {
                            "type": "web_search_result_location",
                            "url": "https://m.fr",
                            "title": "Météo",
                            "encrypted_index": "EoXv",
                            "cited_text": "Pluie",
                        }
                    ]
                },
            ),
        ],
        provider_name="anthropic",
    ),
    ModelRequest([UserPromptPart("Thanks.")]),
    # A Gemini turn with native tools: code it ran (signed), a search it grounded on, an image it drew.
    ModelResponse(
        [
            NativeToolCallPart(
                "code_execution",
                {"language": "PYTHON", "code": "print(21 + 1)"},
                tool_call_id="code_execution_1",
                provider_name="google-gla",
                provider_details={"thought_signature": "Q29kZVNpZw=="},
            ),
            NativeToolReturnPart(
                "code_execution",
                {"outcome": "OUTCOME_OK", "output": "22\n"},
                tool_call_id="code_execution_1",
                provider_name="google-gla",
            ),
            NativeToolCallPart(
                "web_search",
                {"queries": ["rome weather tomorrow"]},
                tool_call_id="googleSearch",
                provider_name="google-gla",
            ),
            NativeToolReturnPart(
                "web_search",
                [{"uri": "https://weather.example/rome", "title": "weather.example"}],
                tool_call_id="googleSearch",
                provider_name="google-gla",
                provider_details={"grounding_metadata": {"webSearchQueries": ["rome weather tomorrow"]}},
            ),
            TextPart(
                "Rome: 22 °C tomorrow.", provider_details={"citations": [{"segment": {"endIndex": 21}}]}
            ),
        ],
        provider_name="google-gla",
    ),
    ModelRequest([UserPromptPart("Thanks!")]),
]

# fake, spec vendor, spec operation
VENDORS: list[tuple[type[FakeVendor], str, str | None]] = [
    (FakeOpenAI, "openai", None),
    (FakeOpenAIResponses, "openai", "responses"),
    (FakeAnthropic, "anthropic", None),
    (FakeGemini, "gemini", None),
    (FakeVertex, "vertex", None),
    (FakeMistral, "mistral", None),
    (FakeCohere, "cohere", None),
    (FakeBedrock, "bedrock", None),
]


@pytest.mark.parametrize(("fake_cls", "spec", "operation"), VENDORS, ids=[v[0].__name__ for v in VENDORS])
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_every_vendor_accepts_a_history_made_by_the_others(
    fake_cls: type[FakeVendor], spec: str, operation: str | None, stream: bool
) -> None:
    with fake_cls() as fake:
        model = fake.model()
    body: dict[str, Any] = model.build_request(
        HISTORY, None, ModelRequestParameters(function_tools=[WEATHER]), stream=stream
    ).body
    assert_spec_valid(spec, body, operation)
    text = repr(body)
    # Another vendor's opaque reasoning never travels to a vendor that cannot verify it.
    if fake_cls not in (FakeAnthropic, FakeBedrock):
        assert "EqQBCkYIAxgCIkD" not in text and "EmwKAhgBEgy3va" not in text
    # A native tool's call and results go back only to the vendor that ran them.
    assert ("srvtoolu_01XvendorSearch" in text) is (fake_cls is FakeAnthropic)
    assert ("EoXv" in text) is (fake_cls is FakeAnthropic)
    assert "Rain tomorrow." in text
    if fake_cls is FakeMistral:  # Mistral wants 9-character alphanumeric ids, the same on call and result
        ids = [c["id"] for m in body["messages"] if m.get("tool_calls") for c in m["tool_calls"]]
        results = [m["tool_call_id"] for m in body["messages"] if m["role"] == "tool"]
        assert all(len(i) == 9 and i.isalnum() for i in ids) and set(results) <= set(ids)
    # Gemini's own native parts go back to Gemini as received (code and its signed result); search
    # records are metadata Gemini does not take back; no other vendor sees any of them.
    if fake_cls in (FakeGemini, FakeVertex):
        assert {
            "executableCode": {"language": "PYTHON", "code": "print(21 + 1)"},
            "thoughtSignature": "Q29kZVNpZw==",
        } in (body["contents"][-2]["parts"])
        assert "rome weather tomorrow" not in text
    else:
        assert (
            "print(21 + 1)" not in text and "OUTCOME_OK" not in text and "rome weather tomorrow" not in text
        )
        assert "Rome: 22 °C tomorrow." in text
    protocol = {FakeOpenAI: "openai_chat", FakeOpenAIResponses: "openai_responses", FakeVertex: "gemini"}.get(
        fake_cls, spec
    )
    assert_protocol_valid(protocol, body)
