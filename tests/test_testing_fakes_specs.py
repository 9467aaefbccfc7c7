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
import wireai.batch.gemini as gemini_batch
from wireai.batch import BatchRequest, submit_batch
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


# ------------------------------------------------------------------------------------------ batch APIs

BATCH_VENDOR: dict[type[FakeVendor], str] = {
    FakeOpenAI: "openai",
    FakeAnthropic: "anthropic",
    FakeGemini: "gemini",
    FakeMistral: "mistral",
}
BATCH_PROMPT: list[Any] = [ModelRequest([UserPromptPart("Weather in Paris?")])]


def batch_requests(n: int) -> list[BatchRequest]:
    return [BatchRequest(f"q{i}", BATCH_PROMPT) for i in range(n)]


def check_batch(vendor: str, item: Sent) -> list[str]:
    """The spec errors of one batch API answer and of the model answers it carries (a JSONL file:
    each line), each prefixed with what was driven; `[]` for an answer of another endpoint."""
    kind = support.batch_answer_kind(vendor, item.request.method, item.request.url_path)
    reply = item.reply
    if kind is None or reply.chunks is not None:
        return []
    if reply.status >= 300:
        bodies = [(vendor, "error", json.loads(reply.body))]
    elif kind == "batch-lines":
        lines = [json.loads(line) for line in reply.body.splitlines() if line.strip()]
        bodies = [answer for line in lines for answer in support.batch_answers(vendor, "batch-line", line)]
    elif not reply.body:  # the start of Gemini's resumable upload: headers only
        return []
    else:
        bodies = support.batch_answers(vendor, kind, json.loads(reply.body))
    found: list[str] = []
    for name, what, body in bodies:
        if support.described(name, what):
            errors = support.response_errors(name, what, body)
            assert not isinstance(errors, str), errors
            found += [f"{item.what} ({what}, HTTP {reply.status}): {e}" for e in errors]
    return found


async def drive_batches(fake: FakeVendor, label: list[str]) -> None:
    """Every state a batch answer can be in: created, validating, in progress, completed with a
    text, a tool call and a rejected line; expired with one answer; cancelled; failed; a poll
    answered 429; list pages (full, and one batch per page after a cursor); result files."""
    batch = fake.batch
    assert batch is not None
    model = fake.model()

    async def run(what: str, n: int, *, cancel: bool = False) -> None:
        label[0] = what
        try:
            job = await submit_batch(model, batch_requests(n), store=False)
        except ModelHTTPError:  # Anthropic validates on creation: a failed batch is a 400 there
            return
        if cancel:
            await job.cancel()
        await job.wait(poll_interval=0.01)
        if job.status != "failed":
            [r async for r in job.results()]

    batch.processing_time = 0.1
    fake.add_text("Paris").add_tool_call("get_weather", {"city": "Rome"}).add_error(400, message="bad line")
    batch.fail_polls(429, retry_after=0.01)
    await run("completed batch", 3)
    batch.processing_time, batch.expire, batch.answered = 0.0, True, 1
    fake.add_text("first").add_text("never used")
    await run("expired batch", 2)
    batch.processing_time, batch.expire, batch.cancel_time = 60.0, False, 0.0
    fake.add_text("done before the cancel").add_text("x")
    await run("cancelled batch", 2, cancel=True)
    batch.processing_time, batch.fail = 0.0, "the input file has an invalid line"
    await run("failed batch", 1)
    batch.fail = None
    vendor = BATCH_VENDOR[type(fake)]
    if vendor == "gemini":  # above the inline size: the Files API's upload, a responses file
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(gemini_batch, "INLINE_LIMIT", 100)
            fake.add_text("uno").add_error(400, message="bad line")
            await run("batch from a file", 2)
    listing = {"openai": "/v1/batches", "anthropic": "/v1/messages/batches", "gemini": "/v1beta/batches",
               "mistral": "/v1/batch/jobs"}[vendor]  # fmt: skip
    cursor = {"openai": "after", "anthropic": "after_id"}.get(vendor)
    async with httpx.AsyncClient(base_url=fake.url) as client:
        label[0] = "list of batches"
        first = (await client.get(listing)).json()
        if cursor is not None:
            label[0] = "a page after a cursor"
            await client.get(listing, params={"limit": 1, cursor: first["data"][0]["id"]})


