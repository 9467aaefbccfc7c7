"""Claude served by Amazon Bedrock, Vertex AI and Microsoft Foundry through the Anthropic Messages codec,
replayed over loopback from `fixtures/anthropic_{bedrock,vertex,foundry}/`.

Each provider is built as a user builds it (its region, project or resource, its credentials), so the
request goes to the real host's URL with the real auth — a Bedrock API key or a SigV4 signature for
service `bedrock`, a Google bearer token, Foundry's `api-key` — and only the socket is redirected to
the replay server. Pinned: the envelope each platform wants around the same Messages body (Bedrock:
`model/{id}/invoke[-with-response-stream]`, `anthropic_version: bedrock-2023-05-31`, no `model` or
`stream`, betas as `anthropic_beta`; Vertex: `models/{model}:rawPredict` / `:streamRawPredict`,
`anthropic_version: vertex-2023-10-16`, `stream` kept; Foundry: the Anthropic API's own request), the
AWS event-stream of base64 chunks Bedrock streams in, and what is read back. The bodies are checked
against our schema and, once the variant's differences are undone, against Anthropic's own spec.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from support import ToLoopback, assert_protocol_valid, assert_spec_valid
from wireai import Agent
from wireai.exceptions import ModelHTTPError, UserError
from wireai.messages import (
    CompactionPart,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters
from wireai.models.anthropic import AnthropicModel
from wireai.native_tools import CodeExecutionTool, WebFetchTool, WebSearchTool
from wireai.providers import Provider
from wireai.providers.anthropic_bedrock import AnthropicBedrockProvider
from wireai.providers.anthropic_bedrock_mantle import AnthropicBedrockMantleProvider
from wireai.providers.anthropic_foundry import AnthropicFoundryProvider
from wireai.providers.anthropic_vertex import AnthropicVertexProvider
from wireai.testing.fakes import FakeGoogleCredentials
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage

BEDROCK_MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
BEDROCK_HOST = "https://bedrock-runtime.us-east-1.amazonaws.com"
VERTEX_MODEL = "claude-sonnet-4-5@20250929"
VERTEX_BASE = "https://us-east5-aiplatform.googleapis.com/v1/projects/my-project/locations/us-east5/publishers/anthropic"
SIGNATURE = "EqoBCkYIBxgCKkB7vJ0kqQpXJ3bF8tYtA2Yw9mZbQkVx1pR6cLh0eN4sUoIgWmDf5aTzKjHyE3nBqO7rS8vXlPu2iGcMdA=="
WEATHER = ToolDefinition(
    "get_weather",
    {
        "additionalProperties": False,
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "type": "object",
    },
    "Current weather in a city.",
)

ENV = (
    "AWS_BEARER_TOKEN_BEDROCK", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ANTHROPIC_BEDROCK_BASE_URL", "ANTHROPIC_VERTEX_PROJECT_ID",
    "GOOGLE_CLOUD_PROJECT", "CLOUD_ML_REGION", "GOOGLE_CLOUD_LOCATION", "ANTHROPIC_FOUNDRY_API_KEY",
    "ANTHROPIC_FOUNDRY_RESOURCE", "ANTHROPIC_FOUNDRY_BASE_URL", "ANTHROPIC_AWS_API_KEY",
    "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
)  # fmt: skip


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV:
        monkeypatch.delenv(var, raising=False)


def anthropic_spec_body(body: dict[str, Any], model: str) -> dict[str, Any]:
    """A variant's body as the Anthropic API's own (`model` back, `anthropic_version` and the
    body's betas out), for the check against Anthropic's spec."""
    plain = {k: v for k, v in body.items() if k not in ("anthropic_version", "anthropic_beta")}
    return {"model": model, **plain}


def replay(
    folder: str, case_name: str, provider_for: Callable[[httpx.AsyncClient], Provider], model: str, run: Any
) -> tuple[Any, ReplayServer, ToLoopback]:
    """`run(AnthropicModel(model, provider=...))` against the case's replay server over loopback."""
    case = load_case(folder, case_name)
    for exchange in case.exchanges:
        body = exchange.body
        if "count" not in exchange.request["path"]:
            assert_protocol_valid("anthropic", body)
            beta = "anthropic_beta" in body or "anthropic-beta" in exchange.request["headers"]
            operation = "messages-beta" if beta else "messages"
            assert_spec_valid(
                "anthropic", anthropic_spec_body(body, model) if "model" not in body else body, operation
            )

    async def main(transport: ToLoopback) -> Any:
        async with httpx.AsyncClient(transport=transport) as client:
            provider = provider_for(client)
            provider.max_retries = 0
            return await run(AnthropicModel(model, provider=provider))

    with ReplayServer(case) as server:
        transport = ToLoopback(server.url)
        result = asyncio.run(main(transport))
        server.assert_requests_match()
    return result, server, transport


async def stream(
    model: AnthropicModel, messages: list[Any], settings: Any = None
) -> tuple[ModelResponse, list[Any]]:
    async with model.request_stream(messages, settings, ModelRequestParameters()) as streamed:
        events = [event async for event in streamed]
    return streamed.get(), events


# ------------------------------------------------------------------------------------------------ Bedrock


def bedrock_key(client: httpx.AsyncClient) -> Provider:
    return AnthropicBedrockProvider(api_key="bedrock-api-key", region_name="us-east-1", http_client=client)


def bedrock_sigv4(client: httpx.AsyncClient) -> Provider:
    return AnthropicBedrockProvider(
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        http_client=client,
    )


def test_bedrock_agent_run_with_thinking_and_a_tool_over_invoke_model() -> None:
    """End to end through the Agent: the signed thinking of the tool-calling turn goes back verbatim."""

    async def run(model: AnthropicModel) -> Any:
        agent = Agent(
            model,
            model_settings={"thinking": "low", "anthropic_betas": ["interleaved-thinking-2025-05-14"]},
        )

        @agent.tool_plain
        def get_weather(city: str) -> str:
            """Current weather in a city."""
            return "Sunny, 25°C"

        return await agent.run("What is the weather in Paris?")

    result, server, transport = replay(
        "anthropic_bedrock", "invoke_thinking_tool_use", bedrock_key, BEDROCK_MODEL, run
    )
    url = f"{BEDROCK_HOST}/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke"
    assert transport.urls == [url, url]
    assert all(r.headers["host"] == "bedrock-runtime.us-east-1.amazonaws.com" for r in server.requests)
    assert result.output == "It is sunny and 25°C in Paris."
    first = result.all_messages()[1]
    assert first.parts == [
        ThinkingPart(
            "The user asks for the weather in Paris; get_weather gives it.",
            signature=SIGNATURE,
            provider_name="anthropic",
        ),
        TextPart("Let me look that up."),
        ToolCallPart("get_weather", {"city": "Paris"}, tool_call_id="toolu_bdrk_01Q8pTz4"),
    ]
    assert (first.finish_reason, first.provider_response_id) == ("tool_call", "msg_bdrk_01HkS7m2")
    assert first.usage == RequestUsage(input_tokens=412, output_tokens=96)


def test_bedrock_streams_anthropic_events_as_base64_chunks_in_aws_event_stream() -> None:
    async def run(model: AnthropicModel) -> Any:
        assert model.stream_format == "eventstream"
        return await stream(model, [ModelRequest([UserPromptPart("What is 15 * 27?")])], {"thinking": True})

    (response, events), server, transport = replay(
        "anthropic_bedrock", "stream_thinking", bedrock_sigv4, BEDROCK_MODEL, run
    )
    assert transport.urls == [
        f"{BEDROCK_HOST}/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream"
    ]
    authorization = server.requests[0].headers["authorization"]
    assert re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/us-east-1/bedrock/aws4_request, "
        r"SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}",
        authorization,
    ), authorization
    assert response.parts == [
        ThinkingPart(
            "15 * 27 = 15 * 20 + 15 * 7 = 300 + 105 = 405.", signature=SIGNATURE, provider_name="anthropic"
        ),
        TextPart("15 × 27 = 405"),
    ]
    assert [type(e).__name__ for e in events] == [
        "PartStartEvent", "PartDeltaEvent", "PartDeltaEvent", "PartEndEvent",
        "PartStartEvent", "PartDeltaEvent", "PartEndEvent",
    ]  # fmt: skip
    assert (response.finish_reason, response.provider_response_id) == ("stop", "msg_bdrk_01Vq3sXb")
    assert response.usage == RequestUsage(input_tokens=45, output_tokens=57)
    assert response.provider_details == {
        "stop_reason": "end_turn",
        "amazon-bedrock-invocationMetrics": {
            "inputTokenCount": 45, "outputTokenCount": 57, "invocationLatency": 1830, "firstByteLatency": 612,
        },
    }  # fmt: skip


