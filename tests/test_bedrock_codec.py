"""The Bedrock codec without I/O: request mapping corners, response/stream reading, inverse encoders, and
robustness of the stream path against re-chunking, garbage and truncation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bedrock_service_model import assert_botocore_valid
from support import assert_protocol_valid, assert_spec_valid
from wireai.codecs import bedrock as codec
from wireai.exceptions import ModelAPIError, ModelHTTPError, UnexpectedModelBehavior, UserError
from wireai.messages import (
    BinaryContent,
    BinaryImage,
    DocumentUrl,
    FilePart,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    RetryPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters, OutputObjectDefinition
from wireai.profiles import ModelProfile
from wireai.testing.encoders import bedrock as encoders
from wireai.testing.fixtures import list_cases, load_case
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage
from wireai.wire.eventstream import encode_message

TOOL = ToolDefinition("lookup", {"type": "object", "properties": {"q": {"type": "string"}}}, "")
TOOLS = ModelRequestParameters(function_tools=[TOOL])


def valid(body: dict[str, Any] | None) -> dict[str, Any]:
    assert body is not None
    assert_protocol_valid("bedrock", body)
    assert_spec_valid("bedrock", body, "converse")
    assert_botocore_valid(body)
    return body


def body_for(
    messages: list[ModelMessage],
    settings: dict[str, Any] | None = None,
    params: ModelRequestParameters | None = None,
    profile: ModelProfile | None = None,
) -> dict[str, Any]:
    """The Converse body `build_request` makes, checked against our schema, the spec and botocore."""
    request = codec.build_request(
        messages, params or ModelRequestParameters(), settings, model="amazon.nova-pro-v1:0", profile=profile
    )
    assert (request.method, request.path) == ("POST", "model/amazon.nova-pro-v1%3A0/converse")
    assert request.headers == {"content-type": "application/json", "accept": "application/json"}
    return valid(request.body)


# ---------------------------------------------------------------------------------------------- requests


def test_request_path_percent_encodes_versions_and_arns() -> None:
    assert codec.request_path("amazon.nova-pro-v1:0", stream=False) == "model/amazon.nova-pro-v1%3A0/converse"
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"
    assert codec.request_path(arn, stream=True) == (
        "model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc123/converse-stream"
    )


def test_stream_requests_ask_for_the_event_stream_and_extra_body_and_headers_are_merged() -> None:
    request = codec.build_request(
        [ModelRequest([UserPromptPart("hi")])],
        ModelRequestParameters(),
        {
            "max_tokens": 5,
            "extra_body": {"inferenceConfig": {"maxTokens": 9}},
            "extra_headers": {"x-trace": "1"},
        },
        model="us.anthropic.claude-sonnet-4-20250514-v1:0",
        stream=True,
    )
    assert (request.method, request.path, request.query) == (
        "POST",
        "model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse-stream",
        {},
    )
    assert request.headers == {
        "content-type": "application/json",
        "accept": "application/vnd.amazon.eventstream",
        "x-trace": "1",
    }
    assert valid(request.body) == {
        "messages": [{"role": "user", "content": [{"text": "hi"}]}],
        "inferenceConfig": {"maxTokens": 9},
    }
    assert json.loads(request.content()) == request.body


def test_settings_map_to_inference_config_additional_fields_and_vendor_configs() -> None:
    body = body_for(
        [ModelRequest([UserPromptPart("hi")])],
        {
            "max_tokens": 10,
            "top_k": 5,
            "seed": 1,  # Converse has no seed: silently not sent
            "bedrock_guardrail_config": {
                "guardrailIdentifier": "gr-1",
                "guardrailVersion": "1",
                "trace": "enabled",
            },
            "bedrock_performance_configuration": {"latency": "optimized"},
            "bedrock_request_metadata": {"team": "search"},
            "bedrock_service_tier": "flex",
            "bedrock_additional_model_response_fields_paths": ["/stop_sequence"],
        },
    )
    assert body == {
        "messages": [{"role": "user", "content": [{"text": "hi"}]}],
        "inferenceConfig": {"maxTokens": 10},
        "additionalModelRequestFields": {"top_k": 5},
        "guardrailConfig": {"guardrailIdentifier": "gr-1", "guardrailVersion": "1", "trace": "enabled"},
        "performanceConfig": {"latency": "optimized"},
        "requestMetadata": {"team": "search"},
        "additionalModelResponseFieldPaths": ["/stop_sequence"],
        "serviceTier": {"type": "flex"},
    }


def test_prompt_caching_puts_cache_points_after_system_tools_and_last_user_message() -> None:
    body = body_for(
        [ModelRequest([UserPromptPart("hi")], instructions="Be brief.")],
        {
            "bedrock_cache_instructions": True,
            "bedrock_cache_tool_definitions": True,
            "bedrock_cache_messages": True,
        },
        TOOLS,
    )
    point = {"cachePoint": {"type": "default"}}
    assert body["system"] == [{"text": "Be brief."}, point]
    assert body["toolConfig"]["tools"][-1] == point
    assert body["toolConfig"]["tools"][0] == {
        "toolSpec": {"name": "lookup", "inputSchema": {"json": TOOL.parameters_json_schema}}
    }
    assert body["messages"][0]["content"] == [{"text": "hi"}, point]


def test_forced_tool_choice_falls_back_to_auto_with_thinking_and_is_omitted_where_unsupported() -> None:
    messages = [ModelRequest([UserPromptPart("hi")])]
    thinking = {
        "bedrock_additional_model_requests_fields": {"thinking": {"type": "enabled", "budget_tokens": 1024}}
    }
    forced = ModelRequestParameters(function_tools=[TOOL], allow_text_output=False)
    assert body_for(messages, None, forced)["toolConfig"]["toolChoice"] == {"any": {}}
    body = body_for(messages, thinking, forced)
    assert body["toolConfig"]["toolChoice"] == {"auto": {}}
    llama = ModelProfile(extra={"bedrock_supports_tool_choice": False})
    body = body_for(messages, {}, forced, profile=llama)
    assert "toolChoice" not in body["toolConfig"]


def test_prompted_output_adds_nothing_the_agent_puts_the_schema_in_the_instructions() -> None:
    """The schema prompt travels once, as the agent's instructions (the last system block), in the
    output's own template; the codec used to append the profile's default template a second time."""
    prompted = ModelRequestParameters(
        output_mode="prompted", output_object=OutputObjectDefinition({"type": "object"})
    )
    body = body_for([ModelRequest([UserPromptPart("hi")], instructions="Reply as JSON: {}")], {}, prompted)
    assert body == {
        "messages": [{"role": "user", "content": [{"text": "hi"}]}],
        "system": [{"text": "Reply as JSON: {}"}],
    }
    assert "system" not in body_for([ModelRequest([UserPromptPart("hi")])], {}, prompted)


def test_consecutive_same_role_turns_are_merged_and_plain_retries_are_user_text() -> None:
    messages = [
        ModelRequest([UserPromptPart("a")]),
        ModelRequest([RetryPromptPart("bad output")]),
        ModelResponse([TextPart(""), ToolCallPart("lookup", "{not json", "t1")]),
        ModelResponse([TextPart("more")]),
        ModelRequest([ToolReturnPart("lookup", [1, 2], "t1")]),
    ]
    body = body_for(messages, {}, TOOLS)
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][0]["content"][1] == {
        "text": "Validation feedback:\nbad output\n\nFix the errors and try again."
    }
    assert body["messages"][1]["content"] == [
        {"toolUse": {"toolUseId": "t1", "name": "lookup", "input": {}}},  # malformed args are not resent
        {"text": "more"},
    ]
    assert body["messages"][2]["content"] == [
        {"toolResult": {"toolUseId": "t1", "content": [{"text": "[1, 2]"}], "status": "success"}}
    ]


def test_tool_history_without_tools_still_sends_a_tool_config() -> None:
    """Converse rejects toolUse/toolResult blocks unless `toolConfig` is defined (a common failure when
    a text-only request continues a conversation that used tools): the history's tools are declared."""
    history: list[ModelMessage] = [
        ModelRequest([UserPromptPart("Weather in Paris?")]),
        ModelResponse(
            [
                ToolCallPart("get_weather", {"city": "Paris"}, tool_call_id="t1"),
                ToolCallPart("get_weather", {"city": "Lyon"}, tool_call_id="t2"),
                ToolCallPart("get_time", {}, tool_call_id="t3"),
            ]
        ),
        ModelRequest(
            [
                ToolReturnPart("get_weather", "sunny", tool_call_id="t1"),
                ToolReturnPart("get_weather", "rain", tool_call_id="t2"),
                ToolReturnPart("get_time", "noon", tool_call_id="t3"),
            ]
        ),
    ]
    anything = {"json": {"type": "object", "properties": {}}}
    assert body_for(history)["toolConfig"] == {
        "tools": [
            {"toolSpec": {"name": "get_weather", "inputSchema": anything}},
            {"toolSpec": {"name": "get_time", "inputSchema": anything}},
        ]
    }
    assert body_for(history, {}, TOOLS)["toolConfig"]["tools"] == [
        {"toolSpec": {"name": "lookup", "inputSchema": {"json": TOOL.parameters_json_schema}}}
    ]
    assert "toolConfig" not in body_for(history[:1])


