"""The vendors' batch APIs, faked on the real wire beside each fake's chat endpoint (`fake.batch`).

`FakeOpenAI` (and `FakeOpenAIResponses`, `FakeAzure`, `FakeGroq`), `FakeAnthropic`, `FakeGemini`
and `FakeMistral` serve their vendor's files / batches endpoints with the vendor's JSON. Each
request of a batch is answered, in order, from the fake's script (`add_text`, `add_tool_call`,
`add_error`, ... exactly as for live requests), or by `fake.batch.responder` once the script runs
out. The knobs:

- `processing_time`: seconds from creation to the end (validating, in progress, finalizing on the way);
- `expire = True`: the batch expires at the end instead of completing; `answered` requests ran;
- `cancel_time`: seconds a cancelled batch spends cancelling; `answered` requests ran before it;
- `fail = "why"`: the batch fails validation (OpenAI, Azure, Groq, Gemini, Mistral: a `failed`
  batch with that error; Anthropic, which validates on creation: a 400 from the creation);
- `fail_polls(503, 429, ...)`: the next status polls answer with those errors (`retry_after=` adds
  a whole-second `Retry-After`, and `retry-after-ms` for a sub-second wait, as `retry_after_headers`);
- `stall_create(seconds)`: the next batch creation answers only after that long (the vendor has
  the batch already: what a client killed mid-call leaves behind).

`fake.batch.batches` and `fake.batch.files` hold what was created, for assertions.
"""

from __future__ import annotations

import itertools
import json
import re
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Union
from urllib.parse import parse_qs

from ..messages import ModelResponse
from .fakes import FakeVendor, retry_after_headers
from .server import RecordedRequest, Reply

__all__ = ["FakeBatch", "FakeBatches", "Responder"]

Responder = Callable[[str, dict[str, Any]], Union[ModelResponse, tuple[int, Any]]]
"""(custom_id, request body) -> a `ModelResponse`, or (status, error body) for a rejected request."""

EXPIRED = "This request could not be executed before the completion window expired."
CANCELLED = "This request was not executed because the batch was cancelled."


@dataclass
class FakeBatch:
    """One batch the fake holds: its requests, the answer each gets, and its clock."""

    id: str
    requests: list[tuple[str, dict[str, Any]]]
    answers: list[tuple[int, Any]]
    created: float  # monotonic
    created_at: float  # wall clock
    metadata: dict[str, Any] = field(default_factory=dict)
    input_file: str | None = None
    display_name: str | None = None
    model: str | None = None
    endpoint: str | None = None
    cancelled: float | None = None  # monotonic time of the cancel request
    files: dict[str, str] = field(default_factory=dict)  # output / error file ids, once written

    @property
    def size(self) -> int:
        return len(self.requests)


