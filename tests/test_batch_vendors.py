"""Every vendor's batch API on the real wire: the exact requests wireai sends (upload, create, poll,
cancel, results), each line's body byte-for-byte what the model sends for `request()`, and the
results read back exactly as `request()` reads them, for successes, rejected lines, expiry,
cancellation and polls that fail on the way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from support import assert_spec_valid
from wireai.batch import BatchRequest, BatchRequestError, BatchResult, submit_batch
from wireai.exceptions import ModelHTTPError
from wireai.messages import ModelRequest, ModelResponse, TextPart, ThinkingPart, ToolCallPart, UserPromptPart
from wireai.models import ModelRequestParameters
from wireai.providers.openai import OpenAIProvider
from wireai.testing import (
    FakeAnthropic,
    FakeAzure,
    FakeGemini,
    FakeGroq,
    FakeMistral,
    FakeOpenAI,
    FakeOpenAIResponses,
    FakeVendor,
    RecordedRequest,
)
from wireai.testing.batches import multipart
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage

WEATHER = ToolDefinition(
    "get_weather",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    description="Current weather in a city.",
)
PARAMS = ModelRequestParameters(function_tools=[WEATHER])
SETTINGS: Any = {"max_tokens": 300, "temperature": 0.2}
POLL = 0.01


def prompt(text: str) -> list[Any]:
    return [ModelRequest([UserPromptPart(text)], instructions="Answer in one word.")]


def requests_for(n: int) -> list[BatchRequest]:
    return [BatchRequest(f"q{i}", prompt(f"question {i}"), SETTINGS, PARAMS) for i in range(n)]


@dataclass
class Vendor:
    """How one vendor's batch API looks on the wire, for the assertions below."""

    fake: type[FakeVendor]
    auth: tuple[str, str]
    create: str  # method and path of the batch creation
    poll: str  # the status poll, `{id}` for the vendor's batch id
    cancel: str
    spec: tuple[str, str] | None  # (vendor, operation) of the create body in ../shared, if described

    def batch_input(self, requests: list[RecordedRequest]) -> bytes:
        """The bytes carrying the batch's requests: the uploaded JSONL, or the create body itself."""
        uploads = [
            r
            for r in requests
            if r.method == "POST" and (r.url_path.endswith("/files") or "upload" in r.url_path)
        ]
        if not uploads:
            return next(r for r in requests if self.matches(self.create, r)).body
        upload = uploads[-1]
        return (
            multipart(upload)["file"]
            if "multipart" in upload.headers.get("content-type", "")
            else upload.body
        )

    @staticmethod
    def matches(call: str, request: RecordedRequest, batch_id: str = "[^/:]+") -> bool:
        method, path = call.split(" ", 1)
        pattern = re.escape(path).replace(re.escape("{id}"), batch_id)
        return request.method == method and re.fullmatch(pattern, request.url_path) is not None


OPENAI_LINE = b'{"custom_id":%s,"method":"POST","url":%s,"body":%s}'
VENDORS: dict[str, Vendor] = {
    "openai": Vendor(FakeOpenAI, ("authorization", "Bearer fake-api-key"), "POST /v1/batches",
                     "GET /v1/batches/{id}", "POST /v1/batches/{id}/cancel", ("openai", "batches")),
    "openai-responses": Vendor(FakeOpenAIResponses, ("authorization", "Bearer fake-api-key"), "POST /v1/batches",
                               "GET /v1/batches/{id}", "POST /v1/batches/{id}/cancel", ("openai", "batches")),
    "azure": Vendor(FakeAzure, ("api-key", "fake-api-key"), "POST /openai/batches", "GET /openai/batches/{id}",
                    "POST /openai/batches/{id}/cancel", None),
    "groq": Vendor(FakeGroq, ("authorization", "Bearer fake-api-key"), "POST /openai/v1/batches",
                   "GET /openai/v1/batches/{id}", "POST /openai/v1/batches/{id}/cancel", ("groq", "batches")),
    "anthropic": Vendor(FakeAnthropic, ("x-api-key", "fake-api-key"), "POST /v1/messages/batches",
                        "GET /v1/messages/batches/{id}", "POST /v1/messages/batches/{id}/cancel",
                        ("anthropic", "message_batches")),
    "gemini": Vendor(FakeGemini, ("x-goog-api-key", "fake-api-key"),
                     "POST /v1beta/models/gemini-2.0-flash:batchGenerateContent", "GET /v1beta/{id}",
                     "POST /v1beta/{id}:cancel", None),
    "mistral": Vendor(FakeMistral, ("authorization", "Bearer fake-api-key"), "POST /v1/batch/jobs",
                      "GET /v1/batch/jobs/{id}", "POST /v1/batch/jobs/{id}/cancel", ("mistral", "batch_jobs")),
}  # fmt: skip