@pytest.mark.parametrize("fake_class", list(BATCH_VENDOR), ids=lambda c: c.__name__)
async def test_every_answer_of_the_batch_fake_matches_the_vendor_description(
    fake_class: type[FakeVendor],
) -> None:
    """Batch objects, file objects, result lines (and the answers in them), list pages and the
    errors of the batch endpoints, against the vendor's description of each (`support.BATCH_ENDPOINTS`;
    Gemini's batch API and OpenAI's and Mistral's output lines have none: `support.UNDESCRIBED`)."""
    vendor = BATCH_VENDOR[fake_class]
    sent: list[Sent] = []
    label = [""]
    async with fake_class() as fake:
        record(fake, sent, label)
        await drive_batches(fake, label)
    kinds = {support.batch_answer_kind(vendor, i.request.method, i.request.url_path) for i in sent}
    assert kinds >= {"batch", "batches", "batch-lines"}, kinds
    errors = [e for item in sent for e in check_batch(vendor, item)]
    assert errors == [], f"{len(errors)} errors:\n" + "\n".join(errors[:60])


# ------------------------------------------------------------------------------ stream order (Responses)


async def test_responses_streams_build_up_like_the_official_sdks_snapshot() -> None:
    """openai-python's `responses.stream()` keeps a snapshot of the response: it starts from
    `response.created`, appends each `response.output_item.added` item, appends each
    `response.content_part.added` part to its message, and adds every `response.output_text.delta`
    to `output[output_index].content[content_index]` (where it raised IndexError on the fake before
    issue 24). Built that way from every stream the fake sends, the snapshot ends as the finished
    items, message and call items are `in_progress` until their `response.output_item.done`, and
    sequence numbers count up from 0."""
    sent: list[Sent] = []
    label = [""]
    scripts = scripted() + fixture_answers("openai_responses")
    async with FakeOpenAIResponses() as fake:
        record(fake, sent, label)
        await drive(fake, scripts, label)
    streams = [item for item in sent if item.reply.chunks is not None]
    assert len(streams) == len(scripts)
    for item in streams:
        raw = b"".join(c for c in item.reply.chunks or () if isinstance(c, bytes))
        events = [data for _, data in support.stream_events(raw)]
        assert [e["sequence_number"] for e in events] == list(range(len(events))), item.what
        snapshot, finished = _accumulate(events, item.what)
        assert snapshot == finished, item.what


def _accumulate(events: list[dict[str, Any]], what: str) -> tuple[list[Any], list[Any]]:
    """(the snapshot's items as built from the deltas, the items as `output_item.done` sent them),
    each reduced to what the deltas carry."""
    assert events[0]["type"] == "response.created", what
    items: dict[int, dict[str, Any]] = {}
    done: dict[int, dict[str, Any]] = {}
    for event in events[1:]:
        kind, index = event["type"], event.get("output_index")
        if kind == "response.output_item.added":
            assert index not in items, what
            items[index] = json.loads(json.dumps(event["item"]))
            if items[index]["type"] in ("message", "function_call"):
                assert items[index]["status"] == "in_progress", what
        elif kind == "response.content_part.added":
            assert items[index]["type"] == "message", what
            items[index]["content"].append(dict(event["part"]))
        elif kind == "response.output_text.delta":
            part = items[index]["content"][event["content_index"]]
            assert part["type"] == "output_text", what
            part["text"] += event["delta"]
        elif kind == "response.output_text.done":
            assert items[index]["content"][event["content_index"]]["text"] == event["text"], what
        elif kind == "response.function_call_arguments.delta":
            assert items[index]["type"] == "function_call", what
            items[index]["arguments"] += event["delta"]
        elif kind == "response.output_item.done":
            assert index in items and index not in done, what
            done[index] = event["item"]
        elif kind in ("response.completed", "response.incomplete"):
            assert event["response"]["output"] == [done[i] for i in sorted(done)], what
    built = [_carried(items[i]) for i in sorted(items)]
    return built, [_carried(done[i]) for i in sorted(done)]


def _carried(item: dict[str, Any]) -> Any:
    """What a snapshot builds from deltas: a message's texts, a call's arguments, else the id."""
    if item["type"] == "message":
        return [c.get("text") for c in item["content"]]
    if item["type"] == "function_call":
        return item["arguments"]
    return item["id"]
