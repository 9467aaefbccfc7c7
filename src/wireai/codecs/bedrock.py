"""AWS Bedrock Runtime Converse and ConverseStream, as a sans-I/O codec.

`build_request` turns messages into the Converse request (`model/{modelId}/converse[-stream]`: the
model id is a URI member, not part of the body), `parse_response` reads a Converse answer, and
`StreamParser` is fed ConverseStream's raw AWS event-stream bytes (`wireai.wire.eventstream` frames
them). Field names are spelled as in the Bedrock Runtime API reference (2023-09-30); the codec
contract is in docs/codecs.md, the wire details in `protocols/bedrock.md`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from .._params import ModelRequestParameters, ToolDefinition
from ..exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError, snippet
from ..messages import (
    BinaryContent,
    DocumentUrl,
    FinishReason,
    ImageUrl,
    ModelMessage,
    ModelResponse,
    ModelResponsePart,
    ModelResponseStreamEvent,
    RetryPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
    VideoUrl,
)
from ..profiles import DEFAULT_PROFILE, ModelProfile
from ..usage import RequestUsage
from ..wire.eventstream import EventStreamDecoder, EventStreamMessage
from ._base import (
    NO_EVENTS,
    BaseStreamParser,
    WireRequest,
    assistant_blocks,
    block_index,
    block_messages,
    check_native_tools,
    claude_thinking_on,
    finish_request,
    json_object,
    obj,
    parse_error,
    resolve_tool_choice,
    text,
    token_count,
    tool_input,
)

__all__ = [
    "FINISH_REASONS",
    "PROVIDER_NAME",
    "STREAM_EXCEPTION_STATUS",
    "StreamParser",
    "build_request",
    "map_messages",
    "parse_error",
    "parse_response",
    "read_usage",
    "request_path",
    "stream_error",
    "tool_use_block",
]

PROVIDER_NAME = "bedrock"

# `stopReason` -> our finish reason. The first entry for each of ours is what the fakes send back.
FINISH_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_call",
    "content_filtered": "content_filter",
    "guardrail_intervened": "content_filter",
    "malformed_model_output": "error",
    "malformed_tool_use": "error",
}

# HTTP status for each exception a ConverseStream can report mid-stream (the statuses the service
# model gives these exceptions when they are returned before the stream opens).
STREAM_EXCEPTION_STATUS: dict[str, int] = {
    "throttlingException": 429,
    "serviceUnavailableException": 503,
    "validationException": 400,
    "internalServerException": 500,
    "modelStreamErrorException": 424,
}

IMAGE_FORMATS = frozenset({"png", "jpeg", "gif", "webp"})
DOCUMENT_FORMATS = frozenset({"pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md"})
VIDEO_FORMATS = frozenset({"mkv", "mov", "mp4", "webm", "flv", "mpeg", "mpg", "wmv", "three_gp"})

_INFERENCE = (("max_tokens", "maxTokens"), ("temperature", "temperature"), ("top_p", "topP"))
_PASSED_THROUGH = (
    ("bedrock_guardrail_config", "guardrailConfig"),
    ("bedrock_performance_configuration", "performanceConfig"),
    ("bedrock_request_metadata", "requestMetadata"),
    ("bedrock_additional_model_response_fields_paths", "additionalModelResponseFieldPaths"),
    ("bedrock_prompt_variables", "promptVariables"),
)
_CACHE_POINT = {"cachePoint": {"type": "default"}}


def request_path(model_id: str, *, stream: bool) -> str:
    """`model/{modelId}/converse[-stream]`; the id is fully percent-encoded (`:` of versions, `/` of ARNs)."""
    return f"model/{quote(model_id, safe='')}/{'converse-stream' if stream else 'converse'}"


# ============================================================================================== request


def build_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    stream: bool = False,
    profile: ModelProfile | None = None,
) -> WireRequest:
    """`POST model/{model}/converse` (or `converse-stream`). `settings` may carry the `bedrock_*` keys
    of `BedrockModelSettings`; the profile says whether this model family takes `toolChoice`
    (`extra['bedrock_supports_tool_choice']`, default true).

    Prompted output needs nothing here: the agent puts the schema (in the output's own template) into
    the instructions, which go out as the last `system` block.
    """
    s: Mapping[str, Any] = settings or {}
    check_native_tools(params, (), "Bedrock")
    system, turns = map_messages(messages)
    if s.get("bedrock_cache_instructions") and system:
        system.append(dict(_CACHE_POINT))
    if s.get("bedrock_cache_messages") and turns and turns[-1]["role"] == "user":
        turns[-1]["content"].append(dict(_CACHE_POINT))
    body: dict[str, Any] = {"messages": turns}
    if system:
        body["system"] = system

    inference = {wire: s[key] for key, wire in _INFERENCE if s.get(key) is not None}
    if s.get("stop_sequences"):
        inference["stopSequences"] = list(s["stop_sequences"])
    if inference:
        body["inferenceConfig"] = inference

    additional: dict[str, Any] = {}
    if s.get("top_k") is not None:
        additional["top_k"] = s["top_k"]
    additional.update(s.get("bedrock_additional_model_requests_fields") or {})

    supports_tool_choice = (profile or DEFAULT_PROFILE).extra.get("bedrock_supports_tool_choice", True)
    if params.tool_defs:
        body["toolConfig"] = _tool_config(params, s, bool(supports_tool_choice), additional.get("thinking"))
    elif history_tools := _tools_in_history(turns):
        # Converse rejects toolUse/toolResult blocks in the history unless `toolConfig` is defined
        # (a ValidationException), e.g. a text-only run continuing a conversation that used tools.
        body["toolConfig"] = {"tools": history_tools}

    output = params.output_object
    if params.output_mode == "native" and output is not None:
        json_schema: dict[str, Any] = {"schema": json.dumps(output.json_schema, ensure_ascii=False)}
        if output.name:
            json_schema["name"] = output.name
        if output.description:
            json_schema["description"] = output.description
        body["outputConfig"] = {
            "textFormat": {"type": "json_schema", "structure": {"jsonSchema": json_schema}}
        }

    if additional:
        body["additionalModelRequestFields"] = additional
    for key, wire in _PASSED_THROUGH:
        if s.get(key):
            body[wire] = s[key]
    if s.get("bedrock_service_tier"):
        body["serviceTier"] = {"type": s["bedrock_service_tier"]}
    accept = "application/vnd.amazon.eventstream" if stream else "application/json"
    headers = {"content-type": "application/json", "accept": accept}
    return finish_request(WireRequest("POST", request_path(model, stream=stream), body, headers), s)


def _tool_config(
    params: ModelRequestParameters, settings: Mapping[str, Any], supports_tool_choice: bool, thinking: Any
) -> dict[str, Any]:
    tools: list[dict[str, Any]] = [{"toolSpec": _tool_spec(t)} for t in params.tool_defs]
    if settings.get("bedrock_cache_tool_definitions"):
        tools.append(dict(_CACHE_POINT))
    config: dict[str, Any] = {"tools": tools}
    if supports_tool_choice:
        # Claude refuses a forced tool while extended thinking is on; `auto` is the only choice then.
        names = [t.name for t in params.tool_defs]
        wanted = resolve_tool_choice(
            settings, params.allow_text_output, names, can_force=not claude_thinking_on(thinking)
        )
        if wanted == "none":
            raise UserError("Bedrock Converse has no tool_choice 'none' (only auto, any and a named tool)")
        if wanted in ("auto", "required"):
            config["toolChoice"] = {"auto": {}} if wanted == "auto" else {"any": {}}
        else:
            config["toolChoice"] = {"tool": {"name": wanted}}
    return config


def _tools_in_history(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A declaration for each tool the history called, taking any object: enough for Converse to accept it."""
    names = dict.fromkeys(
        block["toolUse"]["name"] for message in messages for block in message["content"] if "toolUse" in block
    )
    return [
        {"toolSpec": {"name": name, "inputSchema": {"json": {"type": "object", "properties": {}}}}}
        for name in names
    ]


def _tool_spec(tool: ToolDefinition) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": tool.name}
    if tool.description:
        spec["description"] = tool.description
    spec["inputSchema"] = {"json": tool.parameters_json_schema}
    if tool.strict:
        spec["strict"] = True
    return spec


def map_messages(messages: Sequence[ModelMessage]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Our history as Bedrock `system` blocks and alternating `user`/`assistant` messages.

    Converse rejects two messages of the same role in a row, so consecutive turns of one role (tool
    results followed by a retry, say) are merged into one message.
    """
    documents = _DocumentNamer()

    def request_blocks(part: Any) -> list[dict[str, Any]]:
        if isinstance(part, UserPromptPart):
            return _user_content(part.content, documents)
        if isinstance(part, ToolReturnPart):
            return [{"toolResult": _tool_result(part)}]
        if isinstance(part, RetryPromptPart):
            if part.tool_name is None:
                return [_text_block(part.model_response())]
            result = {
                "toolUseId": part.tool_call_id,
                "content": [{"text": part.model_response()}],
                "status": "error",
            }
            return [{"toolResult": result}]
        return []

    return block_messages(messages, _text_block, request_blocks, _assistant_content)


def _tool_result(part: ToolReturnPart) -> dict[str, Any]:
    content = part.content
    block: dict[str, Any]
    if isinstance(content, str):
        block = {"text": content}
    elif isinstance(content, dict):
        block = {"json": part.model_response_object()}
    else:
        block = {"text": part.model_response_str()}
    return {"toolUseId": part.tool_call_id, "content": [block], "status": "success"}


def _assistant_content(response: ModelResponse) -> list[dict[str, Any]]:
    return assistant_blocks(response, _text_block, tool_use_block, _reasoning_block)


def _text_block(text: str) -> dict[str, Any]:
    return {"text": text}


def tool_use_block(part: ToolCallPart) -> dict[str, Any]:
    """A call as a `toolUse` content block (arguments the model malformed go back as `{}`)."""
    return {"toolUse": {"toolUseId": part.tool_call_id, "name": part.tool_name, "input": tool_input(part)}}


def _reasoning_block(part: ThinkingPart) -> dict[str, Any] | None:
    """Bedrock reasoning goes back verbatim (signature included); another vendor's cannot be verified, so is dropped."""
    if part.provider_name not in (None, PROVIDER_NAME):
        return None
    redacted = (part.provider_details or {}).get("redactedContent")
    if isinstance(redacted, str):
        return {"reasoningContent": {"redactedContent": redacted}}
    if not part.content:
        return None
    text: dict[str, Any] = {"text": part.content}
    if part.signature:
        text["signature"] = part.signature
    return {"reasoningContent": {"reasoningText": text}}


class _DocumentNamer:
    """Bedrock requires a unique `name` per document, made only of letters, digits, spaces, `-()[]`."""

    def __init__(self) -> None:
        self.count = 0

    def name(self, identifier: str | None) -> str:
        self.count += 1
        if identifier:
            identifier = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", identifier)  # `report.pdf` -> `report`
            cleaned = re.sub(r"\s+", " ", re.sub(r"[^A-Za-z0-9\s\-()\[\]]", "-", identifier)).strip()[:200]
            if cleaned:
                return cleaned
        return f"Document {self.count}"


def _user_content(content: str | Sequence[UserContent], documents: _DocumentNamer) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"text": content}] if content else []
    blocks: list[dict[str, Any]] = []
    for item in content:
        if isinstance(item, str):
            if item:
                blocks.append({"text": item})
        elif isinstance(item, BinaryContent):
            blocks.append(
                _binary_block(item, {"bytes": item.base64}, item.format, documents, item.identifier)
            )
        elif isinstance(item, (ImageUrl, DocumentUrl, VideoUrl)) and item.url.startswith("s3://"):
            source: dict[str, Any] = {"s3Location": {"uri": item.url}}
            kind = {ImageUrl: "image/", DocumentUrl: "application/", VideoUrl: "video/"}[type(item)]
            fake = BinaryContent(
                b"", item.media_type if item.media_type.startswith(kind) else kind + item.format
            )
            blocks.append(_binary_block(fake, source, item.format, documents, item.url.rsplit("/", 1)[-1]))
        else:
            raise UserError(
                f"Bedrock Converse takes files inline or from S3 only; {type(item).__name__}({getattr(item, 'url', '')!r}) "
                "is neither: download it and pass `BinaryContent(data, media_type)`, or use an `s3://` URL"
            )
    return blocks