def test_bedrock_throttling_exception_mid_stream_is_http_429() -> None:
    async def run(model: AnthropicModel) -> Any:
        return await stream(model, [ModelRequest([UserPromptPart("Tell me a story.")])])

    with pytest.raises(ModelHTTPError) as info:
        replay("anthropic_bedrock", "stream_throttled_mid_stream", bedrock_key, BEDROCK_MODEL, run)
    assert info.value.status_code == 429
    assert info.value.body == {"message": "Too many tokens, please wait before trying again."}


def test_bedrock_count_tokens_is_bedrock_count_tokens_with_the_invoke_body() -> None:
    case = load_case("anthropic_bedrock", "count_tokens")
    counted = json.loads(base64.b64decode(case.exchanges[0].body["input"]["invokeModel"]["body"]))
    assert_spec_valid("bedrock", case.exchanges[0].body, "count-tokens")
    assert_spec_valid("anthropic", anthropic_spec_body(counted, BEDROCK_MODEL))

    async def run(model: AnthropicModel) -> RequestUsage:
        messages = [ModelRequest([UserPromptPart("What is the weather in Paris?")], instructions="Be brief.")]
        return await model.count_tokens(messages, None, ModelRequestParameters(function_tools=[WEATHER]))

    usage, _, transport = replay("anthropic_bedrock", "count_tokens", bedrock_key, BEDROCK_MODEL, run)
    assert transport.urls == [
        f"{BEDROCK_HOST}/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/count-tokens"
    ]
    assert usage == RequestUsage(input_tokens=388)


