"""Bedrock's share of today's model surface, on the wire: Nova's system tool (issue 17), cache points,
CountTokens, portable thinking and service tiers, rich tool results, image output, content filters
and citations (issue 18, 16). Replays go over loopback HTTP with the exact bodies in the fixtures;
every body built is checked against our schema, the vendor spec and botocore's own model."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import replace
from typing import Any

import pytest

from bedrock_service_model import assert_botocore_valid
from support import assert_protocol_valid, assert_spec_valid
from wireai.codecs import bedrock as codec
from wireai.exceptions import UnexpectedModelBehavior, UserError
from wireai.messages import (
    BinaryContent,
    BinaryImage,
    CachePoint,
    FilePart,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolCallPartDelta,
    ToolReturnPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters
from wireai.models.bedrock import BedrockConverseModel, bedrock_model_profile
from wireai.native_tools import CodeExecutionTool, WebSearchTool
from wireai.providers.bedrock import BedrockProvider
from wireai.testing.encoders import bedrock as encoders
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage

NOVA_2 = "us.amazon.nova-2-lite-v1:0"
CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0"
LLAMA = "us.meta.llama3-2-90b-instruct-v1:0"
OMNI = "us.amazon.nova-2-omni-v1:0"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
CHART = ToolDefinition(
    "get_chart",
    {"type": "object", "properties": {"metric": {"type": "string"}}, "required": ["metric"]},
    "Render a chart of a metric.",
)
CODE = CodeExecutionTool()
CALL_ID = "tooluse_WytfF0g1S5qUeEPm0ptOdQ"
RESULT_TEXT = '{"stdOut":"(1212, 12, 101.0)","stdErr":"","exitCode":0,"isError":false}'


def model(url: str, name: str) -> BedrockConverseModel:
    provider = BedrockProvider(
        base_url=url, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret"
    )
    return BedrockConverseModel(name, provider=provider)


def body(
    messages: list[ModelMessage],
    name: str,
    settings: dict[str, Any] | None = None,
    params: ModelRequestParameters | None = None,
) -> dict[str, Any]:
    """The Converse body for `name` (its own profile), checked against our schema, the spec and botocore."""
    built = codec.build_request(
        messages,
        params or ModelRequestParameters(),
        settings,
        model=name,
        profile=bedrock_model_profile(name),
    )
    assert built.body is not None
    assert_protocol_valid("bedrock", built.body)
    assert_spec_valid("bedrock", built.body, "converse")
    assert_botocore_valid(built.body, model_id=name)
    return built.body


def replay(case: str, name: str, calls: Any) -> tuple[Any, ReplayServer]:
    """`calls(model)` (a coroutine) against the case's replay server; every body must be the fixture's."""
    fixture = load_case("bedrock", case)
    with ReplayServer(fixture) as server:
        result = asyncio.run(calls(model(server.url, name)))
    server.assert_requests_match()
    for request in server.requests:
        sent = request.json()
        assert_protocol_valid("bedrock", sent)
        if request.path.endswith("/count-tokens"):
            assert_spec_valid("bedrock", sent, "count-tokens")
            assert_botocore_valid(sent, model_id=request.path.split("/")[2], operation="CountTokens")
        else:
            stream = request.path.endswith("/converse-stream")
            assert_spec_valid("bedrock", sent, "converse-stream" if stream else "converse")
            assert_botocore_valid(sent, model_id=name, stream=stream)
    return result, server


async def streamed(m: BedrockConverseModel, messages: list[ModelMessage], settings: Any = None) -> Any:
    async with m.request_stream(messages, settings, ModelRequestParameters()) as stream:
        events = [event async for event in stream]
    return events, stream.get()


def prompt(text: str) -> list[ModelMessage]:
    return [ModelRequest([UserPromptPart(text)])]


# ============================================================================ native tools (issue 17)

CODE_CALL = NativeToolCallPart(
    "code_execution",
    {
        "code": "'''Calculate the average of the given numbers.'''\nnumbers = [10, 24, 2, 3, 43, 52, 13, 68, 6, 7, 902, 82]\n"
        "sum_numbers = sum(numbers)\ncount = len(numbers)\naverage = sum_numbers / count\n(sum_numbers, count, average)"
    },
    CALL_ID,
    provider_name="bedrock",
    provider_details={"name": "nova_code_interpreter"},
)
CODE_RESULT = NativeToolReturnPart(
    "code_execution",
    {"stdOut": "(1212, 12, 101.0)", "stdErr": "", "exitCode": 0, "isError": False},
    CALL_ID,
    provider_name="bedrock",
    provider_details={
        "name": "nova_code_interpreter",
        "content": [{"text": RESULT_TEXT}],
        "type": "nova_code_interpreter_result",
        "status": "success",
    },
)
FINAL = ToolCallPart("final_result", {"average": 101.0, "count": 12}, "tooluse_3kPq0cXnR4ykH1b8sVdEwA")


def test_a_server_tool_use_block_is_a_native_call_never_a_function_call() -> None:
    """The bug: `toolUse {type: server_tool_use, name: nova_code_interpreter}` was read as a
    `ToolCallPart` (and its `toolResult` dropped)."""
    answer = load_case("bedrock", "server_tool_use_not_a_function_call").exchanges[0].response["json"]
    response = codec.parse_response(answer, model_name=NOVA_2)
    assert response.parts == [CODE_CALL, CODE_RESULT, FINAL]
    assert response.tool_calls == [FINAL]
    assert response.native_tool_calls == [(CODE_CALL, CODE_RESULT)]
    assert (response.finish_reason, response.usage) == (
        "tool_call",
        RequestUsage(input_tokens=1108, output_tokens=187),
    )


def test_a_streamed_server_tool_call_and_result_are_native_parts_as_in_json() -> None:
    raw = load_case("bedrock", "stream_server_tool_use_not_a_function_call").exchanges[0].raw_body()
    parser = codec.StreamParser(model_name=NOVA_2)
    events = parser.feed(raw)
    response = parser.close()
    # a function call's arguments stay the JSON text they streamed as; the native call's are read whole
    assert response.parts == [CODE_CALL, CODE_RESULT, replace(FINAL, args='{"average": 101.0, "count": 12}')]
    starts = [e for e in events if isinstance(e, PartStartEvent)]
    assert [(e.index, type(e.part)) for e in starts] == [
        (0, NativeToolCallPart),
        (1, NativeToolReturnPart),
        (2, ToolCallPart),
    ]
    assert starts[0].part.args is None and starts[1].part == CODE_RESULT
    # the call's input streams as deltas of the native call, never of a function call
    deltas = [e for e in events if isinstance(e, PartDeltaEvent) and isinstance(e.delta, ToolCallPartDelta)]
    assert [e.index for e in deltas] == [0, 0, 2, 2]
    assert not any(
        isinstance(e.part, ToolCallPart) and e.part.tool_name == "nova_code_interpreter" for e in starts
    )


def test_code_execution_is_the_nova_2_system_tool_and_refused_elsewhere() -> None:
    params = ModelRequestParameters(native_tools=[CODE])
    sent = body(prompt("2 + 2?"), NOVA_2, params=params)
    assert sent["toolConfig"] == {"tools": [{"systemTool": {"name": "nova_code_interpreter"}}]}
    for name in (CLAUDE, "amazon.nova-pro-v1:0", LLAMA):
        with pytest.raises(UserError, match="Amazon Nova 2 models only"):
            body(prompt("2 + 2?"), name, params=params)
    with pytest.raises(
        UserError, match=r"WebSearchTool is not supported by Bedrock model .*; it is supported by Anthropic"
    ):
        body(prompt("news?"), NOVA_2, params=ModelRequestParameters(native_tools=[WebSearchTool()]))


def history_with_code_turn(provider: str = "bedrock") -> list[ModelMessage]:
    call = replace(CODE_CALL, provider_name=provider)
    result = replace(CODE_RESULT, provider_name=provider)
    return [
        *prompt("What is the average?"),
        ModelResponse([call, result, TextPart("It is 101.")], provider_name=provider),
        ModelRequest([UserPromptPart("Thanks.")]),
    ]


def test_native_blocks_go_back_exactly_where_the_request_declares_the_system_tool() -> None:
    sent = body(history_with_code_turn(), NOVA_2, params=ModelRequestParameters(native_tools=[CODE]))
    assert sent["messages"][1]["content"] == [
        {
            "toolUse": {
                "toolUseId": CALL_ID,
                "name": "nova_code_interpreter",
                "input": CODE_CALL.args,
                "type": "server_tool_use",
            }
        },
        {
            "toolResult": {
                "toolUseId": CALL_ID,
                "content": [{"text": RESULT_TEXT}],
                "status": "success",
                "type": "nova_code_interpreter_result",
            }
        },
        {"text": "It is 101."},
    ]


def test_native_blocks_are_left_out_without_the_tool_and_never_declared_as_functions() -> None:
    """Without the system tool in this request Converse could not take them (and declaring it would
    run code under a permission the caller may lack); another vendor's native parts never go."""
    for messages in (history_with_code_turn(), history_with_code_turn("anthropic")):
        sent = body(messages, NOVA_2)
        assert sent["messages"][1] == {"role": "assistant", "content": [{"text": "It is 101."}]}
        assert "toolConfig" not in sent
    other = body(
        history_with_code_turn("anthropic"), NOVA_2, params=ModelRequestParameters(native_tools=[CODE])
    )
    assert other["messages"][1]["content"] == [{"text": "It is 101."}]


