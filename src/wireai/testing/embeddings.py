"""Fake embedding vendors: loopback servers answering each vendor's embeddings endpoint in its own format.

Unless told otherwise a fake embeds whatever it is sent: every input gets `vector_for(text)`, a
deterministic vector (of the requested width, else `dimensions`), so a test can check that
vectors come back on the right inputs after wireai split a call into several requests. Scripted
answers (`add_embeddings`, `add_error`, `add_rate_limit`, `add_reply`) are used first, in order,
one per request. Error bodies are each vendor's own (the chat fakes' shapes).

    with FakeOpenAIEmbeddings() as fake:
        embedder = Embedder(fake.model())
        result = embedder.embed_documents_sync(['a', 'b'])
        assert result['a'] == fake.vector_for('a')
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import uuid
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote

from .fakes import (
    FAKE_API_KEY,
    FakeBedrock,
    FakeCohere,
    FakeGemini,
    FakeMistral,
    FakeOpenAI,
    FakeVendor,
    azure_provider,
    bedrock_provider,
    default_message,
    google_gla_provider,
    google_vertex_provider,
    retry_after_headers,
)
from .server import LoopbackServer, RecordedRequest, Reply

if TYPE_CHECKING:
    from ..embeddings._http_model import HTTPEmbeddingModel

__all__ = [
    "FakeAzureEmbeddings",
    "FakeBedrockEmbeddings",
    "FakeCohereEmbeddings",
    "FakeEmbeddingVendor",
    "FakeGeminiEmbeddings",
    "FakeMistralEmbeddings",
    "FakeOpenAIEmbeddings",
    "FakeVertexEmbeddings",
    "FakeVoyageAIEmbeddings",
    "fake_embedding_vendor",
]

Answer = Callable[[RecordedRequest], Reply]


def tokens_of(text: str) -> int:
    """The fakes' token count of an input: its words (deterministic, no tokenizer)."""
    return len(text.split())


