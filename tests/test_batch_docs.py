"""docs/batch.md's testing example runs as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support import doc_block

DOC = Path(__file__).resolve().parents[1] / "docs" / "batch.md"


async def test_the_testing_example_of_the_batch_docs_runs_as_written() -> None:
    namespace: dict[str, Any] = {"__name__": "batch_docs"}
    exec(compile(doc_block(DOC, "## Testing"), "docs/batch.md", "exec"), namespace)
    await namespace["test_nightly_summaries"]()
