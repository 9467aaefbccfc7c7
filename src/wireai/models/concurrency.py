"""`ConcurrencyLimitedModel`: at most N requests (and open streams) to a model at once.

A streamed request holds its slot from the request until the stream is closed — consumed, closed
early, failed or cancelled — so concurrent streams count against the limit as much as requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ..concurrency import (
    AbstractConcurrencyLimiter,
    AnyConcurrencyLimit,
    ConcurrencyLimit,
    ConcurrencyLimiter,
    get_concurrency_context,
    normalize_to_limiter,
)
from ..exceptions import UserError
from ..messages import ModelMessage, ModelResponse
from ..settings import ModelSettings
from . import Model, ModelRequestParameters, StreamedResponse, infer_model
from .wrapper import WrapperModel

__all__ = ["ConcurrencyLimitedModel", "limit_model_concurrency", "limiters_of"]


class ConcurrencyLimitedModel(WrapperModel):
    """`ConcurrencyLimitedModel(model, limiter=5)`; `limiter` may also be a `ConcurrencyLimit` or a
    `ConcurrencyLimiter` shared with other models."""

    def __init__(self, wrapped: Model | str, limiter: int | ConcurrencyLimit | AbstractConcurrencyLimiter):
        super().__init__(wrapped)
        self.limiter: AbstractConcurrencyLimiter = (
            limiter
            if isinstance(limiter, AbstractConcurrencyLimiter)
            else ConcurrencyLimiter.from_limit(limiter)
        )
        if self.limiter in limiters_of(self.wrapped):
            # The outer request would hold the only slot the inner one waits for.
            raise UserError(
                "Nested ConcurrencyLimitedModel wrappers use the same limiter, which can deadlock a request; "
                "use separate limiters or wrap the model once"
            )

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        async with get_concurrency_context(self.limiter, f"model:{self.model_name}"):
            return await self.wrapped.request(messages, model_settings, model_request_parameters)

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AsyncIterator[StreamedResponse]:
        async with get_concurrency_context(self.limiter, f"model:{self.model_name}"):
            async with self.wrapped.request_stream(
                messages, model_settings, model_request_parameters
            ) as stream:
                yield stream


def limit_model_concurrency(model: Model | str, limiter: AnyConcurrencyLimit) -> Model:
    """`model` wrapped in a `ConcurrencyLimitedModel`, or `model` itself when `limiter` is None."""
    normalized = normalize_to_limiter(limiter)
    if normalized is None:
        return infer_model(model)
    return ConcurrencyLimitedModel(model, normalized)


def limiters_of(model: Model) -> list[AbstractConcurrencyLimiter]:
    """The limiters of every `ConcurrencyLimitedModel` in `model`'s chain of wrappers."""
    found: list[AbstractConcurrencyLimiter] = []
    current: Model | None = model
    while isinstance(current, WrapperModel):
        if isinstance(current, ConcurrencyLimitedModel):
            found.append(current.limiter)
        current = current.wrapped
    return found
