"""Mistral chat completions (`POST /v1/chat/completions`), sans-I/O.

The shape is OpenAI's chat completions, but Mistral differs in ways that break a copied OpenAI
body, so each difference is spelled out here rather than hidden behind a shared codec:

- tool call ids must be exactly 9 characters of `[a-zA-Z0-9]`: ids minted by other vendors (or by
  wireai) are mapped to such an id with a stable hash, so a call and its result still pair up;
- `tool_choice` is `"any"` (not `"required"`) when the model must call a tool;
- tool result messages carry the tool's `name` beside `tool_call_id`;
- the seed is `random_seed`; `safe_prompt` and `prompt_mode` are Mistral-only switches;
- message `content` may be a string or a list of chunks (`text`, `image_url`, `document_url`,
  `input_audio`, and `thinking` chunks from magistral models), in requests, responses and stream
  deltas alike;
- streams need no `stream_options`: usage arrives in the last chunk.
See `protocols/mistral.md` for the whole wire contract.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
import time
from collections.abc import Sequence
from typing import Any

from .._params import ToolDefinition
from ..exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError
from ..messages import (
    AudioUrl,
    BinaryContent,
    DocumentUrl,
    FinishReason,
    ImageUrl,
    ModelMessage,
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
from ..settings import ModelSettings
from ..usage import RequestUsage
from ..wire.sse import encode_sse
from ._base import (
    NO_EVENTS,
    StreamParser,
    chat_messages,
    loads,
    pieces,
    resolve_tool_choice,
    token_count,
)

__all__ = [
    "FINISH_REASONS",
    "PROVIDER_NAME",
    "MistralStreamParser",
    "build_request",
    "encode_response",
    "encode_stream",
    "mistral_tool_call_id",
    "parse_response",
]

PROVIDER_NAME = "mistral"

FINISH_REASONS: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "model_length": "length",
    "error": "error",
    "tool_calls": "tool_call",
}
"""`choices[].finish_reason` -> wireai's finish reason."""

_WIRE_FINISH: dict[str, str] = {
    "stop": "stop",
    "length": "length",
    "tool_call": "tool_calls",
    "error": "error",
}

_ID_CHARS = string.ascii_letters + string.digits
_ID_RE = re.compile(r"[a-zA-Z0-9]{9}")


def mistral_tool_call_id(tool_call_id: str) -> str:
    """The id as Mistral accepts it: kept when it is 9 alphanumerics, else a stable 9-char digest.

    Stable, so the assistant's `tool_calls[].id` and the later tool message's `tool_call_id` map to
    the same value without any state kept between requests.
    """
    if _ID_RE.fullmatch(tool_call_id):
        return tool_call_id
    digest = hashlib.sha256(tool_call_id.encode("utf-8")).digest()
    return "".join(_ID_CHARS[b % len(_ID_CHARS)] for b in digest[:9])


# ============================================================================================ request


_MISTRAL_CHOICE = {"auto": "auto", "required": "any", "none": "none"}


def build_request(
    messages: Sequence[ModelMessage],
    settings: ModelSettings,
    params: Any,
    *,
    model: str,
    stream: bool = False,
) -> dict[str, Any]:
    """The JSON body of one chat completion request.

    `params` is a `ModelRequestParameters`; `settings` may carry `mistral_*` keys
    (`mistral_safe_prompt`, `mistral_prompt_mode`, `mistral_reasoning_effort`).
    """
    s: dict[str, Any] = dict(settings)
    body: dict[str, Any] = {"model": model, "messages": map_messages(messages), "stream": stream}

    tool_defs: list[ToolDefinition] = params.tool_defs
    if tool_defs:
        body["tools"] = [map_tool(t) for t in tool_defs]
        # Mistral's name for "must call some tool" is `any`.
        choice = resolve_tool_choice(s, params.allow_text_output, (t.name for t in tool_defs))
        body["tool_choice"] = _MISTRAL_CHOICE.get(choice) or {
            "type": "function",
            "function": {"name": choice},
        }
        if "parallel_tool_calls" in s:
            body["parallel_tool_calls"] = s["parallel_tool_calls"]

    output_object = params.output_object
    if params.output_mode == "native" and output_object is not None:
        json_schema: dict[str, Any] = {
            "name": output_object.name or "result",
            "schema": output_object.json_schema,
        }
        if output_object.description:
            json_schema["description"] = output_object.description
        if output_object.strict is not None:
            json_schema["strict"] = output_object.strict
        body["response_format"] = {"type": "json_schema", "json_schema": json_schema}
    elif params.output_mode == "prompted":
        body["response_format"] = {"type": "json_object"}

    for ours, theirs in (
        ("max_tokens", "max_tokens"),
        ("temperature", "temperature"),
        ("top_p", "top_p"),
        ("seed", "random_seed"),
        ("presence_penalty", "presence_penalty"),
        ("frequency_penalty", "frequency_penalty"),
        ("stop_sequences", "stop"),
        ("mistral_safe_prompt", "safe_prompt"),
        ("mistral_prompt_mode", "prompt_mode"),
        ("mistral_reasoning_effort", "reasoning_effort"),
    ):
        if s.get(ours) is not None:
            body[theirs] = s[ours]
    return body


