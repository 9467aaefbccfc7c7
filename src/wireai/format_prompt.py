"""`format_as_xml`: Python data as XML for prompts (models read nested examples better as XML than JSON).

Same signature and output as PydanticAI's: elements named by keys and fields, list items by
`item_tag` (dataclasses and pydantic models by their class name), `None` as `none_str`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, Literal
from uuid import UUID
from xml.etree import ElementTree

from pydantic import BaseModel

__all__ = ["format_as_xml"]

_FIELD_ATTRIBUTES = ("title", "description")


def format_as_xml(
    obj: Any,
    root_tag: str | None = None,
    item_tag: str = "item",
    none_str: str = "null",
    indent: str | None = "  ",
    include_field_info: Literal["once"] | bool = False,
) -> str:
    """`obj` as XML: str, bytes, numbers, bool, dates and times, Decimal, UUID, Enum, mappings, iterables,
    dataclasses and pydantic models, nested.

    `root_tag=None` leaves out the outer element (several top-level elements, one per line).
    `include_field_info` adds a field's `title` / `description` (pydantic `Field`, dataclass
    `field(metadata=...)`) as attributes; `'once'` only on the first element of each field.
    """
    builder = _Builder(item_tag, none_str, include_field_info)
    root = builder.element(obj, root_tag if root_tag is not None else item_tag)
    if root_tag is None and root.text is None:
        return ("" if indent is None else "\n").join(_serialize(child, indent) for child in root)
    return _serialize(root, indent)


def _serialize(element: ElementTree.Element, indent: str | None) -> str:
    if indent is not None:
        ElementTree.indent(element, space=indent)
    return ElementTree.tostring(element, encoding="unicode")


@dataclasses.dataclass
class _Builder:
    item_tag: str
    none_str: str
    include_field_info: Literal["once"] | bool
    _annotated: set[tuple[type, str]] = dataclasses.field(default_factory=set)

    def element(self, value: Any, tag: str, attributes: dict[str, str] | None = None) -> ElementTree.Element:
        element = ElementTree.Element(tag, attributes or {})
        text = self._text(value)
        if text is not None:
            element.text = text
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, (str, int)):
                    raise TypeError(
                        f"Unsupported key type for XML formatting: {type(key)}, only str and int are allowed"
                    )
                element.append(self.element(item, str(key)))
        elif _is_record(value):
            for name, item, info in _fields(value):
                element.append(self.element(item, name, self._attributes(type(value), name, info)))
        elif isinstance(value, Iterable):
            for item in value:
                element.append(self.element(item, type(item).__name__ if _is_record(item) else self.item_tag))
        else:
            raise TypeError(f"Unsupported type for XML formatting: {type(value)}")
        return element

    def _text(self, value: Any) -> str | None:
        """The element text of a scalar; None for containers."""
        if value is None:
            return self.none_str
        if isinstance(value, str):
            return value  # str enums too: their value
        if isinstance(value, (bytes, bytearray)):
            return bytes(value).decode(errors="ignore")
        if isinstance(value, (bool, int, float, Decimal, UUID, Enum, timedelta)):
            return str(value)
        if isinstance(value, (date, time)):
            return value.isoformat()
        return None

    def _attributes(self, owner: type, name: str, info: Any) -> dict[str, str] | None:
        if not self.include_field_info or info is None:
            return None
        if self.include_field_info == "once":
            if (owner, name) in self._annotated:
                return None
            self._annotated.add((owner, name))
        if isinstance(info, dataclasses.Field):
            found = {attr: info.metadata.get(attr) for attr in _FIELD_ATTRIBUTES}
        else:
            found = {attr: getattr(info, attr, None) for attr in _FIELD_ATTRIBUTES}
        return {attr: str(v) for attr, v in found.items() if v is not None}


def _is_record(value: Any) -> bool:
    """A dataclass or pydantic model instance: an element per field."""
    return isinstance(value, BaseModel) or (dataclasses.is_dataclass(value) and not isinstance(value, type))


def _fields(value: Any) -> Iterator[tuple[str, Any, Any]]:
    """(name, value, field info) of a record's fields, pydantic's computed fields last, excluded ones left out."""
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield f.name, getattr(value, f.name), f
        return
    cls = type(value)
    for name, info in cls.model_fields.items():
        if not info.exclude:
            yield name, getattr(value, name), info
    for name, info in cls.model_computed_fields.items():
        yield name, getattr(value, name), info