def _binary_block(
    item: BinaryContent, source: dict[str, Any], fmt: str, documents: _DocumentNamer, identifier: str | None
) -> dict[str, Any]:
    if item.is_image:
        if fmt not in IMAGE_FORMATS:
            raise UserError(f"Bedrock takes images as {sorted(IMAGE_FORMATS)}, not {item.media_type!r}")
        return {"image": {"format": fmt, "source": source}}
    if item.is_video:
        fmt = "three_gp" if fmt == "3gpp" else fmt
        if fmt not in VIDEO_FORMATS:
            raise UserError(f"Bedrock takes videos as {sorted(VIDEO_FORMATS)}, not {item.media_type!r}")
        return {"video": {"format": fmt, "source": source}}
    if item.is_audio:
        raise UserError("Bedrock Converse does not take audio input here; transcribe it first")
    fmt = {"plain": "txt", "markdown": "md", "x-markdown": "md", "vnd.ms-excel": "xls"}.get(fmt, fmt)
    if fmt not in DOCUMENT_FORMATS:
        raise UserError(f"Bedrock takes documents as {sorted(DOCUMENT_FORMATS)}, not {item.media_type!r}")
    return {"document": {"format": fmt, "name": documents.name(identifier), "source": source}}


# ============================================================================================== response


