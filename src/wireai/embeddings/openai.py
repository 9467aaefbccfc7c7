"""`OpenAIEmbeddingModel`: `POST {base}/embeddings` on OpenAI, Azure and every OpenAI-compatible host."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar, Literal, Union

from .._embedding_types import EmbeddingSettings
from ..codecs.embeddings import openai as codec
from ..exceptions import UserError
from ._http_model import HTTPEmbeddingModel

__all__ = [
    "LatestOpenAIEmbeddingModelNames",
    "OpenAIEmbeddingModel",
    "OpenAIEmbeddingModelName",
    "OpenAIEmbeddingSettings",
]

LatestOpenAIEmbeddingModelNames = Literal[
    "text-embedding-ada-002", "text-embedding-3-small", "text-embedding-3-large"
]
OpenAIEmbeddingModelName = Union[str, LatestOpenAIEmbeddingModelNames]


class OpenAIEmbeddingSettings(EmbeddingSettings, total=False):
    """Settings of OpenAI's embeddings API (and of the hosts that speak it)."""

    openai_encoding_format: Literal["base64", "float"]
    """How vectors travel: `base64` (default; float32 bytes, smaller and much cheaper to decode)
    or `float` (JSON numbers, for a host that does not do base64)."""


class OpenAIEmbeddingModel(HTTPEmbeddingModel):
    """`OpenAIEmbeddingModel('text-embedding-3-small', provider='openai' | 'azure' | 'ollama' | Provider)`.

    `api_key=`, `base_url=` and `http_client=` build the named provider, as the chat models do.
    """

    codec: ClassVar[Any] = codec
    default_provider: ClassVar[str] = "openai"
    options: ClassVar[codec.EmbeddingOptions] = codec.OPENAI

    def codec_kwargs(self) -> dict[str, Any]:
        options = codec.AZURE if self._provider.name == "azure" else self.options
        if self._provider.endpoint(options.path, self._model_name).model_in_path:
            options = replace(options, model_in_body=False)  # Azure's deployments URL names the model
        return {"options": replace(options, provider_name=self._provider.name)}

    async def count_tokens(self, text: str) -> int:
        """OpenAI has no tokenizer endpoint: counted locally with `tiktoken`, if it is installed."""
        if self.system not in ("openai", "azure"):
            raise UserError(
                f"Counting tokens is only possible for OpenAI's own models, not on {self.system!r}"
            )
        try:
            import tiktoken
        except ImportError:
            raise UserError(
                "Counting OpenAI tokens needs `tiktoken` (`pip install tiktoken`): OpenAI's API has no tokenizer endpoint"
            ) from None
        import asyncio

        try:
            encoding = await asyncio.to_thread(tiktoken.encoding_for_model, self._model_name)
        except KeyError:
            raise UserError(f"tiktoken does not know the model {self._model_name!r}") from None
        return len(encoding.encode(text))
