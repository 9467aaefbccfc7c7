"""Gemini codec without a socket: schema conversion, encode -> parse round trips, and hypothesis
properties over every stream fixture (re-chunking changes nothing; garbage and truncation give a
result or a typed error, never another exception)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from support import assert_protocol_valid, assert_spec_valid
from wireai.codecs import ModelRequestParameters, OutputObjectDefinition
from wireai.codecs import gemini as codec
from wireai.codecs._base import stamp_provider
from wireai.codecs.gemini_schema import to_gemini_schema
from wireai.exceptions import ModelAPIError, ModelHTTPError, UnexpectedModelBehavior, UserError
from wireai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    UserPromptPart,
)
from wireai.profiles import ModelProfile
from wireai.testing.encoders import gemini as encoders
from wireai.testing.fixtures import list_cases, load_case
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage


def build(
    messages: list[ModelMessage],
    params: ModelRequestParameters | None = None,
    settings: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The body `build_request` makes; `extra` is the profile's (`gemini_json_schema=True`, ...)."""
    profile = ModelProfile(extra=extra) if extra else None
    request = codec.build_request(
        messages, params or ModelRequestParameters(), settings, model="gemini-2.0-flash", profile=profile
    )
    assert (request.method, request.path, request.headers, request.query) == (
        "POST",
        "models/gemini-2.0-flash:generateContent",
        {"content-type": "application/json"},
        {},
    )
    assert request.body is not None
    return request.body


def with_proto_types(value: Any) -> Any:
    """`value` with each bare `{"anyOf": [...]}` given its first member's `type`.

    The v1beta protos mark `Schema.type` REQUIRED, but the live API rejects any field beside
    `anyOf` ("When using any_of, it must be the only field set", googleapis/python-genai#625), so
    bodies with unions are checked against the protos with that one lagging rule waived.
    """
    if isinstance(value, list):
        return [with_proto_types(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: with_proto_types(v) for k, v in value.items()}
    if set(out) == {"anyOf"} and out["anyOf"]:
        out["type"] = out["anyOf"][0]["type"]
    return out


# ---------------------------------------------------------------------------------------------- schemas


class Leaf(BaseModel):
    label: str


class Tree(BaseModel):
    name: str
    children: list[Tree] = []


class Mixed(BaseModel):
    leaf: Leaf | None = None
    count: int | str
    when: str
    kind: str = "a"


def test_nested_models_are_inlined_and_optional_becomes_nullable() -> None:
    schema = Mixed.model_json_schema()
    schema["properties"]["when"]["format"] = "date-time"
    schema["properties"]["kind"]["const"] = "a"
    converted = to_gemini_schema(schema)
    assert converted == {
        "type": "OBJECT",
        "properties": {
            "leaf": {
                "type": "OBJECT",
                "properties": {"label": {"type": "STRING"}},
                "required": ["label"],
                "nullable": True,
            },
            "count": {"anyOf": [{"type": "INTEGER"}, {"type": "STRING"}]},
            "when": {"type": "STRING", "format": "date-time"},
            "kind": {"type": "STRING", "enum": ["a"], "default": "a"},
        },
        "required": ["count", "when"],
    }
    body = {
        "contents": [{"role": "user", "parts": [{"text": "x"}]}],
        "generationConfig": {"responseSchema": converted},
    }
    assert_protocol_valid("gemini", body)
    assert_spec_valid("gemini", with_proto_types(body))


def test_unsupported_formats_move_into_the_description_and_maps_are_described() -> None:
    converted = to_gemini_schema(
        {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid", "description": "Row id"},
                "extra": {"type": "object", "additionalProperties": {"type": "integer"}},
                "n": {"type": ["integer", "null"], "minimum": 0},
            },
            "additionalProperties": False,
            "title": "Row",
            "$schema": "https://json-schema.org/draft/2020-12/schema",
        }
    )
    assert converted == {
        "type": "OBJECT",
        "properties": {
            "id": {"type": "STRING", "description": "Row id (format: uuid)"},
            "extra": {"type": "OBJECT", "description": "An object with arbitrary keys."},
            "n": {"type": "INTEGER", "nullable": True, "minimum": 0},
        },
    }