def test_a_result_part_without_raw_content_goes_back_as_json_or_text() -> None:
    bare = NativeToolReturnPart("code_execution", {"stdOut": "4\n"}, "tooluse_x", provider_name="bedrock")
    text = NativeToolReturnPart("code_execution", "4", "tooluse_y", provider_name="bedrock")
    from wireai.codecs.bedrock.native_tools import native_return_block

    assert native_return_block(bare) == {
        "toolResult": {
            "toolUseId": "tooluse_x",
            "content": [{"json": {"stdOut": "4\n"}}],
            "type": "nova_code_interpreter_result",
        }
    }
    assert native_return_block(text)["toolResult"]["content"] == [{"text": "4"}]


def test_tool_results_read_json_blocks_json_text_and_plain_text() -> None:
    def result(content: list[Any]) -> Any:
        answer = {
            "output": {
                "message": {
                    "role": "assistant",
                    "content": [
                        {
                            "toolResult": {
                                "toolUseId": "t1",
                                "content": content,
                                "type": "nova_code_interpreter_result",
                            }
                        }
                    ],
                }
            },
            "stopReason": "end_turn",
            "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
            "metrics": {"latencyMs": 1},
        }
        [part] = codec.parse_response(answer).parts
        assert isinstance(part, NativeToolReturnPart) and part.tool_name == "code_execution"
        assert part.provider_details == {
            "name": "nova_code_interpreter",
            "content": content,
            "type": "nova_code_interpreter_result",
        }
        return part.content

    assert result([{"json": {"exitCode": 1}}]) == {"exitCode": 1}
    assert result([{"text": '{"stdOut": "x"}'}]) == {"stdOut": "x"}
    assert result([{"text": "not json"}]) == "not json"
    assert result([{"text": "[1]"}, {"json": {"a": 1}}]) == ["[1]", {"a": 1}]


