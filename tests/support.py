"""Shared test helpers: request-body validation against our `protocols/` schemas and the vendors' specs.

The vendors' specs and the seed page live in `../shared`, beside the repository: CI has it, a
user's clone does not. Without it, a check that needs it is reported as skipped, with the reason
(never as a passed assertion), and with `CI=true` it fails instead, so CI cannot lose it quietly.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROTOCOLS = ROOT / "protocols"
SHARED = ROOT.parent / "shared"
SPECS = SHARED / "protocol-specs"
IN_CI = os.environ.get("CI", "").strip().lower() == "true"

# Vendor-spec checks skipped during the current test: conftest.py reports them as one skipped
# subtest when the test ends, after the test's other assertions ran (a check can be skipped inside
# a loopback server's handler thread, where raising would only turn into a 500 answer).
skipped_spec_checks: list[str] = []


def require_shared(path: Path, what: str) -> None:
    """Skip (fail under CI) unless `path` in ../shared exists: call at a test module's top."""
    if path.exists():
        return
    reason = f"{what} needs {path} (../shared, present in CI only)"
    if IN_CI:
        pytest.fail(f"{reason}; CI=true, so this is an error", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


# Operations the vendors' specs describe but `validate.py --list` does not register (the embedding
# endpoints): added to the loaded module's registry here, never to the files in ../shared.
_GEMINI_SERVICE = "google/ai/generativelanguage/v1beta/generative_service.proto"
_VERTEX_SERVICE = "google/cloud/aiplatform/v1/prediction_service.proto"
EXTRA_OPERATIONS: dict[str, dict[str, Any]] = {
    "openai": {
        "embeddings": ("/embeddings", "post"),
        "input_tokens": ("/responses/input_tokens", "post"),
        "batches": ("/batches", "post"),
    },
    "azure": {"embeddings": ("/deployments/{deployment-id}/embeddings", "post")},
    "anthropic": {"message_batches": ("/v1/messages/batches", "post")},
    "groq": {"batches": ("/openai/v1/batches", "post")},
    "mistral": {"embeddings": ("/v1/embeddings", "post"), "batch_jobs": ("/v1/batch/jobs", "post")},
    "cohere": {"embed": ("/v2/embed", "post"), "tokenize": ("/v1/tokenize", "post")},
    "bedrock": {"count-tokens": "CountTokens"},
    "gemini": {
        "embedContent": (
            _GEMINI_SERVICE,
            "google.ai.generativelanguage.v1beta.GenerativeService.EmbedContent",
        ),
        "batchEmbedContents": (
            _GEMINI_SERVICE,
            "google.ai.generativelanguage.v1beta.GenerativeService.BatchEmbedContents",
        ),
    },
    "vertex": {
        "predict": (_VERTEX_SERVICE, "google.cloud.aiplatform.v1.PredictionService.Predict"),
        "embedContent": (_VERTEX_SERVICE, "google.cloud.aiplatform.v1.PredictionService.EmbedContent"),
        "countTokens": (
            "google/cloud/aiplatform/v1beta1/prediction_service.proto",
            "google.cloud.aiplatform.v1beta1.PredictionService.CountTokens",
        ),
    },
}


@functools.cache
def _spec_module() -> Any:
    """The spec validator module, or the reason it cannot be used (a str)."""
    if not (SPECS / "validate.py").is_file():
        return f"the vendor specs are absent ({SPECS / 'validate.py'} not found)"
    sys.path.insert(0, str(SPECS))
    try:
        import validate  # type: ignore[import-not-found]
    except ImportError as exc:
        return f"the vendor-spec validator cannot be imported ({exc}); install the test extra"
    finally:
        sys.path.pop(0)
    for vendor, operations in EXTRA_OPERATIONS.items():
        for name, target in operations.items():
            validate.VENDORS[vendor]["ops"].setdefault(name, target)
    return validate


# Request fields the live Gemini API takes that the proto snapshot in ../shared predates (see the
# "protos lag the live API" caveat in its README): `strip_proto_lag` removes exactly these before a
# body is checked against the protos, and insists each one is there, so the list stays honest.
PROTO_LAG: dict[str, tuple[str, ...]] = {
    "gemini": (
        "tools[].fileSearch",  # the snapshot's FileSearch predates fileSearchStoreNames
        "generationConfig.imageConfig.imageSize",
        "generationConfig.thinkingConfig.thinkingLevel",
        "serviceTier",
    ),
    "vertex": (),
}


def strip_proto_lag(vendor: str, body: Any, *fields: str) -> Any:
    """A copy of `body` without the named `PROTO_LAG` fields (`a.b`, `a[].b`: in every item of list
    `a`; an item left empty is dropped); each must be a known lag field and present in the body."""
    import copy

    out = copy.deepcopy(body)
    for spec in fields:
        assert spec in PROTO_LAG[vendor], f"{spec} is not a known {vendor} proto lag field"
        assert _drop(out, spec.split(".")), f"{spec} is not in the body"
    return out


def _drop(node: Any, path: list[str]) -> bool:
    head, rest = path[0], path[1:]
    if head.endswith("[]"):
        items = node.get(head[:-2]) if isinstance(node, dict) else None
        if not isinstance(items, list):
            return False
        found = [_drop(item, rest) for item in items]
        node[head[:-2]] = [item for item in items if item]
        return any(found)
    if not isinstance(node, dict) or head not in node:
        return False
    if rest:
        return _drop(node[head], rest)
    del node[head]
    return True


def assert_spec_valid(vendor: str, body: Any, operation: str | None = None, *, strict: bool = True) -> None:
    """Validate against the vendor's official description in ../shared.

    Where it cannot run, the check is recorded as skipped (and the test goes on with its other
    assertions); under `CI=true` that fails the test instead.
    """
    module = _spec_module()
    if isinstance(module, str):
        if IN_CI:
            pytest.fail(f"{vendor} vendor-spec check cannot run: {module}; CI=true, so this is an error")
        skipped_spec_checks.append(module)
        return
    errors = module.validate(vendor, body, operation, strict=strict)
    assert errors == [], (
        f"{vendor} {operation or ''} body does not match the vendor spec:\n"
        + "\n".join(errors)
        + ("\n" + json.dumps(body, indent=1)[:3000])
    )


@functools.cache
def _protocol_validator(protocol: str) -> Any:
    import jsonschema

    schema = json.loads((PROTOCOLS / f"{protocol}.request.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def assert_protocol_valid(protocol: str, body: Any) -> None:
    """Validate against our own `protocols/<protocol>.request.schema.json` (the subset we emit)."""
    validator = _protocol_validator(protocol)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{protocol} body outside protocols/{protocol}.request.schema.json:\n" + "\n".join(
        f"{list(e.path)}: {e.message}" for e in errors[:10]
    )


def replay_requests(
    protocol: str,
    case_name: str,
    model_for: Any,
    steps: list[tuple[list[Any], Any]],
    *,
    settings: Any = None,
    spec: str | None = None,
) -> list[Any]:
    """Run each (messages, params) step as a request against the case's replay server; check every
    expected body against our schema and the vendor's spec, and every sent body against the case."""
    import asyncio

    from wireai.testing.fixtures import ReplayServer, load_case

    case = load_case(protocol, case_name)
    for exchange in case.exchanges:
        assert_protocol_valid(protocol, exchange.body)
        assert_spec_valid(spec or protocol, exchange.body)
    with ReplayServer(case) as server:
        model = model_for(server)

        async def main() -> list[Any]:
            return [await model.request(messages, settings, params) for messages, params in steps]

        responses = asyncio.run(main())
        server.assert_requests_match()
    return responses


def replay_stream(
    protocol: str,
    case_name: str,
    model_for: Any,
    messages: list[Any],
    params: Any,
    *,
    spec: str | None = None,
) -> tuple[Any, list[Any]]:
    """Stream one request against the case's replay server: (the final response, every event)."""
    import asyncio

    from wireai.testing.fixtures import ReplayServer, load_case

    case = load_case(protocol, case_name)
    assert_protocol_valid(protocol, case.exchanges[0].body)
    assert_spec_valid(spec or protocol, case.exchanges[0].body)
    with ReplayServer(case) as server:
        model = model_for(server)

        async def main() -> tuple[Any, list[Any]]:
            async with model.request_stream(messages, None, params) as stream:
                events = [event async for event in stream]
                return stream.get(), events

        result = asyncio.run(main())
        server.assert_requests_match()
    return result
