"""Every message part round-trips through JSON losslessly; reprs and helpers match PydanticAI's."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wireai._parts_manager import ModelResponsePartsManager
from wireai.messages import (
    AudioUrl,
    BinaryContent,
    CompactionPart,
    DocumentUrl,
    ImageUrl,
    ModelMessagesTypeAdapter,
    ModelRequest,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    TextPartDelta,
    ThinkingPart,
    ToolCallPart,
    ToolCallPartDelta,
    ToolReturnPart,
    UserPromptPart,
    VideoUrl,
)
from wireai.usage import RequestUsage

T = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def full_history() -> list:
    return [
        ModelRequest(
            [
                SystemPromptPart("sys", timestamp=T, dynamic_ref="f"),
                UserPromptPart(
                    [
                        "look",
                        ImageUrl("https://x.test/a.png"),
                        AudioUrl("https://x.test/a.mp3"),
                        DocumentUrl("https://x.test/a.pdf"),
                        VideoUrl("https://x.test/a.mp4"),
                        BinaryContent(b"\x00\xffbytes", media_type="image/png", identifier="img1"),
                    ],
                    timestamp=T,
                ),
            ],
            instructions="be brief",
        ),
        ModelResponse(
            [
                ThinkingPart(
                    "hmm",
                    id="th1",
                    signature="sig==",
                    provider_name="anthropic",
                    provider_details={"redacted": "x"},
                ),
                CompactionPart(
                    "summary", provider_name="anthropic", provider_details={"encrypted_content": "e"}
                ),
                CompactionPart(
                    None, id="cmp_1", provider_name="openai", provider_details={"encrypted_content": "o"}
                ),
                TextPart("calling", id="t1"),
                ToolCallPart("get", '{"a": 1}', tool_call_id="c1"),
                ToolCallPart("put", {"b": [1, 2]}, tool_call_id="c2"),
            ],
            usage=RequestUsage(
                input_tokens=10,
                output_tokens=5,
                cache_read_tokens=2,
                cache_write_tokens=1,
                details={"reasoning_tokens": 3},
            ),
            model_name="m",
            timestamp=T,
            provider_name="openai",
            provider_response_id="resp_1",
            finish_reason="tool_call",
            provider_details={"service_tier": "default"},
        ),
        ModelRequest(
            [
                ToolReturnPart("get", {"result": [1, "x"]}, tool_call_id="c1", timestamp=T),
                RetryPromptPart(
                    [{"type": "missing", "loc": ["b"], "msg": "Field required", "input": {}}],
                    tool_name="put",
                    tool_call_id="c2",
                    timestamp=T,
                ),
                RetryPromptPart("plain feedback", timestamp=T),
            ]
        ),
    ]


def test_every_part_kind_round_trips_through_json() -> None:
    history = full_history()
    raw = ModelMessagesTypeAdapter.dump_json(history)
    data = json.loads(raw)
    binary = data[0]["parts"][1]["content"][5]
    assert binary["data"] == base64.b64encode(b"\x00\xffbytes").decode()
    kinds = ["thinking", "compaction", "compaction", "text", "tool-call", "tool-call"]
    assert [p["part_kind"] for p in data[1]["parts"]] == kinds
    assert data[1]["parts"][2] == {  # PydanticAI's shape, so stored histories move between the two
        "content": None,
        "id": "cmp_1",
        "provider_name": "openai",
        "provider_details": {"encrypted_content": "o"},
        "part_kind": "compaction",
    }
    loaded = ModelMessagesTypeAdapter.validate_json(raw)
    assert loaded == history
    assert isinstance(loaded[0].parts[1].content[5], BinaryContent)
    assert loaded[0].parts[1].content[5].data == b"\x00\xffbytes"
    assert isinstance(loaded[1].usage, RequestUsage)
    assert ModelMessagesTypeAdapter.validate_python(ModelMessagesTypeAdapter.dump_python(history)) == history


def test_helpers() -> None:
    call = ToolCallPart("f", '{"a": 1}')
    assert call.args_as_dict() == {"a": 1} and call.args_as_json_str() == '{"a": 1}'
    assert ToolCallPart("f", {"a": 1}).args_as_json_str() == '{"a": 1}'
    assert ToolCallPart("f", None).args_as_dict() == {} and call.tool_call_id.startswith("pyd_ai_")
    with pytest.raises(ValueError):
        ToolCallPart("f", "[1]").args_as_dict()
    assert ToolReturnPart("f", {"a": 1}).model_response_object() == {"a": 1}
    assert ToolReturnPart("f", [1]).model_response_object() == {"return_value": [1]}
    assert ToolReturnPart("f", [1]).model_response_str() == "[1]"
    assert ImageUrl("https://x/y.webp?z=1").media_type == "image/webp"
    assert DocumentUrl("https://x/file").media_type == "application/pdf"
    assert (
        BinaryContent(b"x", "audio/mpeg").format == "mp3"
        and BinaryContent(b"x", "image/jpeg").format == "jpeg"
    )
    assert BinaryContent(b"ab", "image/png").data_uri == "data:image/png;base64,YWI="
    assert (
        repr(BinaryContent(b"ab", "image/png"))
        == "BinaryContent(data=<2 bytes>, media_type='image/png', kind='binary')"
    )
    assert ModelResponse([TextPart("a"), TextPart("b")]).text == "ab"


def test_parts_manager_extends_a_call_under_its_key_and_text_accumulates() -> None:
    parts = ModelResponsePartsManager()
    parts.handle_tool_call_delta("t", "get", "", "c1")
    parts.handle_tool_call_delta("t", None, '{"a":1}', None)
    start = parts.handle_text_delta("text", "Hel")
    delta = parts.handle_text_delta("text", "lo")
    assert isinstance(start, PartStartEvent) and start.part == TextPart("Hel")
    assert isinstance(delta, PartDeltaEvent) and delta.delta == TextPartDelta("lo")
    assert parts.get_parts() == [ToolCallPart("get", '{"a":1}', tool_call_id="c1"), TextPart("Hello")]
    assert parts.handle_tool_call_delta("t", None, None, None) is None
    assert isinstance(parts.handle_tool_call_delta("t", None, "x", None), PartDeltaEvent)
    assert ToolCallPartDelta(args_delta="x").args_delta == "x"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=5), max_size=30))
def test_text_deltas_concatenate_exactly(chunks: list[str]) -> None:
    parts = ModelResponsePartsManager()
    for chunk in chunks:
        parts.handle_text_delta("t", chunk)
    joined = "".join(chunks)
    assert parts.get_parts() == ([TextPart(joined)] if joined else [])
