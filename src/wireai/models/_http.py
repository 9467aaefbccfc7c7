"""The generic model over HTTP: a vendor model module only says how to build and read bodies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal

import httpx

from .._parts_manager import ModelResponsePartsManager
from ..codecs._base import StreamParser
from ..exceptions import ModelAPIError, UnexpectedModelBehavior, UserError
from ..messages import (
    BinaryContent,
    FileUrl,
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    ModelResponseStreamEvent,
    UserContent,
    UserPromptPart,
)
from ..profiles import ModelProfile
from ..providers import Provider
from ..settings import ModelSettings, merge_model_settings
from ..transport.http import download, parse_json_body, send
from ..usage import RequestUsage
from ..wire.sse import SSEDecoder
from . import Model, ModelRequestParameters, StreamedResponse, check_allow_model_requests

__all__ = ["HTTPModel", "HTTPStreamedResponse", "PreparedRequest", "resolve_provider"]


def resolve_provider(provider: str | Provider, **kwargs: Any) -> Provider:
    """The provider a model constructor was given: a name is built with the options passed beside it
    (`api_key=`, `base_url=`, `http_client=`, an SDK client...), an instance is used as it is."""
    given = {name: value for name, value in kwargs.items() if value is not None}
    if isinstance(provider, str):
        from ..providers import infer_provider

        return infer_provider(provider, **given)
    if given:
        names = ", ".join(f"`{name}`" for name in given)
        raise UserError(f"Pass {names} to the provider, not beside a provider instance")
    return provider


@dataclass
class PreparedRequest:
    url: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] | None = None


class HTTPModel(Model):
    """A model spoken to by a codec over the shared transport.

    Subclasses implement `prepare` (messages -> URL, body, headers), `parse` (JSON body ->
    `ModelResponse`) and `stream_parser` (a codec `StreamParser`); everything else — settings
    merge, `extra_body`/`extra_headers`, retries, error mapping, stream decoding — happens here once.
    """

    stream_format: ClassVar[Literal["sse", "eventstream"]] = "sse"

    def __init__(
        self,
        model_name: str,
        provider: Provider,
        *,
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
    ):
        self._model_name = model_name
        self._provider = provider
        self._settings = settings
        self._profile = profile or provider.model_profile(model_name)

    # ------------------------------------------------------------------------------ codec hooks

    def prepare(
        self,
        messages: list[ModelMessage],
        settings: ModelSettings,
        params: ModelRequestParameters,
        *,
        stream: bool,
    ) -> PreparedRequest:
        raise NotImplementedError

    def parse(self, body: Any) -> ModelResponse:
        raise NotImplementedError

    def fetches_url(self, item: FileUrl) -> bool:
        """Whether the vendor fetches this URL itself; if not, wireai downloads it and sends the bytes."""
        return True

    def stream_parser(self, parts: ModelResponsePartsManager, params: ModelRequestParameters) -> StreamParser:
        """A fresh codec parser that adds parts to `parts` (the streamed response's parts manager)."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------ Model API

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def system(self) -> str:
        return self._provider.name

    @property
    def provider(self) -> Provider:
        return self._provider

    @property
    def base_url(self) -> str:
        return self._provider.base_url

    def build_request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        *,
        stream: bool = False,
    ) -> PreparedRequest:
        """The exact request this model would send (URL, body, headers without auth) — no I/O."""
        settings = merge_model_settings(self._settings, model_settings) or {}
        params = self.customize_request_parameters(model_request_parameters)
        prepared = self.prepare(messages, settings, params, stream=stream)
        extra_body = settings.get("extra_body")
        if extra_body:
            prepared.body.update(extra_body)
        extra_headers = settings.get("extra_headers")
        if extra_headers:
            prepared.headers.update(extra_headers)
        return prepared

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        check_allow_model_requests()
        messages = await self._inline_urls(messages)
        prepared = self.build_request(messages, model_settings, model_request_parameters)
        response = await self._send(prepared, model_settings, stream=False)
        body = parse_json_body(response, self._model_name)
        try:
            return self.parse(body)
        except _SHAPE_ERRORS as exc:
            raise _shape_error(self._model_name, "response body", exc, body) from exc

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AsyncIterator[StreamedResponse]:
        check_allow_model_requests()
        messages = await self._inline_urls(messages)
        prepared = self.build_request(messages, model_settings, model_request_parameters, stream=True)
        response = await self._send(prepared, model_settings, stream=True)
        try:
            streamed = HTTPStreamedResponse(model_request_parameters, self, response)
            yield streamed
        finally:
            await response.aclose()

    async def _inline_urls(self, messages: list[ModelMessage]) -> list[ModelMessage]:
        """The history with every URL the vendor cannot fetch (or `force_download=True`) downloaded.

        Returns new message objects where something changed: the caller's history is never edited.
        """
        if not any(
            self._needs_download(part) for m in messages if isinstance(m, ModelRequest) for part in m.parts
        ):
            return messages
        out: list[ModelMessage] = []
        for message in messages:
            if isinstance(message, ModelRequest) and any(self._needs_download(p) for p in message.parts):
                parts = [await self._inline_part(p) for p in message.parts]
                message = ModelRequest(parts, instructions=message.instructions)
            out.append(message)
        return out

    def _needs_download(self, part: ModelRequestPart) -> bool:
        if not isinstance(part, UserPromptPart) or isinstance(part.content, str):
            return False
        return any(
            isinstance(i, FileUrl) and (i.force_download or not self.fetches_url(i)) for i in part.content
        )

    async def _inline_part(self, part: ModelRequestPart) -> ModelRequestPart:
        if not self._needs_download(part):
            return part
        assert isinstance(part, UserPromptPart) and not isinstance(part.content, str)
        content: list[UserContent] = []
        for item in part.content:
            if isinstance(item, FileUrl) and (item.force_download or not self.fetches_url(item)):
                data, served_as = await download(item.url)
                # The server's type, unless it only says "bytes": then the one guessed from the URL.
                media_type = item.media_type
                if served_as and served_as not in ("application/octet-stream", "binary/octet-stream"):
                    media_type = served_as
                name = item.url.split("?", 1)[0].rsplit("/", 1)[-1] or None
                item = BinaryContent(data, media_type, identifier=name)
            content.append(item)
        return UserPromptPart(content, timestamp=part.timestamp)

    async def _send(
        self, prepared: PreparedRequest, model_settings: ModelSettings | None, *, stream: bool
    ) -> httpx.Response:
        provider = self._provider
        headers = {**provider.headers, "content-type": "application/json", **prepared.headers}
        timeout = None
        if model_settings and "timeout" in model_settings:
            timeout = model_settings["timeout"]
        elif self._settings and "timeout" in self._settings:
            timeout = self._settings["timeout"]
        return await send(
            provider.client,
            "POST",
            prepared.url,
            model_name=self._model_name,
            content=json.dumps(prepared.body, ensure_ascii=False, separators=(",", ":")).encode(),
            headers=headers,
            params=prepared.params,
            auth=provider.auth,
            timeout=timeout,
            retry=provider.retry_policy,
            stream=stream,
            pacing=provider.pacing,
        )


