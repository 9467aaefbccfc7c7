"""`BedrockEmbeddingModel`: Titan text, Cohere embed and Nova embeddings over Bedrock `InvokeModel`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal, Union

from .._embedding_types import EmbeddingResult, EmbeddingSettings, EmbedInputType
from ..codecs.embeddings import bedrock as codec
from ._http import WireResponse
from ._http_model import HTTPEmbeddingModel

__all__ = [
    "BedrockEmbeddingModel",
    "BedrockEmbeddingModelName",
    "BedrockEmbeddingSettings",
    "LatestBedrockEmbeddingModelNames",
]

LatestBedrockEmbeddingModelNames = Literal[
    "amazon.titan-embed-text-v1",
    "amazon.titan-embed-text-v2:0",
    "cohere.embed-english-v3",
    "cohere.embed-multilingual-v3",
    "cohere.embed-v4:0",
    "amazon.nova-2-multimodal-embeddings-v1:0",
]
BedrockEmbeddingModelName = Union[str, LatestBedrockEmbeddingModelNames]


class BedrockEmbeddingSettings(EmbeddingSettings, total=False):
    """Settings of Bedrock's embedding model families (a setting a family does not take is a `UserError`)."""

    bedrock_titan_normalize: bool
    """Titan v2 `normalize` (default True)."""
    bedrock_cohere_max_tokens: int
    """Cohere v4 `max_tokens`."""
    bedrock_cohere_input_type: Literal["search_document", "search_query", "classification", "clustering"]
    """Cohere `input_type`, instead of the one from the call's input type."""
    bedrock_cohere_truncate: Literal["NONE", "START", "END"]
    """Cohere `truncate`, instead of the one `truncate` gives."""
    bedrock_nova_truncate: Literal["NONE", "START", "END"]
    """Nova `text.truncationMode`, instead of the one `truncate` gives."""
    bedrock_nova_embedding_purpose: Literal[
        "GENERIC_INDEX",
        "GENERIC_RETRIEVAL",
        "TEXT_RETRIEVAL",
        "IMAGE_RETRIEVAL",
        "VIDEO_RETRIEVAL",
        "AUDIO_RETRIEVAL",
        "DOCUMENT_RETRIEVAL",
        "CLASSIFICATION",
        "CLUSTERING",
    ]
    """Nova `embeddingPurpose`, instead of GENERIC_RETRIEVAL (queries) / GENERIC_INDEX (documents)."""
    bedrock_inference_profile: str
    """An inference profile id or ARN sent as the `modelId` (the model name still picks the body)."""
    bedrock_max_concurrency: int
    """How many requests run at once (Titan and Nova take one input per request)."""


class BedrockEmbeddingModel(HTTPEmbeddingModel):
    """`BedrockEmbeddingModel('amazon.titan-embed-text-v2:0', provider='bedrock' | BedrockProvider(...))`.

    SigV4 (AWS credentials) or a Bedrock API key (bearer), whichever the provider was given.
    """

    codec: ClassVar[Any] = codec
    default_provider: ClassVar[str] = "bedrock"

    def __init__(self, model_name: BedrockEmbeddingModelName, **kwargs: Any):
        codec.family(model_name)  # an unknown family is a UserError now, not at the first call
        super().__init__(model_name, **kwargs)

    def concurrency(self, settings: EmbeddingSettings) -> int:
        limit = settings.get("bedrock_max_concurrency")
        return int(limit) if isinstance(limit, int) and limit >= 1 else self._max_concurrency

    def parse_response(
        self, response: WireResponse, inputs: Sequence[str], input_type: EmbedInputType
    ) -> EmbeddingResult:
        """With the response headers: Bedrock counts the input tokens in one."""
        return codec.parse_response(
            response.content,
            model_name=self._model_name,
            inputs=inputs,
            input_type=input_type,
            provider_name=self.system,
            headers=response.headers,
        )
