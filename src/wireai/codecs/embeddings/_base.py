"""What every embedding codec shares: request finishing, body checks, per-request limits, merging.

All of it is sans-I/O. `plan_chunks` and `merge_results` are here rather than in the model layer so
that another transport driving these codecs splits and reassembles a large call exactly as wireai
does.
"""

from __future__ import annotations

import base64
import json
import sys
from array import array
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..._embedding_types import EmbeddingResult, EmbedInputType
from ...exceptions import UnexpectedModelBehavior, UserError
from ...usage import RequestUsage
from .._base import WireRequest

__all__ = [
    "JSON_HEADERS",
    "RequestLimits",
    "embedding_result",
    "estimate_tokens",
    "float32_vector",
    "load_json",
    "merge_results",
    "plan_chunks",
    "reject_truncate",
    "response_shape",
    "truncation_mode",
    "wire_request",
]

JSON_HEADERS = {"content-type": "application/json"}


@dataclass(frozen=True)
class RequestLimits:
    """How much one request of a vendor may carry: inputs, and (estimated) tokens summed over them."""

    max_inputs: int
    max_tokens: int | None = None


def estimate_tokens(text: str) -> int:
    """A cheap upper estimate of a text's tokens for vendors that publish no tokenizer: UTF-8 bytes / 3.

    OpenAI's guidance is about 4 characters a token for English, and CJK text runs about one token
    per character (3 UTF-8 bytes); dividing bytes by 3 over-counts the first by a third and matches
    the second, so a request planned with it stays under a token limit, at the price of splitting
    a little earlier than a real tokenizer would.
    """
    return (len(text.encode("utf-8")) + 2) // 3


def plan_chunks(inputs: Sequence[str], limits: RequestLimits) -> list[range]:
    """Consecutive index ranges of `inputs`, each within `limits` (an input over the token budget
    on its own still gets a request of its own: the vendor decides, or truncates, that one)."""
    count = len(inputs)
    step = max(limits.max_inputs, 1)
    if limits.max_tokens is None:
        return [range(i, min(i + step, count)) for i in range(0, count, step)]
    chunks: list[range] = []
    start = tokens = 0
    for i, text in enumerate(inputs):
        cost = estimate_tokens(text)
        if i > start and (i - start >= step or tokens + cost > limits.max_tokens):
            chunks.append(range(start, i))
            start, tokens = i, 0
        tokens += cost
    if count:
        chunks.append(range(start, count))
    return chunks


def wire_request(
    path: str,
    body: dict[str, Any],
    settings: Mapping[str, Any],
    *,
    headers: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
) -> WireRequest:
    """A JSON POST with the call's `extra_body` merged into the body and `extra_headers` added."""
    extra_body = settings.get("extra_body")
    if extra_body:
        if not isinstance(extra_body, Mapping):
            raise UserError("`extra_body` must be a mapping of fields to add to the request body")
        body.update(extra_body)
    sent = {**JSON_HEADERS, **(headers or {}), **(settings.get("extra_headers") or {})}
    return WireRequest("POST", path, body, sent, dict(query or {}))


def reject_truncate(settings: Mapping[str, Any], api: str) -> None:
    """`truncate=True` where the API has no truncation switch: say so rather than ignore it."""
    if settings.get("truncate"):
        raise UserError(
            f"{api} has no truncation option, so `truncate=True` cannot be honoured; shorten the inputs "
            "(see `max_input_tokens()` and `count_tokens()`) or leave `truncate` unset"
        )


def truncation_mode(settings: Mapping[str, Any], specific: str) -> str:
    """Cohere's and Nova's `NONE`/`START`/`END`: the vendor-prefixed setting, else `truncate=True` -> END.

    Always sent, `NONE` by default: Cohere's own default (`END`) would cut over-long inputs silently,
    where `truncate` promises an error unless truncation was asked for.
    """
    if settings.get(specific):
        return str(settings[specific])
    return "END" if settings.get("truncate") else "NONE"


def load_json(body: bytes | str | Mapping[str, Any], model_name: str | None) -> Any:
    """The decoded body (a mapping passes through); invalid JSON is `UnexpectedModelBehavior`."""
    if isinstance(body, Mapping):
        return body
    try:
        return json.loads(body)
    except ValueError as exc:
        raise UnexpectedModelBehavior(
            f"{model_name or 'embedding model'}: expected a JSON body, got invalid JSON ({exc})", body
        ) from exc