class FakeBatches:
    """A fake vendor's batch API: routes its endpoints, holds files and batches, runs their clocks."""

    def __init__(self, fake: FakeVendor, kind: str):
        self.fake = fake
        self.routes = _ROUTES[kind](self)
        self.processing_time = 0.0
        self.cancel_time = 0.0
        self.expire = False
        self.fail: str | None = None
        self.answered: int | None = None
        self.responder: Responder | None = None
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, FakeBatch] = {}
        self.creates = 0
        self._poll_failures: deque[Reply] = deque()
        self._create_stall = 0.0
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------------------ knobs

    def fail_polls(self, *statuses: int | Reply, retry_after: float | None = None) -> FakeBatches:
        """The next status polls answer with these (HTTP statuses get the vendor's error body)."""
        for status in statuses:
            if isinstance(status, Reply):
                self._poll_failures.append(status)
                continue
            headers = {**self.fake.error_headers(status)}
            if retry_after is not None:
                headers.update(retry_after_headers(retry_after))
            body = self.fake.error_body(status, f"fake {status} on a batch poll")
            self._poll_failures.append(Reply.json(body, status, headers))
        return self

    def stall_create(self, seconds: float) -> FakeBatches:
        self._create_stall = seconds
        return self

    # ------------------------------------------------------------------------------ state

    def new_id(self, prefix: str) -> str:
        if self.routes.uuid_ids:
            return str(uuid.uuid4())
        return f"{prefix}{next(self._ids):04d}{uuid.uuid4().hex[:8]}"

    def create(self, requests: list[tuple[str, dict[str, Any]]], **details: Any) -> FakeBatch:
        """A new batch: each request gets its answer now, in order, from the script or the responder."""
        self.creates += 1
        answers = [self._answer(custom_id, body) for custom_id, body in requests]
        batch = FakeBatch(
            self.new_id(self.routes.batch_prefix), requests, answers, time.monotonic(), time.time(), **details
        )
        self.batches[batch.id] = batch
        return batch

    def _answer(self, custom_id: str, body: dict[str, Any]) -> tuple[int, Any]:
        request = self.routes.line_request(body)
        if self.fake.pending or self.responder is None:
            return self.fake.take_answer(request)
        answer = self.responder(custom_id, body)
        if isinstance(answer, ModelResponse):
            if not answer.model_name:
                from dataclasses import replace

                answer = replace(answer, model_name=self.fake.requested_model(request))
            return 200, self.fake.encode_json(answer, request)
        return answer

    def phase(self, batch: FakeBatch) -> str:
        """validating, in_progress, finalizing, completed, expired, cancelling or cancelled."""
        now = time.monotonic()
        if batch.cancelled is not None:
            return "cancelled" if now - batch.cancelled >= self.cancel_time else "cancelling"
        progress = (now - batch.created) / self.processing_time if self.processing_time else 1.0
        if self.fail is not None:
            return "failed" if progress >= 0.1 else "validating"
        if progress >= 1:
            return "expired" if self.expire else "completed"
        return "validating" if progress < 0.1 else "in_progress" if progress < 0.9 else "finalizing"

    def ran(self, batch: FakeBatch) -> int:
        """How many of the batch's requests have run by now (in order)."""
        phase = self.phase(batch)
        if phase == "completed":
            return batch.size
        if phase == "failed":
            return 0
        if phase in ("expired", "cancelled", "cancelling") and self.answered is not None:
            return min(self.answered, batch.size)
        if phase == "expired":
            return batch.size
        at = batch.cancelled if batch.cancelled is not None else time.monotonic()
        progress = (at - batch.created) / self.processing_time if self.processing_time else 1.0
        return min(int(batch.size * progress), batch.size)

    def counts(self, batch: FakeBatch) -> tuple[int, int, int]:
        """(ran, succeeded, errored) so far."""
        ran = self.ran(batch)
        succeeded = sum(1 for status, _ in batch.answers[:ran] if status < 300)
        return ran, succeeded, ran - succeeded

    def finished(self, batch: FakeBatch) -> bool:
        return self.phase(batch) in ("completed", "expired", "cancelled", "failed")

    def outcomes(self, batch: FakeBatch) -> list[tuple[str, str, Any]]:
        """(custom_id, 'succeeded' | 'errored' | 'expired' | 'cancelled', answer) per request."""
        ran = self.ran(batch)
        never = "cancelled" if batch.cancelled is not None else "expired"
        out = []
        for i, ((custom_id, _), (status, body)) in enumerate(zip(batch.requests, batch.answers)):
            kind = ("succeeded" if status < 300 else "errored") if i < ran else never
            out.append((custom_id, kind, (status, body)))
        return out

    def store_file(self, data: bytes, prefix: str = "file-") -> str:
        file_id = self.new_id(prefix)
        self.files[file_id] = data
        return file_id

    # ------------------------------------------------------------------------------ serving

    def handle(self, request: RecordedRequest) -> Reply | None:
        """The answer to a batch API request, or None when the request is not one."""
        return self.routes.handle(request)

    def poll_failure(self) -> Reply | None:
        return self._poll_failures.popleft() if self._poll_failures else None

    def creation(self, reply: Reply) -> Reply:
        reply.delay, self._create_stall = self._create_stall, 0.0
        return reply

    def not_found(self, what: str) -> Reply:
        return Reply.json(self.fake.error_body(404, f"No such {what}"), 404, self.fake.error_headers(404))

    def file_reply(self, file_id: str, media_type: str = "application/octet-stream") -> Reply:
        data = self.files.get(file_id)
        return Reply(200, {"content-type": media_type}, data) if data is not None else self.not_found("file")


