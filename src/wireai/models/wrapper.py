"""`WrapperModel`: a model that delegates to another, the base for models that add behaviour around one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from .._delegate import Delegating
from ..messages import ModelMessage, ModelResponse
from ..profiles import ModelProfile
from ..settings import ModelSettings
from ..usage import RequestUsage
from . import Model, ModelRequestParameters, StreamedResponse, infer_model

__all__ = ["WrapperModel"]


class WrapperModel(Delegating, Model):
    """Delegates every call to `wrapped` (a model or a model name); subclasses override what they change."""

    wrapped: Model

    def __init__(self, wrapped: Model | str):
        self.wrapped = infer_model(wrapped)

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        return await self.wrapped.request(messages, model_settings, model_request_parameters)

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AsyncIterator[StreamedResponse]:
        async with self.wrapped.request_stream(messages, model_settings, model_request_parameters) as stream:
            yield stream

    async def count_tokens(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> RequestUsage:
        return await self.wrapped.count_tokens(messages, model_settings, model_request_parameters)

    def customize_request_parameters(
        self, model_request_parameters: ModelRequestParameters
    ) -> ModelRequestParameters:
        return self.wrapped.customize_request_parameters(model_request_parameters)

    def retry_feedback(self, error: Exception) -> str | None:
        return self.wrapped.retry_feedback(error)

    @property
    def profile(self) -> ModelProfile:
        return self.wrapped.profile