def test_bedrock_takes_its_own_service_tiers_and_no_server_tools() -> None:
    model = AnthropicModel(
        BEDROCK_MODEL, provider=AnthropicBedrockProvider(api_key="k", region_name="us-east-1")
    )
    messages = [ModelRequest([UserPromptPart("hi")])]
    request = model.build_request(messages, {"service_tier": "flex"}, ModelRequestParameters())
    assert request.headers["x-amzn-bedrock-service-tier"] == "flex" and "service_tier" not in (
        request.body or {}
    )
    assert (
        "x-amzn-bedrock-service-tier"
        not in model.build_request(messages, {"service_tier": "auto"}, ModelRequestParameters()).headers
    )
    with pytest.raises(UserError, match="Bedrock's service tiers"):
        model.build_request(messages, {"anthropic_service_tier": "auto"}, ModelRequestParameters())
    for tool in (WebSearchTool(), WebFetchTool(), CodeExecutionTool()):
        with pytest.raises(
            UserError, match=f"{type(tool).__name__} is not available on Claude on Amazon Bedrock"
        ):
            model.build_request(messages, None, ModelRequestParameters(native_tools=[tool]))


def test_bedrock_and_vertex_have_no_automatic_caching_so_the_last_block_is_marked() -> None:
    """`anthropic_cache` is top-level `cache_control` on the Anthropic API; Bedrock and Vertex take
    none, so the last block of the last message carries it there (as PydanticAI falls back)."""
    messages = [ModelRequest([UserPromptPart("Summarise the report.")])]
    for provider in (
        AnthropicBedrockProvider(api_key="k", region_name="us-east-1"),
        AnthropicVertexProvider(region="us-east5", credentials=FakeGoogleCredentials()),
    ):
        body = (
            AnthropicModel("claude-sonnet-4-5", provider=provider)
            .build_request(messages, {"anthropic_cache": "1h"}, ModelRequestParameters())
            .body
        )
        assert body is not None and "cache_control" not in body
        assert body["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
        assert_protocol_valid("anthropic", body)


# -------------------------------------------------------------------------------------------- Bedrock Mantle


def test_bedrock_mantle_is_the_anthropic_api_signed_for_bedrock_mantle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    url = "https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages"

    def sigv4(client: httpx.AsyncClient) -> Provider:
        return AnthropicBedrockMantleProvider(
            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", http_client=client
        )

    async def ask(model: AnthropicModel) -> ModelResponse:
        return await model.request(
            [ModelRequest([UserPromptPart("Capital of Portugal?")])], None, ModelRequestParameters()
        )

    response, server, transport = replay(
        "anthropic_bedrock_mantle", "messages", sigv4, "anthropic.claude-sonnet-4-5", ask
    )
    assert transport.urls == [url]
    assert server.requests[0].headers["host"] == "bedrock-mantle.us-east-1.api.aws"
    assert re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/us-east-1/bedrock-mantle/aws4_request, "
        r"SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}",
        server.requests[0].headers["authorization"],
    )
    assert (response.parts, response.usage) == (
        [TextPart("Lisbon.")],
        RequestUsage(input_tokens=13, output_tokens=5),
    )

    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key")

    def bearer(client: httpx.AsyncClient) -> Provider:
        return AnthropicBedrockMantleProvider(http_client=client)

    async def streamed(model: AnthropicModel) -> Any:
        assert model.stream_format == "sse"
        return await stream(model, [ModelRequest([UserPromptPart("Say hello in Portuguese.")])])

    (response, _), _, transport = replay(
        "anthropic_bedrock_mantle", "stream_messages", bearer, "anthropic.claude-sonnet-4-5", streamed
    )
    assert transport.urls == [url] and response.parts == [TextPart("Olá!")]