class FakeEmbeddingVendor(LoopbackServer):
    """A loopback embedding vendor; subclasses say its paths, how to read inputs and write answers."""

    vendor: ClassVar[str] = ""
    default_model: ClassVar[str] = ""
    path_pattern: ClassVar[str] = ".*"
    errors_like: ClassVar[type[FakeVendor]] = FakeOpenAI
    """The chat fake whose error bodies and headers this vendor's embeddings endpoint shares."""

    def __init__(self, *, dimensions: int = 8, latency: float = 0.0):
        """`dimensions`: the width of vectors when a request names none; `latency`: seconds the
        fake waits before each answer (to see requests overlap, or time out)."""
        self.dimensions = dimensions
        self.latency = latency
        self._answers: deque[Answer] = deque()
        self._errors = self.errors_like()
        super().__init__(self._answer)

    @property
    def pending(self) -> int:
        """Scripted answers not yet used."""
        return len(self._answers)

    # ------------------------------------------------------------------------------ scripting

    def vector_for(self, text: str, dimensions: int | None = None) -> list[float]:
        """The vector the fake gives `text` (`dimensions` wide, else the fake's default): multiples
        of 1/128 in [-1, 1), exact in float32, so float JSON and base64 decode to the same numbers."""
        dimensions = dimensions or self.dimensions
        raw = b""
        counter = 0
        while len(raw) < dimensions:
            raw += hashlib.blake2b(f"{counter}:{text}".encode(), digest_size=64).digest()
            counter += 1
        return [(byte - 128) / 128 for byte in raw[:dimensions]]

    def add_embeddings(
        self, vectors: list[list[float]], *, input_tokens: int | None = None
    ) -> FakeEmbeddingVendor:
        """Answer the next request with exactly these vectors (whatever it asked for)."""
        self._answers.append(lambda request: self._encode(request, vectors, input_tokens))
        return self

    def add_auto(self, times: int = 1) -> FakeEmbeddingVendor:
        """Embed the next `times` requests from their inputs (what an empty script does), so that
        a scripted answer after them hits a later request."""
        for _ in range(times):
            self._answers.append(self._embed)
        return self

    def add_error(
        self,
        status: int = 400,
        body: Any = None,
        *,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> FakeEmbeddingVendor:
        """A non-2xx answer; `body` defaults to the vendor's own error shape for that status."""
        if body is None:
            body = self.error_body(status, message or default_message(status))
        sent = {**self.error_headers(status), **(headers or {})}
        self._answers.append(lambda request: Reply.json(body, status, sent))
        return self

    def add_rate_limit(self, retry_after: float = 0.2, body: Any = None) -> FakeEmbeddingVendor:
        """A 429 asking to wait `retry_after` seconds (`retry_after_headers`), which wireai's
        transport waits out and retries."""
        return self.add_error(429, body, headers=retry_after_headers(retry_after))

    def add_reply(self, reply: Reply) -> FakeEmbeddingVendor:
        """A raw scripted HTTP answer (a body in pieces, a stall, a dropped connection...)."""
        self._answers.append(lambda request: reply)
        return self

    # ------------------------------------------------------------------------------ vendor specifics

    def inputs_of(self, request: RecordedRequest) -> list[str]:
        raise NotImplementedError

    def width_of(self, request: RecordedRequest) -> int | None:
        """The vector width the request asked for, if it did."""
        return None

    def encode(self, request: RecordedRequest, vectors: list[list[float]], input_tokens: int) -> Reply:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> Any:
        return self._errors.error_body(status, message)

    def error_headers(self, status: int) -> dict[str, str]:
        return self._errors.error_headers(status)

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPEmbeddingModel:
        """A ready embedding model pointed at this fake (a dummy key; `settings=` etc. pass through)."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------ serving

    def _answer(self, request: RecordedRequest) -> Reply:
        if not re.fullmatch(self.path_pattern, request.url_path):
            message = f"wireai {type(self).__name__}: {request.method} {request.url_path} is not a {self.vendor} embeddings endpoint"
            return Reply.json(self.error_body(404, message), 404, self.error_headers(404))
        answer = self._answers.popleft() if self._answers else self._embed
        reply = answer(request)
        reply.delay = reply.delay or self.latency
        return reply

    def _embed(self, request: RecordedRequest) -> Reply:
        width = self.width_of(request)
        texts = self.inputs_of(request)
        return self._encode(request, [self.vector_for(t, width) for t in texts], None)

    def _encode(
        self, request: RecordedRequest, vectors: list[list[float]], input_tokens: int | None
    ) -> Reply:
        if input_tokens is None:
            input_tokens = sum(tokens_of(t) for t in self.inputs_of(request))
        return self.encode(request, vectors, input_tokens)


def _body(request: RecordedRequest) -> dict[str, Any]:
    data = request.json()
    if not isinstance(data, dict):
        raise ValueError("the request body is not a JSON object")
    return data


def _float32_base64(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


# ============================================================================================ vendors


class FakeOpenAIEmbeddings(FakeEmbeddingVendor):
    """OpenAI's `POST {url}/v1/embeddings` (float JSON or base64, as the request's `encoding_format` says)."""

    vendor = "OpenAI"
    default_model = "text-embedding-3-small"
    path_pattern = r"/v1/embeddings"
    width_field: ClassVar[str] = "dimensions"

    def inputs_of(self, request: RecordedRequest) -> list[str]:
        given = _body(request)["input"]
        return [given] if isinstance(given, str) else list(given)

    def width_of(self, request: RecordedRequest) -> int | None:
        return _body(request).get(self.width_field)

    def requested_model(self, request: RecordedRequest) -> str:
        return str(_body(request).get("model", self.default_model))

    def encode(self, request: RecordedRequest, vectors: list[list[float]], input_tokens: int) -> Reply:
        base64_wanted = _body(request).get("encoding_format") == "base64"
        data = [
            {"object": "embedding", "index": i, "embedding": _float32_base64(v) if base64_wanted else v}
            for i, v in enumerate(vectors)
        ]
        return Reply.json(self.answer_body(request, data, input_tokens))

    def answer_body(
        self, request: RecordedRequest, data: list[dict[str, Any]], input_tokens: int
    ) -> dict[str, Any]:
        return {
            "object": "list",
            "data": data,
            "model": self.requested_model(request),
            "usage": {"prompt_tokens": input_tokens, "total_tokens": input_tokens},
        }

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPEmbeddingModel:
        from ..embeddings.openai import OpenAIEmbeddingModel

        kwargs.setdefault("api_key", FAKE_API_KEY)
        return OpenAIEmbeddingModel(model_name or self.default_model, base_url=self.url + "/v1", **kwargs)


_AZURE_CODES = {400: "BadRequest", 404: "DeploymentNotFound"}


class FakeAzureEmbeddings(FakeOpenAIEmbeddings):
    """Azure OpenAI's `POST {url}/openai/deployments/{deployment}/embeddings?api-version=...`."""

    vendor = "Azure OpenAI"
    path_pattern = r"/openai/deployments/(?P<deployment>[^/]+)/embeddings"
    api_version: ClassVar[str] = "2024-10-21"

    def requested_model(self, request: RecordedRequest) -> str:
        found = re.fullmatch(self.path_pattern, request.url_path)
        return unquote(found["deployment"]) if found else self.default_model

    def error_body(self, status: int, message: str) -> Any:
        """Azure's own error object: a string `code` (the status, or what is missing) and `message`."""
        return {"error": {"code": _AZURE_CODES.get(status, str(status)), "message": message}}

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPEmbeddingModel:
        from ..embeddings.openai import OpenAIEmbeddingModel

        provider = azure_provider(self.url, self.api_version, kwargs)
        return OpenAIEmbeddingModel(model_name or self.default_model, provider=provider, **kwargs)


