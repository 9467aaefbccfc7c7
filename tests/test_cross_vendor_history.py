"""A conversation started on one vendor continues on any other (FallbackModel switches mid-run).

The history holds every vendor's particulars — Anthropic thinking signatures and redacted
thinking, Gemini thought signatures, OpenAI `call_...` ids, Bedrock `tooluse_...` ids — and every
codec must turn it into a body its own vendor accepts (checked against the vendor's spec).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from support import assert_protocol_valid, assert_spec_valid
from wireai.messages import (
    BinaryImage,
    CompactionPart,
    FilePart,
    ModelMessage,
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
    FakeGroq,
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
            CompactionPart(
                "Earlier: the user plans a trip to Paris and Rome.",
                provider_name="anthropic",
                provider_details={"encrypted_content": "EqCmpAnthropicOpaque"},
            ),
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
    ModelResponse(  # Bedrock Nova ran its code interpreter itself
        [
            NativeToolCallPart(
                "code_execution",
                {"code": "print(21 * 9 / 5 + 32)"},
                tool_call_id="tooluse_Bq2nCv7xT0aZbW4kPm9sRe",
                provider_name="bedrock",
                provider_details={"name": "nova_code_interpreter"},
            ),
            NativeToolReturnPart(
                "code_execution",
                {"stdOut": "69.8\n", "stdErr": "", "exitCode": 0, "isError": False},
                tool_call_id="tooluse_Bq2nCv7xT0aZbW4kPm9sRe",
                provider_name="bedrock",
                provider_details={
                    "name": "nova_code_interpreter",
                    "content": [{"text": '{"stdOut":"69.8\\n","stdErr":"","exitCode":0,"isError":false}'}],
                    "type": "nova_code_interpreter_result",
                    "status": "success",
                },
            ),
            TextPart("Rome is 69.8 °F."),
        ],
        provider_name="bedrock",
    ),
    ModelRequest([UserPromptPart("In Paris too?")]),
    ModelResponse(
        [
            CompactionPart(
                None,
                id="cmp_cross",
                provider_name="openai",
                provider_details={"encrypted_content": "gAAAAB-cmp"},
            ),
            TextPart("Paris is sunny, Rome 21 °C."),
        ],
        provider_name="openai",
    ),
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


def beta_operation(headers: dict[str, str], operation: str | None) -> str | None:
    """Anthropic's beta spec for a request with betas (a compaction block sent back needs one)."""
    return "messages-beta" if "anthropic-beta" in headers else operation


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
# the protocol whose request schema a fake's bodies follow, where it is not named as the spec vendor
PROTOCOLS = {FakeOpenAI: "openai_chat", FakeOpenAIResponses: "openai_responses", FakeVertex: "gemini"}


def sent_body(
    fake_cls: type[FakeVendor],
    spec: str,
    operation: str | None,
    history: Sequence[ModelMessage],
    params: ModelRequestParameters | None = None,
    *,
    stream: bool = False,
) -> dict[str, Any]:
    """The body `fake_cls`'s model builds for `history`, checked against the vendor's description."""
    with fake_cls() as fake:
        model = fake.model()
    request = model.build_request(list(history), None, params or ModelRequestParameters(), stream=stream)
    body: dict[str, Any] = request.body
    assert_spec_valid(spec, body, beta_operation(request.headers, operation))
    return body


@pytest.mark.parametrize(("fake_cls", "spec", "operation"), VENDORS, ids=[v[0].__name__ for v in VENDORS])
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_every_vendor_accepts_a_history_made_by_the_others(
    fake_cls: type[FakeVendor], spec: str, operation: str | None, stream: bool
) -> None:
    body = sent_body(
        fake_cls, spec, operation, HISTORY, ModelRequestParameters(function_tools=[WEATHER]), stream=stream
    )
    text = repr(body)
    # A native tool turn goes to no vendor that did not run it (nor to Bedrock without its system tool);
    # the text around it does.
    assert "nova_code_interpreter" not in text and "tooluse_Bq2nCv7xT0aZbW4kPm9sRe" not in text
    assert "69.8 °F" in text
    # Another vendor's opaque reasoning never travels to a vendor that cannot verify it.
    if fake_cls not in (FakeAnthropic, FakeBedrock):
        assert "EqQBCkYIAxgCIkD" not in text and "EmwKAhgBEgy3va" not in text
    # A native tool's call and results go back only to the vendor that ran them.
    assert ("srvtoolu_01XvendorSearch" in text) is (fake_cls is FakeAnthropic)
    assert ("EoXv" in text) is (fake_cls is FakeAnthropic)
    assert "Rain tomorrow." in text
    # A compaction summary goes back only to the vendor that made it (the API drops what it summarised).
    assert ("EqCmpAnthropicOpaque" in text) is ("trip to Paris" in text) is (fake_cls is FakeAnthropic)
    assert ("gAAAAB-cmp" in text) is ("cmp_cross" in text) is (fake_cls is FakeOpenAIResponses)
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
    assert_protocol_valid(PROTOCOLS.get(fake_cls, spec), body)


