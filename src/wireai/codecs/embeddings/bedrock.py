"""Bedrock Runtime `InvokeModel` (`POST /model/{modelId}/invoke`) for the embedding model families.

Each family has its own body:
- Amazon Titan text v1/v2: one input, `{"inputText", "dimensions", "normalize"}` (v2 only for the
  last two) -> `{"embedding": [...], "inputTextTokenCount"}`;
- Cohere embed v3/v4: up to 96 inputs, `{"texts", "input_type", "truncate", "output_dimension",
  "max_tokens"}` (v4 only for the last two) -> `{"id", "embeddings": [[...]] | {"float": [[...]]}}`;
- Amazon Nova multimodal embeddings: one input, `{"taskType": "SINGLE_EMBEDDING",
  "singleEmbeddingParams": {"embeddingPurpose", "embeddingDimension", "text": {"truncationMode",
  "value"}}}` -> `{"embeddings": [{"embeddingType": "TEXT", "embedding": [...]}]}`.

Bedrock reports the tokens of every family in the `x-amzn-bedrock-input-token-count` header, so
`parse_response` takes the response headers too. Model ids may carry a cross-region prefix
(`us.cohere.embed-v4:0`) or be an inference-profile ARN; the family is read from the base name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote

from ..._embedding_types import EmbeddingResult, EmbedInputType
from ...exceptions import UserError
from .._base import WireRequest
from ._base import (
    RequestLimits,
    embedding_result,
    load_json,
    reject_truncate,
    response_shape,
    truncation_mode,
    wire_request,
)

__all__ = [
    "TOKEN_COUNT_HEADER",
    "build_request",
    "family",
    "max_input_tokens",
    "parse_response",
    "request_limits",
]

Family = Literal["titan", "cohere", "nova"]
TOKEN_COUNT_HEADER = "x-amzn-bedrock-input-token-count"

_FAMILIES: tuple[tuple[str, Family], ...] = (
    ("amazon.titan-embed", "titan"),
    ("cohere.embed", "cohere"),
    ("amazon.nova", "nova"),
)
_GEO_PREFIX = re.compile(r"^(?:us|eu|apac|jp|au|ca|us-gov|global)\.")
_MAX_INPUT_TOKENS = {
    "amazon.titan-embed-text-v1": 8192,
    "amazon.titan-embed-text-v2:0": 8192,
    "cohere.embed-english-v3": 512,
    "cohere.embed-multilingual-v3": 512,
    "cohere.embed-v4:0": 128_000,
    "amazon.nova-2-multimodal-embeddings-v1:0": 8192,
}


def base_name(model: str) -> str:
    """`cohere.embed-v4:0` for `us.cohere.embed-v4:0` or `arn:aws:bedrock:...:inference-profile/us.cohere.embed-v4:0`."""
    return _GEO_PREFIX.sub("", model.rsplit("/", 1)[-1])


def family(model: str) -> tuple[Family, int]:
    """The model's family and major version (`('titan', 2)` for `amazon.titan-embed-text-v2:0`)."""
    name = base_name(model)
    for prefix, kind in _FAMILIES:
        if name.startswith(prefix):
            found = re.search(r"-v(\d+)", name)
            return kind, int(found.group(1)) if found else 0
    raise UserError(
        f"Unsupported Bedrock embedding model {model!r}: wireai speaks the Titan text, Cohere embed and "
        f"Nova embeddings bodies (model ids starting with {', '.join(p for p, _ in _FAMILIES)})"
    )


def request_limits(model: str) -> RequestLimits:
    return RequestLimits(max_inputs=96 if family(model)[0] == "cohere" else 1)


def max_input_tokens(model: str) -> int | None:
    return _MAX_INPUT_TOKENS.get(base_name(model))


def _unsupported(model: str, what: str) -> UserError:
    return UserError(f"{model} does not take {what}; remove it from the settings for this model")


def build_request(
    inputs: Sequence[str],
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    input_type: EmbedInputType,
) -> WireRequest:
    settings = settings or {}
    kind, version = family(model)
    limit = request_limits(model).max_inputs
    if len(inputs) > limit:
        raise UserError(
            f"Bedrock's {base_name(model)} takes at most {limit} input(s) a request, got {len(inputs)}; "
            "split them with `plan_chunks(inputs, request_limits(model))`"
        )
    dimensions = settings.get("dimensions")
    body: dict[str, Any]
    if kind == "titan":
        reject_truncate(settings, "Titan text embeddings")
        body = {"inputText": inputs[0]}
        if version < 2:
            if dimensions is not None:
                raise _unsupported(model, "`dimensions` (its vectors have 1536)")
            if "bedrock_titan_normalize" in settings:
                raise _unsupported(model, "`bedrock_titan_normalize`")
        else:
            if dimensions is not None:
                body["dimensions"] = dimensions
            body["normalize"] = bool(settings.get("bedrock_titan_normalize", True))
    elif kind == "cohere":
        default_type = "search_document" if input_type == "document" else "search_query"
        body = {
            "texts": list(inputs),
            "input_type": settings.get("bedrock_cohere_input_type", default_type),
            "truncate": truncation_mode(settings, "bedrock_cohere_truncate"),
        }
        if version < 4:
            if dimensions is not None:
                raise _unsupported(model, "`dimensions` (its vectors have 1024)")
            if "bedrock_cohere_max_tokens" in settings:
                raise _unsupported(model, "`bedrock_cohere_max_tokens`")
        else:
            if settings.get("bedrock_cohere_max_tokens") is not None:
                body["max_tokens"] = settings["bedrock_cohere_max_tokens"]
            if dimensions is not None:
                body["output_dimension"] = dimensions
    else:
        purpose = "GENERIC_INDEX" if input_type == "document" else "GENERIC_RETRIEVAL"
        params: dict[str, Any] = {
            "embeddingPurpose": settings.get("bedrock_nova_embedding_purpose", purpose),
            "text": {
                "truncationMode": truncation_mode(settings, "bedrock_nova_truncate"),
                "value": inputs[0],
            },
        }
        if dimensions is not None:
            params["embeddingDimension"] = dimensions
        body = {"taskType": "SINGLE_EMBEDDING", "singleEmbeddingParams": params}
    model_id = settings.get("bedrock_inference_profile") or model
    path = f"model/{quote(model_id, safe='')}/invoke"
    return wire_request(path, body, settings, headers={"accept": "application/json"})


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    inputs: Sequence[str],
    input_type: EmbedInputType,
    provider_name: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmbeddingResult:
    """Any family's answer, told apart by its shape; tokens from the header when it is given."""
    data = load_json(body, model_name)
    with response_shape(model_name, data):
        tokens: Any = data.get("inputTextTokenCount", 0)
        counted = {k.lower(): v for k, v in (headers or {}).items()}.get(TOKEN_COUNT_HEADER)
        if counted is not None:
            tokens = int(counted)
        if "embedding" in data:  # Titan
            vectors = [data["embedding"]]
        else:
            found = data["embeddings"]
            if isinstance(found, Mapping):  # Cohere with embedding types
                vectors = found["float"]
            elif found and isinstance(found[0], Mapping):  # Nova
                vectors = [item["embedding"] for item in found]
            else:  # Cohere floats
                vectors = found
        return embedding_result(
            vectors,
            inputs=inputs,
            input_type=input_type,
            model_name=model_name or "",
            provider_name=provider_name or "bedrock",
            input_tokens=tokens,
            response_id=data.get("id"),
        )
