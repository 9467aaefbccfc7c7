"""Anthropic's Message Batches API: `POST v1/messages/batches` with `requests: [{custom_id, params}]`
(each `params` the Messages body the model builds), `GET v1/messages/batches/{id}` to poll,
`POST .../{id}/cancel`, and the results JSONL (`.../{id}/results`, the batch's `results_url`): one
line per request, `succeeded` / `errored` / `canceled` / `expired`.

Limits: 100,000 requests and 256 MB per batch; `custom_id` matches `^[a-zA-Z0-9_-]{1,64}$`.
`processing_status` is `in_progress`, `canceling` or `ended`; an ended batch is `completed`, or
`cancelled` after a cancel, or `expired` when requests expired.

An Anthropic batch carries no metadata, so a batch created by a process that died before it could
record the id is found again by what wireai can see of it: created after the job's intent was
written, with the job's number of requests, and not already known to the store.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from typing import Any

from ..codecs._base import WireRequest, json_bytes, obj, text, token_count
from ..codecs.anthropic import ANTHROPIC_VERSION
from ._api import BatchAPI, Chunk
from ._files import json_array
from ._jsonl import BadLine
from ._types import BatchStatus, LineResult, RequestCounts, VendorBatch

__all__ = [
    "AnthropicBatchAPI",
    "cancel_batch_request",
    "create_batch_request",
    "get_batch_request",
    "list_batches_request",
    "parse_batch",
    "parse_result_line",
    "results_request",
]

PATH = "v1/messages/batches"
VERSION_HEADERS = {"anthropic-version": ANTHROPIC_VERSION}
# An errored result carries Anthropic's error body but no HTTP status: the status its error type has.
ERROR_STATUS = {"invalid_request_error": 400, "authentication_error": 401, "billing_error": 402,
                "permission_error": 403, "not_found_error": 404, "request_too_large": 413,
                "rate_limit_error": 429, "api_error": 500, "timeout_error": 504, "overloaded_error": 529}  # fmt: skip
LOOKUP_PAGES = 20


def create_batch_request(items: Any, headers: dict[str, str]) -> WireRequest:
    """`POST v1/messages/batches` around pre-encoded `{custom_id, params}` items."""
    data = json_array(b'{"requests":[', items, b"]}")
    return WireRequest("POST", PATH, headers={"content-type": "application/json", **headers}, data=data)


def get_batch_request(batch_id: str) -> WireRequest:
    return WireRequest("GET", f"{PATH}/{batch_id}", headers=dict(VERSION_HEADERS))


def cancel_batch_request(batch_id: str) -> WireRequest:
    return WireRequest("POST", f"{PATH}/{batch_id}/cancel", headers=dict(VERSION_HEADERS))


def list_batches_request(after_id: str | None = None, limit: int = 100) -> WireRequest:
    query = {"limit": str(limit)}
    if after_id:
        query["after_id"] = after_id
    return WireRequest("GET", PATH, headers=dict(VERSION_HEADERS), query=query)


def results_request(batch_id: str) -> WireRequest:
    """The results JSONL (what `results_url` points at), relative to the provider's base URL so a
    gateway in front of Anthropic serves it too and the key goes nowhere else."""
    return WireRequest("GET", f"{PATH}/{batch_id}/results", headers=dict(VERSION_HEADERS))


def frame_item(custom_id: str, body: bytes) -> bytes:
    return b'{"custom_id":%s,"params":%s}' % (json_bytes(custom_id), body)


def parse_batch(body: dict[str, Any]) -> VendorBatch:
    raw = text(body.get("processing_status")) or ""
    c = obj(body.get("request_counts"))
    counts = RequestCounts(
        total=sum(
            token_count(c.get(k)) for k in ("processing", "succeeded", "errored", "canceled", "expired")
        ),
        succeeded=token_count(c.get("succeeded")),
        errored=token_count(c.get("errored")),
        cancelled=token_count(c.get("canceled")),
        expired=token_count(c.get("expired")),
    )
    status: BatchStatus
    if raw == "ended":
        if body.get("cancel_initiated_at"):
            status = "cancelled"
        elif counts.expired:
            status = "expired"
        else:
            status = "completed"
    elif raw == "canceling":
        status = "cancelling"
    else:
        status = "in_progress"
    return VendorBatch(
        id=str(body.get("id") or ""),
        status=status,
        raw_status=raw,
        counts=counts,
        data={"created_at": body.get("created_at"), "results_url": body.get("results_url")},
    )


def parse_result_line(line: dict[str, Any]) -> LineResult | BadLine:
    custom_id = line.get("custom_id")
    result = obj(line.get("result"))
    kind = result.get("type")
    if not isinstance(custom_id, str) or kind not in ("succeeded", "errored", "canceled", "expired"):
        return BadLine(json_bytes(line)[:200].decode(errors="replace"), "not a Message Batches result line")
    if kind == "succeeded":
        return LineResult(custom_id, "succeeded", body=result.get("message"), status_code=200)
    if kind == "errored":
        error = obj(result.get("error"))
        error_type = text(obj(error.get("error")).get("type")) or ""
        return LineResult(custom_id, "errored", body=error, status_code=ERROR_STATUS.get(error_type, 400))
    return LineResult(custom_id, "cancelled" if kind == "canceled" else "expired", code=kind)


def rfc3339_seconds(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    head, dot, rest = value.replace("Z", "+00:00").partition(".")
    if dot:  # at most microseconds for Python 3.10's fromisoformat
        digits = "".join(ch for ch in rest if ch.isdigit())
        head = f"{head}.{digits[:6]}{rest[len(digits) :]}"
    try:
        when = datetime.fromisoformat(head)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()


class AnthropicBatchAPI(BatchAPI):
    vendor = "Anthropic"
    max_requests = 100_000
    max_bytes = 256_000_000
    custom_id_pattern = re.compile(r"[a-zA-Z0-9_-]{1,64}")
    custom_id_rule = "1 to 64 letters, digits, '_' or '-'"
    batch_headers = frozenset({"anthropic-version", "anthropic-beta"})

    def merge_headers(self, merged: dict[str, str], wire: WireRequest) -> None:
        for name, value in wire.headers.items():
            name = name.lower()
            if name == "anthropic-version":
                merged[name] = value
            elif name == "anthropic-beta":
                betas = [b for b in merged.get(name, "").split(",") if b]
                betas += [b.strip() for b in value.split(",") if b.strip() and b.strip() not in betas]
                merged[name] = ",".join(betas)

    def frame(self, custom_id: str, body: bytes) -> bytes:
        return frame_item(custom_id, body)

    async def submit(self, chunk: Chunk, on_file: Callable[[str], None]) -> VendorBatch:
        items = (self.frame(cid, body) for cid, body in chunk.bodies())
        headers = {**VERSION_HEADERS, **chunk.headers}
        return parse_batch(await self.http.json(create_batch_request(items, headers)))

    async def find(self, chunk: Chunk, since: float, known: set[str]) -> VendorBatch | None:
        candidates: list[tuple[float, VendorBatch]] = []
        after: str | None = None
        for _ in range(LOOKUP_PAGES):
            page = await self.http.json(list_batches_request(after))
            items = [obj(item) for item in page.get("data") or []]
            oldest = None
            for item in items:
                batch = parse_batch(item)
                created = rfc3339_seconds(item.get("created_at"))
                oldest = created if oldest is None or (created is not None and created < oldest) else oldest
                if created is None or created < since - 120 or batch.id in known:
                    continue
                if batch.counts.total == chunk.size:
                    candidates.append((created, batch))
            if not page.get("has_more") or not items or (oldest is not None and oldest < since - 120):
                break
            after = text(page.get("last_id"))
        # Newest first on the wire; the first batch created after the intent is the one it sent.
        return min(candidates, key=lambda c: c[0])[1] if candidates else None

    async def get(self, vendor_id: str) -> VendorBatch:
        return parse_batch(await self.http.json(get_batch_request(vendor_id)))

    async def cancel(self, vendor_id: str) -> VendorBatch:
        return parse_batch(await self.http.json(cancel_batch_request(vendor_id)))

    def results(self, batch: VendorBatch, custom_ids: list[str]) -> AsyncIterator[LineResult | BadLine]:
        return self.read_files([batch.id], results_request, parse_result_line)