def map_tool(tool: ToolDefinition) -> dict[str, Any]:
    function: dict[str, Any] = {"name": tool.name, "parameters": tool.parameters_json_schema}
    if tool.description:
        function["description"] = tool.description
    if tool.strict is not None:
        function["strict"] = tool.strict
    return {"type": "function", "function": function}


def map_messages(messages: Sequence[ModelMessage]) -> list[dict[str, Any]]:
    """Our history as Mistral `messages`; the latest request's `instructions` lead as a system message."""
    return chat_messages(messages, _map_request_part, _map_response)


def _map_request_part(part: Any) -> dict[str, Any]:
    if isinstance(part, SystemPromptPart):
        return {"role": "system", "content": part.content}
    if isinstance(part, UserPromptPart):
        if isinstance(part.content, str):
            return {"role": "user", "content": part.content}
        return {"role": "user", "content": [_map_user_content(c) for c in part.content]}
    if isinstance(part, ToolReturnPart):
        return {
            "role": "tool",
            "tool_call_id": mistral_tool_call_id(part.tool_call_id),
            "name": part.tool_name,
            "content": part.model_response_str(),
        }
    if isinstance(part, RetryPromptPart):
        if part.tool_name is None:
            return {"role": "user", "content": part.model_response()}
        return {
            "role": "tool",
            "tool_call_id": mistral_tool_call_id(part.tool_call_id),
            "name": part.tool_name,
            "content": part.model_response(),
        }
    raise UserError(f"Mistral cannot send a {type(part).__name__} in a request")


def _map_user_content(item: UserContent) -> dict[str, Any]:
    if isinstance(item, str):
        return {"type": "text", "text": item}
    if isinstance(item, ImageUrl):
        return {"type": "image_url", "image_url": {"url": item.url}}
    if isinstance(item, DocumentUrl):
        return {"type": "document_url", "document_url": item.url}
    if isinstance(item, BinaryContent):
        if item.is_image:
            return {"type": "image_url", "image_url": {"url": item.data_uri}}
        if item.is_audio:
            return {"type": "input_audio", "input_audio": item.base64}
        if item.media_type == "application/pdf":
            return {"type": "document_url", "document_url": item.data_uri}
        if item.media_type.startswith("text/"):
            return {"type": "text", "text": item.data.decode("utf-8", errors="replace")}
        raise UserError(f"Mistral chat does not accept {item.media_type} content")
    if isinstance(item, (AudioUrl, VideoUrl)):
        raise UserError(
            f"Mistral chat does not accept {type(item).__name__} input; pass the bytes as BinaryContent"
        )
    raise UserError(f"Mistral cannot send user content of type {type(item).__name__}")


def _map_response(message: ModelResponse) -> dict[str, Any] | None:
    chunks: list[dict[str, Any]] = []
    tool_calls: list[dict[str, Any]] = []
    has_thinking = False
    for part in message.parts:
        if isinstance(part, TextPart):
            if part.content:
                chunks.append({"type": "text", "text": part.content})
        elif isinstance(part, ThinkingPart):
            # Only Mistral's own reasoning goes back as a thinking chunk; another vendor's is dropped.
            if part.content and part.provider_name in (None, PROVIDER_NAME):
                think: dict[str, Any] = {
                    "type": "thinking",
                    "thinking": [{"type": "text", "text": part.content}],
                }
                if part.signature:
                    think["signature"] = part.signature
                chunks.append(think)
                has_thinking = True
        elif isinstance(part, ToolCallPart):
            tool_calls.append(
                {
                    "id": mistral_tool_call_id(part.tool_call_id),
                    "type": "function",
                    "function": {"name": part.tool_name, "arguments": part.args_as_json_str()},
                }
            )
    if not chunks and not tool_calls:
        return None
    out: dict[str, Any] = {"role": "assistant"}
    if has_thinking:
        out["content"] = chunks
    elif chunks:
        out["content"] = "".join(c["text"] for c in chunks)
    if tool_calls:
        out["tool_calls"] = tool_calls
    return out


