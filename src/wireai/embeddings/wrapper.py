"""`WrapperEmbeddingModel`: delegate everything to another model; override what you change."""

from __future__ import annotations

from collections.abc import Sequence

from .._delegate import Delegating
from .._embedding_types import EmbeddingResult, EmbeddingSettings, EmbedInputType
from .base import EmbeddingModel

__all__ = ["WrapperEmbeddingModel"]


class WrapperEmbeddingModel(Delegating, EmbeddingModel):
    """Base for wrappers (caching, logging, rate limiting) around `wrapped` (a model or a model name)."""

    wrapped: EmbeddingModel

    def __init__(self, wrapped: EmbeddingModel | str):
        from . import infer_embedding_model

        super().__init__()
        self.wrapped = infer_embedding_model(wrapped)

    async def embed(
        self,
        inputs: str | Sequence[str],
        *,
        input_type: EmbedInputType,
        settings: EmbeddingSettings | None = None,
    ) -> EmbeddingResult:
        return await self.wrapped.embed(inputs, input_type=input_type, settings=settings)

    def encoding_formats(self, settings: EmbeddingSettings) -> list[str]:
        return self.wrapped.encoding_formats(settings)

    async def max_input_tokens(self) -> int | None:
        return await self.wrapped.max_input_tokens()

    async def count_tokens(self, text: str) -> int:
        return await self.wrapped.count_tokens(text)
