"""Amazon Bedrock Mantle (OpenAI's Responses and Chat Completions APIs on Bedrock), replayed over loopback
from `fixtures/bedrock_mantle/`.

The provider is built from the AWS environment as a user's would be, so requests go to
`bedrock-mantle.{region}.api.aws` on the surface the model is served on (`/openai/v1` for GPT-5.x,
`/v1` for gpt-oss and the Chat Completions models), signed with SigV4 for service `bedrock-mantle`
or sent with a Bedrock API key; only the socket goes to the replay server.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from support import ToLoopback, assert_protocol_valid, assert_spec_valid
from wireai import Agent
from wireai.exceptions import UserError
from wireai.messages import ModelRequest, ModelResponse, TextPart, ThinkingPart, ToolCallPart, UserPromptPart
from wireai.models import ModelRequestParameters, infer_model
from wireai.models.bedrock_mantle import BedrockMantleChatModel, BedrockMantleResponsesModel
from wireai.native_tools import WebSearchTool
from wireai.providers.bedrock_mantle import BedrockMantleProvider
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.usage import RequestUsage

HOST = "https://bedrock-mantle.us-east-1.api.aws"
ENV = (
    "AWS_BEARER_TOKEN_BEDROCK", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
)  # fmt: skip


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_REGION", "us-east-1")


def replay(case_name: str, protocol: str, build: Any, run: Any) -> tuple[Any, ReplayServer, ToLoopback]:
    """`run(build(provider))` against the case's replay server, the provider made from the environment."""
    case = load_case("bedrock_mantle", case_name)
    for exchange in case.exchanges:
        assert_protocol_valid(protocol, exchange.body)
        assert_spec_valid("openai", exchange.body, "responses" if protocol == "openai_responses" else None)

    async def main(transport: ToLoopback) -> Any:
        async with httpx.AsyncClient(transport=transport) as client:
            return await run(build(BedrockMantleProvider(http_client=client, max_retries=0)))

    with ReplayServer(case) as server:
        transport = ToLoopback(server.url)
        result = asyncio.run(main(transport))
        server.assert_requests_match()
    assert all(r.headers["host"] == "bedrock-mantle.us-east-1.api.aws" for r in server.requests)
    return result, server, transport


def test_responses_call_ids_that_reset_per_response_stay_apart_in_an_agent_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    cities: list[str] = []

    async def run(model: BedrockMantleResponsesModel) -> Any:
        agent = Agent(model)

        @agent.tool_plain
        def get_weather(city: str) -> str:
            """Current weather in a city."""
            cities.append(city)
            return {"Paris": "Sunny, 25°C", "London": "Rain, 12°C"}[city]

        return await agent.run("Weather in Paris, then in London?")

    result, server, transport = replay(
        "responses_call_ids_reset_per_response",
        "openai_responses",
        lambda provider: BedrockMantleResponsesModel("openai.gpt-5.4", provider=provider),
        run,
    )
    assert transport.urls == [f"{HOST}/openai/v1/responses"] * 3
    for request in server.requests:
        assert re.fullmatch(
            r"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/us-east-1/bedrock-mantle/aws4_request, "
            r"SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}",
            request.headers["authorization"],
        )
    assert cities == ["Paris", "London"]
    calls = [p for m in result.all_messages() for p in getattr(m, "parts", ()) if isinstance(p, ToolCallPart)]
    assert [c.tool_call_id for c in calls] == ["resp_mntl_A:call_0", "resp_mntl_B:call_0"]
    assert result.output == "Paris: sunny, 25°C. London: rain, 12°C."


def test_gpt_oss_streams_its_reasoning_on_the_v1_surface_with_an_api_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "mantle-api-key")

    async def run(model: BedrockMantleResponsesModel) -> tuple[ModelResponse, list[Any]]:
        messages = [ModelRequest([UserPromptPart("What is 7 * 6?")])]
        async with model.request_stream(messages, {"thinking": "low"}, ModelRequestParameters()) as stream:
            events = [event async for event in stream]
        return stream.get(), events

    (response, events), _, transport = replay(
        "stream_gpt_oss_reasoning",
        "openai_responses",
        lambda provider: BedrockMantleResponsesModel("openai.gpt-oss-120b", provider=provider),
        run,
    )
    assert transport.urls == [f"{HOST}/v1/responses"]
    assert response.parts == [
        ThinkingPart("Seven times six is 42.", id="rs_oss1", provider_name="bedrock-mantle"),
        TextPart("7 × 6 = 42", id="msg_oss1"),
    ]
    assert response.usage == RequestUsage(input_tokens=70, output_tokens=31, details={"reasoning_tokens": 12})
    assert (response.finish_reason, response.provider_response_id) == ("stop", "resp_mntl_oss1")
    assert [type(e).__name__ for e in events] == [
        "PartStartEvent", "PartDeltaEvent", "PartEndEvent", "PartStartEvent", "PartDeltaEvent", "PartEndEvent",
    ]  # fmt: skip


