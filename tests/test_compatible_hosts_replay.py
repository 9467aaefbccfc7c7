"""Every OpenAI-compatible host of PydanticAI's list, configured from its env vars alone, replayed over loopback.

Each provider is built as a user builds it (`infer_provider(name)` with the host's env vars set),
so the default base URL and the auth header are the real ones: only the socket is redirected to
a loopback server replaying `fixtures/openai_compatible/<host>.json`. The test pins the exact URL
the request was for (scheme, host and path, from the request line and `Host` header), the auth
header, the body (which also shows the model family's profile at work: Qwen's `$ref`s inlined,
GitHub's `json_schema` output, Snowflake's missing `strict`), and what is read back: parts
(reasoning from `reasoning`/`reasoning_content` fields or inline `<think>`), usage and finish reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import httpx
import pytest

from support import ToLoopback, assert_protocol_valid
from wireai.messages import (
    FinishReason,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters, OutputObjectDefinition
from wireai.models.openai import OpenAIChatModel
from wireai.providers import infer_provider
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage

WEATHER = ToolDefinition(
    "get_weather",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"$ref": "#/$defs/Unit"}},
        "required": ["city"],
        "additionalProperties": False,
        "$defs": {"Unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
    },
    "Get the weather in a city.",
)
TOOLS = ModelRequestParameters(function_tools=[WEATHER])
STRICT_TOOLS = ModelRequestParameters(function_tools=[replace(WEATHER, strict=True)])
CITY = OutputObjectDefinition(
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
        "required": ["city", "country"],
        "additionalProperties": False,
    },
    "CityLocation",
    strict=True,
)
NATIVE = ModelRequestParameters(output_mode="native", output_object=CITY, allow_text_output=False)
TEXT = ModelRequestParameters()


@dataclass
class Turn:
    """One exchange of a host's case: what is asked and what must be read back."""

    prompt: str
    parts: list[ModelResponsePart]
    usage: RequestUsage
    finish: FinishReason = "stop"
    params: ModelRequestParameters = field(default_factory=ModelRequestParameters)
    stream: bool = False


@dataclass
class Host:
    name: str  # provider name, and the fixture case (`azure_foundry` is the `azure` provider)
    model: str
    url: str  # the exact endpoint the request must go to
    env: dict[str, str]
    auth: tuple[str, str] | None  # the auth header expected, None for none
    turns: Sequence[Turn]
    served: str | None = None  # the model name the answers give, if not the one asked for

    @property
    def provider(self) -> str:
        return self.name.split("_")[0]


def think(text: str, host: str) -> ThinkingPart:
    return ThinkingPart(text, provider_name=host)