# ============================================================================================ response


def parse_response(body: Any, *, model_name: str) -> ModelResponse:
    """A non-streamed chat completion body as a `ModelResponse`."""
    if not isinstance(body, dict):
        raise UnexpectedModelBehavior("Mistral: expected a chat completion object", body)
    _raise_if_error(body, model_name)
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise UnexpectedModelBehavior("Mistral: the response has no choices", body)
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, dict):
        raise UnexpectedModelBehavior("Mistral: choices[0].message is missing", body)

    parts: list[ModelResponsePart] = []
    _content_parts(message.get("content"), parts, body)
    tool_calls = message.get("tool_calls") or []
    if not isinstance(tool_calls, list):
        raise UnexpectedModelBehavior("Mistral: message.tool_calls is not a list", body)
    for call in tool_calls:
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise UnexpectedModelBehavior("Mistral: a tool call has no function name", body)
        arguments = function.get("arguments")
        part = ToolCallPart(function["name"], arguments if isinstance(arguments, (str, dict)) else None)
        if isinstance(call.get("id"), str) and call["id"]:
            part.tool_call_id = call["id"]
        parts.append(part)

    raw_finish = choice.get("finish_reason")
    return ModelResponse(
        parts=parts,
        usage=parse_usage(body.get("usage")),
        model_name=body["model"] if isinstance(body.get("model"), str) else model_name,
        provider_name=PROVIDER_NAME,
        provider_response_id=body["id"] if isinstance(body.get("id"), str) else None,
        finish_reason=FINISH_REASONS.get(raw_finish) if isinstance(raw_finish, str) else None,
        provider_details={"finish_reason": raw_finish} if raw_finish else None,
    )


def _content_parts(content: Any, parts: list[ModelResponsePart], body: Any) -> None:
    if content is None or content == "":
        return
    if isinstance(content, str):
        parts.append(TextPart(content))
        return
    if not isinstance(content, list):
        raise UnexpectedModelBehavior(
            "Mistral: message.content is neither a string nor a list of chunks", body
        )
    for chunk in content:
        if not isinstance(chunk, dict):
            raise UnexpectedModelBehavior("Mistral: a content chunk is not an object", body)
        kind = chunk.get("type")
        if kind == "text" and isinstance(chunk.get("text"), str):
            if parts and isinstance(parts[-1], TextPart):
                parts[-1].content += chunk["text"]
            elif chunk["text"]:
                parts.append(TextPart(chunk["text"]))
        elif kind == "thinking":
            signature = chunk.get("signature") if isinstance(chunk.get("signature"), str) else None
            parts.append(
                ThinkingPart(_thinking_text(chunk), signature=signature, provider_name=PROVIDER_NAME)
            )
        # reference / image chunks in an answer carry nothing wireai represents


def _thinking_text(chunk: dict[str, Any]) -> str:
    thinking = chunk.get("thinking")
    if isinstance(thinking, str):
        return thinking
    if not isinstance(thinking, list):
        return ""
    return "".join(t["text"] for t in thinking if isinstance(t, dict) and isinstance(t.get("text"), str))


def parse_usage(usage: Any) -> RequestUsage:
    """`usage` -> RequestUsage; `prompt_tokens` already includes cached tokens."""
    if not isinstance(usage, dict):
        return RequestUsage()

    cached = 0
    details = usage.get("prompt_tokens_details")
    if isinstance(details, dict):
        cached = token_count(details.get("cached_tokens"))
    cached = cached or token_count(usage.get("num_cached_tokens"))
    return RequestUsage(
        input_tokens=token_count(usage.get("prompt_tokens")),
        output_tokens=token_count(usage.get("completion_tokens")),
        cache_read_tokens=cached,
    )


