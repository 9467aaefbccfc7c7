"""Token counting: `POST v1/messages/count_tokens` takes a Messages body without the generation
fields and answers `{"input_tokens": N}`; Vertex's `models/count-tokens:rawPredict` takes the same
(with `anthropic_version`), Bedrock's CountTokens the whole InvokeModel body and answers
`{"inputTokens": N}` (see `variants.py`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..._params import ModelRequestParameters
from ...messages import ModelMessage
from ...native_tools import MemoryTool
from ...profiles import ModelProfile
from ...usage import RequestUsage
from .._base import WireRequest, json_object, token_count
from .request import messages_request
from .response import error
from .variants import count_tokens_envelope, variant_of

__all__ = ["build_count_tokens_request", "parse_count_tokens_response"]

# The fields of a Messages body the endpoint takes (CountMessageTokensParams, and its beta).
_COUNTED = (
    "model",
    "system",
    "messages",
    "tools",
    "tool_choice",
    "thinking",
    "output_config",
    "cache_control",
    "context_management",
)


def build_count_tokens_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    profile: ModelProfile | None = None,
) -> WireRequest:
    """The request `build_request` would make, as a count: the same messages, system, tools and thinking,
    without `max_tokens`, sampling, metadata or `stream`.

    Server tools are left out (the endpoint refuses them and `mcp_servers`), so the count is short by
    their definitions; the memory tool is a client tool and is counted."""
    counted = replace(params, native_tools=[t for t in params.native_tools if isinstance(t, MemoryTool)])
    request = messages_request(messages, counted, settings, model=model, profile=profile)
    return count_tokens_envelope(request, _COUNTED, variant_of(profile), model=model)


def parse_count_tokens_response(
    body: bytes | str | Mapping[str, Any], *, model_name: str | None = None
) -> RequestUsage:
    """`{"input_tokens": N}` (Bedrock: `{"inputTokens": N}`) -> `RequestUsage(input_tokens=N)`; an
    `error` object -> `ModelHTTPError`."""
    answer = json_object(body, "Anthropic count_tokens")
    if answer.get("type") == "error":
        raise error(answer, model_name or "")
    return RequestUsage(input_tokens=token_count(answer.get("input_tokens", answer.get("inputTokens"))))
