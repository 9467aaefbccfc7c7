"""CohereModel / CohereProvider as users construct them (the seed's examples), and an Agent run over loopback."""

from __future__ import annotations

import pytest

import wireai
from wireai.exceptions import UserError
from wireai.models import infer_model
from wireai.models.cohere import CohereModel
from wireai.providers import infer_provider
from wireai.providers.cohere import CohereProvider
from wireai.testing.server import LoopbackServer, Reply


def chat(message: dict, finish: str = "COMPLETE") -> Reply:
    return Reply.json(
        {
            "id": "r1",
            "finish_reason": finish,
            "message": {"role": "assistant", **message},
            "usage": {
                "billed_units": {"input_tokens": 5, "output_tokens": 3},
                "tokens": {"input_tokens": 50, "output_tokens": 3},
            },
        }
    )


def test_seed_constructors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CO_API_KEY", "env-key")
    monkeypatch.delenv("CO_BASE_URL", raising=False)
    model = CohereModel("command")
    assert model.system == "cohere"
    assert model.base_url == "https://api.cohere.com"
    assert model.provider.headers == {"authorization": "Bearer env-key"}
    assert CohereModel("command", api_key="your-api-key").provider.headers == {
        "authorization": "Bearer your-api-key"
    }
    inferred = infer_model("cohere:command-r-plus")
    assert isinstance(inferred, CohereModel) and inferred.model_name == "command-r-plus"
    assert isinstance(infer_provider("cohere"), CohereProvider)
    monkeypatch.setenv("CO_BASE_URL", "http://127.0.0.1:9/")
    assert CohereProvider().base_url == "http://127.0.0.1:9"


def test_missing_key_names_the_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CO_API_KEY", raising=False)
    monkeypatch.delenv("COHERE_API_KEY", raising=False)
    with pytest.raises(UserError, match="CO_API_KEY"):
        CohereModel("command")


def test_agent_with_a_tool_then_text_over_loopback() -> None:
    replies = [
        chat(
            {
                "tool_plan": "I will look it up.",
                "tool_calls": [
                    {
                        "id": "t1",
                        "type": "function",
                        "function": {"name": "get_country", "arguments": '{"city":"Tokyo"}'},
                    }
                ],
            },
            "TOOL_CALL",
        ),
        chat({"content": [{"type": "text", "text": "Tokyo is in Japan."}]}),
    ]
    with LoopbackServer(lambda r: replies.pop(0)) as server:
        agent = wireai.Agent(CohereModel("command", api_key="k", base_url=server.url))

        @agent.tool_plain
        def get_country(city: str) -> dict[str, str]:
            return {"country": "Japan"}

        result = agent.run_sync("Where is Tokyo?")
        assert result.output == "Tokyo is in Japan."
        second = server.requests[1].json()
    assert server.requests[0].path == "/v2/chat"
    assert second["messages"][1]["tool_plan"] == "I will look it up."
    assert second["messages"][2] == {
        "role": "tool",
        "tool_call_id": "t1",
        "content": [{"type": "document", "document": {"data": {"country": "Japan"}}}],
    }
