"""Function-call ids go back to the Generative Language API but not to Vertex, whose v1 protos lack them."""

from __future__ import annotations

from support import assert_spec_valid
from wireai.codecs import ModelRequestParameters, gemini
from wireai.messages import ModelRequest, ModelResponse, ToolCallPart, ToolReturnPart, UserPromptPart
from wireai.models.gemini import GeminiModel
from wireai.profiles import ModelProfile
from wireai.providers.google_vertex import GoogleVertexProvider
from wireai.testing.fakes import FakeGoogleCredentials

HISTORY = [
    ModelRequest([UserPromptPart("weather?")]),
    ModelResponse(
        [ToolCallPart("get_weather", {"city": "Paris"}, tool_call_id="call_abc")], provider_name="google-gla"
    ),
    ModelRequest([ToolReturnPart("get_weather", "sunny", tool_call_id="call_abc")]),
]


def test_gla_keeps_ids_vertex_drops_them() -> None:
    params = ModelRequestParameters()
    gla = gemini.build_request(HISTORY, params, model="gemini-2.0-flash").body
    vertex_profile = ModelProfile(extra={"gemini_vertex": True})
    vertex = gemini.build_request(HISTORY, params, model="gemini-2.0-flash", profile=vertex_profile).body
    assert gla is not None and vertex is not None
    assert gla["contents"][1]["parts"][0]["functionCall"]["id"] == "call_abc"
    assert gla["contents"][2]["parts"][0]["functionResponse"]["id"] == "call_abc"
    assert vertex["contents"][1]["parts"][0]["functionCall"] == {
        "name": "get_weather",
        "args": {"city": "Paris"},
    }
    assert "id" not in vertex["contents"][2]["parts"][0]["functionResponse"]
    assert_spec_valid("gemini", gla)
    assert_spec_valid("vertex", vertex)


def test_the_vertex_provider_marks_its_profile_and_a_users_own_profile_keeps_the_mark() -> None:
    """Which body flavour the host takes is the provider's knowledge: a profile the user passes to
    describe the model must not make wireai send ids that Vertex rejects."""
    provider = GoogleVertexProvider(credentials=FakeGoogleCredentials(), project_id="fake-project")
    assert provider.model_profile("gemini-2.0-flash").extra["gemini_vertex"] is True
    for profile in (None, ModelProfile(supports_json_schema_output=True, extra={"gemini_json_schema": True})):
        model = GeminiModel("gemini-2.0-flash", provider=provider, profile=profile)
        body = model.build_request(list(HISTORY), None, ModelRequestParameters()).body
        assert body is not None and "id" not in body["contents"][1]["parts"][0]["functionCall"]
        assert_spec_valid("vertex", body)
    assert model.profile.extra == {"gemini_json_schema": True, "gemini_vertex": True}
    gla = GeminiModel("gemini-2.0-flash", api_key="k", profile=ModelProfile())
    assert gla.profile.extra == {}
