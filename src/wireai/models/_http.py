"""The generic model over HTTP: every vendor model is a codec (docs/codecs.md) plus a provider.

`HTTPModel` drives a codec module through exactly the public contract — `build_request`,
`parse_response`, `parse_error`, `StreamParser` — so there is one code path for users who drive a
codec by hand and for wireai itself. A vendor model module only names its codec and adds what is
model-layer knowledge (which URLs the vendor fetches itself, its profile, its constructor).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from types import ModuleType
from typing import Any

import httpx

from .._parts_manager import PartEnds
from .._tool_choice import prepare_tool_choice
from ..codecs._base import BaseStreamParser, WireRequest, stamp_provider
from ..codecs._base import parse_error as default_parse_error
from ..exceptions import ModelAPIError, ModelHTTPError, UnexpectedModelBehavior, UserError
from ..messages import (
    BinaryContent,
    FileUrl,
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    ModelResponseStreamEvent,
    PartStartEvent,
    UserContent,
    UserPromptPart,
)
from ..profiles import ModelProfile
from ..providers import Endpoint, Provider
from ..settings import ModelSettings, merge_model_settings
from ..transport.http import BodyPieces, ErrorParser, download, send
from ..usage import RequestUsage
from . import Model, ModelRequestParameters, StreamedResponse, check_allow_model_requests

__all__ = ["HTTPModel", "HTTPStreamedResponse", "ProviderBacked", "resolve_provider", "send_wire_request"]


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


class ProviderBacked:
    """A model spoken to through a provider (chat and embedding models alike): its own name, and
    the provider's name (`system`, as OpenTelemetry's gen_ai.system) and base URL."""

    _model_name: str
    _provider: Provider

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


class HTTPModel(ProviderBacked, Model):
    """A model spoken to by a codec over the shared transport.

    Subclasses set `codec` (a module of `wireai.codecs`); settings merge, the schema transformer,
    URL downloads, retries, error mapping and stream decoding happen here once for every vendor.
    """

    codec: ModuleType

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

    def fetches_url(self, item: FileUrl) -> bool:
        """Whether the vendor fetches this URL itself; if not, wireai downloads it and sends the bytes."""
        return True

    @property
    def stream_format(self) -> str:
        """How this model's streams are framed (`sse`, `eventstream`): the codec's framing for its profile says."""
        return self.codec.StreamParser.framing_for(self.profile).wire_format

    # ------------------------------------------------------------------------------ Model API

    def build_request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        *,
        stream: bool = False,
    ) -> WireRequest:
        """The exact request this model would send (path, headers without auth, body) — no I/O."""
        settings, params = self._prepared(model_settings, model_request_parameters)
        return self.codec.build_request(
            messages,
            params,
            settings,
            model=self._model_name,
            stream=stream,
            profile=self.profile,
        )

    def _prepared(
        self, model_settings: ModelSettings | None, model_request_parameters: ModelRequestParameters
    ) -> tuple[ModelSettings, ModelRequestParameters]:
        """The settings and parameters a codec gets: merged settings, this model's schemas, and the tools
        `tool_choice` allows (a list or `ToolOrOutput` filters them here, once for every codec)."""
        settings = merge_model_settings(self._settings, model_settings) or {}
        return prepare_tool_choice(settings, self.customize_request_parameters(model_request_parameters))

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        check_allow_model_requests()
        if self._has_urls_to_inline(messages):
            messages = await self._inline_urls(messages)
        wire = self.build_request(messages, model_settings, model_request_parameters)
        try:
            response = await self._send(wire, model_settings, stream=False)
        except ModelHTTPError as exc:
            return self._filtered(exc)
        return self.parse_response(response.content)

    def _filtered(self, exc: ModelHTTPError) -> ModelResponse:
        """The response a vendor's content-filter error stands for (the codec's optional
        `filtered_response`), returned like a filtered answer; any other error is raised."""
        hook = getattr(self.codec, "filtered_response", None)
        filtered = hook(exc.status_code, exc.body, model_name=self._model_name) if hook else None
        if filtered is None:
            raise exc
        return stamp_provider(filtered, self.system)

    async def count_tokens(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> RequestUsage:
        """Asks the vendor's token-counting endpoint, for codecs that have one (the codec's optional
        `build_count_tokens_request` / `parse_count_tokens_response` pair)."""
        build = getattr(self.codec, "build_count_tokens_request", None)
        if build is None:
            return await super().count_tokens(messages, model_settings, model_request_parameters)
        check_allow_model_requests()
        if self._has_urls_to_inline(messages):
            messages = await self._inline_urls(messages)
        settings, params = self._prepared(model_settings, model_request_parameters)
        wire = build(
            messages,
            params,
            settings,
            model=self._model_name,
            profile=self.profile,
        )
        response = await self._send(wire, model_settings, stream=False)
        try:
            usage: RequestUsage = self.codec.parse_count_tokens_response(
                response.content, model_name=self._model_name
            )
        except SHAPE_ERRORS as exc:
            if not guard_shapes:
                raise
            raise shape_error(self._model_name, "token count", exc, response.content) from exc
        return usage

    def parse_response(self, body: bytes | Mapping[str, Any]) -> ModelResponse:
        """A 2xx body read by the codec, named after this model's provider (the JSON already
        decoded is taken too: a batch result line carries the body inside it)."""
        try:
            response = self.codec.parse_response(body, model_name=self._model_name, profile=self.profile)
        except SHAPE_ERRORS as exc:
            if not guard_shapes:
                raise
            raise shape_error(self._model_name, "response body", exc, body) from exc
        return stamp_provider(response, self.system)

    def stream_parser(self, model_request_parameters: ModelRequestParameters) -> BaseStreamParser:
        """A fresh codec parser for one streamed response of this model."""
        parser: BaseStreamParser = self.codec.StreamParser(
            self.customize_request_parameters(model_request_parameters),
            model_name=self._model_name,
            profile=self.profile,
        )
        parser.provider_name = self.system
        return parser

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AsyncIterator[StreamedResponse]:
        check_allow_model_requests()
        if self._has_urls_to_inline(messages):
            messages = await self._inline_urls(messages)
        wire = self.build_request(messages, model_settings, model_request_parameters, stream=True)
        try:
            response = await self._send(wire, model_settings, stream=True)
        except ModelHTTPError as exc:
            yield CompleteStreamedResponse(model_request_parameters, self._filtered(exc))
            return
        try:
            yield HTTPStreamedResponse(model_request_parameters, self, response)
        finally:
            await response.aclose()

    def _has_urls_to_inline(self, messages: list[ModelMessage]) -> bool:
        """Whether `_inline_urls` has anything to do (checked first: no coroutine when it has not)."""
        return any(
            self._needs_download(part) for m in messages if isinstance(m, ModelRequest) for part in m.parts
        )

    async def _inline_urls(self, messages: list[ModelMessage]) -> list[ModelMessage]:
        """The history with every URL the vendor cannot fetch (or `force_download=True`) downloaded.

        Returns new message objects where something changed: the caller's history is never edited.
        """
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
                data, served_as = await download(
                    item.url, allow_local=item.force_download == "allow-local" or None
                )
                # The server's type, unless it only says "bytes": then the one guessed from the URL.
                media_type = item.media_type
                if served_as and served_as not in ("application/octet-stream", "binary/octet-stream"):
                    media_type = served_as
                name = item.url.split("?", 1)[0].rsplit("/", 1)[-1] or None
                item = BinaryContent(data, media_type, identifier=name)
            content.append(item)
        return UserPromptPart(content, timestamp=part.timestamp)

    def _send(
        self, wire: WireRequest, model_settings: ModelSettings | None, *, stream: bool
    ) -> Coroutine[Any, Any, httpx.Response]:
        # A plain function returning the transport's coroutine: no coroutine layer of its own for
        # the request's every suspension to pass through.
        timeout = None
        if model_settings and "timeout" in model_settings:
            timeout = model_settings["timeout"]
        elif self._settings and "timeout" in self._settings:
            timeout = self._settings["timeout"]
        return send_wire_request(
            self._provider,
            wire,
            model_name=self._model_name,
            timeout=timeout,
            stream=stream,
            parse_error=self.codec.parse_error,
        )


def send_wire_request(
    provider: Provider,
    wire: WireRequest,
    *,
    model_name: str,
    timeout: Any = None,
    stream: bool = False,
    parse_error: ErrorParser = default_parse_error,
) -> Coroutine[Any, Any, httpx.Response]:
    """Send a codec's request through a provider: where (its endpoint for the path), as whom (its
    headers and auth), with its client, retry policy and pacing. Every model request goes out here.

    Await it as a coroutine function; it prepares the request when called and returns the
    transport's `send` coroutine, so that a request's every suspension (connect, write, read, each
    pool and event-loop step) does not resume one more frame for nothing."""
    if wire.path.startswith(("https://", "http://")):
        endpoint = Endpoint(wire.path)  # a URL the vendor handed out (an upload session) or its own root
    else:
        endpoint = provider.endpoint(wire.path, model_name)
    query = {**wire.query, **endpoint.params} if endpoint.params else wire.query
    headers = {**provider.headers, **wire.headers}
    content: bytes | BodyPieces = wire.content()
    auth = provider.auth
    data = wire.data
    if (
        data is not None
        and len(data) > BodyPieces.piece
        and not getattr(auth, "requires_request_body", False)
    ):
        # A raw body (a batch file upload) goes out in slices; an auth that signs the body needs it whole.
        content = BodyPieces(data)
        headers.update(content.headers)
    return send(
        provider.client,
        wire.method,
        endpoint.url,
        model_name=model_name,
        content=content,
        headers=headers,
        params=query or None,
        auth=auth,
        timeout=timeout,
        retry=provider.retry_policy,
        stream=stream,
        parse_error=parse_error,
        pacing=provider.pacing,
    )


# What a codec raises when valid JSON has an unexpected shape (a list where an object belongs...):
# caught here, once for every codec, so callers only ever see UnexpectedModelBehavior. The original
# exception is chained and the codec function it came from named, so a codec bug stays findable;
# the suite parses every fixture with `guard_shapes` off, so no bug on a valid body hides here.
SHAPE_ERRORS = (TypeError, KeyError, AttributeError, IndexError)
guard_shapes = True


def shape_error(model_name: str, what: str, exc: Exception, body: Any) -> UnexpectedModelBehavior:
    return UnexpectedModelBehavior(
        f"{model_name}: unexpected {what} shape ({type(exc).__name__} in {_codec_frame(exc)}: {exc})", body
    )


def _codec_frame(exc: BaseException) -> str:
    """The innermost codec function the exception passed through (`module.function:line`)."""
    where = "?"
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.startswith("wireai.codecs"):
            where = f"{module.removeprefix('wireai.')}.{code.co_name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


class CompleteStreamedResponse(StreamedResponse):
    """A stream that never started because the answer was already complete (a content-filter
    error that stands for a response): no events, and `get()` is that response."""

    def __init__(self, params: ModelRequestParameters, response: ModelResponse):
        super().__init__(params, response.model_name or "", response.provider_name)
        self._response = response
        self.finish_reason = response.finish_reason
        self.provider_details = response.provider_details

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        return
        yield  # an async generator with nothing to give

    def get(self) -> ModelResponse:
        return self._response


class HTTPStreamedResponse(StreamedResponse):
    """Bytes from the wire -> the codec's stream parser (which owns the framing) -> part events."""

    def __init__(self, params: ModelRequestParameters, model: HTTPModel, response: httpx.Response):
        super().__init__(params, model.model_name, model.system)
        self._response = response
        self._parser = model.stream_parser(params)

    def _events(self) -> AsyncIterator[ModelResponseStreamEvent]:
        return self._get_event_iterator()  # the part ends are in its loop: no generator between

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        parser = self._parser
        model_name = self._model_name
        ends = PartEnds(parser.parts.part_at)
        chunk = b""
        try:
            async for chunk in self._response.aiter_bytes():
                for event in parser.iter_feed(chunk):
                    # One type check per event; the part ends are worked out at part starts only.
                    if type(event) is PartStartEvent and (end := ends.start(event)) is not None:
                        yield end
                    yield event
            for event in parser.flush():
                if type(event) is PartStartEvent and (end := ends.start(event)) is not None:
                    yield end
                yield event
            parser.close()
            if (end := ends.finish()) is not None:
                yield end
        except SHAPE_ERRORS as exc:
            if not guard_shapes:
                raise
            raise shape_error(model_name, "stream event", exc, chunk) from exc
        except httpx.TimeoutException as exc:
            raise ModelAPIError(
                model_name, f"The stream stalled: no data within the read timeout ({type(exc).__name__})"
            ) from exc
        except httpx.HTTPError as exc:
            raise ModelAPIError(model_name, f"The stream broke off: {exc!r}") from exc
        finally:
            await self._response.aclose()

    def get(self) -> ModelResponse:
        response = self._parser.get()
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
