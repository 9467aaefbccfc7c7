"""`EmbeddingResult` and `EmbedInputType` under PydanticAI's module name (`pydantic_ai.embeddings.result`)."""

from .._embedding_types import EmbeddingResult, EmbedInputType

__all__ = ["EmbedInputType", "EmbeddingResult"]
