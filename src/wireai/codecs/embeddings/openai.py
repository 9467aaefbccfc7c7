"""The OpenAI embeddings shape (`POST {base}/embeddings`), as OpenAI, Azure, Mistral and Voyage speak it.

Request `{"input": [...], "model": ..., "encoding_format": ..., "dimensions": ...}`; response
`{"data": [{"index": i, "embedding": [...] | "<base64>"}], "model": ..., "usage": {...}}`. The
hosts differ only in a few field names and limits, which `EmbeddingOptions` holds as data:
Mistral and Voyage call the width `output_dimension`, Voyage takes `input_type` and `truncation`,
Azure's deployments URL carries the model instead of the body.

`encoding_format: base64` (the default for OpenAI and Azure, as the `openai` SDK does) sends each
vector as little-endian float32 bytes: a third of the bytes of float JSON and far cheaper to decode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ..._embedding_types import EmbeddingResult, EmbedInputType
from .._base import WireRequest
from ._base import (
    RequestLimits,
    embedding_result,
    float32_vector,
    load_json,
    reject_truncate,
    response_shape,
    wire_request,
)

__all__ = [
    "AZURE",
    "MISTRAL",
    "OPENAI",
    "VOYAGE",
    "EmbeddingOptions",
    "build_request",
    "encoding_formats",
    "max_input_tokens",
    "parse_response",
    "request_limits",
]

_OPENAI_MODELS = {
    "text-embedding-3-small": 8192,
    "text-embedding-3-large": 8192,
    "text-embedding-ada-002": 8192,
}


@dataclass(frozen=True)
class EmbeddingOptions:
    """What one host of the OpenAI embeddings shape calls its fields, and how much a request may hold."""

    provider_name: str = "openai"
    api: str = "OpenAI's embeddings API"
    path: str = "embeddings"
    model_in_body: bool = True
    """False for Azure's `deployments/{model}/embeddings` URL, whose body names no model."""
    dimensions_field: str = "dimensions"
    encoding_format: Literal["base64", "float"] | None = "base64"
    encoding_setting: str | None = "openai_encoding_format"
    """The settings key that overrides `encoding_format` per call."""
    input_type_setting: str | None = None
    """Voyage: the settings key whose value (or the call's input type) goes in `input_type`."""
    truncation_field: str | None = None
    max_inputs: int = 2048
    max_tokens: int | None = 300_000
    """Tokens summed over a request's inputs (OpenAI: 300,000), per `max_tokens_by_model` if listed."""
    max_tokens_by_model: Mapping[str, int] = field(default_factory=dict)
    max_input_tokens: Mapping[str, int] = field(default_factory=lambda: dict(_OPENAI_MODELS))


OPENAI = EmbeddingOptions()
AZURE = replace(OPENAI, provider_name="azure", api="Azure OpenAI's embeddings API")
MISTRAL = EmbeddingOptions(
    provider_name="mistral",
    api="Mistral's embeddings API",
    path="v1/embeddings",
    dimensions_field="output_dimension",
    encoding_format=None,  # the reference documents `base64` but not its byte layout: floats it is
    encoding_setting=None,
    max_inputs=512,
    max_tokens=16_384,
    max_input_tokens={"mistral-embed": 8192, "codestral-embed": 8192},
)
VOYAGE = EmbeddingOptions(
    provider_name="voyageai",
    api="Voyage AI's embeddings API",
    dimensions_field="output_dimension",
    encoding_setting=None,
    input_type_setting="voyageai_input_type",
    truncation_field="truncation",
    max_inputs=1000,
    max_tokens=120_000,
    max_tokens_by_model={
        "voyage-4-lite": 1_000_000,
        "voyage-3.5-lite": 1_000_000,
        "voyage-4": 320_000,
        "voyage-3.5": 320_000,
        "voyage-2": 320_000,
    },
    max_input_tokens={
        "voyage-4-large": 32_000,
        "voyage-4": 32_000,
        "voyage-4-lite": 32_000,
        "voyage-3-large": 32_000,
        "voyage-3.5": 32_000,
        "voyage-3.5-lite": 32_000,
        "voyage-code-3": 32_000,
        "voyage-finance-2": 32_000,
        "voyage-law-2": 16_000,
        "voyage-code-2": 16_000,
    },
)


def request_limits(model: str, options: EmbeddingOptions = OPENAI) -> RequestLimits:
    return RequestLimits(options.max_inputs, options.max_tokens_by_model.get(model, options.max_tokens))


def max_input_tokens(model: str, options: EmbeddingOptions = OPENAI) -> int | None:
    return options.max_input_tokens.get(model)


def encoding_formats(
    settings: Mapping[str, Any] | None = None, *, options: EmbeddingOptions = OPENAI
) -> list[str]:
    """The `encoding_format` a request with these settings asks for (none on a host that takes none)."""
    settings = settings or {}
    encoding = settings.get(options.encoding_setting) if options.encoding_setting else None
    encoding = encoding or options.encoding_format
    return [encoding] if encoding else []


def build_request(
    inputs: Sequence[str],
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    input_type: EmbedInputType,
    options: EmbeddingOptions = OPENAI,
) -> WireRequest:
    settings = settings or {}
    body: dict[str, Any] = {"input": list(inputs)}
    if options.model_in_body:
        body["model"] = model
    encodings = encoding_formats(settings, options=options)
    if encodings:
        body["encoding_format"] = encodings[0]
    if settings.get("dimensions") is not None:
        body[options.dimensions_field] = settings["dimensions"]
    if options.input_type_setting:
        wanted = settings.get(options.input_type_setting, input_type)
        if wanted != "none":  # Voyage's `null`: embed the text without a query/document prompt
            body["input_type"] = wanted
    if options.truncation_field:
        body[options.truncation_field] = bool(settings.get("truncate", False))
    else:
        reject_truncate(settings, options.api)
    return wire_request(options.path, body, settings)


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    inputs: Sequence[str],
    input_type: EmbedInputType,
    provider_name: str | None = None,
    options: EmbeddingOptions = OPENAI,
) -> EmbeddingResult:
    data = load_json(body, model_name)
    with response_shape(model_name, data):
        items = _in_index_order(data["data"])
        vectors = [item["embedding"] for item in items]
        decoded = bool(vectors) and isinstance(vectors[0], str)
        if decoded:
            vectors = [float32_vector(vector) for vector in vectors]
        usage = data.get("usage") or {}
        return embedding_result(
            vectors,
            inputs=inputs,
            input_type=input_type,
            model_name=data.get("model") or model_name or "",
            provider_name=provider_name or options.provider_name,
            input_tokens=usage.get("prompt_tokens", usage.get("total_tokens", 0)),  # Voyage: total only
            response_id=data.get("id"),
            floats=decoded,
        )


def _in_index_order(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`data` ordered by each item's `index` (the reference lets them come in any order)."""
    indexes = [item.get("index") for item in items]
    if all(index is None for index in indexes) or indexes == list(range(len(items))):
        return items
    numbers = [i for i in indexes if type(i) is int]
    if len(numbers) != len(items) or sorted(numbers) != list(range(len(items))):
        raise ValueError(f"embedding indexes {indexes[:10]} are not 0..{len(items) - 1}")
    return sorted(items, key=lambda item: item["index"])
