"""Provider names as PydanticAI's current release spells them: the OpenAI-compatible hosts' env vars,
default base URLs and prefixes, `GoogleProvider`, `XaiProvider`/`XaiModel`, and the host quirks."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from test_compatible_hosts_replay import HOST_ENV, ToLoopback
from wireai import Agent
from wireai.exceptions import UserError
from wireai.messages import ModelRequest, UserPromptPart
from wireai.models import ModelRequestParameters, infer_model
from wireai.models.gemini import GeminiModel
from wireai.models.google import GoogleModel
from wireai.models.openai import OpenAIChatModel, OpenAIChatModelSettings, OpenAIModelSettings
from wireai.models.xai import XaiModel
from wireai.providers import Provider, infer_provider, infer_provider_class
from wireai.providers.google import GoogleProvider
from wireai.providers.grok import GrokProvider
from wireai.providers.xai import XaiProvider
from wireai.testing.server import LoopbackServer, Reply

GOOGLE_ENV = ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_LOCATION")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (*HOST_ENV, *GOOGLE_ENV):
        monkeypatch.delenv(var, raising=False)


# name -> (class name, key env vars, default base URL), as PydanticAI's providers/<name>.py have them.
HOSTS = {
    "alibaba": ("AlibabaProvider", ("ALIBABA_API_KEY", "DASHSCOPE_API_KEY"), "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"),
    "cerebras": ("CerebrasProvider", ("CEREBRAS_API_KEY",), "https://api.cerebras.ai/v1"),
    "crusoe": ("CrusoeProvider", ("CRUSOE_API_KEY",), "https://api.inference.crusoecloud.com/v1"),
    "fireworks": ("FireworksProvider", ("FIREWORKS_API_KEY",), "https://api.fireworks.ai/inference/v1"),
    "github": ("GitHubProvider", ("GITHUB_API_KEY",), "https://models.github.ai/inference"),
    "heroku": ("HerokuProvider", ("HEROKU_INFERENCE_KEY",), "https://us.inference.heroku.com/v1"),
    "huggingface": ("HuggingFaceProvider", ("HF_TOKEN",), "https://router.huggingface.co/v1"),
    "moonshotai": ("MoonshotAIProvider", ("MOONSHOTAI_API_KEY",), "https://api.moonshot.ai/v1"),
    "nebius": ("NebiusProvider", ("NEBIUS_API_KEY",), "https://api.studio.nebius.com/v1"),
    "ovhcloud": ("OVHcloudProvider", ("OVHCLOUD_API_KEY",), "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1"),
    "sambanova": ("SambaNovaProvider", ("SAMBANOVA_API_KEY",), "https://api.sambanova.ai/v1"),
    "together": ("TogetherProvider", ("TOGETHER_API_KEY",), "https://api.together.xyz/v1"),
    "vercel": ("VercelProvider", ("VERCEL_AI_GATEWAY_API_KEY", "VERCEL_OIDC_TOKEN"), "https://ai-gateway.vercel.sh/v1"),
    "xai": ("XaiProvider", ("XAI_API_KEY",), "https://api.x.ai/v1"),
    "zai": ("ZaiProvider", ("ZAI_API_KEY",), "https://api.z.ai/api/paas/v4"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(HOSTS))
def test_host_env_vars_base_url_and_prefix(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cls_name, env, base = HOSTS[name]
    cls = infer_provider_class(name)
    assert cls.__name__ == cls_name and cls.name == name
    with pytest.raises(UserError, match=f"`{env[0]}`"):
        infer_model(f"{name}:some-model")
    for var in env:  # each of the env vars is enough on its own
        monkeypatch.setenv(var, f"key-{var}")
        model = infer_model(f"{name}:some-model")
        assert isinstance(model, OpenAIChatModel) and type(model.provider) is cls
        assert model.base_url == base and model.system == name
        assert model.provider.headers == {"authorization": f"Bearer key-{var}"}
        monkeypatch.delenv(var)
    assert cls(api_key="k", base_url="http://gpu-box:8000/v1").base_url == "http://gpu-box:8000/v1"
    assert "sk-secret-42" not in repr(cls(api_key="sk-secret-42"))


def test_compatible_hosts_need_a_key_even_on_a_custom_base_url() -> None:
    with pytest.raises(UserError, match="TOGETHER_API_KEY"):
        infer_provider("together", base_url="https://proxy.example/v1")


def test_provider_names_resolve_through_infer_provider() -> None:
    assert type(infer_provider("xai", api_key="k")) is XaiProvider
    assert type(infer_provider("grok", api_key="k")) is GrokProvider
    assert type(infer_provider("google", api_key="k")) is GoogleProvider


# ------------------------------------------------------------------------------------------ host quirks


def test_heroku_url_from_env_gets_v1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEROKU_INFERENCE_KEY", "inf")
    monkeypatch.setenv("HEROKU_INFERENCE_URL", "https://eu.inference.heroku.com/")
    assert infer_provider("heroku").base_url == "https://eu.inference.heroku.com/v1"
    assert infer_provider("heroku", base_url="https://x.example/v1").base_url == "https://x.example/v1"


def test_sambanova_base_url_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMBANOVA_BASE_URL", "https://sambanova.internal/v1")
    assert infer_provider("sambanova", api_key="k").base_url == "https://sambanova.internal/v1"


def test_alibaba_prefers_its_own_key_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_API_KEY", "ali")
    monkeypatch.setenv("DASHSCOPE_API_KEY", "dash")
    assert infer_provider("alibaba").headers["authorization"] == "Bearer ali"


def test_litellm_proxy_url_is_required_and_its_key_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    from wireai.providers.litellm import LiteLLMProvider

    with pytest.raises(UserError, match="LITELLM_PROXY_API_BASE"):
        LiteLLMProvider()
    provider = LiteLLMProvider(api_base="http://localhost:4000")
    assert (provider.base_url, provider.headers) == ("http://localhost:4000", {})
    assert LiteLLMProvider(api_base="http://p:4000", api_key="sk-1").headers == {
        "authorization": "Bearer sk-1"
    }
    with pytest.raises(UserError, match="once"):
        LiteLLMProvider(api_base="http://a", base_url="http://b")
    # Names the proxy routes elsewhere keep their family; the rest are taken for OpenAI's.
    assert provider.model_profile("gpt-4o").supports_json_schema_output  # type: ignore[union-attr]
    assert not provider.model_profile("anthropic/claude-3-5-haiku").supports_json_schema_output  # type: ignore[union-attr]


def test_snowflake_account_and_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from wireai.providers.snowflake import SnowflakeProvider

    with pytest.raises(UserError, match="SNOWFLAKE_ACCOUNT"):
        SnowflakeProvider(token="t")
    with pytest.raises(UserError, match="SNOWFLAKE_TOKEN"):
        SnowflakeProvider(account="myorg-myaccount")
    for account in ("myorg-myaccount", "https://myorg-myaccount.snowflakecomputing.com/"):
        assert (
            SnowflakeProvider(account=account, token="t").base_url
            == "https://myorg-myaccount.snowflakecomputing.com/api/v2/cortex/v1"
        )
    with pytest.raises(UserError, match="Invalid Snowflake account"):
        SnowflakeProvider(account="attacker.example/x", token="t")
    private = SnowflakeProvider(
        base_url="https://myorg.privatelink.snowflakecomputing.com/api/v2/cortex/v1", token="t"
    )
    assert private.headers == {"authorization": "Bearer t"}


def test_snowflake_only_openai_and_claude_models_take_tools_and_response_format() -> None:
    from wireai.providers.snowflake import SnowflakeProvider

    provider = SnowflakeProvider(account="a", token="t")
    claude = provider.model_profile("claude-sonnet-4-5")
    gpt = provider.model_profile("openai-gpt-4.1")
    llama = provider.model_profile("llama3.3-70b")
    assert claude and gpt and llama
    assert (claude.supports_json_schema_output, claude.supports_json_object_output) == (True, False)
    assert gpt.supports_json_schema_output and gpt.supports_tools
    assert (llama.supports_tools, llama.default_structured_output_mode) == (False, "prompted")
    for profile in (claude, gpt, llama):
        assert profile.extra["openai_chat"]["supports_strict"] is False

    def get_weather(city: str) -> str:
        return "sunny"

    agent = Agent(OpenAIChatModel("llama3.3-70b", provider=provider), tools=[get_weather])
    with pytest.raises(UserError, match="cannot call tools"):
        agent.run_sync("Weather in Paris?")


def test_github_bare_names_are_openai_models() -> None:
    provider = infer_provider("github", api_key="k")
    assert provider.model_profile("gpt-4o-mini").supports_json_schema_output  # type: ignore[union-attr]
    assert not provider.model_profile("meta/Llama-4-Scout-17B-16E-Instruct").supports_json_schema_output  # type: ignore[union-attr]


def test_moonshot_zai_crusoe_profiles() -> None:
    for name, model in (("moonshotai", "kimi-k2-0711-preview"), ("zai", "glm-4.6")):
        profile = infer_provider(name, api_key="k").model_profile(model)
        assert profile is not None and profile.supports_json_object_output
        assert profile.extra["openai_chat"]["reasoning_fields"] == ("reasoning_content",)
    crusoe = infer_provider("crusoe", api_key="k").model_profile("meta-llama/Llama-3.3-70B-Instruct")
    assert crusoe is not None and crusoe.supports_json_schema_output and crusoe.supports_json_object_output


def test_azure_foundry_models_get_their_family_and_deployments_stay_openai() -> None:
    from wireai.providers.azure import AzureProvider

    provider = AzureProvider(azure_endpoint="https://r.services.ai.azure.com", api_key="k")
    assert provider.model_profile("DeepSeek-R1").extra["openai_chat"] == {"think_tags": True}  # type: ignore[union-attr]
    assert provider.model_profile("my-gpt4o-deployment").supports_json_schema_output  # type: ignore[union-attr]


def test_openrouter_and_ollama_use_the_families_too() -> None:
    router = infer_provider("openrouter", api_key="k").model_profile("qwen/qwen3-32b")
    assert (
        router is not None
        and router.json_schema_transformer is not None
        and router.supports_json_schema_output
    )
    assert router.extra["openai_chat"]["reasoning_fields"] == ("reasoning",)
    ollama = infer_provider("ollama").model_profile("qwen3:8b")
    assert ollama is not None and ollama.json_schema_transformer is not None


# ------------------------------------------------------------------------------------------ xAI


def test_xai_model_and_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UserError, match="XAI_API_KEY"):
        XaiModel("grok-4")
    monkeypatch.setenv("XAI_API_KEY", "xai-env")
    model = XaiModel("grok-4")
    assert isinstance(model, OpenAIChatModel) and type(model.provider) is XaiProvider
    assert (model.system, model.base_url) == ("xai", "https://api.x.ai/v1")
    assert isinstance(infer_model("xai:grok-4"), XaiModel)
    assert XaiModel("grok-4", provider=XaiProvider(api_key="k")).provider.headers == {
        "authorization": "Bearer k"
    }
    profile = model.profile
    assert profile.supports_json_schema_output and profile.extra["openai_chat"]["reasoning_fields"] == (
        "reasoning_content",
    )


def test_grok_provider_keeps_its_v1_name_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROK_API_KEY", "grok-env")
    model = infer_model("grok:grok-3")
    assert type(model.provider) is GrokProvider and model.system == "grok"  # type: ignore[attr-defined]
    assert isinstance(model.provider, XaiProvider)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------ OpenAI names


def test_openai_prefixes_mean_chat_completions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk")
    assert type(infer_model("openai:gpt-4o")) is OpenAIChatModel
    assert type(infer_model("openai-chat:gpt-4o")) is OpenAIChatModel
    assert OpenAIChatModelSettings is OpenAIModelSettings
    settings: OpenAIChatModelSettings = {"openai_reasoning_effort": "low"}
    assert settings["openai_reasoning_effort"] == "low"


# ------------------------------------------------------------------------------------------ Google


def test_google_provider_gemini_api(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UserError, match="GOOGLE_API_KEY"):
        GoogleProvider()
    monkeypatch.setenv("GEMINI_API_KEY", "gem")
    assert GoogleProvider().headers == {"x-goog-api-key": "gem"}
    monkeypatch.setenv("GOOGLE_API_KEY", "goo-secret")  # V2 reads GOOGLE_API_KEY first
    provider = GoogleProvider()
    assert (provider.name, provider.base_url) == (
        "google-gla",
        "https://generativelanguage.googleapis.com/v1beta",
    )
    assert provider.headers == {"x-goog-api-key": "goo-secret"} and provider.auth is None
    assert "goo-secret" not in repr(provider)
    model = GoogleModel("gemini-2.5-flash", provider=GoogleProvider(api_key="k"))
    assert model.system == "google-gla" and model.profile.supports_json_schema_output


def test_google_provider_vertex(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = GoogleProvider(project="my-proj", location="europe-west4")  # project/location imply Vertex AI
    assert provider.name == "google-vertex" and provider.auth is not None and provider.headers == {}
    assert provider.base_url == (
        "https://europe-west4-aiplatform.googleapis.com/v1/projects/my-proj/locations/europe-west4/publishers/google"
    )
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "env-proj")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "global")
    assert GoogleProvider(vertexai=True).base_url == (
        "https://aiplatform.googleapis.com/v1/projects/env-proj/locations/global/publishers/google"
    )
    monkeypatch.delenv("GOOGLE_CLOUD_LOCATION")
    assert "/locations/us-central1/" in GoogleProvider(vertexai=True).base_url


def test_google_provider_vertex_express_mode_and_conflicts() -> None:
    express = GoogleProvider(vertexai=True, api_key="vk")
    assert express.name == "google-vertex"
    assert express.base_url == "https://aiplatform.googleapis.com/v1/publishers/google"
    assert express.headers == {"x-goog-api-key": "vk"}
    with pytest.raises(UserError, match="not both"):
        GoogleProvider(api_key="k", project="p")
    with pytest.raises(UserError, match="vertexai=True"):
        GoogleProvider(vertexai=False, location="us-east1")


@pytest.mark.parametrize(
    ("provider_kwargs", "url", "header"),
    [
        (
            {"api_key": "gk"},
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
            ("x-goog-api-key", "gk"),
        ),
        (
            {"vertexai": True, "api_key": "vk"},
            "https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-2.5-flash:generateContent",
            ("x-goog-api-key", "vk"),
        ),
    ],
    ids=["gemini-api", "vertex-express"],
)
def test_google_model_with_google_provider_over_loopback(
    provider_kwargs: dict[str, object], url: str, header: tuple[str, str]
) -> None:
    answer = {
        "candidates": [{"content": {"role": "model", "parts": [{"text": "Paris."}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 6, "candidatesTokenCount": 2, "totalTokenCount": 8},
        "modelVersion": "gemini-2.5-flash",
    }

    async def run(transport: ToLoopback) -> str:
        async with httpx.AsyncClient(transport=transport) as client:
            provider = GoogleProvider(http_client=client, **provider_kwargs)  # type: ignore[arg-type]
            model: GeminiModel = GoogleModel("gemini-2.5-flash", provider=provider)
            response = await model.request(
                [ModelRequest([UserPromptPart("Capital of France?")])], None, ModelRequestParameters()
            )
            return response.text

    with LoopbackServer(lambda request: Reply.json(answer)) as server:
        transport = ToLoopback(server.url)
        assert asyncio.run(run(transport)) == "Paris."
    assert transport.urls == [url]
    request = server.requests[0]
    assert request.headers[header[0]] == header[1]
    assert request.json()["contents"] == [{"role": "user", "parts": [{"text": "Capital of France?"}]}]


def test_google_provider_is_a_provider() -> None:
    assert isinstance(GoogleProvider(api_key="k"), Provider)
