"""Function-call ids go back to the Generative Language API but not to Vertex, whose v1 protos lack them."""

from __future__ import annotations

from support import assert_spec_valid
from wireai.codecs import gemini
from wireai.messages import ModelRequest, ModelResponse, ToolCallPart, ToolReturnPart, UserPromptPart

HISTORY = [
    ModelRequest([UserPromptPart("weather?")]),
    ModelResponse(
        [ToolCallPart("get_weather", {"city": "Paris"}, tool_call_id="call_abc")], provider_name="google-gla"
    ),
    ModelRequest([ToolReturnPart("get_weather", "sunny", tool_call_id="call_abc")]),
]


def test_gla_keeps_ids_vertex_drops_them() -> None:
    gla = gemini.build_request(HISTORY, {})
    vertex = gemini.build_request(HISTORY, {}, vertex=True)
    assert gla["contents"][1]["parts"][0]["functionCall"]["id"] == "call_abc"
    assert gla["contents"][2]["parts"][0]["functionResponse"]["id"] == "call_abc"
    assert vertex["contents"][1]["parts"][0]["functionCall"] == {
        "name": "get_weather",
        "args": {"city": "Paris"},
    }
    assert "id" not in vertex["contents"][2]["parts"][0]["functionResponse"]
    assert_spec_valid("gemini", gla)
    assert_spec_valid("vertex", vertex)
