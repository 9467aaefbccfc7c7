"""`wireai demo`: every vendor row runs OK offline, sends exactly the pinned requests, and fails loudly.

The demo fixtures (`src/wireai/fixtures/demo/<vendor>.json`) pin each vendor's exact request bodies
and auth header; regenerate them with `python -m wireai._demo.record` after an intended codec change.
"""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from typing import Any

import pytest

import wireai._demo as demo
from support import assert_protocol_valid, assert_spec_valid
from wireai._demo import format_table, run_demo, run_rows
from wireai._demo.scenario import HAIKU, RunOutcome, run_streamed, run_structured
from wireai._demo.vendors import VENDORS, DemoVendor
from wireai.testing.fixtures import FixtureCase, ReplayServer, load_case

# demo vendor -> (spec vendor, operation for plain requests, operation for streamed requests)
SPEC = {
    "openai": ("openai", "chat", "chat"),
    "openai_responses": ("openai", "responses", "responses"),
    "azure": ("azure", "chat", "chat"),
    "anthropic": ("anthropic", "messages", "messages"),
    "gemini": ("gemini", "generateContent", "streamGenerateContent"),
    "vertex": ("vertex", "generateContent", "streamGenerateContent"),
    "groq": ("groq", "chat", "chat"),
    "mistral": ("mistral", "chat", "chat"),
    "cohere": ("cohere", "chat", "chat"),
    "bedrock": ("bedrock", "converse", "converse-stream"),
    "deepseek": ("openai", "chat", "chat"),
    "openrouter": ("openai", "chat", "chat"),
    "grok": ("openai", "chat", "chat"),
    "perplexity": ("openai", "chat", "chat"),
    "ollama": ("openai", "chat", "chat"),
}
IDS = [v.key for v in VENDORS]


def test_the_issue_lists_every_vendor_protocol_and_host() -> None:
    assert set(SPEC) == {v.key for v in VENDORS}
    assert len(VENDORS) == 15


def test_demo_prints_a_row_per_vendor_all_ok() -> None:
    out = io.StringIO()
    assert run_demo(out=out) == 0
    text = out.getvalue()
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("vendor "))
    assert lines[header].split() == [
        "vendor",
        "model",
        "output",
        "tool",
        "called",
        "in/out",
        "tok",
        "deltas",
        "time",
        "result",
    ]
    rows = lines[header + 2 : header + 2 + len(VENDORS)]
    for vendor, row in zip(VENDORS, rows):
        assert row.startswith(vendor.label) and vendor.model_name in row and row.endswith("OK"), row
        assert "Paris 18.5°C Sunny and mild" in row
        assert ("get_weather" in row) == (vendor.key != "perplexity")
        assert ("112/43" if vendor.key == "perplexity" else "173/58") in row
    assert lines[-1].startswith(f"{len(VENDORS)}/{len(VENDORS)} vendors OK in ")


@pytest.mark.parametrize("vendor", VENDORS, ids=IDS)
async def test_vendor_sends_exactly_the_pinned_requests(vendor: DemoVendor) -> None:
    case = load_case("demo", vendor.key)
    outcome = RunOutcome()
    with ReplayServer(case) as server:
        await run_structured(vendor.model(server.url), outcome)
        await run_streamed(vendor.model(server.url), outcome)
    server.assert_requests_match()
    spec_vendor, plain_op, stream_op = SPEC[vendor.key]
    for i, request in enumerate(server.requests):
        body = request.json()
        assert_protocol_valid(vendor.protocol, body)
        streamed = i == len(server.requests) - 1
        # Azure's 2024-10-21 spec predates `stream_options`, which Azure accepts: checked leniently.
        strict = not (streamed and vendor.key == "azure")
        assert_spec_valid(spec_vendor, body, stream_op if streamed else plain_op, strict=strict)
    assert outcome.text == HAIKU
    assert outcome.deltas > 1  # the text really arrived in pieces


@pytest.mark.parametrize("vendor", VENDORS, ids=IDS)
def test_fixture_shape(vendor: DemoVendor) -> None:
    """Tool call, output, stream (Perplexity has no tools: output, stream); the last one streamed."""
    case = load_case("demo", vendor.key)
    assert len(case.exchanges) == (2 if vendor.key == "perplexity" else 3)
    last = case.exchanges[-1].response
    assert ("eventstream" in last) if vendor.protocol == "bedrock" else ("sse" in last)
    for exchange in case.exchanges[:-1]:
        assert "json" in exchange.response
    for exchange in case.exchanges:
        assert exchange.request["headers"] == {
            vendor.auth_header: exchange.request["headers"][vendor.auth_header]
        }


def _tampered(protocol_key: str, mutate: Any) -> Any:
    real = load_case

    def load(protocol: str, name: str) -> FixtureCase:
        case = real(protocol, name)
        if name == protocol_key:
            mutate(case)
        return case

    return load


def test_a_vendor_error_fails_its_row_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def rejected(case: FixtureCase) -> None:
        case.exchanges[-1].response = {
            "status": 400,
            "json": {
                "type": "error",
                "error": {"type": "invalid_request_error", "message": "max_tokens: too large"},
            },
        }

    monkeypatch.setattr(demo, "load_case", _tampered("anthropic", rejected))
    out = io.StringIO()
    assert run_demo(["openai", "anthropic"], out=out) == 1
    text = out.getvalue()
    assert "1/2 vendors OK" in text
    assert "\nAnthropic: ModelHTTPError: " in text and "400" in text
    [row] = [line for line in text.splitlines() if line.startswith("Anthropic ")]
    assert row.endswith("FAIL")


def test_a_request_to_the_wrong_path_fails_the_row(monkeypatch: pytest.MonkeyPatch) -> None:
    def moved(case: FixtureCase) -> None:
        case.exchanges[0].request["path"] = "/v1/elsewhere"

    monkeypatch.setattr(demo, "load_case", _tampered("mistral", moved))
    out = io.StringIO()
    assert run_demo(["mistral"], out=out) == 1
    assert (
        "Mistral: AssertionError: request 1 went to POST /v1/chat/completions, expected /v1/elsewhere"
        in out.getvalue()
    )


def test_wrong_output_fails_the_row(monkeypatch: pytest.MonkeyPatch) -> None:
    def colder(case: FixtureCase) -> None:
        body = case.exchanges[1].response["json"]
        body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = (
            '{"city": "Paris", "temperature_c": 3, "summary": "Cold"}'
        )

    monkeypatch.setattr(demo, "load_case", _tampered("deepseek", colder))
    rows = demo.asyncio.run(run_rows(["deepseek"]))
    assert rows[0].error is not None and rows[0].error.startswith("AssertionError: structured output")
    assert "FAIL" in format_table(rows)


async def test_rows_leave_no_server_running() -> None:
    await run_rows(["openai", "bedrock"])
    assert not [t for t in threading.enumerate() if t.name == "wireai-loopback"]


def test_vertex_and_bedrock_rows_need_no_extras() -> None:
    """Vertex runs on static-token credentials, Bedrock on a Bedrock API key: no google-auth, no botocore."""
    code = (
        "import sys; sys.modules['google'] = None; sys.modules['google.auth'] = None; sys.modules['botocore'] = None\n"
        "from wireai._demo import run_demo\n"
        "raise SystemExit(run_demo(['vertex', 'bedrock']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2/2 vendors OK" in done.stdout


def test_wireai_demo_console_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wireai.cli", "demo"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(VENDORS)}/{len(VENDORS)} vendors OK" in done.stdout
