"""Mistral's batch API: `POST v1/files` (multipart, `purpose=batch`) with `{custom_id, body}` JSONL
lines, `POST v1/batch/jobs` naming the file, the endpoint and the model, `GET v1/batch/jobs/{id}`,
`POST v1/batch/jobs/{id}/cancel`, and `GET v1/files/{id}/content` for the output and error files,
whose lines have OpenAI's shape (`{custom_id, response: {status_code, body}, error}`).

Statuses: `QUEUED`, `RUNNING`, `SUCCESS`, `FAILED`, `TIMEOUT_EXCEEDED` (expired),
`CANCELLATION_REQUESTED`, `CANCELLED`. Limits: 1,000,000 requests per job, 512 MB per file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from typing import Any

from ..codecs._base import WireRequest, json_bytes, obj, text, token_count
from . import openai
from ._api import BatchAPI, Chunk, error_messages, vendor_tag_matches
from ._jsonl import BadLine
from ._types import BatchStatus, LineResult, RequestCounts, VendorBatch

__all__ = [
    "MistralBatchAPI",
    "cancel_job_request",
    "create_job_request",
    "file_content_request",
    "get_job_request",
    "list_jobs_request",
    "parse_job",
    "upload_file_request",
]

ENDPOINT = "/v1/chat/completions"
FILES = "v1/files"
STATUSES: dict[str, BatchStatus] = {
    "QUEUED": "validating",
    "RUNNING": "in_progress",
    "SUCCESS": "completed",
    "FAILED": "failed",
    "TIMEOUT_EXCEEDED": "expired",
    "CANCELLATION_REQUESTED": "cancelling",
    "CANCELLED": "cancelled",
}
LOOKUP_PAGES = 20


def upload_file_request(lines: Any, *, filename: str) -> WireRequest:
    """`POST v1/files`: Mistral's Files API is OpenAI's, under the version prefix."""
    return openai.upload_file_request(lines, filename=filename, files=FILES)


def create_job_request(
    file_id: str, model: str, metadata: dict[str, str], *, endpoint: str = ENDPOINT, timeout_hours: int = 24
) -> WireRequest:
    body = {
        "input_files": [file_id],
        "endpoint": endpoint,
        "model": model,
        "metadata": metadata,
        "timeout_hours": timeout_hours,
    }
    return WireRequest("POST", "v1/batch/jobs", body, {"content-type": "application/json"})


def get_job_request(job_id: str) -> WireRequest:
    return WireRequest("GET", f"v1/batch/jobs/{job_id}")


def cancel_job_request(job_id: str) -> WireRequest:
    return WireRequest("POST", f"v1/batch/jobs/{job_id}/cancel")


def list_jobs_request(created_after: float, page: int = 0, page_size: int = 100) -> WireRequest:
    after = datetime.fromtimestamp(created_after, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = {"created_after": after, "page": str(page), "page_size": str(page_size)}
    return WireRequest("GET", "v1/batch/jobs", query=query)


def file_content_request(file_id: str) -> WireRequest:
    return openai.file_content_request(file_id, files=FILES)


def frame_line(custom_id: str, body: bytes) -> bytes:
    return b'{"custom_id":%s,"body":%s}' % (json_bytes(custom_id), body)


def parse_job(body: dict[str, Any]) -> VendorBatch:
    raw = text(body.get("status")) or ""
    status = STATUSES.get(raw, "in_progress")
    return VendorBatch(
        id=str(body.get("id") or ""),
        status=status,
        raw_status=raw,
        counts=RequestCounts.settled(
            token_count(body.get("total_requests")),
            token_count(body.get("succeeded_requests")),
            token_count(body.get("failed_requests")),
            status,
        ),
        data={
            "input_files": body.get("input_files") or [],
            "output_file": body.get("output_file"),
            "error_file": body.get("error_file"),
            "metadata": body.get("metadata"),
        },
        error=error_messages(body.get("errors")),
    )


class MistralBatchAPI(BatchAPI):
    vendor = "Mistral"
    max_requests = 1_000_000
    max_bytes = 512_000_000

    def frame(self, custom_id: str, body: bytes) -> bytes:
        return frame_line(custom_id, body)

    async def submit(self, chunk: Chunk, on_file: Callable[[str], None]) -> VendorBatch:
        file_id = await self.upload_lines(chunk, upload_file_request, on_file)
        return parse_job(
            await self.http.json(create_job_request(file_id, self.model.model_name, chunk.metadata))
        )

    async def find(self, chunk: Chunk, since: float, known: set[str]) -> VendorBatch | None:
        for page in range(LOOKUP_PAGES):
            answer = await self.http.json(list_jobs_request(since - 600, page))
            items = [obj(item) for item in answer.get("data") or []]
            for item in items:
                job = parse_job(item)
                if job.id in known:
                    continue
                if vendor_tag_matches(item.get("metadata"), chunk) or (
                    chunk.file_id and chunk.file_id in job.data["input_files"]
                ):
                    return job
            if len(items) < 100:
                return None
        return None

    async def get(self, vendor_id: str) -> VendorBatch:
        return parse_job(await self.http.json(get_job_request(vendor_id)))

    async def cancel(self, vendor_id: str) -> VendorBatch:
        return parse_job(await self.http.json(cancel_job_request(vendor_id)))

    def results(self, batch: VendorBatch, custom_ids: list[str]) -> AsyncIterator[LineResult | BadLine]:
        files = (batch.data.get("output_file"), batch.data.get("error_file"))
        return self.read_files(files, file_content_request, openai.parse_result_line)
