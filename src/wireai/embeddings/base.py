"""`EmbeddingModel`: what `Embedder` needs from a model, as PydanticAI defines it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from .._embedding_types import EmbeddingResult, EmbeddingSettings, EmbedInputType, merge_embedding_settings
from ..exceptions import UserError

__all__ = ["EmbedInputType", "EmbeddingModel"]


class EmbeddingModel(ABC):
    """A model that turns texts into vectors. Subclasses implement `model_name`, `system` and `embed`."""

    _settings: EmbeddingSettings | None = None

    def __init__(self, *, settings: EmbeddingSettings | None = None) -> None:
        self._settings = settings

    @property
    def settings(self) -> EmbeddingSettings | None:
        """The model's default settings (the embedder's and the call's override them)."""
        return self._settings

    @property
    def base_url(self) -> str | None:
        return None

    @property
    @abstractmethod
    def model_name(self) -> str:
        raise NotImplementedError

    @property
    @abstractmethod
    def system(self) -> str:
        """The provider's name (`'openai'`, `'cohere'`, ...)."""
        raise NotImplementedError

    @abstractmethod
    async def embed(
        self,
        inputs: str | Sequence[str],
        *,
        input_type: EmbedInputType,
        settings: EmbeddingSettings | None = None,
    ) -> EmbeddingResult:
        raise NotImplementedError

    def prepare_embed(
        self, inputs: str | Sequence[str], settings: EmbeddingSettings | None = None
    ) -> tuple[list[str], EmbeddingSettings]:
        """The inputs as a list (a single string is one input) and the model's settings under `settings`."""
        texts = [inputs] if isinstance(inputs, str) else list(inputs)
        for text in texts:
            if not isinstance(text, str):
                raise UserError(f"Embedding inputs must be strings, got {type(text).__name__}: {text!r:.60}")
        return texts, merge_embedding_settings(self._settings, settings) or {}

    def encoding_formats(self, settings: EmbeddingSettings) -> list[str]:
        """The vector encodings a request with these settings asks the vendor for (`['base64']`),
        empty where the request names none: OpenTelemetry's `gen_ai.request.encoding_formats`."""
        return []

    async def max_input_tokens(self) -> int | None:
        """The most tokens one input may have, where the vendor documents it (else None)."""
        return None

    async def count_tokens(self, text: str) -> int:
        """The tokens of `text` as the vendor counts them; `NotImplementedError` where it offers no way."""
        raise NotImplementedError(
            f"{type(self).__name__} cannot count tokens: its vendor offers no tokenizer"
        )