def test_unknown_server_tools_keep_their_wire_name() -> None:
    answer = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {
                        "toolUse": {
                            "toolUseId": "t9",
                            "name": "nova_grounding",
                            "input": {"query": "q"},
                            "type": "server_tool_use",
                        }
                    },
                ],
            }
        },
        "stopReason": "end_turn",
        "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
        "metrics": {"latencyMs": 1},
    }
    [call] = codec.parse_response(answer).parts
    assert call == NativeToolCallPart(
        "nova_grounding",
        {"query": "q"},
        "t9",
        provider_name="bedrock",
        provider_details={"name": "nova_grounding"},
    )


# ============================================================================ cache points (issue 18)


# A chart tool's turn: a CachePoint in the prompt, and the tool returns an image and a CachePoint('1h').
CHART_HISTORY: list[ModelMessage] = [
    ModelRequest(
        [
            UserPromptPart(
                [
                    "Here is our style guide: charts use blue bars.",
                    CachePoint(),
                    "Describe the revenue chart.",
                ]
            )
        ],
        instructions="You are a data analyst.",
    ),
    ModelResponse([ToolCallPart("get_chart", {"metric": "revenue"}, "tooluse_c1TL8RYwT4KgEkqNw1Zx5Q")]),
    ModelRequest(
        [
            ToolReturnPart(
                "get_chart",
                [BinaryImage(PNG, "image/png", identifier="revenue-chart"), CachePoint("1h")],
                "tooluse_c1TL8RYwT4KgEkqNw1Zx5Q",
            )
        ]
    ),
]
CACHE_SETTINGS: dict[str, Any] = {
    "bedrock_cache_instructions": "1h",
    "bedrock_cache_tool_definitions": True,
    "max_tokens": 1024,
}


