"""docs/testing.md's examples of the fakes run as written (the cassette and rechunk blocks are
sketches around a test of yours: the cassette plugin and `rechunk` have tests of their own)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support import doc_block

DOC = Path(__file__).resolve().parents[1] / "docs" / "testing.md"


@pytest.mark.parametrize(
    ("heading", "test_name"),
    [("### Fake vendors", "test_weather_agent"), ("### Fake embedding vendors", "test_index")],
)
def test_the_fake_vendor_examples_of_the_testing_docs_run_as_written(heading: str, test_name: str) -> None:
    namespace: dict[str, Any] = {"__name__": "testing_docs"}
    exec(compile(doc_block(DOC, heading), "docs/testing.md", "exec"), namespace)
    namespace[test_name]()
