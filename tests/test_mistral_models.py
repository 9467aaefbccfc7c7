"""MistralModel / MistralProvider as users construct them (the seed's examples), and an Agent run over loopback."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from pydantic import BaseModel

import wireai
from wireai.exceptions import UserError
from wireai.messages import ModelRequest, UserPromptPart
from wireai.models import ModelRequestParameters, infer_model
from wireai.models.mistral import MistralModel
from wireai.providers import infer_provider
from wireai.providers.mistral import MistralProvider
from wireai.testing.server import LoopbackServer, Reply


def completion(message: dict, finish: str = "stop") -> Reply:
    return Reply.json(
        {
            "id": "cmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": "mistral-small-latest",
            "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
        }
    )


def test_seed_constructors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", "env-key")
    model = MistralModel("mistral-small-latest")
    assert model.model_name == "mistral-small-latest"
    assert model.system == "mistral"
    assert model.base_url == "https://api.mistral.ai"
    assert model.provider.headers == {"authorization": "Bearer env-key"}
    keyed = MistralModel("mistral-small-latest", api_key="your-api-key")
    assert keyed.provider.headers == {"authorization": "Bearer your-api-key"}
    assert "your-api-key" not in repr(keyed.provider)
    inferred = infer_model("mistral:mistral-large-latest")
    assert isinstance(inferred, MistralModel) and inferred.model_name == "mistral-large-latest"
    assert isinstance(infer_provider("mistral"), MistralProvider)
    assert MistralModel("m", api_key=lambda: "rotating").provider.headers == {
        "authorization": "Bearer rotating"
    }
    assert (
        MistralModel(
            "m", api_key="k", json_mode_schema_prompt="JSON: {schema}"
        ).profile.prompted_output_template
        == "JSON: {schema}"
    )
    assert MistralModel("m", api_key="k").profile.supports_json_schema_output


def test_missing_key_names_the_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MISTRAL_API_KEY", raising=False)
    with pytest.raises(UserError, match="MISTRAL_API_KEY"):
        MistralModel("mistral-small-latest")
    with pytest.raises(UserError, match="mistralai SDK"):
        MistralProvider(api_key="k", mistral_client=object())


def test_import_wireai_does_not_import_mistral_modules() -> None:
    import subprocess
    import sys

    code = "import sys, wireai; print([m for m in sys.modules if 'mistral' in m or 'cohere' in m])"
    assert (
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        == "[]"
    )


def test_http_client_and_base_url_are_used_with_extra_body_and_headers() -> None:
    with LoopbackServer(lambda r: completion({"content": "ok"})) as server:

        async def main() -> str | None:
            async with httpx.AsyncClient() as client:
                model = MistralModel(
                    "mistral-small-latest", api_key="k", base_url=server.url, http_client=client
                )
                settings = {"extra_body": {"n": 1}, "extra_headers": {"x-trace": "t1"}}
                response = await model.request(
                    [ModelRequest([UserPromptPart("hi")])], settings, ModelRequestParameters()
                )
                return response.text

        assert asyncio.run(main()) == "ok"
        [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer k"
    assert request.headers["x-trace"] == "t1"
    assert request.json()["n"] == 1


class City(BaseModel):
    city: str
    country: str


def test_agent_with_a_tool_then_structured_output_over_loopback() -> None:
    replies = [
        completion(
            {
                "content": "",
                "tool_calls": [
                    {"id": "abcDEF123", "function": {"name": "get_country", "arguments": '{"city": "Tokyo"}'}}
                ],
            },
            "tool_calls",
        ),
        completion(
            {
                "content": "",
                "tool_calls": [
                    {
                        "id": "ghiJKL456",
                        "function": {
                            "name": "final_result",
                            "arguments": '{"city": "Tokyo", "country": "Japan"}',
                        },
                    }
                ],
            },
            "tool_calls",
        ),
    ]
    with LoopbackServer(lambda r: replies.pop(0)) as server:
        agent = wireai.Agent(
            MistralModel("mistral-small-latest", api_key="k", base_url=server.url), output_type=City
        )

        @agent.tool_plain
        def get_country(city: str) -> str:
            return "Japan"

        result = agent.run_sync("Largest city in Japan?")
        assert result.output == City(city="Tokyo", country="Japan")
        second = server.requests[1].json()
    assert second["tool_choice"] == "any"
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "abcDEF123",
        "name": "get_country",
        "content": "Japan",
    }
    assert json.loads(second["messages"][-2]["tool_calls"][0]["function"]["arguments"]) == {"city": "Tokyo"}