# What a codec raises when valid JSON has an unexpected shape (a list where an object belongs...):
# caught here, once for every codec, so callers only ever see UnexpectedModelBehavior.
_SHAPE_ERRORS = (TypeError, KeyError, AttributeError, IndexError)


def _shape_error(model_name: str, what: str, exc: Exception, body: Any) -> UnexpectedModelBehavior:
    return UnexpectedModelBehavior(
        f"{model_name}: unexpected {what} shape ({type(exc).__name__}: {exc})", body
    )


class HTTPStreamedResponse(StreamedResponse):
    """Bytes from the wire -> decoder (SSE or AWS event-stream) -> codec parser -> part events."""

    def __init__(self, params: ModelRequestParameters, model: HTTPModel, response: httpx.Response):
        super().__init__(params, model.model_name, model.system)
        self._response = response
        self._http_model = model
        self._parser = model.stream_parser(self._parts_manager, params)

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        decoder: Any
        if self._http_model.stream_format == "sse":
            decoder = SSEDecoder()
        else:
            from ..wire.eventstream import EventStreamDecoder

            decoder = EventStreamDecoder()
        parser = self._parser
        model_name = self._model_name
        event: Any = None
        try:
            async for chunk in self._response.aiter_bytes():
                for event in decoder.feed(chunk):
                    out: Sequence[ModelResponseStreamEvent] = parser.feed(event)
                    for item in out:
                        yield item
            for event in decoder.close():
                for item in parser.feed(event):
                    yield item
            parser.close()
        except _SHAPE_ERRORS as exc:
            raise _shape_error(model_name, "stream event", exc, getattr(event, "data", event)) from exc
        except httpx.TimeoutException as exc:
            raise ModelAPIError(
                model_name, f"The stream stalled: no data within the read timeout ({type(exc).__name__})"
            ) from exc
        except httpx.HTTPError as exc:
            raise ModelAPIError(model_name, f"The stream broke off: {exc!r}") from exc
        finally:
            await self._response.aclose()

    def get(self) -> ModelResponse:
        response = self._parser.response(self._provider_name)
        response.timestamp = self._timestamp
        return response

    def usage(self) -> RequestUsage:
        return self._parser.usage

    @property
    def model_name(self) -> str:
        return self._parser.model_name

    @property
    def timestamp(self) -> datetime:
        return self._timestamp
