"""`CohereEmbeddingModel`: Cohere Embed v2 (`POST /v2/embed`), tokens counted with `POST /v1/tokenize`."""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Union

from .._embedding_types import EmbeddingSettings
from ..codecs.embeddings import cohere as codec
from ._http_model import HTTPEmbeddingModel

__all__ = [
    "CohereEmbeddingModel",
    "CohereEmbeddingModelName",
    "CohereEmbeddingSettings",
    "LatestCohereEmbeddingModelNames",
]

LatestCohereEmbeddingModelNames = Literal[
    "embed-v4.0",
    "embed-english-v3.0",
    "embed-english-light-v3.0",
    "embed-multilingual-v3.0",
    "embed-multilingual-light-v3.0",
]
CohereEmbeddingModelName = Union[str, LatestCohereEmbeddingModelNames]


class CohereEmbeddingSettings(EmbeddingSettings, total=False):
    """Settings only Cohere's embed API reads."""

    cohere_max_tokens: int
    """`max_tokens`: the most tokens of each input to embed."""
    cohere_input_type: Literal["search_query", "search_document", "classification", "clustering", "image"]
    """`input_type`, instead of `search_query`/`search_document` from the call's input type."""
    cohere_truncate: Literal["NONE", "START", "END"]
    """`truncate`, instead of the one `truncate` gives (`NONE`, or `END` with `truncate=True`)."""


class CohereEmbeddingModel(HTTPEmbeddingModel):
    """`CohereEmbeddingModel('embed-v4.0', provider='cohere' | CohereProvider(...))`."""

    codec: ClassVar[Any] = codec
    default_provider: ClassVar[str] = "cohere"