def test_cache_points_in_user_content_and_tool_results_with_usage_replayed() -> None:
    history, settings = CHART_HISTORY, CACHE_SETTINGS
    params = ModelRequestParameters(function_tools=[CHART])
    usage = RequestUsage(
        input_tokens=3310,
        output_tokens=41,
        cache_read_tokens=1840,
        cache_write_tokens=1448,
        details={"cache_write_tokens_1h": 1448},
    )
    response, _ = replay(
        "tool_result_image_and_cache_points", CLAUDE, lambda m: m.request(history, settings, params)
    )
    assert response.parts == [TextPart("The chart shows revenue as a single blue bar.")]
    assert response.usage == usage

    async def stream(m: BedrockConverseModel) -> ModelResponse:
        async with m.request_stream(history, settings, params) as s:
            async for _ in s:
                pass
        return s.get()

    streamed_response, _ = replay("stream_cache_usage", CLAUDE, stream)
    assert streamed_response.usage == usage

    # Llama takes neither cache points nor files inside a tool result: the image follows in the user turn.
    response, _ = replay(
        "tool_result_files_in_user_content", LLAMA, lambda m: m.request(history, None, params)
    )
    assert response.text == "It is a single bar chart."


def test_cache_point_placement_corners() -> None:
    pdf = BinaryContent(b"%PDF-1.7", "application/pdf", identifier="spec")

    def user(*content: Any) -> list[dict[str, Any]]:
        return body([ModelRequest([UserPromptPart(list(content))])], CLAUDE)["messages"][0]["content"]

    point = {"cachePoint": {"type": "default"}}
    assert user(CachePoint(), "a") == [{"text": "a"}]  # nothing before it to cache
    assert user("a", CachePoint(), CachePoint("1h")) == [{"text": "a"}, point]  # one is enough
    # Converse refuses a cache point right after a document: it goes before the documents that end the message
    doc = {"document": {"format": "pdf", "name": "spec", "source": {"bytes": "JVBERi0xLjc="}}}
    assert user("read this", pdf, CachePoint()) == [{"text": "read this"}, point, doc]
    with pytest.raises(UserError, match="right after documents or videos that begin a message"):
        user(pdf, CachePoint())
    assert body([ModelRequest([UserPromptPart(["a", CachePoint()])])], LLAMA)["messages"][0]["content"] == [
        {"text": "a"}
    ]


def test_at_most_four_cache_points_the_settings_and_newest_kept() -> None:
    turns: list[ModelMessage] = []
    for i in range(4):
        turns.append(ModelRequest([UserPromptPart([f"q{i}", CachePoint()])]))
        turns.append(ModelResponse([TextPart(f"a{i}")]))
    turns.append(ModelRequest([UserPromptPart("last")], instructions="sys"))
    sent = body(turns, CLAUDE, {"bedrock_cache_instructions": True, "bedrock_cache_messages": True})
    kept = [i for i, m in enumerate(sent["messages"]) for b in m["content"] if "cachePoint" in b]
    assert kept == [4, 6, 8]  # the system block's, then the last message's and the two newest prompts'
    assert sent["system"][-1] == {"cachePoint": {"type": "default"}}


def test_cache_settings_take_a_ttl() -> None:
    sent = body(prompt("hi"), CLAUDE, {"bedrock_cache_messages": "1h"})
    assert sent["messages"][0]["content"] == [
        {"text": "hi"},
        {"cachePoint": {"type": "default", "ttl": "1h"}},
    ]


# ============================================================================ token counting