# ------------------------------------------------------------------------------------------------- Vertex


def vertex(client: httpx.AsyncClient) -> Provider:
    credentials = FakeGoogleCredentials(token="ya29.vertex-token", project_id="my-project")
    return AnthropicVertexProvider(
        project_id="my-project", region="us-east5", credentials=credentials, http_client=client
    )


def test_vertex_raw_predict_with_web_search() -> None:
    async def run(model: AnthropicModel) -> ModelResponse:
        params = ModelRequestParameters(native_tools=[WebSearchTool(max_uses=2)])
        return await model.request(
            [ModelRequest([UserPromptPart("Who won the 2026 Tour de France?")])], None, params
        )

    response, server, transport = replay(
        "anthropic_vertex", "raw_predict_web_search", vertex, VERTEX_MODEL, run
    )
    assert transport.urls == [f"{VERTEX_BASE}/models/claude-sonnet-4-5@20250929:rawPredict"]
    assert server.requests[0].headers["host"] == "us-east5-aiplatform.googleapis.com"
    call, result, text = response.parts
    assert isinstance(call, NativeToolCallPart) and call.args == {"query": "2026 Tour de France winner"}
    assert (call.tool_name, call.tool_call_id, call.provider_name) == (
        "web_search",
        "srvtoolu_vrtx_01Kd",
        "anthropic",
    )
    assert isinstance(result, NativeToolReturnPart) and result.tool_call_id == "srvtoolu_vrtx_01Kd"
    assert isinstance(text, TextPart) and text.content.startswith("The race was won")
    assert text.provider_details is not None and len(text.provider_details["citations"]) == 1
    assert response.usage.input_tokens == 2890 and response.finish_reason == "stop"


def test_vertex_compaction_block_goes_back_verbatim() -> None:
    """The platforms share the Messages codec: Vertex's rawPredict reads the compaction block and the
    follow-up sends it back as it came (the fixture pins the body and the beta header)."""
    settings: Any = {
        "anthropic_context_management": {
            "edits": [{"type": "compact_20260112", "trigger": {"type": "input_tokens", "value": 150000}}]
        }
    }

    async def run(model: AnthropicModel) -> list[ModelResponse]:
        first = [ModelRequest([UserPromptPart("Continue the migration plan.")])]
        r1 = await model.request(first, settings, ModelRequestParameters())
        later = [*first, r1, ModelRequest([UserPromptPart("What comes after step 4?")])]
        return [r1, await model.request(later, settings, ModelRequestParameters())]

    (r1, r2), _, _ = replay(
        "anthropic_vertex",
        "raw_predict_compaction_block_dropped_from_history",
        vertex,
        "claude-opus-4-6",
        run,
    )
    compaction = r1.parts[0]
    assert isinstance(compaction, CompactionPart) and compaction.provider_name == "anthropic"
    assert compaction.content is not None and compaction.content.startswith("Summary: the team is migrating")
    assert compaction.provider_details is not None and set(compaction.provider_details) == {
        "encrypted_content"
    }
    assert r2.text == "Step 5: turn off the dual writes and retire the old billing tables."