def test_a_union_is_a_bare_any_of_with_description_and_nullability_moved_into_its_members() -> None:
    # Gemini: "When using any_of, it must be the only field set".
    schema = {
        "anyOf": [
            {"type": "integer"},
            {"anyOf": [{"type": "string"}, {"type": "boolean"}]},
            {"type": "null"},
        ],
        "description": "A value",
        "default": None,
    }
    assert to_gemini_schema(schema) == {
        "anyOf": [
            {"type": "INTEGER", "description": "A value", "nullable": True},
            {"type": "STRING", "description": "A value", "nullable": True},
            {"type": "BOOLEAN", "description": "A value", "nullable": True},
        ]
    }
    assert to_gemini_schema({"type": ["string", "integer"]}) == {
        "anyOf": [{"type": "STRING"}, {"type": "INTEGER"}]
    }
    assert to_gemini_schema({"anyOf": [{"type": "null"}]}) == {"type": "STRING", "nullable": True}


def test_tuples_become_arrays_of_the_union_of_their_positions() -> None:
    class Pair(BaseModel):
        pair: tuple[int, str]
        single: tuple[int]

    converted = to_gemini_schema(Pair.model_json_schema())
    assert converted["properties"] == {
        "pair": {
            "type": "ARRAY",
            "minItems": 2,
            "maxItems": 2,
            "items": {"anyOf": [{"type": "INTEGER"}, {"type": "STRING"}]},
        },
        "single": {"type": "ARRAY", "minItems": 1, "maxItems": 1, "items": {"type": "INTEGER"}},
    }
    body = build(
        [ModelRequest([UserPromptPart("x")])],
        ModelRequestParameters(
            function_tools=[ToolDefinition("pair", Pair.model_json_schema(), "Store a pair.")]
        ),
    )
    assert_protocol_valid("gemini", body)
    assert_spec_valid("gemini", with_proto_types(body))


def test_recursive_ref_is_a_clear_user_error_and_json_schema_mode_sends_it_whole() -> None:
    schema = Tree.model_json_schema()
    with pytest.raises(UserError, match="refers to itself"):
        to_gemini_schema(schema)
    tool = ToolDefinition("plant", schema, "Plant a tree.")
    body = build(
        [ModelRequest([UserPromptPart("x")])],
        ModelRequestParameters(function_tools=[tool]),
        gemini_json_schema=True,
    )
    assert body["tools"][0]["functionDeclarations"][0]["parametersJsonSchema"] == schema
    assert_protocol_valid("gemini", body)
    assert_spec_valid("gemini", body)


def test_enums_of_numbers_are_strings_and_tools_without_arguments_omit_parameters() -> None:
    assert to_gemini_schema({"enum": [1, 2, None]}) == {
        "enum": ["1", "2"],
        "type": "STRING",
        "nullable": True,
    }
    body = build(
        [ModelRequest([UserPromptPart("x")])],
        ModelRequestParameters(function_tools=[ToolDefinition("now", description="Time now.")]),
    )
    assert body["tools"] == [{"functionDeclarations": [{"name": "now", "description": "Time now."}]}]
    assert_spec_valid("gemini", body)


# ---------------------------------------------------------------------------------------------- round trips

RESPONSES = [
    ModelResponse(
        [TextPart("Hello, world! " * 5)],
        usage=RequestUsage(input_tokens=3, output_tokens=4),
        finish_reason="stop",
    ),
    ModelResponse(
        [
            ThinkingPart(
                "Let me think about it carefully.", signature="c2lnLTE=", provider_name="google-gla"
            ),
            TextPart("Calling.", provider_details={"thought_signature": "c2lnLTI="}),
            ToolCallPart("a", {"x": 1}, "id-a", provider_details={"thought_signature": "c2lnLTM="}),
            ToolCallPart("b", {"y": [1, 2]}, "id-b"),
        ],
        usage=RequestUsage(
            input_tokens=50,
            output_tokens=20,
            cache_read_tokens=10,
            details={"reasoning_tokens": 8, "text_prompt_tokens": 40, "image_prompt_tokens": 10},
        ),
        finish_reason="stop",
    ),
    ModelResponse(
        [TextPart("cut")], usage=RequestUsage(input_tokens=1, output_tokens=1), finish_reason="length"
    ),
]


def same(a: ModelResponse, b: ModelResponse) -> None:
    assert a.parts == b.parts
    assert a.usage == b.usage
    assert a.finish_reason == b.finish_reason


@pytest.mark.parametrize("response", RESPONSES)
def test_encode_response_round_trips(response: ModelResponse) -> None:
    # The codec serves two hosts and leaves the provider unnamed: the caller names it, as the model does.
    same(
        stamp_provider(
            codec.parse_response(encoders.encode_response(response), model_name="m"), "google-gla"
        ),
        response,
    )


@pytest.mark.parametrize("response", RESPONSES)
def test_encode_stream_round_trips(response: ModelResponse) -> None:
    same(parse_stream(encoders.encode_stream(response, text_chunk=5)), response)


