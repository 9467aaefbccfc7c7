"""AnthropicModel / AnthropicProvider construction as PydanticAI users write it, and lazy resolution."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import httpx
import pytest

from wireai.exceptions import UserError
from wireai.messages import ModelRequest, UserPromptPart
from wireai.models import ModelRequestParameters, infer_model
from wireai.models.anthropic import AnthropicModel, anthropic_model_profile
from wireai.providers import infer_provider
from wireai.providers.anthropic import AnthropicProvider
from wireai.testing.server import LoopbackServer, Reply

OK = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-3-5-sonnet-20241022",
    "content": [{"type": "text", "text": "hi"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 1},
}


def test_missing_key_names_the_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(UserError, match="ANTHROPIC_API_KEY"):
        AnthropicModel("claude-3-5-sonnet-latest")


def test_env_key_and_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "env-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://gateway.example/anthropic/")
    provider = AnthropicProvider()
    assert provider.base_url == "https://gateway.example/anthropic"
    # Who we are only: the API version is the codec's (it says what the body speaks).
    assert provider.headers == {"x-api-key": "env-key"}
    assert "env-key" not in repr(provider)


def test_agent_style_names_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    for name in ("anthropic:claude-3-5-sonnet-latest", "claude-3-5-sonnet-latest"):
        model = infer_model(name)
        assert isinstance(model, AnthropicModel)
        assert (model.model_name, model.system, model.base_url) == (
            "claude-3-5-sonnet-latest",
            "anthropic",
            "https://api.anthropic.com",
        )
    assert isinstance(infer_provider("anthropic"), AnthropicProvider)


def test_constructor_spellings() -> None:
    client = httpx.AsyncClient()
    a = AnthropicModel("claude-3-5-sonnet-latest", api_key="your-api-key")
    b = AnthropicModel(
        "claude-3-5-sonnet-latest", provider=AnthropicProvider(api_key="k", http_client=client)
    )
    c = AnthropicModel(
        "claude-3-5-sonnet-latest",
        api_key="k",
        base_url="http://127.0.0.1:1",
        http_client=client,
        settings={"max_tokens": 5},
    )
    assert a.provider.headers["x-api-key"] == "your-api-key"
    assert b.provider.client is client and c.provider.client is client
    assert c.base_url == "http://127.0.0.1:1" and c.settings == {"max_tokens": 5}
    with pytest.raises(UserError):
        AnthropicModel("claude-3-5-sonnet-latest", provider=AnthropicProvider(api_key="k"), api_key="other")


def test_profiles() -> None:
    assert not anthropic_model_profile("claude-3-5-sonnet-latest").supports_json_schema_output
    assert anthropic_model_profile("claude-sonnet-4-5").supports_json_schema_output
    assert anthropic_model_profile("claude-opus-4-1-20250805").supports_json_schema_output
    assert not anthropic_model_profile("claude-sonnet-4-0").supports_json_schema_output
    assert anthropic_model_profile("claude-opus-4-6").extra["adaptive_thinking"]


def test_user_http_client_and_model_settings_reach_the_wire() -> None:
    with LoopbackServer(lambda request: Reply.json(OK)) as server:

        async def main() -> str | None:
            async with httpx.AsyncClient(headers={"x-custom": "1"}) as client:
                model = AnthropicModel(
                    "claude-3-5-sonnet-latest",
                    api_key="k",
                    base_url=server.url,
                    http_client=client,
                    settings={"max_tokens": 7},
                )
                response = await model.request(
                    [ModelRequest([UserPromptPart("hi")])], {"temperature": 0.1}, ModelRequestParameters()
                )
                return response.text

        assert asyncio.run(main()) == "hi"
    [request] = server.requests
    assert request.path == "/v1/messages"
    assert request.headers["x-custom"] == "1" and request.headers["x-api-key"] == "k"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.json()["max_tokens"] == 7 and request.json()["temperature"] == 0.1


def test_import_wireai_does_not_import_anthropic_modules() -> None:
    code = "import sys, wireai; print(any('anthropic' in m for m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"