# A turn on the OpenAI Responses API that ran native tools: a web search, code execution with a chart
# and an image generation, each as OpenAI sends them (ids, item types, encrypted reasoning).
RESPONSES_NATIVE_TURN = [
    ModelRequest([UserPromptPart("Find the otter story, chart it and draw an otter.")]),
    ModelResponse(
        [
            ThinkingPart("", id="rs_native", signature="gAAAAB-native-enc", provider_name="openai"),
            NativeToolCallPart(
                "web_search",
                {"type": "search", "query": "otters"},
                "ws_native",
                provider_name="openai",
                provider_details={"item_type": "web_search_call"},
            ),
            NativeToolReturnPart(
                "web_search", {"status": "completed", "sources": [{"type": "url", "url": "https://bbc.co.uk/o"}]},
                "ws_native", provider_name="openai",
            ),
            NativeToolCallPart(
                "code_execution",
                {"container_id": "cntr_native", "code": "plot()"},
                "ci_native",
                provider_name="openai",
                provider_details={"item_type": "code_interpreter_call"},
            ),
            FilePart(BinaryImage(b"\x89PNG chart", "image/png"), id="ci_native", provider_name="openai"),
            NativeToolReturnPart("code_execution", {"status": "completed", "logs": ["ok\n"]}, "ci_native", provider_name="openai"),
            NativeToolCallPart(
                "image_generation", None, "ig_native", provider_name="openai",
                provider_details={"item_type": "image_generation_call"},
            ),
            FilePart(BinaryImage(b"\x89PNG otter", "image/png"), id="ig_native", provider_name="openai"),
            NativeToolReturnPart("image_generation", {"status": "completed"}, "ig_native", provider_name="openai"),
            TextPart("Otters are back; here is a chart and a drawing.",
                     provider_details={"annotations": [{"type": "url_citation", "url": "https://bbc.co.uk/o",
                                                        "title": "Otters", "start_index": 0, "end_index": 6}]}),
        ],
        provider_name="openai",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("fake_cls", "spec", "operation"), VENDORS, ids=[v[0].__name__ for v in VENDORS])
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_an_openai_responses_native_tool_turn_continues_on_every_vendor(
    fake_cls: type[FakeVendor], spec: str, operation: str | None, stream: bool
) -> None:
    history = [*HISTORY[:-1], *RESPONSES_NATIVE_TURN, HISTORY[-1]]
    body = sent_body(
        fake_cls, spec, operation, history, ModelRequestParameters(function_tools=[WEATHER]), stream=stream
    )
    text = repr(body)
    assert "Otters are back" in text  # the answer travels everywhere
    if fake_cls is FakeOpenAIResponses:  # the vendor that ran the tools gets its items back, by id
        native = ("reasoning", "web_search_call", "code_interpreter_call", "image_generation_call")
        assert [item["type"] for item in body["input"] if item.get("type") in native] == list(native)
    else:  # the others never see OpenAI's server-side calls, their encrypted reasoning or container
        assert "ws_native" not in text and "cntr_native" not in text and "gAAAAB-native-enc" not in text
    assert_protocol_valid(PROTOCOLS.get(fake_cls, spec), body)


# A web-search turn from the chat-completion family: Groq's executed tools (native call and
# return) and an OpenAI search model's url_citation annotations on the text.
CHAT_SEARCH_TURN = [
    ModelRequest([UserPromptPart("Latest Python?")]),
    ModelResponse(
        [
            NativeToolCallPart(
                "web_search",
                '{"query": "latest python"}',
                "executed_tool_0",
                provider_name="groq",
                provider_details={"type": "search", "index": 0},
            ),
            NativeToolReturnPart(
                "web_search",
                {
                    "results": [
                        {"title": "Python 3.14.1", "url": "https://www.python.org/", "content": "GROQ-RESULT"}
                    ]
                },
                "executed_tool_0",
                provider_name="groq",
                provider_details={"index": 0, "type": "search", "output": "GROQ-OUTPUT"},
            ),
            TextPart(
                "Python 3.14.1.",
                provider_details={
                    "annotations": [{"type": "url_citation", "url_citation": {"url": "https://CITED"}}]
                },
            ),
        ],
        provider_name="groq",
    ),
    ModelRequest([UserPromptPart("Is it stable?")]),
]


@pytest.mark.parametrize(
    ("fake_cls", "spec", "operation"),
    [*VENDORS, (FakeGroq, "groq", None)],
    ids=[v[0].__name__ for v in [*VENDORS, (FakeGroq, "groq", None)]],
)
def test_a_chat_family_web_search_turn_is_dropped_cleanly_for_every_vendor(
    fake_cls: type[FakeVendor], spec: str, operation: str | None
) -> None:
    body = sent_body(fake_cls, spec, operation, CHAT_SEARCH_TURN)
    text = repr(body)
    # The answer's text goes on; what the search did, and the citations, stay with the response.
    assert "Python 3.14.1." in text
    assert not any(
        marker in text for marker in ("executed_tool_0", "GROQ-RESULT", "GROQ-OUTPUT", "https://CITED")
    )


OTHER_VENDOR_SEARCH_TURN = [
    ModelRequest([UserPromptPart("Latest Python?")]),
    ModelResponse(
        [
            NativeToolCallPart(
                "web_search", {"query": "latest python"}, "srvtoolu_01", provider_name="anthropic"
            ),
            NativeToolReturnPart(
                "web_search",
                [
                    {
                        "type": "web_search_result",
                        "url": "https://www.python.org/",
                        "encrypted_content": "ENCRYPTED",
                    }
                ],
                "srvtoolu_01",
                provider_name="anthropic",
            ),
            TextPart("Python 3.14.1."),
        ],
        provider_name="anthropic",
    ),
    ModelRequest([UserPromptPart("Is it stable?")]),
]


@pytest.mark.parametrize(
    ("fake_cls", "spec"),
    [(FakeOpenAI, "openai"), (FakeGroq, "groq"), (FakeMistral, "mistral"), (FakeCohere, "cohere")],
    ids=["FakeOpenAI", "FakeGroq", "FakeMistral", "FakeCohere"],
)
def test_chat_family_codecs_drop_another_vendors_native_tool_turn(
    fake_cls: type[FakeVendor], spec: str
) -> None:
    body = sent_body(fake_cls, spec, None, OTHER_VENDOR_SEARCH_TURN)
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert "ENCRYPTED" not in repr(body) and "srvtoolu_01" not in repr(body)