# ---------------------------------------------------------------------------------------------- properties


def parse_stream(raw: bytes, cuts: list[int] | None = None) -> ModelResponse:
    parser = codec.StreamParser(model_name="gemini-2.0-flash")
    parser.provider_name = "google-gla"  # as GeminiModel names it
    pieces = [raw]
    if cuts:
        points = sorted({c % (len(raw) + 1) for c in cuts})
        pieces = [raw[i:j] for i, j in zip([0, *points], [*points, len(raw)])]
    for piece in pieces:
        parser.feed(piece)
    return parser.close()


def stream_fixtures() -> list[bytes]:
    out = []
    for protocol in ("gemini", "vertex"):
        for name in list_cases(protocol):
            for exchange in load_case(protocol, name).exchanges:
                if "sse" in exchange.response:
                    out.append(exchange.raw_body())
    out.extend(encoders.encode_stream(r, text_chunk=3) for r in RESPONSES)
    return out


STREAMS = stream_fixtures()
TYPED = (UnexpectedModelBehavior, ModelHTTPError, ModelAPIError)


def outcome(raw: bytes, cuts: list[int] | None = None) -> Any:
    try:
        r = parse_stream(raw, cuts)
    except TYPED as exc:
        return (type(exc), str(exc))
    for part in r.parts:  # ids wireai generates differ run to run
        if isinstance(part, ToolCallPart) and part.tool_call_id.startswith("pyd_ai_"):
            part.tool_call_id = "generated"
    return (r.parts, r.usage, r.finish_reason, r.model_name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(STREAMS) - 1), cuts=st.lists(st.integers(0, 10_000), max_size=12))
def test_any_rechunking_gives_the_same_response(index: int, cuts: list[int]) -> None:
    raw = STREAMS[index]
    assert outcome(raw, cuts) == outcome(raw)


@settings(max_examples=80, deadline=None)
@given(index=st.integers(0, len(STREAMS) - 1), cut=st.integers(0, 10_000), junk=st.binary(max_size=40))
def test_truncation_and_garbage_give_a_result_or_a_typed_error(index: int, cut: int, junk: bytes) -> None:
    raw = STREAMS[index]
    for candidate in (
        raw[: cut % (len(raw) + 1)],
        raw[: cut % (len(raw) + 1)] + junk,
        junk,
        raw.replace(b'"', b"", 1),
    ):
        outcome(candidate)  # anything but a typed error propagates and fails the test


@settings(max_examples=80, deadline=None)
@given(body=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                         lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                             st.sampled_from(["candidates", "content", "parts", "text", "functionCall", "name", "args",
                                              "usageMetadata", "promptTokenCount", "finishReason", "thought", "error",
                                              "promptFeedback", "blockReason", "code"]), inner, max_size=4),
                         max_leaves=20))  # fmt: skip
def test_random_json_bodies_give_a_result_or_a_typed_error(body: Any) -> None:
    try:
        codec.parse_response(body, model_name="m")
    except TYPED:
        pass


def test_truncated_stream_without_finish_reason_is_unexpected() -> None:
    raw = load_case("gemini", "stream_text").exchanges[0].raw_body()
    first_event = raw.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    with pytest.raises(UnexpectedModelBehavior, match="finishReason"):
        parse_stream(first_event)


# ---------------------------------------------------------------------------------------------- finish reasons

# Every value of the v1beta `Candidate.FinishReason` enum, as Google documents it, and Vertex AI's
# MODEL_ARMOR (v1 `Candidate.FinishReason`).
EXPECTED_FINISH = {
    "FINISH_REASON_UNSPECIFIED": None,
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "LANGUAGE": "error",
    "OTHER": None,
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "MALFORMED_FUNCTION_CALL": "error",
    "IMAGE_SAFETY": "content_filter",
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
    "IMAGE_OTHER": None,
    "NO_IMAGE": "error",
    "IMAGE_RECITATION": "content_filter",
    "UNEXPECTED_TOOL_CALL": "error",
    "TOO_MANY_TOOL_CALLS": "error",
    "MODEL_ARMOR": "content_filter",
}


def test_the_finish_reason_table_covers_the_whole_enum() -> None:
    assert codec.FINISH_REASONS == EXPECTED_FINISH