def expected_input(name: str, job_id: str, model: Any, requests: list[BatchRequest]) -> bytes:
    """What the vendor must receive, written from its batch reference, around the bodies the model
    itself builds for `request()` (`build_request(...).content()`, the exact bytes)."""
    bodies = [
        (
            json.dumps(r.custom_id).encode(),
            model.build_request(r.messages, r.model_settings, r.model_request_parameters).content(),
        )
        for r in requests
    ]
    if name in ("openai", "groq"):
        return b"".join(OPENAI_LINE % (cid, b'"/v1/chat/completions"', body) + b"\n" for cid, body in bodies)
    if name == "openai-responses":
        return b"".join(OPENAI_LINE % (cid, b'"/v1/responses"', body) + b"\n" for cid, body in bodies)
    if name == "azure":  # the deployments API's body names no model; a batch line must name the deployment
        return b"".join(
            OPENAI_LINE % (cid, b'"/chat/completions"', b'{"model":"gpt-4o-batch",' + body[1:]) + b"\n"
            for cid, body in bodies
        )
    if name == "anthropic":
        return (
            b'{"requests":[' + b",".join(b'{"custom_id":%s,"params":%s}' % (c, b) for c, b in bodies) + b"]}"
        )
    if name == "gemini":
        items = b",".join(b'{"request":%s,"metadata":{"key":%s}}' % (b, c) for c, b in bodies)
        return b'{"batch":{"displayName":"wireai-%s-0","inputConfig":{"requests":{"requests":[%s]}}}}' % (
            job_id.encode(),
            items,
        )
    assert name == "mistral"
    return b"".join(b'{"custom_id":%s,"body":%s}\n' % (cid, body) for cid, body in bodies)


def summary(response: ModelResponse) -> tuple[Any, ...]:
    return (
        response.parts,
        response.usage,
        response.finish_reason,
        response.model_name,
        response.provider_name,
    )


async def collect(job: Any) -> dict[str, BatchResult]:
    return {result.custom_id: result async for result in job.results()}


# ---------------------------------------------------------------------------------------------- lifecycle


@pytest.mark.parametrize("name", list(VENDORS))
async def test_submit_poll_results_on_the_wire(name: str) -> None:
    """Submit three requests (a text answer, a tool call, a rejected line), poll through the
    vendor's states, read the results: every call's path, auth and body as the vendor documents."""
    vendor = VENDORS[name]
    with vendor.fake() as fake:
        assert fake.batch is not None
        fake.batch.processing_time = 0.3
        fake.add_text("Paris", usage=RequestUsage(input_tokens=12, output_tokens=2))
        fake.add_tool_call("get_weather", {"city": "Rome"}, tool_call_id="call_1")
        fake.add_error(400, message="this line is invalid")
        model = fake.model()
        requests = requests_for(3)
        job = await submit_batch(model, requests, store=False)
        assert (
            job.status in ("validating", "in_progress") and len(job.vendor_ids) == 1
        )  # Anthropic: no validating
        seen: list[str] = []
        await job.wait(poll_interval=POLL, progress=lambda j: seen.append(j.status))
        assert job.status == "completed" and seen[-1] == "completed" and "in_progress" in seen
        assert job.request_counts.as_dict() == {
            "total": 3,
            "succeeded": 2,
            "errored": 1,
            "cancelled": 0,
            "expired": 0,
        }
        results = await collect(job)

        assert fake.batch.creates == 1
        assert vendor.batch_input(fake.requests) == expected_input(name, job.id, model, requests)
        key, value = vendor.auth
        assert all(r.headers.get(key) == value for r in fake.requests)
        polls = [r for r in fake.requests if vendor.matches(vendor.poll, r, re.escape(job.vendor_ids[0]))]
        assert polls and all(r.body == b"" for r in polls)
        create = next(r for r in fake.requests if vendor.matches(vendor.create, r))
        if vendor.spec and create.headers.get("content-type") == "application/json":
            assert_spec_valid(vendor.spec[0], create.json(), vendor.spec[1])

    assert set(results) == {"q0", "q1", "q2"}
    ok, tool, bad = results["q0"], results["q1"], results["q2"]
    assert ok.ok and ok.status == "succeeded" and ok.response is not None
    assert ok.response.text == "Paris" and ok.response.usage.input_tokens == 12
    assert ok.response.finish_reason == "stop" and ok.response.provider_name == model.system
    assert tool.response is not None  # (Gemini says STOP after a function call, the others tool_call)
    assert [(p.tool_name, p.args_as_dict()) for p in tool.response.tool_calls] == [
        ("get_weather", {"city": "Rome"})
    ]
    assert not bad.ok and bad.status == "errored" and bad.response is None
    assert isinstance(bad.error, ModelHTTPError) and bad.error.status_code == 400
    assert "this line is invalid" in json.dumps(bad.error.body)


