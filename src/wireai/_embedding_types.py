"""The data of an embedding call: settings in, `EmbeddingResult` out.

Kept below both `wireai.embeddings` (which re-exports them under PydanticAI's module names) and
`wireai.codecs.embeddings` (whose `parse_response` returns an `EmbeddingResult`), so a codec never
imports the model layer and the model layer never imports a codec to name a type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, cast

from typing_extensions import TypedDict

from .usage import RequestUsage

__all__ = ["EmbedInputType", "EmbeddingResult", "EmbeddingSettings", "merge_embedding_settings"]

EmbedInputType = Literal["query", "document"]
"""Whether the inputs are search queries or the documents searched (some vendors embed them differently)."""


class EmbeddingSettings(TypedDict, total=False):
    """Settings every embedding model reads; vendor-specific ones are prefixed (`cohere_`, `google_`, ...).

    A setting a vendor's API cannot honour is a `UserError` when it would change the result
    (`truncate=True` where the API has no truncation), never silently dropped.
    """

    dimensions: int
    """The number of dimensions of the output vectors (models with reducible output: OpenAI
    `text-embedding-3-*`, Cohere v4, Gemini, Titan v2, Nova, Voyage, `codestral-embed`)."""

    truncate: bool
    """Cut inputs longer than the model's context instead of failing (Cohere, Bedrock Cohere and
    Nova, Voyage, Vertex AI). Default `False`: an over-long input is the vendor's 4xx. Vendor-prefixed
    truncation settings (`cohere_truncate`, `bedrock_cohere_truncate`, ...) take precedence."""

    extra_headers: dict[str, str]
    """Headers added to every request of the call."""

    extra_body: object
    """A mapping merged into every request body of the call (for fields wireai does not model)."""


def merge_embedding_settings(
    base: EmbeddingSettings | None, overrides: EmbeddingSettings | None
) -> EmbeddingSettings | None:
    """`base` updated by `overrides` (embedder defaults, then per-call settings); None when both are."""
    if base and overrides:
        return cast(EmbeddingSettings, {**base, **overrides})
    return base or overrides


def _now_utc() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class EmbeddingResult:
    """The vectors of one embedding call, in input order, with what produced them.

    `result[0]` is the first input's vector and `result['some input']` the vector of that input.
    """

    embeddings: Sequence[Sequence[float]]
    """One vector per input, in input order."""

    _: KW_ONLY

    inputs: Sequence[str]
    """The texts embedded."""

    input_type: EmbedInputType
    """Whether they were embedded as queries or as documents."""

    model_name: str
    """The model that produced the vectors (as the vendor reports it, where it does)."""

    provider_name: str
    """The provider that served them (`'openai'`, `'azure'`, `'cohere'`, `'google-vertex'`, ...)."""

    timestamp: datetime = field(default_factory=_now_utc)
    usage: RequestUsage = field(default_factory=RequestUsage)
    """Input tokens, summed over every request of the call."""

    provider_details: dict[str, Any] | None = None
    provider_response_id: str | None = None

    def __getitem__(self, item: int | str) -> Sequence[float]:
        """The vector of input number `item`, or of the input text `item` (`ValueError` if absent)."""
        if isinstance(item, str):
            item = list(self.inputs).index(item)
        return self.embeddings[item]
