"""pytest plugin registered by wireai's entry point (kept import-light: it loads in every pytest run)."""

from __future__ import annotations

from typing import Any


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "wireai_cassette: record/replay the HTTP exchanges of this test (wireai.testing)")
