"""AWS Bedrock Runtime Converse and ConverseStream, as a sans-I/O codec.

`build_request` turns messages into the Converse JSON body, `parse_response` reads a Converse
answer, `BedrockStreamParser` reads ConverseStream's event-stream messages (decoded by
`wireai.wire.eventstream`), and `encode_response` / `encode_stream` are their inverses for fake
vendors. Field names are spelled as in the Bedrock Runtime API reference (2023-09-30). The model id is
not part of the body: it is a URI member, see `request_path`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .._params import ToolDefinition
from .._parts_manager import ModelResponsePartsManager
from ..exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError, snippet
from ..messages import (
    BinaryContent,
    DocumentUrl,
    FinishReason,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    ModelResponseStreamEvent,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
    VideoUrl,
)
from ..profiles import DEFAULT_PROMPTED_OUTPUT_TEMPLATE
from ..settings import ModelSettings
from ..usage import RequestUsage
from ..wire.eventstream import EventStreamDecoder, EventStreamMessage, encode_message
from ._base import (
    NO_EVENTS,
    StreamParser,
    latest_instructions,
    parse_stream_with,
    pieces,
    resolve_tool_choice,
    token_count,
)

__all__ = [
    "FINISH_REASONS",
    "STREAM_EXCEPTION_STATUS",
    "BedrockStreamParser",
    "RequestOptions",
    "build_request",
    "encode_response",
    "encode_stream",
    "encode_stream_messages",
    "parse_response",
    "parse_stream",
    "request_path",
]

PROVIDER_NAME = "bedrock"

FINISH_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_call",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
    "malformed_model_output": "error",
    "malformed_tool_use": "error",
}
# For the fakes: the stopReason a canonical finish reason is written back as.
_STOP_REASONS: dict[FinishReason, str] = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_call": "tool_use",
    "content_filter": "content_filtered",
    "error": "malformed_model_output",
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


def request_path(model_id: str, *, stream: bool) -> str:
    """`model/{modelId}/converse[-stream]`; the id is fully percent-encoded (`:` of versions, `/` of ARNs)."""
    return f"model/{quote(model_id, safe='')}/{'converse-stream' if stream else 'converse'}"


# ============================================================================================== request


@dataclass
class RequestOptions:
    """Per-model knobs a profile sets (not every model family behind Converse accepts every field)."""

    supports_tool_choice: bool = True
    prompted_output_template: str = DEFAULT_PROMPTED_OUTPUT_TEMPLATE


def build_request(
    messages: Sequence[ModelMessage],
    settings: ModelSettings | dict[str, Any],
    *,
    tools: Sequence[ToolDefinition] = (),
    allow_text_output: bool = True,
    output_mode: str = "text",
    output_schema: dict[str, Any] | None = None,
    output_name: str | None = None,
    output_description: str | None = None,
    options: RequestOptions | None = None,
) -> dict[str, Any]:
    """The Converse (or ConverseStream) request body. Pure: no I/O, no model id (it goes in the path)."""
    options = options or RequestOptions()
    s: dict[str, Any] = dict(settings)
    system, bedrock_messages = map_messages(messages)
    if output_mode == "prompted" and output_schema is not None:
        system.append({"text": options.prompted_output_template.format(schema=json.dumps(output_schema))})
    if s.get("bedrock_cache_instructions") and system:
        system.append({"cachePoint": {"type": "default"}})
    if s.get("bedrock_cache_messages") and bedrock_messages:
        last = bedrock_messages[-1]
        if last["role"] == "user":
            last["content"].append({"cachePoint": {"type": "default"}})
    body: dict[str, Any] = {"messages": bedrock_messages}
    if system:
        body["system"] = system

    inference: dict[str, Any] = {}
    for key, field_name in (("max_tokens", "maxTokens"), ("temperature", "temperature"), ("top_p", "topP")):
        if s.get(key) is not None:
            inference[field_name] = s[key]
    if s.get("stop_sequences"):
        inference["stopSequences"] = list(s["stop_sequences"])
    if inference:
        body["inferenceConfig"] = inference

    additional: dict[str, Any] = {}
    if s.get("top_k") is not None:
        additional["top_k"] = s["top_k"]
    additional.update(s.get("bedrock_additional_model_requests_fields") or {})

    if tools:
        tool_list: list[dict[str, Any]] = [{"toolSpec": _tool_spec(t)} for t in tools]
        if s.get("bedrock_cache_tool_definitions"):
            tool_list.append({"cachePoint": {"type": "default"}})
        tool_config: dict[str, Any] = {"tools": tool_list}
        if options.supports_tool_choice:
            # Claude refuses a forced tool while extended thinking is on; `auto` is the only choice then.
            thinking = additional.get("thinking")
            thinking_on = isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")
            wanted = resolve_tool_choice(s, allow_text_output, (t.name for t in tools))
            if wanted == "none":
                raise UserError(
                    "Bedrock Converse has no tool_choice 'none' (only auto, any and a named tool)"
                )
            if thinking_on:
                wanted = "auto"
            if wanted in ("auto", "required"):
                tool_config["toolChoice"] = {"auto": {}} if wanted == "auto" else {"any": {}}
            else:
                tool_config["toolChoice"] = {"tool": {"name": wanted}}
        body["toolConfig"] = tool_config
    elif history_tools := _tools_in_history(bedrock_messages):
        # Converse rejects toolUse/toolResult blocks in the history unless `toolConfig` is defined
        # (a ValidationException), e.g. a text-only run continuing a conversation that used tools.
        body["toolConfig"] = {"tools": history_tools}

    if output_mode == "native" and output_schema is not None:
        json_schema: dict[str, Any] = {"schema": json.dumps(output_schema, ensure_ascii=False)}
        if output_name:
            json_schema["name"] = output_name
        if output_description:
            json_schema["description"] = output_description
        body["outputConfig"] = {
            "textFormat": {"type": "json_schema", "structure": {"jsonSchema": json_schema}}
        }

    if additional:
        body["additionalModelRequestFields"] = additional
    for key, field_name in (
        ("bedrock_guardrail_config", "guardrailConfig"),
        ("bedrock_performance_configuration", "performanceConfig"),
        ("bedrock_request_metadata", "requestMetadata"),
        ("bedrock_additional_model_response_fields_paths", "additionalModelResponseFieldPaths"),
        ("bedrock_prompt_variables", "promptVariables"),
    ):
        if s.get(key):
            body[field_name] = s[key]
    if s.get("bedrock_service_tier"):
        body["serviceTier"] = {"type": s["bedrock_service_tier"]}
    return body


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
    system: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    instructions = latest_instructions(messages)
    documents = _DocumentNamer()

    def add(role: str, content: list[dict[str, Any]]) -> None:
        if not content:
            return
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(content)
        else:
            out.append({"role": role, "content": content})

    for message in messages:
        if isinstance(message, ModelRequest):
            user: list[dict[str, Any]] = []
            for part in message.parts:
                if isinstance(part, SystemPromptPart):
                    if part.content:
                        system.append({"text": part.content})
                elif isinstance(part, UserPromptPart):
                    user.extend(_user_content(part.content, documents))
                elif isinstance(part, ToolReturnPart):
                    user.append({"toolResult": _tool_result(part)})
                elif isinstance(part, RetryPromptPart):
                    if part.tool_name is None:
                        user.append({"text": part.model_response()})
                    else:
                        user.append(
                            {
                                "toolResult": {
                                    "toolUseId": part.tool_call_id,
                                    "content": [{"text": part.model_response()}],
                                    "status": "error",
                                }
                            }
                        )
            add("user", user)
        elif isinstance(message, ModelResponse):
            add("assistant", _assistant_content(message))
    if instructions:
        # The latest request's instructions, after any system prompt parts (as PydanticAI orders them).
        system.append({"text": instructions})
    return system, out


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
    content: list[dict[str, Any]] = []
    for part in response.parts:
        if isinstance(part, TextPart):
            if part.content:
                content.append({"text": part.content})
        elif isinstance(part, ToolCallPart):
            try:
                tool_input = part.args_as_dict()
            except ValueError:
                tool_input = {}  # the model's own malformed JSON; the retry prompt that follows explains it
            content.append(
                {"toolUse": {"toolUseId": part.tool_call_id, "name": part.tool_name, "input": tool_input}}
            )
        elif isinstance(part, ThinkingPart):
            block = _reasoning_block(part)
            if block is not None:
                content.append(block)
    return content


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


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def read_usage(usage: Any) -> RequestUsage:
    """Bedrock's `inputTokens` leaves out cache reads and writes; ours includes them."""
    u = _obj(usage)
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