def test_thinking_from_another_vendor_is_not_replayed() -> None:
    messages = [
        ModelRequest([UserPromptPart("a")]),
        ModelResponse([ThinkingPart("secret", signature="x", provider_name="anthropic"), TextPart("ok")]),
        ModelRequest([UserPromptPart("b")]),
    ]
    body = body_for(messages)
    assert body["messages"][1]["content"] == [{"text": "ok"}]


def test_s3_urls_are_sent_as_s3_locations_and_web_urls_are_a_clear_user_error() -> None:
    body = body_for(
        [
            ModelRequest(
                [UserPromptPart([ImageUrl("s3://bucket/cat.png"), DocumentUrl("s3://bucket/report.pdf")])]
            )
        ]
    )
    assert body["messages"][0]["content"] == [
        {"image": {"format": "png", "source": {"s3Location": {"uri": "s3://bucket/cat.png"}}}},
        {
            "document": {
                "format": "pdf",
                "name": "report",
                "source": {"s3Location": {"uri": "s3://bucket/report.pdf"}},
            }
        },
    ]
    with pytest.raises(UserError, match="BinaryContent"):
        body_for([ModelRequest([UserPromptPart([ImageUrl("https://example.com/cat.png")])])])
    with pytest.raises(UserError, match="images"):
        body_for([ModelRequest([UserPromptPart([BinaryContent(b"x", "image/tiff")])])])


