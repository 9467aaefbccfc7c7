"""Suite-wide collection of every request body the codecs build, for `test_protocols_schemas.py`.

At configure time each codec's `build_request` (`wireai.codecs.<protocol>.build_request`) is wrapped
so that every body it returns — from a codec unit test, a model's `build_request`, an agent run over
loopback, the demo — is deep-copied and recorded with the protocol and the test that produced it.
Bodies are recorded at the codec boundary; a request built with the user's `extra_body` is left
out, since what that merges in is the user's, not the subset wireai itself emits, which is what
`protocols/<protocol>.request.schema.json` describes.
Calls that raise are not recorded. The check itself is a test moved to the end of the session.

A test that builds a body outside the schema on purpose can say so with the
`wireai_schema_exempt` marker.
"""

from __future__ import annotations

import copy
import functools
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROTOCOLS = ("openai_chat", "openai_responses", "anthropic", "gemini", "mistral", "cohere", "bedrock")
CHECK_TEST = "test_protocols_schemas.py::test_every_request_body_built_in_the_suite_matches_its_schema"


@dataclass
class Collected:
    protocol: str
    nodeid: str
    body: Any


COLLECTED: list[Collected] = []
_state = {"nodeid": "<collection>", "exempt": False, "installed": False}


def _wrap(protocol: str, build: Any) -> Any:
    @functools.wraps(build)
    def recording_build_request(*args: Any, **kwargs: Any) -> Any:
        request = build(*args, **kwargs)
        settings = kwargs.get("settings", args[2] if len(args) > 2 else None) or {}
        if not _state["exempt"] and not settings.get("extra_body"):
            COLLECTED.append(Collected(protocol, str(_state["nodeid"]), copy.deepcopy(request.body)))
        return request

    recording_build_request.__wireai_original__ = build  # type: ignore[attr-defined]
    return recording_build_request


def install() -> list[str]:
    """Wrap the codecs whose schema exists; returns the protocols wrapped."""
    wrapped = []
    for protocol in PROTOCOLS:
        if not (ROOT / "protocols" / f"{protocol}.request.schema.json").is_file():
            continue
        try:
            module = importlib.import_module(f"wireai.codecs.{protocol}")
        except ImportError:
            continue
        build = getattr(module, "build_request", None)
        if build is None or hasattr(build, "__wireai_original__"):
            continue
        module.build_request = _wrap(protocol, build)
        wrapped.append(protocol)
    _state["installed"] = True
    return wrapped


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers",
        "wireai_schema_exempt: request bodies built by this test are not checked against protocols/",
    )
    install()


def pytest_runtest_setup(item: Any) -> None:
    _state["nodeid"] = item.nodeid
    _state["exempt"] = item.get_closest_marker("wireai_schema_exempt") is not None


def pytest_runtest_teardown(item: Any) -> None:
    _state["nodeid"] = "<between tests>"
    _state["exempt"] = False


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Run the whole-suite schema check last, after every other test has built its bodies."""
    last = [i for i in items if i.nodeid.endswith(CHECK_TEST)]
    if last:
        items[:] = [i for i in items if i not in last] + last
