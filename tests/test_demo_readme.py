"""The README's quick start runs as written: OpenAI fails (401), FallbackModel moves on to Anthropic,
the structured output and the stream come back. Vendors are loopback servers reached through the
providers' documented base-URL env vars, so the code is byte for byte the README's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from support import doc_block
from wireai.messages import ModelResponse, TextPart, ToolCallPart
from wireai.testing.encoders import anthropic
from wireai.testing.server import LoopbackServer, RecordedRequest, Reply
from wireai.usage import RequestUsage

README = Path(__file__).resolve().parents[1] / "README.md"


def _quick_start() -> str:
    return doc_block(README, "## Quick start")


def test_readme_has_the_two_setup_commands_ci_uses() -> None:
    text = README.read_text("utf-8")
    ci = (README.parent / ".ci" / "run").read_text("utf-8")
    assert "python -m pip install . && wireai demo" in text
    assert "python -m pip install -e '.[test]' && python -m pytest" in text
    assert "python -m pip install -q -e '.[test]'" in ci and "python -m pytest" in ci and 'wireai" demo' in ci


def test_quick_start_is_about_twenty_lines() -> None:
    code = [line for line in _quick_start().splitlines() if line.strip()]
    assert len(code) <= 26


def _anthropic(request: RecordedRequest) -> Reply:
    body = request.json()
    if body.get("stream"):
        response = ModelResponse(
            [TextPart("Why did the packet cross the wire?")],
            usage=RequestUsage(input_tokens=9, output_tokens=9),
        )
        sse = anthropic.encode_stream(response, model_name=body["model"], chunk_size=6)
        return Reply(200, {"content-type": "text/event-stream"}, chunks=[sse])
    call = ToolCallPart(
        body["tools"][0]["name"], {"city": "London", "country": "United Kingdom"}, tool_call_id="toolu_1"
    )
    response = ModelResponse(
        [call], usage=RequestUsage(input_tokens=57, output_tokens=8), finish_reason="tool_call"
    )
    return Reply.json(anthropic.encode_response(response, model_name=body["model"]))


def test_quick_start_runs_as_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    invalid_key = {
        "error": {
            "message": "Incorrect API key provided",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }
    }
    with (
        LoopbackServer(lambda r: Reply.json(invalid_key, 401)) as openai,
        LoopbackServer(_anthropic) as claude,
    ):
        monkeypatch.setenv("OPENAI_API_KEY", "sk-not-valid")
        monkeypatch.setenv("OPENAI_BASE_URL", openai.url + "/v1")
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", claude.url)
        namespace: dict[str, Any] = {"__name__": "readme_quick_start"}
        exec(compile(_quick_start(), str(README), "exec"), namespace)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "city='London' country='United Kingdom'"
    assert out[1] == "Usage(requests=1, request_tokens=57, response_tokens=8, total_tokens=65, details=None)"
    assert out[2] == "Why did the packet cross the wire?"
    assert [r.path for r in openai.requests] == ["/v1/chat/completions"]
    assert [r.json()["model"] for r in claude.requests] == [
        "claude-3-5-sonnet-latest",
        "claude-3-5-haiku-latest",
    ]


def test_testing_section_example_runs_as_written() -> None:
    code = doc_block(README, "## Testing your agent on the real wire, offline")
    namespace: dict[str, Any] = {}
    exec(compile(code, "<README testing>", "exec"), namespace)
    namespace["test_weather_agent"]()


def test_stateless_approval_example_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    code = doc_block(README, "## Code for today's PydanticAI")
    from wireai.testing import FakeOpenAI

    with FakeOpenAI() as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        namespace: dict[str, Any] = {"__name__": "readme_stateless"}
        exec(compile(code, "<README stateless>", "exec"), namespace)
        handle = namespace["handle"]
        fake.add_tool_call("delete_file", {"path": "old.log"}, tool_call_id="call_1")
        first = json.loads(json.dumps(handle({"prompt": "Clean up old.log"})))  # as it would travel
        assert first["ask"] == {"call_1": {"path": "old.log"}} and first["answer"] is None
        fake.add_text("Deleted old.log.")
        second = handle({"history": first["history"], "approvals": {"call_1": True}})
    assert second == {"history": second["history"], "ask": {}, "answer": "Deleted old.log."}
    assert fake.requests[1].json()["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "old.log deleted",
    }


def test_direct_model_api_example_runs_as_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = doc_block(README, "## Direct model API")
    from wireai.testing import FakeAnthropic

    with FakeAnthropic() as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        paris = "The capital of France is Paris."
        fake.add_text(paris, usage=RequestUsage(input_tokens=14, output_tokens=8))
        fake.add_tool_call("divide", {"a": 123, "b": 4}).add_text(paris)
        exec(compile(code, "<README direct>", "exec"), {"__name__": "readme_direct"})
    assert capsys.readouterr().out.splitlines() == [
        paris,
        "RequestUsage(input_tokens=14, output_tokens=8)",
        "divide {'a': 123, 'b': 4}",
        paris,
    ]
    plain, tools, streamed = (r.json() for r in fake.requests)
    assert plain["model"] == "claude-3-5-haiku-latest" and "tools" not in plain
    assert [t["name"] for t in tools["tools"]] == ["divide"] and tools["tool_choice"] == {"type": "any"}
    assert streamed["stream"] is True


def test_batches_example_runs_as_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Against a fake OpenAI batch API reached through `OPENAI_BASE_URL`, the job in a store of the
    test's own (`WIREAI_BATCH_STORE`): two requests in one batch, then a one-round agent run."""
    from wireai.testing import FakeOpenAI

    with FakeOpenAI() as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        monkeypatch.setenv("WIREAI_BATCH_STORE", str(tmp_path / "batches.sqlite"))
        fake.add_text("Locked out after a password reset.").add_error(400, message="prompt is too long")
        fake.add_text("Requests wait in line.")
        exec(
            compile(doc_block(README, "## Batches"), "<README batches>", "exec"),
            {"__name__": "readme_batches"},
        )
        created = [r.json() for r in fake.requests if r.path == "/v1/batches"]
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "t1 Locked out after a password reset."
    assert (
        out[1].startswith("t2 status_code: 400, model_name: gpt-4o-mini") and "prompt is too long" in out[1]
    )
    assert out[2] == "Requests wait in line."
    assert [(b["endpoint"], b["completion_window"]) for b in created] == [("/v1/chat/completions", "24h")] * 2
    assert (tmp_path / "batches.sqlite").exists()


def test_tracing_example_builds_what_it_says(monkeypatch: pytest.MonkeyPatch) -> None:
    from wireai.concurrency import ConcurrencyLimiter

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    namespace: dict[str, Any] = {"__name__": "readme_tracing"}
    code = doc_block(README, "## Tracing, concurrency limits and rate-limit pacing")
    exec(compile(code, "<README tracing>", "exec"), namespace)
    model, agent, provider = namespace["model"], namespace["agent"], namespace["provider"]
    assert provider.pacing is not None and model.wrapped.provider is provider
    assert isinstance(model.limiter, ConcurrencyLimiter) and model.limiter.max_running == 10
    assert agent.instrument.include_content is False
