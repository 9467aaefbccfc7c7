"""Cohere Embed v2 (`POST /v2/embed`) and its tokenizer (`POST /v1/tokenize`, for `count_tokens`).

Request `{"model", "texts", "input_type": "search_query" | "search_document" | ..., "embedding_types":
["float"], "truncate": "NONE" | "START" | "END", "output_dimension", "max_tokens"}`; response
`{"id", "embeddings": {"float": [[...]]}, "texts", "meta": {"billed_units": {"input_tokens"}}}`.
At most 96 texts a request. `truncate` is always sent, `NONE` unless asked otherwise (Cohere's
own default is `END`, which would cut inputs silently).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..._embedding_types import EmbeddingResult, EmbedInputType
from .._base import WireRequest, token_count
from ._base import RequestLimits, embedding_result, load_json, response_shape, truncation_mode, wire_request

__all__ = [
    "build_count_tokens_request",
    "build_request",
    "encoding_formats",
    "max_input_tokens",
    "parse_count_tokens",
    "parse_response",
    "request_limits",
]

_MAX_INPUT_TOKENS = {
    "embed-v4.0": 128_000,
    "embed-english-v3.0": 512,
    "embed-english-light-v3.0": 512,
    "embed-multilingual-v3.0": 512,
    "embed-multilingual-light-v3.0": 512,
}
_INPUT_TYPES: dict[str, str] = {"query": "search_query", "document": "search_document"}


def request_limits(model: str) -> RequestLimits:
    return RequestLimits(max_inputs=96)


def max_input_tokens(model: str) -> int | None:
    return _MAX_INPUT_TOKENS.get(model)


def encoding_formats(settings: Mapping[str, Any] | None = None) -> list[str]:
    """The `embedding_types` every request asks for: floats (the one type `parse_response` reads)."""
    return ["float"]


def build_request(
    inputs: Sequence[str],
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    input_type: EmbedInputType,
) -> WireRequest:
    settings = settings or {}
    body: dict[str, Any] = {
        "model": model,
        "texts": list(inputs),
        "input_type": settings.get("cohere_input_type", _INPUT_TYPES[input_type]),
        "embedding_types": encoding_formats(settings),
        "truncate": truncation_mode(settings, "cohere_truncate"),
    }
    if settings.get("dimensions") is not None:
        body["output_dimension"] = settings["dimensions"]
    if settings.get("cohere_max_tokens") is not None:
        body["max_tokens"] = settings["cohere_max_tokens"]
    return wire_request("v2/embed", body, settings)


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    inputs: Sequence[str],
    input_type: EmbedInputType,
    provider_name: str | None = None,
) -> EmbeddingResult:
    data = load_json(body, model_name)
    with response_shape(model_name, data):
        billed = (data.get("meta") or {}).get("billed_units") or {}
        return embedding_result(
            data["embeddings"]["float"],
            inputs=inputs,
            input_type=input_type,
            model_name=model_name or "",
            provider_name=provider_name or "cohere",
            input_tokens=token_count(billed.get("input_tokens")),  # typed as doubles: 12.0 is 12
            response_id=data.get("id"),
        )


def build_count_tokens_request(text: str, *, model: str) -> WireRequest:
    return wire_request("v1/tokenize", {"text": text, "model": model}, {})


def parse_count_tokens(body: bytes | str | Mapping[str, Any], *, model_name: str | None = None) -> int:
    data = load_json(body, model_name)
    with response_shape(model_name, data):
        tokens = data["tokens"]
        if not isinstance(tokens, list):
            raise TypeError(f"`tokens` is a {type(tokens).__name__}, not a list")
        return len(tokens)