def test_documents_get_unique_valid_names_and_mapped_formats() -> None:
    body = body_for(
        [
            ModelRequest(
                [
                    UserPromptPart(
                        [
                            BinaryContent(b"a,b", "text/csv"),
                            BinaryContent(b"# t", "text/markdown", identifier="notes_v2.md"),
                        ]
                    )
                ]
            )
        ]
    )
    docs = [block["document"] for block in body["messages"][0]["content"]]
    assert [(d["format"], d["name"]) for d in docs] == [("csv", "Document 1"), ("md", "notes-v2")]


# ---------------------------------------------------------------------------------------------- responses


def parse_stream(*chunks: bytes) -> ModelResponse:
    """A ConverseStream body, in these chunks, through a fresh parser as a streamed request reads it."""
    parser = codec.StreamParser(model_name="m")
    for chunk in chunks:
        parser.feed(chunk)
    return parser.close()


def test_malformed_converse_bodies_are_unexpected_model_behavior() -> None:
    for body in ([], {"output": {}}, {"output": {"message": {"content": [{"toolUse": {"input": {}}}]}}}):
        with pytest.raises(UnexpectedModelBehavior):
            codec.parse_response(body, model_name="m")


RESPONSES = [
    ModelResponse(
        [TextPart("Hello there, this is a longer text that spans chunks.")],
        usage=RequestUsage(input_tokens=10, output_tokens=5),
        finish_reason="stop",
    ),
    ModelResponse(
        [
            ThinkingPart("think " * 10, signature="c2ln", provider_name="bedrock"),
            ThinkingPart("", provider_name="bedrock", provider_details={"redactedContent": "cmVk"}),
            TextPart("answer"),
            ToolCallPart("a", {"x": [1, 2, {"y": "é"}]}, "id1"),
            ToolCallPart("b", {}, "id2"),
        ],
        usage=RequestUsage(input_tokens=100, output_tokens=7, cache_read_tokens=30, cache_write_tokens=20),
        finish_reason="tool_call",
    ),
    ModelResponse(
        [TextPart("cut")], usage=RequestUsage(input_tokens=1, output_tokens=1), finish_reason="length"
    ),
    ModelResponse(
        [
            NativeToolCallPart(
                "code_execution",
                {"code": "print(6 * 7)"},
                "tooluse_ci",
                provider_name="bedrock",
                provider_details={"name": "nova_code_interpreter"},
            ),
            NativeToolReturnPart(
                "code_execution",
                {"stdOut": "42\n", "exitCode": 0},
                "tooluse_ci",
                provider_name="bedrock",
                provider_details={
                    "name": "nova_code_interpreter",
                    "content": [{"text": '{"stdOut": "42\\n", "exitCode": 0}'}],
                    "type": "nova_code_interpreter_result",
                    "status": "success",
                },
            ),
            TextPart(
                "Cited: 42.", provider_details={"citations": [{"title": "sandbox", "source": "stdout"}]}
            ),
            FilePart(
                BinaryImage(b"\x89PNG\r\n\x1a\n" + bytes(range(40)), "image/png"), provider_name="bedrock"
            ),
        ],
        usage=RequestUsage(input_tokens=9, output_tokens=9),
        finish_reason="stop",
    ),
]