def test_vertex_stream_raw_predict_keeps_stream_in_the_body() -> None:
    async def run(model: AnthropicModel) -> Any:
        assert model.stream_format == "sse"
        return await stream(model, [ModelRequest([UserPromptPart("Say hello in French.")])])

    (response, _), _, transport = replay("anthropic_vertex", "stream_raw_predict", vertex, VERTEX_MODEL, run)
    assert transport.urls == [f"{VERTEX_BASE}/models/claude-sonnet-4-5@20250929:streamRawPredict"]
    assert response.parts == [TextPart("Bonjour !")]
    assert (response.finish_reason, response.usage) == (
        "stop",
        RequestUsage(input_tokens=14, output_tokens=6),
    )


def test_vertex_count_tokens() -> None:
    case = load_case("anthropic_vertex", "count_tokens")
    body = {k: v for k, v in case.exchanges[0].body.items() if k != "anthropic_version"}
    assert_spec_valid("anthropic", body, "count_tokens")

    async def run(model: AnthropicModel) -> RequestUsage:
        return await model.count_tokens(
            [ModelRequest([UserPromptPart("Say hello in French.")])], None, ModelRequestParameters()
        )

    usage, _, transport = replay("anthropic_vertex", "count_tokens", vertex, VERTEX_MODEL, run)
    assert transport.urls == [f"{VERTEX_BASE}/models/count-tokens:rawPredict"]
    assert usage == RequestUsage(input_tokens=13)


def test_vertex_runs_web_search_but_not_the_other_server_tools() -> None:
    model = AnthropicModel(
        VERTEX_MODEL, provider=AnthropicVertexProvider(credentials=FakeGoogleCredentials())
    )
    for tool in (WebFetchTool(), CodeExecutionTool()):
        with pytest.raises(UserError, match=f"{type(tool).__name__} is not available on Claude on Vertex AI"):
            model.build_request(
                [ModelRequest([UserPromptPart("hi")])], None, ModelRequestParameters(native_tools=[tool])
            )


# ------------------------------------------------------------------------------------------------ Foundry


def test_foundry_is_the_anthropic_api_at_the_resource_with_an_api_key_json_and_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_FOUNDRY_RESOURCE", "my-resource")
    monkeypatch.setenv("ANTHROPIC_FOUNDRY_API_KEY", "foundry-key")
    url = "https://my-resource.services.ai.azure.com/anthropic/v1/messages"

    def foundry(client: httpx.AsyncClient) -> Provider:
        return AnthropicFoundryProvider(http_client=client)

    async def ask(model: AnthropicModel) -> ModelResponse:
        return await model.request(
            [ModelRequest([UserPromptPart("Capital of Norway?")])], None, ModelRequestParameters()
        )

    response, server, transport = replay("anthropic_foundry", "messages", foundry, "claude-sonnet-4-5", ask)
    assert transport.urls == [url] and "x-api-key" not in server.requests[0].headers
    assert (response.parts, response.usage) == (
        [TextPart("Oslo.")],
        RequestUsage(input_tokens=12, output_tokens=5),
    )

    async def streamed(model: AnthropicModel) -> Any:
        return await stream(model, [ModelRequest([UserPromptPart("Say hello in French.")])])

    (response, _), _, transport = replay(
        "anthropic_foundry", "stream_messages", foundry, "claude-sonnet-4-5", streamed
    )
    assert transport.urls == [url] and response.parts == [TextPart("Bonjour !")]