@pytest.mark.parametrize("name", list(VENDORS))
async def test_a_result_reads_back_exactly_as_a_live_request_does(name: str) -> None:
    """One scripted response (thinking, text, a tool call, usage), answered once live and once as a
    batch line: `parse_response` gives the same parts, usage, finish reason and names."""
    answer = ModelResponse(
        [ThinkingPart("let me see", signature="sig-1"), TextPart("Checking."), ToolCallPart("get_weather", {"city": "Oslo"}, "call_9")],
        usage=RequestUsage(input_tokens=40, output_tokens=17),
        finish_reason="tool_call",
    )  # fmt: skip
    vendor = VENDORS[name]
    with vendor.fake() as fake:
        fake.add_response(answer).add_response(answer)
        model = fake.model()
        request = requests_for(1)[0]
        live = await model.request(request.messages, request.model_settings, PARAMS)
        job = await submit_batch(model, [request], store=False)
        await job.wait(poll_interval=POLL)
        batched = (await collect(job))["q0"]
    assert batched.response is not None
    assert summary(batched.response) == summary(live)


@pytest.mark.parametrize("name", list(VENDORS))
async def test_expiry_keeps_what_ran_and_marks_the_rest_expired(name: str) -> None:
    vendor = VENDORS[name]
    with vendor.fake() as fake:
        assert fake.batch is not None
        fake.batch.expire, fake.batch.answered = True, 1
        fake.add_text("first").add_text("never used").add_text("never used")
        job = await submit_batch(fake.model(), requests_for(3), store=False)
        await job.wait(poll_interval=POLL)
        results = await collect(job)
    assert job.status == "expired"
    assert job.request_counts.succeeded == 1 and job.request_counts.expired == 2
    assert results["q0"].ok and results["q0"].response.text == "first"  # type: ignore[union-attr]
    for custom_id in ("q1", "q2"):
        result = results[custom_id]
        assert result.status == "expired" and isinstance(result.error, BatchRequestError)
        assert result.error.reason == "expired" and result.error.custom_id == custom_id


@pytest.mark.parametrize("name", list(VENDORS))
async def test_cancel_sends_the_vendors_cancel_and_keeps_partial_results(name: str) -> None:
    vendor = VENDORS[name]
    with vendor.fake() as fake:
        assert fake.batch is not None
        fake.batch.processing_time, fake.batch.cancel_time, fake.batch.answered = 60.0, 0.2, 1
        fake.add_text("done before the cancel").add_text("x").add_text("x")
        job = await submit_batch(fake.model(), requests_for(3), store=False)
        await job.cancel()
        assert job.status in ("cancelling", "cancelled")
        await job.wait(poll_interval=POLL)
        results = await collect(job)
        cancels = [r for r in fake.requests if vendor.matches(vendor.cancel, r, re.escape(job.vendor_ids[0]))]
    assert len(cancels) == 1
    assert job.status == "cancelled" and job.request_counts.cancelled == 2
    assert results["q0"].ok
    assert [results[c].status for c in ("q1", "q2")] == ["cancelled", "cancelled"]
    assert all(isinstance(results[c].error, BatchRequestError) for c in ("q1", "q2"))