def read_usage(usage: Any) -> RequestUsage:
    """Bedrock's `inputTokens` leaves out cache reads and writes; ours includes them."""
    u = obj(usage)
    cache_read = token_count(u.get("cacheReadInputTokens"))
    cache_write = token_count(u.get("cacheWriteInputTokens"))
    return RequestUsage(
        input_tokens=token_count(u.get("inputTokens")) + cache_read + cache_write,
        output_tokens=token_count(u.get("outputTokens")),
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
    )


def _details(stop_reason: str | None, body: dict[str, Any]) -> dict[str, Any] | None:
    details: dict[str, Any] = {}
    if stop_reason is not None:
        details["stopReason"] = stop_reason
    metrics = body.get("metrics")
    if isinstance(metrics, dict) and "latencyMs" in metrics:
        details["latencyMs"] = metrics["latencyMs"]
    for key in ("additionalModelResponseFields", "trace"):
        if body.get(key) is not None:
            details[key] = body[key]
    return details or None


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    profile: ModelProfile | None = None,
) -> ModelResponse:
    """A Converse answer (`output.message.content`, `stopReason`, `usage`, `metrics`) as a `ModelResponse`.

    Converse does not name the model in its answer: the response carries `model_name` as given.
    """
    answer = json_object(body, "Bedrock Converse")
    content = obj(obj(answer.get("output")).get("message")).get("content")
    if not isinstance(content, list):
        raise UnexpectedModelBehavior(
            "Bedrock Converse answer has no output.message.content list", snippet(answer)
        )
    parts: list[ModelResponsePart] = []
    for block in content:
        part = _part(obj(block))
        if part is not None:
            parts.append(part)
    stop = text(answer.get("stopReason"))
    return ModelResponse(
        parts=parts,
        usage=read_usage(answer.get("usage")),
        model_name=model_name,
        provider_name=PROVIDER_NAME,
        finish_reason=FINISH_REASONS.get(stop) if stop else None,
        provider_details=_details(stop, answer),
    )


