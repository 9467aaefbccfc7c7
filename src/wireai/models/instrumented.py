"""`InstrumentedModel` and `InstrumentationSettings`: OpenTelemetry spans and metrics for model requests.

Every request becomes a `chat {model}` CLIENT span with the GenAI semantic-convention attributes
PydanticAI sets (provider, model, request settings, tool definitions, usage, response id and
finish reasons, input/output messages), retries and stream stalls as span events, and the
`gen_ai.client.operation.duration` / `gen_ai.client.token.usage` metrics. Needs the `otel` extra
(`opentelemetry-api`); send the data anywhere with an OpenTelemetry SDK or Logfire.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any, Literal

try:
    from opentelemetry.metrics import get_meter_provider
    from opentelemetry.trace import get_tracer_provider
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise ImportError(
        "wireai's OpenTelemetry instrumentation needs opentelemetry-api: pip install 'wireai[otel]'"
    ) from exc

from .. import __version__
from .._instrumentation import InstrumentationNames, client_operation, params_attributes
from .._otel_messages import ContentPolicy, dumps, otel_messages, response_message, system_instructions
from ..exceptions import UserError
from ..messages import ModelMessage, ModelResponse
from ..settings import ModelSettings, merge_model_settings
from . import Model, ModelRequestParameters, StreamedResponse
from .wrapper import WrapperModel

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

    from .._instrumentation import ClientOperation

__all__ = ["InstrumentationSettings", "InstrumentedModel", "instrument_model"]

DEFAULT_INSTRUMENTATION_VERSION: Literal[5] = 5
MODEL_SETTING_ATTRIBUTES = (
    "max_tokens",
    "top_p",
    "seed",
    "temperature",
    "presence_penalty",
    "frequency_penalty",
)
# Bucket boundaries the GenAI metrics conventions advise.
TOKEN_HISTOGRAM_BOUNDARIES = (
    1,
    4,
    16,
    64,
    256,
    1024,
    4096,
    16384,
    65536,
    262144,
    1048576,
    4194304,
    16777216,
    67108864,
)
DURATION_HISTOGRAM_BOUNDARIES = (
    0.01,
    0.02,
    0.04,
    0.08,
    0.16,
    0.32,
    0.64,
    1.28,
    2.56,
    5.12,
    10.24,
    20.48,
    40.96,
    81.92,
)


class InstrumentationSettings:
    """Where spans and metrics go and what they may contain (`Agent(instrument=...)`, `InstrumentedModel`).

    - `tracer_provider` / `meter_provider`: default to OpenTelemetry's global providers.
    - `include_content=False`: no prompt, completion, tool argument or tool result text in any
      attribute or event (message structure, tool names and ids, and token counts remain).
    - `include_binary_content=False`: inline files are described (type, size of nothing) but not sent.
    - `version`: PydanticAI's data format version. 2: `agent run` / `running tool` spans with
      `tool_arguments` / `tool_response`; 3 and up: `invoke_agent {agent}` / `execute_tool {tool}`
      with `gen_ai.tool.call.arguments` / `.result`; 4 and up: files as `uri` / `blob` parts
      (before: `image-url`... / `binary`). 5 (the default) is 4 plus deferred-tool details, which
      wireai does not have. The event-based version 1 is not supported.
    """

    def __init__(
        self,
        *,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        include_binary_content: bool = True,
        include_content: bool = True,
        version: Literal[2, 3, 4, 5] = DEFAULT_INSTRUMENTATION_VERSION,
    ):
        if version not in (2, 3, 4, 5):
            raise UserError(
                f"Instrumentation version {version!r} is not supported; use 2, 3, 4 or 5 (the default)"
            )
        self.tracer = (tracer_provider or get_tracer_provider()).get_tracer("wireai", __version__)
        self.meter = (meter_provider or get_meter_provider()).get_meter("wireai", __version__)
        self.include_content = include_content
        self.include_binary_content = include_binary_content
        self.version = version
        self.names = InstrumentationNames.for_version(version)
        self.content_policy = ContentPolicy(include_content, include_binary_content, version)
        self.tokens_histogram = self.meter.create_histogram(
            "gen_ai.client.token.usage",
            unit="{token}",
            description="Measures number of input and output tokens used",
            explicit_bucket_boundaries_advisory=TOKEN_HISTOGRAM_BOUNDARIES,
        )
        self.duration_histogram = self.meter.create_histogram(
            "gen_ai.client.operation.duration",
            unit="s",
            description="GenAI operation duration",
            explicit_bucket_boundaries_advisory=DURATION_HISTOGRAM_BOUNDARIES,
        )

    def __repr__(self) -> str:
        return (
            f"InstrumentationSettings(include_content={self.include_content}, "
            f"include_binary_content={self.include_binary_content}, version={self.version})"
        )


def instrument_model(model: Model, instrument: InstrumentationSettings | bool) -> Model:
    """`model` wrapped in an `InstrumentedModel` (unless it already is one, or `instrument` is false)."""
    if not instrument or isinstance(model, InstrumentedModel):
        return model
    return InstrumentedModel(model, instrument if isinstance(instrument, InstrumentationSettings) else None)


class InstrumentedModel(WrapperModel):
    """A model whose requests are traced: `InstrumentedModel(model, InstrumentationSettings(...))`."""

    def __init__(self, wrapped: Model | str, options: InstrumentationSettings | None = None):
        super().__init__(wrapped)
        self.instrumentation_settings = options or InstrumentationSettings()

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        with self._operation(model_settings, model_request_parameters) as op:
            with op.sending():
                response = await self.wrapped.request(messages, model_settings, model_request_parameters)
            self._finish(op, messages, response)
            return response

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AsyncIterator[StreamedResponse]:
        with self._operation(model_settings, model_request_parameters) as op:
            async with AsyncExitStack() as stack:
                # Sending only while the request is sent, never across the yield: the caller may close
                # the stream from another task.
                with op.sending():
                    stream = await stack.enter_async_context(
                        self.wrapped.request_stream(messages, model_settings, model_request_parameters)
                    )
                yield stream
                self._finish(op, messages, stream.get())  # a failed stream is recorded as the error it raised

    def _operation(
        self, model_settings: ModelSettings | None, params: ModelRequestParameters
    ) -> AbstractContextManager[ClientOperation]:
        attributes = params_attributes(params)
        settings = merge_model_settings(self.wrapped.settings, model_settings) or {}
        for key in MODEL_SETTING_ATTRIBUTES:
            value = settings.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                attributes[f"gen_ai.request.{key}"] = value
        return client_operation(self.instrumentation_settings, "chat", self.wrapped, attributes)

    def _finish(self, op: ClientOperation, messages: list[ModelMessage], response: ModelResponse) -> None:
        policy = self.instrumentation_settings.content_policy
        attributes: dict[str, Any] = {}
        if op.span.is_recording():
            if response.provider_response_id is not None:
                attributes["gen_ai.response.id"] = response.provider_response_id
            if response.finish_reason is not None:
                attributes["gen_ai.response.finish_reasons"] = [response.finish_reason]
            attributes["gen_ai.input.messages"] = dumps(otel_messages(messages, policy))
            attributes["gen_ai.output.messages"] = dumps([response_message(response, policy)])
            instructions = system_instructions(messages, policy)
            if instructions:
                attributes["gen_ai.system_instructions"] = dumps(instructions)
        op.finish(response.model_name, response.usage, attributes)
