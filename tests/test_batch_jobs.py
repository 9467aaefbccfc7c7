"""A batch job across vendor batches and processes: splitting at the vendors' limits, custom id
rules checked before anything is sent, the SQLite store (where it lives, WAL, the intent written
before submission, the vendor batch tagged with wireai's job id), idempotent job ids, and the
vendors that have no batch API wireai speaks."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from wireai import Agent
from wireai.batch import BatchJob, BatchRequest, BatchStore, default_store_path, submit_batch
from wireai.batch.anthropic import AnthropicBatchAPI
from wireai.batch.openai import OpenAIBatchAPI
from wireai.direct import model_request_batch
from wireai.exceptions import UserError
from wireai.messages import ModelRequest, UserPromptPart
from wireai.models.fallback import FallbackModel
from wireai.models.test import TestModel
from wireai.testing import (
    FakeAnthropic,
    FakeBedrock,
    FakeGemini,
    FakeMistral,
    FakeOpenAI,
    FakeVertex,
    LoopbackServer,
    Reply,
)
from wireai.testing.batches import multipart

POLL = 0.01


def prompt(text: str) -> list[Any]:
    return [ModelRequest([UserPromptPart(text)])]


def requests_for(n: int, prefix: str = "q") -> list[BatchRequest]:
    return [BatchRequest(f"{prefix}{i}", prompt(f"question {i}")) for i in range(n)]


def respond_with_id(fake: Any) -> None:
    from wireai.messages import ModelResponse, TextPart

    fake.batch.responder = lambda custom_id, body: ModelResponse([TextPart(f"answer {custom_id}")])


# ---------------------------------------------------------------------------------------------- splitting


async def test_above_the_request_limit_one_job_spans_several_vendor_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """OpenAI takes 50,000 requests per batch: above that (here the limit is lowered to 2) the job
    is split into vendor batches of at most the limit, each its own file and batch, in order, and
    reads as one job: one status, summed counts, every result."""
    monkeypatch.setattr(OpenAIBatchAPI, "max_requests", 2)
    with FakeOpenAI() as fake:
        respond_with_id(fake)
        job = await submit_batch(fake.model(), requests_for(5), store=False)
        assert len(job.vendor_ids) == 3
        await job.wait(poll_interval=POLL)
        results = [r async for r in job.results()]
        uploads = [multipart(r)["file"].count(b"\n") for r in fake.requests if r.url_path == "/v1/files"]
        creates = [r.json()["metadata"] for r in fake.requests if r.url_path == "/v1/batches"]
    assert uploads == [2, 2, 1]
    assert creates == [{"wireai_job": job.id, "wireai_part": str(i)} for i in range(3)]
    assert job.status == "completed" and job.request_counts.total == 5 and job.request_counts.succeeded == 5
    assert [r.custom_id for r in results] == [f"q{i}" for i in range(5)]
    assert [r.response.text for r in results] == [f"answer q{i}" for i in range(5)]  # type: ignore[union-attr]


async def test_above_the_byte_limit_the_split_follows_the_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Anthropic takes 256 MB per batch: the bodies are counted as they are built, and a batch that
    would go over the limit (here lowered so two requests fit) starts a new vendor batch."""
    from wireai.batch import job as job_module

    model = FakeAnthropic().model()
    one = (
        len(
            AnthropicBatchAPI(model).frame(
                "q0", model.build_request(prompt("question 0"), None, _params()).content()
            )
        )
        + 1
    )
    monkeypatch.setattr(AnthropicBatchAPI, "max_bytes", job_module.ENVELOPE + 2 * one + 1)
    with FakeAnthropic() as fake:
        respond_with_id(fake)
        job = await submit_batch(fake.model(), requests_for(5), store=False)
        sizes = [len(r.json()["requests"]) for r in fake.requests if r.url_path == "/v1/messages/batches"]
        await job.wait(poll_interval=POLL)
        results = {r.custom_id async for r in job.results()}
    assert sizes == [2, 2, 1] and len(job.vendor_ids) == 3
    assert results == {f"q{i}" for i in range(5)}


def _params() -> Any:
    from wireai.models import ModelRequestParameters

    return ModelRequestParameters()