def test_foundry_entra_id_token_provider_is_asked_at_every_request() -> None:
    tokens = iter(["entra-1", "entra-2"])
    seen: list[str] = []

    async def token() -> str:
        return next(tokens)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        assert "api-key" not in request.headers
        body = {
            "id": "m",
            "type": "message",
            "role": "assistant",
            "content": [],
            "stop_reason": "end_turn",
            "usage": {},
        }
        return httpx.Response(200, json=body)

    async def main() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            provider = AnthropicFoundryProvider(
                resource="res", azure_ad_token_provider=token, http_client=client
            )
            model = AnthropicModel("claude-sonnet-4-5", provider=provider)
            for _ in range(2):
                await model.request([ModelRequest([UserPromptPart("hi")])], None, ModelRequestParameters())

    asyncio.run(main())
    assert seen == ["Bearer entra-1", "Bearer entra-2"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"resource": "r"}, "ANTHROPIC_FOUNDRY_API_KEY"),
        ({"api_key": "k"}, "ANTHROPIC_FOUNDRY_RESOURCE"),
        ({"api_key": "k", "resource": "evil.example/x"}, "Invalid Foundry resource name"),
        ({"api_key": "k", "resource": "r", "base_url": "https://x"}, "not both"),
        ({"api_key": "k", "azure_ad_token_provider": lambda: "t", "resource": "r"}, "not both"),
    ],
)
def test_foundry_configuration_errors_say_what_to_do(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=message):
        AnthropicFoundryProvider(**kwargs)


# ------------------------------------------------------------------------------------------- all of them


@pytest.mark.parametrize(
    ("prefix", "provider_class", "env"),
    [
        (
            "anthropic-bedrock",
            AnthropicBedrockProvider,
            {"AWS_BEARER_TOKEN_BEDROCK": "k", "AWS_REGION": "eu-west-1"},
        ),
        (
            "anthropic-vertex",
            AnthropicVertexProvider,
            {"GOOGLE_CLOUD_PROJECT": "p", "CLOUD_ML_REGION": "europe-west1"},
        ),
        (
            "anthropic-foundry",
            AnthropicFoundryProvider,
            {"ANTHROPIC_FOUNDRY_API_KEY": "k", "ANTHROPIC_FOUNDRY_RESOURCE": "r"},
        ),
        (
            "anthropic-bedrock-mantle",
            AnthropicBedrockMantleProvider,
            {"ANTHROPIC_AWS_API_KEY": "k", "AWS_DEFAULT_REGION": "ap-south-1"},
        ),
    ],
)
def test_infer_model_prefix_builds_the_platform_provider_from_env(
    prefix: str, provider_class: type, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wireai.models import infer_model

    for var, value in env.items():
        monkeypatch.setenv(var, value)
    model = infer_model(f"{prefix}:claude-sonnet-4-5")
    assert isinstance(model, AnthropicModel) and type(model.provider) is provider_class
    assert model.system == "anthropic"  # thinking signatures stay Anthropic's, whichever platform served them
    expected = {
        "anthropic-bedrock": "https://bedrock-runtime.eu-west-1.amazonaws.com",
        "anthropic-vertex": "https://europe-west1-aiplatform.googleapis.com/v1/projects/p/locations/europe-west1/publishers/anthropic",
        "anthropic-foundry": "https://r.services.ai.azure.com/anthropic",
        "anthropic-bedrock-mantle": "https://bedrock-mantle.ap-south-1.api.aws/anthropic",
    }
    assert model.base_url == expected[prefix]


def test_a_profile_given_to_the_model_keeps_the_platform_envelope() -> None:
    from wireai.profiles import ModelProfile

    provider = AnthropicBedrockProvider(api_key="k", region_name="us-east-1")
    model = AnthropicModel(BEDROCK_MODEL, provider=provider, profile=ModelProfile(extra={"max_tokens": 1000}))
    request = model.build_request([ModelRequest([UserPromptPart("hi")])], None, ModelRequestParameters())
    assert request.path.endswith("/invoke") and request.body is not None
    assert (request.body["anthropic_version"], request.body["max_tokens"]) == ("bedrock-2023-05-31", 1000)


def test_platforms_that_fetch_no_urls_get_the_bytes() -> None:
    """Bedrock and Vertex take images and PDFs only inline: wireai downloads a URL for them."""
    from wireai.messages import DocumentUrl, ImageUrl

    image, pdf = ImageUrl("https://example.com/a.png"), DocumentUrl("https://example.com/a.pdf")
    for provider, fetches in (
        (AnthropicBedrockProvider(api_key="k", region_name="us-east-1"), False),
        (AnthropicVertexProvider(credentials=FakeGoogleCredentials()), False),
        (AnthropicFoundryProvider(resource="r", api_key="k"), True),
    ):
        model = AnthropicModel("claude-sonnet-4-5", provider=provider)
        assert (model.fetches_url(image), model.fetches_url(pdf)) == (fetches, fetches)


# ------------------------------------------------------------------------------------- Bedrock framing


def bedrock_parser() -> Any:
    from wireai.codecs import anthropic

    profile = AnthropicBedrockProvider(api_key="k", region_name="us-east-1").model_profile(BEDROCK_MODEL)
    return anthropic.StreamParser(model_name="m", profile=profile)


def chunk_message(payload: Any, headers: dict[str, Any] | None = None) -> bytes:
    from wireai.wire.eventstream import encode_message

    headers = headers or {
        ":event-type": "chunk",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return encode_message(
        headers, payload if isinstance(payload, (bytes, dict)) else json.dumps(payload).encode()
    )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"p": "abc"}, "a chunk without base64 `bytes`"),
        ({"bytes": "not base64!"}, "not base64 of a JSON event"),
        ({"bytes": base64.b64encode(b"{not json").decode()}, "not base64 of a JSON event"),
        ({"bytes": base64.b64encode(b"[1, 2]").decode()}, "a chunk's event is not an object"),
        (b"[]", "a chunk without base64 `bytes`"),
    ],
)
def test_malformed_bedrock_chunks_are_unexpected_model_behavior(payload: Any, message: str) -> None:
    from wireai.exceptions import UnexpectedModelBehavior

    with pytest.raises(UnexpectedModelBehavior, match=re.escape(message)):
        bedrock_parser().feed(chunk_message(payload))


