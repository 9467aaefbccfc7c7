"""Suite-wide setup: async tests run on asyncio through anyio's pytest plugin (no marker needed)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: Any, name: str, obj: Any) -> None:
    # Mark coroutine tests before anyio's own collection hook looks for the marker, so
    # parametrized async tests work too.
    if collector.funcnamefilter(name) and inspect.iscoroutinefunction(obj):
        pytest.mark.anyio(obj)
