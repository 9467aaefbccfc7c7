"""docs/batch.md's testing example runs as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[1] / "docs" / "batch.md"


async def test_the_testing_example_of_the_batch_docs_runs_as_written() -> None:
    section = DOC.read_text("utf-8").split("## Testing", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "no python block under '## Testing'"
    namespace: dict[str, Any] = {"__name__": "batch_docs"}
    exec(compile(match.group(1), "docs/batch.md", "exec"), namespace)
    await namespace["test_nightly_summaries"]()