async def test_a_request_over_the_byte_limit_alone_is_refused_before_anything_is_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wireai.batch import job as job_module

    monkeypatch.setattr(OpenAIBatchAPI, "max_bytes", job_module.ENVELOPE + 50)
    with FakeOpenAI() as fake:
        with pytest.raises(UserError, match="over OpenAI's 50 byte limit"):
            await submit_batch(fake.model(), requests_for(1), store=False)
        assert fake.requests == []


# ---------------------------------------------------------------------------------------------- custom ids


@pytest.mark.parametrize(
    ("fake_class", "custom_id", "message"),
    [
        (FakeAnthropic, "has space", "1 to 64 letters, digits"),
        (FakeAnthropic, "x" * 65, "1 to 64 letters, digits"),
        (FakeAnthropic, "ok.dot", "1 to 64 letters, digits"),
        (FakeOpenAI, "", "a non-empty string"),
        (FakeGemini, 7, "a non-empty string"),
        (FakeMistral, None, "a non-empty string"),
    ],
)
async def test_custom_ids_are_checked_against_the_vendors_rules_before_anything_is_sent(
    fake_class: Any, custom_id: Any, message: str, tmp_path: Path
) -> None:
    store = BatchStore(tmp_path / "b.sqlite")
    with fake_class() as fake:
        requests = [BatchRequest("fine", prompt("a")), BatchRequest(custom_id, prompt("b"))]
        with pytest.raises(UserError, match=message):
            await submit_batch(fake.model(), requests, store=store)
        assert fake.requests == []
    assert store.jobs() == []  # the aborted build left nothing behind


async def test_a_custom_id_given_twice_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    store = BatchStore(tmp_path / "b.sqlite")
    with FakeOpenAI() as fake:
        requests = [
            BatchRequest("same", prompt("a")),
            BatchRequest("other", prompt("b")),
            BatchRequest("same", prompt("c")),
        ]
        with pytest.raises(UserError, match="'same' is given twice"):
            await submit_batch(fake.model(), requests, store=store)
        assert fake.requests == []
    assert store.jobs() == []


async def test_anthropic_accepts_its_full_custom_id_alphabet() -> None:
    with FakeAnthropic() as fake:
        respond_with_id(fake)
        custom_id = "Az09_-" * 10 + "abcd"
        job = await submit_batch(fake.model(), [BatchRequest(custom_id, prompt("a"))], store=False)
        await job.wait(poll_interval=POLL)
        assert [r.custom_id async for r in job.results()] == [custom_id]


# ---------------------------------------------------------------------------------------------- the store


