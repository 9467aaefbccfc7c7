"""`MistralEmbeddingModel`: Mistral's `POST /v1/embeddings` (the OpenAI shape, `output_dimension` for width)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar, Literal, Union

from ..codecs.embeddings import openai as codec
from ._http_model import HTTPEmbeddingModel

__all__ = ["LatestMistralEmbeddingModelNames", "MistralEmbeddingModel", "MistralEmbeddingModelName"]

LatestMistralEmbeddingModelNames = Literal["mistral-embed", "codestral-embed"]
MistralEmbeddingModelName = Union[str, LatestMistralEmbeddingModelNames]


class MistralEmbeddingModel(HTTPEmbeddingModel):
    """`MistralEmbeddingModel('mistral-embed', provider='mistral' | MistralProvider(...))`.

    `dimensions` becomes `output_dimension`, which `codestral-embed` takes (`mistral-embed` has 1024).
    """

    codec: ClassVar[Any] = codec
    default_provider: ClassVar[str] = "mistral"

    def codec_kwargs(self) -> dict[str, Any]:
        return {"options": replace(codec.MISTRAL, provider_name=self._provider.name)}
