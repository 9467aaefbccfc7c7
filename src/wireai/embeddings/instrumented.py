"""`InstrumentedEmbeddingModel`: an `embeddings {model}` span and the GenAI metrics for each embedding call.

PydanticAI's `pydantic_ai.embeddings.instrumented`, on the span machinery of the chat
`InstrumentedModel` (`ClientOperation`): a CLIENT span per `embed()` call with the GenAI
semantic-convention attributes (`gen_ai.operation.name="embeddings"`, provider, request and response
model, server address and port, `gen_ai.usage.input_tokens`, `gen_ai.embeddings.dimension.count`,
`gen_ai.request.encoding_formats`) and PydanticAI's own (`input_type`, `inputs_count`,
`embedding_settings`, `inputs` with `include_content`); the transport's retries as span events;
`error.type` and the error status on failure; `gen_ai.client.token.usage` (input tokens) and
`gen_ai.client.operation.duration` after the span ends.

A call wireai splits into several vendor requests (inputs beyond one request's limits) is one span,
as in PydanticAI: the span is the caller's operation, the retries of any of its requests are its
events and its usage is their sum. Needs the `otel` extra (`opentelemetry-api`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._embedding_types import EmbeddingResult, EmbeddingSettings, EmbedInputType, merge_embedding_settings
from .._instrumentation import client_operation
from .._otel_messages import dumps
from ..models.instrumented import InstrumentationSettings
from .base import EmbeddingModel
from .wrapper import WrapperEmbeddingModel

__all__ = ["InstrumentedEmbeddingModel", "instrument_embedding_model"]

CONTENT_SETTINGS = ("extra_body", "google_title")
"""Settings that can carry the user's text: in `embedding_settings` only with `include_content`."""


def instrument_embedding_model(
    model: EmbeddingModel, instrument: InstrumentationSettings | bool
) -> EmbeddingModel:
    """`model` wrapped in an `InstrumentedEmbeddingModel` (unless it already is one, or `instrument` is false)."""
    if not instrument or isinstance(model, InstrumentedEmbeddingModel):
        return model
    return InstrumentedEmbeddingModel(
        model, instrument if isinstance(instrument, InstrumentationSettings) else None
    )


class InstrumentedEmbeddingModel(WrapperEmbeddingModel):
    """An embedding model whose calls are traced: `InstrumentedEmbeddingModel(model, InstrumentationSettings(...))`."""

    def __init__(self, wrapped: EmbeddingModel | str, options: InstrumentationSettings | None = None):
        super().__init__(wrapped)
        self.instrumentation_settings = options or InstrumentationSettings()

    async def embed(
        self,
        inputs: str | Sequence[str],
        *,
        input_type: EmbedInputType,
        settings: EmbeddingSettings | None = None,
    ) -> EmbeddingResult:
        texts, settings = self.prepare_embed(inputs, settings)
        attributes = self._request_attributes(texts, input_type, settings)
        with client_operation(self.instrumentation_settings, "embeddings", self.wrapped, attributes) as op:
            with op.sending():
                result = await self.wrapped.embed(texts, input_type=input_type, settings=settings)
            finished: dict[str, Any] = {}
            if result.embeddings:
                finished["gen_ai.embeddings.dimension.count"] = len(result.embeddings[0])
            if result.provider_response_id is not None:
                finished["gen_ai.response.id"] = result.provider_response_id
            op.finish(result.model_name, result.usage, finished)
            return result

    def _request_attributes(
        self, texts: list[str], input_type: EmbedInputType, settings: EmbeddingSettings
    ) -> dict[str, Any]:
        """What is known before the request: set at span start, where samplers can see it."""
        include_content = self.instrumentation_settings.include_content
        effective = merge_embedding_settings(self.wrapped.settings, settings) or {}
        attributes: dict[str, Any] = {"input_type": input_type, "inputs_count": len(texts)}
        dimensions = effective.get("dimensions")
        if isinstance(dimensions, int):  # the width asked for; the width received replaces it at the end
            attributes["gen_ai.embeddings.dimension.count"] = dimensions
        formats = self.wrapped.encoding_formats(effective)
        if formats:
            attributes["gen_ai.request.encoding_formats"] = formats
        if effective:
            shown: dict[str, Any] = dict(effective)
            if "extra_headers" in shown:  # names only: a header's value can be a credential
                shown["extra_headers"] = sorted(shown["extra_headers"])
            if not include_content:
                for key in CONTENT_SETTINGS:
                    shown.pop(key, None)
            attributes["embedding_settings"] = dumps(shown)
        if include_content:
            attributes["inputs"] = dumps(texts)
        return attributes
