"""User content and tool results as Converse content blocks: text, images, documents, videos (inline
bytes or S3 locations), cache points, and the `toolResult` blocks of tool returns."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from pydantic_core import to_jsonable_python

from ...exceptions import UserError
from ...messages import (
    AudioUrl,
    BinaryContent,
    CachePoint,
    DocumentUrl,
    ImageUrl,
    MultiModalContent,
    ToolReturnPart,
    UserContent,
    VideoUrl,
    file_reference,
)
from .common import DOCUMENT_FORMATS, IMAGE_FORMATS, VIDEO_FORMATS, cache_point

_FILES = (ImageUrl, DocumentUrl, VideoUrl, AudioUrl, BinaryContent)

__all__ = [
    "MAX_CACHE_POINTS",
    "DocumentNamer",
    "add_cache_point",
    "file_block",
    "limit_cache_points",
    "tool_result",
    "user_blocks",
]

MAX_CACHE_POINTS = 4
"""Converse takes at most four cache points in one request (system, tools and messages together)."""


class DocumentNamer:
    """Bedrock requires a unique `name` per document, made only of letters, digits, spaces, `-()[]`."""

    def __init__(self) -> None:
        self.count = 0

    def name(self, identifier: str | None) -> str:
        self.count += 1
        if identifier:
            identifier = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", identifier)  # `report.pdf` -> `report`
            cleaned = re.sub(r"\s+", " ", re.sub(r"[^A-Za-z0-9\s\-()\[\]]", "-", identifier)).strip()[:200]
            if cleaned:
                return cleaned
        return f"Document {self.count}"


def user_blocks(
    content: str | Sequence[UserContent], documents: DocumentNamer, *, caching: bool
) -> list[dict[str, Any]]:
    """A user prompt's blocks; a `CachePoint` becomes a `cachePoint` block where the model caches
    (`caching`), and is left out silently where it does not."""
    if isinstance(content, str):
        return [{"text": content}] if content else []
    blocks: list[dict[str, Any]] = []
    for item in content:
        if isinstance(item, str):
            if item:
                blocks.append({"text": item})
        elif isinstance(item, CachePoint):
            if caching:
                add_cache_point(blocks, item.ttl)
        else:
            blocks.append(file_block(item, documents))
    return blocks


def add_cache_point(blocks: list[dict[str, Any]], ttl: Any) -> None:
    """A cache point after what `blocks` holds so far. Converse refuses one right after a document or
    a video (images are fine), so it goes before the documents and videos that end the blocks; one
    with nothing before it (or after another) caches nothing and is left out."""
    start = len(blocks)
    while start > 0 and ("document" in blocks[start - 1] or "video" in blocks[start - 1]):
        start -= 1
    if start == 0 and blocks:
        raise UserError(
            "Bedrock takes no cache point right after documents or videos that begin a message: "
            "put some text before them"
        )
    if start > 0 and "cachePoint" not in blocks[start - 1]:
        blocks.insert(start, cache_point(ttl))


def file_block(item: MultiModalContent, documents: DocumentNamer) -> dict[str, Any]:
    """An image, document or video block: inline bytes for `BinaryContent`, an S3 location for an
    `s3://` URL. Converse fetches nothing else, and a codec downloads nothing: `UserError`."""
    if isinstance(item, BinaryContent):
        return _binary_block(item, {"bytes": item.base64}, item.format, documents, item.identifier)
    if isinstance(item, (ImageUrl, DocumentUrl, VideoUrl)) and item.url.startswith("s3://"):
        source: dict[str, Any] = {"s3Location": {"uri": item.url}}
        kind = {ImageUrl: "image/", DocumentUrl: "application/", VideoUrl: "video/"}[type(item)]
        fake = BinaryContent(b"", item.media_type if item.media_type.startswith(kind) else kind + item.format)
        return _binary_block(fake, source, item.format, documents, item.url.rsplit("/", 1)[-1])
    raise UserError(
        f"Bedrock Converse takes files inline or from S3 only; {type(item).__name__}({getattr(item, 'url', '')!r}) "
        "is neither: download it and pass `BinaryContent(data, media_type)`, or use an `s3://` URL"
    )


def _binary_block(
    item: BinaryContent, source: dict[str, Any], fmt: str, documents: DocumentNamer, identifier: str | None
) -> dict[str, Any]:
    if item.is_image:
        if fmt not in IMAGE_FORMATS:
            raise UserError(f"Bedrock takes images as {sorted(IMAGE_FORMATS)}, not {item.media_type!r}")
        return {"image": {"format": fmt, "source": source}}
    if item.is_video:
        fmt = "three_gp" if fmt == "3gpp" else fmt
        if fmt not in VIDEO_FORMATS:
            raise UserError(f"Bedrock takes videos as {sorted(VIDEO_FORMATS)}, not {item.media_type!r}")
        return {"video": {"format": fmt, "source": source}}
    if item.is_audio:
        raise UserError("Bedrock Converse does not take audio input here; transcribe it first")
    fmt = {"plain": "txt", "markdown": "md", "x-markdown": "md", "vnd.ms-excel": "xls"}.get(fmt, fmt)
    if fmt not in DOCUMENT_FORMATS:
        raise UserError(f"Bedrock takes documents as {sorted(DOCUMENT_FORMATS)}, not {item.media_type!r}")
    return {"document": {"format": fmt, "name": documents.name(identifier), "source": source}}


def tool_result(
    part: ToolReturnPart, documents: DocumentNamer, *, inline_files: bool, caching: bool
) -> list[dict[str, Any]]:
    """A tool return as a `toolResult` block, then a `cachePoint` block where the return held a
    `CachePoint` and the model caches (`toolResult.content` takes none).

    The result is one `json` block for an object, else `text`. A return holding files (or cache
    points) is a list: each item is its block, a file named by a `See file 1a2b3c.` text block and,
    where the model takes files inside a tool result (`inline_files`, from the profile), followed by
    its image, document or video block; elsewhere the files follow the tool results in the user
    content (`file_followup_content`)."""
    items = part.content if isinstance(part.content, (list, tuple)) else [part.content]
    if not any(isinstance(item, (*_FILES, CachePoint)) for item in items):
        content = [_item_block(part.content)]
    else:
        content = []
        for item in items:
            if isinstance(item, _FILES):
                content.append({"text": f"See file {file_reference(item)}."})
                if inline_files:
                    content.append(file_block(item, documents))
            elif not isinstance(item, CachePoint):
                content.append(_item_block(item))
    blocks = [{"toolResult": {"toolUseId": part.tool_call_id, "content": content, "status": "success"}}]
    point = part.cache_point()
    if point is not None and caching:
        blocks.append(cache_point(point.ttl))
    return blocks


def _item_block(item: Any) -> dict[str, Any]:
    """A tool's result (or one item of it) as a `text` block, or `json` for an object."""
    if isinstance(item, str):
        return {"text": item}
    value = to_jsonable_python(item)
    return {"json": value} if isinstance(value, dict) else {"text": json.dumps(value, ensure_ascii=False)}


def limit_cache_points(
    system: list[dict[str, Any]], tools: list[dict[str, Any]], turns: list[dict[str, Any]]
) -> None:
    """Keep the request within Converse's four cache points: those of the system blocks and tool
    definitions (the settings) first, then the newest ones in the messages; older ones are dropped."""
    budget = MAX_CACHE_POINTS - sum("cachePoint" in block for block in (*system, *tools))
    for turn in reversed(turns):
        kept: list[dict[str, Any]] = []
        for block in reversed(turn["content"]):
            if "cachePoint" in block:
                if budget <= 0:
                    continue
                budget -= 1
            kept.append(block)
        turn["content"] = kept[::-1]
