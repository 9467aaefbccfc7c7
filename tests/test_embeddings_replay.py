"""Every embedding vendor over a real socket, replaying fixtures written from its API reference.

Each case pins the exact request (method, path with query, body, auth and content headers) and
the exact result read back (vectors in input order, input tokens, model, provider, response id)
or the typed error (status and the vendor's own error body). Every request body in the fixtures
is also validated against the vendor's official description where ../shared/protocol-specs has
the endpoint (OpenAI, Azure, Mistral, Cohere, Gemini API, Vertex AI; not Voyage AI, which has no
spec there, nor Bedrock, whose InvokeModel body is an opaque blob in the botocore model).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import re
from pathlib import Path
from typing import Any
from unittest import mock

import botocore.auth
import httpx
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from embedding_helpers import model_for
from support import ToLoopback, assert_spec_valid
from wireai.embeddings import EmbeddingResult, EmbeddingSettings
from wireai.embeddings.base import EmbeddingModel
from wireai.embeddings.bedrock import BedrockEmbeddingModel
from wireai.exceptions import ModelHTTPError
from wireai.providers.bedrock import BedrockProvider
from wireai.testing.fixtures import ReplayServer, fixtures_dir, load_case

DOCS = ["The food was delicious and the waiter was friendly.", "Der Kellner war sehr freundlich."]
V1 = [0.0023064255, -0.009327292, 0.015797347, -0.0077780345]
V2 = [-0.012256015, 0.0048727295, -0.0106924, 0.02471963]
B1 = [0.5, -0.25, 0.125, -0.0625]
B2 = [0.0078125, 1.0, -1.0, 0.375]


def replay(vendor: str, case: str, model_name: str, call: Any, *, retries: int = 2) -> Any:
    """Run `call(model)` against the case's replay server; every expected request must be made exactly."""
    with ReplayServer(load_case(f"embeddings/{vendor}", case)) as server:
        model = model_for(vendor, server.url, model_name, retries=retries)
        try:
            return asyncio.run(call(model))
        finally:
            server.assert_requests_match()


def embed(inputs: Any, input_type: str = "document", settings: EmbeddingSettings | None = None) -> Any:
    async def run(model: EmbeddingModel) -> EmbeddingResult:
        return await model.embed(inputs, input_type=input_type, settings=settings)  # type: ignore[arg-type]

    return run


def summary(result: EmbeddingResult) -> dict[str, Any]:
    return {
        "embeddings": [list(v) for v in result.embeddings],
        "inputs": list(result.inputs),
        "input_type": result.input_type,
        "input_tokens": result.usage.input_tokens,
        "model_name": result.model_name,
        "provider_name": result.provider_name,
        "provider_response_id": result.provider_response_id,
        "provider_details": result.provider_details,
    }


def expect(
    embeddings, inputs, tokens, model, provider, *, input_type="document", response_id=None, details=None
):
    return {
        "embeddings": embeddings,
        "inputs": inputs,
        "input_type": input_type,
        "input_tokens": tokens,
        "model_name": model,
        "provider_name": provider,
        "provider_response_id": response_id,
        "provider_details": details,
    }