class FakeMistralEmbeddings(FakeOpenAIEmbeddings):
    """Mistral's `POST {url}/v1/embeddings` (`output_dimension`; answers carry an `id`)."""

    vendor = "Mistral"
    default_model = "mistral-embed"
    errors_like = FakeMistral
    width_field = "output_dimension"

    def answer_body(
        self, request: RecordedRequest, data: list[dict[str, Any]], input_tokens: int
    ) -> dict[str, Any]:
        body = super().answer_body(request, data, input_tokens)
        body["usage"]["completion_tokens"] = 0
        return {"id": f"embd-{uuid.uuid4().hex[:24]}", **body}

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPEmbeddingModel:
        from ..embeddings.mistral import MistralEmbeddingModel

        kwargs.setdefault("api_key", FAKE_API_KEY)
        return MistralEmbeddingModel(model_name or self.default_model, base_url=self.url, **kwargs)


class FakeVoyageAIEmbeddings(FakeOpenAIEmbeddings):
    """Voyage AI's `POST {url}/v1/embeddings` (`output_dimension`; usage is `total_tokens` only)."""

    vendor = "Voyage AI"
    default_model = "voyage-3.5"
    width_field = "output_dimension"

    def answer_body(
        self, request: RecordedRequest, data: list[dict[str, Any]], input_tokens: int
    ) -> dict[str, Any]:
        return {**super().answer_body(request, data, input_tokens), "usage": {"total_tokens": input_tokens}}

    def error_body(self, status: int, message: str) -> Any:
        return {"detail": message}

    def error_headers(self, status: int) -> dict[str, str]:
        return {}

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPEmbeddingModel:
        from ..embeddings.voyageai import VoyageAIEmbeddingModel

        kwargs.setdefault("api_key", FAKE_API_KEY)
        return VoyageAIEmbeddingModel(model_name or self.default_model, base_url=self.url + "/v1", **kwargs)


