"""The benchmark harness keeps working: `benchmarks/run.py --smoke` end to end, plus the mock's wire shapes.

Smoke mode uses this interpreter (no venvs, no pydantic-ai) and tiny N; nothing here asserts a
time, only that every figure was produced and the mock speaks both vendors' formats.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCH / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


def test_mock_answers_a_tool_call_when_tools_are_sent_and_text_after_the_tool_result():
    mock = _load("mock_server").Responder()
    tools = [
        {
            "type": "function",
            "function": {
                "name": "final_result",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}, "n": {"type": "integer"}},
                },
            },
        }
    ]
    body = json.dumps(
        {"model": "m", "messages": [{"role": "user", "content": "hi"}], "tools": tools}
    ).encode()
    reply = mock.respond(b"POST", b"/v1/chat/completions", body)
    data = json.loads(reply.split(b"\r\n\r\n", 1)[1])
    call = data["choices"][0]["message"]["tool_calls"][0]["function"]
    assert call["name"] == "final_result" and json.loads(call["arguments"]) == {"city": "Paris", "n": 1}

    after = json.dumps(
        {"model": "m", "tools": tools, "messages": [{"role": "tool", "content": "ok"}]}
    ).encode()
    data = json.loads(mock.respond(b"POST", b"/v1/chat/completions", after).split(b"\r\n\r\n", 1)[1])
    assert data["choices"][0]["message"]["content"]


def test_mock_streams_n_text_deltas_for_both_vendors():
    mock = _load("mock_server").Responder()
    body = json.dumps(
        {"model": "m", "stream": True, "messages": [], "stream_options": {"include_usage": True}}
    ).encode()
    sse = mock.respond(b"POST", b"/d7/v1/chat/completions", body).split(b"\r\n\r\n", 1)[1].decode()
    chunks = [json.loads(line[6:]) for line in sse.splitlines() if line.startswith("data: {")]
    assert sum(1 for c in chunks for ch in c["choices"] if ch["delta"].get("content")) == 7
    assert chunks[-1]["usage"] and sse.rstrip().endswith("data: [DONE]")

    sse = mock.respond(b"POST", b"/d5/v1/messages", body).split(b"\r\n\r\n", 1)[1].decode()
    events = [json.loads(line[6:]) for line in sse.splitlines() if line.startswith("data: ")]
    assert [e["type"] for e in events].count("content_block_delta") == 5
    assert events[0]["type"] == "message_start" and events[-1]["type"] == "message_stop"


@pytest.mark.timeout(120)
def test_smoke_run_produces_every_figure_for_the_floor_and_wireai(tmp_path):
    """Both stacks are always asserted: a wireai that fails to import fails this test."""
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--smoke", "--import-runs", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "### Goals: wireai over the fair floor" in proc.stdout
    assert "### Throughput at concurrency" in proc.stdout
    report = json.loads(out.read_text())
    assert report["stacks"] == ["floor", "wireai"]
    levels = report["config"]["concurrency"]
    assert levels == [4]
    for name in ("floor", "wireai"):
        r = report["results"][name]
        assert not r.get("errors"), r.get("errors")
        assert r["construct_ms"]["median"] is not None and r["rss_mib"]["median"] > 0
        for vendor in ("openai", "anthropic"):
            for mode in ("plain", "structured"):
                measured = r["requests"][vendor][mode]
                assert len(measured["us_per_req"]) == len(measured["cpu_us_per_req_p10"]) == 1
            assert r["stream"][vendor]["deltas_seen"] == [50]
            for c in levels:
                conc = r["concurrency"][vendor][str(c)]
                assert not conc.get("warnings"), conc.get("warnings")
                for key in (
                    "streams_per_s",
                    "ttfd_ms_p50",
                    "ttfd_ms_p99",
                    "cpu_us_per_stream",
                    "rss_kib_per_stream",
                    "conns_per_stream",
                    "mock_cpu_us_per_stream",
                ):
                    assert len(conc[key]) == 1, key
                assert conc["ttfd_ms_p50"][0] <= conc["ttfd_ms_p99"][0]
    assert report["mock"]["requests"] > 0


@pytest.mark.timeout(60)
def test_pacing_smoke_run_reports_every_scenario():
    proc = subprocess.run(
        [sys.executable, str(BENCH / "pacing.py"), "--smoke", "--runs", "12", "--json"],
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = json.loads(proc.stdout)
    assert [(r["vendor"], r["pacing"]) for r in rows] == [
        ("openai", False),
        ("openai", True),
        ("anthropic", False),
        ("anthropic", True),
    ]
    for row in rows:
        assert row["runs"] == 12 and row["wall_s"] > 0 and row["floor_s"] > 0
        assert row["requests_sent"] >= 12 - row["failed"]
        if row["pacing"]:
            assert (row["rejected_429"], row["failed"]) == (0, 0)