@pytest.mark.parametrize("name", ["openai", "anthropic", "gemini", "mistral"])
async def test_transient_poll_failures_are_retried_by_the_transport(name: str) -> None:
    """A 503 with `Retry-After` on a status poll is retried by the transport after that delay,
    within the same poll (as any other request of the model)."""
    vendor = VENDORS[name]
    with vendor.fake() as fake:
        assert fake.batch is not None
        fake.batch.processing_time = 0.2
        fake.add_text("ok")
        job = await submit_batch(fake.model(), requests_for(1), store=False)
        fake.batch.fail_polls(503, 503, retry_after=0.01)
        await job.wait(poll_interval=POLL)
        polls = [r for r in fake.requests if vendor.matches(vendor.poll, r, re.escape(job.vendor_ids[0]))]
    assert job.status == "completed" and len(polls) >= 3


class Recorder:
    def __init__(self) -> None:
        self.statuses: list[str] = []
        self.problems: list[tuple[str, float]] = []
        self.retry_headers: list[dict[str, str]] = []

    def __call__(self, job: Any) -> None:
        self.statuses.append(job.status)

    def problem(self, job: Any, error: BaseException, retry_in: float) -> None:
        self.problems.append((type(error).__name__, retry_in))
        headers = getattr(error, "headers", {})
        self.retry_headers.append({k: v for k, v in headers.items() if k.startswith("retry-after")})


async def test_wait_keeps_polling_past_the_transports_retries_and_honours_retry_after() -> None:
    """With the transport's retries used up (max_retries=0), `wait` polls again after the longer of
    its interval and the vendor's `Retry-After`; a 4xx that is not transient ends the wait. A
    sub-second wait arrives as vendors send it: whole-second `Retry-After` and exact `retry-after-ms`."""
    with FakeOpenAI() as fake:
        assert fake.batch is not None
        fake.add_text("ok").add_text("ok")
        provider = OpenAIProvider(base_url=fake.url + "/v1", api_key="fake-api-key", max_retries=0)
        from wireai.models.openai import OpenAIChatModel

        model = OpenAIChatModel("gpt-4o", provider=provider)
        fake.batch.processing_time = 0.3
        job = await submit_batch(model, requests_for(1), store=False)
        fake.batch.fail_polls(503)
        fake.batch.fail_polls(429, retry_after=0.05)
        recorder = Recorder()
        await job.wait(poll_interval=POLL, progress=recorder)
        assert job.status == "completed"
        assert recorder.problems == [("ModelHTTPError", POLL), ("ModelHTTPError", 0.05)]
        assert recorder.retry_headers[1] == {"retry-after": "1", "retry-after-ms": "50"}

        fake.batch.processing_time = 5.0
        second = await submit_batch(model, [requests_for(1)[0]], store=False)
        fake.batch.fail_polls(401)
        with pytest.raises(ModelHTTPError) as caught:
            await second.wait(poll_interval=POLL)
        assert caught.value.status_code == 401


async def test_results_files_stream_and_rejected_lines_keep_their_status_and_body() -> None:
    """OpenAI puts rejected lines in the error file with their HTTP status and error body: each is a
    `ModelHTTPError` with that status and body, and the iteration goes on past it."""
    with FakeOpenAI() as fake:
        fake.add_error(429, message="slow down").add_text("fine").add_error(500, message="oops")
        job = await submit_batch(fake.model(), requests_for(3), store=False)
        await job.wait(poll_interval=POLL)
        results = [r async for r in job.results()]
        downloads = [r.url_path for r in fake.requests if r.url_path.endswith("/content")]
    assert [r.custom_id for r in results] == ["q1", "q0", "q2"]  # output file first, then the error file
    errors = {r.custom_id: r.error for r in results if r.error is not None}
    assert {c: (e.status_code, e.body["error"]["message"]) for c, e in errors.items()} == {  # type: ignore[attr-defined]
        "q0": (429, "slow down"),
        "q2": (500, "oops"),
    }
    assert len(downloads) == 2


