"""The Gemini API's batch mode (Generative Language API, `google-gla`).

`POST models/{model}:batchGenerateContent` with `batch.inputConfig` holding the requests inline
(`requests.requests: [{request, metadata: {key}}]`, each `request` the `generateContent` body the
model builds) while the whole call stays under the inline limit (20 MB), or naming a JSONL file
(`{"key", "request"}` lines) uploaded through the Files API's resumable upload above it. The answer
is a long-running operation `batches/{id}`: `GET batches/{id}` to poll (`metadata.state`,
`metadata.batchStats`), `POST batches/{id}:cancel`; results come inline in the operation's
`response.inlinedResponses` (in request order) or as a JSONL file (`response.responsesFile`)
downloaded from `download/v1beta/{file}:download?alt=media`.

Upload and download live beside the versioned base URL (`https://host/upload/v1beta/files`), so
those requests name absolute URLs on the provider's own host.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from ..codecs._base import WireRequest, json_bytes, obj, text
from ..exceptions import UnexpectedModelBehavior
from ._api import BatchAPI, Chunk
from ._files import json_array, jsonl
from ._jsonl import BadLine
from ._types import BatchStatus, LineResult, RequestCounts, VendorBatch

__all__ = [
    "GeminiBatchAPI",
    "cancel_batch_request",
    "create_batch_request",
    "download_request",
    "get_batch_request",
    "list_batches_request",
    "parse_batch",
    "parse_file_line",
    "parse_result",
    "upload_finish_request",
    "upload_start_request",
]

INLINE_LIMIT = 20_000_000
JSONL = "application/jsonl"
STATES: dict[str, BatchStatus] = {
    "PENDING": "validating",
    "RUNNING": "in_progress",
    "SUCCEEDED": "completed",
    "FAILED": "failed",
    "CANCELLED": "cancelled",
    "EXPIRED": "expired",
}
LOOKUP_PAGES = 20


def _roots(base_url: str) -> tuple[str, str]:
    """(origin, versioned path) of a base URL such as `https://host/v1beta`."""
    url = httpx.URL(base_url)
    origin = str(url.copy_with(path="/", query=None, fragment=None)).rstrip("/")
    return origin, url.path.rstrip("/")


def model_path(model: str) -> str:
    return model if model.startswith(("models/", "tunedModels/")) else f"models/{model}"


# ------------------------------------------------------------------------------------------ requests


def create_batch_request(
    model: str, display_name: str, *, items: Any = None, file_name: str | None = None
) -> WireRequest:
    """`batchGenerateContent` with pre-encoded inline `{request, metadata}` items, or a file's name."""
    path = f"{model_path(model)}:batchGenerateContent"
    headers = {"content-type": "application/json"}
    if file_name is not None:
        body = {"batch": {"displayName": display_name, "inputConfig": {"fileName": file_name}}}
        return WireRequest("POST", path, body, headers)
    head = b'{"batch":{"displayName":%s,"inputConfig":{"requests":{"requests":[' % json_bytes(display_name)
    return WireRequest("POST", path, headers=headers, data=json_array(head, items, b"]}}}}"))


def upload_start_request(base_url: str, nbytes: int, display_name: str) -> WireRequest:
    """Start a resumable upload: the answer's `x-goog-upload-url` is where the bytes go."""
    origin, version = _roots(base_url)
    headers = {
        "content-type": "application/json",
        "x-goog-upload-protocol": "resumable",
        "x-goog-upload-command": "start",
        "x-goog-upload-header-content-length": str(nbytes),
        "x-goog-upload-header-content-type": JSONL,
    }
    return WireRequest(
        "POST", f"{origin}/upload{version}/files", {"file": {"displayName": display_name}}, headers
    )


def upload_finish_request(session_url: str, data: bytes) -> WireRequest:
    headers = {
        "x-goog-upload-offset": "0",
        "x-goog-upload-command": "upload, finalize",
        "content-type": JSONL,
    }
    return WireRequest("POST", session_url, headers=headers, data=data)


def get_batch_request(name: str) -> WireRequest:
    return WireRequest("GET", name)


def cancel_batch_request(name: str) -> WireRequest:
    return WireRequest("POST", f"{name}:cancel")


def list_batches_request(page_token: str | None = None, page_size: int = 100) -> WireRequest:
    query = {"pageSize": str(page_size)}
    if page_token:
        query["pageToken"] = page_token
    return WireRequest("GET", "batches", query=query)


def download_request(base_url: str, file_name: str) -> WireRequest:
    origin, version = _roots(base_url)
    return WireRequest("GET", f"{origin}/download{version}/{file_name}:download", query={"alt": "media"})


def frame_line(custom_id: str, body: bytes) -> bytes:
    """A line of the input file: `{"key", "request"}`."""
    return b'{"key":%s,"request":%s}' % (json_bytes(custom_id), body)


def frame_inline(custom_id: str, body: bytes) -> bytes:
    """An inlined request: `{"request", "metadata": {"key"}}`."""
    return b'{"request":%s,"metadata":{"key":%s}}' % (body, json_bytes(custom_id))


# ------------------------------------------------------------------------------------------ responses


def _count(value: Any) -> int:
    """An int64 count, which proto3 JSON writes as a string."""
    try:
        return int(value) if not isinstance(value, bool) else 0
    except (TypeError, ValueError):
        return 0


def _batch(operation: dict[str, Any]) -> dict[str, Any]:
    """The `GenerateContentBatch`: an operation's metadata, or the object itself."""
    metadata = obj(operation.get("metadata"))
    return metadata if "state" in metadata or "displayName" in metadata else operation


def _output(operation: dict[str, Any]) -> dict[str, Any]:
    return obj(operation.get("response")) or obj(_batch(operation).get("output"))


