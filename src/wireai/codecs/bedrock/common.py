"""What every side of the Bedrock codec shares: the provider name, the operations' paths, stop reasons,
media formats and cache points, spelled as the Bedrock Runtime API reference (2023-09-30) spells them."""

from __future__ import annotations

from typing import Any

from ...messages import FinishReason
from .._aws import GEO_PREFIXES, foundation_model_id, model_segment

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


def request_path(model_id: str, *, stream: bool) -> str:
    """`model/{modelId}/converse[-stream]`; the id is fully percent-encoded (`:` of versions, `/` of ARNs)."""
    return f"model/{model_segment(model_id)}/{'converse-stream' if stream else 'converse'}"


def count_tokens_path(model_id: str) -> str:
    """`model/{modelId}/count-tokens`, for the foundation model behind an inference profile id."""
    return f"model/{model_segment(foundation_model_id(model_id))}/count-tokens"


def cache_point(ttl: Any = None) -> dict[str, Any]:
    """A `cachePoint` block: `ttl` `'1h'` asks for the extended TTL; anything else is the default (5 minutes)."""
    point: dict[str, Any] = {"type": "default"}
    if ttl == "1h":
        point["ttl"] = "1h"
    return {"cachePoint": point}