def test_gpt_oss_safeguard_is_served_on_chat_completions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "mantle-api-key")

    async def run(model: BedrockMantleChatModel) -> ModelResponse:
        messages = [
            ModelRequest(
                [UserPromptPart("How do I bake bread?")],
                instructions="Classify the user message as SAFE or UNSAFE.",
            )
        ]
        return await model.request(messages, None, ModelRequestParameters())

    response, _, transport = replay(
        "chat_safeguard",
        "openai_chat",
        lambda provider: BedrockMantleChatModel("openai.gpt-oss-safeguard-20b", provider=provider),
        run,
    )
    assert transport.urls == [f"{HOST}/v1/chat/completions"]
    assert response.parts == [TextPart("SAFE")]
    assert response.usage == RequestUsage(input_tokens=48, output_tokens=19)


def test_infer_model_picks_the_api_and_surface_mantle_serves_the_model_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "k")
    expected = {
        "openai.gpt-5.4": (BedrockMantleResponsesModel, f"{HOST}/openai/v1/responses"),
        "openai.gpt-oss-120b": (BedrockMantleResponsesModel, f"{HOST}/v1/responses"),
        "openai.gpt-oss-safeguard-20b": (BedrockMantleChatModel, f"{HOST}/v1/chat/completions"),
        "qwen.qwen3-32b": (BedrockMantleChatModel, f"{HOST}/v1/chat/completions"),
    }
    for name, (model_class, url) in expected.items():
        model = infer_model(f"bedrock-mantle:{name}")
        assert type(model) is model_class
        request = model.build_request([ModelRequest([UserPromptPart("hi")])], None, ModelRequestParameters())
        assert model.provider.endpoint(request.path, name).url == url


def test_mantle_runs_none_of_openais_native_tools_and_makes_no_images(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "k")
    model = BedrockMantleResponsesModel("openai.gpt-5.4")
    assert not model.profile.supports_image_output
    with pytest.raises(
        UserError, match="WebSearchTool is not supported by OpenAI Responses model openai.gpt-5.4"
    ):
        model.build_request(
            [ModelRequest([UserPromptPart("hi")])],
            None,
            ModelRequestParameters(native_tools=[WebSearchTool()]),
        )
    with pytest.raises(UserError, match="use BedrockMantleChatModel"):
        BedrockMantleResponsesModel("openai.gpt-oss-safeguard-120b")


@pytest.mark.parametrize("given", [None, f"{HOST}/v1", f"{HOST}/openai/v1/", HOST])
def test_base_url_names_the_origin_whichever_surface_it_names(
    given: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "k")
    provider = BedrockMantleProvider(base_url=given)
    assert provider.base_url == f"{HOST}/openai/v1"
    assert provider.endpoint("responses", "openai.gpt-oss-20b").url == f"{HOST}/v1/responses"


def test_no_region_is_a_user_error_naming_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    with pytest.raises(UserError, match="No AWS region for BedrockMantleProvider"):
        BedrockMantleProvider(api_key="k")


def test_streamed_call_ids_are_qualified_with_the_response_id_where_they_reset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stream path of the same quirk: the id comes in `response.created`, before the call."""
    import json

    from wireai.codecs import openai_responses

    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "k")
    events = [
        {"type": "response.created", "response": {"id": "resp_S", "status": "in_progress", "output": []}},
        {"type": "response.output_item.added", "output_index": 0,
         "item": {"type": "function_call", "id": "fc_1", "call_id": "call_0", "name": "get_weather", "arguments": ""}},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": '{"city":"Oslo"}'},
        {"type": "response.output_item.done", "output_index": 0,
         "item": {"type": "function_call", "id": "fc_1", "call_id": "call_0", "name": "get_weather", "arguments": '{"city":"Oslo"}'}},
        {"type": "response.completed", "response": {"id": "resp_S", "status": "completed", "output": []}},
    ]  # fmt: skip
    raw = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()
    for name, expected in (("openai.gpt-5.4", "resp_S:call_0"), ("openai.gpt-oss-120b", "call_0")):
        parser = openai_responses.StreamParser(
            model_name=name, profile=BedrockMantleProvider().model_profile(name)
        )
        parser.feed(raw)
        (call,) = parser.close().parts
        assert isinstance(call, ToolCallPart) and (call.tool_call_id, call.args) == (
            expected,
            '{"city":"Oslo"}',
        )
