"""Google's embedding endpoints: the Gemini API (GLA) and Vertex AI, picked by model family.

- Gemini API: `models/{m}:embedContent` for one input, `models/{m}:batchEmbedContents` (at most
  100) for several; each request `{"model": "models/{m}", "content": {"parts": [{"text"}]},
  "taskType", "title", "outputDimensionality"}`; answers `{"embedding": {"values"}}` /
  `{"embeddings": [{"values"}]}`.
- Vertex AI, text-embedding/gemini-embedding-001 family: `models/{m}:predict` with
  `{"instances": [{"content", "task_type", "title"}], "parameters": {"outputDimensionality",
  "autoTruncate"}}` (at most 250 instances and 20,000 tokens; `gemini-embedding-001` one instance);
  answers `{"predictions": [{"embeddings": {"values", "statistics": {"token_count"}}}]}`.
- Vertex AI, later `gemini-embedding-*` models: `models/{m}:embedContent`, one input,
  `{"content", "embedContentConfig": {"taskType", "title", "outputDimensionality", "autoTruncate"}}`,
  answering `{"embedding": {"values"}, "usageMetadata": {"promptTokenCount"}}`.

Paths are relative to the provider's base URL (`.../v1beta` for GLA, `.../publishers/google` for
Vertex AI). `count_tokens` uses `models/{m}:countTokens` on both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from ..._embedding_types import EmbeddingResult, EmbedInputType
from ...exceptions import UserError
from .._base import WireRequest, token_count
from ._base import RequestLimits, embedding_result, load_json, reject_truncate, response_shape, wire_request

__all__ = [
    "build_count_tokens_request",
    "build_request",
    "family",
    "max_input_tokens",
    "parse_count_tokens",
    "parse_response",
    "request_limits",
]

Family = Literal["gla", "predict", "embed_content"]

_MAX_INPUT_TOKENS = {
    "gemini-embedding-001": 2048,
    "gemini-embedding-2-preview": 8192,
    "gemini-embedding-2": 8192,
    "text-embedding-005": 2048,
    "text-embedding-004": 2048,
    "text-multilingual-embedding-002": 2048,
}


def _name(model: str) -> str:
    return model.rsplit("/", 1)[-1]


def family(model: str, *, vertex: bool = False) -> Family:
    """Which endpoint serves `model`: Vertex AI's `:predict` is for the text-embedding models and
    `gemini-embedding-001`; the Gemini embedding models after it are on `:embedContent` only."""
    if not vertex:
        return "gla"
    name = _name(model)
    if name.startswith("gemini-embedding") and name != "gemini-embedding-001":
        return "embed_content"
    return "predict"


def request_limits(model: str, *, vertex: bool = False) -> RequestLimits:
    kind = family(model, vertex=vertex)
    if kind == "gla":
        return RequestLimits(max_inputs=100)
    if kind == "predict" and _name(model) != "gemini-embedding-001":
        return RequestLimits(max_inputs=250, max_tokens=20_000)
    return RequestLimits(max_inputs=1)


def max_input_tokens(model: str, *, vertex: bool = False) -> int | None:
    name = _name(model)
    if not vertex and name.startswith("text-"):  # the text-embedding models are Vertex AI's only
        return None
    return _MAX_INPUT_TOKENS.get(name)


def build_request(
    inputs: Sequence[str],
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    input_type: EmbedInputType,
    vertex: bool = False,
) -> WireRequest:
    settings = settings or {}
    name = _name(model)
    task = settings.get("google_task_type") or (
        "RETRIEVAL_DOCUMENT" if input_type == "document" else "RETRIEVAL_QUERY"
    )
    # A title only means something to RETRIEVAL_DOCUMENT (the reference says so); queries go without.
    title = settings.get("google_title") if task == "RETRIEVAL_DOCUMENT" else None
    dimensions = settings.get("dimensions")
    kind = family(model, vertex=vertex)
    if kind == "gla":
        reject_truncate(settings, "The Gemini API's embedding endpoint")

        def one(text: str) -> dict[str, Any]:
            request: dict[str, Any] = {
                "model": f"models/{name}",
                "content": {"parts": [{"text": text}]},
                "taskType": task,
            }
            if title:
                request["title"] = title
            if dimensions is not None:
                request["outputDimensionality"] = dimensions
            return request

        if len(inputs) == 1:
            return wire_request(f"models/{name}:embedContent", one(inputs[0]), settings)
        return wire_request(
            f"models/{name}:batchEmbedContents", {"requests": [one(t) for t in inputs]}, settings
        )

    limit = request_limits(model, vertex=True).max_inputs
    if len(inputs) > limit:
        raise UserError(
            f"Vertex AI's {name} takes at most {limit} input(s) a request, got {len(inputs)}; "
            "split them with `plan_chunks(inputs, request_limits(model, vertex=True))`"
        )
    if kind == "predict":
        instances = []
        for text in inputs:
            instance: dict[str, Any] = {"content": text, "task_type": task}
            if title:
                instance["title"] = title
            instances.append(instance)
        body: dict[str, Any] = {"instances": instances}
        parameters = _vertex_options(settings, dimensions)
        if parameters:
            body["parameters"] = parameters
        return wire_request(f"models/{name}:predict", body, settings)

    config: dict[str, Any] = {"taskType": task}
    if title:
        config["title"] = title
    config.update(_vertex_options(settings, dimensions))
    body = {"content": {"parts": [{"text": inputs[0]}]}, "embedContentConfig": config}
    return wire_request(f"models/{name}:embedContent", body, settings)


def _vertex_options(settings: Mapping[str, Any], dimensions: Any) -> dict[str, Any]:
    """`outputDimensionality` and `autoTruncate`; the latter only when `truncate` was set, since
    Vertex AI's own default (truncate) is what PydanticAI users get when they say nothing."""
    options: dict[str, Any] = {}
    if dimensions is not None:
        options["outputDimensionality"] = dimensions
    if "truncate" in settings:
        options["autoTruncate"] = bool(settings["truncate"])
    return options


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    inputs: Sequence[str],
    input_type: EmbedInputType,
    provider_name: str | None = None,
    vertex: bool = False,
) -> EmbeddingResult:
    """Any of the three answers (read by the key present: `embeddings`, `embedding`, `predictions`)."""
    data = load_json(body, model_name)
    with response_shape(model_name, data):
        tokens = (data.get("usageMetadata") or {}).get("promptTokenCount", 0)
        details = None
        if "predictions" in data:
            found = [prediction["embeddings"] for prediction in data["predictions"]]
            vectors = [embedding["values"] for embedding in found]
            tokens = sum(token_count((e.get("statistics") or {}).get("token_count")) for e in found)
            characters = (data.get("metadata") or {}).get("billableCharacterCount")
            if isinstance(characters, int):
                details = {"billable_character_count": characters}
        elif "embeddings" in data:
            vectors = [embedding["values"] for embedding in data["embeddings"]]
        else:
            vectors = [data["embedding"]["values"]]
        return embedding_result(
            vectors,
            inputs=inputs,
            input_type=input_type,
            model_name=model_name or "",
            provider_name=provider_name or ("google-vertex" if vertex else "google-gla"),
            input_tokens=tokens,
            details=details,
        )


def build_count_tokens_request(text: str, *, model: str, vertex: bool = False) -> WireRequest:
    """`:countTokens`: `instances` for Vertex AI's `:predict` models, `contents` otherwise."""
    name = _name(model)
    if family(model, vertex=vertex) == "predict":
        body: dict[str, Any] = {"instances": [{"content": text}]}
    else:
        body = {"contents": [{"role": "user", "parts": [{"text": text}]}]}
    return wire_request(f"models/{name}:countTokens", body, {})


def parse_count_tokens(body: bytes | str | Mapping[str, Any], *, model_name: str | None = None) -> int:
    data = load_json(body, model_name)
    with response_shape(model_name, data):
        total = data.get("totalTokens", 0)
        if not isinstance(total, int) or isinstance(total, bool):
            raise TypeError(f"`totalTokens` is {total!r}, not an integer")
        return total