@pytest.mark.parametrize("raw", sorted(EXPECTED_FINISH))
def test_every_finish_reason_is_read_from_bodies_and_streams(raw: str) -> None:
    body = {
        "candidates": [{"content": {"role": "model", "parts": [{"text": "x"}]}, "finishReason": raw}],
        "usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 1},
    }
    response = codec.parse_response(body, model_name="m")
    assert response.parts == [TextPart("x")]
    assert response.finish_reason == EXPECTED_FINISH[raw]
    assert response.provider_details == {"finish_reason": raw}
    parser = codec.StreamParser(model_name="m")
    parser.feed(f"data: {json.dumps(body)}\r\n\r\n".encode())
    streamed = parser.close()
    assert streamed.parts == [TextPart("x")]
    assert streamed.finish_reason == EXPECTED_FINISH[raw]
    assert streamed.provider_details == {"finish_reason": raw}
    assert streamed.usage == RequestUsage(input_tokens=2, output_tokens=1)


CONTENT_FILTERS = ["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
                   "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "MODEL_ARMOR"]  # fmt: skip


@pytest.mark.parametrize("raw", CONTENT_FILTERS)
def test_a_content_filter_without_content_is_returned_with_its_reason_json_and_stream(raw: str) -> None:
    ratings = [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True}]
    body = {"candidates": [{"finishReason": raw, "finishMessage": "why", "safetyRatings": ratings}],
            "usageMetadata": {"promptTokenCount": 7, "totalTokenCount": 7}}  # fmt: skip
    details = {"finish_reason": raw, "finish_message": "why", "safety_ratings": ratings}
    response = codec.parse_response(body, model_name="m")
    assert (response.parts, response.finish_reason, response.provider_details) == (
        [],
        "content_filter",
        details,
    )
    assert response.usage == RequestUsage(input_tokens=7)
    parser = codec.StreamParser(model_name="m")
    parser.feed(f"data: {json.dumps(body)}\r\n\r\n".encode())
    streamed = parser.close()
    assert (streamed.parts, streamed.finish_reason, streamed.provider_details) == (
        [],
        "content_filter",
        details,
    )


def test_a_malformed_function_call_without_content_is_still_unexpected() -> None:
    body = {"candidates": [{"finishReason": "MALFORMED_FUNCTION_CALL", "finishMessage": "why"}]}
    with pytest.raises(
        UnexpectedModelBehavior, match="finishReason MALFORMED_FUNCTION_CALL and no content: why"
    ):
        codec.parse_response(body, model_name="m")
    parser = codec.StreamParser(model_name="m")
    with pytest.raises(UnexpectedModelBehavior, match="MALFORMED_FUNCTION_CALL"):
        parser.feed(f"data: {json.dumps(body)}\r\n\r\n".encode())


def test_max_tokens_without_content_is_an_empty_answer_not_an_error() -> None:
    body = {"candidates": [{"content": {"role": "model"}, "finishReason": "MAX_TOKENS"}]}
    response = codec.parse_response(body, model_name="m")
    assert (response.parts, response.finish_reason) == ([], "length")


# ---------------------------------------------------------------------------------------------- request fields

PERSON = {
    "type": "object",
    "title": "Person",
    "properties": {"name": {"type": "string", "title": "Name"}},
    "required": ["name"],
    "additionalProperties": False,
}
HELLO = [ModelRequest([UserPromptPart("hi")])]


def test_every_generation_setting_thinking_config_and_safety_settings_on_the_wire() -> None:
    body = build(
        HELLO,
        None,
        {
            "max_tokens": 100, "temperature": 0.5, "top_p": 0.8, "top_k": 20, "seed": 3,
            "stop_sequences": ["END"], "presence_penalty": 0.25, "frequency_penalty": -0.5,
            "gemini_thinking_config": {"thinking_budget": 0, "include_thoughts": False},
            "google_safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}],
        },
    )  # fmt: skip
    assert body == {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "generationConfig": {
            "maxOutputTokens": 100,
            "temperature": 0.5,
            "topP": 0.8,
            "topK": 20,
            "seed": 3,
            "stopSequences": ["END"],
            "presencePenalty": 0.25,
            "frequencyPenalty": -0.5,
            "thinkingConfig": {"thinkingBudget": 0, "includeThoughts": False},
        },
        "safetySettings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}],
    }
    assert_protocol_valid("gemini", body)
    assert_spec_valid("gemini", body)


