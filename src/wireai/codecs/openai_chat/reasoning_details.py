"""`reasoning_details`: reasoning as a list of typed entries, read into thinking parts and written back.

OpenRouter introduced the format; Snowflake Cortex carries Claude's thinking in it. Each entry has a
`type` — `reasoning.text` (`text`, and a `signature` where the upstream model signs its thinking),
`reasoning.summary` (`summary`) or `reasoning.encrypted` (`data`) — and may have an `id`, the
`format` of the upstream model's reasoning (`anthropic-claude-v1`, ...) and an `index` naming the
block it belongs to, stable across stream chunks. A part keeps `type`, `format` and `index` in
`provider_details`, so the entry goes back to the host exactly as it came.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...exceptions import UnexpectedModelBehavior, snippet
from ...messages import ThinkingPart
from .._base import text

__all__ = ["DETAIL_TYPES", "detail_key", "reasoning_detail", "thinking_delta", "thinking_part"]

# type -> the field holding its content; an encrypted entry's `data` is kept as the part's signature.
DETAIL_TYPES = {"reasoning.text": "text", "reasoning.summary": "summary", "reasoning.encrypted": "data"}
_KEPT = ("type", "format", "index")


def thinking_delta(detail: Any, where: Any) -> tuple[str, str | None, dict[str, Any]] | None:
    """(content, signature, provider_details) of one entry; None for a type newer than this codec.
    An entry that is not an object is `UnexpectedModelBehavior` showing `where` it came in."""
    if not isinstance(detail, dict):
        raise UnexpectedModelBehavior("a reasoning_details entry is not an object", snippet(where))
    kind = detail.get("type")
    field = DETAIL_TYPES.get(kind) if isinstance(kind, str) else None
    if field is None:
        return None
    details = {key: detail[key] for key in _KEPT if detail.get(key) is not None}
    if field == "data":
        return "", text(detail.get("data")) or "", details
    return text(detail.get(field)) or "", text(detail.get("signature")), details


def thinking_part(detail: Any, where: Any) -> ThinkingPart | None:
    """One entry of a complete message as a `ThinkingPart`."""
    read = thinking_delta(detail, where)
    if read is None:
        return None
    content, signature, details = read
    return ThinkingPart(content, id=text(detail.get("id")), signature=signature, provider_details=details)


def detail_key(detail: Mapping[str, Any], position: int) -> tuple[str, Any, Any]:
    """The part key of a streamed entry: its type and `index` (its position in the chunk without one),
    so the pieces of one block across chunks build one part and separate blocks stay apart."""
    index = detail.get("index")
    return ("reasoning_detail", detail.get("type"), index if type(index) is int else position)


def reasoning_detail(part: ThinkingPart) -> dict[str, Any] | None:
    """A part read from `reasoning_details` as its entry again; None for any other thinking."""
    details = part.provider_details or {}
    field = DETAIL_TYPES.get(details.get("type"))  # type: ignore[arg-type]
    if field is None:
        return None
    entry: dict[str, Any] = {key: details[key] for key in _KEPT if key in details}
    if part.id:
        entry["id"] = part.id
    if field == "data":
        entry["data"] = part.signature or ""
        return entry
    entry[field] = part.content
    if part.signature:
        entry["signature"] = part.signature
    return entry
