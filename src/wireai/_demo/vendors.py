"""The demo's rows: each vendor protocol and host, built the way a user builds it, pointed at loopback.

Every row constructs the real model class with the real provider, changing only the base URL and
using a placeholder key, so the request goes through the same codec, auth and transport code a
production call would. Vertex gets a static-token credentials object (no google-auth, no I/O) and
Bedrock a Bedrock API key (bearer auth, no botocore), so both run from a wheel with no extras.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..models import Model

__all__ = ["DEMO_KEY", "VENDORS", "DemoVendor", "StaticGoogleCredentials", "vendor"]

DEMO_KEY = "demo-key"


@dataclass
class StaticGoogleCredentials:
    """Duck-types `google.auth.credentials.Credentials` with a token that never expires.

    `GoogleAuth` only reads `token` and `valid` (and refreshes when not valid), so this needs
    neither google-auth nor a token endpoint.
    """

    token: str = "demo-vertex-token"
    valid: bool = True
    project_id: str = "demo-project"

    def refresh(self, request: Any) -> None:  # pragma: no cover - `valid` is always true
        pass


@dataclass(frozen=True)
class DemoVendor:
    key: str  # also the fixture file name: fixtures/demo/<key>.json
    label: str
    protocol: str  # the codec module under wireai.codecs
    model_name: str
    build: Callable[[str], Model]  # loopback base URL -> the model
    tool_call_ids: tuple[str, str] = ("call_demo_weather", "call_demo_output")
    auth_header: str = "authorization"

    def model(self, url: str) -> Model:
        return self.build(url)


def _openai(url: str) -> Model:
    from ..models.openai import OpenAIModel
    from ..providers.openai import OpenAIProvider

    return OpenAIModel("gpt-4o", provider=OpenAIProvider(base_url=f"{url}/v1", api_key=DEMO_KEY))


def _openai_responses(url: str) -> Model:
    from ..models.openai import OpenAIResponsesModel
    from ..providers.openai import OpenAIProvider

    return OpenAIResponsesModel("gpt-4o", provider=OpenAIProvider(base_url=f"{url}/v1", api_key=DEMO_KEY))


def _azure(url: str) -> Model:
    from ..models.openai import OpenAIModel
    from ..providers.azure import AzureProvider

    provider = AzureProvider(azure_endpoint=url, api_version="2024-10-21", api_key=DEMO_KEY)
    return OpenAIModel("gpt-4o", provider=provider)


def _anthropic(url: str) -> Model:
    from ..models.anthropic import AnthropicModel
    from ..providers.anthropic import AnthropicProvider

    return AnthropicModel(
        "claude-3-5-sonnet-latest", provider=AnthropicProvider(api_key=DEMO_KEY, base_url=url)
    )


def _gemini(url: str) -> Model:
    from ..models.gemini import GeminiModel
    from ..providers.google_gla import GoogleGLAProvider

    return GeminiModel(
        "gemini-2.0-flash", provider=GoogleGLAProvider(api_key=DEMO_KEY, base_url=f"{url}/v1beta")
    )


def _vertex(url: str) -> Model:
    from ..models.gemini import GeminiModel
    from ..providers.google_vertex import GoogleVertexProvider

    path = "/v1/projects/demo-project/locations/us-central1/publishers/google"
    provider = GoogleVertexProvider(
        project_id="demo-project",
        region="us-central1",
        credentials=StaticGoogleCredentials(),
        base_url=url + path,
    )
    return GeminiModel("gemini-2.0-flash", provider=provider)


def _groq(url: str) -> Model:
    from ..models.groq import GroqModel
    from ..providers.groq import GroqProvider

    return GroqModel(
        "llama-3.3-70b-versatile", provider=GroqProvider(api_key=DEMO_KEY, base_url=f"{url}/openai/v1")
    )


def _mistral(url: str) -> Model:
    from ..models.mistral import MistralModel
    from ..providers.mistral import MistralProvider

    return MistralModel("mistral-large-latest", provider=MistralProvider(api_key=DEMO_KEY, base_url=url))


def _cohere(url: str) -> Model:
    from ..models.cohere import CohereModel
    from ..providers.cohere import CohereProvider

    return CohereModel("command-r-plus", provider=CohereProvider(api_key=DEMO_KEY, base_url=url))


def _bedrock(url: str) -> Model:
    from ..models.bedrock import BedrockConverseModel
    from ..providers.bedrock import BedrockProvider

    provider = BedrockProvider(api_key=DEMO_KEY, region_name="us-east-1", base_url=url)
    return BedrockConverseModel("anthropic.claude-3-5-sonnet-20241022-v2:0", provider=provider)


def _compatible(
    provider_module: str, provider_class: str, model_name: str, path: str
) -> Callable[[str], Model]:
    """An OpenAI-compatible host: `OpenAIModel(name, provider=<Host>Provider(...))`, as PydanticAI documents it."""

    def build(url: str) -> Model:
        import importlib

        from ..models.openai import OpenAIModel

        cls = getattr(importlib.import_module(f"wireai.providers.{provider_module}"), provider_class)
        return OpenAIModel(model_name, provider=cls(api_key=DEMO_KEY, base_url=url + path))

    return build


_GEMINI_IDS = ("pyd_ai_demo_weather", "pyd_ai_demo_output")

VENDORS: list[DemoVendor] = [
    DemoVendor("openai", "OpenAI chat", "openai_chat", "gpt-4o", _openai),
    DemoVendor("openai_responses", "OpenAI Responses", "openai_responses", "gpt-4o", _openai_responses,
               ("call_demo_weather", "call_demo_output")),
    DemoVendor("azure", "Azure OpenAI", "openai_chat", "gpt-4o", _azure, auth_header="api-key"),
    DemoVendor("anthropic", "Anthropic", "anthropic", "claude-3-5-sonnet-latest", _anthropic,
               ("toolu_01DemoWeather", "toolu_01DemoOutput"), auth_header="x-api-key"),
    # Gemini sends no function-call ids; `pyd_ai_` ids are the ones wireai makes up, left off the wire.
    DemoVendor("gemini", "Gemini (GLA)", "gemini", "gemini-2.0-flash", _gemini, _GEMINI_IDS, "x-goog-api-key"),
    DemoVendor("vertex", "Vertex AI", "gemini", "gemini-2.0-flash", _vertex, _GEMINI_IDS),
    DemoVendor("groq", "Groq", "openai_chat", "llama-3.3-70b-versatile", _groq),
    DemoVendor("mistral", "Mistral", "mistral", "mistral-large-latest", _mistral, ("D3moW3thr", "D3moOutpt")),
    DemoVendor("cohere", "Cohere", "cohere", "command-r-plus", _cohere),
    DemoVendor("bedrock", "Bedrock", "bedrock", "anthropic.claude-3-5-sonnet-20241022-v2:0", _bedrock,
               ("tooluse_DemoWeather", "tooluse_DemoOutput")),
    DemoVendor("deepseek", "DeepSeek", "openai_chat", "deepseek-chat",
               _compatible("deepseek", "DeepSeekProvider", "deepseek-chat", "")),
    DemoVendor("openrouter", "OpenRouter", "openai_chat", "anthropic/claude-3.5-sonnet",
               _compatible("openrouter", "OpenRouterProvider", "anthropic/claude-3.5-sonnet", "/api/v1")),
    DemoVendor("grok", "Grok (xAI)", "openai_chat", "grok-3", _compatible("grok", "GrokProvider", "grok-3", "/v1")),
    DemoVendor("perplexity", "Perplexity", "openai_chat", "sonar",
               _compatible("perplexity", "PerplexityProvider", "sonar", "")),
    DemoVendor("ollama", "Ollama", "openai_chat", "llama3.2", _compatible("ollama", "OllamaProvider", "llama3.2", "/v1")),
]  # fmt: skip


def vendor(key: str) -> DemoVendor:
    for v in VENDORS:
        if v.key == key:
            return v
    raise KeyError(key)
