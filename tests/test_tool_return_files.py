"""Tools that return files (a `BinaryImage`, a document, in a list with text): the file stays in the
`ToolReturnPart`'s content, so each codec sends it the vendor's way — inside the tool result where
the vendor takes one (Anthropic `tool_result` blocks, Gemini 3 `functionResponse.parts`, Responses
`function_call_output.output`, Bedrock `toolResult` for Claude, Mistral's tool message), otherwise
named in the result and sent right after it (Gemini before 3, Bedrock's other families, the
follow-up user message of OpenAI chat, Groq and Cohere) — and a history saved as JSON and loaded
again sends the same file, not a JSON dump of it."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wireai import Agent, BinaryContent, BinaryImage, DocumentUrl, ImageUrl
from wireai.messages import (
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    narrow_binary,
)
from wireai.models.function import AgentInfo, FunctionModel
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

PNG = b"\x89PNG\r\n\x1a\n-chart-"
PNG_B64 = base64.b64encode(PNG).decode()
CHART = BinaryImage(PNG, "image/png", identifier="chart.png")


def _chart_agent(model: Any, result: Any) -> Agent[None, str]:
    agent = Agent(model)

    @agent.tool_plain
    def chart() -> Any:
        """The sales chart."""
        return result

    return agent


def test_a_returned_file_stays_in_the_tool_return_part() -> None:
    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if len(messages) == 1:
            return ModelResponse([ToolCallPart("chart", {}, "call_1")])
        return ModelResponse([TextPart("seen")])

    for returned in (CHART, ["Sales by month:", CHART]):
        result = _chart_agent(FunctionModel(model), returned).run_sync("plot")
        part = result.all_messages()[2].parts[0]
        assert isinstance(part, ToolReturnPart) and part.content == returned
        assert part.files() == [CHART]
        assert part.model_response_str() in (
            '"See file chart.png."'[1:-1],
            '["Sales by month:", "See file chart.png."]',
        )


ANTHROPIC_RESULT = {
    "role": "user",
    "content": [
        {
            "type": "tool_result",
            "tool_use_id": "call_1",
            "content": [
                {"type": "text", "text": "Sales by month:"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
            ],
        }
    ],
}
CALL = {"functionCall": {"id": "call_1", "name": "chart", "args": {}}}
RESPONSE = {
    "id": "call_1",
    "name": "chart",
    "response": {"return_value": ["Sales by month:", "See file chart.png."]},
}
INLINE = {"inlineData": {"mimeType": "image/png", "data": PNG_B64}}
GEMINI_3_RESULT = {"role": "user", "parts": [{"functionResponse": {**RESPONSE, "parts": [INLINE]}}]}
VERTEX_3_RESULT = {  # Vertex AI takes no function call ids
    "role": "user",
    "parts": [{"functionResponse": {"name": "chart", "response": RESPONSE["response"], "parts": [INLINE]}}],
}
GEMINI_2_RESULT = {
    "role": "user",
    "parts": [{"functionResponse": RESPONSE}, {"text": "This is file chart.png:"}, INLINE],
}

RESPONSES_RESULT = {
    "type": "function_call_output",
    "call_id": "call_1",
    "output": [
        {"type": "input_text", "text": '["Sales by month:", "See file chart.png."]'},
        {"type": "input_image", "image_url": f"data:image/png;base64,{PNG_B64}", "detail": "auto"},
    ],
}
BEDROCK_IMAGE = {"image": {"format": "png", "source": {"bytes": PNG_B64}}}
BEDROCK_TEXT = [{"text": "Sales by month:"}, {"text": "See file chart.png."}]
BEDROCK_CLAUDE_RESULT = {
    "role": "user",
    "content": [
        {
            "toolResult": {
                "toolUseId": "call_1",
                "content": [*BEDROCK_TEXT, BEDROCK_IMAGE],
                "status": "success",
            }
        }
    ],
}
BEDROCK_LLAMA_RESULT = {
    "role": "user",
    "content": [
        {"toolResult": {"toolUseId": "call_1", "content": BEDROCK_TEXT, "status": "success"}},
        {"text": "This is file chart.png:"},
        BEDROCK_IMAGE,
    ],
}

CHAT_TEXT = '["Sales by month:", "See file chart.png."]'
CHAT_IMAGE = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}}
CHAT_FOLLOW_UP = {
    "role": "user",
    "content": [{"type": "text", "text": "This is file chart.png:"}, CHAT_IMAGE],
}
CHAT_RESULT = [{"role": "tool", "tool_call_id": "call_1", "content": CHAT_TEXT}, CHAT_FOLLOW_UP]
MISTRAL_RESULT = {  # Mistral's ids are its own 9 characters (the codec maps them)
    "role": "tool",
    "name": "chart",
    "content": [{"type": "text", "text": CHAT_TEXT}, CHAT_IMAGE],
}
COHERE_RESULT = [
    {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": [
            {
                "type": "document",
                "document": {"data": {"return_value": ["Sales by month:", "See file chart.png."]}},
            }
        ],
    },
    CHAT_FOLLOW_UP,
]

# fake, model, where the tool result is in the second request, the items it ends with
VENDORS: dict[str, tuple[type[FakeVendor], str | None, str, list[dict[str, Any]]]] = {
    "anthropic": (FakeAnthropic, None, "messages", [ANTHROPIC_RESULT]),
    "gemini-3": (FakeGemini, "gemini-3-pro-preview", "contents", [GEMINI_3_RESULT]),
    "gemini-2.5": (FakeGemini, "gemini-2.5-flash", "contents", [GEMINI_2_RESULT]),
    "vertex-gemini-3": (FakeVertex, "gemini-3-pro-preview", "contents", [VERTEX_3_RESULT]),
    "openai-responses": (FakeOpenAIResponses, None, "input", [RESPONSES_RESULT]),
    "bedrock-claude": (FakeBedrock, None, "messages", [BEDROCK_CLAUDE_RESULT]),
    "bedrock-llama": (FakeBedrock, "meta.llama3-3-70b-instruct-v1:0", "messages", [BEDROCK_LLAMA_RESULT]),
    "openai-chat": (FakeOpenAI, None, "messages", CHAT_RESULT),
    "groq": (FakeGroq, None, "messages", CHAT_RESULT),
    "mistral": (FakeMistral, None, "messages", [MISTRAL_RESULT]),
    "cohere": (FakeCohere, None, "messages", COHERE_RESULT),
}


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_tools_image_reaches_each_vendor_its_way(vendor: str) -> None:
    fake_cls, model_name, key, expected = VENDORS[vendor]
    with fake_cls() as fake:
        fake.add_tool_call("chart", {}, tool_call_id="call_1").add_text("Sales peak in May.")
        result = _chart_agent(fake.model(model_name), ["Sales by month:", CHART]).run_sync("Plot sales")
    assert result.output == "Sales peak in May."
    sent = fake.requests[1].json()
    ending = sent[key][-len(expected) :]
    if vendor == "mistral":
        ending[-1].pop("tool_call_id")
    assert ending == expected
    assert json.dumps(sent).count(PNG_B64) == 1  # sent once, as a file, never inside JSON text


def test_a_history_saved_as_json_sends_the_tools_files_again() -> None:
    report = BinaryContent(b"%PDF-1.7 report", "application/pdf", identifier="report.pdf")
    returned = ["Sales by month:", CHART, report, DocumentUrl("https://example.com/q2.pdf")]
    with FakeAnthropic() as fake:
        fake.add_tool_call("chart", {}, tool_call_id="call_1").add_text("Sales peak in May.")
        result = _chart_agent(fake.model(), returned).run_sync("Plot sales")
        loaded = ModelMessagesTypeAdapter.validate_json(result.all_messages_json())
        fake.add_text("Still May.")
        Agent(fake.model()).run_sync("And now?", message_history=loaded)
    part = loaded[2].parts[0]
    assert isinstance(part, ToolReturnPart) and part.content == returned
    assert isinstance(part.content[1], BinaryImage)
    before, after = fake.requests[1].json()["messages"], fake.requests[2].json()["messages"]
    assert after[: len(before)] == before


def test_only_objects_shaped_like_files_become_files_again() -> None:
    plain = {"kind": "binary", "note": "a tool's own dict that only looks like a file"}
    part = ToolReturnPart("t", [plain, {"kind": "image-url", "url": "https://example.com/a.png"}, 3], "id")
    assert part.content[0] == plain
    assert part.content[1].url == "https://example.com/a.png" and part.content[2] == 3
    request = ModelRequest([ToolReturnPart("t", {"data": "x", "kind": "binary"}, "id")])
    assert request.parts[0].content == {"data": "x", "kind": "binary"}  # no media type: not a file


_files = st.one_of(
    st.builds(
        BinaryContent,
        st.binary(max_size=64),
        st.sampled_from(["image/png", "application/pdf", "audio/wav", "text/plain"]),
        st.one_of(st.none(), st.text(max_size=10)),
    ),
    st.builds(ImageUrl, st.text(min_size=1, max_size=30).map(lambda s: f"https://example.com/{s}")),
    st.builds(DocumentUrl, st.text(min_size=1, max_size=30).map(lambda s: f"https://example.com/{s}")),
)
_plain = st.one_of(
    st.text(max_size=20),
    st.integers(),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)


@given(st.one_of(_files, _plain, st.lists(st.one_of(_files, _plain), max_size=5)))
@settings(max_examples=150, deadline=None)
def test_any_tool_content_of_files_and_values_survives_a_json_round_trip(content: Any) -> None:
    history = [ModelRequest([ToolReturnPart("tool", content, "call_1")])]
    loaded = ModelMessagesTypeAdapter.validate_json(ModelMessagesTypeAdapter.dump_json(history))
    part = loaded[0].parts[0]
    assert isinstance(part, ToolReturnPart)
    # Images come back as BinaryImage (as in a FilePart): JSON does not keep the subclass either way.
    assert part.content == _narrowed(content)
    assert part.files() == [_narrowed(f) for f in ToolReturnPart("tool", content, "call_1").files()]


def _narrowed(value: Any) -> Any:
    if isinstance(value, list):
        return [_narrowed(item) for item in value]
    return narrow_binary(value) if isinstance(value, BinaryContent) else value
