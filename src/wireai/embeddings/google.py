"""`GoogleEmbeddingModel`: Gemini embeddings on the Gemini API (`google-gla`) or Vertex AI (`google-vertex`)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Union

from .._embedding_types import EmbeddingSettings
from ..codecs.embeddings import gemini as codec
from ._http_model import HTTPEmbeddingModel

__all__ = [
    "GoogleEmbeddingModel",
    "GoogleEmbeddingModelName",
    "GoogleEmbeddingSettings",
    "LatestGoogleEmbeddingModelNames",
    "LatestGoogleGLAEmbeddingModelNames",
    "LatestGoogleVertexEmbeddingModelNames",
]

LatestGoogleGLAEmbeddingModelNames = Literal[
    "gemini-embedding-001", "gemini-embedding-2-preview", "gemini-embedding-2"
]
LatestGoogleVertexEmbeddingModelNames = Literal[
    "gemini-embedding-001",
    "gemini-embedding-2-preview",
    "gemini-embedding-2",
    "text-embedding-005",
    "text-multilingual-embedding-002",
]
LatestGoogleEmbeddingModelNames = Union[
    LatestGoogleGLAEmbeddingModelNames, LatestGoogleVertexEmbeddingModelNames
]
GoogleEmbeddingModelName = Union[str, LatestGoogleEmbeddingModelNames]


class GoogleEmbeddingSettings(EmbeddingSettings, total=False):
    """Settings only Google's embedding endpoints read."""

    google_task_type: str
    """`taskType` (`SEMANTIC_SIMILARITY`, `CLASSIFICATION`, `CLUSTERING`, `QUESTION_ANSWERING`, ...),
    instead of `RETRIEVAL_QUERY`/`RETRIEVAL_DOCUMENT` from the call's input type."""
    google_title: str
    """`title` of the documents, sent with `RETRIEVAL_DOCUMENT` (the only task type it applies to)."""


class GoogleEmbeddingModel(HTTPEmbeddingModel):
    """`GoogleEmbeddingModel('gemini-embedding-001', provider='google-gla' | 'google-vertex' | Provider)`."""

    codec: ClassVar[Any] = codec
    default_provider: ClassVar[str] = "google-gla"

    def codec_kwargs(self) -> dict[str, Any]:
        return {"vertex": self._provider.name == "google-vertex"}
