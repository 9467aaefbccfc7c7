"""Every fake vendor sends what the vendor's own API description says it sends.

Each fake answers a representative script — text, a tool call after text, parallel tool calls,
thinking, usage with cache reads and writes, a response cut at the length limit, every 2xx answer
of the vendor's hand-written fixtures read back through the codec (native tools, files,
citations, refusals...), and the vendor's errors — as JSON and as its stream, over a real socket
to the real model. Every body, SSE event and event-stream frame that leaves the fake is then
checked against the vendor's response schemas (`support.response_errors`, `support.stream_errors`),
so a field the description requires and the fake leaves out fails here.
"""

from __future__ import annotations

import contextlib
import importlib
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

import support
from wireai.embeddings import Embedder
from wireai.exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError
from wireai.messages import ModelRequest, ModelResponse, TextPart, ThinkingPart, ToolCallPart, UserPromptPart
from wireai.models import ModelRequestParameters
from wireai.testing import (
    FakeAnthropic,
    FakeAzureEmbeddings,
    FakeBedrock,
    FakeBedrockEmbeddings,
    FakeCohere,
    FakeCohereEmbeddings,
    FakeEmbeddingVendor,
    FakeGemini,
    FakeGeminiEmbeddings,
    FakeGroq,
    FakeMistral,
    FakeMistralEmbeddings,
    FakeOpenAI,
    FakeOpenAIEmbeddings,
    FakeOpenAIResponses,
    FakeVendor,
    FakeVertex,
    FakeVertexEmbeddings,
    FakeVoyageAIEmbeddings,
    Reply,
)
from wireai.testing.fixtures import fixtures_dir
from wireai.testing.server import RecordedRequest
from wireai.usage import RequestUsage

support.require_shared(support.SPECS / "validate.py", "checking the fakes against the vendors' specs")

# The fixture folder of each fake: its answers are the fake's to re-send, and it names the
# description the fake's answers are checked against (`support.answer_schema`).
FOLDER: dict[type[FakeVendor], str] = {
    FakeOpenAI: "openai_chat",
    FakeOpenAIResponses: "openai_responses",
    FakeGroq: "groq",
    FakeAnthropic: "anthropic",
    FakeGemini: "gemini",
    FakeVertex: "vertex",
    FakeMistral: "mistral",
    FakeCohere: "cohere",
    FakeBedrock: "bedrock",
}
PROTOCOL = {"groq": "openai_chat", "vertex": "gemini"}
ERRORS = (400, 401, 403, 404, 429, 500, 503)
CACHED = RequestUsage(input_tokens=1200, output_tokens=40, cache_read_tokens=1000, cache_write_tokens=150)


@dataclass
class Script:
    name: str
    response: ModelResponse
    headers: dict[str, str] = field(default_factory=dict)  # sent with the request


def scripted() -> list[Script]:
    """What every fake is asked to send, beside its fixtures' answers."""

    def response(*parts: Any, usage: RequestUsage | None = None, finish: Any = None) -> ModelResponse:
        return ModelResponse(
            list(parts), usage=usage or RequestUsage(input_tokens=12, output_tokens=7), finish_reason=finish
        )

    weather = ToolCallPart("get_weather", {"city": "Paris"}, "call_0001")
    clock = ToolCallPart("get_time", {"zone": "Europe/Paris", "24h": True}, "call_0002")
    thought = ThinkingPart("The user wants a number.", signature="c2lnbmF0dXJl")
    return [
        Script("text", response(TextPart("Hello! How can I help you today? I can answer at length."))),
        Script("text_then_tool", response(TextPart("Let me check."), weather, finish="tool_call")),
        Script("parallel_tools", response(weather, clock, finish="tool_call")),
        Script("thinking", response(thought, TextPart("42"))),
        Script("cache_usage", response(TextPart("From the cache."), usage=CACHED)),
        Script("length", response(TextPart("This answer is cut"), finish="length")),
    ]


def fixture_answers(folder: str) -> list[Script]:
    """Every 2xx JSON answer of the folder's fixtures, as the codec reads it (what a test that
    scripts the fake with a parsed response sends back), asked for with the fixture's betas."""
    codec = importlib.import_module(f"wireai.codecs.{PROTOCOL.get(folder, folder)}")
    out = []
    for path in sorted((fixtures_dir() / folder).glob("*.json")):
        for i, exchange in enumerate(json.loads(path.read_text("utf-8"))["exchanges"]):
            answer, asked = exchange["response"], exchange["request"]
            path_asked = asked.get("path", "")
            if "json" not in answer or answer.get("status", 200) >= 300 or _counts_tokens(path_asked):
                continue
            try:
                parsed = codec.parse_response(answer["json"], model_name="fixture-model")
            except (ModelHTTPError, UnexpectedModelBehavior):
                continue  # an error inside a 200 body, or no answer in it: nothing to re-send
            betas = {k: v for k, v in asked.get("headers", {}).items() if k.lower() == "anthropic-beta"}
            out.append(Script(f"{path.stem}#{i}", parsed, betas))
    return out


def _counts_tokens(path: str) -> bool:
    return any(word in path for word in ("count_tokens", "countTokens", "count-tokens", "input_tokens"))


@dataclass
class Sent:
    what: str
    request: RecordedRequest
    reply: Reply


def record(fake: FakeVendor | FakeEmbeddingVendor, sent: list[Sent], label: list[str]) -> None:
    """Keep every reply the fake puts on the wire, with the request it answered."""
    server = fake.server if isinstance(fake, FakeVendor) else fake
    answer = server.handler

    def recording(request: RecordedRequest) -> Reply:
        reply = answer(request)
        assert isinstance(reply, Reply)
        sent.append(Sent(label[0], request, reply))
        return reply

    server.handler = recording


