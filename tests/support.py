"""Shared test helpers: request-body validation against our `protocols/` schemas and the vendors' specs."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROTOCOLS = ROOT / "protocols"
SPECS = ROOT.parent / "shared" / "protocol-specs"


@functools.cache
def _spec_module() -> Any | None:
    if not (SPECS / "validate.py").is_file():
        return None
    sys.path.insert(0, str(SPECS))
    try:
        import validate  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    return validate


def spec_available() -> bool:
    return _spec_module() is not None


def assert_spec_valid(vendor: str, body: Any, operation: str | None = None, *, strict: bool = True) -> None:
    """Validate against the vendor's official description in ../shared (a no-op where it is absent)."""
    module = _spec_module()
    if module is None:
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