def test_bedrock_stream_cut_before_message_stop_keeps_what_arrived() -> None:
    from wireai.exceptions import UnexpectedModelBehavior

    case = load_case("anthropic_bedrock", "stream_thinking")
    raw = case.exchanges[0].raw_body()
    parser = bedrock_parser()
    parser.feed(raw[: len(raw) // 2])
    with pytest.raises(UnexpectedModelBehavior) as info:
        parser.close()
    assert info.value.response is not None and isinstance(info.value.response.parts[0], ThinkingPart)


def test_bedrock_model_stream_error_keeps_the_models_own_status() -> None:
    """`modelStreamErrorException` carries the model's `originalStatusCode` (Anthropic's 529 overload)."""
    headers = {
        ":exception-type": "modelStreamErrorException",
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    body = {"message": "Overloaded", "originalStatusCode": 529, "originalMessage": "overloaded_error"}
    with pytest.raises(ModelHTTPError) as info:
        bedrock_parser().feed(chunk_message(body, headers))
    assert (info.value.status_code, info.value.body) == (529, body)


def test_bedrock_events_other_than_chunks_are_skipped() -> None:
    headers = {":event-type": "futureEvent", ":content-type": "application/json", ":message-type": "event"}
    assert bedrock_parser().feed(chunk_message({"anything": 1}, headers)) == []


def test_a_minimal_bedrock_message_as_awss_reference_shows_it_reads_the_same() -> None:
    """AWS's InvokeModel reference shows Claude's answer without the fields Anthropic's description
    adds (citations, caller, stop_details, usage extras): it reads all the same."""
    model = AnthropicModel(
        BEDROCK_MODEL, provider=AnthropicBedrockProvider(api_key="k", region_name="us-east-1")
    )
    body = {
        "id": "msg_bdrk_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": "Hi."}, {"type": "tool_use", "id": "toolu_bdrk_1", "name": "f", "input": {}}],
        "stop_reason": "tool_use", "stop_sequence": None, "usage": {"input_tokens": 9, "output_tokens": 3},
    }  # fmt: skip
    response = model.parse_response(json.dumps(body).encode())
    assert response.parts == [TextPart("Hi."), ToolCallPart("f", {}, tool_call_id="toolu_bdrk_1")]
    assert (response.finish_reason, response.usage) == (
        "tool_call",
        RequestUsage(input_tokens=9, output_tokens=3),
    )