def check(folder: str, item: Sent) -> list[str]:
    """The spec errors of one reply (`[]`: it matches), each prefixed with what was scripted."""
    reply = item.reply
    raw = reply.body if reply.chunks is None else b"".join(c for c in reply.chunks if isinstance(c, bytes))
    stream = reply.chunks is not None
    request = {"path": item.request.path, "headers": item.request.headers}
    vendor, kind = support.answer_schema(folder, "", request, reply.status, stream, reply.headers)
    if not support.described(vendor, kind):
        return []
    if stream:
        errors = support.stream_errors(vendor, kind, raw)
    else:
        errors = support.response_errors(vendor, kind, json.loads(raw))
    assert not isinstance(errors, str), errors
    return [f"{item.what} ({kind}, HTTP {reply.status}): {e}" for e in errors]


async def drive(fake: FakeVendor, scripts: list[Script], label: list[str]) -> None:
    """Each script once as JSON and once streamed, through the fake's own model."""
    model = fake.model()
    messages: list[Any] = [ModelRequest([UserPromptPart("Weather in Paris?")])]
    params = ModelRequestParameters()
    for script in scripts:
        settings: Any = {"extra_headers": script.headers} if script.headers else None
        label[0] = f"{script.name} json"
        fake.add_response(script.response)
        await model.request(messages, settings, params)
        label[0] = f"{script.name} stream"
        fake.add_response(script.response)
        async with model.request_stream(messages, settings, params) as stream:
            async for _ in stream:
                pass


def error_path(fake: FakeVendor) -> str:
    """A path the fake answers on (its errors do not depend on the request)."""
    model = fake.model()
    wire = model.build_request([ModelRequest([UserPromptPart("hi")])], None, ModelRequestParameters())
    return model.base_url.removeprefix(fake.url) + "/" + wire.path


@pytest.mark.parametrize("fake_class", list(FOLDER), ids=lambda c: c.__name__)
async def test_every_answer_of_the_fake_matches_the_vendor_description(fake_class: type[FakeVendor]) -> None:
    folder = FOLDER[fake_class]
    sent: list[Sent] = []
    label = [""]
    scripts = scripted() + fixture_answers(folder)
    async with fake_class() as fake:
        record(fake, sent, label)
        await drive(fake, scripts, label)
        path = error_path(fake)
        async with httpx.AsyncClient(base_url=fake.url) as client:
            for status in ERRORS:
                label[0] = f"error {status}"
                fake.add_error(status)
                await client.post(path, json={"stream": False})
            if isinstance(fake, FakeAnthropic):
                label[0] = "token count"
                fake.add_token_count(42)
                await client.post("/v1/messages/count_tokens", json={})
    assert len(sent) == 2 * len(scripts) + len(ERRORS) + isinstance(fake, FakeAnthropic)
    errors = [e for item in sent for e in check(folder, item)]
    assert errors == [], f"{len(errors)} errors:\n" + "\n".join(errors[:60])


# ------------------------------------------------------------------------------------------ embeddings

EMBEDDING_FOLDER: dict[type[FakeEmbeddingVendor], str] = {
    FakeOpenAIEmbeddings: "embeddings/openai",
    FakeAzureEmbeddings: "embeddings/azure",
    FakeMistralEmbeddings: "embeddings/mistral",
    FakeVoyageAIEmbeddings: "embeddings/voyageai",
    FakeCohereEmbeddings: "embeddings/cohere",
    FakeGeminiEmbeddings: "embeddings/gemini",
    FakeVertexEmbeddings: "embeddings/vertex",
    FakeBedrockEmbeddings: "embeddings/bedrock",
}
# Models that take each of a vendor's request shapes (Vertex: predict or embedContent; Bedrock:
# Titan, Cohere or Nova bodies; OpenAI: float or base64).
EMBEDDING_MODELS: dict[type[FakeEmbeddingVendor], tuple[str | None, ...]] = {
    FakeVertexEmbeddings: ("text-embedding-005", "gemini-embedding-001"),
    FakeBedrockEmbeddings: (
        "amazon.titan-embed-text-v2:0",
        "cohere.embed-english-v3",
        "amazon.nova-2-multimodal-embeddings-v1:0",
    ),
}


@pytest.mark.parametrize("fake_class", list(EMBEDDING_FOLDER), ids=lambda c: c.__name__)
async def test_every_answer_of_the_embedding_fake_matches_the_vendor_description(
    fake_class: type[FakeEmbeddingVendor],
) -> None:
    """Documents, a query, a requested width, token counts where the vendor counts them, errors."""
    sent: list[Sent] = []
    label = [""]
    async with fake_class(dimensions=4) as fake:
        record(fake, sent, label)
        for name in EMBEDDING_MODELS.get(fake_class, (None,)):
            embedder = Embedder(fake.model(name))
            label[0] = f"{name} documents"
            await embedder.embed_documents(["alpha beta", "gamma"])
            label[0] = f"{name} query, 3 wide"
            with contextlib.suppress(UserError):  # a model of fixed width
                await embedder.embed_query("delta", settings={"dimensions": 3})
            label[0] = f"{name} token count"
            with contextlib.suppress(UserError, NotImplementedError):  # the vendor counts no tokens
                await embedder.count_tokens("alpha beta gamma")
        path = sent[0].request.path
        async with httpx.AsyncClient(base_url=fake.url) as client:
            for status in ERRORS:
                label[0] = f"error {status}"
                fake.add_error(status)
                await client.post(path, json={})
    errors = [e for item in sent for e in check(EMBEDDING_FOLDER[fake_class], item)]
    assert errors == [], f"{len(errors)} errors:\n" + "\n".join(errors[:60])
