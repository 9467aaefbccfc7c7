"""Checks that need ../shared (vendor specs, the seed page) are skipped with a reason where it is
absent, never counted as passed, and fail under CI=true, where ../shared must exist.

The suite's own helpers (conftest.py, support.py, schema_collector.py) are copied into a clone
without ../shared beside it and run there in a fresh pytest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import support

TESTS = Path(__file__).resolve().parent

SPEC_USER = """
from support import assert_protocol_valid, assert_spec_valid

def test_body():
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    assert_protocol_valid("openai_chat", body)
    assert_spec_valid("openai", body)
    assert_spec_valid("openai", body)
    assert body["model"] == "gpt-4o"  # still runs after the skipped spec checks
"""


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A repository clone with no ../shared beside it."""
    root = tmp_path / "clone"
    (root / "tests").mkdir(parents=True)
    for name in ("conftest.py", "support.py", "schema_collector.py", "test_seed_doc.py"):
        shutil.copy(TESTS / name, root / "tests" / name)
    shutil.copytree(TESTS.parent / "protocols", root / "protocols")
    (root / "tests" / "test_spec_user.py").write_text(SPEC_USER)
    shutil.copy(TESTS.parent / "pyproject.toml", root / "pyproject.toml")  # the suite's pytest settings
    return root


def run_pytest(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "CI"} | env
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_shared_spec_checks_and_the_seed_doc_are_skipped_with_a_reason(clone: Path) -> None:
    result = run_pytest(clone)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "1 passed, 2 skipped" in out, out  # the test's own assertions, its spec part, the seed module
    assert "SKIPPED [1] tests/conftest.py" in out  # reported where the spec part is skipped, with why:
    assert "2 vendor-spec check(s) not run: the vendor specs are absent" in out
    assert (
        "the seed-doc examples needs" in out and "seed/models-doc.txt (../shared, present in CI only)" in out
    )


def test_under_ci_a_missing_shared_fails_the_run(clone: Path) -> None:
    result = run_pytest(clone, "--continue-on-collection-errors", CI="true")
    out = result.stdout
    assert result.returncode != 0, out
    assert "openai vendor-spec check cannot run: the vendor specs are absent" in out, out
    assert "CI=true, so this is an error" in out
    assert "ERROR tests/test_seed_doc.py" in out, out
    assert "1 failed, 1 error" in out, out


def test_a_validator_whose_dependency_is_missing_is_a_skip_reason_or_a_ci_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "validate.py").write_text("import a_module_that_is_not_installed\n")
    monkeypatch.setattr(support, "SPECS", tmp_path)
    monkeypatch.setattr(support, "IN_CI", False)  # a user's clone first; CI=true below
    monkeypatch.delitem(sys.modules, "validate", raising=False)
    support._spec_module.cache_clear()
    try:
        support.assert_spec_valid("openai", {})
        assert support.skipped_spec_checks == [
            "the vendor-spec validator cannot be imported (No module named "
            "'a_module_that_is_not_installed'); install the test extra"
        ]
        support.skipped_spec_checks.clear()
        monkeypatch.setattr(support, "IN_CI", True)
        with pytest.raises(pytest.fail.Exception, match="cannot be imported"):
            support.assert_spec_valid("openai", {})
    finally:
        support._spec_module.cache_clear()
        sys.modules.pop("validate", None)


def test_the_real_specs_are_used_when_present(monkeypatch: Any) -> None:
    support.require_shared(support.SPECS, "the vendor-spec checks")
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    support.assert_spec_valid("openai", body)
    assert support.skipped_spec_checks == []
    with pytest.raises(AssertionError, match="does not match the vendor spec"):
        support.assert_spec_valid("openai", {**body, "messages": "not a list"})
