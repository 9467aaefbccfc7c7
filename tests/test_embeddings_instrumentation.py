"""OpenTelemetry for embeddings: each `Embedder` call is one `embeddings {model}` CLIENT span with the
GenAI attributes and metrics, read back from the SDK's in-memory exporter after real requests to the
loopback embedding fakes; retries are events, vendor errors error spans; no input text without
`include_content`, no API key ever."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

from otel_helpers import SECRET_KEY, Telemetry
from wireai import Agent, Embedder, ModelHTTPError
from wireai.embeddings import TestEmbeddingModel
from wireai.embeddings.instrumented import InstrumentedEmbeddingModel, instrument_embedding_model
from wireai.testing import (
    FakeCohereEmbeddings,
    FakeEmbeddingVendor,
    FakeGeminiEmbeddings,
    FakeMistralEmbeddings,
    FakeOpenAI,
    FakeOpenAIEmbeddings,
)

SPAN = "embeddings text-embedding-3-small"
RETRIED_429 = (
    "wireai.retry",
    {"http.request.resend_count": 1, "wireai.retry.delay_s": 0.05, "http.response.status_code": 429},
)
"""The span event of a request retried after a 429 with `retry-after: 0.05`."""


@pytest.fixture
def telemetry() -> Telemetry:
    return Telemetry()


@pytest.fixture
def fake() -> Iterator[FakeOpenAIEmbeddings]:
    with FakeOpenAIEmbeddings() as vendor:
        yield vendor


def port_of(fake: FakeEmbeddingVendor) -> int:
    return int(fake.url.rsplit(":", 1)[1])


def served_by(
    fake: FakeEmbeddingVendor, provider: str = "openai", model: str = "text-embedding-3-small"
) -> dict[str, Any]:
    """The attributes naming who serves the call, on the span and on every metric point."""
    return {
        "gen_ai.operation.name": "embeddings",
        "gen_ai.provider.name": provider,
        "gen_ai.system": provider,
        "gen_ai.request.model": model,
        "server.address": "127.0.0.1",
        "server.port": port_of(fake),
    }


def events_of(span: ReadableSpan) -> list[tuple[str, dict[str, Any]]]:
    return [(e.name, dict(e.attributes or {})) for e in span.events]


# ------------------------------------------------------------------------------------------ the span


async def test_an_embedder_call_is_one_embeddings_client_span_with_the_genai_attributes(
    telemetry: Telemetry, fake: FakeOpenAIEmbeddings
) -> None:
    embedder = Embedder(fake.model(), settings={"dimensions": 4}, instrument=telemetry.settings)
    result = await embedder.embed_documents(["alpha beta", "gamma"])
    assert result["gamma"] == fake.vector_for("gamma", 4)
    assert fake.requests[0].json() == {
        "input": ["alpha beta", "gamma"],
        "model": "text-embedding-3-small",
        "encoding_format": "base64",
        "dimensions": 4,
    }

    [span] = telemetry.spans
    assert (span.name, span.kind, span.parent, span.status.status_code) == (
        SPAN,
        SpanKind.CLIENT,
        None,
        StatusCode.UNSET,
    )
    assert dict(span.attributes or {}) == {
        **served_by(fake),
        "input_type": "document",
        "inputs_count": 2,
        "gen_ai.embeddings.dimension.count": 4,
        "gen_ai.request.encoding_formats": ("base64",),
        "embedding_settings": '{"dimensions":4}',
        "inputs": '["alpha beta","gamma"]',
        "gen_ai.response.model": "text-embedding-3-small",
        "gen_ai.usage.input_tokens": 3,
    }
    assert span.events == ()


async def test_metrics_are_input_token_usage_and_duration_recorded_after_the_span(
    telemetry: Telemetry, fake: FakeOpenAIEmbeddings
) -> None:
    await Embedder(fake.model(), instrument=telemetry.settings).embed_query("one two three four")
    metrics = telemetry.metrics()
    base = {**served_by(fake), "gen_ai.response.model": "text-embedding-3-small"}
    [(token_attributes, tokens)] = metrics["gen_ai.client.token.usage"]  # input only: embeddings output none
    assert token_attributes == {**base, "gen_ai.token.type": "input"}
    assert (tokens.count, tokens.sum) == (1, 4)
    assert tokens.explicit_bounds[:4] == (1, 4, 16, 64)
    [(duration_attributes, duration)] = metrics["gen_ai.client.operation.duration"]
    assert duration_attributes == base
    assert duration.count == 1 and 0 < duration.sum < 5


async def test_the_span_names_the_width_received_and_the_response_id(telemetry: Telemetry) -> None:
    with FakeMistralEmbeddings(dimensions=6) as mistral:
        result = await Embedder(mistral.model(), instrument=telemetry.settings).embed_query("hi")
    [span] = telemetry.spans
    attributes = dict(span.attributes or {})
    assert str(result.provider_response_id).startswith("embd-")  # the `id` of Mistral's answer
    assert attributes["gen_ai.response.id"] == result.provider_response_id
    assert attributes["gen_ai.embeddings.dimension.count"] == 6  # none asked for: the vectors' width
    assert "gen_ai.request.encoding_formats" not in attributes  # Mistral's requests name no encoding
    assert attributes["gen_ai.provider.name"] == "mistral" and "embedding_settings" not in attributes


@pytest.mark.parametrize(
    ("fake_cls", "provider", "model", "formats", "tokens"),
    [
        (FakeCohereEmbeddings, "cohere", "embed-v4.0", ("float",), 2),  # `embedding_types: ["float"]`
        (FakeGeminiEmbeddings, "google-gla", "gemini-embedding-001", None, None),  # Gemini reports no usage
    ],
)
async def test_each_vendor_names_its_provider_and_the_encodings_its_requests_ask_for(
    telemetry: Telemetry,
    fake_cls: type[FakeEmbeddingVendor],
    provider: str,
    model: str,
    formats: Any,
    tokens: int | None,
) -> None:
    with fake_cls() as vendor:
        await Embedder(vendor.model(), instrument=telemetry.settings).embed_query("a b")
    [span] = telemetry.spans
    attributes = dict(span.attributes or {})
    assert span.name == f"embeddings {model}"
    assert {k: attributes[k] for k in served_by(vendor)} == served_by(vendor, provider, model)
    assert attributes.get("gen_ai.request.encoding_formats") == formats
    assert attributes.get("gen_ai.usage.input_tokens") == tokens


async def test_float_encoding_chosen_per_call_is_the_encoding_reported(
    telemetry: Telemetry, fake: FakeOpenAIEmbeddings
) -> None:
    embedder = Embedder(fake.model(), instrument=telemetry.settings)
    await embedder.embed_query("x", settings={"openai_encoding_format": "float"})  # type: ignore[typeddict-unknown-key]
    assert fake.requests[0].json()["encoding_format"] == "float"
    assert telemetry.spans[0].attributes["gen_ai.request.encoding_formats"] == ("float",)  # type: ignore[index]


async def test_a_call_split_into_several_requests_is_one_span_with_their_summed_usage_and_retries(
    telemetry: Telemetry, fake: FakeOpenAIEmbeddings
) -> None:
    fake.add_auto(1).add_rate_limit(0.05)  # whichever request arrives second waits once and retries
    texts = [f"text number {i}" for i in range(5)]
    embedder = Embedder(fake.model(max_batch_size=2), instrument=telemetry.settings)
    result = await embedder.embed_documents(texts)
    assert [list(v) for v in result.embeddings] == [fake.vector_for(t) for t in texts]
    assert len(fake.requests) == 4  # 3 chunks, one of them sent twice
    [span] = telemetry.spans
    attributes = dict(span.attributes or {})
    assert (attributes["inputs_count"], attributes["gen_ai.usage.input_tokens"]) == (5, 15)
    assert events_of(span) == [RETRIED_429]
    assert span.status.status_code == StatusCode.UNSET


# ------------------------------------------------------------------------------------------ failures


async def test_a_retried_429_then_200_is_an_event_on_a_successful_span(
    telemetry: Telemetry, fake: FakeOpenAIEmbeddings
) -> None:
    fake.add_rate_limit(0.05)
    await Embedder(fake.model(), instrument=telemetry.settings).embed_query("hi")
    [span] = telemetry.spans
    assert events_of(span) == [RETRIED_429]
    assert span.status.status_code == StatusCode.UNSET and "error.type" not in (span.attributes or {})
    assert span.attributes["gen_ai.usage.input_tokens"] == 1  # type: ignore[index]


async def test_a_400_is_an_error_span_and_an_errored_duration_without_token_usage(
    telemetry: Telemetry, fake: FakeOpenAIEmbeddings
) -> None:
    fake.add_error(400, message="'input' is too long")
    with pytest.raises(ModelHTTPError) as raised:
        await Embedder(fake.model(), instrument=telemetry.settings).embed_query("hi")
    assert raised.value.status_code == 400
    [span] = telemetry.spans
    assert span.status.status_code == StatusCode.ERROR
    attributes = dict(span.attributes or {})
    assert attributes["error.type"] == "400" and "gen_ai.response.model" not in attributes
    [(name, event)] = events_of(span)
    assert (name, event["exception.type"]) == ("exception", "wireai.exceptions.ModelHTTPError")
    assert "'input' is too long" in str(event["exception.message"])
    metrics = telemetry.metrics()
    assert "gen_ai.client.token.usage" not in metrics
    [(duration_attributes, _)] = metrics["gen_ai.client.operation.duration"]
    assert duration_attributes == {**served_by(fake), "error.type": "400"}


async def test_a_failing_chunk_fails_the_one_span_with_its_status(
    telemetry: Telemetry, fake: FakeOpenAIEmbeddings
) -> None:
    fake.add_error(401)
    embedder = Embedder(fake.model(max_batch_size=1, max_concurrency=1), instrument=telemetry.settings)
    with pytest.raises(ModelHTTPError, match="embedding chunk 0 of 3"):
        await embedder.embed_documents(["a", "b", "c"])
    [span] = telemetry.spans
    assert (span.status.status_code, span.attributes["error.type"]) == (StatusCode.ERROR, "401")  # type: ignore[index]


# ------------------------------------------------------------------------------------------ what must not leave


async def test_without_content_no_input_text_is_in_any_attribute_event_or_metric(
    fake: FakeOpenAIEmbeddings,
) -> None:
    telemetry = Telemetry(include_content=False)
    embedder = Embedder(fake.model(), instrument=telemetry.settings)
    settings: Any = {
        "dimensions": 4,
        "extra_body": {"user": "BODY-SECRET"},
        "google_title": "TITLE-SECRET",
        "extra_headers": {"x-trace-tag": "HEADER-SECRET"},
    }
    await embedder.embed_documents(["INPUT-SECRET one", "INPUT-SECRET two"], settings=settings)
    fake.add_error(400, message="cannot embed 'FAILED-INPUT-SECRET'")  # a vendor echoing the input
    with pytest.raises(ModelHTTPError):
        await embedder.embed_query("FAILED-INPUT-SECRET")
    exported = telemetry.everything_exported()
    assert "SECRET" not in exported
    ok, failed = telemetry.spans
    assert "inputs" not in (ok.attributes or {})
    assert json.loads(ok.attributes["embedding_settings"]) == {  # type: ignore[arg-type,index]
        "dimensions": 4,
        "extra_headers": ["x-trace-tag"],
    }
    assert ok.attributes["inputs_count"] == 2  # type: ignore[index]
    assert dict(failed.events[0].attributes or {}) == {
        "exception.type": "wireai.exceptions.ModelHTTPError",
        "exception.escaped": True,
    }


async def test_the_api_key_appears_in_no_span_event_or_metric(
    telemetry: Telemetry, fake: FakeOpenAIEmbeddings
) -> None:
    fake.add_rate_limit(0.01)  # a retried request: its event is exported too
    fake.add_auto(1)
    fake.add_error(401, message="Incorrect API key provided")
    model = fake.model(api_key=SECRET_KEY)
    embedder = Embedder(model, instrument=telemetry.settings)
    settings: Any = {"extra_headers": {"x-api-key": SECRET_KEY}}  # a key passed as a header, too
    await embedder.embed_query("hi", settings=settings)
    with pytest.raises(ModelHTTPError):
        await embedder.embed_query("hi", settings=settings)
    assert fake.requests[0].headers["authorization"] == f"Bearer {SECRET_KEY}"  # it was sent...
    assert fake.requests[0].headers["x-api-key"] == SECRET_KEY
    assert len(telemetry.spans) == 2
    exported = telemetry.everything_exported()
    assert SECRET_KEY not in exported and "4f9a1c0ffee" not in exported  # ... and never exported
    assert json.loads(telemetry.spans[0].attributes["embedding_settings"]) == {"extra_headers": ["x-api-key"]}  # type: ignore[arg-type,index]


# ------------------------------------------------------------------------------------------ API


async def test_instrument_all_traces_embedders_that_did_not_choose(
    telemetry: Telemetry, fake: FakeOpenAIEmbeddings
) -> None:
    Embedder.instrument_all(telemetry.settings)
    try:
        await Embedder(fake.model("implicit")).embed_query("x")
        await Embedder(fake.model("opted-out"), instrument=False).embed_query("x")
    finally:
        Embedder.instrument_all(False)
    await Embedder(fake.model("after")).embed_query("x")
    assert [s.name for s in telemetry.spans] == ["embeddings implicit"]
    assert len(fake.requests) == 3


def test_sync_calls_and_overridden_models_are_traced_too(telemetry: Telemetry) -> None:
    embedder = Embedder("test:plain", instrument=telemetry.settings)
    embedder.embed_documents_sync(["a", "b c"])
    with embedder.override(model=TestEmbeddingModel("stand-in", provider_name="stub", dimensions=3)):
        embedder.embed_query_sync("q")
    first, second = telemetry.spans
    assert (first.name, second.name) == ("embeddings plain", "embeddings stand-in")
    assert dict(second.attributes or {}) == {
        "gen_ai.operation.name": "embeddings",
        "gen_ai.provider.name": "stub",
        "gen_ai.system": "stub",
        "gen_ai.request.model": "stand-in",
        "input_type": "query",
        "inputs_count": 1,
        "inputs": '["q"]',
        "gen_ai.response.model": "stand-in",
        "gen_ai.usage.input_tokens": 1,
        "gen_ai.embeddings.dimension.count": 3,
        "gen_ai.response.id": second.attributes["gen_ai.response.id"],  # type: ignore[index]
    }


async def test_instrument_true_builds_its_default_settings_and_wrapper_once_per_embedder(
    telemetry: Telemetry,
) -> None:
    embedder = Embedder("test", instrument=True)
    first, second = embedder._get_model(), embedder._get_model()
    assert isinstance(first, InstrumentedEmbeddingModel) and first is second
    assert (await embedder.embed_query("x")).model_name == "test"
    embedder.instrument = telemetry.settings  # other settings: another wrapper, on the same model
    third = embedder._get_model()
    assert (
        isinstance(third, InstrumentedEmbeddingModel)
        and third is not first
        and third.wrapped is first.wrapped
    )
    assert third.instrumentation_settings is telemetry.settings


async def test_an_instrumented_model_alone_traces_embed_and_passes_the_rest_through(
    telemetry: Telemetry,
) -> None:
    inner = TestEmbeddingModel("alone")
    model = InstrumentedEmbeddingModel(inner, telemetry.settings)
    assert (model.model_name, model.system, model.base_url) == ("alone", "test", None)
    assert await model.count_tokens("a b c") == 3 and await model.max_input_tokens() == 1024
    await model.embed(["x"], input_type="document", settings={"dimensions": 8})
    assert inner.last_settings == {"dimensions": 8}
    assert [s.name for s in telemetry.spans] == ["embeddings alone"]  # counting tokens is not an embedding
    assert instrument_embedding_model(model, True) is model
    assert instrument_embedding_model(inner, False) is inner
    assert isinstance(instrument_embedding_model(inner, telemetry.settings), InstrumentedEmbeddingModel)


async def test_an_embedding_inside_a_tool_is_a_child_of_the_tool_span(telemetry: Telemetry) -> None:
    with FakeOpenAI() as chat, FakeOpenAIEmbeddings() as vectors:
        chat.add_tool_call("search", {"query": "cats"}, tool_call_id="call_1")
        chat.add_text("found it")
        embedder = Embedder(vectors.model(), instrument=telemetry.settings)
        agent = Agent(chat.model(), instrument=telemetry.settings, name="rag")

        @agent.tool_plain
        async def search(query: str) -> int:
            """Search the index."""
            return len((await embedder.embed_query(query)).embeddings[0])

        assert (await agent.run("find cats")).output == "found it"
    assert [s.name for s in telemetry.spans] == [
        "chat gpt-4o",
        SPAN,
        "execute_tool search",
        "chat gpt-4o",
        "invoke_agent rag",
    ]
    embedding, tool = telemetry.spans[1], telemetry.spans[2]
    assert embedding.parent.span_id == tool.context.span_id  # type: ignore[union-attr]


def test_uninstrumented_embeddings_import_no_opentelemetry() -> None:
    code = (
        "import sys, wireai.embeddings; from wireai import Embedder;"
        "Embedder('test').embed_query_sync('hi');"
        "Embedder('test', instrument=False).embed_query_sync('hi');"
        "print([m for m in sys.modules if m.startswith('opentelemetry')]);"
        "from wireai.embeddings import InstrumentedEmbeddingModel;"  # the lazy name imports it on demand
        "print(InstrumentedEmbeddingModel.__module__, 'opentelemetry.trace' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "wireai.embeddings.instrumented True"]