def parse_response(body: Any, model_name: str) -> ModelResponse:
    """A Converse answer (`output.message.content`, `stopReason`, `usage`, `metrics`) as a `ModelResponse`."""
    if not isinstance(body, dict):
        raise UnexpectedModelBehavior(
            "Bedrock Converse answered with something other than a JSON object", snippet(body)
        )
    message = _obj(_obj(body.get("output")).get("message"))
    content = message.get("content")
    if not isinstance(content, list):
        raise UnexpectedModelBehavior(
            "Bedrock Converse answer has no output.message.content list", snippet(body)
        )
    parts: list[ModelResponsePart] = []
    for block in content:
        block = _obj(block)
        if isinstance(block.get("text"), str):
            parts.append(TextPart(block["text"]))
        elif "toolUse" in block:
            tool = _obj(block["toolUse"])
            name = tool.get("name")
            if not isinstance(name, str):
                raise UnexpectedModelBehavior("Bedrock toolUse block without a name", snippet(block))
            tool_input = tool.get("input")
            part = ToolCallPart(name, tool_input if isinstance(tool_input, (dict, str)) else {})
            if isinstance(tool.get("toolUseId"), str):
                part.tool_call_id = tool["toolUseId"]
            parts.append(part)
        elif "reasoningContent" in block:
            reasoning = _obj(block["reasoningContent"])
            text = _obj(reasoning.get("reasoningText"))
            if isinstance(reasoning.get("redactedContent"), str):
                parts.append(
                    ThinkingPart(
                        "",
                        provider_name=PROVIDER_NAME,
                        provider_details={"redactedContent": reasoning["redactedContent"]},
                    )
                )
            elif text:
                signature = text.get("signature")
                parts.append(
                    ThinkingPart(
                        str(text.get("text") or ""),
                        signature=signature if isinstance(signature, str) else None,
                        provider_name=PROVIDER_NAME,
                    )
                )
        # citationsContent, image output and other blocks carry nothing our parts can hold: skipped.
    stop_reason = body.get("stopReason")
    stop = stop_reason if isinstance(stop_reason, str) else None
    return ModelResponse(
        parts=parts,
        usage=read_usage(body.get("usage")),
        model_name=model_name,
        provider_name=PROVIDER_NAME,
        finish_reason=FINISH_REASONS.get(stop) if stop else None,
        provider_details=_details(stop, body),
    )


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


