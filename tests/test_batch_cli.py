"""`wireai batch submit|status|wait|results|cancel`: exact output and exit codes, against a fake
vendor reached through the provider's documented env vars, the job kept in a store file."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from wireai.cli import main
from wireai.messages import ModelResponse, TextPart
from wireai.testing import FakeOpenAI
from wireai.testing.batches import multipart


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    with FakeOpenAI() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "fake-api-key")
        monkeypatch.setenv("WIREAI_BATCH_STORE", str(tmp_path / "cli.sqlite"))
        yield fake


def write(path: Path, *lines: Any) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def submit(fake: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    prompts = write(
        tmp_path / "in.jsonl",
        {"custom_id": "a", "prompt": "Capital of France?"},
        {"custom_id": "b", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Bye"}]},
    )  # fmt: skip
    assert (
        main(["batch", "submit", "-m", "openai:gpt-4o", str(prompts), "--system", "Be brief.", *extra]) == 0
    )
    out, err = capsys.readouterr()
    job_id = out.strip()
    batch_id = list(fake.batch.batches)[-1]
    assert job_id.startswith("wb-") and re.fullmatch(
        rf"2 requests, (completed|validating) at OpenAI: {batch_id}\n", err
    )
    return job_id


def test_submit_wait_status_results(fake: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake.add_text("Paris.").add_error(400, message="bad line")
    job_id = submit(fake, tmp_path, capsys)
    lines = [json.loads(line) for line in multipart(fake.requests[0])["file"].splitlines()]
    assert [line["body"]["messages"] for line in lines] == [
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Capital of France?"}],
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
         {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Bye"}],
    ]  # fmt: skip

    assert main(["batch", "wait", job_id, "--poll-interval", "0.01"]) == 0
    assert capsys.readouterr().err == f"{job_id}: completed 2/2 (1 succeeded, 1 errored)\n"

    assert main(["batch", "status", job_id]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"job      {job_id}",
        "model    openai:gpt-4o",
        "status   completed (completed)",
        f"vendor   OpenAI {next(iter(fake.batch.batches))}",
        "requests 1 succeeded, 1 errored, 0 cancelled, 0 expired, 0 processing, of 2",
    ]

    assert main(["batch", "status"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["JOB", "KIND", "MODEL", "STATUS", "SUCCEEDED", "ERRORED", "TOTAL", "CREATED"]
    assert table[1].split()[:7] == [job_id, "requests", "openai:gpt-4o", "completed", "1", "1", "2"]

    out_file = tmp_path / "out.jsonl"
    assert main(["batch", "results", job_id, "-o", str(out_file)]) == 0
    assert capsys.readouterr().err == "1 succeeded, 1 not\n"
    results = {line["custom_id"]: line for line in map(json.loads, out_file.read_text().splitlines())}
    assert results["a"] == {"custom_id": "a", "ok": True, "text": "Paris.", "tool_calls": [],
                            "usage": {"input_tokens": 10, "output_tokens": 5}, "finish_reason": "stop"}  # fmt: skip
    assert results["b"]["ok"] is False and results["b"]["error"]["type"] == "ModelHTTPError"
    assert results["b"]["error"]["status_code"] == 400 and "bad line" in results["b"]["error"]["message"]


def test_submit_with_an_output_schema_prints_each_output(
    fake: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps(
            {
                "type": "object",
                "title": "Answer",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            }
        )
    )
    fake.add_tool_call("final_result", {"city": "Paris"}).add_tool_call("final_result", {"city": "Oslo"})
    job_id = submit(fake, tmp_path, capsys, "--output-schema", str(schema))
    tools = [
        json.loads(line)["body"]["tools"][0]["function"]["name"]
        for line in multipart(fake.requests[0])["file"].splitlines()
    ]
    assert tools == ["final_result", "final_result"]
    assert main(["batch", "wait", job_id, "--poll-interval", "0.01"]) == 0
    capsys.readouterr()
    assert main(["batch", "results", job_id]) == 0
    outputs = [json.loads(line)["output"] for line in capsys.readouterr().out.splitlines()]
    assert outputs == [{"city": "Paris"}, {"city": "Oslo"}]


def test_cancel_and_a_wait_that_ends_cancelled_exits_1(
    fake: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.batch.processing_time = 60
    fake.batch.responder = lambda custom_id, body: ModelResponse([TextPart("x")])
    job_id = submit(fake, tmp_path, capsys)
    assert main(["batch", "cancel", job_id]) == 0
    assert (
        capsys.readouterr().out
        == f"{job_id}: cancelled (0 succeeded, 0 errored, 2 cancelled, 0 expired, 0 processing, of 2)\n"
    )
    assert main(["batch", "wait", job_id, "--poll-interval", "0.01"]) == 1


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["not json"], "in.jsonl:1: not JSON"),
        ([{"prompt": "x"}], "in.jsonl:1: each line is an object with a string 'custom_id'"),
        ([{"custom_id": "a"}], "in.jsonl:1: give 'prompt' or a non-empty 'messages' list"),
        ([{"custom_id": "a", "messages": [{"role": "tool", "content": "x"}]}], "in.jsonl:1: a message is"),
        ([], "has no requests"),
    ],
)
def test_bad_input_files_are_one_line_errors_exit_2(
    fake: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[Any], message: str
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    assert main(["batch", "submit", "-m", "openai:gpt-4o", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wireai: error: ") and message in err and err.count("\n") == 1
    assert fake.requests == []


def test_an_unknown_job_is_exit_2(fake: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", "wait", "wb-nope"]) == 2
    assert "No batch job 'wb-nope'" in capsys.readouterr().err


def test_an_empty_store_lists_no_jobs(fake: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", "status"]) == 0
    assert capsys.readouterr().out.endswith("(no batch jobs in the store)\n")


def test_wait_draws_a_bar_on_a_terminal(
    fake: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.batch.responder = lambda custom_id, body: ModelResponse([TextPart("x")])
    job_id = submit(fake, tmp_path, capsys)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["batch", "wait", job_id, "--poll-interval", "0.01"]) == 0
    assert terminal.getvalue() == f"\r[{'#' * 30}] {job_id}: completed 2/2 (2 succeeded, 0 errored)\x1b[K\n"
