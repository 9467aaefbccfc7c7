"""`benchmarks/embeddings.py --smoke` keeps working, and the mock answers embeddings as OpenAI does.

Nothing here asserts a time: only that every figure is produced for the floor and wireai, in both
encodings.
"""

from __future__ import annotations

import base64
import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def test_mock_answers_embeddings_in_float_json_and_base64() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import mock_server
    finally:
        sys.path.remove(str(BENCH))
    responder = mock_server.Responder()
    for encoding in ("float", "base64"):
        body = json.dumps(
            {"input": ["a", "b", "c"], "model": "m", "encoding_format": encoding, "dimensions": 4}
        )
        reply = responder.respond(b"POST", b"/v1/embeddings", body.encode())
        data = json.loads(reply.split(b"\r\n\r\n", 1)[1])
        vectors = [item["embedding"] for item in data["data"]]
        if encoding == "base64":
            vectors = [list(struct.unpack("<4f", base64.b64decode(v))) for v in vectors]
        assert len(vectors) == 3 and all(len(v) == 4 for v in vectors)
        assert [item["index"] for item in data["data"]] == [0, 1, 2] and data["usage"]["prompt_tokens"] == 36
    assert vectors[0] == mock_server._vector(4)


@pytest.mark.timeout(120)
def test_smoke_run_produces_every_figure_for_the_floor_and_wireai(tmp_path: Path) -> None:
    out = tmp_path / "embeddings.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "embeddings.py"), "--smoke", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["errors"] == []
    for stack in ("floor", "wireai"):
        for encoding in ("float", "base64"):
            cell = report["results"][stack][encoding]
            assert cell["cpu_us_per_vector"] > 0 and cell["peak_mib"] > 0 and cell["rounds"] == 1
    assert "| wireai | base64 |" in proc.stdout
