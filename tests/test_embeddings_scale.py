"""Large calls: split at each vendor's per-request limits, sent concurrently under a limit, reassembled in
order with usage summed; one failing request fails the call and names its chunk. Over real sockets."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from wireai.codecs.embeddings import estimate_tokens
from wireai.embeddings import Embedder
from wireai.exceptions import ModelHTTPError
from wireai.testing import (
    FakeBedrockEmbeddings,
    FakeCohereEmbeddings,
    FakeEmbeddingVendor,
    FakeGeminiEmbeddings,
    FakeOpenAIEmbeddings,
    FakeVertexEmbeddings,
    FakeVoyageAIEmbeddings,
)
from wireai.testing.embeddings import tokens_of


def texts(n: int, prefix: str = "input") -> list[str]:
    return [f"{prefix} {i}" for i in range(n)]


def sizes(fake: FakeEmbeddingVendor) -> list[int]:
    return sorted((len(fake.inputs_of(r)) for r in fake.requests), reverse=True)


async def test_openai_splits_above_2048_inputs_and_keeps_every_vector_on_its_input() -> None:
    inputs = texts(5000)
    with FakeOpenAIEmbeddings(dimensions=4) as fake:
        result = await Embedder(fake.model()).embed_documents(inputs)
        assert sizes(fake) == [2048, 2048, 904]
        assert result.embeddings == [fake.vector_for(t) for t in inputs]
        assert list(result.inputs) == inputs
        assert result.usage.input_tokens == sum(tokens_of(t) for t in inputs) == 10_000
        assert result.provider_details == {"requests": 3}
        assert result.model_name == "text-embedding-3-small" and result.provider_name == "openai"


async def test_voyage_splits_by_its_per_model_token_budget() -> None:
    """voyage-3-large takes 120k tokens a request: 30 inputs of ~10k estimated tokens go 12, 12, 6."""
    inputs = [f"{i:05d}" + "x" * 29_995 for i in range(30)]
    assert estimate_tokens(inputs[0]) == 10_000
    with FakeVoyageAIEmbeddings() as fake:
        result = await Embedder(fake.model("voyage-3-large")).embed_documents(inputs)
        assert sizes(fake) == [12, 12, 6]
        for request in fake.requests:
            assert sum(estimate_tokens(t) for t in fake.inputs_of(request)) <= 120_000
        assert result.embeddings == [fake.vector_for(t) for t in inputs]


@pytest.mark.parametrize(
    ("fake_class", "model", "count", "expected"),
    [
        (FakeCohereEmbeddings, None, 200, [96, 96, 8]),
        (FakeGeminiEmbeddings, None, 150, [100, 50]),
        (FakeVertexEmbeddings, "text-embedding-005", 300, [250, 50]),
        (FakeVertexEmbeddings, "gemini-embedding-001", 3, [1, 1, 1]),
        (FakeBedrockEmbeddings, "cohere.embed-v4:0", 100, [96, 4]),
        (FakeBedrockEmbeddings, "amazon.titan-embed-text-v2:0", 5, [1] * 5),
        (FakeBedrockEmbeddings, "amazon.nova-2-multimodal-embeddings-v1:0", 3, [1] * 3),
    ],
)
async def test_each_vendor_is_split_at_its_documented_count(
    fake_class: type[FakeEmbeddingVendor], model: str | None, count: int, expected: list[int]
) -> None:
    inputs = texts(count)
    with fake_class() as fake:
        result = await Embedder(fake.model(model)).embed_query(inputs)
        assert sizes(fake) == expected
        assert result.embeddings == [fake.vector_for(t) for t in inputs]
        # every input is two words; the Gemini API reports no usage for embeddings
        assert result.usage.input_tokens == (0 if fake_class is FakeGeminiEmbeddings else 2 * count)


@pytest.mark.parametrize(("limit", "chunks"), [(1, 3), (2, 6), (4, 10)])
async def test_at_most_max_concurrency_requests_are_in_flight(limit: int, chunks: int) -> None:
    with FakeOpenAIEmbeddings(latency=0.05) as fake:
        model = fake.model(max_concurrency=limit, max_batch_size=1)
        result = await Embedder(model).embed_documents(texts(chunks))
        assert len(fake.requests) == chunks
        assert fake.max_open_connections == limit
        assert result.embeddings == [fake.vector_for(t) for t in texts(chunks)]


async def test_bedrock_max_concurrency_setting_bounds_the_one_input_requests() -> None:
    with FakeBedrockEmbeddings(latency=0.05) as fake:
        embedder = Embedder(fake.model(), settings={"bedrock_max_concurrency": 2})
        await embedder.embed_documents(texts(6))
        assert fake.max_open_connections == 2 and len(fake.requests) == 6


async def test_a_failing_chunk_fails_the_call_with_its_index_and_later_chunks_are_not_sent() -> None:
    with FakeOpenAIEmbeddings() as fake:
        fake.add_auto(2).add_error(400, message="This input is not allowed")
        model = fake.model(max_concurrency=1, max_batch_size=1000)
        with pytest.raises(ModelHTTPError) as caught:
            await Embedder(model).embed_documents(texts(5000))
        error = caught.value
        assert error.chunk_index == 2  # type: ignore[attr-defined]
        assert str(error).startswith(
            "embedding chunk 2 of 5 (inputs 2000-2999) failed: status_code: 400, model_name: text-embedding-3-small"
        )
        assert error.status_code == 400
        assert error.body == {"error": {"message": "This input is not allowed", "type": "invalid_request_error", "param": None, "code": None}}  # fmt: skip
        assert len(fake.requests) == 3


async def test_a_failure_cancels_the_requests_still_in_flight() -> None:
    with FakeCohereEmbeddings(latency=2.0) as fake:
        fake.add_reply(_error_now(fake, 401))
        model = fake.model(max_concurrency=4, max_batch_size=10)
        loop = asyncio.get_running_loop()
        before = asyncio.all_tasks()
        started = loop.time()
        with pytest.raises(ModelHTTPError) as caught:
            await Embedder(model).embed_documents(texts(100))
        assert loop.time() - started < 1.5  # the other three were not waited for
        assert caught.value.status_code == 401 and 0 <= caught.value.chunk_index < 4  # type: ignore[attr-defined]
        assert len(fake.requests) <= 4
        assert asyncio.all_tasks() == before  # no request task left behind


def _error_now(fake: FakeEmbeddingVendor, status: int) -> Any:
    from wireai.testing import Reply

    reply = Reply.json(fake.error_body(status, "invalid api token"), status)
    reply.delay = 0.001  # not the fake's latency: this one answers at once
    return reply


async def test_a_rate_limited_chunk_is_retried_by_the_transport_and_the_call_succeeds() -> None:
    with FakeOpenAIEmbeddings() as fake:
        fake.add_auto(1).add_rate_limit(retry_after=0)
        result = await Embedder(fake.model(max_concurrency=1, max_batch_size=2)).embed_query(texts(6))
        assert len(fake.requests) == 4  # 3 chunks + the retried one
        assert result.embeddings == [fake.vector_for(t) for t in texts(6)]


def test_a_single_chunk_error_keeps_its_plain_message() -> None:
    with FakeOpenAIEmbeddings() as fake:
        fake.add_error(401)
        with pytest.raises(ModelHTTPError) as caught:
            Embedder(fake.model()).embed_query_sync("x")
        assert str(caught.value).startswith("status_code: 401")
        assert not hasattr(caught.value, "chunk_index")


async def test_response_bodies_are_freed_once_parsed_not_left_for_the_garbage_collector() -> None:
    """An httpx response sits in a reference cycle; holding its body made a 10,000-vector call keep
    every ~60 MB response alive until the next collection (peak RSS +300 MB in the benchmark)."""
    import gc

    import httpx

    with FakeOpenAIEmbeddings(dimensions=64) as fake:
        model = fake.model(max_batch_size=50)
        gc.collect()
        gc.disable()
        try:
            await Embedder(model).embed_documents(texts(400))
            holding = [
                o for o in gc.get_objects() if isinstance(o, httpx.Response) and getattr(o, "_content", None)
            ]
        finally:
            gc.enable()
        assert holding == []
        assert len(fake.requests) == 8


async def test_a_body_cut_off_or_stalled_is_a_model_api_error() -> None:
    from wireai.exceptions import ModelAPIError
    from wireai.testing import Reply

    with FakeOpenAIEmbeddings() as fake:
        fake.add_reply(
            Reply(200, {"content-type": "application/json"}, chunks=[b'{"data": [{"in'], drop=True)
        )
        with pytest.raises(ModelAPIError, match="The response broke off"):
            await Embedder(fake.model()).embed_query("x")
        fake.add_reply(Reply(200, {"content-type": "application/json"}, chunks=[b'{"data": [', 1.0, b"]}"]))
        import httpx

        model = fake.model(http_client=httpx.AsyncClient(timeout=httpx.Timeout(5, read=0.2)))
        with pytest.raises(ModelAPIError, match="The response stalled"):
            await Embedder(model).embed_query("x")