def _part(block: dict[str, Any]) -> ModelResponsePart | None:
    """One content block; citationsContent, image output and other blocks carry nothing our parts can hold."""
    if isinstance(block.get("text"), str):
        return TextPart(block["text"])
    if "toolUse" in block:
        tool = obj(block["toolUse"])
        name = tool.get("name")
        if not isinstance(name, str):
            raise UnexpectedModelBehavior("Bedrock toolUse block without a name", snippet(block))
        tool_args = tool.get("input")
        part = ToolCallPart(name, tool_args if isinstance(tool_args, (dict, str)) else {})
        if isinstance(tool.get("toolUseId"), str):
            part.tool_call_id = tool["toolUseId"]
        return part
    if "reasoningContent" in block:
        reasoning = obj(block["reasoningContent"])
        if isinstance(reasoning.get("redactedContent"), str):
            return ThinkingPart(
                "",
                provider_name=PROVIDER_NAME,
                provider_details={"redactedContent": reasoning["redactedContent"]},
            )
        reasoning_text = obj(reasoning.get("reasoningText"))
        if reasoning_text:
            return ThinkingPart(
                str(reasoning_text.get("text") or ""),
                signature=text(reasoning_text.get("signature")),
                provider_name=PROVIDER_NAME,
            )
    return None


# ============================================================================================== stream