class FakeCohereEmbeddings(FakeEmbeddingVendor):
    """Cohere's `POST {url}/v2/embed` (and `POST {url}/v1/tokenize`, for `count_tokens`)."""

    vendor = "Cohere"
    default_model = "embed-v4.0"
    path_pattern = r"/v2/embed|/v1/tokenize"
    errors_like = FakeCohere

    def inputs_of(self, request: RecordedRequest) -> list[str]:
        body = _body(request)
        return [body["text"]] if request.url_path == "/v1/tokenize" else list(body["texts"])

    def width_of(self, request: RecordedRequest) -> int | None:
        return _body(request).get("output_dimension")

    def encode(self, request: RecordedRequest, vectors: list[list[float]], input_tokens: int) -> Reply:
        body = _body(request)
        if request.url_path == "/v1/tokenize":
            words = body["text"].split()
            return Reply.json({"tokens": list(range(1000, 1000 + len(words))), "token_strings": words})
        return Reply.json(
            {
                "id": str(uuid.uuid4()),
                "embeddings": {"float": vectors},
                "texts": body["texts"],
                "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": input_tokens}},
                "response_type": "embeddings_by_type",
            }
        )

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPEmbeddingModel:
        from ..embeddings.cohere import CohereEmbeddingModel

        kwargs.setdefault("api_key", FAKE_API_KEY)
        return CohereEmbeddingModel(model_name or self.default_model, base_url=self.url, **kwargs)


_GOOGLE_PATH = r"(?P<prefix>.*)/models/(?P<model>[^/:]+):(?P<method>\w+)"


class FakeGeminiEmbeddings(FakeEmbeddingVendor):
    """The Gemini API's `{url}/v1beta/models/{m}:embedContent | :batchEmbedContents | :countTokens`."""

    vendor = "Gemini"
    default_model = "gemini-embedding-001"
    path_pattern = r"/v1beta/models/[^/:]+:(embedContent|batchEmbedContents|countTokens)"
    errors_like = FakeGemini
    base_path: ClassVar[str] = "/v1beta"

    @staticmethod
    def _method(request: RecordedRequest) -> str:
        found = re.fullmatch(_GOOGLE_PATH, request.url_path)
        return found["method"] if found else ""

    def _requests(self, request: RecordedRequest) -> list[dict[str, Any]]:
        body = _body(request)
        method = self._method(request)
        if method == "batchEmbedContents":
            return list(body["requests"])
        if method == "predict":
            return list(body["instances"])
        if method == "countTokens":
            return list(body.get("instances") or body.get("contents") or [])
        return [body]

    def inputs_of(self, request: RecordedRequest) -> list[str]:
        texts = []
        for item in self._requests(request):
            content = item.get("content", item)
            if isinstance(content, str):  # a Vertex AI `:predict` instance
                texts.append(content)
            else:
                texts.append("".join(part.get("text", "") for part in content.get("parts", [])))
        return texts

    def width_of(self, request: RecordedRequest) -> int | None:
        body = _body(request)
        for holder in (
            body.get("parameters") or {},
            body.get("embedContentConfig") or {},
            *self._requests(request)[:1],
        ):
            if holder.get("outputDimensionality"):
                return int(holder["outputDimensionality"])
        return None

    def encode(self, request: RecordedRequest, vectors: list[list[float]], input_tokens: int) -> Reply:
        method = self._method(request)
        if method == "countTokens":
            return Reply.json({"totalTokens": input_tokens})
        if method == "batchEmbedContents":
            return Reply.json({"embeddings": [{"values": v} for v in vectors]})
        if method == "predict":
            texts = self.inputs_of(request)
            predictions = [
                {"embeddings": {"statistics": {"truncated": False, "token_count": tokens_of(t)}, "values": v}}
                for t, v in zip(texts, vectors)
            ]
            characters = sum(len(t) for t in texts)
            return Reply.json(
                {"predictions": predictions, "metadata": {"billableCharacterCount": characters}}
            )
        body: dict[str, Any] = {"embedding": {"values": vectors[0] if vectors else []}}
        if "embedContentConfig" in _body(request):  # Vertex AI's embedContent reports usage
            body["usageMetadata"] = {"promptTokenCount": input_tokens, "totalTokenCount": input_tokens}
        return Reply.json(body)

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPEmbeddingModel:
        from ..embeddings.google import GoogleEmbeddingModel

        provider = google_gla_provider(self.url + self.base_path, kwargs)
        return GoogleEmbeddingModel(model_name or self.default_model, provider=provider, **kwargs)