# (vendor, case, model name, call, expected summary)
RESULTS = [
    ("openai", "float", "text-embedding-3-small",
     embed(DOCS, settings={"dimensions": 4, "openai_encoding_format": "float"}),
     expect([V1, V2], DOCS, 17, "text-embedding-3-small", "openai")),
    ("openai", "base64", "text-embedding-3-large", embed(DOCS),
     expect([B1, B2], DOCS, 17, "text-embedding-3-large", "openai")),
    ("openai", "rate_limit_then_ok", "text-embedding-3-small", embed("hello", "query"),
     expect([B1], ["hello"], 1, "text-embedding-3-small", "openai", input_type="query")),
    ("azure", "deployment", "my-embeddings", embed(DOCS, settings={"dimensions": 4}),
     expect([B1, B2], DOCS, 17, "text-embedding-3-small", "azure")),
    ("mistral", "float", "mistral-embed", embed(["Embed this sentence.", "As well as this one."]),
     expect([[-0.016632080078125, 0.0701904296875, 0.03143310546875, 0.01309967041015625, 0.0202789306640625],
             [-0.0230560302734375, 0.039337158203125, 0.0521240234375, -0.0184783935546875, 0.034271240234375]],
            ["Embed this sentence.", "As well as this one."], 15, "mistral-embed", "mistral",
            response_id="embd-aad6fc62b17349b192ef09225058bc45")),
    ("mistral", "codestral_dimensions", "codestral-embed", embed("def add(a, b): return a + b", settings={"dimensions": 4}),
     expect([V1], ["def add(a, b): return a + b"], 12, "codestral-embed", "mistral",
            response_id="embd-0c2b2a0c4d2e4c8f9d7a3b1e5f6a7b8c")),
    ("voyageai", "documents", "voyage-3.5", embed(DOCS), expect([B1, B2], DOCS, 18, "voyage-3.5", "voyageai")),
    ("voyageai", "no_prompt_dimensions", "voyage-3-large",
     embed("hello", "query", {"dimensions": 4, "truncate": True, "voyageai_input_type": "none"}),
     expect([B1], ["hello"], 1, "voyage-3-large", "voyageai", input_type="query")),
    ("cohere", "documents", "embed-v4.0", embed(DOCS, settings={"dimensions": 256}),
     expect([V1, V2], DOCS, 18, "embed-v4.0", "cohere", response_id="da6e531f-54c6-4a73-bf92-f60566d8d753")),
    ("cohere", "query_settings", "embed-english-v3.0",
     embed("what is a waiter?", "query", {"cohere_input_type": "classification", "cohere_truncate": "START", "cohere_max_tokens": 100}),
     expect([V2], ["what is a waiter?"], 5, "embed-english-v3.0", "cohere", input_type="query",
            response_id="1b7e0c4e-3e0b-4c3e-9d3b-6c1e2b7c9a10")),
    ("gemini", "single", "gemini-embedding-001", embed("What is the meaning of life?", "query"),
     expect([V1], ["What is the meaning of life?"], 0, "gemini-embedding-001", "google-gla", input_type="query")),
    ("gemini", "batch", "gemini-embedding-001", embed(DOCS, settings={"dimensions": 4, "google_title": "Restaurant reviews"}),
     expect([V1, V2], DOCS, 0, "gemini-embedding-001", "google-gla")),
    ("vertex", "predict", "text-embedding-005", embed(DOCS, settings={"dimensions": 4, "google_title": "Restaurant reviews"}),
     expect([V1, V2], DOCS, 18, "text-embedding-005", "google-vertex", details={"billable_character_count": 73})),
    ("vertex", "predict_truncate", "text-multilingual-embedding-002", embed("hello", "query", {"truncate": False}),
     expect([V1], ["hello"], 1, "text-multilingual-embedding-002", "google-vertex", input_type="query",
            details={"billable_character_count": 5})),
    ("vertex", "embed_content", "gemini-embedding-2", embed("hello", "query", {"dimensions": 4}),
     expect([V2], ["hello"], 1, "gemini-embedding-2", "google-vertex", input_type="query")),
    ("bedrock", "titan_v2", "amazon.titan-embed-text-v2:0", embed("Hello world", settings={"dimensions": 256}),
     expect([V1], ["Hello world"], 3, "amazon.titan-embed-text-v2:0", "bedrock")),
    ("bedrock", "titan_v1", "amazon.titan-embed-text-v1", embed("Hello world"),
     expect([V2], ["Hello world"], 3, "amazon.titan-embed-text-v1", "bedrock")),
    ("bedrock", "cohere_v3", "cohere.embed-english-v3", embed(DOCS),
     expect([V1, V2], DOCS, 18, "cohere.embed-english-v3", "bedrock", response_id="c2a1b3e4-5f60-4718-9a2b-3c4d5e6f7a8b")),
    ("bedrock", "cohere_v4_profile", "us.cohere.embed-v4:0",
     embed("what is a waiter?", "query", {"dimensions": 256, "truncate": True, "bedrock_cohere_max_tokens": 1000}),
     expect([V2], ["what is a waiter?"], 5, "us.cohere.embed-v4:0", "bedrock", input_type="query",
            response_id="9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a")),
    ("bedrock", "nova", "amazon.nova-2-multimodal-embeddings-v1:0", embed("Hello world", "query", {"dimensions": 256}),
     expect([V1], ["Hello world"], 3, "amazon.nova-2-multimodal-embeddings-v1:0", "bedrock", input_type="query")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("vendor", "case", "model_name", "call", "expected"), RESULTS, ids=[f"{r[0]}/{r[1]}" for r in RESULTS]
)
def test_replayed_embeddings_send_the_reference_request_and_read_back_exactly(
    vendor: str, case: str, model_name: str, call: Any, expected: dict[str, Any]
) -> None:
    result = replay(vendor, case, model_name, call)
    assert summary(result) == expected


# (vendor, case, model name, status, error body as the vendor sent it)
ERROR_MODELS = {
    "openai": "text-embedding-3-small",
    "azure": "my-embeddings",
    "mistral": "mistral-embed",
    "voyageai": "voyage-3.5",
    "cohere": "embed-v4.0",
    "gemini": "gemini-embedding-001",
    "vertex": "text-embedding-005",
    "bedrock": "amazon.titan-embed-text-v2:0",
}
ERRORS = [
    (vendor, f"error_{status}", status)
    for vendor in ERROR_MODELS
    for status in (400, 403 if vendor == "bedrock" else 401, 429)
]


@pytest.mark.parametrize(("vendor", "case", "status"), ERRORS, ids=[f"{v}/{c}" for v, c, _ in ERRORS])
def test_vendor_errors_are_model_http_errors_carrying_the_vendors_body(
    vendor: str, case: str, status: int
) -> None:
    exchange = load_case(f"embeddings/{vendor}", case).exchanges[0]
    model_name = ERROR_MODELS[vendor]
    if vendor == "openai" and status == 400:
        model_name = "text-embedding-ada-002"
    settings: EmbeddingSettings = {"dimensions": 256} if vendor == "openai" and status == 400 else {}
    input_type = "query" if vendor in ("voyageai", "cohere", "gemini", "vertex") else "document"
    with pytest.raises(ModelHTTPError) as caught:
        replay(vendor, case, model_name, embed(["hello"], input_type, settings), retries=0)
    error = caught.value
    assert error.status_code == status
    assert error.body == exchange.response["json"]
    assert error.model_name == model_name
    for name, value in exchange.response.get("headers", {}).items():
        assert error.headers[name] == value
    if status == 429 and "retry-after" in exchange.response.get("headers", {}):
        assert error.retry_after == 0


def test_count_tokens_calls_the_vendors_tokenizer_endpoints() -> None:
    async def count(model: EmbeddingModel, text: str) -> int:
        return await model.count_tokens(text)

    assert replay("cohere", "tokenize", "embed-v4.0", lambda m: count(m, "tokenize me! :D")) == 6
    assert (
        replay("gemini", "count_tokens", "gemini-embedding-001", lambda m: count(m, "The quick brown fox"))
        == 4
    )
    assert (
        replay("vertex", "count_tokens", "text-embedding-005", lambda m: count(m, "The quick brown fox")) == 4
    )


SPEC_OPERATIONS = {
    "openai": ("openai", "embeddings"),
    "azure": ("azure", "embeddings"),
    "mistral": ("mistral", "embeddings"),
}


def _spec_target(vendor: str, path: str) -> tuple[str, str] | None:
    if vendor in SPEC_OPERATIONS:
        return SPEC_OPERATIONS[vendor]
    if vendor == "cohere":
        return "cohere", "tokenize" if path.endswith("/tokenize") else "embed"
    if vendor in ("gemini", "vertex"):
        return vendor, path.rsplit(":", 1)[1]
    return None  # Voyage AI: no spec in ../shared; Bedrock: the InvokeModel body is a blob there


FIXTURE_REQUESTS = [
    pytest.param(path.parent.name, exchange["request"], id=f"{path.parent.name}/{path.stem}#{i}")
    for path in sorted((fixtures_dir() / "embeddings").glob("*/*.json"))
    for i, exchange in enumerate(json.loads(Path(path).read_text("utf-8"))["exchanges"])
    if _spec_target(path.parent.name, exchange["request"]["path"].split("?")[0])
]


@pytest.mark.parametrize(("vendor", "request_"), FIXTURE_REQUESTS)
def test_fixture_request_bodies_are_valid_against_the_vendor_spec(
    vendor: str, request_: dict[str, Any]
) -> None:
    target = _spec_target(vendor, request_["path"].split("?")[0])
    assert target is not None
    assert_spec_valid(target[0], request_["body"], target[1])


def test_a_sigv4_signed_bedrock_embedding_is_signed_for_bedrock_in_its_region(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`BedrockProvider` with access keys: the Titan v2 request goes to the region's runtime host,
    signed `AWS4-HMAC-SHA256` for service `bedrock` over content-type, host and x-amz-date, with the
    signature botocore computes for the request that arrived (the fixture's bearer key is not sent)."""
    for var in ("AWS_BEARER_TOKEN_BEDROCK", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(var, raising=False)
    case = load_case("embeddings/bedrock", "titan_v2")
    (exchange,) = case.exchanges
    expected_headers = {k: v for k, v in exchange.request["headers"].items() if k != "authorization"}
    exchange.request = {**exchange.request, "headers": expected_headers}
    key, secret = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    async def main(transport: ToLoopback) -> EmbeddingResult:
        async with httpx.AsyncClient(transport=transport) as client:
            provider = BedrockProvider(
                aws_access_key_id=key,
                aws_secret_access_key=secret,
                region_name="eu-west-3",
                http_client=client,
            )
            model = BedrockEmbeddingModel("amazon.titan-embed-text-v2:0", provider=provider)
            return await model.embed("Hello world", input_type="document", settings={"dimensions": 256})

    with ReplayServer(case) as server:
        transport = ToLoopback(server.url)
        result = asyncio.run(main(transport))
        server.assert_requests_match()
    url = "https://bedrock-runtime.eu-west-3.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke"
    assert transport.urls == [url]
    (request,) = server.requests
    authorization = request.headers["authorization"]
    date = request.headers["x-amz-date"]
    assert re.fullmatch(
        rf"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{date[:8]}/eu-west-3/bedrock/aws4_request, "
        r"SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}",
        authorization,
    ), authorization
    assert request.headers["host"] == "bedrock-runtime.eu-west-3.amazonaws.com"
    assert "x-amz-security-token" not in request.headers

    reference = AWSRequest(
        method="POST",
        url=url,
        data=request.body,
        headers={"host": request.headers["host"], "content-type": request.headers["content-type"]},
    )
    signed_at = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ")
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=signed_at):
        botocore.auth.SigV4Auth(Credentials(key, secret), "bedrock", "eu-west-3").add_auth(reference)
    assert authorization == reference.headers["Authorization"]
    assert summary(result) == expect([V1], ["Hello world"], 3, "amazon.titan-embed-text-v2:0", "bedrock")