def jsonl(lines: list[Any]) -> bytes:
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


def read_jsonl(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines() if line.strip()]


def multipart(request: RecordedRequest) -> dict[str, bytes]:
    """The parts of a `multipart/form-data` body, by field name."""
    found = re.search(r"boundary=([^;]+)", request.headers.get("content-type", ""))
    if not found:
        return {}
    boundary = b"--" + found.group(1).strip('"').encode()
    parts: dict[str, bytes] = {}
    for part in request.body.split(boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        if name:
            parts[name.group(1).decode()] = content[:-2] if content.endswith(b"\r\n") else content
    return parts


def rfc3339(wall: float) -> str:
    return datetime.fromtimestamp(wall, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ============================================================================================ routes


class _Routes:
    batch_prefix = "batch_"
    uuid_ids = False
    """Batch and file ids are bare UUIDs (Mistral's: `format: uuid` in its description), not prefixed."""

    def __init__(self, batches: FakeBatches):
        self.batches = batches
        self.fake = batches.fake

    def handle(self, request: RecordedRequest) -> Reply | None:
        raise NotImplementedError

    def line_request(self, body: dict[str, Any]) -> RecordedRequest:
        """The live request a batch request stands for (what the fake's encoders look at)."""
        return RecordedRequest("POST", "/batch-request", {}, json.dumps(body).encode())

    def batch(self, batch_id: str) -> FakeBatch | None:
        return self.batches.batches.get(batch_id)

    def render(self, batch: FakeBatch) -> dict[str, Any]:
        raise NotImplementedError

    def page(self, query: dict[str, list[str]], cursor: str) -> dict[str, Any]:
        """A page of batches, newest first, after the `cursor` query parameter's batch (OpenAI's
        and Anthropic's list pagination: `limit`, `data`, `first_id`, `last_id`, `has_more`)."""
        items = sorted(self.batches.batches.values(), key=lambda b: b.created, reverse=True)
        after = (query.get(cursor) or [""])[0]
        if after:
            ids = [b.id for b in items]
            items = items[ids.index(after) + 1 :] if after in ids else []
        limit = int((query.get("limit") or ["20"])[0])
        page = items[:limit]
        return {"data": [self.render(b) for b in page], "has_more": len(items) > limit,
                "first_id": page[0].id if page else None, "last_id": page[-1].id if page else None}  # fmt: skip


class _OpenAIRoutes(_Routes):
    """`{base_path}/files`, `{base_path}/batches` (OpenAI `/v1`, Groq `/openai/v1`, Azure `/openai`)."""

    def handle(self, request: RecordedRequest) -> Reply | None:
        prefix = re.escape(getattr(self.fake, "base_path", "/v1"))
        path, method = request.url_path, request.method
        if method == "POST" and re.fullmatch(prefix + r"/files", path):
            return self.upload(request)
        if method == "GET" and (found := re.fullmatch(prefix + r"/files/([^/]+)/content", path)):
            return self.batches.file_reply(found[1])
        if method == "POST" and re.fullmatch(prefix + r"/batches", path):
            return self.batches.creation(self.create(request.json()))
        if method == "GET" and re.fullmatch(prefix + r"/batches", path):
            return self.listing(parse_qs(request.query))
        if found := re.fullmatch(prefix + r"/batches/([^/]+)(/cancel)?", path):
            batch = self.batch(found[1])
            if batch is None:
                return self.batches.not_found("batch")
            if found[2] and method == "POST":
                batch.cancelled = time.monotonic()
            elif (failure := self.batches.poll_failure()) is not None:
                return failure
            return Reply.json(self.render(batch))
        return None

    def upload(self, request: RecordedRequest) -> Reply:
        parts = multipart(request)
        data = parts.get("file", b"")
        file_id = self.batches.store_file(data)
        return Reply.json({"id": file_id, "object": "file", "bytes": len(data), "created_at": int(time.time()),
                           "filename": "batch.jsonl", "purpose": (parts.get("purpose") or b"").decode(),
                           "status": "processed"})  # fmt: skip

    def create(self, body: dict[str, Any]) -> Reply:
        return self.create_from_file(body.get("input_file_id", ""), body)

    def create_from_file(self, file_id: str, body: dict[str, Any], **details: Any) -> Reply:
        """A batch of the `{custom_id, body}` lines of an uploaded file (404 for an unknown file)."""
        data = self.batches.files.get(file_id)
        if data is None:
            return self.batches.not_found("file")
        requests = [(line["custom_id"], line["body"]) for line in read_jsonl(data)]
        batch = self.batches.create(
            requests,
            metadata=body.get("metadata") or {},
            input_file=file_id,
            endpoint=body.get("endpoint"),
            **details,
        )
        return Reply.json(self.render(batch))

    def settle(self, batch: FakeBatch) -> tuple[str, int, int, int]:
        """The batch's phase and counts (ran, succeeded, errored); the result files are written when
        it has finished (a failed batch has none)."""
        fake = self.batches
        phase = fake.phase(batch)
        ran, succeeded, errored = fake.counts(batch)
        if fake.finished(batch) and phase != "failed" and not batch.files:
            self.write_files(batch)
        return phase, ran, succeeded, errored

    def listing(self, query: dict[str, list[str]]) -> Reply:
        return Reply.json({"object": "list", **self.page(query, "after")})

    def render(self, batch: FakeBatch) -> dict[str, Any]:
        fake = self.batches
        phase, _, succeeded, errored = self.settle(batch)
        return {
            "id": batch.id, "object": "batch", "endpoint": batch.endpoint,
            "errors": {"object": "list", "data": [{"code": "invalid_request", "message": fake.fail, "param": None,
                                                   "line": None}]} if phase == "failed" else None,
            "input_file_id": batch.input_file, "completion_window": "24h", "status": phase,
            "output_file_id": batch.files.get("output"), "error_file_id": batch.files.get("error"),
            "created_at": int(batch.created_at), "in_progress_at": None, "expires_at": int(batch.created_at) + 86400,
            "finalizing_at": None, "completed_at": None, "failed_at": None, "expired_at": None,
            "cancelling_at": None, "cancelled_at": None,
            "request_counts": {"total": batch.size, "completed": succeeded, "failed": errored},
            "metadata": batch.metadata or None,
        }  # fmt: skip

    line_id = "batch_req_"
    writes_never_ran = True  # OpenAI lists a request that never ran in the error file; Mistral does not

    def write_files(self, batch: FakeBatch) -> None:
        output: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for n, (custom_id, kind, (status, body)) in enumerate(self.batches.outcomes(batch)):
            line: dict[str, Any] = {"id": f"{self.line_id}{n:05d}", "custom_id": custom_id}
            if kind in ("succeeded", "errored"):
                line["response"] = {"status_code": status, **self.response_ids(n), "body": body}
                line["error"] = None
                (output if kind == "succeeded" else errors).append(line)
            elif self.writes_never_ran:
                code, message = (
                    ("batch_expired", EXPIRED) if kind == "expired" else ("batch_cancelled", CANCELLED)
                )
                line["response"] = None
                line["error"] = {"code": code, "message": message}
                errors.append(line)
        if output:
            batch.files["output"] = self.batches.store_file(jsonl(output))
        if errors:
            batch.files["error"] = self.batches.store_file(jsonl(errors))

    def response_ids(self, n: int) -> dict[str, str]:
        return {"request_id": f"req_{n:05d}"}


class _AnthropicRoutes(_Routes):
    """`/v1/messages/batches` and its `/{id}`, `/{id}/cancel`, `/{id}/results`."""

    batch_prefix = "msgbatch_"

    def handle(self, request: RecordedRequest) -> Reply | None:
        path, method = request.url_path, request.method
        if path == "/v1/messages/batches":
            if method == "POST":
                if self.batches.fail is not None:
                    return Reply.json(self.fake.error_body(400, self.batches.fail), 400)
                body = request.json()
                requests = [(item["custom_id"], item["params"]) for item in body["requests"]]
                return self.batches.creation(Reply.json(self.render(self.batches.create(requests))))
            return self.listing(parse_qs(request.query))
        found = re.fullmatch(r"/v1/messages/batches/([^/]+)(/cancel|/results)?", path)
        if not found:
            return None
        batch = self.batch(found[1])
        if batch is None:
            return self.batches.not_found("message batch")
        if found[2] == "/cancel":
            batch.cancelled = time.monotonic()
            return Reply.json(self.render(batch))
        if found[2] == "/results":
            if not self.batches.finished(batch):
                return Reply.json(self.fake.error_body(404, "results not available yet"), 404)
            if "results" not in batch.files:  # written once, when first asked for, as the vendor keeps it
                batch.files["results"] = self.batches.store_file(jsonl(self.results(batch)))
            return self.batches.file_reply(batch.files["results"], "application/x-jsonl")
        failure = self.batches.poll_failure()
        return failure if failure is not None else Reply.json(self.render(batch))

    def listing(self, query: dict[str, list[str]]) -> Reply:
        return Reply.json(self.page(query, "after_id"))

    def render(self, batch: FakeBatch) -> dict[str, Any]:
        fake = self.batches
        phase = fake.phase(batch)
        ran, succeeded, errored = fake.counts(batch)
        ended = phase in ("completed", "expired", "cancelled")
        never = batch.size - ran if ended else 0
        status = "ended" if ended else "canceling" if phase == "cancelling" else "in_progress"
        return {
            "id": batch.id, "type": "message_batch", "processing_status": status,
            "request_counts": {"processing": 0 if ended else batch.size - ran, "succeeded": succeeded,
                               "errored": errored, "canceled": never if batch.cancelled is not None else 0,
                               "expired": never if batch.cancelled is None else 0},
            "ended_at": rfc3339(time.time()) if ended else None, "created_at": rfc3339(batch.created_at),
            "expires_at": rfc3339(batch.created_at + 86400), "archived_at": None,
            "cancel_initiated_at": rfc3339(time.time()) if batch.cancelled is not None else None,
            "results_url": f"{self.fake.url}/v1/messages/batches/{batch.id}/results" if ended else None,
        }  # fmt: skip

    def results(self, batch: FakeBatch) -> list[dict[str, Any]]:
        out = []
        for custom_id, kind, (_status, body) in self.batches.outcomes(batch):
            result: dict[str, Any] = {"type": "canceled" if kind == "cancelled" else kind}
            if kind == "succeeded":
                result["message"] = body
            elif kind == "errored":
                result["error"] = body
            out.append({"custom_id": custom_id, "result": result})
        return out


class _GeminiRoutes(_Routes):
    """`models/{m}:batchGenerateContent`, `batches/{id}` (`:cancel`), the Files API's resumable
    upload (`/upload/v1beta/files`) and download (`/download/v1beta/files/{id}:download`)."""

    batch_prefix = "batches/"

    def handle(self, request: RecordedRequest) -> Reply | None:
        base = getattr(self.fake, "base_path", "/v1beta")
        path, method = request.url_path, request.method
        prefix = re.escape(base)
        if method == "POST" and (
            found := re.fullmatch(prefix + r"/models/([^/:]+):batchGenerateContent", path)
        ):
            return self.batches.creation(self.create(found[1], request.json()))
        if method == "POST" and path == f"/upload{base}/files":
            return self.upload(request)
        if method == "GET" and (found := re.fullmatch(f"/download{prefix}/(files/[^/:]+):download", path)):
            return self.batches.file_reply(found[1], "application/jsonl")
        if method == "GET" and path == f"{base}/batches":
            items = sorted(self.batches.batches.values(), key=lambda b: b.created, reverse=True)
            return Reply.json({"operations": [self.render(b) for b in items]})
        if found := re.fullmatch(prefix + r"/(batches/[^/:]+)(:cancel)?", path):
            batch = self.batch(found[1])
            if batch is None:
                return self.batches.not_found("batch")
            if found[2]:
                batch.cancelled = time.monotonic()
                return Reply.json({})
            failure = self.batches.poll_failure()
            return failure if failure is not None else Reply.json(self.render(batch))
        return None

    def line_request(self, body: dict[str, Any]) -> RecordedRequest:
        base = getattr(self.fake, "base_path", "/v1beta")
        model = self.fake.default_model
        return RecordedRequest(
            "POST", f"{base}/models/{model}:generateContent", {}, json.dumps(body).encode()
        )

    def upload(self, request: RecordedRequest) -> Reply:
        command = request.headers.get("x-goog-upload-command", "")
        if command == "start":
            session = uuid.uuid4().hex
            self.batches.files[f"session:{session}"] = b""
            url = f"{self.fake.url}{request.url_path}?upload_id={session}"
            return Reply(200, {"x-goog-upload-url": url, "x-goog-upload-status": "active"})
        session = (parse_qs(request.query).get("upload_id") or [""])[0]
        if f"session:{session}" not in self.batches.files or "finalize" not in command:
            return self.batches.not_found("upload session")
        del self.batches.files[f"session:{session}"]
        name = self.batches.store_file(request.body, "files/")
        return Reply.json({"file": {"name": name, "mimeType": "application/jsonl", "sizeBytes": str(len(request.body)),
                                    "state": "ACTIVE", "uri": f"{self.fake.url}/v1beta/{name}"}})  # fmt: skip

    def create(self, model: str, body: dict[str, Any]) -> Reply:
        spec = body.get("batch") or {}
        config = spec.get("inputConfig") or spec.get("input_config") or {}
        file_name = config.get("fileName") or config.get("file_name")
        if file_name:
            data = self.batches.files.get(file_name)
            if data is None:
                return self.batches.not_found("file")
            requests = [(line["key"], line["request"]) for line in read_jsonl(data)]
        else:
            inline = (config.get("requests") or {}).get("requests") or []
            requests = [
                ((item.get("metadata") or {}).get("key", str(i)), item["request"])
                for i, item in enumerate(inline)
            ]
        display = spec.get("displayName") or spec.get("display_name")
        batch = self.batches.create(requests, input_file=file_name, display_name=display, model=model)
        return Reply.json(self.render(batch))

    def render(self, batch: FakeBatch) -> dict[str, Any]:
        fake = self.batches
        phase = fake.phase(batch)
        ran, succeeded, errored = fake.counts(batch)
        state = {"validating": "PENDING", "in_progress": "RUNNING", "finalizing": "RUNNING", "cancelling": "RUNNING",
                 "completed": "SUCCEEDED", "expired": "EXPIRED", "cancelled": "CANCELLED", "failed": "FAILED"}[phase]  # fmt: skip
        config: dict[str, Any] = {"fileName": batch.input_file} if batch.input_file else {"requests": {}}
        operation: dict[str, Any] = {
            "name": batch.id,
            "metadata": {
                "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.GenerateContentBatch",
                "model": f"models/{batch.model}", "displayName": batch.display_name, "inputConfig": config,
                "createTime": rfc3339(batch.created_at), "updateTime": rfc3339(time.time()),
                "batchStats": {"requestCount": str(batch.size), "successfulRequestCount": str(succeeded),
                               "failedRequestCount": str(errored), "pendingRequestCount": str(batch.size - ran)},
                "state": f"BATCH_STATE_{state}",
            },
            "done": fake.finished(batch),
        }  # fmt: skip
        if phase == "failed":
            operation["error"] = {"code": 3, "message": fake.fail}
        elif fake.finished(batch):
            operation["response"] = self.output(batch)
        return operation

    def output(self, batch: FakeBatch) -> dict[str, Any]:
        answered = []
        for custom_id, kind, (_status, body) in self.batches.outcomes(batch):
            if kind == "succeeded":
                answered.append({"response": body, "key": custom_id})
            elif kind == "errored":
                answered.append({"error": body.get("error", body), "key": custom_id})
        output: dict[str, Any] = {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.GenerateContentBatchOutput"
        }
        if batch.input_file:
            if "output" not in batch.files:
                batch.files["output"] = self.batches.store_file(jsonl(answered), "files/")
            output["responsesFile"] = batch.files["output"]
        else:
            for item in answered:
                item["metadata"] = {"key": item.pop("key")}
            output["inlinedResponses"] = {"inlinedResponses": answered}
        return output


class _MistralRoutes(_OpenAIRoutes):
    """`/v1/files`, `/v1/batch/jobs` (`/{id}`, `/{id}/cancel`), `/v1/files/{id}/content`."""

    line_id = "batch-"
    writes_never_ran = False
    uuid_ids = True

    def handle(self, request: RecordedRequest) -> Reply | None:
        path, method = request.url_path, request.method
        if method == "POST" and path == "/v1/files":
            return self.upload(request)
        if method == "GET" and (found := re.fullmatch(r"/v1/files/([^/]+)/content", path)):
            return self.batches.file_reply(found[1])
        if path == "/v1/batch/jobs":
            if method == "POST":
                return self.batches.creation(self.create(request.json()))
            items = sorted(self.batches.batches.values(), key=lambda b: b.created, reverse=True)
            return Reply.json(
                {"object": "list", "data": [self.render(b) for b in items], "total": len(items)}
            )
        if found := re.fullmatch(r"/v1/batch/jobs/([^/]+)(/cancel)?", path):
            batch = self.batch(found[1])
            if batch is None:
                return self.batches.not_found("batch job")
            if found[2]:
                batch.cancelled = time.monotonic()
            elif (failure := self.batches.poll_failure()) is not None:
                return failure
            return Reply.json(self.render(batch))
        return None

    def upload(self, request: RecordedRequest) -> Reply:
        """Mistral's file object (`CreateFileResponse`): no `status`, but the kind of sample the file
        holds and where it came from."""
        parts = multipart(request)
        data = parts.get("file", b"")
        return Reply.json({"id": self.batches.store_file(data), "object": "file", "bytes": len(data),
                           "created_at": int(time.time()), "filename": "batch.jsonl",
                           "purpose": (parts.get("purpose") or b"").decode(), "sample_type": "batch_request",
                           "source": "upload", "num_lines": len(read_jsonl(data)),
                           "mimetype": "application/jsonl"})  # fmt: skip

    def create(self, body: dict[str, Any]) -> Reply:
        return self.create_from_file((body.get("input_files") or [""])[0], body, model=body.get("model"))

    def render(self, batch: FakeBatch) -> dict[str, Any]:
        fake = self.batches
        phase, ran, succeeded, errored = self.settle(batch)
        status = {"validating": "QUEUED", "in_progress": "RUNNING", "finalizing": "RUNNING", "completed": "SUCCESS",
                  "expired": "TIMEOUT_EXCEEDED", "cancelling": "CANCELLATION_REQUESTED", "cancelled": "CANCELLED",
                  "failed": "FAILED"}[phase]  # fmt: skip
        return {
            "id": batch.id, "object": "batch", "input_files": [batch.input_file], "metadata": batch.metadata or None,
            "endpoint": batch.endpoint, "model": batch.model, "output_file": batch.files.get("output"),
            "error_file": batch.files.get("error"), "errors": [{"message": fake.fail, "count": 1}] if phase == "failed" else [],
            "status": status,
            "created_at": int(batch.created_at), "total_requests": batch.size, "completed_requests": ran,
            "succeeded_requests": succeeded, "failed_requests": errored, "started_at": int(batch.created_at),
            "completed_at": int(time.time()) if fake.finished(batch) else None,
        }  # fmt: skip

    def response_ids(self, n: int) -> dict[str, str]:
        return {}


_ROUTES: dict[str, type[_Routes]] = {
    "openai": _OpenAIRoutes,
    "anthropic": _AnthropicRoutes,
    "gemini": _GeminiRoutes,
    "mistral": _MistralRoutes,
}