def test_the_default_store_is_in_the_state_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("WIREAI_BATCH_STORE", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert default_store_path() == tmp_path / "state" / "wireai" / "batches.sqlite"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_store_path() == tmp_path / ".local" / "state" / "wireai" / "batches.sqlite"
    monkeypatch.setenv("WIREAI_BATCH_STORE", str(tmp_path / "mine.sqlite"))
    assert default_store_path() == tmp_path / "mine.sqlite"
    store = BatchStore()
    assert store.path == tmp_path / "mine.sqlite" and store.path.exists()
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_submit_uses_the_default_store_when_none_is_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WIREAI_BATCH_STORE", str(tmp_path / "default.sqlite"))
    with FakeOpenAI() as fake:
        respond_with_id(fake)
        job = await submit_batch(fake.model(), requests_for(2))
    assert [j.id for j in BatchStore(tmp_path / "default.sqlite").jobs()] == [job.id]


async def test_the_intent_is_written_before_the_vendor_batch_is_created(tmp_path: Path) -> None:
    """While the vendor is still answering the creation, the store already holds the job, every
    request's body and custom id, and a claimed vendor batch with the uploaded file's id; the
    vendor batch carries wireai's job id."""
    path = tmp_path / "b.sqlite"
    with FakeOpenAI() as fake:
        assert fake.batch is not None
        respond_with_id(fake)
        fake.batch.stall_create(0.5)
        model = fake.model()
        task = asyncio.ensure_future(submit_batch(model, requests_for(3), store=path))
        while fake.batch.creates == 0:
            await asyncio.sleep(0.01)
        other = BatchStore(path)  # another connection, as another process would see it
        [job] = other.jobs()
        [chunk] = other.chunks(job.id)
        assert (job.model, job.vendor, job.state) == ("openai:gpt-4o", "OpenAI", "ready")
        assert (chunk.state, chunk.vendor_id, chunk.size) == ("submitting", None, 3)
        assert chunk.file_id is not None and chunk.owner is not None
        assert other.custom_ids(job.id, 0) == ["q0", "q1", "q2"]
        assert [body for _, body in other.bodies(job.id, 0)] == [
            model.build_request(r.messages, None, _params()).content() for r in requests_for(3)
        ]
        submitted = await task
        [batch] = fake.batch.batches.values()
    assert batch.metadata == {"wireai_job": job.id, "wireai_part": "0"}
    [chunk] = other.chunks(job.id)
    assert (chunk.state, chunk.vendor_id, chunk.owner) == ("submitted", batch.id, None)
    assert submitted.id == job.id


async def test_a_job_id_already_in_the_store_is_not_submitted_twice(tmp_path: Path) -> None:
    store = BatchStore(tmp_path / "b.sqlite")
    with FakeOpenAI() as fake:
        assert fake.batch is not None
        respond_with_id(fake)
        first = await submit_batch(fake.model(), requests_for(2), store=store, job_id="nightly-2026-12-02")
        again = await submit_batch(fake.model(), requests_for(2), store=store, job_id="nightly-2026-12-02")
        assert fake.batch.creates == 1
        assert again.id == first.id == "nightly-2026-12-02" and again.vendor_ids == first.vendor_ids
        with pytest.raises(UserError, match="runs on openai:gpt-4o, not openai:gpt-4o-mini"):
            await submit_batch(
                fake.model("gpt-4o-mini"), requests_for(2), store=store, job_id="nightly-2026-12-02"
            )


async def test_load_in_another_process_finds_the_model_by_name_and_checks_its_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "b.sqlite"
    with FakeOpenAI() as fake:
        respond_with_id(fake)
        job = await submit_batch(fake.model(), requests_for(2), store=path)
        monkeypatch.setenv("OPENAI_API_KEY", "fake-api-key")
        monkeypatch.setenv("OPENAI_BASE_URL", "https://elsewhere.example/v1")
        with pytest.raises(UserError, match="was sent to http://127.0.0.1"):
            await BatchJob.load(job.id, store=path)
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        loaded = await BatchJob.load(job.id, store=path)
        await loaded.wait(poll_interval=POLL)
        assert loaded.vendor_ids == job.vendor_ids
        assert [r.response.text async for r in loaded.results()] == ["answer q0", "answer q1"]  # type: ignore[union-attr]
        with pytest.raises(UserError, match="No batch job 'nope'"):
            await BatchJob.load("nope", store=path)


async def test_results_before_the_end_are_a_user_error() -> None:
    with FakeOpenAI() as fake:
        assert fake.batch is not None
        fake.batch.processing_time = 60
        respond_with_id(fake)
        job = await submit_batch(fake.model(), requests_for(1), store=False)
        with pytest.raises(UserError, match="await job.wait"):
            async for _ in job.results():
                pass
        with pytest.raises(TimeoutError, match="keeps running at OpenAI"):
            await job.wait(poll_interval=POLL, timeout=0.05)


async def test_a_vendor_that_returns_no_line_for_a_request_says_so() -> None:
    """A result file missing a request, or with a line that is not JSON: that request's result is
    an error naming what happened, never a silent gap."""
    with FakeOpenAI() as fake:
        assert fake.batch is not None
        respond_with_id(fake)
        job = await submit_batch(fake.model(), requests_for(3), store=False)
        await job.refresh()
        [batch] = fake.batch.batches.values()
        output = fake.batch.files[batch.files["output"]].splitlines()
        fake.batch.files[batch.files["output"]] = output[0] + b"\n{not json\n"
        results = {r.custom_id: r async for r in job.results()}
    assert results["q0"].ok
    for custom_id in ("q1", "q2"):
        error = results[custom_id].error
        assert type(error).__name__ == "UnexpectedModelBehavior"
        assert "1 result line(s) could not be used, the first: not JSON" in str(error)


# ---------------------------------------------------------------------------------------------- direct


async def test_model_request_batch_returns_results_in_the_order_given() -> None:
    """The vendor answers in its own order (OpenAI: the output file, then the error file); the
    direct call returns one result per request in the order they were given."""
    with FakeOpenAI() as fake:
        fake.add_error(400, message="no").add_text("two").add_text("three")
        results = await model_request_batch(
            fake.model(), [("a", prompt("1")), ("b", prompt("2")), ("c", prompt("3"))],
            model_settings={"max_tokens": 5}, store=False, poll_interval=POLL,
        )  # fmt: skip
        line_settings = [
            json.loads(line)["body"]["max_tokens"]
            for line in multipart(fake.requests[0])["file"].splitlines()
        ]
    assert [r.custom_id for r in results] == ["a", "b", "c"]
    assert [r.ok for r in results] == [False, True, True]
    assert [r.response.text for r in results[1:]] == ["two", "three"]  # type: ignore[union-attr]
    assert line_settings == [5, 5, 5]


# ---------------------------------------------------------------------------------------------- no batch API


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (
            lambda: FakeBedrock().model(),
            "S3.*https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference.html",
        ),
        (lambda: FakeVertex().model(), "Cloud Storage.*https://cloud.google.com/vertex-ai/"),
        (lambda: TestModel(), "TestModel has no batch API"),
        (
            lambda: FallbackModel(FakeOpenAI().model(), FakeAnthropic().model()),
            "one of the FallbackModel's models",
        ),
        (lambda: "cohere:command-r-plus", "cohere .* has no batch API"),
    ],
)
async def test_vendors_without_a_batch_api_are_a_user_error_saying_what_to_do(
    model: Any, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CO_API_KEY", "x")
    with pytest.raises(UserError, match=message):
        await submit_batch(model(), requests_for(1), store=False)
    agent = Agent(model())
    with pytest.raises(UserError, match=message):
        await agent.run_batch(["hi"], store=False)


@pytest.mark.parametrize(
    "item", [("a", ModelRequest([UserPromptPart("x")])), ("a", "just text"), ["a", []], "a"]
)
async def test_a_request_that_is_neither_a_batch_request_nor_a_pair_is_a_user_error(item: Any) -> None:
    with FakeOpenAI() as fake:
        with pytest.raises(UserError, match=r"a BatchRequest or a \(custom_id, \[messages\]\) pair"):
            await submit_batch(fake.model(), [item], store=False)
        assert fake.requests == []


async def test_extra_headers_cannot_travel_per_request_and_are_refused() -> None:
    with FakeOpenAI() as fake:
        request = BatchRequest("a", prompt("x"), {"extra_headers": {"x-trace": "1"}})
        with pytest.raises(UserError, match="per-request headers .*x-trace"):
            await submit_batch(fake.model(), [request], store=False)
        assert fake.requests == []


# ---------------------------------------------------------------------------------------------- transport


async def test_a_large_raw_body_goes_out_in_slices_with_its_content_length() -> None:
    """A multi-megabyte upload is written to the socket in 1 MiB slices (never a second copy in
    the transport's buffer), declared by Content-Length, and arrives whole."""
    from wireai.codecs._base import WireRequest
    from wireai.models._http import send_wire_request
    from wireai.providers.openai import OpenAIProvider
    from wireai.transport.http import BodyPieces

    data = bytes(range(256)) * (3 * 4096 + 7)  # 3 MiB and a bit
    pieces = [piece async for piece in BodyPieces(data)]
    assert [len(p) for p in pieces[:-1]] == [1 << 20] * 3 and b"".join(pieces) == data
    with LoopbackServer(lambda request: Reply.json({"size": len(request.body)})) as server:
        provider = OpenAIProvider(base_url=server.url, api_key="k")
        response = await send_wire_request(provider, WireRequest("POST", "files", data=data), model_name="m")
        [received] = server.requests
    assert response.json() == {"size": len(data)}
    assert received.body == data
    assert (
        received.headers["content-length"] == str(len(data)) and "transfer-encoding" not in received.headers
    )


def test_import_wireai_imports_neither_sqlite3_nor_the_batch_package() -> None:
    import subprocess
    import sys

    code = "import sys, wireai; print(sorted(m for m in sys.modules if m == 'sqlite3' or m.startswith('wireai.batch')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
