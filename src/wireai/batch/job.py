"""`submit_batch` and `BatchJob`: requests in, one job out, however many vendor batches it takes.

Submitting is two passes. The first builds every request with the model's own `build_request`
(validating custom ids on the way) and writes the bodies to the store, split into vendor
batches at the vendor's limits; nothing is sent until all of it is written. The second submits
each vendor batch: claim it in the store, upload / create it tagged with wireai's job id, record
the vendor's id. A process killed in between leaves a claim that another process (`BatchJob.load`)
takes over by looking the vendor batch up before creating it again.

Results stream: each vendor batch's results are read as they download and each line goes through
the model's own `parse_response` (or `parse_error` for a request the vendor rejected).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Literal, Union, cast

from .._params import ModelRequestParameters
from ..codecs._base import json_bytes
from ..exceptions import ModelAPIError, ModelHTTPError, UnexpectedModelBehavior, UserError, snippet
from ..messages import ModelMessage
from ..models import Model, check_allow_model_requests, infer_model
from ..models._http import HTTPModel
from ..transport.http import RetryPolicy
from ._api import BatchAPI, Chunk, batch_api, unwrap_model
from ._jsonl import BadLine
from ._progress import ProgressArg, reporter
from ._types import (
    TERMINAL,
    BatchRequest,
    BatchRequestError,
    BatchResult,
    BatchStatus,
    LineResult,
    RequestCounts,
    VendorBatch,
)
from .store import BatchStore, ChunkRecord, JobRecord, default_store_path

__all__ = ["BatchJob", "RequestLike", "StoreArg", "open_store", "start_job", "submit_batch"]

StoreArg = Union[BatchStore, str, os.PathLike[str], None, Literal[False]]
RequestLike = Union[BatchRequest, tuple[str, Sequence[ModelMessage]]]
ENVELOPE = 64 * 1024  # room left under a vendor's byte limit for the upload's own framing
WRITE_EVERY = 2000
NEVER_RAN = {
    "expired": "the batch expired before this request ran",
    "cancelled": "the batch was cancelled before this request ran",
}

_stores: dict[str, BatchStore] = {}


def open_store(store: StoreArg) -> BatchStore:
    """`store=` of the batch API: None the default store, a path or a `BatchStore`, False none
    (an in-memory store that lives as long as the job object)."""
    if store is False:
        return BatchStore(":memory:")
    if isinstance(store, BatchStore):
        return store
    path = str(Path(store or default_store_path()).expanduser().resolve())
    if path not in _stores:  # one connection per file and process
        _stores[path] = BatchStore(path)
    return _stores[path]


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_stores.clear)  # a child must not share its parent's connections


def new_job_id() -> str:
    return f"wb-{uuid.uuid4().hex[:20]}"


def model_ref(model: HTTPModel) -> str:
    """The `provider:model` name `infer_model` makes this model from again, in another process."""
    prefix = "openai-responses" if model.codec.__name__.endswith("openai_responses") else model.provider.name
    return f"{prefix}:{model.model_name}"


def as_request(item: RequestLike) -> BatchRequest:
    if isinstance(item, BatchRequest):
        return item
    if (
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[1], Sequence)
        and not isinstance(item[1], str)
    ):
        return BatchRequest(item[0], list(item[1]))
    raise UserError(
        f"A batch request is a BatchRequest or a (custom_id, [messages]) pair, not {snippet(item, 100)}"
    )


async def build_job(
    api: BatchAPI,
    requests: Iterable[RequestLike],
    store: BatchStore,
    job_id: str,
    *,
    parent: str | None = None,
) -> None:
    """Build and record every request of a job (nothing is sent): bodies, custom ids, vendor batches."""
    model = api.model
    store.create_job(
        JobRecord(job_id, "requests", model_ref(model), api.vendor, base_url=model.base_url, parent=parent)
    )
    try:
        headers: dict[str, str] = {}
        chunks: list[list[int]] = []  # [requests, bytes] per vendor batch
        rows: list[tuple[int, str, int, bytes]] = []
        limit = api.max_bytes - ENVELOPE
        total = 0
        for seq, item in enumerate(requests):
            request = as_request(item)
            custom_id = api.check_custom_id(request.custom_id)  # uniqueness: the store's index
            messages = await model._inline_urls(list(request.messages))
            wire = model.build_request(
                messages, request.model_settings, request.model_request_parameters or ModelRequestParameters()
            )
            body = api.body(wire)
            api.merge_headers(headers, wire)
            size = len(api.frame(custom_id, body)) + 1
            if size > limit:
                raise UserError(
                    f"Batch request {custom_id!r} is {size:,} bytes, over {api.vendor}'s {limit:,} byte limit for a batch"
                )
            last = chunks[-1] if chunks else None
            if last is None or last[1] + size > limit or (api.max_requests and last[0] >= api.max_requests):
                chunks.append([0, 0])
            chunks[-1][0] += 1
            chunks[-1][1] += size
            rows.append((seq, custom_id, len(chunks) - 1, body))
            total = seq + 1
            if len(rows) >= WRITE_EVERY:
                store.add_requests(job_id, rows)
                rows = []
        if not total:
            raise UserError("A batch needs at least one request")
        store.add_requests(job_id, rows)
        store.finish_job(
            job_id, [(size, nbytes) for size, nbytes in chunks], {"headers": headers, "total": total}
        )
    except BaseException:
        store.delete_job(job_id)  # nothing was sent: a failed build leaves no trace
        raise


async def submit_batch(
    model: Model | str,
    requests: Iterable[RequestLike],
    *,
    store: StoreArg = None,
    job_id: str | None = None,
) -> BatchJob:
    """Submit requests to the model's vendor batch API (split into several vendor batches above its
    limits) and return the job once every vendor batch is created.

    `requests` are `BatchRequest`s or `(custom_id, messages)` pairs; each is built exactly as
    `model.request()` would send it. `store`: None records the job in the default store
    (`$WIREAI_BATCH_STORE`, else `$XDG_STATE_HOME/wireai/batches.sqlite`), a path or `BatchStore`
    there, False nowhere (the job cannot be resumed by another process). `job_id` (default: a new
    one) makes submitting idempotent: a job id already in the store returns that job, submitting
    whatever of it was not yet submitted, instead of sending its requests again.
    """
    check_allow_model_requests()
    return await start_job(batch_api(infer_model(model)), requests, open_store(store), job_id)


async def start_job(
    api: BatchAPI,
    requests: Iterable[RequestLike],
    store: BatchStore,
    job_id: str | None,
    *,
    parent: str | None = None,
) -> BatchJob:
    """Build, record and submit a job; a `job_id` already in the store gets that job, finished
    submitting (an agent run's round resumed after a crash comes back here)."""
    existing = store.job(job_id) if job_id is not None else None
    if existing is not None and existing.state == "building":
        store.delete_job(existing.id)  # a build interrupted before anything was sent: start over
        existing = None
    if existing is None:
        job_id = job_id or new_job_id()
        await build_job(api, requests, store, job_id, parent=parent)
        existing = store.job(job_id)
        assert existing is not None
    elif existing.model != model_ref(api.model):
        raise UserError(f"Batch job {existing.id!r} runs on {existing.model}, not {model_ref(api.model)}")
    job = BatchJob(store, existing, api)
    await job.submit()
    return job


def overall_status(statuses: Sequence[str]) -> BatchStatus:
    """One status for a job of several vendor batches: the least finished one's, and once all are
    finished the worst outcome (failed, expired, cancelled) over completed."""
    active = [s for s in statuses if s not in TERMINAL]
    if not active:
        for worst in ("failed", "expired", "cancelled"):
            if worst in statuses:
                return worst
        return "completed"
    if "cancelling" in active:
        return "cancelling"
    if len(active) == len(statuses) and all(s == "validating" for s in active):
        return "validating"
    if all(s == "finalizing" for s in active):
        return "finalizing"
    return "in_progress"


def is_transient(error: ModelAPIError) -> bool:
    """A failure that passes: the vendor unreachable, a 429 or a 5xx (as the transport retries)."""
    if isinstance(error, ModelHTTPError):
        return RetryPolicy().should_retry_status(error.status_code, error.headers)
    return True


class BatchJob:
    """A batch job: `id` (wireai's, the same in every process), `vendor_ids`, `status`,
    `raw_status`, `request_counts`; `refresh()`, `wait()`, `cancel()`, `results()`."""

    def __init__(self, store: BatchStore, record: JobRecord, api: BatchAPI):
        self.store = store
        self._record = record
        self._api = api
        self.model = api.model
        self._chunks = store.chunks(record.id)

    def __repr__(self) -> str:
        return f"BatchJob(id={self.id!r}, model={self._record.model!r}, status={self.status!r})"

    # ------------------------------------------------------------------------------ state

    @property
    def id(self) -> str:
        return self._record.id

    @property
    def vendor(self) -> str:
        return self._api.vendor

    @property
    def vendor_ids(self) -> list[str]:
        return [c.vendor_id for c in self._chunks if c.vendor_id]

    @property
    def status(self) -> BatchStatus:
        return overall_status([c.status for c in self._chunks])

    @property
    def raw_status(self) -> str:
        """The vendor's own word(s) for the state of its batch(es), e.g. Anthropic's `ended`."""
        words = [c.raw_status or c.state for c in self._chunks]
        return ", ".join(dict.fromkeys(words))

    @property
    def request_counts(self) -> RequestCounts:
        total = RequestCounts()
        for chunk in self._chunks:
            counts = chunk.counts
            if counts.total < chunk.size:  # a batch still validating reports no total yet
                counts = RequestCounts(
                    chunk.size, counts.succeeded, counts.errored, counts.cancelled, counts.expired
                )
            total += counts
        return total

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def _reload(self) -> None:
        self._chunks = self.store.chunks(self.id)

    def _save_summary(self) -> None:
        self.store.update_job(
            self.id, status=self.status, raw_status=self.raw_status, counts=self.request_counts
        )

    def _chunk(self, record: ChunkRecord) -> Chunk:
        store, job_id, idx = self.store, self.id, record.idx
        return Chunk(
            job_id,
            idx,
            record.size,
            record.nbytes,
            lambda: store.bodies(job_id, idx),
            dict(self._record.data.get("headers") or {}),
            record.file_id,
        )

    def _recorded(self, idx: int, batch: VendorBatch, *, cancel_requested: bool = False) -> None:
        if cancel_requested:  # Gemini has no cancelling state: it stays RUNNING until it ends
            batch.data["cancel_requested"] = True
            if batch.status not in TERMINAL:
                batch.status = "cancelling"
        self.store.update_chunk(
            self.id,
            idx,
            state="submitted",
            vendor_id=batch.id,
            status=batch.status,
            raw_status=batch.raw_status,
            counts=batch.counts,
            data=batch.data,
            error=batch.error,
            owner=None,
        )

    # ------------------------------------------------------------------------------ lifecycle

    async def submit(self) -> BatchJob:
        """Create every vendor batch not created yet (after a crash: look each interrupted one up first)."""
        self._reload()
        for record in self._chunks:
            if record.state in ("pending", "submitting"):
                await self._submit(record)
        self._reload()
        self._save_summary()
        return self

    async def _submit(self, record: ChunkRecord) -> VendorBatch | None:
        claimed = self.store.claim(self.id, record.idx)
        if claimed is None:
            return None  # another live process is submitting it, or it is done
        chunk = self._chunk(claimed)
        try:
            found = None
            if claimed.state == "submitting":
                since = claimed.claimed_at or self._record.created_at
                found = await self._api.find(chunk, since, self.store.vendor_ids(self.vendor))
            if found is None:

                def uploaded(file_id: str) -> None:
                    self.store.update_chunk(self.id, record.idx, file_id=file_id)

                found = await self._api.submit(chunk, uploaded)
        except BaseException as exc:
            self.store.release(self.id, record.idx, f"{type(exc).__name__}: {exc}")
            raise
        self._recorded(record.idx, found)
        return found

    async def refresh(self) -> BatchJob:
        """Submit what is not submitted yet, then ask the vendor how each unfinished batch stands."""
        self._reload()
        for record in self._chunks:
            if record.state in ("pending", "submitting"):
                await self._submit(record)
            elif record.state == "submitted" and record.status not in TERMINAL and record.vendor_id:
                cancelled = bool(record.data.get("cancel_requested"))
                self._recorded(record.idx, await self._api.get(record.vendor_id), cancel_requested=cancelled)
        self._reload()
        self._save_summary()
        return self

    async def wait(
        self, poll_interval: float = 30.0, timeout: float | None = None, progress: ProgressArg = False
    ) -> BatchJob:
        """Poll until the job has ended. A poll that fails for a passing reason (the vendor's 429 or
        5xx after the transport's own retries, a dropped connection) is tried again after
        `poll_interval` or the vendor's `Retry-After`, whichever is longer. `timeout` (seconds) raises
        `TimeoutError`, leaving the job running at the vendor. `progress`: True shows it on stderr,
        or a callable receives the job after every poll."""
        report = reporter(progress)
        started = time.monotonic()
        while True:
            delay = poll_interval
            try:
                await self.refresh()
            except ModelAPIError as exc:
                if not is_transient(exc):
                    raise
                asked = exc.retry_after if isinstance(exc, ModelHTTPError) else None
                delay = max(poll_interval, asked or 0.0)
                problem = getattr(report, "problem", None)
                if problem is not None:
                    problem(self, exc, delay)
            else:
                if report is not None:
                    report(self)
                if self.done:
                    return self
            if timeout is not None:
                remaining = timeout - (time.monotonic() - started)
                if remaining <= 0:
                    raise TimeoutError(
                        f"Batch job {self.id} is still {self.status} after {timeout:g} s; it keeps running at "
                        f"{self.vendor}: wait again later (BatchJob.load({self.id!r}))"
                    )
                delay = min(delay, remaining)
            await asyncio.sleep(delay)

    async def cancel(self) -> BatchJob:
        """Cancel every unfinished vendor batch (one never sent is cancelled here); what already ran
        keeps its results."""
        self._reload()
        for record in self._chunks:
            if record.state == "submitted" and record.status not in TERMINAL and record.vendor_id:
                self._recorded(record.idx, await self._api.cancel(record.vendor_id), cancel_requested=True)
            elif record.state in ("pending", "submitting"):
                await self._cancel_unsent(record)
        self._reload()
        self._save_summary()
        return self

    async def _cancel_unsent(self, record: ChunkRecord) -> None:
        claimed = self.store.claim(self.id, record.idx)
        if claimed is None:
            return
        found = None
        try:
            if claimed.state == "submitting":  # it may have reached the vendor before a crash
                since = claimed.claimed_at or self._record.created_at
                found = await self._api.find(self._chunk(claimed), since, self.store.vendor_ids(self.vendor))
                if found is not None and found.status not in TERMINAL:
                    found = await self._api.cancel(found.id)
        except BaseException as exc:
            self.store.release(self.id, record.idx, f"{type(exc).__name__}: {exc}")
            raise
        if found is not None:
            self._recorded(record.idx, found, cancel_requested=True)
        else:
            self.store.update_chunk(
                self.id,
                record.idx,
                state="cancelled",
                status="cancelled",
                raw_status="not submitted",
                owner=None,
            )

    # ------------------------------------------------------------------------------ results

    async def results(self) -> AsyncIterator[BatchResult]:
        """Every request's `BatchResult`, read as the vendor's result files download (each vendor
        batch in turn, its results in the vendor's order). A request the vendor rejected has its
        `ModelHTTPError`; one that never ran a `BatchRequestError`."""
        self._reload()
        if not self.done:
            raise UserError(
                f"Batch job {self.id} is {self.status}; its results come once it has ended (await job.wait())"
            )
        for record in self._chunks:
            async for result in self._chunk_results(record):
                yield result

    async def _chunk_results(self, record: ChunkRecord) -> AsyncIterator[BatchResult]:
        """One vendor batch's results (its own generator, so its bookkeeping is freed before the next)."""
        custom_ids = self.store.custom_ids(self.id, record.idx)
        unanswered = dict.fromkeys(custom_ids)  # in order; each answered one leaves
        bad: list[BadLine] = []
        if record.vendor_id:
            status = cast(BatchStatus, record.status)
            batch = VendorBatch(record.vendor_id, status, record.raw_status, record.counts, record.data)
            async for line in self._api.results(batch, custom_ids):
                if isinstance(line, BadLine):
                    bad.append(line)
                elif line.custom_id not in unanswered:
                    bad.append(
                        BadLine(
                            line.custom_id, "a result for a request this batch does not have, or a second one"
                        )
                    )
                else:
                    del unanswered[line.custom_id]
                    yield self._result(line)
        for custom_id in unanswered:
            yield BatchResult(custom_id, error=self._unanswered(record, custom_id, bad))

    def _result(self, line: LineResult) -> BatchResult:
        model = self.model
        if line.kind == "succeeded":
            if not isinstance(line.body, dict):
                error = UnexpectedModelBehavior(
                    f"{self.vendor} batch result {line.custom_id!r} has no response body", snippet(line.body)
                )
                return BatchResult(line.custom_id, error=error)
            try:
                return BatchResult(line.custom_id, response=model.parse_response(line.body))
            except (UnexpectedModelBehavior, ModelHTTPError) as exc:
                return BatchResult(line.custom_id, error=exc)
        if line.kind == "errored":
            raw = (
                line.body
                if isinstance(line.body, bytes)
                else json_bytes(line.body)
                if line.body is not None
                else b""
            )
            error = model.codec.parse_error(line.status_code or 400, raw, {}, model_name=model.model_name)
            return BatchResult(line.custom_id, error=error)
        message = line.message or NEVER_RAN[line.kind]
        return BatchResult(
            line.custom_id, error=BatchRequestError(line.custom_id, line.kind, message, line.code)
        )

    def _unanswered(self, record: ChunkRecord, custom_id: str, bad: list[BadLine]) -> Exception:
        if record.status in NEVER_RAN:
            return BatchRequestError(custom_id, record.status, NEVER_RAN[record.status])
        if record.status == "failed":
            return BatchRequestError(
                custom_id, "failed", record.error or f"{self.vendor} failed the whole batch"
            )
        if bad:
            return UnexpectedModelBehavior(
                f"{self.vendor} batch {record.vendor_id}: no readable result for {custom_id!r}; "
                f"{len(bad)} result line(s) could not be used, the first: {bad[0].reason}",
                bad[0].text,
            )
        return BatchRequestError(
            custom_id, "missing", f"{self.vendor}'s results for batch {record.vendor_id} have no line for it"
        )

    # ------------------------------------------------------------------------------ loading

    @classmethod
    async def load(cls, job_id: str, *, store: StoreArg = None, model: Model | str | None = None) -> BatchJob:
        """A job recorded in the store, in any process (after a crash: `refresh()` / `wait()` then
        finish what the lost process left, without submitting anything twice). The model is made
        again from its recorded name unless `model=` is given (e.g. one with your own http client)."""
        db = open_store(store)
        record = db.job(job_id)
        if record is None:
            raise UserError(f"No batch job {job_id!r} in {db}")
        if record.kind != "requests":
            raise UserError(
                f"Batch job {job_id!r} is an agent batch run; resume it with agent.run_batch(inputs, resume={job_id!r})"
            )
        if record.state == "building":
            raise UserError(
                f"Batch job {job_id!r} was interrupted while its requests were being recorded, before anything "
                "was sent; submit it again"
            )
        return cls(db, record, batch_api(job_model(record, model)))


def job_model(record: JobRecord, model: Model | str | None) -> HTTPModel:
    """The model a stored job runs on: the one given (which must be the job's), else made again
    from the job's model name (which must still point at the host the job was sent to)."""
    if model is not None:
        given = unwrap_model(infer_model(model))
        if model_ref(given) != record.model:
            raise UserError(f"Batch job {record.id!r} runs on {record.model}, not {model_ref(given)}")
        return given
    made = unwrap_model(infer_model(record.model))
    if record.base_url and made.base_url != record.base_url:
        raise UserError(
            f"Batch job {record.id!r} was sent to {record.base_url}, but {record.model} now points at "
            f"{made.base_url}; pass model= a model configured for {record.base_url}"
        )
    return made
