"""`wireai.embeddings` as PydanticAI's `pydantic_ai.embeddings`: names, prefixes, settings, overrides, sync."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import pytest

import wireai
from wireai.embeddings import (
    Embedder,
    EmbeddingModel,
    EmbeddingResult,
    EmbeddingSettings,
    KnownEmbeddingModelName,
    TestEmbeddingModel,
    WrapperEmbeddingModel,
    infer_embedding_model,
    merge_embedding_settings,
)
from wireai.embeddings.result import EmbedInputType
from wireai.exceptions import UserError
from wireai.testing import FakeCohereEmbeddings, FakeOpenAIEmbeddings


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "DEEPSEEK_API_KEY", "OPENROUTER_API_KEY", "XAI_API_KEY",
                "GROK_API_KEY", "PERPLEXITY_API_KEY", "CO_API_KEY", "GEMINI_API_KEY", "VOYAGE_API_KEY",
                "MISTRAL_API_KEY", "AWS_BEARER_TOKEN_BEDROCK"):  # fmt: skip
        monkeypatch.setenv(var, "test-key")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.com")
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
    monkeypatch.setenv("AWS_REGION", "us-east-1")


@pytest.mark.parametrize(
    ("name", "cls", "provider"),
    [
        ("openai:text-embedding-3-small", "OpenAIEmbeddingModel", "openai"),
        ("azure:my-deployment", "OpenAIEmbeddingModel", "azure"),
        ("deepseek:some-embedder", "OpenAIEmbeddingModel", "deepseek"),
        ("openrouter:openai/text-embedding-3-small", "OpenAIEmbeddingModel", "openrouter"),
        ("ollama:nomic-embed-text", "OpenAIEmbeddingModel", "ollama"),
        ("cohere:embed-v4.0", "CohereEmbeddingModel", "cohere"),
        ("google:gemini-embedding-001", "GoogleEmbeddingModel", "google-gla"),
        ("google-gla:gemini-embedding-001", "GoogleEmbeddingModel", "google-gla"),
        ("google-vertex:text-embedding-005", "GoogleEmbeddingModel", "google-vertex"),
        ("google-cloud:gemini-embedding-001", "GoogleEmbeddingModel", "google-vertex"),
        ("bedrock:amazon.titan-embed-text-v2:0", "BedrockEmbeddingModel", "bedrock"),
        ("voyageai:voyage-3.5", "VoyageAIEmbeddingModel", "voyageai"),
        ("mistral:mistral-embed", "MistralEmbeddingModel", "mistral"),
        ("test", "TestEmbeddingModel", "test"),
        ("test:my-test-model", "TestEmbeddingModel", "test"),
    ],
)
def test_infer_embedding_model_resolves_every_prefix(keys: None, name: str, cls: str, provider: str) -> None:
    model = infer_embedding_model(name)
    assert type(model).__name__ == cls
    assert model.system == provider
    assert model.model_name == name.split(":", 1)[1] if ":" in name else "test"


def test_infer_embedding_model_errors_name_the_prefixes() -> None:
    with pytest.raises(UserError, match="Write the embedding model as 'provider:model-name'"):
        infer_embedding_model("text-embedding-3-small")
    with pytest.raises(
        UserError, match="Unknown embedding provider 'nope' in 'nope:x'; known: alibaba, azure, bedrock"
    ):
        infer_embedding_model("nope:x")
    model = TestEmbeddingModel()
    assert infer_embedding_model(model) is model


def test_the_provider_factory_builds_the_provider(keys: None) -> None:
    seen: list[str] = []

    def factory(name: str) -> Any:
        from wireai.providers import infer_provider

        seen.append(name)
        return infer_provider(name)

    infer_embedding_model("google-cloud:text-embedding-005", provider_factory=factory)
    assert seen == ["google-vertex"]


def test_known_names_and_public_modules_match_pydantic_ai() -> None:
    from typing import get_args

    assert "openai:text-embedding-3-small" in get_args(KnownEmbeddingModelName)
    assert "bedrock:amazon.nova-2-multimodal-embeddings-v1:0" in get_args(KnownEmbeddingModelName)
    from wireai.embeddings.bedrock import BedrockEmbeddingModel, BedrockEmbeddingSettings  # noqa: F401
    from wireai.embeddings.cohere import CohereEmbeddingModel, CohereEmbeddingSettings  # noqa: F401
    from wireai.embeddings.google import GoogleEmbeddingModel, GoogleEmbeddingSettings  # noqa: F401
    from wireai.embeddings.openai import OpenAIEmbeddingModel, OpenAIEmbeddingSettings  # noqa: F401
    from wireai.embeddings.settings import EmbeddingSettings as Settings
    from wireai.embeddings.voyageai import VoyageAIEmbeddingModel, VoyageAIEmbeddingSettings  # noqa: F401
    from wireai.providers.voyageai import VoyageAIProvider  # noqa: F401

    assert Settings is EmbeddingSettings
    assert wireai.Embedder is Embedder


def test_import_wireai_does_not_import_the_embeddings_package() -> None:
    code = "import sys, wireai; print(any(m.startswith('wireai.embeddings') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_embed_query_and_documents_with_the_test_model_as_pydantic_ai_documents_it() -> None:
    test_model = TestEmbeddingModel()
    embedder = Embedder("openai:text-embedding-3-small")  # never resolved: the override wins
    with embedder.override(model=test_model):
        result = embedder.embed_query_sync("What is AI?")
        assert result.embeddings[0][:5] == [1.0] * 5
        assert result["What is AI?"] == result.embeddings[0] == result[0]
        assert result.usage.input_tokens == 3 and result.input_type == "query"
        assert test_model.last_settings == {}
        docs = embedder.embed_documents_sync(["a b", "c"], settings={"dimensions": 8})
        assert len(docs.embeddings) == 2 and docs.input_type == "document"
        assert test_model.last_settings == {"dimensions": 8}
        assert embedder.count_tokens_sync("one two three") == 3
        assert embedder.max_input_tokens_sync() == 1024
    assert embedder.model == "openai:text-embedding-3-small"
    with pytest.raises(ValueError):
        result["not an input"]


def test_settings_merge_model_then_embedder_then_call() -> None:
    model = TestEmbeddingModel(settings={"dimensions": 1, "truncate": True, "extra_headers": {"a": "model"}})
    embedder = Embedder(model, settings={"dimensions": 2, "extra_headers": {"a": "embedder"}})
    embedder.embed_sync("x", input_type="document", settings={"dimensions": 3})
    assert model.last_settings == {"dimensions": 3, "truncate": True, "extra_headers": {"a": "embedder"}}
    assert merge_embedding_settings(None, None) is None
    assert merge_embedding_settings({"dimensions": 1}, None) == {"dimensions": 1}


async def test_async_api_and_wrappers_delegate() -> None:
    class Counting(WrapperEmbeddingModel):
        calls = 0

        async def embed(
            self,
            inputs: str | Sequence[str],
            *,
            input_type: EmbedInputType,
            settings: EmbeddingSettings | None = None,
        ) -> EmbeddingResult:
            self.calls += 1
            return await super().embed(inputs, input_type=input_type, settings=settings)

    wrapped = Counting("test:inner")
    embedder = Embedder(wrapped, defer_model_check=False)
    result = await embedder.embed(["x", "y"], input_type="document")
    assert wrapped.calls == 1 and result.model_name == "inner" and wrapped.system == "test"
    assert await embedder.count_tokens("a b") == 2 and await embedder.max_input_tokens() == 1024
    assert wrapped.base_url is None and wrapped.settings is None


def test_embedder_resolves_its_model_once() -> None:
    embedder = Embedder("test:lazy")
    assert embedder.model == "test:lazy"
    embedder.embed_query_sync("x")
    assert isinstance(embedder.model, EmbeddingModel) and embedder.model.model_name == "lazy"
    with pytest.raises(UserError, match="Unknown embedding provider"):
        Embedder("nope:x", defer_model_check=False)


def test_inputs_must_be_strings() -> None:
    with pytest.raises(UserError, match="Embedding inputs must be strings, got int"):
        Embedder("test").embed_query_sync(["ok", 3])  # type: ignore[list-item]


def test_sync_calls_share_one_pooled_connection_across_calls() -> None:
    """`*_sync` runs on a long-lived loop per thread: the second call reuses the first one's socket."""
    with FakeOpenAIEmbeddings() as fake:
        embedder = Embedder(fake.model())
        embedder.embed_query_sync("one")
        embedder.embed_query_sync("two")
        assert fake.total_connections == 1


