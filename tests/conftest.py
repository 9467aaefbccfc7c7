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


@pytest.fixture(autouse=True)
def _report_skipped_spec_checks(subtests: Any) -> Any:
    """A test whose vendor-spec checks could not run (no ../shared) shows one skipped subtest
    with the reason, beside its own result for everything else it asserted."""
    import support

    support.skipped_spec_checks.clear()
    yield
    if support.skipped_spec_checks:
        reasons = sorted(set(support.skipped_spec_checks))
        with subtests.test("vendor spec"):
            pytest.skip(
                f"{len(support.skipped_spec_checks)} vendor-spec check(s) not run: {'; '.join(reasons)}"
            )


# Every request body the codecs build in this session is checked by test_protocols_schemas.py.
from schema_collector import (  # noqa: E402, F401
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_runtest_setup,
    pytest_runtest_teardown,
)
