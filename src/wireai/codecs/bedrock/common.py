"""What every side of the Bedrock codec shares: the provider name, the operations' paths, stop reasons,
media formats and cache points, spelled as the Bedrock Runtime API reference (2023-09-30) spells them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ...messages import FinishReason

__all__ = [
    "DOCUMENT_FORMATS",
    "FINISH_REASONS",
    "GEO_PREFIXES",
    "IMAGE_FORMATS",
    "PROVIDER_NAME",
    "VIDEO_FORMATS",
    "cache_point",
    "count_tokens_path",
    "foundation_model_id",
    "request_path",
]

PROVIDER_NAME = "bedrock"

# `stopReason` -> our finish reason. The first entry for each of ours is what the fakes send back.
FINISH_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_call",
    "content_filtered": "content_filter",
    "guardrail_intervened": "content_filter",
    "malformed_model_output": "error",
    "malformed_tool_use": "error",
}

IMAGE_FORMATS = frozenset({"png", "jpeg", "gif", "webp"})
DOCUMENT_FORMATS = frozenset({"pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md"})
VIDEO_FORMATS = frozenset({"mkv", "mov", "mp4", "webm", "flv", "mpeg", "mpg", "wmv", "three_gp"})

GEO_PREFIXES = ("us", "eu", "apac", "jp", "au", "ca", "global", "us-gov")
"""The region prefixes of cross-region inference profile ids (`us.anthropic.claude-...`)."""


def request_path(model_id: str, *, stream: bool) -> str:
    """`model/{modelId}/converse[-stream]`; the id is fully percent-encoded (`:` of versions, `/` of ARNs)."""
    return f"model/{quote(model_id, safe='')}/{'converse-stream' if stream else 'converse'}"


def count_tokens_path(model_id: str) -> str:
    """`model/{modelId}/count-tokens`, for the foundation model behind an inference profile id."""
    return f"model/{quote(foundation_model_id(model_id), safe='')}/count-tokens"


def foundation_model_id(model_id: str) -> str:
    """A cross-region inference profile id without its region prefix: CountTokens names a foundation
    model (`FoundationModelVersionIdentifier`), and `us.anthropic.claude-...` is not one."""
    head, dot, rest = model_id.partition(".")
    return rest if dot and head in GEO_PREFIXES and "." in rest else model_id


def cache_point(ttl: Any = None) -> dict[str, Any]:
    """A `cachePoint` block: `ttl` `'1h'` asks for the extended TTL; anything else is the default (5 minutes)."""
    point: dict[str, Any] = {"type": "default"}
    if ttl == "1h":
        point["ttl"] = "1h"
    return {"cachePoint": point}
