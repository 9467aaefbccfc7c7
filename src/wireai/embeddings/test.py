"""`TestEmbeddingModel`: vectors of 1.0 without any I/O, remembering the settings it was called with."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from .._embedding_types import EmbeddingResult, EmbeddingSettings, EmbedInputType
from ..usage import RequestUsage
from .base import EmbeddingModel

__all__ = ["TestEmbeddingModel"]


def _estimate_tokens(text: str) -> int:
    # Words, as wireai's TestModel estimates chat usage: deterministic and vendor-free.
    return len(text.split())


class TestEmbeddingModel(EmbeddingModel):
    """Returns `dimensions` 1.0s per input; `last_settings` holds the merged settings of the last call."""

    __test__ = False  # not a pytest test class

    last_settings: EmbeddingSettings | None = None

    def __init__(
        self,
        model_name: str = "test",
        *,
        provider_name: str = "test",
        dimensions: int = 8,
        settings: EmbeddingSettings | None = None,
    ):
        self._model_name = model_name
        self._provider_name = provider_name
        self._dimensions = dimensions
        self.last_settings = None
        super().__init__(settings=settings)

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def system(self) -> str:
        return self._provider_name

    async def embed(
        self,
        inputs: str | Sequence[str],
        *,
        input_type: EmbedInputType,
        settings: EmbeddingSettings | None = None,
    ) -> EmbeddingResult:
        texts, merged = self.prepare_embed(inputs, settings)
        self.last_settings = merged
        return EmbeddingResult(
            [[1.0] * self._dimensions for _ in texts],
            inputs=texts,
            input_type=input_type,
            usage=RequestUsage(input_tokens=sum(_estimate_tokens(t) for t in texts)),
            model_name=self._model_name,
            provider_name=self._provider_name,
            provider_response_id=str(uuid.uuid4()),
        )

    async def max_input_tokens(self) -> int | None:
        return 1024

    async def count_tokens(self, text: str) -> int:
        return _estimate_tokens(text)
