"""Deterministic example data for a JSON Schema: what TestModel sends as tool arguments and outputs."""

from __future__ import annotations

from typing import Any

__all__ = ["generate"]

_FORMATS = {
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "duration": "P1D",
}


def generate(schema: dict[str, Any], seed: int = 0) -> Any:
    return _Generator(schema.get("$defs", {}), seed).value(schema)


class _Generator:
    def __init__(self, defs: dict[str, Any], seed: int):
        self.defs = defs
        self.seed = seed
        self.counter = 0
        self.depth = 0

    def _letter(self) -> str:
        char = chr(ord("a") + (self.seed + self.counter) % 26)
        self.counter += 1
        return char

    def value(self, schema: dict[str, Any]) -> Any:
        if self.depth > 20:
            return None
        self.depth += 1
        try:
            return self._value(schema)
        finally:
            self.depth -= 1

    def _value(self, schema: dict[str, Any]) -> Any:
        if "$ref" in schema:
            return self.value(self.defs.get(schema["$ref"].rsplit("/", 1)[-1], {}))
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][self.seed % len(schema["enum"])]
        if "default" in schema and schema.get("type") is None:
            return schema["default"]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
                return self.value(options[self.seed % len(options)])
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for sub in schema["allOf"]:
                merged.update(sub)
            return self.value(merged)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "object" or (kind is None and "properties" in schema):
            properties = schema.get("properties", {})
            required = schema.get("required", list(properties))
            return {name: self.value(sub) for name, sub in properties.items() if name in required}
        if kind == "array":
            items = schema.get("items", {})
            count = max(schema.get("minItems", 1), 1)
            if "prefixItems" in schema:
                return [self.value(s) for s in schema["prefixItems"]]
            return [self.value(items) for _ in range(count)]
        if kind == "string":
            if schema.get("format") in _FORMATS:
                return _FORMATS[schema["format"]]
            text = self._letter()
            return text * max(schema.get("minLength", 1), 1)
        if kind == "integer":
            low = schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1)
            return max(self.seed, low)
        if kind == "number":
            low = schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1)
            return float(max(self.seed, low))
        if kind == "boolean":
            return self.seed % 2 == 1
        if kind == "null":
            return None
        return self._letter()
