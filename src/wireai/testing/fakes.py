"""Fake vendors: loopback servers that speak each vendor's real wire format, scripted in wireai's terms.

A test queues what the "vendor" answers next (a `ModelResponse`, text, tool calls, an error with
the vendor's error body, a 429 with `Retry-After`, a stall, a connection dropped mid-stream) and
points a real model at the fake with `fake.model(...)`. Requests then go through the real
provider, transport and codec (its SSE/event-stream framing included), so a test pins wire
behaviour rather than a mock's idea of it. Bodies come from the vendor-side encoders of
`wireai.testing.encoders` (`encode_response`, `encode_stream` per protocol), which are round-trip
tested against the codecs' parsers.

Streaming or JSON is decided per request, as the vendor does: `"stream": true` in the body
(OpenAI, Anthropic, Mistral, Cohere, Groq), `:streamGenerateContent` (Gemini, Vertex) or
`/converse-stream` (Bedrock).
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import unquote

from ..messages import FinishReason, ModelResponse, ModelResponsePart, TextPart, ToolCallPart
from ..usage import RequestUsage
from .rechunk import split_events
from .server import LoopbackServer, RecordedRequest, Reply

if TYPE_CHECKING:
    from ..models._http import HTTPModel
    from ..providers.azure import AzureProvider
    from ..providers.bedrock import BedrockProvider
    from ..providers.google_gla import GoogleGLAProvider
    from ..providers.google_vertex import GoogleVertexProvider
    from .batches import FakeBatches
    from .encoders import openai_chat

__all__ = [
    "FakeAnthropic",
    "FakeAzure",
    "FakeBedrock",
    "FakeCohere",
    "FakeGemini",
    "FakeGroq",
    "FakeMistral",
    "FakeOpenAI",
    "FakeOpenAIResponses",
    "FakeVendor",
    "FakeVertex",
    "fake_vendor",
]

FAKE_API_KEY = "fake-api-key"
DEFAULT_USAGE = RequestUsage(input_tokens=10, output_tokens=5)
# Status used when a request arrives and nothing is scripted: not retried by the transport, and
# distinctive enough that nobody mistakes it for a vendor answer.
NOTHING_SCRIPTED = 418


@dataclass
class _Script:
    """One queued answer; `kind` says how the other fields are used."""

    kind: Literal["response", "error", "stall", "drop", "reply", "token_count"]
    response: ModelResponse | None = None
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    mid_stream: bool = False
    after_events: int = 1
    reply: Reply | None = None
    input_tokens: int = 0


class FakeVendor:
    """A loopback vendor. Use as a (sync or async) context manager; `url`, `requests`, `model()`.

    Subclasses say what the vendor's paths, bodies, error bodies and model class are; the queue,
    the recording and the failure modes live here once.
    """

    vendor: ClassVar[str] = ""
    default_model: ClassVar[str] = ""
    stream_format: ClassVar[Literal["sse", "eventstream"]] = "sse"
    stream_content_type: ClassVar[str] = "text/event-stream"
    path_pattern: ClassVar[str] = ".*"
    tool_call_prefix: ClassVar[str] = "call_"
    batch_api: ClassVar[str | None] = None
    """Which batch API the fake serves beside the chat endpoint (`testing/batches.py`), if any."""

    def __init__(self, *, default_usage: RequestUsage | None = None, chunk_pause: float = 0.0):
        self.default_usage = default_usage or DEFAULT_USAGE
        self.chunk_pause = chunk_pause
        self._queue: deque[_Script] = deque()
        self._calls = 0
        self.server = LoopbackServer(self._answer)
        self.batch: FakeBatches | None = None
        """The fake's batch API (its files, batches and knobs: processing time, expiry, poll failures)."""
        if self.batch_api is not None:
            from .batches import FakeBatches

            self.batch = FakeBatches(self, self.batch_api)

    # ------------------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        """The fake's origin (`http://127.0.0.1:<port>`); vendor path prefixes such as `/v1` come after it."""
        return self.server.url

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order: `.method`, `.path`, `.headers` (lower-cased), `.json()`."""
        return self.server.requests

    @property
    def pending(self) -> int:
        """Scripted answers not yet used."""
        return len(self._queue)

    def start(self) -> FakeVendor:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> FakeVendor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeVendor:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------------------ scripting

    def add_response(self, response: ModelResponse, *, headers: dict[str, str] | None = None) -> FakeVendor:
        """Answer the next request with `response`, as JSON or as the vendor's stream, whichever was asked."""
        self._queue.append(_Script("response", response=response, headers=dict(headers or {})))
        return self

    def add_text(
        self,
        text: str,
        *,
        usage: RequestUsage | None = None,
        finish_reason: FinishReason | None = "stop",
        model_name: str | None = None,
    ) -> FakeVendor:
        return self.add_response(self._response([TextPart(text)], usage, finish_reason, model_name))

    def add_tool_call(
        self,
        tool_name: str,
        args: dict[str, Any] | str | None = None,
        *,
        tool_call_id: str | None = None,
        text: str | None = None,
        usage: RequestUsage | None = None,
    ) -> FakeVendor:
        """One tool call (optionally preceded by text); ids default to a vendor-looking counter."""
        parts: list[ModelResponsePart] = [TextPart(text)] if text else []
        parts.append(ToolCallPart(tool_name, args or {}, tool_call_id or self._next_call_id()))
        return self.add_response(self._response(parts, usage, "tool_call", None))

    def add_tool_calls(
        self, calls: list[tuple[str, dict[str, Any] | str]], *, usage: RequestUsage | None = None
    ) -> FakeVendor:
        """Parallel tool calls in one response."""
        parts: list[ModelResponsePart] = [
            ToolCallPart(name, args, self._next_call_id()) for name, args in calls
        ]
        return self.add_response(self._response(parts, usage, "tool_call", None))

    def add_error(
        self,
        status: int = 400,
        body: Any = None,
        *,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> FakeVendor:
        """A non-2xx answer; `body` defaults to the vendor's own error shape for that status."""
        if body is None:
            body = self.error_body(status, message or default_message(status))
        self._queue.append(
            _Script(
                "error", status=status, body=body, headers={**self.error_headers(status), **(headers or {})}
            )
        )
        return self

    def add_rate_limit(self, retry_after: float = 0.2, body: Any = None) -> FakeVendor:
        """A 429 asking to wait `retry_after` seconds (`retry_after_headers`): wireai's transport
        waits that long and retries."""
        return self.add_error(429, body, headers=retry_after_headers(retry_after))

    def add_stall(
        self, seconds: float, then: ModelResponse | None = None, *, mid_stream: bool = False
    ) -> FakeVendor:
        """Say nothing for `seconds` (before the headers, or after the first stream event with
        `mid_stream=True`), then answer with `then` (default: a short text)."""
        response = then or self._response([TextPart("(after the stall)")], None, "stop", None)
        self._queue.append(_Script("stall", response=response, seconds=seconds, mid_stream=mid_stream))
        return self

    def add_drop_mid_stream(
        self, response: ModelResponse | None = None, *, after_events: int = 1
    ) -> FakeVendor:
        """Send the first `after_events` events of `response`'s stream, then cut the connection."""
        response = response or self._response(
            [TextPart("this answer is cut off before its end")], None, "stop", None
        )
        self._queue.append(_Script("drop", response=response, after_events=after_events))
        return self

    def add_token_count(self, input_tokens: int) -> FakeVendor:
        """Answer the next (token-counting) request with this count, in the vendor's answer shape."""
        self._queue.append(_Script("token_count", input_tokens=input_tokens))
        return self

    def add_reply(self, reply: Reply) -> FakeVendor:
        """A raw scripted HTTP answer, for anything the helpers above do not cover."""
        self._queue.append(_Script("reply", reply=reply))
        return self

    # ------------------------------------------------------------------------------ vendor specifics

    def is_stream(self, request: RecordedRequest) -> bool:
        body = _json_or_none(request)
        return isinstance(body, dict) and body.get("stream") is True

    def requested_model(self, request: RecordedRequest) -> str | None:
        body = _json_or_none(request)
        model = body.get("model") if isinstance(body, dict) else None
        return model if isinstance(model, str) else None

    def encode_json(self, response: ModelResponse, request: RecordedRequest) -> dict[str, Any]:
        raise NotImplementedError

    def encode_stream(self, response: ModelResponse, request: RecordedRequest) -> bytes:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> Any:
        raise NotImplementedError

    def encode_token_count(self, input_tokens: int, request: RecordedRequest) -> dict[str, Any]:
        raise NotImplementedError(f"the {self.vendor} fake cannot answer a token count")

    def error_headers(self, status: int) -> dict[str, str]:
        return {}

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPModel:
        """A ready model pointed at this fake (a dummy key; `settings=` etc. pass through)."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------ serving

    def take_answer(self, request: RecordedRequest) -> tuple[int, Any]:
        """The next scripted answer as (status, JSON body), for one request of a batch: a scripted
        response encoded as this vendor's JSON, or a scripted error (nothing scripted: a 418)."""
        if not self._queue:
            message = (
                f"wireai {type(self).__name__}: nothing scripted for this batch request; add_response() first"
            )
            return NOTHING_SCRIPTED, self.error_body(NOTHING_SCRIPTED, message)
        script = self._queue.popleft()
        if script.kind == "error":
            return script.status, script.body
        if script.kind == "reply":
            assert script.reply is not None
            return script.reply.status, json.loads(script.reply.body or b"null")
        if script.kind == "token_count":
            return 200, self.encode_token_count(script.input_tokens, request)
        return 200, self.encode_json(self._scripted_response(script, request), request)

    def _scripted_response(self, script: _Script, request: RecordedRequest) -> ModelResponse:
        """A script's response, named after the model the request asked for when it names none."""
        assert script.response is not None
        response = script.response
        if not response.model_name:
            response = _with_model(response, self.requested_model(request))
        return response

    def _answer(self, request: RecordedRequest) -> Reply:
        if self.batch is not None:
            reply = self.batch.handle(request)
            if reply is not None:
                return reply
        if not re.fullmatch(self.path_pattern, request.url_path):
            message = f"wireai {type(self).__name__}: {request.method} {request.url_path} is not a {self.vendor} endpoint"
            return Reply.json(self.error_body(404, message), 404, self.error_headers(404))
        if not self._queue:
            message = f"wireai {type(self).__name__}: nothing scripted for request #{len(self.requests)} ({request.url_path}); add_response() first"
            return Reply.json(self.error_body(NOTHING_SCRIPTED, message), NOTHING_SCRIPTED)
        script = self._queue.popleft()
        if script.kind == "reply":
            assert script.reply is not None
            return script.reply
        if script.kind == "error":
            return Reply.json(script.body, script.status, script.headers)
        if script.kind == "token_count":
            return Reply.json(self.encode_token_count(script.input_tokens, request))
        response = self._scripted_response(script, request)
        stream = self.is_stream(request)
        if script.kind == "stall" and not (script.mid_stream and stream):
            reply = self._render(response, request, stream, script.headers)
            reply.delay = script.seconds
            return reply
        if script.kind == "response":
            return self._render(response, request, stream, script.headers)
        if not stream:  # a drop of a JSON answer: half the body, then the socket closes
            body = json.dumps(self.encode_json(response, request)).encode()
            return Reply(
                200, {"content-type": "application/json"}, chunks=[body[: len(body) // 2]], drop=True
            )
        events: list[bytes | float] = list(
            split_events(self.encode_stream(response, request), self.stream_format)
        )
        if script.kind == "stall":
            events.insert(min(1, len(events)), script.seconds)
            return Reply(200, {"content-type": self.stream_content_type}, chunks=events)
        return Reply(
            200, {"content-type": self.stream_content_type}, chunks=events[: script.after_events], drop=True
        )

    def _render(
        self, response: ModelResponse, request: RecordedRequest, stream: bool, headers: dict[str, str]
    ) -> Reply:
        if not stream:
            return Reply.json(self.encode_json(response, request), 200, headers)
        chunks: list[bytes | float] = []
        for event in split_events(self.encode_stream(response, request), self.stream_format):
            chunks.append(event)
            if self.chunk_pause:
                chunks.append(self.chunk_pause)
        return Reply(200, {"content-type": self.stream_content_type, **headers}, chunks=chunks)

    def _response(
        self,
        parts: list[ModelResponsePart],
        usage: RequestUsage | None,
        finish_reason: FinishReason | None,
        model_name: str | None,
    ) -> ModelResponse:
        return ModelResponse(
            parts=parts, usage=usage or self.default_usage, model_name=model_name, finish_reason=finish_reason
        )

    def _next_call_id(self) -> str:
        self._calls += 1
        return f"{self.tool_call_prefix}{self._calls:04d}"


# ============================================================================================ vendors


class FakeOpenAI(FakeVendor):
    """OpenAI Chat Completions at `{url}/v1/chat/completions`."""

    vendor = "OpenAI"
    default_model = "gpt-4o"
    path_pattern = r"/v1/chat/completions"
    base_path = "/v1"
    batch_api = "openai"

    def host(self) -> openai_chat.Host:
        """What this host sends besides OpenAI's own fields: OpenAI sends no reasoning text and no
        usage fields of a compatible host's (subclass and return another `Host` to fake one)."""
        from .encoders import openai_chat

        return openai_chat.OPENAI

    def encode_json(self, response: ModelResponse, request: RecordedRequest) -> dict[str, Any]:
        from .encoders import openai_chat

        return openai_chat.encode_response(response, host=self.host())

    def encode_stream(self, response: ModelResponse, request: RecordedRequest) -> bytes:
        from .encoders import openai_chat

        body = _json_or_none(request) or {}
        usage = (
            isinstance(body.get("stream_options"), dict)
            and body["stream_options"].get("include_usage") is True
        )
        return openai_chat.encode_stream(response, host=self.host(), include_usage=usage)

    def error_body(self, status: int, message: str) -> Any:
        kind = {401: "invalid_request_error", 429: "requests", 500: "server_error", 503: "server_error"}
        code = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}
        return {"error": {"message": message, "type": kind.get(status, "invalid_request_error"), "param": None,
                          "code": code.get(status)}}  # fmt: skip

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPModel:
        from ..models.openai import OpenAIChatModel

        kwargs.setdefault("api_key", FAKE_API_KEY)
        return OpenAIChatModel(model_name or self.default_model, base_url=self.url + self.base_path, **kwargs)


class FakeOpenAIResponses(FakeOpenAI):
    """The OpenAI Responses API at `{url}/v1/responses`."""

    path_pattern = r"/v1/responses"
    tool_call_prefix = "call_"

    def encode_json(self, response: ModelResponse, request: RecordedRequest) -> dict[str, Any]:
        from .encoders import openai_responses

        return openai_responses.encode_response(response, request=_json_object(request))

    def encode_stream(self, response: ModelResponse, request: RecordedRequest) -> bytes:
        from .encoders import openai_responses

        return openai_responses.encode_stream(response, request=_json_object(request))

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPModel:
        from ..models.openai import OpenAIResponsesModel

        kwargs.setdefault("api_key", FAKE_API_KEY)
        return OpenAIResponsesModel(
            model_name or self.default_model, base_url=self.url + self.base_path, **kwargs
        )


class FakeGroq(FakeOpenAI):
    """Groq's OpenAI-compatible API at `{url}/openai/v1/chat/completions`."""

    vendor = "Groq"
    default_model = "llama-3.3-70b-versatile"
    path_pattern = r"/openai/v1/chat/completions"
    base_path = "/openai/v1"

    def host(self) -> openai_chat.Host:
        """Groq's reasoning text comes as `reasoning`; it reports no cache writes."""
        from .encoders import openai_chat

        return openai_chat.GROQ

    def encode_json(self, response: ModelResponse, request: RecordedRequest) -> dict[str, Any]:
        """Groq's body: `x_groq`, and native calls as `message.executed_tools`."""
        from .encoders import openai_chat

        return openai_chat.encode_response(response, host=self.host(), x_groq="req_fake")

    def encode_stream(self, response: ModelResponse, request: RecordedRequest) -> bytes:
        """Groq puts the stream's usage in `x_groq.usage` of the chunk carrying `finish_reason`."""
        from .encoders import openai_chat

        return openai_chat.encode_stream(response, host=self.host(), x_groq="req_fake")

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPModel:
        from ..models.groq import GroqModel

        kwargs.setdefault("api_key", FAKE_API_KEY)
        return GroqModel(model_name or self.default_model, base_url=self.url + self.base_path, **kwargs)


_AZURE_PATH = r"/openai/deployments/(?P<model>[^/]+)/chat/completions"


class FakeAzure(FakeOpenAI):
    """Azure OpenAI's deployments API at `{url}/openai/deployments/{deployment}/chat/completions`
    (`?api-version=`), with its files and batches at `{url}/openai/files`, `{url}/openai/batches`."""

    vendor = "Azure OpenAI"
    default_model = "gpt-4o-batch"
    path_pattern = _AZURE_PATH
    base_path = "/openai"
    api_version = "2024-10-21"

    def requested_model(self, request: RecordedRequest) -> str | None:
        found = re.fullmatch(_AZURE_PATH, request.url_path)
        return unquote(found["model"]) if found else super().requested_model(request)

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPModel:
        """The model is the deployment's name, as on Azure."""
        from ..models.openai import OpenAIChatModel

        provider = azure_provider(self.url, self.api_version, kwargs)
        return OpenAIChatModel(model_name or self.default_model, provider=provider, **kwargs)


_ANTHROPIC_ERRORS = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                     404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error",
                     500: "api_error", 529: "overloaded_error"}  # fmt: skip


class FakeAnthropic(FakeVendor):
    """Anthropic Messages at `{url}/v1/messages` (and token counts at `{url}/v1/messages/count_tokens`)."""

    vendor = "Anthropic"
    default_model = "claude-3-5-sonnet-latest"
    path_pattern = r"/v1/messages(/count_tokens)?"
    batch_api = "anthropic"
    tool_call_prefix = "toolu_fake_"

    def encode_token_count(self, input_tokens: int, request: RecordedRequest) -> dict[str, Any]:
        return {"input_tokens": input_tokens}

    def encode_json(self, response: ModelResponse, request: RecordedRequest) -> dict[str, Any]:
        from .encoders import anthropic

        return anthropic.encode_response(response, beta="anthropic-beta" in request.headers)

    def encode_stream(self, response: ModelResponse, request: RecordedRequest) -> bytes:
        """A request with `anthropic-beta` gets the beta message shape (`context_management`,
        `usage.iterations`), as Anthropic's reference describes the beta endpoint's answers."""
        from .encoders import anthropic

        return anthropic.encode_stream(response, beta="anthropic-beta" in request.headers)

    def error_body(self, status: int, message: str) -> Any:
        kind = _ANTHROPIC_ERRORS.get(status, "api_error" if status >= 500 else "invalid_request_error")
        request_id = "req_fake" + uuid.uuid5(uuid.NAMESPACE_URL, f"{status}:{message}").hex[:16]
        return {"type": "error", "error": {"type": kind, "message": message}, "request_id": request_id}

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPModel:
        from ..models.anthropic import AnthropicModel

        kwargs.setdefault("api_key", FAKE_API_KEY)
        return AnthropicModel(model_name or self.default_model, base_url=self.url, **kwargs)


_GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                  429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}  # fmt: skip
_GEMINI_PATH = (
    r"(?P<prefix>.*)/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent|countTokens)"
)


