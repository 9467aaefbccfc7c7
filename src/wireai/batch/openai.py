"""The OpenAI Batch API, as OpenAI, Azure OpenAI (global batch deployments) and Groq serve it.

`POST files` (multipart, `purpose=batch`) with a JSONL file of `{custom_id, method, url, body}`
lines, `POST batches` naming the file, `GET batches/{id}` to poll, `POST batches/{id}/cancel`,
and `GET files/{id}/content` for the output file (successes) and the error file (requests the
vendor rejected, and those that expired or were cancelled). Paths are relative to the provider's
base URL, so Azure's `/openai/...?api-version=` and Groq's `/openai/v1` come from the provider.

Limits: OpenAI 50,000 requests and 200 MB per file; Azure 100,000 and 200 MB; Groq 50,000 and
100 MB (its API reference's figure).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from ..codecs._base import WireRequest, json_bytes, obj, text, token_count
from ._api import BatchAPI, Chunk, error_messages, vendor_tag_matches
from ._files import multipart_upload
from ._jsonl import BadLine
from ._types import BatchStatus, LineResult, RequestCounts, VendorBatch

__all__ = [
    "OpenAIBatchAPI",
    "cancel_batch_request",
    "create_batch_request",
    "file_content_request",
    "get_batch_request",
    "list_batches_request",
    "parse_batch",
    "parse_result_line",
    "upload_file_request",
]

STATUSES: frozenset[str] = frozenset(
    {"validating", "in_progress", "finalizing", "completed", "failed", "expired", "cancelling", "cancelled"}
)
# Error codes of error-file lines that carry no HTTP response: the request never ran.
NEVER_RAN = {"batch_expired": "expired", "batch_cancelled": "cancelled"}
ERROR_CODE_STATUS = {"rate_limit_exceeded": 429, "server_error": 500, "timeout": 408}
LOOKUP_PAGES = 20


# ------------------------------------------------------------------------------------------ requests


def upload_file_request(lines: Any, *, filename: str, files: str = "files") -> WireRequest:
    """`POST files`: the JSONL input file, `purpose=batch` (`files`: where the Files API is)."""
    return multipart_upload(
        files, {"purpose": "batch"}, lines, filename=filename, media_type="application/jsonl"
    )


def create_batch_request(
    input_file_id: str, endpoint: str, metadata: dict[str, str], *, completion_window: str = "24h"
) -> WireRequest:
    body = {
        "input_file_id": input_file_id,
        "endpoint": endpoint,
        "completion_window": completion_window,
        "metadata": metadata,
    }
    return WireRequest("POST", "batches", body, {"content-type": "application/json"})


def get_batch_request(batch_id: str) -> WireRequest:
    return WireRequest("GET", f"batches/{batch_id}")


def cancel_batch_request(batch_id: str) -> WireRequest:
    return WireRequest("POST", f"batches/{batch_id}/cancel")


def list_batches_request(after: str | None = None, limit: int = 100) -> WireRequest:
    query = {"limit": str(limit)}
    if after:
        query["after"] = after
    return WireRequest("GET", "batches", query=query)


def file_content_request(file_id: str, *, files: str = "files") -> WireRequest:
    """`GET files/{id}/content`: an output or error file (`files`: where the Files API is)."""
    return WireRequest("GET", f"{files}/{file_id}/content")


def frame_line(custom_id: str, url: str, body: bytes) -> bytes:
    """`{"custom_id", "method", "url", "body"}` with the body's bytes as the model made them."""
    return b'{"custom_id":%s,"method":"POST","url":%s,"body":%s}' % (
        json_bytes(custom_id),
        json_bytes(url),
        body,
    )


# ------------------------------------------------------------------------------------------ responses


def parse_batch(body: dict[str, Any]) -> VendorBatch:
    """A `Batch` object: status, counts and the file ids its results come in."""
    raw = text(body.get("status")) or ""
    status: BatchStatus = raw if raw in STATUSES else "in_progress"  # type: ignore[assignment]
    counts = obj(body.get("request_counts"))
    return VendorBatch(
        id=str(body.get("id") or ""),
        status=status,
        raw_status=raw,
        counts=RequestCounts.settled(
            token_count(counts.get("total")),
            token_count(counts.get("completed")),
            token_count(counts.get("failed")),
            status,
        ),
        data={
            name: body.get(name) or None  # Azure answers "" for a file not written yet
            for name in ("input_file_id", "output_file_id", "error_file_id", "created_at", "metadata")
        },
        error=error_messages(obj(body.get("errors")).get("data")),
    )


