"""The spans and metrics of an instrumented run, after PydanticAI and the OpenTelemetry GenAI conventions.

- `ClientOperation`: one `{operation} {model}` CLIENT span (`chat gpt-4o` for `InstrumentedModel`,
  `embeddings text-embedding-3-small` for `InstrumentedEmbeddingModel`) with the model attributes,
  the outcome, retries and stalls as events, and the `gen_ai.client.operation.duration` and
  `gen_ai.client.token.usage` metrics.
- `RunTracing`: the `invoke_agent {agent}` span around a run and an `execute_tool {tool}` span
  around each tool call.

Imported only once instrumentation is on: it imports OpenTelemetry.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

from opentelemetry.trace import Span, SpanKind, Status, StatusCode, use_span

from ._otel_messages import dumps, otel_messages, system_instructions
from .exceptions import ModelAPIError, ModelHTTPError
from .messages import RetryPromptPart, ToolCallPart, ToolReturnPart, _to_jsonable
from .transport.events import RetryEvent, retry_listener
from .usage import Usage

if TYPE_CHECKING:
    from ._run import Runner
    from ._tool_results import ToolOutcome
    from .models.instrumented import InstrumentationSettings

__all__ = [
    "ClientOperation",
    "InstrumentationNames",
    "RunTracing",
    "ServedModel",
    "model_attributes",
    "usage_attributes",
]

GEN_AI_PROVIDER_NAME = "gen_ai.provider.name"
GEN_AI_SYSTEM = "gen_ai.system"  # the deprecated name, still sent beside the new one as PydanticAI does
GEN_AI_REQUEST_MODEL = "gen_ai.request.model"


@dataclass(frozen=True)
class InstrumentationNames:
    """Span names and attribute names by data format version (PydanticAI's `version=`)."""

    agent_run_span: str
    agent_name_attr: str
    tool_span: str
    tool_arguments_attr: str
    tool_result_attr: str

    @classmethod
    def for_version(cls, version: int) -> InstrumentationNames:
        if version == 2:
            return cls("agent run", "agent_name", "running tool", "tool_arguments", "tool_response")
        return cls(
            "invoke_agent {}",
            "gen_ai.agent.name",
            "execute_tool {}",
            "gen_ai.tool.call.arguments",
            "gen_ai.tool.call.result",
        )


class ServedModel(Protocol):
    """What a span says about the model it calls: chat `Model`s and `EmbeddingModel`s both have it."""

    @property
    def model_name(self) -> str: ...

    @property
    def system(self) -> str: ...

    @property
    def base_url(self) -> str | None: ...


def model_attributes(model: ServedModel) -> dict[str, Any]:
    """Who serves the request: provider, model and the server's address and port (from its base URL)."""
    attributes: dict[str, Any] = {
        GEN_AI_PROVIDER_NAME: model.system,
        GEN_AI_SYSTEM: model.system,
        GEN_AI_REQUEST_MODEL: model.model_name,
    }
    base_url = model.base_url
    if base_url:
        parsed = urlparse(base_url)
        if parsed.hostname:  # never the userinfo part: a URL can carry credentials
            attributes["server.address"] = parsed.hostname
            port = parsed.port or {"https": 443, "http": 80}.get(parsed.scheme)
            if port:
                attributes["server.port"] = port
    return attributes


def usage_attributes(usage: Usage, prefix: str = "gen_ai.usage") -> dict[str, int]:
    """Token counts: the semconv names, plus PydanticAI's `details.*` ones for cache and vendor extras."""
    found: dict[str, int] = {}
    if usage.input_tokens:
        found[f"{prefix}.input_tokens"] = usage.input_tokens
    if usage.output_tokens:
        found[f"{prefix}.output_tokens"] = usage.output_tokens
    if usage.cache_read_tokens:
        found[f"{prefix}.cache_read.input_tokens"] = usage.cache_read_tokens
        found[f"{prefix}.details.cache_read_tokens"] = usage.cache_read_tokens
    if usage.cache_write_tokens:
        found[f"{prefix}.cache_creation.input_tokens"] = usage.cache_write_tokens
        found[f"{prefix}.details.cache_write_tokens"] = usage.cache_write_tokens
    for key, value in (usage.details or {}).items():
        if value:
            found[f"{prefix}.details.{key}"] = value
    return found


def error_type(exc: BaseException) -> str:
    """`error.type`: the status code of a vendor's answer, else the exception's class."""
    if isinstance(exc, ModelHTTPError):
        return str(exc.status_code)
    return type(exc).__qualname__


def record_error(span: Span, exc: BaseException, include_content: bool) -> None:
    """Mark the span failed. Messages (which can quote the vendor's output) only with content allowed."""
    span.set_attribute("error.type", error_type(exc))
    if include_content:
        span.record_exception(exc, escaped=True)
        span.set_status(Status(StatusCode.ERROR, str(exc)))
    else:
        cls = type(exc)
        span.add_event(
            "exception", {"exception.type": f"{cls.__module__}.{cls.__qualname__}", "exception.escaped": True}
        )
        span.set_status(Status(StatusCode.ERROR))


def is_stream_stall(exc: BaseException) -> bool:
    """The streamed response stopped sending data until the read timeout (`HTTPStreamedResponse`)."""
    import httpx

    return isinstance(exc, ModelAPIError) and isinstance(exc.__cause__, httpx.TimeoutException)


class ClientOperation:
    """One call to a model API: its CLIENT span and its metrics; `end()` closes both.

    The span is never made current across a `yield` (a stream may be closed from another task):
    `sending()` makes it the parent only while the request is being sent.
    """

    def __init__(
        self,
        settings: InstrumentationSettings,
        operation: str,
        model: ServedModel,
        attributes: dict[str, Any],
    ):
        self.settings = settings
        self.operation = operation
        self.request_model = model.model_name
        self.response_model: str | None = None
        self.usage: Usage | None = None
        self._model_attributes = model_attributes(model)
        self.span = settings.tracer.start_span(
            f"{operation} {model.model_name}",
            attributes={"gen_ai.operation.name": operation, **self._model_attributes, **attributes},
            kind=SpanKind.CLIENT,
        )
        self._started = time.perf_counter()

    @contextmanager
    def sending(self) -> Iterator[None]:
        """While the request is sent: the span is current (the parent of the transport's own spans)
        and the transport's retries are events on it. Never held across a `yield` to the caller."""
        token = retry_listener.set(self.on_retry)
        try:
            with use_span(
                self.span, end_on_exit=False, record_exception=False, set_status_on_exception=False
            ):
                yield
        finally:
            retry_listener.reset(token)

    def on_retry(self, event: RetryEvent) -> None:
        """The transport's retry listener: each retry is an event on the span."""
        attributes: dict[str, Any] = {
            "http.request.resend_count": event.attempt - 1,
            "wireai.retry.delay_s": event.delay,
        }
        if event.status_code is not None:
            attributes["http.response.status_code"] = event.status_code
        if event.error is not None:
            attributes["error.type"] = type(event.error).__qualname__
        self.span.add_event("wireai.retry", attributes)

    def finish(self, response_model: str | None, usage: Usage, attributes: dict[str, Any]) -> None:
        """The outcome: what served it, the tokens used, and operation-specific attributes."""
        self.response_model = response_model or self.request_model
        self.usage = usage
        span = self.span
        if span.is_recording():
            span.set_attributes(
                {"gen_ai.response.model": self.response_model, **usage_attributes(usage), **attributes}
            )

    def end(self, error: BaseException | None = None) -> None:
        span = self.span
        if error is not None:
            if is_stream_stall(error):
                span.add_event(
                    "wireai.stream.stall", {"wireai.stream.elapsed_s": time.perf_counter() - self._started}
                )
            record_error(span, error, self.settings.include_content)
        span.end()
        # Metrics after the span ends, as PydanticAI does (backends summing span attributes do not
        # count them twice).
        metric_attributes: dict[str, Any] = {
            "gen_ai.operation.name": self.operation,
            **self._model_attributes,
        }
        if self.response_model is not None:
            metric_attributes["gen_ai.response.model"] = self.response_model
        duration_attributes = dict(metric_attributes)
        if error is not None:
            duration_attributes["error.type"] = error_type(error)
        self.settings.duration_histogram.record(time.perf_counter() - self._started, duration_attributes)
        usage = self.usage
        if usage is not None:
            for token_type, tokens in (("input", usage.input_tokens), ("output", usage.output_tokens)):
                if tokens:
                    self.settings.tokens_histogram.record(
                        tokens, {**metric_attributes, "gen_ai.token.type": token_type}
                    )


@contextmanager
def client_operation(
    settings: InstrumentationSettings, operation: str, model: ServedModel, attributes: dict[str, Any]
) -> Iterator[ClientOperation]:
    """`with client_operation(...) as op:` ... `op.finish(...)`; failures are recorded, the span always ends."""
    op = ClientOperation(settings, operation, model, attributes)
    try:
        yield op
    except BaseException as exc:
        op.end(None if isinstance(exc, GeneratorExit) else exc)
        raise
    op.end()


def params_attributes(params: Any) -> dict[str, Any]:
    """`model_request_parameters` and `gen_ai.tool.definitions`, as PydanticAI sets them on chat spans."""
    attributes: dict[str, Any] = {"model_request_parameters": dumps(_to_jsonable(dataclasses.asdict(params)))}
    tools = []
    for tool in params.tool_defs:
        definition: dict[str, Any] = {"type": "function", "name": tool.name}
        if tool.description:
            definition["description"] = tool.description
        if tool.parameters_json_schema:
            definition["parameters"] = tool.parameters_json_schema
        tools.append(definition)
    if tools:
        attributes["gen_ai.tool.definitions"] = dumps(tools)
    return attributes


class RunTracing:
    """The agent run span and the tool spans of one agent's runs."""

    def __init__(self, settings: InstrumentationSettings, agent_name: str):
        self.settings = settings
        self.agent_name = agent_name
        self.names = settings.names

    @contextmanager
    def run_span(self, runner: Runner) -> Iterator[None]:
        names = self.names
        agent_name = self.agent_name
        attributes: dict[str, Any] = {
            "model_name": runner.model.model_name,
            "agent_name": agent_name,
            "gen_ai.agent.name": agent_name,
            "gen_ai.operation.name": "invoke_agent",
        }
        span_name = names.agent_run_span.format(agent_name)
        with self.settings.tracer.start_as_current_span(
            span_name, attributes=attributes, record_exception=False, set_status_on_exception=False
        ) as span:
            try:
                yield
            except BaseException as exc:
                if not isinstance(exc, GeneratorExit):
                    record_error(span, exc, self.settings.include_content)
                raise
            finally:
                if span.is_recording():
                    span.set_attributes(self._run_end_attributes(runner))

    def _run_end_attributes(self, runner: Runner) -> dict[str, Any]:
        settings = self.settings
        policy = settings.content_policy
        attributes: dict[str, Any] = {
            **usage_attributes(runner.usage, "gen_ai.aggregated_usage"),
            "pydantic_ai.all_messages": dumps(otel_messages(runner.messages, policy)),
        }
        instructions = system_instructions(runner.messages, policy)
        if instructions:
            attributes["gen_ai.system_instructions"] = dumps(instructions)
        if runner.new_message_index:
            attributes["pydantic_ai.new_message_index"] = runner.new_message_index
        final = runner.final
        if final is not None and settings.include_content:
            output = final.output
            attributes["final_result"] = output if isinstance(output, str) else dumps(_to_jsonable(output))
        return attributes

    async def run_tool(
        self, call: ToolCallPart, execute: Callable[[ToolCallPart], Awaitable[ToolOutcome]]
    ) -> ToolOutcome:
        names = self.names
        include_content = self.settings.include_content
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": call.tool_name,
            "gen_ai.tool.call.id": call.tool_call_id,
            "gen_ai.agent.name": self.agent_name,
        }
        if include_content:
            attributes[names.tool_arguments_attr] = call.args_as_json_str()
        with self.settings.tracer.start_as_current_span(
            names.tool_span.format(call.tool_name),
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                outcome = await execute(call)
            except BaseException as exc:
                record_error(span, exc, include_content)
                raise
            part = outcome[0] if isinstance(outcome, tuple) else None  # None: deferred, no result yet
            if isinstance(part, RetryPromptPart):  # the tool asked for a retry, or its arguments were invalid
                span.set_status(Status(StatusCode.ERROR))
                if include_content:
                    span.set_attribute(names.tool_result_attr, part.model_response())
            elif include_content and isinstance(part, ToolReturnPart):
                span.set_attribute(names.tool_result_attr, part.model_response_str())
            return outcome