class FakeVertexEmbeddings(FakeGeminiEmbeddings):
    """Vertex AI's `.../publishers/google/models/{m}:predict | :embedContent | :countTokens`."""

    vendor = "Vertex AI"
    default_model = "text-embedding-005"
    base_path = "/v1/projects/fake-project/locations/us-central1/publishers/google"
    path_pattern = re.escape(base_path) + r"/models/[^/:]+:(predict|embedContent|countTokens)"

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPEmbeddingModel:
        from ..embeddings.google import GoogleEmbeddingModel

        provider = google_vertex_provider(self.url + self.base_path, kwargs)
        return GoogleEmbeddingModel(model_name or self.default_model, provider=provider, **kwargs)


_BEDROCK_PATH = r"/model/(?P<model>[^/]+)/invoke"


class FakeBedrockEmbeddings(FakeEmbeddingVendor):
    """Bedrock Runtime's `POST {url}/model/{modelId}/invoke` for Titan, Cohere and Nova embeddings."""

    vendor = "Bedrock"
    default_model = "amazon.titan-embed-text-v2:0"
    path_pattern = _BEDROCK_PATH
    errors_like = FakeBedrock

    @staticmethod
    def _family(request: RecordedRequest) -> str:
        from ..codecs.embeddings.bedrock import family

        found = re.fullmatch(_BEDROCK_PATH, request.url_path)
        return family(unquote(found["model"]) if found else "")[0]

    def inputs_of(self, request: RecordedRequest) -> list[str]:
        body = _body(request)
        kind = self._family(request)
        if kind == "titan":
            return [body["inputText"]]
        if kind == "cohere":
            return list(body["texts"])
        return [body["singleEmbeddingParams"]["text"]["value"]]

    def width_of(self, request: RecordedRequest) -> int | None:
        body = _body(request)
        return (
            body.get("dimensions")
            or body.get("output_dimension")
            or (body.get("singleEmbeddingParams") or {}).get("embeddingDimension")
        )

    def encode(self, request: RecordedRequest, vectors: list[list[float]], input_tokens: int) -> Reply:
        kind = self._family(request)
        counted = {"x-amzn-bedrock-input-token-count": str(input_tokens)}
        if kind == "titan":
            body: dict[str, Any] = {
                "embedding": vectors[0] if vectors else [],
                "inputTextTokenCount": input_tokens,
            }
        elif kind == "cohere":
            body = {
                "id": str(uuid.uuid4()),
                "embeddings": vectors,
                "texts": self.inputs_of(request),
                "response_type": "embeddings_floats",
            }
        else:
            body = {"embeddings": [{"embeddingType": "TEXT", "embedding": v} for v in vectors]}
        return Reply.json(body, headers=counted)

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPEmbeddingModel:
        """Bearer-token auth (a Bedrock API key), so no AWS credentials or botocore are needed."""
        from ..embeddings.bedrock import BedrockEmbeddingModel

        provider = bedrock_provider(self.url, kwargs)
        return BedrockEmbeddingModel(model_name or self.default_model, provider=provider, **kwargs)


_FAKES: dict[str, type[FakeEmbeddingVendor]] = {
    "openai": FakeOpenAIEmbeddings,
    "azure": FakeAzureEmbeddings,
    "mistral": FakeMistralEmbeddings,
    "voyageai": FakeVoyageAIEmbeddings,
    "cohere": FakeCohereEmbeddings,
    "google-gla": FakeGeminiEmbeddings,
    "google-vertex": FakeVertexEmbeddings,
    "bedrock": FakeBedrockEmbeddings,
}


def fake_embedding_vendor(name: str, **kwargs: Any) -> FakeEmbeddingVendor:
    """A (not yet started) fake by provider name: `'openai'`, `'cohere'`, `'google-vertex'`, `'bedrock'`, ..."""
    try:
        return _FAKES[name](**kwargs)
    except KeyError:
        raise ValueError(
            f"Unknown fake embedding vendor {name!r}; known: {', '.join(sorted(_FAKES))}"
        ) from None
