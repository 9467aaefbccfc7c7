"""TestModel and FunctionModel details, and `infer_model` name resolution."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from pydantic import BaseModel

from wireai import Agent, UserError
from wireai.messages import (
    ModelMessage,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    ThinkingPart,
    ThinkingPartDelta,
)
from wireai.models import KnownModelName, ModelRequestParameters, infer_model
from wireai.models.function import AgentInfo, DeltaThinkingCall, FunctionModel
from wireai.models.test import TestModel


class Answer(BaseModel):
    n: int
    label: str


def test_test_model_options() -> None:
    model = TestModel(call_tools=["a"], seed=3)
    agent = Agent(model, output_type=Answer)
    called: list[str] = []

    @agent.tool_plain
    def a(x: int) -> int:
        called.append("a")
        return x

    @agent.tool_plain
    def b() -> str:
        called.append("b")
        return "b"

    result = agent.run_sync("hi")
    assert called == ["a"]
    assert result.output == Answer(n=3, label="d")  # seeded data
    custom = Agent(TestModel(custom_result_args={"n": 7, "label": "x"}), output_type=Answer).run_sync("hi")
    assert custom.output == Answer(n=7, label="x")
    assert Agent(TestModel(custom_output_args=5), output_type=int).run_sync("hi").output == 5


async def test_function_model_streams_thinking_then_text() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> Any:
        yield {0: DeltaThinkingCall("Let me ")}
        yield {0: DeltaThinkingCall("think.", signature="sig")}
        yield "Done."

    model = FunctionModel(stream_function=stream)
    async with model.request_stream([], None, ModelRequestParameters()) as response:
        events = [e async for e in response]
    assert isinstance(events[0], PartStartEvent) and events[0].part == ThinkingPart("Let me ")
    assert isinstance(events[1], PartDeltaEvent) and events[1].delta == ThinkingPartDelta("think.", "sig")
    assert response.get().parts == [ThinkingPart("Let me think.", signature="sig"), TextPart("Done.")]
    assert response.usage().output_tokens > 0
    assert model.model_name == "function:stream"


def test_function_model_gets_agent_info_and_may_be_async() -> None:
    seen: list[AgentInfo] = []

    async def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append(info)
        return ModelResponse([TextPart("ok")])

    agent = Agent(FunctionModel(answer), model_settings={"temperature": 0.1})

    @agent.tool_plain
    def tool() -> None:
        return None

    assert agent.run_sync("hi", model_settings={"max_tokens": 5}).output == "ok"
    info = seen[0]
    assert (
        [t.name for t in info.function_tools] == ["tool"]
        and info.allow_text_output
        and info.output_tools == []
    )
    assert info.model_settings == {"temperature": 0.1, "max_tokens": 5}


def test_infer_model_names() -> None:
    assert isinstance(infer_model("test"), TestModel)
    with pytest.raises(UserError, match="write it as 'provider:model-name'"):
        infer_model("mystery-model")
    with pytest.raises(UserError, match="Unknown model provider 'nope'"):
        infer_model("nope:x")
    assert "openai:gpt-4o" in KnownModelName.__args__  # type: ignore[attr-defined]


def test_import_wireai_loads_no_vendor_module_or_sdk() -> None:
    import subprocess

    code = (
        "import sys, wireai; from wireai import Agent;"
        "bad = [m for m in sys.modules if m.startswith(('wireai.codecs.', 'wireai.models.', 'wireai.providers.',"
        " 'botocore', 'google', 'openai', 'anthropic', 'boto3', 'groq', 'mistralai', 'cohere', 'asyncio'))];"
        "print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_azure_deployments_before_2024_09_send_no_stream_options() -> None:
    from wireai.messages import ModelRequest, UserPromptPart
    from wireai.models.openai import OpenAIModel
    from wireai.providers.azure import AzureProvider

    def stream_body(api_version: str) -> dict[str, Any]:
        provider = AzureProvider(
            azure_endpoint="https://x.openai.azure.com", api_version=api_version, api_key="k"
        )
        model = OpenAIModel("gpt-4o", provider=provider)
        request = model.build_request(
            [ModelRequest([UserPromptPart("hi")])], None, ModelRequestParameters(), stream=True
        )
        return request.body

    assert "stream_options" not in stream_body("2024-07-01-preview")
    assert stream_body("2024-10-21")["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize(
    "name",
    ["openai", "azure", "deepseek", "openrouter", "grok", "perplexity", "ollama", "groq", "anthropic", "google-gla",
     "google-vertex", "mistral", "cohere", "bedrock"],
)  # fmt: skip
def test_every_provider_takes_max_retries(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from wireai.providers import infer_provider

    for var in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "DEEPSEEK_API_KEY", "OPENROUTER_API_KEY", "XAI_API_KEY",
                "PERPLEXITY_API_KEY", "GROQ_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "MISTRAL_API_KEY",
                "CO_API_KEY", "AWS_BEARER_TOKEN_BEDROCK"):  # fmt: skip
        monkeypatch.setenv(var, "k")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com")
    monkeypatch.setenv("OLLAMA_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    kwargs: dict[str, Any] = {"project_id": "p"} if name == "google-vertex" else {}
    provider = infer_provider(name, max_retries=0, **kwargs)
    assert provider.max_retries == 0 and provider.retry_policy.max_retries == 0
    assert infer_provider(name, **kwargs).max_retries == 2


@pytest.mark.parametrize("kind", ["chat", "embeddings"])
def test_a_wrapper_copies_and_pickles_without_recursing_into_its_unset_wrapped(kind: str) -> None:
    """`copy`/`pickle` look up `__setstate__` on an instance that has no `wrapped` yet: the wrapper's
    attribute delegation must say AttributeError there, not recurse (chat wrappers did)."""
    import copy
    import pickle

    from wireai.embeddings import TestEmbeddingModel, WrapperEmbeddingModel
    from wireai.models.wrapper import WrapperModel

    wrapper = WrapperModel(TestModel()) if kind == "chat" else WrapperEmbeddingModel(TestEmbeddingModel("m"))
    for clone in (copy.copy(wrapper), pickle.loads(pickle.dumps(wrapper))):
        assert type(clone) is type(wrapper) and clone.model_name == wrapper.model_name
        assert clone.system == wrapper.system
