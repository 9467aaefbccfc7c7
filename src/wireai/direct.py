"""Model calls without an Agent: what PydanticAI's `pydantic_ai.direct` offers, and batches.

One request in, one `ModelResponse` (or one stream) out; the only translation is the codec's. This
is the surface a library embeds when it wants the wire protocols and nothing of the agent loop: no
tools are run, no output is validated, no retries beyond the transport's, and a content-filtered
answer comes back as the response it is (`finish_reason='content_filter'`, the vendor's reason in
`provider_details`) rather than as an error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from datetime import datetime
    from types import TracebackType

    from ._sync import TaskPortal
    from .batch import BatchResult
    from .batch._progress import ProgressArg
    from .batch.job import RequestLike, StoreArg
    from .messages import ModelMessage, ModelResponse, ModelResponseStreamEvent
    from .models import KnownModelName, Model, ModelRequestParameters, StreamedResponse
    from .models.instrumented import InstrumentationSettings
    from .settings import ModelSettings
    from .usage import RequestUsage

__all__ = [
    "StreamedResponseSync",
    "model_request",
    "model_request_batch",
    "model_request_stream",
    "model_request_stream_sync",
    "model_request_sync",
]

T = TypeVar("T")


async def model_request(
    model: Model | KnownModelName | str,
    messages: Sequence[ModelMessage],
    *,
    model_settings: ModelSettings | None = None,
    model_request_parameters: ModelRequestParameters | None = None,
    instrument: InstrumentationSettings | bool | None = None,
) -> ModelResponse:
    """Send `messages` to `model` (a `Model` or a `'provider:model'` name) and return its response.

    `model_request_parameters` carries tool definitions and the output wanted (the model answers
    with tool calls; nothing runs them). `instrument` traces the request with OpenTelemetry
    (`InstrumentationSettings`, or True for the defaults); None follows `Agent.instrument_all()`.
    """
    chosen, params = _prepare(model, instrument, model_request_parameters)
    return await chosen.request(list(messages), model_settings, params)


def model_request_sync(
    model: Model | KnownModelName | str,
    messages: Sequence[ModelMessage],
    *,
    model_settings: ModelSettings | None = None,
    model_request_parameters: ModelRequestParameters | None = None,
    instrument: InstrumentationSettings | bool | None = None,
) -> ModelResponse:
    """`model_request` from synchronous code, on the thread's own event loop (as `Agent.run_sync`:
    connections stay pooled between calls, and it also works where a loop is already running)."""
    from ._sync import run_sync

    return run_sync(
        model_request(
            model,
            messages,
            model_settings=model_settings,
            model_request_parameters=model_request_parameters,
            instrument=instrument,
        )
    )


def model_request_stream(
    model: Model | KnownModelName | str,
    messages: Sequence[ModelMessage],
    *,
    model_settings: ModelSettings | None = None,
    model_request_parameters: ModelRequestParameters | None = None,
    instrument: InstrumentationSettings | bool | None = None,
) -> AbstractAsyncContextManager[StreamedResponse]:
    """A streamed request: `async with model_request_stream(...) as stream:` then `async for event
    in stream` (part start and delta events); `stream.get()` is the response so far."""
    chosen, params = _prepare(model, instrument, model_request_parameters)
    return chosen.request_stream(list(messages), model_settings, params)


def model_request_stream_sync(
    model: Model | KnownModelName | str,
    messages: Sequence[ModelMessage],
    *,
    model_settings: ModelSettings | None = None,
    model_request_parameters: ModelRequestParameters | None = None,
    instrument: InstrumentationSettings | bool | None = None,
) -> StreamedResponseSync:
    """`model_request_stream` for synchronous code: `with model_request_stream_sync(...) as stream:`
    then `for event in stream`."""
    return StreamedResponseSync(
        model_request_stream(
            model,
            messages,
            model_settings=model_settings,
            model_request_parameters=model_request_parameters,
            instrument=instrument,
        )
    )


def _prepare(
    model: Model | str,
    instrument: InstrumentationSettings | bool | None,
    params: ModelRequestParameters | None,
) -> tuple[Model, ModelRequestParameters]:
    from .models import ModelRequestParameters, infer_model

    chosen = infer_model(model)
    if instrument is None:
        # `Agent.instrument_all()` is the default; it cannot have been called if the agent module was
        # never imported, and a direct caller should not pay for importing it just to find out.
        agent_module = sys.modules.get("wireai.agent")
        instrument = agent_module.Agent._instrument_default if agent_module is not None else False
    if instrument:
        from .models.instrumented import instrument_model  # needs the `otel` extra

        chosen = instrument_model(chosen, instrument)
    return chosen, params if params is not None else ModelRequestParameters()


class StreamedResponseSync:
    """A streamed response for synchronous code. Use it as a context manager; iterate it for events.

    The async stream is driven one step at a time in one task of this thread's event loop (the one
    `run_sync` keeps; `_sync.TaskPortal`), so each event is read from the socket when it is asked
    for: leaving the loop or the `with` block early closes the stream without reading the rest.
    Called where an event loop is already running (a notebook), the task runs on one worker
    thread of its own instead.
    """

    def __init__(self, stream: AbstractAsyncContextManager[StreamedResponse]):
        self._stream_cm = stream
        self._stream: StreamedResponse | None = None
        self._open = False
        self._portal: TaskPortal | None = None

    def __enter__(self) -> StreamedResponseSync:
        from ._sync import TaskPortal

        self._portal = portal = TaskPortal()
        try:
            self._stream = portal.call(self._stream_cm.__aenter__)
        except BaseException:
            portal.close()
            raise
        self._open = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        portal = self._portal
        if portal is None:
            return
        try:
            if self._open:
                portal.call(lambda: self._stream_cm.__aexit__(exc_type, exc, tb))
        finally:
            self._open = False
            portal.close()

    def __iter__(self) -> Iterator[ModelResponseStreamEvent]:
        """The response's events, each read when asked for (inside the `with` block)."""
        stream = self._ready()
        if not self._open or self._portal is None:
            raise RuntimeError("The stream is closed: iterate it inside its `with` block")
        return self._portal.iterate(lambda: aiter(stream))

    def get(self) -> ModelResponse:
        """The response received so far (all of it once iteration has ended; still there after the block)."""
        return self._ready().get()

    def usage(self) -> RequestUsage:
        """The usage reported so far."""
        return self._ready().usage()

    @property
    def model_name(self) -> str:
        return self._ready().model_name

    @property
    def timestamp(self) -> datetime:
        return self._ready().timestamp

    def __repr__(self) -> str:
        if self._stream is not None:
            return repr(self._stream)
        return f"{type(self).__name__}(entered=False)"

    def _ready(self) -> StreamedResponse:
        if self._stream is None:
            raise RuntimeError(
                "StreamedResponseSync must be used as a context manager: "
                "`with model_request_stream_sync(...) as stream:`"
            )
        return self._stream