HOSTS = [
    Host(
        "cerebras",
        "gpt-oss-120b",
        "https://api.cerebras.ai/v1/chat/completions",
        {"CEREBRAS_API_KEY": "csk-test"},
        ("authorization", "Bearer csk-test"),
        [
            Turn(
                "Hello!",
                [think("A greeting; answer in kind.", "cerebras"), TextPart("Hello! How can I help?")],
                RequestUsage(input_tokens=12, output_tokens=10),
            )
        ],
    ),
    Host(
        "together",
        "deepseek-ai/DeepSeek-R1",
        "https://api.together.xyz/v1/chat/completions",
        {"TOGETHER_API_KEY": "tgp-test"},
        ("authorization", "Bearer tgp-test"),
        [
            Turn(
                "2+2?",
                [think("Two plus two is four.", "together"), TextPart("4")],
                RequestUsage(input_tokens=9, output_tokens=14),
            ),
            Turn(
                "2+3?",
                # The newline before `</think>` is layout, as in the JSON path.
                [think("Two plus three is five.", "together"), TextPart("5")],
                RequestUsage(input_tokens=9, output_tokens=15),
                stream=True,
            ),
        ],
    ),
    Host(
        "fireworks",
        "accounts/fireworks/models/qwen3-235b-a22b",
        "https://api.fireworks.ai/inference/v1/chat/completions",
        {"FIREWORKS_API_KEY": "fw-test"},
        ("authorization", "Bearer fw-test"),
        [
            Turn(
                "Weather in Paris?",
                [
                    ToolCallPart(
                        "get_weather", '{"city": "Paris", "unit": "celsius"}', tool_call_id="call_fw1"
                    )
                ],
                RequestUsage(input_tokens=180, output_tokens=25),
                "tool_call",
                TOOLS,
            )
        ],
    ),
    Host(
        "huggingface",
        "meta-llama/Llama-3.3-70B-Instruct:cerebras",
        "https://router.huggingface.co/v1/chat/completions",
        {"HF_TOKEN": "hf_test"},
        ("authorization", "Bearer hf_test"),
        [Turn("Capital of France?", [TextPart("Paris.")], RequestUsage(input_tokens=42, output_tokens=3))],
        served="meta-llama/Llama-3.3-70B-Instruct",
    ),
    Host(
        "nebius",
        "moonshotai/Kimi-K2-Instruct",
        "https://api.studio.nebius.com/v1/chat/completions",
        {"NEBIUS_API_KEY": "nb-test"},
        ("authorization", "Bearer nb-test"),
        [Turn("Say hi", [TextPart("Hi!")], RequestUsage(input_tokens=8, output_tokens=3), "length")],
    ),
    Host(
        "sambanova",
        "Meta-Llama-3.3-70B-Instruct",
        "https://api.sambanova.ai/v1/chat/completions",
        {"SAMBANOVA_API_KEY": "sn-test"},
        ("authorization", "Bearer sn-test"),
        [Turn("Capital of Italy?", [TextPart("Rome.")], RequestUsage(input_tokens=40, output_tokens=3))],
    ),
    Host(
        "moonshotai",
        "kimi-thinking-preview",
        "https://api.moonshot.ai/v1/chat/completions",
        {"MOONSHOTAI_API_KEY": "sk-moon"},
        ("authorization", "Bearer sk-moon"),
        [
            Turn(
                "2*3?",
                [think("Two times three is six.", "moonshotai"), TextPart("6")],
                RequestUsage(input_tokens=10, output_tokens=12),
                stream=True,
            )
        ],
    ),
    Host(
        "zai",
        "glm-4.6",
        "https://api.z.ai/api/paas/v4/chat/completions",
        {"ZAI_API_KEY": "zai-test"},
        ("authorization", "Bearer zai-test"),
        [
            Turn(
                "10/2?",
                [think("Ten halved is five.", "zai"), TextPart("5")],
                RequestUsage(input_tokens=11, output_tokens=20, cache_read_tokens=4),
            )
        ],
    ),
    Host(
        "alibaba",
        "qwen-plus",
        "https://dashscope-intl.aliyuncs.com/compatible-mode/v1/chat/completions",
        {"DASHSCOPE_API_KEY": "sk-dash"},
        ("authorization", "Bearer sk-dash"),
        [
            Turn(
                "Capital of Japan?",
                [TextPart("Tokyo.")],
                RequestUsage(input_tokens=20, output_tokens=3, cache_read_tokens=16),
            )
        ],
    ),
    Host(
        "ovhcloud",
        "Meta-Llama-3_3-70B-Instruct",
        "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1/chat/completions",
        {"OVHCLOUD_API_KEY": "ovh-test"},
        ("authorization", "Bearer ovh-test"),
        [Turn("Capital of Spain?", [TextPart("Madrid.")], RequestUsage(input_tokens=41, output_tokens=3))],
    ),
    Host(
        "heroku",
        "claude-4-sonnet",
        "https://us.inference.heroku.com/v1/chat/completions",
        {"HEROKU_INFERENCE_KEY": "inf-test"},
        ("authorization", "Bearer inf-test"),
        [
            Turn(
                "Weather in Paris?",
                [
                    TextPart("Let me check."),
                    ToolCallPart("get_weather", '{"city":"Paris"}', tool_call_id="tooluse_h1"),
                ],
                RequestUsage(input_tokens=400, output_tokens=60),
                "tool_call",
                TOOLS,
            )
        ],
    ),
    Host(
        "github",
        "openai/gpt-4.1",
        "https://models.github.ai/inference/chat/completions",
        {"GITHUB_API_KEY": "ghp_test"},
        ("authorization", "Bearer ghp_test"),
        [
            Turn(
                "Where were the 2012 olympics?",
                [TextPart('{"city":"London","country":"United Kingdom"}')],
                RequestUsage(input_tokens=70, output_tokens=12),
                params=NATIVE,
            )
        ],
        served="gpt-4.1-2025-04-14",
    ),
    Host(
        "vercel",
        "anthropic/claude-sonnet-4",
        "https://ai-gateway.vercel.sh/v1/chat/completions",
        {"VERCEL_AI_GATEWAY_API_KEY": "vck-test"},
        ("authorization", "Bearer vck-test"),
        [Turn("Capital of Peru?", [TextPart("Lima.")], RequestUsage(input_tokens=14, output_tokens=4))],
    ),
    Host(
        "litellm",
        "gpt-4o",
        "http://litellm.internal:4000/chat/completions",
        {"LITELLM_PROXY_API_BASE": "http://litellm.internal:4000", "LITELLM_PROXY_API_KEY": "sk-litellm"},
        ("authorization", "Bearer sk-litellm"),
        [Turn("Capital of Chile?", [TextPart("Santiago.")], RequestUsage(input_tokens=13, output_tokens=3))],
    ),
    Host(
        "azure_foundry",
        "DeepSeek-R1",
        "https://my-foundry.services.ai.azure.com/openai/v1/chat/completions",
        {
            "AZURE_OPENAI_ENDPOINT": "https://my-foundry.services.ai.azure.com",
            "AZURE_OPENAI_API_KEY": "az-test",
        },
        ("api-key", "az-test"),
        [
            Turn(
                "3+3?",
                [think("Three plus three is six.", "azure"), TextPart("6")],
                RequestUsage(input_tokens=10, output_tokens=18),
            )
        ],
    ),
    Host(
        "crusoe",
        "meta-llama/Llama-3.3-70B-Instruct",
        "https://api.inference.crusoecloud.com/v1/chat/completions",
        {"CRUSOE_API_KEY": "cr-test"},
        ("authorization", "Bearer cr-test"),
        [
            Turn(
                "Where were the 2012 olympics?",
                [TextPart('{"city": "London", "country": "United Kingdom"}')],
                RequestUsage(input_tokens=66, output_tokens=14),
                params=NATIVE,
            )
        ],
    ),
    Host(
        "snowflake",
        "claude-sonnet-4-5",
        "https://myorg-myaccount.snowflakecomputing.com/api/v2/cortex/v1/chat/completions",
        {"SNOWFLAKE_ACCOUNT": "myorg-myaccount", "SNOWFLAKE_TOKEN": "pat-test"},
        ("authorization", "Bearer pat-test"),
        [
            Turn(
                "Weather in Paris?",
                [ToolCallPart("get_weather", '{"city":"Paris"}', tool_call_id="toolu_s1")],
                RequestUsage(input_tokens=300, output_tokens=40),
                "tool_call",
                STRICT_TOOLS,
            )
        ],
    ),
    Host(
        "xai",
        "grok-3-mini",
        "https://api.x.ai/v1/chat/completions",
        {"XAI_API_KEY": "xai-test"},
        ("authorization", "Bearer xai-test"),
        [
            Turn(
                "7+1?",
                [think("Seven plus one is eight.", "xai"), TextPart("8")],
                RequestUsage(input_tokens=12, output_tokens=30),
            )
        ],
    ),
]

