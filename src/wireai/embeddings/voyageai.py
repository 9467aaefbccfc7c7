"""`VoyageAIEmbeddingModel`: Voyage AI's `POST /v1/embeddings` (the OpenAI shape with Voyage's fields)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar, Literal, Union

from .._embedding_types import EmbeddingSettings
from ..codecs.embeddings import openai as codec
from ._http_model import HTTPEmbeddingModel

__all__ = [
    "LatestVoyageAIEmbeddingModelNames",
    "VoyageAIEmbedInputType",
    "VoyageAIEmbeddingModel",
    "VoyageAIEmbeddingModelName",
    "VoyageAIEmbeddingSettings",
]

LatestVoyageAIEmbeddingModelNames = Literal[
    "voyage-4-large",
    "voyage-4",
    "voyage-4-lite",
    "voyage-3-large",
    "voyage-3.5",
    "voyage-3.5-lite",
    "voyage-code-3",
    "voyage-finance-2",
    "voyage-law-2",
    "voyage-code-2",
]
VoyageAIEmbeddingModelName = Union[str, LatestVoyageAIEmbeddingModelNames]
VoyageAIEmbedInputType = Literal["query", "document", "none"]


class VoyageAIEmbeddingSettings(EmbeddingSettings, total=False):
    """Settings only Voyage AI reads."""

    voyageai_input_type: VoyageAIEmbedInputType
    """`input_type`, instead of the call's; `'none'` embeds the text without Voyage's query/document prompt."""


class VoyageAIEmbeddingModel(HTTPEmbeddingModel):
    """`VoyageAIEmbeddingModel('voyage-3.5', provider='voyageai' | VoyageAIProvider(...))`."""

    codec: ClassVar[Any] = codec
    default_provider: ClassVar[str] = "voyageai"

    def codec_kwargs(self) -> dict[str, Any]:
        return {"options": replace(codec.VOYAGE, provider_name=self._provider.name)}