async def test_gemini_above_the_inline_limit_uploads_a_jsonl_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the inline size the requests go through the Files API's resumable upload (start, then
    upload + finalize at the session URL), the batch names the file, the results come as a file."""
    import wireai.batch.gemini as gemini_batch

    monkeypatch.setattr(gemini_batch, "INLINE_LIMIT", 100)
    with FakeGemini() as fake:
        fake.add_text("uno").add_text("dos")
        model = fake.model()
        requests = requests_for(2)
        job = await submit_batch(model, requests, store=False)
        await job.wait(poll_interval=POLL)
        results = await collect(job)
        start, finish, create = fake.requests[:3]
        download = fake.requests[-1]
        assert fake.batch is not None
        finish_answer = json.dumps({"file": {"name": next(iter(fake.batch.batches.values())).input_file}})
    assert (start.method, start.url_path) == ("POST", "/upload/v1beta/files")
    assert start.headers["x-goog-upload-protocol"] == "resumable"
    assert start.headers["x-goog-upload-command"] == "start"
    assert start.headers["x-goog-upload-header-content-type"] == "application/jsonl"
    assert start.json() == {"file": {"displayName": f"wireai-{job.id}-0"}}
    assert finish.url_path == "/upload/v1beta/files" and "upload_id=" in finish.query
    assert finish.headers["x-goog-upload-command"] == "upload, finalize"
    assert finish.headers["x-goog-upload-offset"] == "0"
    assert int(start.headers["x-goog-upload-header-content-length"]) == len(finish.body)
    lines = [
        b'{"key":"q%d","request":%s}'
        % (i, model.build_request(r.messages, r.model_settings, PARAMS).content())
        for i, r in enumerate(requests)
    ]
    assert finish.body == b"\n".join(lines) + b"\n"
    file_name = json.loads(finish_answer)["file"]["name"]
    assert create.json() == {
        "batch": {"displayName": f"wireai-{job.id}-0", "inputConfig": {"fileName": file_name}}
    }
    assert download.url_path.startswith("/download/v1beta/files/") and download.query == "alt=media"
    assert [results[c].response.text for c in ("q0", "q1")] == ["uno", "dos"]  # type: ignore[union-attr]


async def test_anthropic_betas_of_the_requests_go_on_the_batch_creation() -> None:
    with FakeAnthropic() as fake:
        fake.add_text("a").add_text("b")
        settings: Any = {"max_tokens": 50, "anthropic_betas": ["beta-one"]}
        requests = [
            BatchRequest("a", prompt("x"), settings),
            BatchRequest("b", prompt("y"), {**settings, "anthropic_betas": ["beta-two", "beta-one"]}),
        ]
        job = await submit_batch(fake.model(), requests, store=False)
        create = fake.requests[0]
        poll_headers = [r.headers for r in fake.requests[1:]]
        await job.wait(poll_interval=POLL)
    assert create.headers["anthropic-beta"] == "beta-one,beta-two"
    assert create.headers["anthropic-version"] == "2023-06-01"
    assert all(h.get("anthropic-version") == "2023-06-01" for h in poll_headers)


@pytest.mark.parametrize("name", ["openai", "gemini", "mistral"])
async def test_a_batch_the_vendor_fails_fails_every_request_with_the_vendors_reason(name: str) -> None:
    vendor = VENDORS[name]
    with vendor.fake() as fake:
        assert fake.batch is not None
        fake.batch.fail = "the input file is not valid JSONL"
        job = await submit_batch(fake.model(), requests_for(2), store=False)
        await job.wait(poll_interval=POLL)
        results = await collect(job)
        downloads = [r for r in fake.requests if "content" in r.url_path or "download" in r.url_path]
    assert job.status == "failed" and downloads == []
    for custom_id in ("q0", "q1"):
        error = results[custom_id].error
        assert isinstance(error, BatchRequestError) and error.reason == "failed"
        assert "the input file is not valid JSONL" in str(error)


async def test_anthropic_validates_on_creation_so_a_bad_batch_is_a_400_from_submit() -> None:
    with FakeAnthropic() as fake:
        assert fake.batch is not None
        fake.batch.fail = "requests.0.params.max_tokens: Field required"
        with pytest.raises(ModelHTTPError) as caught:
            await submit_batch(fake.model(), requests_for(1), store=False)
    assert caught.value.status_code == 400 and "max_tokens" in str(caught.value.body)
