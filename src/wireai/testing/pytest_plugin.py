"""pytest plugin registered by wireai's `pytest11` entry point.

It loads in every pytest run of everyone who has wireai installed, so at import it only declares
options, the marker and fixtures; nothing heavy is imported and nothing happens to a test unless
it opts in: `@pytest.mark.wireai_cassette` or asking for the `wireai_cassette` fixture.

    --wireai-record               re-record the cassettes of opted-in tests (hits the real vendor)
    --wireai-cassette-mode=MODE   once (default: replay when the cassette exists, else record),
                                  record, or replay (a missing cassette is an error; use in CI)

The marker takes `name=` (file stem; default the test's name), `match_on=` (default
`("method", "path", "body")`), `redact=` (extra header names) and `mode=`. Cassettes live in
`<test file's dir>/cassettes/<name>.json`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_MODES = ("once", "record", "replay")


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("wireai", "wireai record/replay")
    group.addoption(
        "--wireai-record",
        action="store_true",
        default=False,
        help="re-record the HTTP cassettes of tests marked wireai_cassette (talks to the real vendors)",
    )
    group.addoption(
        "--wireai-cassette-mode",
        choices=_MODES,
        default=None,
        help="once: replay when a cassette exists, else record (default); record; replay: never touch the network",
    )


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers",
        "wireai_cassette(name=None, match_on=('method', 'path', 'body'), redact=(), mode=None): "
        "record/replay the HTTP exchanges of this test (wireai.testing)",
    )


def cassette_mode(config: Any, marker_mode: str | None = None) -> str:
    """Command line beats the marker, which beats the default `once`."""
    if config.getoption("--wireai-record", default=False):
        return "record"
    return config.getoption("--wireai-cassette-mode", default=None) or marker_mode or "once"


def cassette_path(node: Any, name: str | None = None) -> Path:
    from .cassette import safe_name

    return Path(str(node.fspath)).parent / "cassettes" / f"{safe_name(name or node.name)}.json"


@pytest.fixture
def wireai_cassette(request: Any) -> Iterator[Any]:
    """Record or replay this test's HTTP exchanges; yields the active recorder or replayer."""
    from .cassette import DEFAULT_MATCH_ON, use_cassette

    marker = request.node.get_closest_marker("wireai_cassette")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    path = cassette_path(request.node, options.get("name"))
    with use_cassette(
        path,
        mode=cassette_mode(request.config, options.get("mode")),  # type: ignore[arg-type]
        match_on=options.get("match_on", DEFAULT_MATCH_ON),
        redact=options.get("redact", ()),
        allow_repeats=options.get("allow_repeats", False),
    ) as active:
        yield active


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """A marked test gets the fixture without naming it."""
    for item in items:
        if item.get_closest_marker("wireai_cassette") is not None:
            fixturenames = getattr(item, "fixturenames", None)
            if fixturenames is not None and "wireai_cassette" not in fixturenames:
                fixturenames.insert(0, "wireai_cassette")


@pytest.fixture
def fake_vendor() -> Iterator[Any]:
    """A factory of started fake vendors, stopped after the test: `fake = fake_vendor('anthropic')`."""
    from .fakes import FakeVendor
    from .fakes import fake_vendor as make

    started: list[FakeVendor] = []

    def factory(name: str, **kwargs: Any) -> FakeVendor:
        fake = make(name, **kwargs).start()
        started.append(fake)
        return fake

    try:
        yield factory
    finally:
        for fake in started:
            fake.stop()