class BedrockStreamParser(StreamParser):
    """ConverseStream events, in order: messageStart, (contentBlockStart? contentBlockDelta* contentBlockStop)*,
    messageStop, metadata. `contentBlockIndex` is the vendor part id."""

    def __init__(self, parts: ModelResponsePartsManager | None = None, *, model_name: str):
        super().__init__(parts, model_name=model_name)
        self.stopped = False
        self._stop_reason: str | None = None
        self._metadata: dict[str, Any] = {}

    def feed(self, event: EventStreamMessage) -> Sequence[ModelResponseStreamEvent]:
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
            start = _obj(_obj(payload.get("start")).get("toolUse"))
            if start:
                name = start.get("name")
                tool_id = start.get("toolUseId")
                out = self.parts.handle_tool_call_delta(
                    _index(payload),
                    name if isinstance(name, str) else None,
                    None,
                    tool_id if isinstance(tool_id, str) else None,
                )
                return (out,) if out is not None else NO_EVENTS
        elif event_type == "messageStop":
            self.stopped = True
            stop = payload.get("stopReason")
            self._stop_reason = stop if isinstance(stop, str) else None
            self.finish_reason = FINISH_REASONS.get(stop) if isinstance(stop, str) else None
            if payload.get("additionalModelResponseFields") is not None:
                self._metadata["additionalModelResponseFields"] = payload["additionalModelResponseFields"]
            self.provider_details = _details(self._stop_reason, self._metadata)
        elif event_type == "metadata":
            self.usage = read_usage(payload.get("usage"))
            self._metadata.update({k: v for k, v in payload.items() if k in ("metrics", "trace")})
            self.provider_details = _details(self._stop_reason, self._metadata)
        # messageStart, contentBlockStop and unknown future events change nothing.
        return NO_EVENTS

    def _delta(self, payload: dict[str, Any]) -> Sequence[ModelResponseStreamEvent]:
        index = _index(payload)
        delta = _obj(payload.get("delta"))
        out: ModelResponseStreamEvent | None = None
        if isinstance(delta.get("text"), str):
            out = self.parts.handle_text_delta(index, delta["text"])
        elif "toolUse" in delta:
            fragment = _obj(delta["toolUse"]).get("input")
            if isinstance(fragment, str):
                out = self.parts.handle_tool_call_delta(index, None, fragment, None)
        elif "reasoningContent" in delta:
            reasoning = _obj(delta["reasoningContent"])
            text = reasoning.get("text")
            signature = reasoning.get("signature")
            redacted = reasoning.get("redactedContent")
            out = self.parts.handle_thinking_delta(
                index,
                text if isinstance(text, str) else None,
                signature=signature if isinstance(signature, str) else None,
                provider_name=PROVIDER_NAME,
                provider_details={"redactedContent": redacted} if isinstance(redacted, str) else None,
            )
        return (out,) if out is not None else NO_EVENTS

    def close(self) -> None:
        if not self.stopped:
            raise UnexpectedModelBehavior(
                "The Bedrock ConverseStream ended before its messageStop event (truncated)"
            )


def parse_stream(chunks: bytes | Iterable[bytes], *, model_name: str = "") -> ModelResponse:
    """A whole ConverseStream body (or its chunks) -> the `ModelResponse` a streamed request would give."""
    return parse_stream_with(
        BedrockStreamParser(model_name=model_name), EventStreamDecoder(), chunks, PROVIDER_NAME
    )