def test_function_calling_mode_is_auto_by_default_and_any_with_allowed_names_when_text_is_not_allowed() -> (
    None
):
    now = ToolDefinition("now", description="Time now.")
    final = ToolDefinition("final_result", PERSON, "The final answer.", kind="output")
    auto = build(
        HELLO, ModelRequestParameters(function_tools=[now], output_tools=[final], allow_text_output=True)
    )
    assert "toolConfig" not in auto  # AUTO is Gemini's default: nothing to send
    forced = build(
        HELLO, ModelRequestParameters(function_tools=[now], output_tools=[final], allow_text_output=False)
    )
    assert forced["toolConfig"] == {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["now", "final_result"]}
    }
    assert forced["tools"] == [
        {
            "functionDeclarations": [
                {"name": "now", "description": "Time now."},
                {
                    "name": "final_result",
                    "description": "The final answer.",
                    "parameters": {
                        "type": "OBJECT",
                        "properties": {"name": {"type": "STRING"}},
                        "required": ["name"],
                    },
                },
            ]
        }
    ]
    for body in (auto, forced):
        assert_protocol_valid("gemini", body)
        assert_spec_valid("gemini", body)


def test_native_output_in_json_schema_mode_and_prompted_output() -> None:
    native = build(
        HELLO,
        ModelRequestParameters(
            output_mode="native", output_object=OutputObjectDefinition({"$schema": "x", **PERSON})
        ),
        gemini_json_schema=True,
    )
    assert native["generationConfig"] == {
        "responseMimeType": "application/json",
        "responseJsonSchema": PERSON,
    }
    converted = build(
        HELLO, ModelRequestParameters(output_mode="native", output_object=OutputObjectDefinition(PERSON))
    )
    assert converted["generationConfig"] == {
        "responseMimeType": "application/json",
        "responseSchema": {
            "type": "OBJECT",
            "properties": {"name": {"type": "STRING"}},
            "required": ["name"],
        },
    }
    prompted = build(HELLO, ModelRequestParameters(output_mode="prompted"))
    assert prompted["generationConfig"] == {"responseMimeType": "application/json"}
    for body in (native, converted, prompted):
        assert_protocol_valid("gemini", body)
        assert_spec_valid("gemini", body)


def test_extra_body_and_extra_headers_go_on_the_wire_on_both_hosts() -> None:
    """The codec merges the user's `extra_body` over the body and `extra_headers` over its headers;
    a streamed request also asks for SSE with `alt=sse`."""
    import asyncio

    from wireai.testing import FakeGemini, FakeVertex

    settings: Any = {
        "extra_body": {"cachedContent": "cachedContents/abc"},
        "extra_headers": {"x-goog-user-project": "billing-project"},
    }
    for fake_cls, prefix in ((FakeGemini, "/v1beta"), (FakeVertex, FakeVertex.base_path)):
        with fake_cls() as fake:
            fake.add_text("one")
            fake.add_text("two")
            model = fake.model()

            async def main(model: Any = model) -> None:
                await model.request(HELLO, settings, ModelRequestParameters())
                async with model.request_stream(HELLO, settings, ModelRequestParameters()) as stream:
                    async for _ in stream:
                        pass

            asyncio.run(main())
        plain, streamed = fake.requests
        assert plain.path == f"{prefix}/models/gemini-2.0-flash:generateContent"
        assert streamed.path == f"{prefix}/models/gemini-2.0-flash:streamGenerateContent?alt=sse"
        for sent in (plain, streamed):
            assert sent.json() == {
                "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
                "cachedContent": "cachedContents/abc",
            }
            assert sent.headers["x-goog-user-project"] == "billing-project"
            assert sent.headers["content-type"] == "application/json"


def test_native_output_beside_function_tools_is_refused_only_where_the_profile_says_so() -> None:
    """Before Gemini 3 a request cannot combine `responseSchema` with function calling: the provider's
    profile says which models; without a profile the codec sends it and leaves the answer to Gemini."""
    now = ToolDefinition("now", description="Time now.")
    params = ModelRequestParameters(
        function_tools=[now], output_mode="native", output_object=OutputObjectDefinition(PERSON)
    )
    with pytest.raises(UserError, match="gemini-2.0-flash cannot combine NativeOutput with function tools"):
        build(HELLO, params, gemini_native_output_with_tools=False)
    for extra in ({}, {"gemini_native_output_with_tools": True}):
        body = build(HELLO, params, **extra)
        assert body["generationConfig"]["responseMimeType"] == "application/json"
        assert body["tools"] == [{"functionDeclarations": [{"name": "now", "description": "Time now."}]}]


def test_a_parsed_response_leaves_the_host_to_the_caller() -> None:
    """One body format, two hosts: the codec cannot tell GLA from Vertex, so it names no provider
    (GeminiModel stamps its own, see test_gemini_replay / test_vertex_auth)."""
    body = load_case("gemini", "thinking").exchanges[0].raw_body()
    response = codec.parse_response(body, model_name="gemini-2.5-flash")
    assert response.provider_name is None
    assert all(getattr(part, "provider_name", None) is None for part in response.parts)
