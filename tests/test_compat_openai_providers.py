"""The seed's OpenAI, Azure, Ollama, OpenRouter, Grok, Perplexity and DeepSeek examples, unchanged but for
the base URL, against a loopback server; and each OpenAI-compatible provider's URL, auth and quirks."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from httpx import AsyncClient
from pydantic import BaseModel

from support import assert_protocol_valid, assert_spec_valid
from wireai import Agent
from wireai.exceptions import UserError
from wireai.messages import ModelRequest, UserPromptPart
from wireai.models import ModelRequestParameters, infer_model
from wireai.models.openai import OpenAIChatModel, OpenAIModel, OpenAIResponsesModel
from wireai.providers.azure import AzureProvider
from wireai.providers.deepseek import DeepSeekProvider
from wireai.providers.grok import GrokProvider
from wireai.providers.ollama import OllamaProvider
from wireai.providers.openai import OpenAIProvider
from wireai.providers.openrouter import OpenRouterProvider
from wireai.providers.perplexity import PerplexityProvider
from wireai.testing.server import LoopbackServer, RecordedRequest, Reply

ENV_VARS = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "OPENAI_API_VERSION",
    "OLLAMA_BASE_URL",
    "OPENROUTER_APP_URL",
    "OPENROUTER_APP_TITLE",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)


def completion(message: dict[str, Any], usage: dict[str, int] | None = None, **extra: Any) -> Reply:
    return Reply.json(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1735689600,
            "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": "stop"}],
            "usage": usage or {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
            **extra,
        }
    )


def text_server() -> LoopbackServer:
    return LoopbackServer(lambda request: completion({"content": "Paris"}))


class CityLocation(BaseModel):
    city: str
    country: str


def test_seed_openai_model_by_name_and_with_provider_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    model = OpenAIModel("gpt-4o")
    assert model.base_url == "https://api.openai.com/v1"
    assert model.provider.headers == {"authorization": "Bearer sk-env"}
    assert isinstance(infer_model("openai:gpt-4o"), OpenAIChatModel)
    assert isinstance(infer_model("openai-responses:gpt-4o"), OpenAIResponsesModel)
    model = OpenAIModel("gpt-4o", provider=OpenAIProvider(api_key="your-api-key"))
    assert model.provider.headers["authorization"] == "Bearer your-api-key"
    assert "your-api-key" not in repr(model.provider)
    assert OpenAIModel("gpt-4o", api_key="not-valid").provider.headers["authorization"] == "Bearer not-valid"


def test_missing_openai_key_names_the_env_var() -> None:
    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        OpenAIModel("gpt-4o")


def test_organization_project_headers_and_openai_base_url_env(monkeypatch: pytest.MonkeyPatch) -> None:
    with text_server() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        provider = OpenAIProvider(api_key="sk", organization="org-1", project="proj-1")
        result = Agent(OpenAIModel("gpt-4o", provider=provider)).run_sync("hi")
    assert result.output == "Paris"
    headers = server.requests[0].headers
    assert (headers["authorization"], headers["openai-organization"], headers["openai-project"]) == (
        "Bearer sk",
        "org-1",
        "proj-1",
    )


class FakeAsyncOpenAI:
    """Looks like `openai.AsyncOpenAI` to the provider: only the attributes it reads."""

    def __init__(
        self, base_url: str, api_key: str, organization: str | None = None, project: str | None = None
    ):
        self.base_url = base_url
        self.api_key = api_key
        self.organization = organization
        self.project = project


class FakeAsyncAzureOpenAI:
    """Looks like `openai.AsyncAzureOpenAI`: base_url `{endpoint}/openai/`, private api version and endpoint."""

    def __init__(self, azure_endpoint: str, api_version: str, api_key: str):
        self.base_url = azure_endpoint + "/openai/"
        self.api_key = api_key
        self._api_version = api_version
        self._azure_endpoint = azure_endpoint
        self.organization = None
        self.project = None


def test_openai_client_duck_typed() -> None:
    with text_server() as server:
        client = FakeAsyncOpenAI(server.url + "/v1", "sk-client", organization="org-c", project="proj-c")
        result = Agent(OpenAIModel("gpt-4o", provider=OpenAIProvider(openai_client=client))).run_sync("hi")
    assert result.output == "Paris"
    request = server.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-client"
    assert request.headers["openai-organization"] == "org-c" and request.headers["openai-project"] == "proj-c"


def test_seed_async_azure_openai_client_uses_deployment_url_and_api_key_header() -> None:
    with text_server() as server:
        client = FakeAsyncAzureOpenAI(
            azure_endpoint=server.url, api_version="2024-07-01-preview", api_key="your-api-key"
        )
        model = OpenAIModel("gpt-4o", provider=OpenAIProvider(openai_client=client))
        result = Agent(model).run_sync("hi")
    assert result.output == "Paris"
    request = server.requests[0]
    assert request.path == "/openai/deployments/gpt-4o/chat/completions?api-version=2024-07-01-preview"
    assert request.headers["api-key"] == "your-api-key" and "authorization" not in request.headers
    assert "model" not in request.json()
    assert_protocol_valid("openai_chat", request.json())
    assert_spec_valid("azure", request.json())


def test_azure_provider_deployments_form(monkeypatch: pytest.MonkeyPatch) -> None:
    with text_server() as server:
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", server.url)
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", "az-key")
        monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
        model = infer_model("azure:my-gpt4o-deployment")
        response = asyncio.run(
            model.request(
                [ModelRequest([UserPromptPart("hi")])], {"temperature": 0.5}, ModelRequestParameters()
            )
        )
    assert response.text == "Paris"
    request = server.requests[0]
    assert request.path == "/openai/deployments/my-gpt4o-deployment/chat/completions?api-version=2024-10-21"
    assert request.headers["api-key"] == "az-key"
    assert request.json() == {"messages": [{"role": "user", "content": "hi"}], "temperature": 0.5}
    assert_spec_valid("azure", request.json())


def test_azure_provider_v1_form_keeps_model_in_body() -> None:
    with text_server() as server:
        provider = AzureProvider(azure_endpoint=server.url, api_version="v1", api_key="az-key")
        asyncio.run(
            OpenAIModel("gpt-4o", provider=provider).request(
                [ModelRequest([UserPromptPart("hi")])], None, ModelRequestParameters()
            )
        )
    request = server.requests[0]
    assert request.path == "/openai/v1/chat/completions"
    assert request.json()["model"] == "gpt-4o"
    assert request.headers["api-key"] == "az-key"
    assert_spec_valid("openai", request.json())


def test_azure_missing_endpoint_names_env_var() -> None:
    with pytest.raises(UserError, match="AZURE_OPENAI_ENDPOINT"):
        AzureProvider(api_key="k")


def test_seed_ollama_city_location_structured_output() -> None:
    def handler(request: RecordedRequest) -> Reply:
        body = request.json()
        assert body["tool_choice"] == "required" and body["tools"][0]["function"]["name"] == "final_result"
        call = {
            "id": "call_1",
            "type": "function",
            "function": {"name": "final_result", "arguments": '{"city":"London","country":"United Kingdom"}'},
        }
        return completion(
            {"content": "", "tool_calls": [call]},
            {"prompt_tokens": 57, "completion_tokens": 8, "total_tokens": 65},
        )

    with LoopbackServer(handler) as server:
        ollama_model = OpenAIModel(
            model_name="llama3.2", provider=OpenAIProvider(base_url=server.url + "/v1")
        )
        agent = Agent(ollama_model, result_type=CityLocation)
        result = agent.run_sync("Where were the olympics held in 2012?")
    assert repr(result.data) == "CityLocation(city='London', country='United Kingdom')"
    assert (
        repr(result.usage())
        == "Usage(requests=1, request_tokens=57, response_tokens=8, total_tokens=65, details=None)"
    )
    assert "authorization" not in server.requests[0].headers
    assert_protocol_valid("openai_chat", server.requests[0].json())
    assert_spec_valid("openai", server.requests[0].json())


@pytest.mark.parametrize(
    ("model_name", "path"),
    [
        ("anthropic/claude-3.5-sonnet", "/api/v1"),
        ("grok-2-1212", "/v1"),
        ("sonar-pro", ""),
        ("model_name", "/x"),
    ],
)
def test_seed_compatible_hosts_via_openai_provider(model_name: str, path: str) -> None:
    with text_server() as server:
        model = OpenAIModel(
            model_name, provider=OpenAIProvider(base_url=server.url + path, api_key="your-api-key")
        )
        result = Agent(model).run_sync("hi")
    assert result.output == "Paris"
    assert server.requests[0].path == path + "/chat/completions"
    assert server.requests[0].json()["model"] == model_name


def test_seed_deepseek_provider_with_custom_http_client() -> None:
    with text_server() as server:
        custom_http_client = AsyncClient(timeout=30)
        provider = DeepSeekProvider(
            api_key="your-deepseek-api-key", http_client=custom_http_client, base_url=server.url
        )
        assert provider.client is custom_http_client
        result = Agent(OpenAIModel("deepseek-chat", provider=provider)).run_sync("hi")
    assert result.output == "Paris"
    assert server.requests[0].path == "/chat/completions"
    assert server.requests[0].headers["authorization"] == "Bearer your-deepseek-api-key"


@pytest.mark.parametrize(
    ("name", "cls", "env", "base"),
    [
        ("deepseek:deepseek-chat", DeepSeekProvider, "DEEPSEEK_API_KEY", "https://api.deepseek.com"),
        (
            "openrouter:anthropic/claude-3.5-sonnet",
            OpenRouterProvider,
            "OPENROUTER_API_KEY",
            "https://openrouter.ai/api/v1",
        ),
        ("grok:grok-3", GrokProvider, "XAI_API_KEY", "https://api.x.ai/v1"),
        ("perplexity:sonar", PerplexityProvider, "PERPLEXITY_API_KEY", "https://api.perplexity.ai"),
        ("ollama:llama3.2", OllamaProvider, None, "http://localhost:11434/v1"),
    ],
)
def test_model_strings_resolve_to_their_provider(
    monkeypatch: pytest.MonkeyPatch, name: str, cls: type, env: str | None, base: str
) -> None:
    if env:
        monkeypatch.delenv(env, raising=False)
        with pytest.raises(UserError, match=env):
            infer_model(name)
        monkeypatch.setenv(env, "key-from-env")
    model = infer_model(name)
    assert isinstance(model, OpenAIChatModel)
    assert isinstance(model.provider, cls)
    assert model.base_url == base
    assert model.provider.headers.get("authorization") == ("Bearer key-from-env" if env else None)


def test_openrouter_app_headers_and_reasoning_field() -> None:
    with LoopbackServer(lambda r: completion({"content": "4", "reasoning": "2+2=4"})) as server:
        provider = OpenRouterProvider(
            api_key="or-key", app_url="https://myapp.example", app_title="My App", base_url=server.url
        )
        response = asyncio.run(
            OpenAIModel("openai/o3", provider=provider).request(
                [ModelRequest([UserPromptPart("2+2")])], None, ModelRequestParameters()
            )
        )
    headers = server.requests[0].headers
    assert headers["http-referer"] == "https://myapp.example" and headers["x-title"] == "My App"
    assert [p.part_kind for p in response.parts] == ["thinking", "text"]


def test_perplexity_citations_kept_in_provider_details() -> None:
    citations = ["https://en.wikipedia.org/wiki/2012_Summer_Olympics"]
    results = [{"title": "2012 Summer Olympics", "url": citations[0]}]
    with LoopbackServer(
        lambda r: completion({"content": "London [1]."}, citations=citations, search_results=results)
    ) as server:
        provider = PerplexityProvider(api_key="pplx", base_url=server.url)
        response = asyncio.run(
            OpenAIModel("sonar-pro", provider=provider).request(
                [ModelRequest([UserPromptPart("q")])], None, ModelRequestParameters()
            )
        )
    assert response.provider_details == {
        "citations": citations,
        "search_results": results,
        "finish_reason": "stop",
    }


def test_ollama_base_url_env_and_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_BASE_URL", "http://gpu-box:11434/v1")
    provider = OllamaProvider()
    assert provider.base_url == "http://gpu-box:11434/v1" and provider.headers == {}


def test_perplexity_stream_keeps_citations_and_sends_no_stream_options() -> None:
    citations = ["https://en.wikipedia.org/wiki/2012_Summer_Olympics"]
    base = {"id": "pplx-1", "object": "chat.completion.chunk", "created": 1735689600, "model": "sonar-pro"}

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        body = {**base, **extra, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return f"data: {json.dumps(body)}\n\n".encode()

    usage = {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9}
    chunks: list[bytes | float] = [
        chunk({"role": "assistant", "content": "London "}, citations=citations),
        chunk({"content": "[1]."}, citations=citations),
        chunk({"content": ""}, "stop", citations=citations, usage=usage),
        b"data: [DONE]\n\n",
    ]

    async def run(model: OpenAIModel) -> Any:
        messages = [ModelRequest([UserPromptPart("q")])]
        async with model.request_stream(messages, None, ModelRequestParameters()) as response:
            async for _ in response:
                pass
        return response.get()

    reply = Reply(200, {"content-type": "text/event-stream"}, chunks=chunks)
    with LoopbackServer(lambda r: reply) as server:
        provider = PerplexityProvider(api_key="pplx", base_url=server.url)
        response = asyncio.run(run(OpenAIModel("sonar-pro", provider=provider)))
    body = server.requests[0].json()
    assert body == {"model": "sonar-pro", "messages": [{"role": "user", "content": "q"}], "stream": True}
    assert_protocol_valid("openai_chat", body)
    assert response.text == "London [1]."
    assert response.provider_details == {"citations": citations, "finish_reason": "stop"}
    assert (response.usage.input_tokens, response.usage.output_tokens) == (5, 4)
    assert response.finish_reason == "stop"


def test_openrouter_app_headers_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_APP_URL", "https://env.example")
    monkeypatch.setenv("OPENROUTER_APP_TITLE", "Env App")
    assert OpenRouterProvider(api_key="k").headers == {
        "authorization": "Bearer k",
        "http-referer": "https://env.example",
        "x-title": "Env App",
    }
    monkeypatch.delenv("OPENROUTER_APP_URL")
    monkeypatch.delenv("OPENROUTER_APP_TITLE")
    assert OpenRouterProvider(api_key="k").headers == {"authorization": "Bearer k"}