class FakeGemini(FakeVendor):
    """The Gemini API (Google AI Studio) at `{url}/v1beta/models/{model}:generateContent`."""

    vendor = "Gemini"
    default_model = "gemini-2.0-flash"
    path_pattern = _GEMINI_PATH
    base_path = "/v1beta"
    batch_api: ClassVar[str | None] = "gemini"
    call_ids: ClassVar[bool] = True  # Vertex AI's FunctionCall has no `id`

    def is_stream(self, request: RecordedRequest) -> bool:
        return request.url_path.endswith(":streamGenerateContent")

    def requested_model(self, request: RecordedRequest) -> str | None:
        found = re.fullmatch(_GEMINI_PATH, request.url_path)
        return unquote(found["model"]) if found else None

    def encode_json(self, response: ModelResponse, request: RecordedRequest) -> dict[str, Any]:
        from .encoders import gemini

        return gemini.encode_response(response, call_ids=self.call_ids)

    def encode_stream(self, response: ModelResponse, request: RecordedRequest) -> bytes:
        """Streams function-call arguments piece by piece when the request asked for it (Vertex AI's
        `functionCallingConfig.streamFunctionCallArguments`)."""
        from .encoders import gemini

        body = _json_or_none(request) or {}
        calling = (
            ((body.get("toolConfig") or {}).get("functionCallingConfig") or {})
            if isinstance(body, dict)
            else {}
        )
        pieces = calling.get("streamFunctionCallArguments") is True
        return gemini.encode_stream(
            response, text_chunk=8, stream_function_call_arguments=pieces, call_ids=self.call_ids
        )

    def error_body(self, status: int, message: str) -> Any:
        return {
            "error": {"code": status, "message": message, "status": _GOOGLE_STATUS.get(status, "UNKNOWN")}
        }

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPModel:
        from ..models.gemini import GeminiModel

        provider = google_gla_provider(self.url + self.base_path, kwargs)
        return GeminiModel(model_name or self.default_model, provider=provider, **kwargs)


