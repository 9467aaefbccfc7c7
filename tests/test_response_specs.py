"""What the vendors send, checked against the vendors' own API descriptions (`../shared/protocol-specs`).

The request side has its checks beside each codec; these are the answers: every response of every
hand-written fixture in `wireai/fixtures` (JSON bodies, each SSE event, each event-stream frame)
matches the response schema its vendor's description gives, through `support.response_errors` /
`support.stream_errors`. The fixtures are written from the references, so a failure here is a
fixture to fix (the reference wins) or a documented divergence in `support.RESPONSE_ERRATA`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import support
from wireai.testing.fixtures import Exchange, fixtures_dir

support.require_shared(support.SPECS / "validate.py", "checking answers against the vendors' specs")

# Fixtures that are off the description on purpose, each with what it pins; the named events are
# left out of the check (everything else in the fixture is still checked).
OFF_SPEC: dict[str, tuple[str, str]] = {
    "anthropic/stream_text#0": (
        r"future_",
        "event types, deltas and blocks a newer API may add: the parser must skip them",
    ),
    "anthropic_bedrock/stream_thinking#0": (
        r"amazon-bedrock-invocationMetrics",
        "Bedrock adds its invocation metrics to Claude's last event (InvokeModelWithResponseStream's "
        "reference); Anthropic's description has no such field",
    ),
}


def is_stream(exchange: Exchange) -> bool:
    return any(k in exchange.response for k in ("sse", "sse_file", "sse_events", "eventstream"))


def _fixture_exchanges() -> list[Any]:
    root = fixtures_dir()
    params = []
    for path in sorted([*root.glob("*/*.json"), *root.glob("embeddings/*/*.json")]):
        folder = str(path.parent.relative_to(root))
        data = json.loads(path.read_text("utf-8"))
        for i, raw in enumerate(data.get("exchanges", [])):
            exchange = Exchange(raw["request"], raw["response"], path.parent)
            params.append(pytest.param(folder, path.stem, exchange, id=f"{folder}/{path.stem}#{i}"))
    return params


@pytest.mark.parametrize(("folder", "case", "exchange"), _fixture_exchanges())
def test_fixture_answer_matches_the_vendor_description(
    folder: str, case: str, exchange: Exchange, request: pytest.FixtureRequest
) -> None:
    vendor, kind = support.answer_schema(
        folder, case, exchange.request, exchange.response.get("status", 200), is_stream(exchange),
        exchange.response.get("headers", {}),
    )  # fmt: skip
    if not support.described(vendor, kind):
        what = "an OpenAI-compatible host's" if vendor == "compatible" else f"a {vendor} {kind}"
        pytest.skip(f"no description has the shape of {what} answer (support.UNDESCRIBED)")
    assert kind in support.RESPONSE_SCHEMAS[vendor], f"no response schema named for {vendor} {kind}"
    name = request.node.callspec.id
    if not is_stream(exchange):
        body = exchange.response.get("json", exchange.response.get("text"))
        support.assert_response_valid(vendor, kind, body)
        return
    raw = exchange.raw_body()
    framing = "eventstream" if "eventstream" in exchange.response else None
    errors = support.stream_errors(vendor, kind, raw, framing=framing)
    assert not isinstance(errors, str), errors
    if name in OFF_SPEC:
        pattern, _why = OFF_SPEC[name]
        events = support.stream_events(
            raw, framing or ("eventstream" if vendor == "bedrock" else "sse"), chunks=True
        )
        skipped = {
            n for n, (event, data) in enumerate(events) if re.search(pattern, json.dumps([event, data]))
        }
        assert skipped, f"{name}: nothing off the description any more; drop it from OFF_SPEC"
        errors = [e for e in errors if int(e.split(" ", 2)[1]) not in skipped]
    assert errors == [], f"{vendor} {kind} stream does not match the vendor spec:\n" + "\n".join(errors[:40])


def test_every_erratum_still_applies() -> None:
    """Each correction in `support.RESPONSE_ERRATA` changes a schema some answer is checked against."""
    for vendor, kinds in support.RESPONSE_SCHEMAS.items():
        if vendor in support.RESPONSE_ERRATA:
            for kind in kinds:
                support.response_errors(vendor, kind, {})
    unused = [
        e for errata in support.RESPONSE_ERRATA.values() for e in errata if e not in support.APPLIED_ERRATA
    ]
    assert unused == []


def test_the_description_catches_a_missing_required_field() -> None:
    """The check is not vacuous: an answer without a field the description requires fails it."""
    body = json.loads(Path(fixtures_dir() / "openai_responses" / "text.json").read_text())["exchanges"][0]
    answer = dict(body["response"]["json"])
    assert support.response_errors("openai", "responses", answer) == []
    del answer["parallel_tool_calls"]
    assert support.response_errors("openai", "responses", answer) == [
        "$: 'parallel_tool_calls' is a required property"
    ]