_SHAPE_ERRORS = (TypeError, KeyError, AttributeError, IndexError, ValueError)


@contextmanager
def response_shape(model_name: str | None, body: Any) -> Iterator[None]:
    """Turn a wrong-shaped (but valid JSON) body into `UnexpectedModelBehavior`, cause chained."""
    try:
        yield
    except UnexpectedModelBehavior:
        raise
    except _SHAPE_ERRORS as exc:
        raise UnexpectedModelBehavior(
            f"{model_name or 'embedding model'}: unexpected embeddings response shape ({type(exc).__name__}: {exc})",
            body,
        ) from exc


def float32_vector(encoded: str) -> list[float]:
    """A base64 string of little-endian float32 values (OpenAI's `encoding_format: base64`) as floats."""
    raw = base64.b64decode(encoded, validate=True)
    if len(raw) % 4:
        raise ValueError(f"a base64 embedding of {len(raw)} bytes is not a whole number of float32 values")
    values = array("f", raw)
    if sys.byteorder == "big":  # pragma: no cover - the wire is little-endian
        values.byteswap()
    return values.tolist()


def _checked(vectors: Any, inputs: Sequence[str], *, floats: bool) -> list[list[float]]:
    """The vectors, if they are one list of numbers per input, all of one length; else ValueError.

    A vendor answering with fewer vectors than inputs, or a vector of another width, would
    otherwise shift every later vector onto the wrong text: a silent wrong answer. `floats` says
    the elements are floats already (decoded from base64), so only JSON arrays are checked.
    """
    if not isinstance(vectors, list):
        raise TypeError(f"embeddings are a {type(vectors).__name__}, not a list")
    if len(vectors) != len(inputs):
        raise ValueError(f"{len(vectors)} embeddings for {len(inputs)} inputs")
    width = None
    for vector in vectors:
        if not isinstance(vector, list) or not vector:
            raise TypeError(
                f"an embedding is {type(vector).__name__} {str(vector)[:40]!r}, not a list of numbers"
            )
        if width is None:
            width = len(vector)
        elif len(vector) != width:
            raise ValueError(f"embeddings of different lengths ({width} and {len(vector)})")
        if not floats:
            sum(vector)  # TypeError unless every element is a number, at C speed
    return vectors


def embedding_result(
    vectors: Any,
    *,
    inputs: Sequence[str],
    input_type: EmbedInputType,
    model_name: str,
    provider_name: str,
    input_tokens: Any = 0,
    response_id: Any = None,
    details: dict[str, Any] | None = None,
    floats: bool = False,
) -> EmbeddingResult:
    """An `EmbeddingResult` from a codec's reading of a body, the vectors checked against the inputs."""
    tokens = input_tokens if isinstance(input_tokens, int) and not isinstance(input_tokens, bool) else 0
    return EmbeddingResult(
        _checked(vectors, inputs, floats=floats),
        inputs=list(inputs),
        input_type=input_type,
        model_name=model_name,
        provider_name=provider_name,
        usage=RequestUsage(input_tokens=tokens),
        provider_details=details or None,
        provider_response_id=response_id if isinstance(response_id, str) else None,
    )


def merge_results(results: Sequence[EmbeddingResult], inputs: Sequence[str]) -> EmbeddingResult:
    """The results of consecutive chunks of `inputs` as one: vectors in order, usage summed.

    With several requests there is no single response id: `provider_details` lists them
    (`provider_response_ids`) beside the number of `requests` and any numeric details summed.
    """
    if len(results) == 1:
        return results[0]
    first = results[0]
    usage = RequestUsage()
    details: dict[str, Any] = {"requests": len(results)}
    ids: list[str] = []
    for result in results:
        usage.incr(result.usage)
        if result.provider_response_id:
            ids.append(result.provider_response_id)
        for key, value in (result.provider_details or {}).items():
            if isinstance(value, int) and not isinstance(value, bool):
                details[key] = details.get(key, 0) + value
    if ids:
        details["provider_response_ids"] = ids
    return EmbeddingResult(
        [vector for result in results for vector in result.embeddings],
        inputs=list(inputs),
        input_type=first.input_type,
        model_name=first.model_name,
        provider_name=first.provider_name,
        timestamp=first.timestamp,
        usage=usage,
        provider_details=details,
    )
