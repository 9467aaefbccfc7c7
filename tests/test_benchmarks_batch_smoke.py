"""`benchmarks/batch.py --smoke` keeps working: every figure is produced for both vendors (nothing
here asserts a time or a size)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.timeout(120)
def test_smoke_run_produces_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "batch.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "batch.py"), "--smoke", "--json", str(out)],
        capture_output=True, text=True, timeout=110,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["errors"] == []
    assert [(c["vendor"], c["n"], c["ok"]) for c in report["cells"]] == [
        ("openai", 200, 200),
        ("anthropic", 200, 200),
    ]
    for cell in report["cells"]:
        for phase in ("submit", "results"):
            assert cell[phase]["wall_s"] > 0 and cell[phase]["per_s"] > 0 and cell[phase]["cpu_s"] > 0
        assert cell["vendor_batches"] == 1 and cell["largest_upload_mib"] > 0
    assert "| openai, 200 | 1 |" in proc.stdout
