"""The fake embedding vendors in `wireai.testing`: vendor-shaped answers and errors, scripts, wrong paths."""

from __future__ import annotations

import struct

import pytest

from wireai.embeddings import Embedder
from wireai.exceptions import ModelHTTPError, UnexpectedModelBehavior
from wireai.testing import (
    FakeAzureEmbeddings,
    FakeBedrockEmbeddings,
    FakeCohereEmbeddings,
    FakeGeminiEmbeddings,
    FakeMistralEmbeddings,
    FakeOpenAIEmbeddings,
    FakeVertexEmbeddings,
    FakeVoyageAIEmbeddings,
    fake_embedding_vendor,
)

ALL = [FakeOpenAIEmbeddings, FakeAzureEmbeddings, FakeMistralEmbeddings, FakeVoyageAIEmbeddings,
       FakeCohereEmbeddings, FakeGeminiEmbeddings, FakeVertexEmbeddings, FakeBedrockEmbeddings]  # fmt: skip


@pytest.mark.parametrize("fake_class", ALL, ids=lambda c: c.__name__)
def test_every_fake_embeds_what_it_is_sent_and_answers_errors_in_its_vendors_shape(fake_class: type) -> None:
    with fake_class(dimensions=3) as fake:
        embedder = Embedder(fake.model())
        result = embedder.embed_documents_sync(["alpha beta", "gamma"])
        assert result.embeddings == [fake.vector_for("alpha beta"), fake.vector_for("gamma")]
        assert len(result.embeddings[0]) == 3
        fake.add_error(400, message="nope")
        with pytest.raises(ModelHTTPError) as caught:
            embedder.embed_query_sync("x")
        assert caught.value.status_code == 400 and "nope" in str(caught.value.body)
        assert caught.value.body == fake.error_body(400, "nope")
        assert fake.pending == 0


def test_the_vendors_error_shapes() -> None:
    assert FakeOpenAIEmbeddings().error_body(401, "m") == {"error": {"message": "m", "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}  # fmt: skip
    assert FakeVoyageAIEmbeddings().error_body(401, "m") == {"detail": "m"}
    assert FakeGeminiEmbeddings().error_body(429, "m") == {
        "error": {"code": 429, "message": "m", "status": "RESOURCE_EXHAUSTED"}
    }
    assert FakeBedrockEmbeddings().error_headers(429) == {"x-amzn-errortype": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"}  # fmt: skip
    assert set(FakeCohereEmbeddings().error_body(400, "m")) == {"id", "message"}


def test_requested_dimensions_are_honoured_and_float_and_base64_agree() -> None:
    with FakeOpenAIEmbeddings() as fake:
        floats = Embedder(fake.model(), settings={"openai_encoding_format": "float"}).embed_query_sync(
            "x", settings={"dimensions": 5}
        )
        packed = Embedder(fake.model()).embed_query_sync("x", settings={"dimensions": 5})
        assert floats.embeddings == packed.embeddings == [fake.vector_for("x", 5)]
        assert [r.json()["encoding_format"] for r in fake.requests] == ["float", "base64"]
    vector = FakeOpenAIEmbeddings().vector_for("anything", 64)
    assert list(struct.unpack("<64f", struct.pack("<64f", *vector))) == vector  # exact in float32


def test_scripted_vectors_that_do_not_match_the_inputs_are_caught_not_shifted() -> None:
    with FakeMistralEmbeddings() as fake:
        fake.add_embeddings([[0.5, 0.5]])
        with pytest.raises(UnexpectedModelBehavior, match="1 embeddings for 2 inputs"):
            Embedder(fake.model()).embed_documents_sync(["a", "b"])
        fake.add_embeddings([[0.5, 0.5], [0.25, 0.25]], input_tokens=7)
        result = Embedder(fake.model()).embed_documents_sync(["a", "b"])
        assert result.embeddings == [[0.5, 0.5], [0.25, 0.25]] and result.usage.input_tokens == 7


def test_a_wrong_path_is_the_vendors_404_and_unknown_fakes_are_named() -> None:
    with FakeCohereEmbeddings() as fake:
        from wireai.embeddings.openai import OpenAIEmbeddingModel

        model = OpenAIEmbeddingModel("m", base_url=fake.url, api_key="k")
        with pytest.raises(ModelHTTPError) as caught:
            Embedder(model).embed_query_sync("x")
        assert caught.value.status_code == 404 and "is not a Cohere embeddings endpoint" in str(
            caught.value.body
        )
    assert isinstance(fake_embedding_vendor("google-vertex"), FakeVertexEmbeddings)
    with pytest.raises(ValueError, match="Unknown fake embedding vendor 'nope'; known: azure, bedrock"):
        fake_embedding_vendor("nope")


def test_a_rate_limit_is_waited_out_by_the_transport() -> None:
    with FakeVoyageAIEmbeddings() as fake:
        fake.add_rate_limit(retry_after=0)
        result = Embedder(fake.model()).embed_query_sync("x")
        assert result.embeddings == [fake.vector_for("x")] and len(fake.requests) == 2
