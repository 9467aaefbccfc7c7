"""Every request body built in the test suite, and every fixture's expected request, matches
`protocols/<protocol>.request.schema.json` — the JSON Schema of the request subset wireai emits.

The bodies are collected by `schema_collector.py` (wired into conftest): each codec's
`build_request` is wrapped for the whole session and the check below runs last.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import schema_collector
from support import assert_protocol_valid
from wireai._demo import run_rows
from wireai._demo.vendors import VENDORS
from wireai.testing.fixtures import fixtures_dir

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = sorted((ROOT / "protocols").glob("*.request.schema.json"))
# Fixture folders that are not named after their protocol.
FIXTURE_PROTOCOL = {
    "groq": "openai_chat",
    "openrouter": "openai_chat",
    "xai_responses": "openai_responses",
    "azure": "openai_chat",
    "vertex": "gemini",
    "openai_compatible": "openai_chat",
    "snowflake": "openai_chat",
    "anthropic_bedrock": "anthropic",
    "anthropic_vertex": "anthropic",
    "anthropic_foundry": "anthropic",
    "anthropic_bedrock_mantle": "anthropic",
}
DEMO_PROTOCOL = {v.key: v.protocol for v in VENDORS}


def _protocol_of_fixture(folder: str, case: str) -> str:
    if folder == "demo":
        return DEMO_PROTOCOL[case]
    if folder == "bedrock_mantle":  # Mantle serves both OpenAI APIs
        return "openai_chat" if case.startswith("chat_") else "openai_responses"
    return FIXTURE_PROTOCOL.get(folder, folder)


def _fixture_bodies() -> list[Any]:
    params = []
    for path in sorted(fixtures_dir().glob("*/*.json")):
        folder, case = path.parent.name, path.stem
        data = json.loads(path.read_text("utf-8"))
        for i, exchange in enumerate(data.get("exchanges", [])):
            body = exchange.get("request", {}).get("body")
            path = exchange.get("request", {}).get("path", "")
            if path.endswith(("/count_tokens", "/count-tokens:rawPredict")) or (
                folder.startswith("anthropic_") and path.endswith("/count-tokens")
            ):
                continue  # not a generation body: its test checks it against the vendor's count_tokens spec
            if isinstance(body, dict):
                params.append(
                    pytest.param(_protocol_of_fixture(folder, case), body, id=f"{folder}/{case}#{i}")
                )
    return params


@pytest.mark.parametrize("schema_path", SCHEMAS, ids=[p.name.split(".")[0] for p in SCHEMAS])
def test_schema_is_draft_2020_12_and_closed_at_the_top(schema_path: Path) -> None:
    schema = json.loads(schema_path.read_text("utf-8"))
    assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    # A misspelt top-level field must be caught: that is what the schema is for.
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors({"tmeperature": 0.5})), f"{schema_path.name} accepts unknown fields"


@pytest.mark.parametrize(("protocol", "body"), _fixture_bodies())
def test_fixture_request_body_matches_its_schema(protocol: str, body: Any) -> None:
    assert_protocol_valid(protocol, body)


def test_every_codec_with_a_schema_is_wrapped() -> None:
    import importlib

    for schema_path in SCHEMAS:
        protocol = schema_path.name.split(".")[0]
        module = importlib.import_module(f"wireai.codecs.{protocol}")
        assert hasattr(module.build_request, "__wireai_original__"), (
            f"{protocol}.build_request is not collected"
        )


async def test_demo_runs_build_a_body_for_every_protocol() -> None:
    """So the whole-suite check has something for every protocol even when this file runs alone."""
    before = len(schema_collector.COLLECTED)
    rows = await run_rows(
        ["openai", "openai_responses", "anthropic", "gemini", "mistral", "cohere", "bedrock"]
    )
    assert all(r.ok for r in rows), [r.error for r in rows if not r.ok]
    seen = {c.protocol for c in schema_collector.COLLECTED[before:]}
    assert seen == {p.name.split(".")[0] for p in SCHEMAS}


def test_every_request_body_built_in_the_suite_matches_its_schema() -> None:
    """Runs last (see schema_collector): every body every codec built during this session."""
    from support import _protocol_validator

    assert schema_collector.COLLECTED, "no request bodies were collected"
    failures: dict[str, set[str]] = defaultdict(set)
    # Many tests build the same body (stress runs, property tests): each distinct body is validated
    # once and its errors reported for every test that built it.
    verdicts: dict[tuple[str, str], list[str]] = {}
    for item in schema_collector.COLLECTED:
        key = (item.protocol, json.dumps(item.body, sort_keys=True, default=repr))
        if key not in verdicts:
            validator = _protocol_validator(item.protocol)
            verdicts[key] = [
                f"{item.protocol} {list(error.path)}: {error.message[:200]}"
                for error in validator.iter_errors(item.body)
            ]
        if verdicts[key]:
            failures[item.nodeid].update(verdicts[key])
    report = "\n".join(
        f"{nodeid}\n    " + "\n    ".join(sorted(errs)[:5]) for nodeid, errs in sorted(failures.items())
    )
    assert not failures, (
        f"{len(failures)} tests built request bodies outside protocols/*.request.schema.json "
        f"(fix the codec or the schema; mark deliberate ones with @pytest.mark.wireai_schema_exempt):\n{report}"
    )