def _raise_if_error(body: dict[str, Any], model_name: str) -> None:
    """Mistral reports failures as `{"object": "error", "message", "type", "code"}` (also mid-stream)."""
    if body.get("object") == "error" or ("error" in body and "choices" not in body):
        code = body.get("code")
        if isinstance(body.get("error"), dict):
            code = body["error"].get("code", code)
        status = (
            int(code)
            if isinstance(code, (int, str)) and str(code).isdigit() and 400 <= int(code) < 600
            else 0
        )
        if not status:
            kind = str(body.get("type", ""))
            status = 429 if "rate" in kind else 500
        raise ModelHTTPError(status, model_name, body)


# ============================================================================================ stream


class MistralStreamParser(StreamParser):
    """`data: {chat.completion.chunk}` events, ended by `data: [DONE]`.

    Text deltas may be a string or a list of chunks (magistral sends `thinking` chunks first);
    tool calls are keyed by `index`, and Mistral may send several whole calls in one delta, all
    with `index: 0` — the parts manager starts a new call whenever the id changes.
    """

    def __init__(self, parts: Any = None, *, model_name: str):
        super().__init__(parts, model_name=model_name)
        self._done = False
        self._call_ids: dict[int, str | None] = {}

    def feed(self, event: Any) -> Sequence[ModelResponseStreamEvent]:
        data = event.data
        if data == "[DONE]":
            self._done = True
            return NO_EVENTS
        if not data.strip():
            return NO_EVENTS
        try:
            chunk = loads(data)
        except ValueError:
            raise UnexpectedModelBehavior("Mistral: a stream event is not JSON", data) from None
        if not isinstance(chunk, dict):
            raise UnexpectedModelBehavior("Mistral: a stream event is not a JSON object", data)
        _raise_if_error(chunk, self.model_name)
        if isinstance(chunk.get("id"), str):
            self.provider_response_id = chunk["id"]
        if isinstance(chunk.get("model"), str):
            self.model_name = chunk["model"]
        if isinstance(chunk.get("usage"), dict):
            self.usage = parse_usage(chunk["usage"])
        choices = chunk.get("choices")
        if not isinstance(choices, list) or not choices:
            return NO_EVENTS
        choice = choices[0]
        if not isinstance(choice, dict):
            raise UnexpectedModelBehavior("Mistral: a stream choice is not an object", data)
        out: list[ModelResponseStreamEvent] = []
        delta = choice.get("delta")
        if isinstance(delta, dict):
            self._content(delta.get("content"), out, data)
            self._tool_calls(delta.get("tool_calls"), out, data)
        raw_finish = choice.get("finish_reason")
        if isinstance(raw_finish, str):
            self.finish_reason = FINISH_REASONS.get(raw_finish)
            self.provider_details = {"finish_reason": raw_finish}
        return out

    def _content(self, content: Any, out: list[ModelResponseStreamEvent], data: str) -> None:
        if content is None or content == "":
            return
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        if not isinstance(content, list):
            raise UnexpectedModelBehavior("Mistral: delta.content is neither a string nor a list", data)
        for chunk in content:
            if not isinstance(chunk, dict):
                raise UnexpectedModelBehavior("Mistral: a delta content chunk is not an object", data)
            kind = chunk.get("type")
            event: ModelResponseStreamEvent | None = None
            if kind == "text" and isinstance(chunk.get("text"), str):
                event = self.parts.handle_text_delta("text", chunk["text"])
            elif kind == "thinking":
                signature = chunk.get("signature") if isinstance(chunk.get("signature"), str) else None
                event = self.parts.handle_thinking_delta(
                    "thinking", _thinking_text(chunk), signature=signature, provider_name=PROVIDER_NAME
                )
            if event is not None:
                out.append(event)

    def _tool_calls(self, tool_calls: Any, out: list[ModelResponseStreamEvent], data: str) -> None:
        if tool_calls is None:
            return
        if not isinstance(tool_calls, list):
            raise UnexpectedModelBehavior("Mistral: delta.tool_calls is not a list", data)
        for call in tool_calls:
            if not isinstance(call, dict):
                raise UnexpectedModelBehavior("Mistral: a tool call delta is not an object", data)
            function: dict[str, Any] = call["function"] if isinstance(call.get("function"), dict) else {}
            index: int = call["index"] if isinstance(call.get("index"), int) else 0
            name = function.get("name") if isinstance(function.get("name"), str) else None
            arguments = function.get("arguments")
            if isinstance(arguments, dict):
                arguments = json.dumps(arguments, ensure_ascii=False)
            elif not isinstance(arguments, str):
                arguments = None
            call_id = call.get("id") if isinstance(call.get("id"), str) and call.get("id") != "null" else None
            if not self._starts_call(index, name, call_id):
                name = call_id = None  # a continuation that repeats the name (and id) of its call
            event = self.parts.handle_tool_call_delta(("tool", index), name, arguments, call_id)
            if event is not None:
                out.append(event)

    def _starts_call(self, index: int, name: str | None, call_id: str | None) -> bool:
        """Whether a delta at `index` opens a new call rather than continuing the open one.

        New when the index is new, when the id changes, or — for servers that reuse index 0 and
        send no ids — when a named delta follows arguments that already form a complete object.
        """
        key = ("tool", index)
        open_id = self._call_ids.get(index)
        if not self.parts.has_part(key):
            starts = True
        elif call_id is not None:
            starts = call_id != open_id
        elif name:
            try:
                starts = isinstance(json.loads(self.parts.tool_call_args_text(key) or "null"), dict)
            except ValueError:
                starts = False
        else:
            starts = False
        if starts:
            self._call_ids[index] = call_id
        return starts

    def close(self) -> None:
        if not self._done and self.finish_reason is None:
            raise UnexpectedModelBehavior("Mistral: the stream ended before a finish_reason or [DONE]")


