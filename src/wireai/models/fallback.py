"""`FallbackModel`: try models in order until one answers.

A streamed request falls back only until its first event: the first event is read before the
stream is handed to the caller, so a vendor that accepts the request and then fails at once (an
in-stream error, a stall hitting the read timeout) still falls back; after that, nothing the
caller has seen is thrown away.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from typing import Any

from ..exceptions import FallbackExceptionGroup, ModelAPIError
from ..messages import ModelMessage, ModelResponse, ModelResponseStreamEvent
from ..profiles import ModelProfile
from ..settings import ModelSettings
from ..usage import RequestUsage
from . import Model, ModelRequestParameters, StreamedResponse, infer_model

__all__ = ["FallbackModel"]


class FallbackModel(Model):
    """`FallbackModel(default_model, *fallback_models, fallback_on=(ModelAPIError,))`.

    `fallback_on` is a tuple of exception types or a callable `(exc) -> bool`. The default covers
    `ModelHTTPError` (any 4xx/5xx, as PydanticAI's) and its base `ModelAPIError` (connection
    failures and timeouts), since an unreachable vendor is the first reason to fall back.
    Each model keeps its own settings, base URL and key.
    """

    def __init__(
        self,
        default_model: Model | str,
        *fallback_models: Model | str,
        fallback_on: Callable[[Exception], bool] | tuple[type[Exception], ...] = (ModelAPIError,),
    ):
        self.models = [infer_model(m) for m in (default_model, *fallback_models)]
        if isinstance(fallback_on, tuple):
            types = fallback_on
            self._fallback_on: Callable[[Exception], bool] = lambda exc: isinstance(exc, types)
        else:
            self._fallback_on = fallback_on

    @property
    def model_name(self) -> str:
        return "fallback:" + ",".join(m.model_name for m in self.models)

    @property
    def system(self) -> str:
        return "fallback:" + ",".join(m.system for m in self.models)

    @property
    def profile(self) -> ModelProfile:
        return self.models[0].profile

    @property
    def base_url(self) -> str | None:
        return self.models[0].base_url

    def customize_request_parameters(
        self, model_request_parameters: ModelRequestParameters
    ) -> ModelRequestParameters:
        return model_request_parameters  # each model customises for itself

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        errors: list[Exception] = []
        for model in self.models:
            try:
                return await model.request(messages, model_settings, model_request_parameters)
            except Exception as exc:
                if not self._fallback_on(exc):
                    raise
                errors.append(exc)
        raise FallbackExceptionGroup("All models from FallbackModel failed", errors)

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AsyncIterator[StreamedResponse]:
        errors: list[Exception] = []
        for model in self.models:
            stack = AsyncExitStack()
            try:
                stream = await stack.enter_async_context(
                    model.request_stream(messages, model_settings, model_request_parameters)
                )
                peeked = await _PeekedStream.open(stream)
            except Exception as exc:
                await stack.aclose()
                if not self._fallback_on(exc):
                    raise
                errors.append(exc)
                continue
            async with stack:
                yield peeked
            return
        raise FallbackExceptionGroup("All models from FallbackModel failed", errors)


class _PeekedStream(StreamedResponse):
    """A stream whose first event was read ahead (to decide on fallback) and is replayed first."""

    def __init__(self, inner: StreamedResponse, first: list[ModelResponseStreamEvent]):
        super().__init__(inner.model_request_parameters, inner.model_name, inner.provider_name)
        self._inner = inner
        self._first = first
        self._iterator = aiter(inner)

    @classmethod
    async def open(cls, inner: StreamedResponse) -> _PeekedStream:
        iterator = aiter(inner)
        try:
            first = [await anext(iterator)]
        except StopAsyncIteration:
            first = []
        return cls(inner, first)

    def _events(self) -> AsyncIterator[ModelResponseStreamEvent]:
        return self._get_event_iterator()  # the inner stream's events already have their part ends

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        for event in self._first:
            yield event
        async for event in self._iterator:
            yield event

    def get(self) -> ModelResponse:
        return self._inner.get()

    def usage(self) -> RequestUsage:
        return self._inner.usage()

    @property
    def model_name(self) -> str:
        return self._inner.model_name

    @property
    def timestamp(self) -> datetime:
        return self._inner.timestamp

    def __getattr__(self, item: str) -> Any:
        return getattr(self._inner, item)