def _same(a: ModelResponse, b: ModelResponse) -> None:
    def norm(parts: list[Any]) -> list[Any]:
        return [
            ToolCallPart(p.tool_name, p.args_as_dict(), p.tool_call_id) if isinstance(p, ToolCallPart) else p
            for p in parts
        ]

    assert norm(a.parts) == norm(b.parts)
    assert a.usage == b.usage
    assert a.finish_reason == b.finish_reason


@pytest.mark.parametrize("response", RESPONSES)
def test_encode_response_round_trips(response: ModelResponse) -> None:
    _same(codec.parse_response(encoders.encode_response(response), model_name="m"), response)


@pytest.mark.parametrize("response", RESPONSES)
@pytest.mark.parametrize("chunk_size", [1, 7, 1000])
def test_encode_stream_round_trips(response: ModelResponse, chunk_size: int) -> None:
    _same(parse_stream(encoders.encode_stream(response, chunk_size=chunk_size)), response)


# ---------------------------------------------------------------------------------------------- stream errors


def _exception(kind: str, payload: dict[str, Any]) -> bytes:
    return encode_message(
        {":exception-type": kind, ":content-type": "application/json", ":message-type": "exception"}, payload
    )


@pytest.mark.parametrize(
    ("kind", "payload", "status"),
    [
        ("throttlingException", {"message": "slow down"}, 429),
        ("serviceUnavailableException", {"message": "unavailable"}, 503),
        ("validationException", {"message": "bad"}, 400),
        ("internalServerException", {"message": "oops"}, 500),
        ("modelStreamErrorException", {"message": "model failed"}, 424),
        (
            "modelStreamErrorException",
            {"message": "overloaded", "originalStatusCode": 529, "originalMessage": "Overloaded"},
            529,
        ),
        ("somethingNewException", {"message": "?"}, 500),
    ],
)
def test_in_stream_exceptions_map_to_statuses(kind: str, payload: dict[str, Any], status: int) -> None:
    start = encode_message({":event-type": "messageStart", ":message-type": "event"}, {"role": "assistant"})
    with pytest.raises(ModelHTTPError) as info:
        parse_stream(start + _exception(kind, payload))
    assert (info.value.status_code, info.value.body, info.value.headers["x-amzn-errortype"]) == (
        status,
        payload,
        kind,
    )