@dataclass
class FakeGoogleCredentials:
    """Stands in for `google.auth` credentials: always valid, so no token endpoint is ever called."""

    token: str = "fake-vertex-token"
    project_id: str = "fake-project"
    valid: bool = True
    expired: bool = False
    quota_project_id: str | None = None

    def refresh(self, request: Any) -> None:
        self.valid = True


class FakeVertex(FakeGemini):
    """Gemini on Vertex AI at `{url}/v1/projects/{project}/locations/{region}/publishers/google/models/...`."""

    vendor = "Vertex AI"
    base_path = "/v1/projects/fake-project/locations/us-central1/publishers/google"
    batch_api: ClassVar[str | None] = (
        None  # Vertex batch prediction works on Cloud Storage, no fake serves it
    )
    call_ids = False

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPModel:
        from ..models.gemini import GeminiModel

        provider = google_vertex_provider(self.url + self.base_path, kwargs)
        return GeminiModel(model_name or self.default_model, provider=provider, **kwargs)


class FakeMistral(FakeVendor):
    """Mistral chat completions at `{url}/v1/chat/completions`."""

    vendor = "Mistral"
    default_model = "mistral-small-latest"
    path_pattern = r"/v1/chat/completions"
    batch_api = "mistral"
    tool_call_prefix = "call"

    def encode_json(self, response: ModelResponse, request: RecordedRequest) -> dict[str, Any]:
        from .encoders import mistral

        return mistral.encode_response(response)

    def encode_stream(self, response: ModelResponse, request: RecordedRequest) -> bytes:
        from .encoders import mistral

        return mistral.encode_stream(response)

    def error_body(self, status: int, message: str) -> Any:
        kind = "invalid_request_error" if status < 500 else "internal_server_error"
        return {"object": "error", "message": message, "type": kind, "param": None, "code": None}

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPModel:
        from ..models.mistral import MistralModel

        kwargs.setdefault("api_key", FAKE_API_KEY)
        return MistralModel(model_name or self.default_model, base_url=self.url, **kwargs)