async def model_request_batch(
    model: Model | str,
    requests: Iterable[RequestLike],
    *,
    model_settings: ModelSettings | None = None,
    model_request_parameters: ModelRequestParameters | None = None,
    store: StoreArg = None,
    poll_interval: float = 30.0,
    timeout: float | None = None,
    progress: ProgressArg = False,
) -> list[BatchResult]:
    """Send requests through the vendor's batch API, wait for it, and return one `BatchResult`
    per request in the order given (`result.response`, or `result.error` for a request the vendor
    rejected or never ran).

    `requests` are `(custom_id, messages)` pairs or `BatchRequest`s; `model_settings` are merged
    under each request's own, `model_request_parameters` (tools, output) apply to requests that set
    none. `store`, `poll_interval`, `timeout`, `progress` are those of `submit_batch` and `job.wait`:
    a timeout leaves the job running, to be picked up with `BatchJob.load(job_id)`.
    """
    from dataclasses import replace

    from .batch.job import as_request, submit_batch
    from .settings import merge_model_settings

    items = [as_request(item) for item in requests]
    if model_settings is not None or model_request_parameters is not None:
        items = [
            replace(
                item,
                model_settings=merge_model_settings(model_settings, item.model_settings),
                model_request_parameters=item.model_request_parameters or model_request_parameters,
            )
            for item in items
        ]
    job = await submit_batch(model, items, store=store)
    await job.wait(poll_interval=poll_interval, timeout=timeout, progress=progress)
    results: dict[str, BatchResult] = {}
    async for result in job.results():
        results[result.custom_id] = result
    return [results[item.custom_id] for item in items]