def stream_error(message: EventStreamMessage, model_name: str) -> ModelHTTPError:
    """An `exception` (or unmodelled `error`) message as the `ModelHTTPError` its HTTP twin would be."""
    if message.message_type == "error":
        code = message.headers.get(":error-code")
        body: Any = {"code": code, "message": message.headers.get(":error-message")}
        return ModelHTTPError(500, model_name, body, {"x-amzn-ErrorType": str(code)})
    exception_type = message.exception_type or "unknownException"
    try:
        body = json.loads(message.payload) if message.payload else {}
    except ValueError:
        body = message.payload.decode("utf-8", errors="replace")
    status = STREAM_EXCEPTION_STATUS.get(exception_type, 500)
    if exception_type == "modelStreamErrorException" and isinstance(body, dict):
        original = body.get("originalStatusCode")
        if isinstance(original, int) and 400 <= original < 600:
            status = original  # e.g. the model's own 429/529, which the agent may then fall back on
    return ModelHTTPError(status, model_name, body, {"x-amzn-ErrorType": exception_type})


class StreamParser(BaseStreamParser):
    """ConverseStream's event-stream messages, in order: messageStart, (contentBlockStart?
    contentBlockDelta* contentBlockStop)*, messageStop, metadata. `contentBlockIndex` is the part key.

    `metadata` carries the usage, after `messageStop`: a stream that ends before either was cut off,
    and says so rather than report zero tokens (which token `UsageLimits` would never trip on).
    """

    framing = EventStreamDecoder
    default_provider_name = PROVIDER_NAME

    def __init__(
        self,
        params: ModelRequestParameters | None = None,
        *,
        model_name: str | None = None,
        profile: ModelProfile | None = None,
    ):
        super().__init__(params, model_name=model_name, profile=profile)
        self.stopped = False
        self.has_metadata = False
        self._stop_reason: str | None = None
        self._metadata: dict[str, Any] = {}

    def _frame(self, event: EventStreamMessage) -> Sequence[ModelResponseStreamEvent]:
        if event.message_type != "event":
            raise stream_error(event, self.model_name)
        event_type = event.event_type
        payload = event.json()
        if not isinstance(payload, dict):
            raise UnexpectedModelBehavior(
                f"Bedrock {event_type} event payload is not an object", snippet(payload)
            )
        if event_type == "contentBlockDelta":
            return self._delta(payload)
        if event_type == "contentBlockStart":
            start = obj(obj(payload.get("start")).get("toolUse"))
            if start:
                out = self.parts.handle_tool_call_delta(
                    block_index(payload, "contentBlockIndex", "Bedrock"),
                    text(start.get("name")),
                    None,
                    text(start.get("toolUseId")),
                )
                return (out,) if out is not None else NO_EVENTS
        elif event_type == "messageStop":
            self.stopped = True
            self._stop_reason = text(payload.get("stopReason"))
            self.finish_reason = FINISH_REASONS.get(self._stop_reason) if self._stop_reason else None
            if payload.get("additionalModelResponseFields") is not None:
                self._metadata["additionalModelResponseFields"] = payload["additionalModelResponseFields"]
            self.provider_details = _details(self._stop_reason, self._metadata)
        elif event_type == "metadata":
            self.has_metadata = True
            self.usage = read_usage(payload.get("usage"))
            self._metadata.update({k: v for k, v in payload.items() if k in ("metrics", "trace")})
            self.provider_details = _details(self._stop_reason, self._metadata)
        # messageStart, contentBlockStop and unknown future events change nothing.
        return NO_EVENTS

    def _delta(self, payload: dict[str, Any]) -> Sequence[ModelResponseStreamEvent]:
        index = block_index(payload, "contentBlockIndex", "Bedrock")
        delta = obj(payload.get("delta"))
        out: ModelResponseStreamEvent | None = None
        if isinstance(delta.get("text"), str):
            out = self.parts.handle_text_delta(index, delta["text"])
        elif "toolUse" in delta:
            fragment = obj(delta["toolUse"]).get("input")
            if isinstance(fragment, str):
                out = self.parts.handle_tool_call_delta(index, None, fragment, None)
        elif "reasoningContent" in delta:
            reasoning = obj(delta["reasoningContent"])
            redacted = text(reasoning.get("redactedContent"))
            out = self.parts.handle_thinking_delta(
                index,
                text(reasoning.get("text")),
                signature=text(reasoning.get("signature")),
                provider_name=PROVIDER_NAME,
                provider_details={"redactedContent": redacted} if redacted is not None else None,
            )
        return (out,) if out is not None else NO_EVENTS

    def _check_complete(self) -> None:
        if not self.stopped:
            raise UnexpectedModelBehavior(
                "The Bedrock ConverseStream ended before its messageStop event (truncated)"
            )
        if not self.has_metadata:
            raise UnexpectedModelBehavior(
                "The Bedrock ConverseStream ended before its metadata event (truncated): the usage never arrived"
            )