def parse_result_line(line: dict[str, Any]) -> LineResult | BadLine:
    """One line of an output or error file: `{custom_id, response: {status_code, body}, error}`."""
    custom_id = line.get("custom_id")
    if not isinstance(custom_id, str):
        return BadLine(json_bytes(line)[:200].decode(errors="replace"), "a result line without a custom_id")
    response = line.get("response")
    if isinstance(response, dict) and isinstance(response.get("status_code"), int):
        status = response["status_code"]
        if 200 <= status < 300:
            return LineResult(custom_id, "succeeded", body=response.get("body"), status_code=status)
        return LineResult(custom_id, "errored", body=response.get("body"), status_code=status)
    error = obj(line.get("error"))
    code = text(error.get("code"))
    message = text(error.get("message"))
    never_ran = NEVER_RAN.get(code or "")
    if never_ran:
        return LineResult(custom_id, never_ran, code=code, message=message)  # type: ignore[arg-type]
    if error:
        status = ERROR_CODE_STATUS.get(code or "", 400)
        return LineResult(
            custom_id, "errored", body={"error": error}, status_code=status, code=code, message=message
        )
    return BadLine(
        json_bytes(line)[:200].decode(errors="replace"), "a result line with neither a response nor an error"
    )


# ------------------------------------------------------------------------------------------ the API


class OpenAIBatchAPI(BatchAPI):
    vendor = "OpenAI"
    max_requests = 50_000
    max_bytes = 200_000_000

    def __init__(self, model: Any):
        super().__init__(model)
        host = model.provider.name
        responses = model.codec.__name__.endswith("openai_responses")
        if host == "azure":
            self.vendor, self.max_requests = "Azure OpenAI", 100_000
            self.url = "/v1/responses" if responses else "/chat/completions"
        else:
            self.url = "/v1/responses" if responses else "/v1/chat/completions"
        if host == "groq":
            self.vendor, self.max_bytes = "Groq", 100_000_000

    def body(self, wire: WireRequest) -> bytes:
        body = super().body(wire)
        model = self.model
        if model.provider.endpoint(wire.path, model.model_name).model_in_path:
            # Azure's deployments API names the deployment in the URL, so the model's body carries no
            # `model`; a batch line has no such URL, and Azure wants the deployment in the body instead.
            body = b'{"model":%s%s%s' % (
                json_bytes(model.model_name),
                b"," if body != b"{}" else b"",
                body[1:],
            )
        return body

    def frame(self, custom_id: str, body: bytes) -> bytes:
        return frame_line(custom_id, self.url, body)

    async def submit(self, chunk: Chunk, on_file: Callable[[str], None]) -> VendorBatch:
        file_id = await self.upload_lines(chunk, upload_file_request, on_file)
        return parse_batch(await self.http.json(create_batch_request(file_id, self.url, chunk.metadata)))

    async def find(self, chunk: Chunk, since: float, known: set[str]) -> VendorBatch | None:
        after: str | None = None
        for _ in range(LOOKUP_PAGES):
            page = await self.http.json(list_batches_request(after))
            items = [obj(item) for item in page.get("data") or []]
            for item in items:
                batch = parse_batch(item)
                if batch.id in known:
                    continue
                if vendor_tag_matches(item.get("metadata"), chunk) or (
                    chunk.file_id and batch.data.get("input_file_id") == chunk.file_id
                ):
                    return batch
            created = [token_count(item.get("created_at")) for item in items]
            if not page.get("has_more") or not items or (created and min(created) < since - 600):
                return None
            after = text(page.get("last_id")) or text(items[-1].get("id"))
        return None

    async def get(self, vendor_id: str) -> VendorBatch:
        return parse_batch(await self.http.json(get_batch_request(vendor_id)))

    async def cancel(self, vendor_id: str) -> VendorBatch:
        return parse_batch(await self.http.json(cancel_batch_request(vendor_id)))

    def results(self, batch: VendorBatch, custom_ids: list[str]) -> AsyncIterator[LineResult | BadLine]:
        files = (batch.data.get("output_file_id"), batch.data.get("error_file_id"))
        return self.read_files(files, file_content_request, parse_result_line)