# Every env var any host reads: cleared first, so the machine's own settings cannot leak in.
HOST_ENV = {
    "ALIBABA_API_KEY", "DASHSCOPE_API_KEY", "CEREBRAS_API_KEY", "CRUSOE_API_KEY", "FIREWORKS_API_KEY",
    "GITHUB_API_KEY", "HEROKU_INFERENCE_KEY", "HEROKU_INFERENCE_URL", "HF_TOKEN", "LITELLM_PROXY_API_BASE",
    "LITELLM_PROXY_API_KEY", "MOONSHOTAI_API_KEY", "NEBIUS_API_KEY", "OVHCLOUD_API_KEY", "SAMBANOVA_API_KEY",
    "SAMBANOVA_BASE_URL", "SNOWFLAKE_ACCOUNT", "SNOWFLAKE_TOKEN", "TOGETHER_API_KEY",
    "VERCEL_AI_GATEWAY_API_KEY", "VERCEL_OIDC_TOKEN", "ZAI_API_KEY", "XAI_API_KEY", "GROK_API_KEY",
    "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION", "OPENAI_BASE_URL",
}  # fmt: skip


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in HOST_ENV:
        monkeypatch.delenv(var, raising=False)


async def exchange(model: OpenAIChatModel, turn: Turn) -> ModelResponse:
    messages = [ModelRequest([UserPromptPart(turn.prompt)])]
    if not turn.stream:
        return await model.request(messages, None, turn.params)
    async with model.request_stream(messages, None, turn.params) as streamed:
        async for _ in streamed:
            pass
    return streamed.get()


@pytest.mark.parametrize("host", HOSTS, ids=[h.name for h in HOSTS])
def test_host_from_env_replayed(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    for var, value in host.env.items():
        monkeypatch.setenv(var, value)
    case = load_case("openai_compatible", host.name)
    assert len(case.exchanges) == len(host.turns)

    async def run(transport: ToLoopback) -> list[ModelResponse]:
        async with httpx.AsyncClient(transport=transport) as client:
            provider = infer_provider(host.provider, http_client=client)
            provider.max_retries = 0
            model = OpenAIChatModel(host.model, provider=provider)
            return [await exchange(model, turn) for turn in host.turns]

    with ReplayServer(case) as server:
        transport = ToLoopback(server.url)
        responses = asyncio.run(run(transport))
        server.assert_requests_match()
    split = httpx.URL(host.url)
    for request, url in zip(server.requests, transport.urls):
        assert url == host.url
        assert request.headers["host"] == (split.host if split.port is None else f"{split.host}:{split.port}")
        assert_protocol_valid("openai_chat", request.json())
        if host.auth is None:
            assert "authorization" not in request.headers
        else:
            assert request.headers[host.auth[0]] == host.auth[1]
    for turn, response in zip(host.turns, responses):
        assert response.parts == turn.parts
        assert response.usage == turn.usage
        assert response.finish_reason == turn.finish
        assert response.model_name == (host.served or host.model)
        assert response.provider_name == host.provider


def test_every_host_case_has_a_test() -> None:
    from wireai.testing.fixtures import list_cases

    assert sorted(list_cases("openai_compatible")) == sorted(h.name for h in HOSTS)