def test_count_tokens_posts_the_converse_input_for_the_foundation_model() -> None:
    history = load_case("bedrock", "count_tokens").exchanges[0].body["input"]["converse"]
    assert set(history) == {"messages", "system", "toolConfig"}
    usage, server = replay(
        "count_tokens",
        CLAUDE,
        lambda m: m.count_tokens(
            CHART_HISTORY, CACHE_SETTINGS, ModelRequestParameters(function_tools=[CHART])
        ),
    )
    assert usage == RequestUsage(input_tokens=3310)
    assert server.requests[0].path == "/model/anthropic.claude-sonnet-4-20250514-v1%3A0/count-tokens"


def test_count_tokens_request_shape_and_answers() -> None:
    request = codec.build_count_tokens_request(
        prompt("hi"),
        ModelRequestParameters(),
        {
            "thinking": True,
            "temperature": 0.2,
            "extra_headers": {"x-trace": "1"},
            "extra_body": {"system": [{"text": "s"}]},
        },
        model="global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        profile=bedrock_model_profile("global.anthropic.claude-sonnet-4-5-20250929-v1:0"),
    )
    assert (request.method, request.path) == (
        "POST",
        "model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/count-tokens",
    )
    assert request.headers == {
        "content-type": "application/json",
        "accept": "application/json",
        "x-trace": "1",
    }
    assert request.body == {
        "input": {
            "converse": {
                "messages": [{"role": "user", "content": [{"text": "hi"}]}],
                "system": [{"text": "s"}],
                "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 4096}},
            }
        }
    }
    assert_spec_valid("bedrock", request.body, "count-tokens")
    assert codec.parse_count_tokens_response(b'{"inputTokens": 7}') == RequestUsage(input_tokens=7)
    for bad in (b'{"inputTokens": "7"}', b"{}", b"[]", b"nope"):
        with pytest.raises(UnexpectedModelBehavior):
            codec.parse_count_tokens_response(bad)


@pytest.mark.parametrize(
    ("given", "foundation"),
    [
        ("us.anthropic.claude-sonnet-4-20250514-v1:0", "anthropic.claude-sonnet-4-20250514-v1:0"),
        ("us-gov.anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"),
        ("global.amazon.nova-2-lite-v1:0", "amazon.nova-2-lite-v1:0"),
        ("anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"),
        (
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/x",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/x",
        ),
        ("us.custom", "us.custom"),
    ],
)
def test_count_tokens_names_the_foundation_model(given: str, foundation: str) -> None:
    assert codec.foundation_model_id(given) == foundation


# ============================================================================ portable settings