def _index(payload: dict[str, Any]) -> int:
    index = payload.get("contentBlockIndex")
    if not isinstance(index, int) or isinstance(index, bool):
        raise UnexpectedModelBehavior(
            "Bedrock content block event without a contentBlockIndex", snippet(payload)
        )
    return index


# ============================================================================================== fakes


def _content_blocks(response: ModelResponse) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for part in response.parts:
        if isinstance(part, ThinkingPart):
            redacted = (part.provider_details or {}).get("redactedContent")
            if isinstance(redacted, str):
                blocks.append({"reasoningContent": {"redactedContent": redacted}})
            else:
                text: dict[str, Any] = {"text": part.content}
                if part.signature:
                    text["signature"] = part.signature
                blocks.append({"reasoningContent": {"reasoningText": text}})
        elif isinstance(part, TextPart):
            blocks.append({"text": part.content})
        else:
            blocks.append(
                {
                    "toolUse": {
                        "toolUseId": part.tool_call_id,
                        "name": part.tool_name,
                        "input": part.args_as_dict(),
                    }
                }
            )
    return blocks


def _wire_usage(usage: RequestUsage) -> dict[str, int]:
    fresh = usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens
    out = {
        "inputTokens": fresh,
        "outputTokens": usage.output_tokens,
        "totalTokens": usage.input_tokens + usage.output_tokens,
    }
    if usage.cache_read_tokens:
        out["cacheReadInputTokens"] = usage.cache_read_tokens
    if usage.cache_write_tokens:
        out["cacheWriteInputTokens"] = usage.cache_write_tokens
    return out


def _stop_reason(response: ModelResponse) -> str:
    raw = (response.provider_details or {}).get("stopReason")
    if isinstance(raw, str):
        return raw
    if response.finish_reason is not None:
        return _STOP_REASONS[response.finish_reason]
    return "tool_use" if response.tool_calls else "end_turn"


def encode_response(response: ModelResponse, *, latency_ms: int = 100) -> dict[str, Any]:
    """The Converse JSON body Bedrock would send for `response`."""
    return {
        "output": {"message": {"role": "assistant", "content": _content_blocks(response)}},
        "stopReason": _stop_reason(response),
        "usage": _wire_usage(response.usage),
        "metrics": {"latencyMs": latency_ms},
    }


def _event(event_type: str, payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    headers = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    return headers, payload


def encode_stream_messages(
    response: ModelResponse, *, chunk_size: int = 16, latency_ms: int = 100
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The ConverseStream messages (headers, payload) for `response`; text and tool input split every `chunk_size` chars."""

    def split(text: str) -> list[str]:
        return pieces(text, chunk_size) or [""]  # one empty delta still opens an empty part

    out = [_event("messageStart", {"role": "assistant"})]
    for index, part in enumerate(response.parts):
        if isinstance(part, ToolCallPart):
            out.append(
                _event(
                    "contentBlockStart",
                    {
                        "contentBlockIndex": index,
                        "start": {"toolUse": {"toolUseId": part.tool_call_id, "name": part.tool_name}},
                    },
                )
            )
            for piece in split(part.args_as_json_str()):
                out.append(
                    _event(
                        "contentBlockDelta",
                        {"contentBlockIndex": index, "delta": {"toolUse": {"input": piece}}},
                    )
                )
        elif isinstance(part, ThinkingPart):
            redacted = (part.provider_details or {}).get("redactedContent")
            reasoning_deltas: list[dict[str, Any]] = []
            if isinstance(redacted, str):
                reasoning_deltas.append({"redactedContent": redacted})
            else:
                reasoning_deltas.extend({"text": piece} for piece in pieces(part.content, chunk_size))
                if part.signature:
                    reasoning_deltas.append({"signature": part.signature})
            for delta in reasoning_deltas:
                out.append(
                    _event(
                        "contentBlockDelta",
                        {"contentBlockIndex": index, "delta": {"reasoningContent": delta}},
                    )
                )
        else:
            for piece in split(part.content):
                out.append(
                    _event("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": piece}})
                )
        out.append(_event("contentBlockStop", {"contentBlockIndex": index}))
    out.append(_event("messageStop", {"stopReason": _stop_reason(response)}))
    out.append(
        _event("metadata", {"usage": _wire_usage(response.usage), "metrics": {"latencyMs": latency_ms}})
    )
    return out


def encode_stream(response: ModelResponse, *, chunk_size: int = 16, latency_ms: int = 100) -> bytes:
    """The ConverseStream body (event-stream frames) Bedrock would send for `response`."""
    return b"".join(
        encode_message(headers, payload)
        for headers, payload in encode_stream_messages(response, chunk_size=chunk_size, latency_ms=latency_ms)
    )