def parse_batch(operation: dict[str, Any]) -> VendorBatch:
    batch = _batch(operation)
    raw = text(batch.get("state")) or ""
    status = STATES.get(re.sub(r"^(BATCH|JOB)_STATE_", "", raw), "in_progress")
    error = obj(operation.get("error"))
    if error and operation.get("done"):
        status = "failed"
    stats = obj(batch.get("batchStats"))
    counts = RequestCounts.settled(
        _count(stats.get("requestCount")),
        _count(stats.get("successfulRequestCount")),
        _count(stats.get("failedRequestCount")),
        status,
    )
    output = _output(operation)
    return VendorBatch(
        id=str(operation.get("name") or batch.get("name") or ""),
        status=status,
        raw_status=raw,
        counts=counts,
        data={
            "display_name": batch.get("displayName"),
            "file_name": obj(batch.get("inputConfig")).get("fileName"),
            "responses_file": output.get("responsesFile"),
            "inline": "inlinedResponses" in output,
        },
        error=text(error.get("message")),
    )


def inline_responses(operation: dict[str, Any]) -> list[Any]:
    found = _output(operation).get("inlinedResponses")
    if isinstance(found, dict):  # InlinedResponses { inlinedResponses: [...] }
        found = found.get("inlinedResponses")
    return found if isinstance(found, list) else []


def parse_file_line(line: dict[str, Any]) -> LineResult | BadLine:
    """A line of the responses file: `{"key", "response"}` or `{"key", "error"}`."""
    return parse_result(line, None)


def parse_result(item: Any, custom_id: str | None) -> LineResult | BadLine:
    """An inlined response or a responses-file line: `{response}` or `{error}`, keyed by `key`
    (file) or `metadata.key` (inline); `custom_id` is the request at the same position."""
    item = obj(item)
    key = text(item.get("key")) or text(obj(item.get("metadata")).get("key")) or custom_id
    if key is None:
        return BadLine(json_bytes(item)[:200].decode(errors="replace"), "a Gemini batch result without a key")
    if isinstance(item.get("response"), dict):
        return LineResult(key, "succeeded", body=item["response"], status_code=200)
    error = obj(item.get("error"))
    if error:
        status = _count(error.get("code")) or 500
        return LineResult(
            key, "errored", body={"error": error}, status_code=status, message=text(error.get("message"))
        )
    return BadLine(
        json_bytes(item)[:200].decode(errors="replace"),
        "a Gemini batch result with neither response nor error",
    )


# ------------------------------------------------------------------------------------------ the API


class GeminiBatchAPI(BatchAPI):
    vendor = "Gemini"
    max_bytes = 2_000_000_000  # the Files API's size limit; up to INLINE_LIMIT the requests go inline

    def frame(self, custom_id: str, body: bytes) -> bytes:
        return frame_line(custom_id, body)

    async def submit(self, chunk: Chunk, on_file: Callable[[str], None]) -> VendorBatch:
        model = self.model.model_name
        if chunk.file_id is None and chunk.nbytes < INLINE_LIMIT - 1000:
            items = (frame_inline(cid, body) for cid, body in chunk.bodies())
            return parse_batch(await self.http.json(create_batch_request(model, chunk.tag, items=items)))
        file_name = chunk.file_id or await self._upload(chunk)
        on_file(file_name)
        return parse_batch(await self.http.json(create_batch_request(model, chunk.tag, file_name=file_name)))

    async def _upload(self, chunk: Chunk) -> str:
        base_url = self.model.provider.base_url
        data = jsonl(self.frame(cid, body) for cid, body in chunk.bodies())
        started = await self.http.send(upload_start_request(base_url, len(data), chunk.tag))
        session = started.headers.get("x-goog-upload-url", "")
        if not session or _roots(session)[0] != _roots(base_url)[0]:
            raise UnexpectedModelBehavior(
                f"Gemini Files API: the upload session URL is missing or not on {_roots(base_url)[0]}",
                session,
            )
        uploaded = await self.http.json(upload_finish_request(session, data))
        name = text(obj(uploaded.get("file")).get("name"))
        if not name:
            raise UnexpectedModelBehavior(
                "Gemini Files API: the upload answer has no file name", json_bytes(uploaded)
            )
        return name

    async def find(self, chunk: Chunk, since: float, known: set[str]) -> VendorBatch | None:
        token: str | None = None
        for _ in range(LOOKUP_PAGES):
            page = await self.http.json(list_batches_request(token))
            for item in page.get("operations") or page.get("batches") or []:
                batch = parse_batch(obj(item))
                if batch.id in known:
                    continue
                if batch.data["display_name"] == chunk.tag or (
                    chunk.file_id and batch.data["file_name"] == chunk.file_id
                ):
                    return batch
            token = text(page.get("nextPageToken"))
            if not token:
                return None
        return None

    async def get(self, vendor_id: str) -> VendorBatch:
        return parse_batch(await self.http.json(get_batch_request(vendor_id)))

    async def cancel(self, vendor_id: str) -> VendorBatch:
        await self.http.json(cancel_batch_request(vendor_id))
        return await self.get(vendor_id)

    async def results(self, batch: VendorBatch, custom_ids: list[str]) -> AsyncIterator[LineResult | BadLine]:
        responses_file = batch.data.get("responses_file")
        if responses_file:
            base_url = self.model.provider.base_url
            lines = self.read_files(
                [responses_file], lambda name: download_request(base_url, name), parse_file_line
            )
            async for line in lines:
                yield line
            return
        operation = await self.http.json(get_batch_request(batch.id))
        for i, item in enumerate(inline_responses(operation)):
            yield parse_result(item, custom_ids[i] if i < len(custom_ids) else None)