@pytest.mark.parametrize(
    ("name", "settings", "fields", "inference", "effort"),
    [
        # Claude with a thinking budget; maxTokens is raised where the budget would not fit below it
        (
            "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
            {"thinking": "low"},
            {"thinking": {"type": "enabled", "budget_tokens": 2048}},
            {"maxTokens": 6144},
            None,
        ),
        (
            CLAUDE,
            {"thinking": True, "max_tokens": 1000},
            {"thinking": {"type": "enabled", "budget_tokens": 4096}},
            {"maxTokens": 5096},
            None,
        ),
        (
            CLAUDE,
            {"thinking": "xhigh", "max_tokens": 40000},
            {"thinking": {"type": "enabled", "budget_tokens": 32768}},
            {"maxTokens": 40000},
            None,
        ),
        # Claude 4.6+: adaptive thinking, the level as `outputConfig.effort`
        (
            "global.anthropic.claude-opus-4-6-v1",
            {"thinking": "minimal"},
            {"thinking": {"type": "adaptive"}},
            None,
            "low",
        ),
        (
            "global.anthropic.claude-opus-4-6-v1",
            {"thinking": True},
            {"thinking": {"type": "adaptive"}},
            None,
            None,
        ),
        (
            "global.anthropic.claude-opus-4-6-v1",
            {"thinking": "xhigh"},
            {"thinking": {"type": "adaptive"}},
            None,
            "max",
        ),
        (
            "us.anthropic.claude-opus-4-7",
            {"thinking": "xhigh"},
            {"thinking": {"type": "adaptive"}},
            None,
            "xhigh",
        ),
        # Nova 2 and gpt-oss: three efforts
        (
            NOVA_2,
            {"thinking": "minimal"},
            {"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "low"}},
            None,
            None,
        ),
        ("openai.gpt-oss-120b-1:0", {"thinking": "medium"}, {"reasoning_effort": "medium"}, None, None),
        # Claude is told outright; off is every other family's default (and a model that cannot think
        # has nothing to turn off)
        (CLAUDE, {"thinking": False}, {"thinking": {"type": "disabled"}}, None, None),
        (NOVA_2, {"thinking": False}, None, None, None),
        (LLAMA, {"thinking": False}, None, None, None),
        # the vendor's own field wins
        (
            CLAUDE,
            {
                "thinking": "high",
                "bedrock_additional_model_requests_fields": {
                    "thinking": {"type": "enabled", "budget_tokens": 1024}
                },
            },
            {"thinking": {"type": "enabled", "budget_tokens": 1024}},
            None,
            None,
        ),
        # top_k in each family's spelling
        (NOVA_2, {"top_k": 40}, {"inferenceConfig": {"topK": 40}}, None, None),
        (CLAUDE, {"top_k": 40}, {"top_k": 40}, None, None),
    ],
)
def test_portable_thinking_and_top_k_per_family(
    name: str, settings: dict[str, Any], fields: Any, inference: Any, effort: Any
) -> None:
    sent = body(prompt("hi"), name, settings)
    assert sent.get("additionalModelRequestFields") == fields
    assert sent.get("inferenceConfig") == inference
    assert sent.get("outputConfig", {}).get("effort") == effort


def test_thinking_levels_a_model_cannot_honour_are_user_errors() -> None:
    with pytest.raises(UserError, match="low, medium or high effort"):
        body(prompt("hi"), NOVA_2, {"thinking": "xhigh"})
    for name in (LLAMA, "amazon.nova-pro-v1:0"):
        with pytest.raises(UserError, match="no thinking setting for Bedrock model"):
            body(prompt("hi"), name, {"thinking": True})
    # Claude's rules are the Anthropic codec's (`claude_portable_thinking`): 3.5 does not think at all
    old_claude = "anthropic.claude-3-5-sonnet-20241022-v2:0"
    with pytest.raises(UserError, match="does not think"):
        body(prompt("hi"), old_claude, {"thinking": "low"})
    assert "additionalModelRequestFields" not in body(prompt("hi"), old_claude, {"thinking": False})
    with pytest.raises(UserError, match="takes True/False or one of minimal"):
        body(prompt("hi"), CLAUDE, {"thinking": "max"})


def test_portable_claude_thinking_rules_out_a_forced_tool() -> None:
    params = ModelRequestParameters(output_tools=[CHART], allow_text_output=False)
    assert body(prompt("hi"), CLAUDE, {"thinking": "low"}, params)["toolConfig"]["toolChoice"] == {"auto": {}}
    assert body(prompt("hi"), CLAUDE, None, params)["toolConfig"]["toolChoice"] == {"any": {}}


@pytest.mark.parametrize(
    ("settings", "tier"),
    [
        ({"service_tier": "priority"}, {"type": "priority"}),
        ({"service_tier": "flex"}, {"type": "flex"}),
        ({"service_tier": "auto"}, None),
        ({"service_tier": "flex", "bedrock_service_tier": "reserved"}, {"type": "reserved"}),
        ({"bedrock_service_tier": {"type": "default"}}, {"type": "default"}),
    ],
)
def test_service_tier(settings: dict[str, Any], tier: Any) -> None:
    assert body(prompt("hi"), CLAUDE, settings).get("serviceTier") == tier


def test_nova_2_thinking_and_flex_tier_replayed_json_and_stream() -> None:
    messages = prompt(
        "A bat and a ball cost $1.10 together; the bat costs $1.00 more than the ball. What does the ball cost?"
    )
    settings = {"thinking": "high", "service_tier": "flex"}
    parts = [ThinkingPart("[REDACTED]", provider_name="bedrock"), TextPart("The ball costs $0.05.")]
    response, _ = replay(
        "nova_2_thinking_high_flex_tier",
        NOVA_2,
        lambda m: m.request(messages, settings, ModelRequestParameters()),
    )
    assert response.parts == parts
    assert response.provider_details == {
        "stopReason": "end_turn",
        "latencyMs": 1234,
        "serviceTier": {"type": "flex"},
    }
    (_, streamed_response), _ = replay(
        "stream_nova_2_thinking_high_flex_tier", NOVA_2, lambda m: streamed(m, messages, settings)
    )
    assert streamed_response.parts == parts
    assert streamed_response.provider_details == {
        "stopReason": "end_turn",
        "latencyMs": 3120,
        "serviceTier": {"type": "flex"},
    }


# ============================================================================ rich tool returns


def test_files_a_tool_returns_go_inside_the_tool_result_where_the_family_takes_them() -> None:
    pdf = BinaryContent(b"%PDF-1.7", "application/pdf", identifier="q3 report.pdf")
    history = [
        *prompt("Summarise the report."),
        ModelResponse([ToolCallPart("fetch", {}, "tooluse_f1")]),
        ModelRequest([ToolReturnPart("fetch", ["Here it is.", pdf, {"pages": 1}], "tooluse_f1")]),
    ]
    result = body(history, CLAUDE)["messages"][2]["content"]
    assert result == [
        {
            "toolResult": {
                "toolUseId": "tooluse_f1",
                "content": [
                    {"text": "Here it is."},
                    {"text": "See file q3 report.pdf."},
                    {"document": {"format": "pdf", "name": "q3 report", "source": {"bytes": "JVBERi0xLjc="}}},
                    {"json": {"pages": 1}},
                ],
                "status": "success",
            }
        }
    ]
    plain = body(history, LLAMA)["messages"][2]["content"]
    assert plain == [
        {
            "toolResult": {
                "toolUseId": "tooluse_f1",
                "content": [
                    {"text": "Here it is."},
                    {"text": "See file q3 report.pdf."},
                    {"json": {"pages": 1}},
                ],
                "status": "success",
            }
        },
        {"text": "This is file q3 report.pdf:"},
        {"document": {"format": "pdf", "name": "q3 report", "source": {"bytes": "JVBERi0xLjc="}}},
    ]


# ============================================================================ image output

IMAGE = FilePart(BinaryImage(PNG, "image/png"), provider_name="bedrock")


def test_image_output_is_a_file_part_and_goes_back_in_history() -> None:
    async def two_turns(m: BedrockConverseModel) -> tuple[ModelResponse, ModelResponse]:
        history = prompt("Draw a one-pixel red square.")
        first = await m.request(history, None, ModelRequestParameters())
        history += [first, ModelRequest([UserPromptPart("Describe what you drew.")])]
        return first, await m.request(history, None, ModelRequestParameters())

    (first, second), server = replay("image_output_round_trip", OMNI, two_turns)
    assert first.parts == [TextPart("Here is a one-pixel red square."), IMAGE]
    assert first.images == [BinaryImage(PNG, "image/png")]
    assert server.requests[1].json()["messages"][1]["content"][1] == {
        "image": {"format": "png", "source": {"bytes": base64.b64encode(PNG).decode()}}
    }
    assert second.text == "It is a single red pixel."
    assert (
        bedrock_model_profile(OMNI).supports_image_output
        and not bedrock_model_profile(NOVA_2).supports_image_output
    )


def test_streamed_image_output_is_whole_at_its_block_stop() -> None:
    (events, response), _ = replay(
        "stream_image_output", OMNI, lambda m: streamed(m, prompt("Draw a one-pixel red square."))
    )
    assert response.parts == [TextPart("Here is a one-pixel red square."), IMAGE]
    assert [e.part for e in events if isinstance(e, PartStartEvent)][1] == IMAGE


def test_another_vendors_image_is_not_sent_and_an_image_error_is_kept() -> None:
    history = [
        *prompt("draw"),
        ModelResponse(
            [FilePart(BinaryImage(PNG, "image/png"), provider_name="google-gla"), TextPart("done")]
        ),
        *prompt("again"),
    ]
    assert body(history, OMNI)["messages"][1]["content"] == [{"text": "done"}]
    answer = encoders.encode_response(
        ModelResponse(
            [
                FilePart(
                    BinaryImage(b"", "image/png"),
                    provider_name="bedrock",
                    provider_details={"error": {"message": "blocked"}},
                )
            ]
        )
    )
    assert answer["output"]["message"]["content"] == [
        {"image": {"format": "png", "error": {"message": "blocked"}}}
    ]
    [part] = codec.parse_response(answer).parts
    assert isinstance(part, FilePart) and part.provider_details == {"error": {"message": "blocked"}}
    with pytest.raises(UnexpectedModelBehavior, match="not base64"):
        codec.parse_response(
            {
                **answer,
                "output": {"message": {"content": [{"image": {"format": "png", "source": {"bytes": "%%"}}}]}},
            }
        )


# ============================================================================ content filters (issue 16)


def test_a_guardrail_intervention_is_returned_with_its_trace() -> None:
    guard = {"guardrailIdentifier": "gr-7d1fx0s9u2ab", "guardrailVersion": "1", "trace": "enabled"}
    response, _ = replay(
        "guardrail_intervened_is_returned",
        CLAUDE,
        lambda m: m.request(
            prompt("How do I build a weapon?"), {"bedrock_guardrail_config": guard}, ModelRequestParameters()
        ),
    )
    assert response.finish_reason == "content_filter"
    assert response.parts == [TextPart("Sorry, I can't help with that request.")]  # the guardrail's words
    assert response.provider_details is not None
    assert response.provider_details["stopReason"] == "guardrail_intervened"
    assessment = response.provider_details["trace"]["guardrail"]["inputAssessment"]["gr-7d1fx0s9u2ab"]
    assert assessment["contentPolicy"]["filters"][0]["action"] == "BLOCKED"


def test_a_streamed_content_filter_stop_is_returned_with_no_parts() -> None:
    (events, response), _ = replay(
        "stream_content_filtered_is_returned",
        CLAUDE,
        lambda m: streamed(m, prompt("How do I build a weapon?")),
    )
    assert (events, response.parts, response.finish_reason) == ([], [], "content_filter")
    assert response.provider_details == {"stopReason": "content_filtered", "latencyMs": 402}
    assert response.usage == RequestUsage(input_tokens=17)


# ============================================================================ citations and usage details

CITATION = {
    "title": "Q3 report",
    "sourceContent": [{"text": "Revenue grew 12%."}],
    "location": {"documentChar": {"documentIndex": 0, "start": 0, "end": 17}},
}


def test_citations_content_keeps_its_text_and_citations_json_and_stream() -> None:
    cited = ModelResponse([TextPart("Revenue grew 12%.", provider_details={"citations": [CITATION]})])
    answer = encoders.encode_response(cited)
    assert answer["output"]["message"]["content"] == [
        {"citationsContent": {"content": [{"text": "Revenue grew 12%."}], "citations": [CITATION]}}
    ]
    assert codec.parse_response(answer).parts == cited.parts
    parser = codec.StreamParser(model_name="m")
    parser.feed(encoders.encode_stream(cited, chunk_size=5))
    assert parser.close().parts == cited.parts
    # sent back as plain text
    assert body([*prompt("q"), cited, *prompt("more")], CLAUDE)["messages"][1]["content"] == [
        {"text": "Revenue grew 12%."}
    ]


def test_usage_counters_beyond_the_documented_ones_land_in_details() -> None:
    """The 2023-09-30 botocore model names no server-tool usage; whatever integer counters come
    (flat, or one level down like a `serverToolUsage` object) are kept, not guessed at."""
    usage = codec.read_usage(
        {
            "inputTokens": 5,
            "outputTokens": 2,
            "totalTokens": 7,
            "serverToolUsage": {"codeInterpreterInvocations": 1},
            "cacheDetails": [{"ttl": "5m", "inputTokens": 3}, {"ttl": "1h", "inputTokens": 4}],
            "cacheWriteInputTokens": 7,
            "note": "text is ignored",
        }
    )
    assert usage == RequestUsage(
        input_tokens=12,
        output_tokens=2,
        cache_write_tokens=7,
        details={"cache_write_tokens_5m": 3, "cache_write_tokens_1h": 4, "codeInterpreterInvocations": 1},
    )