class FakeCohere(FakeVendor):
    """Cohere v2 chat at `{url}/v2/chat`."""

    vendor = "Cohere"
    default_model = "command-r-plus"
    path_pattern = r"/v2/chat"

    def encode_json(self, response: ModelResponse, request: RecordedRequest) -> dict[str, Any]:
        from .encoders import cohere

        return cohere.encode_response(response)

    def encode_stream(self, response: ModelResponse, request: RecordedRequest) -> bytes:
        from .encoders import cohere

        return cohere.encode_stream(response)

    def error_body(self, status: int, message: str) -> Any:
        return {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{status}:{message}")), "message": message}

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPModel:
        from ..models.cohere import CohereModel

        kwargs.setdefault("api_key", FAKE_API_KEY)
        return CohereModel(model_name or self.default_model, base_url=self.url, **kwargs)


_BEDROCK_ERRORS = {400: "ValidationException", 403: "AccessDeniedException", 404: "ResourceNotFoundException",
                   408: "ModelTimeoutException", 424: "ModelErrorException", 429: "ThrottlingException",
                   500: "InternalServerException", 503: "ServiceUnavailableException"}  # fmt: skip
_BEDROCK_PATH = r"/model/(?P<model>[^/]+)/(?P<op>converse|converse-stream)"


class FakeBedrock(FakeVendor):
    """Bedrock Runtime Converse at `{url}/model/{modelId}/converse[-stream]` (AWS event-stream framing)."""

    vendor = "Bedrock"
    default_model = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    stream_format = "eventstream"
    stream_content_type = "application/vnd.amazon.eventstream"
    path_pattern = _BEDROCK_PATH
    tool_call_prefix = "tooluse_fake_"

    def is_stream(self, request: RecordedRequest) -> bool:
        return request.url_path.endswith("/converse-stream")

    def requested_model(self, request: RecordedRequest) -> str | None:
        found = re.fullmatch(_BEDROCK_PATH, request.url_path)
        return unquote(found["model"]) if found else None

    def encode_json(self, response: ModelResponse, request: RecordedRequest) -> dict[str, Any]:
        from .encoders import bedrock

        return bedrock.encode_response(response)

    def encode_stream(self, response: ModelResponse, request: RecordedRequest) -> bytes:
        from .encoders import bedrock

        return bedrock.encode_stream(response)

    def error_body(self, status: int, message: str) -> Any:
        return {"message": message}

    def error_headers(self, status: int) -> dict[str, str]:
        kind = _BEDROCK_ERRORS.get(
            status, "InternalServerException" if status >= 500 else "ValidationException"
        )
        return {"x-amzn-errortype": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/"}

    def model(self, model_name: str | None = None, **kwargs: Any) -> HTTPModel:
        """Bearer-token auth (a Bedrock API key), so no AWS credentials or botocore are needed."""
        from ..models.bedrock import BedrockConverseModel

        provider = bedrock_provider(self.url, kwargs)
        return BedrockConverseModel(model_name or self.default_model, provider=provider, **kwargs)


_FAKES: dict[str, type[FakeVendor]] = {
    "openai": FakeOpenAI,
    "openai-responses": FakeOpenAIResponses,
    "groq": FakeGroq,
    "azure": FakeAzure,
    "anthropic": FakeAnthropic,
    "google-gla": FakeGemini,
    "gemini": FakeGemini,
    "google-vertex": FakeVertex,
    "vertex": FakeVertex,
    "mistral": FakeMistral,
    "cohere": FakeCohere,
    "bedrock": FakeBedrock,
}


def fake_vendor(name: str, **kwargs: Any) -> FakeVendor:
    """A (not yet started) fake by vendor name: `'openai'`, `'anthropic'`, `'gemini'`, `'bedrock'`, ..."""
    try:
        return _FAKES[name](**kwargs)
    except KeyError:
        raise ValueError(f"Unknown fake vendor {name!r}; known: {', '.join(sorted(_FAKES))}") from None


# ============================================================================================ providers
# The provider a fake's `model()` builds (chat and embedding fakes alike): pointed at the fake, with
# the provider's own options taken out of the `model()` keyword arguments and the rest left for the
# model's constructor.


def azure_provider(url: str, api_version: str, kwargs: dict[str, Any]) -> AzureProvider:
    """Azure OpenAI at the fake (`api_version=`, `api_key=`, `http_client=` taken from `kwargs`)."""
    from ..providers.azure import AzureProvider

    return AzureProvider(
        azure_endpoint=url,
        api_version=kwargs.pop("api_version", api_version),
        api_key=kwargs.pop("api_key", FAKE_API_KEY),
        http_client=kwargs.pop("http_client", None),
    )


def google_gla_provider(base_url: str, kwargs: dict[str, Any]) -> GoogleGLAProvider:
    """The Gemini API at the fake (`api_key=`, `http_client=` taken from `kwargs`)."""
    from ..providers.google_gla import GoogleGLAProvider

    return GoogleGLAProvider(
        api_key=kwargs.pop("api_key", FAKE_API_KEY),
        base_url=base_url,
        http_client=kwargs.pop("http_client", None),
    )


def google_vertex_provider(base_url: str, kwargs: dict[str, Any]) -> GoogleVertexProvider:
    """Vertex AI at the fake with `FakeGoogleCredentials` unless `credentials=` is given (taken from
    `kwargs`, as `http_client=` is), so no token endpoint is called."""
    from ..providers.google_vertex import GoogleVertexProvider

    return GoogleVertexProvider(
        credentials=kwargs.pop("credentials", None) or FakeGoogleCredentials(),
        base_url=base_url,
        http_client=kwargs.pop("http_client", None),
    )


def bedrock_provider(url: str, kwargs: dict[str, Any]) -> BedrockProvider:
    """Bedrock at the fake with bearer-token auth (a Bedrock API key), so no AWS credentials or
    botocore are needed (`api_key=`, `region_name=`, `http_client=` taken from `kwargs`)."""
    from ..providers.bedrock import BedrockProvider

    return BedrockProvider(
        api_key=kwargs.pop("api_key", FAKE_API_KEY),
        region_name=kwargs.pop("region_name", "us-east-1"),
        base_url=url,
        http_client=kwargs.pop("http_client", None),
    )


# ============================================================================================ helpers


def _json_or_none(request: RecordedRequest) -> Any:
    try:
        return request.json()
    except ValueError:
        return None


def _json_object(request: RecordedRequest) -> dict[str, Any]:
    """The request body when it is a JSON object (what a vendor echoes settings from), else `{}`."""
    body = _json_or_none(request)
    return body if isinstance(body, dict) else {}


def _with_model(response: ModelResponse, model_name: str | None) -> ModelResponse:
    if not model_name:
        return response
    from dataclasses import replace

    return replace(response, model_name=model_name)


def retry_after_headers(seconds: float) -> dict[str, str]:
    """How a vendor asks a client to wait: `Retry-After` in whole seconds (all HTTP allows, rounded
    up so a client that reads only it never comes back early) and, for a wait that is not whole
    seconds, the exact milliseconds in `retry-after-ms` beside it (as OpenAI and Anthropic send)."""
    headers = {"retry-after": str(math.ceil(seconds))}
    if not float(seconds).is_integer():
        headers["retry-after-ms"] = str(round(seconds * 1000))
    return headers


def default_message(status: int) -> str:
    """The message of a scripted error that names none (the vendor's error body around it)."""
    return {400: "Invalid request", 401: "Invalid API key", 403: "Permission denied", 404: "Not found",
            429: "Rate limit exceeded", 500: "Internal server error", 503: "Service unavailable",
            529: "Overloaded"}.get(status, f"Error {status}")  # fmt: skip