# ============================================================================================ encoders


def _wire_usage(usage: RequestUsage) -> dict[str, Any]:
    out: dict[str, Any] = {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.input_tokens + usage.output_tokens,
    }
    if usage.cache_read_tokens:
        out["prompt_tokens_details"] = {"cached_tokens": usage.cache_read_tokens}
    return out


def _wire_message(response: ModelResponse) -> dict[str, Any]:
    message = _map_response(response) or {"role": "assistant", "content": ""}
    for call in message.get("tool_calls", []):
        call.pop("type", None)
    # Ids as Mistral itself would send them, not remapped: encoders speak for the vendor.
    calls = [p for p in response.parts if isinstance(p, ToolCallPart)]
    for wire_call, part in zip(message.get("tool_calls", []), calls):
        wire_call["id"] = part.tool_call_id
    message.setdefault("content", "")
    return message


def encode_response(response: ModelResponse, *, model_name: str | None = None) -> dict[str, Any]:
    """The chat completion body Mistral would send for `response` (for fake vendors and fixtures)."""
    return {
        "id": response.provider_response_id or "cmpl-wireai",
        "object": "chat.completion",
        "created": int(response.timestamp.timestamp()),
        "model": model_name or response.model_name or "mistral-small-latest",
        "choices": [
            {
                "index": 0,
                "message": _wire_message(response),
                "finish_reason": _WIRE_FINISH.get(response.finish_reason or "stop", "stop"),
            }
        ],
        "usage": _wire_usage(response.usage),
    }


def encode_stream(response: ModelResponse, *, model_name: str | None = None, chunk_size: int = 8) -> bytes:
    """The SSE stream Mistral would send for `response`: text and arguments split every `chunk_size` chars."""
    head = {
        "id": response.provider_response_id or "cmpl-wireai",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model_name or response.model_name or "mistral-small-latest",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None, usage: dict[str, Any] | None = None) -> bytes:
        body: dict[str, Any] = {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        if usage is not None:
            body["usage"] = usage
        return encode_sse(json.dumps(body, ensure_ascii=False))

    out = [chunk({"role": "assistant", "content": ""})]
    tool_index = 0
    for part in response.parts:
        if isinstance(part, TextPart):
            out.extend(chunk({"content": piece}) for piece in (pieces(part.content, chunk_size) or [""]))
        elif isinstance(part, ThinkingPart):
            for piece in pieces(part.content, chunk_size) or [""]:
                think: dict[str, Any] = {"type": "thinking", "thinking": [{"type": "text", "text": piece}]}
                out.append(chunk({"content": [think]}))
        elif isinstance(part, ToolCallPart):
            fragments = pieces(part.args_as_json_str(), chunk_size) or [""]
            first = {
                "id": part.tool_call_id,
                "index": tool_index,
                "function": {"name": part.tool_name, "arguments": fragments[0]},
            }
            out.append(chunk({"tool_calls": [first]}))
            for piece in fragments[1:]:
                out.append(chunk({"tool_calls": [{"index": tool_index, "function": {"arguments": piece}}]}))
            tool_index += 1
    finish = _WIRE_FINISH.get(response.finish_reason or "stop", "stop")
    out.append(chunk({"content": ""}, finish, _wire_usage(response.usage)))
    out.append(encode_sse("[DONE]"))
    return b"".join(out)
