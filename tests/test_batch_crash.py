"""Crash safety and concurrency of batch jobs, with real processes: a process killed after the
vendor received its batch but before it could record the batch's id is replaced by another that
finds the batch at the vendor instead of creating it again; two processes share one store."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from wireai.batch import BatchJob, BatchRequest, BatchStore
from wireai.batch._api import batch_api
from wireai.batch.job import build_job
from wireai.messages import ModelRequest, ModelResponse, TextPart, UserPromptPart
from wireai.testing import FakeAnthropic, FakeGemini, FakeMistral, FakeOpenAI, FakeVendor

POLL = 0.02
# A child process: a fake (not started) of the same class only to build a model pointed at the
# parent's fake, then one job submitted to the store.
CHILD = """
import asyncio, sys
from wireai.batch import BatchRequest, BatchJob, submit_batch
from wireai.messages import ModelRequest, UserPromptPart
from wireai import testing
fake = getattr(testing, sys.argv[1])()
fake.server.port = int(sys.argv[2])
store, what = sys.argv[3], sys.argv[4]
async def main():
    if what.startswith("submit:"):
        prefix = what.split(":", 1)[1]
        requests = [BatchRequest(f"{prefix}{i}", [ModelRequest([UserPromptPart(f"q {i}")])]) for i in range(3)]
        job = await submit_batch(fake.model(), requests, store=store)
        await job.wait(poll_interval=0.02)
        print(job.id, job.status, sum([1 async for r in job.results() if r.ok]))
    else:
        job = await BatchJob.load(what, store=store, model=fake.model())
        await job.refresh()
        print(job.id, job.vendor_ids)
asyncio.run(main())
"""


def child(fake: FakeVendor, store: Path, what: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, type(fake).__name__, str(fake.server.port), str(store), what],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def answer_by_id(fake: Any) -> None:
    fake.batch.responder = lambda custom_id, body: ModelResponse([TextPart(f"answer {custom_id}")])


def wait_until(condition: Any, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("fake_class", [FakeOpenAI, FakeAnthropic, FakeGemini, FakeMistral])
async def test_a_process_killed_between_submission_and_recording_is_resumed_without_resubmitting(
    fake_class: type[FakeVendor], tmp_path: Path
) -> None:
    """The child's batch creation reaches the vendor, which holds its answer back; the child is
    killed (SIGKILL) before it can record the vendor's id. Loaded in this process, the job finds the
    vendor batch by wireai's tag (OpenAI and Mistral: metadata and the uploaded file; Gemini: the
    display name; Anthropic: created since the claim, with the job's number of requests) and ends
    with every result, the vendor having created exactly one batch."""
    store = tmp_path / "batches.sqlite"
    with fake_class() as fake:
        assert fake.batch is not None
        answer_by_id(fake)
        fake.batch.stall_create(30)
        process = child(fake, store, "submit:q")
        try:
            wait_until(lambda: fake.batch is not None and fake.batch.creates == 1)
        finally:
            process.kill()
            process.communicate()
        [record] = BatchStore(store).jobs()
        [chunk] = BatchStore(store).chunks(record.id)
        assert (chunk.state, chunk.vendor_id) == ("submitting", None)  # killed before it could record
        job = await BatchJob.load(record.id, store=store, model=fake.model())
        await job.wait(poll_interval=POLL)
        results = {r.custom_id: r.response.text async for r in job.results() if r.response}
        assert fake.batch.creates == 1
        assert job.vendor_ids == list(fake.batch.batches)
    assert results == {f"q{i}": f"answer q{i}" for i in range(3)}


async def test_a_claim_left_by_a_dead_process_before_the_vendor_had_anything_is_submitted_once(
    tmp_path: Path,
) -> None:
    """Killed after claiming but before the vendor received anything: the lookup finds nothing, so
    the batch is created, once."""
    path = tmp_path / "b.sqlite"
    store = BatchStore(path)
    with FakeOpenAI() as fake:
        assert fake.batch is not None
        answer_by_id(fake)
        api = batch_api(fake.model())
        requests = [BatchRequest(f"q{i}", [ModelRequest([UserPromptPart("x")])]) for i in range(2)]
        await build_job(api, requests, store, "wb-dead-claim")
        dead = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
        )
        store.claim("wb-dead-claim", 0)
        store.update_chunk("wb-dead-claim", 0, owner=f"{os.uname().nodename}:{dead.stdout.strip()}")
        job = await BatchJob.load("wb-dead-claim", store=path, model=fake.model())
        await job.wait(poll_interval=POLL)
        lookups = [r for r in fake.requests if r.method == "GET" and r.url_path == "/v1/batches"]
        assert fake.batch.creates == 1 and len(lookups) == 1
        assert len([r async for r in job.results() if r.ok]) == 2


async def test_two_processes_submit_and_wait_on_one_store(tmp_path: Path) -> None:
    store = tmp_path / "shared.sqlite"
    with FakeOpenAI() as fake:
        assert fake.batch is not None
        answer_by_id(fake)
        fake.batch.processing_time = 0.3
        processes = [child(fake, store, f"submit:{prefix}") for prefix in ("a", "b")]
        outputs = [p.communicate(timeout=60) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    finished = sorted(out.split()[1:] for out, _ in outputs)
    assert finished == [["completed", "3"], ["completed", "3"]]
    jobs = BatchStore(store).jobs()
    assert sorted(j.id for j in jobs) == sorted(out.split()[0] for out, _ in outputs)
    assert all(j.status == "completed" and j.counts.succeeded == 3 for j in jobs)
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM requests").fetchone()[0] == 6


@pytest.mark.parametrize("attempt", range(2))
async def test_two_processes_resuming_one_job_create_its_vendor_batch_once(
    attempt: int, tmp_path: Path
) -> None:
    """A job recorded but not submitted, taken up by two processes at once: one claims the vendor
    batch and creates it, the other sees the live claim (or the recorded batch) and leaves it."""
    path = tmp_path / "b.sqlite"
    with FakeOpenAI() as fake:
        assert fake.batch is not None
        answer_by_id(fake)
        fake.batch.stall_create(0.3)
        requests = [BatchRequest(f"q{i}", [ModelRequest([UserPromptPart("x")])]) for i in range(2)]
        await build_job(batch_api(fake.model()), requests, BatchStore(path), "wb-race")
        processes = [child(fake, path, "wb-race") for _ in range(2)]
        outputs = [p.communicate(timeout=60) for p in processes]
        assert [p.returncode for p in processes] == [0, 0], outputs
        assert fake.batch.creates == 1
        [chunk] = BatchStore(path).chunks("wb-race")
    assert chunk.state == "submitted" and chunk.vendor_id == next(iter(fake.batch.batches))
    assert json.dumps(outputs).count(chunk.vendor_id) >= 1
