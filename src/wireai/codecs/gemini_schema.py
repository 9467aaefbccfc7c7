"""JSON Schema -> the OpenAPI 3.0 subset Gemini's `Schema` message accepts (`parameters`, `responseSchema`).

Gemini's `Schema` has no `$ref`, `$defs`, `additionalProperties`, `const`, `oneOf`/`allOf` or type
lists, spells types in upper case, and marks `type` REQUIRED. Pydantic emits all of those, so tool
and output schemas are rewritten here: references are inlined (a recursive reference cannot be,
and is a `UserError` pointing at the full-JSON-Schema fields), `anyOf [X, null]` becomes
`nullable`, `const` becomes a one-value `enum`, a real union is a bare `anyOf` (Gemini allows no
sibling fields beside it), and keys Gemini rejects are dropped.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import UserError

__all__ = ["to_gemini_schema", "strip_json_schema"]

_TYPES = {
    "string": "STRING",
    "number": "NUMBER",
    "integer": "INTEGER",
    "boolean": "BOOLEAN",
    "array": "ARRAY",
    "object": "OBJECT",
}

# JSON Schema key -> Gemini Schema field (proto3 JSON name); anything else is dropped.
_KEPT = {
    "description": "description",
    "format": "format",
    "minimum": "minimum",
    "maximum": "maximum",
    "minLength": "minLength",
    "maxLength": "maxLength",
    "minItems": "minItems",
    "maxItems": "maxItems",
    "minProperties": "minProperties",
    "maxProperties": "maxProperties",
    "pattern": "pattern",
    "example": "example",
    "default": "default",
}

# `format` values the Schema documents; others (uuid, uri, ...) are moved into the description.
_FORMATS = {
    "STRING": {"enum", "date-time"},
    "NUMBER": {"float", "double"},
    "INTEGER": {"int32", "int64"},
}


def to_gemini_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The Gemini `Schema` for a JSON Schema; raises `UserError` for what cannot be expressed."""
    defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    return _convert(schema, defs, ())


def strip_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema for `parametersJsonSchema`/`responseJsonSchema`: only `$schema` is unwelcome."""
    return {k: v for k, v in schema.items() if k != "$schema"}


def _convert(schema: Any, defs: dict[str, Any], seen: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(schema, dict):
        return {"type": "STRING"} if schema is True or schema is None else {"type": "OBJECT"}
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            raise UserError(
                f"The schema refers to itself ({' -> '.join((*seen, name))}); Gemini's OpenAPI schema subset "
                "cannot express recursion. Use a model profile with `extra={'gemini_json_schema': True}` "
                "(sends `parametersJsonSchema`/`responseJsonSchema`) or remove the recursion."
            )
        if name not in defs:
            raise UserError(f"Unresolvable $ref {ref!r} in a tool or output schema")
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        return _convert({**defs[name], **siblings}, defs, (*seen, name))

    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list):
            return _union(schema, options, defs, seen)
    all_of = schema.get("allOf")
    if isinstance(all_of, list) and all_of:
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        if len(all_of) == 1 and isinstance(all_of[0], dict):
            return _convert({**all_of[0], **rest}, defs, seen)
        merged = _convert({"type": "object", **rest}, defs, seen)
        for sub in all_of:
            part = _convert(sub, defs, seen)
            merged.setdefault("properties", {}).update(part.get("properties", {}))
            merged["required"] = [*merged.get("required", []), *part.get("required", [])]
        if not merged["required"]:
            del merged["required"]
        return merged

    out: dict[str, Any] = {}
    raw_type = schema.get("type")
    nullable = False
    if isinstance(raw_type, list):
        non_null = [t for t in raw_type if t != "null"]
        nullable = len(non_null) < len(raw_type)
        if len(non_null) > 1:
            return _union(
                {k: v for k, v in schema.items() if k != "type"},
                [{"type": t} for t in non_null] + ([{"type": "null"}] if nullable else []),
                defs,
                seen,
            )
        raw_type = non_null[0] if non_null else "null"
    if "const" in schema:
        out["enum"] = [str(schema["const"])]
        raw_type = raw_type or "string"
    if "enum" in schema and isinstance(schema["enum"], list):
        values = schema["enum"]
        if None in values:
            nullable = True
        out["enum"] = [str(v) for v in values if v is not None]
        # Gemini enums are strings only; numbers are sent as their text.
        raw_type = "string"
    if raw_type is None:
        raw_type = "object" if "properties" in schema else ("array" if "items" in schema else "string")
    gemini_type = _TYPES.get(raw_type) if isinstance(raw_type, str) else None
    if gemini_type is None:
        raise UserError(f"Gemini schemas cannot express type {raw_type!r}")
    out["type"] = gemini_type
    if nullable:
        out["nullable"] = True
    title_desc = schema.get("description")
    for key, field_name in _KEPT.items():
        if schema.get(key) is not None:
            out[field_name] = schema[key]
    fmt = out.get("format")
    if fmt is not None and fmt not in _FORMATS.get(gemini_type, set()):
        del out["format"]
        out["description"] = f"{title_desc} (format: {fmt})" if title_desc else f"Format: {fmt}"
    if gemini_type == "OBJECT":
        props = schema.get("properties")
        if isinstance(props, dict) and props:
            out["properties"] = {name: _convert(sub, defs, seen) for name, sub in props.items()}
            required = [r for r in schema.get("required", []) if r in props]
            if required:
                out["required"] = required
        elif isinstance(schema.get("additionalProperties"), dict):
            # A free-form map has no Gemini spelling; say so in the description rather than fail.
            note = "An object with arbitrary keys."
            out["description"] = f"{out['description']} {note}" if "description" in out else note
    elif gemini_type == "ARRAY":
        items = schema.get("items")
        if isinstance(items, list):  # draft-07 tuple form
            items = {"anyOf": items} if items else {}
        prefix = schema.get("prefixItems")
        if items is None and isinstance(prefix, list) and prefix:
            # `tuple[int, str]`: Gemini has one item schema, so a tuple's positions become a union.
            items = {"anyOf": prefix} if len(prefix) > 1 else prefix[0]
        out["items"] = _convert(items if items is not None else {"type": "string"}, defs, seen)
    return out


def _union(
    schema: dict[str, Any], options: list[Any], defs: dict[str, Any], seen: tuple[str, ...]
) -> dict[str, Any]:
    non_null = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
    nullable = len(non_null) < len(options)
    if not non_null:
        return {"type": "STRING", "nullable": True}
    if len(non_null) == 1:
        converted = _convert(non_null[0], defs, seen)
        converted.update(
            {k: v for k, v in schema.items() if k in ("description", "default") and v is not None}
        )
        if nullable:
            converted["nullable"] = True
        return converted
    # Gemini rejects a Schema that sets any field beside `anyOf` ("When using any_of, it must be the
    # only field set"), so the union's description and nullability move into its members.
    members: list[dict[str, Any]] = []
    for option in non_null:
        member = _convert(option, defs, seen)
        members.extend(member["anyOf"] if set(member) == {"anyOf"} else [member])
    description = schema.get("description")
    for member in members:
        if description and "description" not in member:
            member["description"] = description
        if nullable:
            member["nullable"] = True
    return {"anyOf": members}