async def test_an_empty_input_list_sends_nothing() -> None:
    with FakeCohereEmbeddings() as fake:
        result = await Embedder(fake.model()).embed_documents([])
        assert result.embeddings == [] and fake.requests == []


def test_model_requests_can_be_forbidden_in_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    import wireai.models

    monkeypatch.setattr(wireai.models, "ALLOW_MODEL_REQUESTS", False)
    with FakeOpenAIEmbeddings() as fake:
        with pytest.raises(RuntimeError, match="ALLOW_MODEL_REQUESTS is False"):
            Embedder(fake.model()).embed_query_sync("x")
        assert fake.requests == []
        Embedder("test").embed_query_sync("the test model still works")


def test_model_constructors_take_provider_options_as_the_chat_models_do(keys: None) -> None:
    from wireai.embeddings.openai import OpenAIEmbeddingModel
    from wireai.providers.openai import OpenAIProvider

    model = OpenAIEmbeddingModel("text-embedding-3-small", base_url="http://localhost:1/v1", api_key="k")
    assert model.base_url == "http://localhost:1/v1" and model.system == "openai"
    with pytest.raises(UserError, match="Pass `api_key` to the provider, not beside a provider instance"):
        OpenAIEmbeddingModel("m", provider=OpenAIProvider(api_key="k"), api_key="k")
    with pytest.raises(UserError, match="`max_concurrency` must be at least 1"):
        OpenAIEmbeddingModel("m", max_concurrency=0)
    with pytest.raises(UserError, match="Unsupported Bedrock embedding model"):
        from wireai.embeddings.bedrock import BedrockEmbeddingModel

        BedrockEmbeddingModel("anthropic.claude-3-haiku-20240307-v1:0")


