"""`EmbeddingSettings` under PydanticAI's module name (`pydantic_ai.embeddings.settings`)."""

from .._embedding_types import EmbeddingSettings, merge_embedding_settings

__all__ = ["EmbeddingSettings", "merge_embedding_settings"]