def test_unmodelled_error_frames_are_500s_with_code_and_message() -> None:
    frame = encode_message(
        {":message-type": "error", ":error-code": "InternalFailure", ":error-message": "boom"}, b""
    )
    with pytest.raises(ModelHTTPError) as info:
        parse_stream(frame)
    assert (info.value.status_code, info.value.body) == (500, {"code": "InternalFailure", "message": "boom"})


# ---------------------------------------------------------------------------------------------- properties

FAILING_STREAMS = ("stream_throttling", "stream_cut_before_metadata")  # each ends in a typed error
STREAM_CASES = [
    name for name in list_cases("bedrock") if name.startswith("stream_") and name not in FAILING_STREAMS
]


def _fixture_bytes(name: str) -> bytes:
    return load_case("bedrock", name).exchanges[0].raw_body()


def _parse(chunks: list[bytes]) -> ModelResponse:
    return parse_stream(*chunks)


@pytest.mark.parametrize("name", STREAM_CASES)
@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(data=st.data())
def test_any_rechunking_of_a_stream_fixture_gives_the_same_response(name: str, data: st.DataObject) -> None:
    raw = _fixture_bytes(name)
    whole = _parse([raw])
    cuts = sorted(set(data.draw(st.lists(st.integers(1, len(raw) - 1), max_size=40))))
    pieces = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)])]
    again = _parse(pieces)
    assert (again.parts, again.usage, again.finish_reason, again.provider_details) == (
        whole.parts,
        whole.usage,
        whole.finish_reason,
        whole.provider_details,
    )


TYPED = (UnexpectedModelBehavior, ModelHTTPError, ModelAPIError)


@pytest.mark.parametrize("name", [*STREAM_CASES, *FAILING_STREAMS])
@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(data=st.data())
def test_truncated_or_corrupted_streams_give_a_result_or_a_typed_error(
    name: str, data: st.DataObject
) -> None:
    raw = bytearray(_fixture_bytes(name))
    cut = data.draw(st.integers(0, len(raw)))
    raw = raw[:cut]
    for _ in range(data.draw(st.integers(0, 3))):
        if raw:
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    try:
        _parse([bytes(raw)])
    except TYPED:
        pass


payload_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "contentBlockIndex",
                    "delta",
                    "text",
                    "toolUse",
                    "input",
                    "start",
                    "reasoningContent",
                    "signature",
                    "stopReason",
                    "usage",
                    "name",
                    "toolUseId",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
event_types = st.sampled_from(
    [
        "messageStart",
        "contentBlockStart",
        "contentBlockDelta",
        "contentBlockStop",
        "messageStop",
        "metadata",
        "other",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(event_types, payload_values), max_size=8))
def test_well_framed_but_nonsense_payloads_give_a_result_or_a_typed_error(
    events: list[tuple[str, Any]],
) -> None:
    raw = b"".join(
        encode_message({":event-type": t, ":message-type": "event"}, json.dumps(p).encode())
        for t, p in events
    )
    try:
        _parse([raw])
    except TYPED:
        pass


@settings(max_examples=200, deadline=None)
@given(payload_values)
def test_nonsense_converse_bodies_give_a_result_or_a_typed_error(body: Any) -> None:
    try:
        codec.parse_response(
            {"output": {"message": {"content": [body]}}, "usage": body, "stopReason": body}, model_name="m"
        )
        codec.parse_response(body, model_name="m")
    except TYPED:
        pass