def test_voyage_provider_takes_its_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from wireai.providers.voyageai import VoyageAIProvider

    monkeypatch.delenv("VOYAGE_API_KEY", raising=False)
    with pytest.raises(UserError, match="Set the `VOYAGE_API_KEY` environment variable or pass `api_key=`"):
        VoyageAIProvider()
    monkeypatch.setenv("VOYAGE_API_KEY", "from-env")
    provider = VoyageAIProvider()
    assert provider.headers == {"authorization": "Bearer from-env"}
    assert provider.base_url == "https://api.voyageai.com/v1" and "from-env" not in repr(provider)
    with pytest.raises(UserError, match="wireai does not use the voyageai SDK"):
        VoyageAIProvider(voyageai_client=object())


def test_openai_count_tokens_needs_tiktoken_and_says_so(keys: None) -> None:
    import importlib.util

    if importlib.util.find_spec("tiktoken") is not None:
        pytest.skip("tiktoken is installed here")
    embedder = Embedder("openai:text-embedding-3-small")
    with pytest.raises(UserError, match="needs `tiktoken`"):
        embedder.count_tokens_sync("x")
    with pytest.raises(UserError, match="only possible for OpenAI's own models, not on 'ollama'"):
        Embedder("ollama:nomic-embed-text").count_tokens_sync("x")
    with pytest.raises(NotImplementedError, match="cannot count tokens"):
        Embedder("mistral:mistral-embed").count_tokens_sync("x")


# Every OpenAI-compatible host of the provider registry (the one `infer_model` resolves chat names
# through) embeds over `OpenAIEmbeddingModel`; PydanticAI resolves the same set the same way.
_COMPATIBLE_HOSTS = [
    ("together", "TOGETHER_API_KEY", "BAAI/bge-base-en-v1.5"),
    ("fireworks", "FIREWORKS_API_KEY", "nomic-ai/nomic-embed-text-v1.5"),
    ("nebius", "NEBIUS_API_KEY", "BAAI/bge-en-icl"),
    ("alibaba", "ALIBABA_API_KEY", "text-embedding-v3"),
    ("vercel", "VERCEL_AI_GATEWAY_API_KEY", "openai/text-embedding-3-small"),
    ("ovhcloud", "OVHCLOUD_API_KEY", "bge-m3"),
    ("xai", "XAI_API_KEY", "v1"),
]


@pytest.mark.parametrize(("prefix", "env", "name"), _COMPATIBLE_HOSTS)
def test_openai_compatible_hosts_of_the_provider_registry_resolve(
    monkeypatch: pytest.MonkeyPatch, prefix: str, env: str, name: str
) -> None:
    from wireai.providers import infer_provider_class

    monkeypatch.setenv(env, "test-key")
    model = infer_embedding_model(f"{prefix}:{name}")
    assert type(model).__name__ == "OpenAIEmbeddingModel"
    assert model.system == prefix and model.model_name == name
    assert type(model._provider) is infer_provider_class(prefix)  # type: ignore[attr-defined]


async def test_a_together_embedding_goes_to_the_hosts_embeddings_endpoint() -> None:
    from wireai.providers import infer_provider

    with FakeOpenAIEmbeddings() as fake:
        fake.add_embeddings([[0.5, -0.25]], input_tokens=3)
        model = infer_embedding_model(
            "together:BAAI/bge-base-en-v1.5",
            provider_factory=lambda name: infer_provider(name, base_url=fake.url + "/v1", api_key="tg-key"),
        )
        result = await Embedder(model).embed_query("hello")
    (request,) = fake.requests
    assert (request.method, request.path) == ("POST", "/v1/embeddings")
    assert request.headers["authorization"] == "Bearer tg-key"
    assert request.json() == {
        "model": "BAAI/bge-base-en-v1.5",
        "input": ["hello"],
        "encoding_format": "base64",
    }
    assert result.embeddings == [[0.5, -0.25]] and result.provider_name == "together"
    assert result.usage.input_tokens == 3


def test_a_provider_without_an_openai_api_is_not_an_embedding_prefix() -> None:
    with pytest.raises(
        UserError, match="Unknown embedding provider 'anthropic' in 'anthropic:x'; known: .*together"
    ):
        infer_embedding_model("anthropic:x")
