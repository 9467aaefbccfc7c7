"""OpenAI Responses API (`POST {base_url}/responses`): input items in, output items back.

Differs from Chat Completions in shape, not in spirit: the conversation is a flat list of items
(`message`, `function_call`, `function_call_output`, `reasoning`), tools are flat
`{type: function, name, ...}`, structured output is `text.format`, and the stream is a family of
typed events (`response.output_text.delta`, ...) ending with `response.completed`. The codec
contract (docs/codecs.md): `build_request`, `parse_response`, `parse_error`, `StreamParser`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._params import ModelRequestParameters, ToolDefinition
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
    UserPromptPart,
)
from ..profiles import ModelProfile
from ..usage import RequestUsage
from ._base import (
    NO_EVENTS,
    BaseStreamParser,
    WireRequest,
    check_native_tools,
    epoch_datetime,
    finish_request,
    json_object,
    latest_instructions,
    loads,
    parse_error,
    resolve_tool_choice,
    text,
    token_count,
)
from .openai_chat import ChatOptions, error_status

__all__ = [
    "INCOMPLETE_REASONS",
    "STATUS_FINISH",
    "StreamParser",
    "build_request",
    "parse_error",
    "parse_response",
    "parse_usage",
]

# `incomplete_details.reason` -> finish reason (status `incomplete`).
INCOMPLETE_REASONS: dict[str, FinishReason] = {
    "max_output_tokens": "length",
    "content_filter": "content_filter",
}
# `status` -> finish reason, when not incomplete.
STATUS_FINISH: dict[str, FinishReason] = {"completed": "stop", "failed": "error", "cancelled": "error"}

# Settings -> body field.
_SETTINGS = {
    "max_tokens": "max_output_tokens",
    "temperature": "temperature",
    "top_p": "top_p",
    "parallel_tool_calls": "parallel_tool_calls",
    "openai_user": "user",
    "openai_service_tier": "service_tier",
    "openai_top_logprobs": "top_logprobs",
    "openai_store": "store",
    "openai_metadata": "metadata",
    "openai_previous_response_id": "previous_response_id",
    "openai_truncation": "truncation",
    "openai_include": "include",
}

# --------------------------------------------------------------------------------------------- request


def build_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    stream: bool = False,
    profile: ModelProfile | None = None,
) -> WireRequest:
    """`POST responses`: `instructions` from the latest request, the rest as input items."""
    settings = settings or {}
    supports_strict = ChatOptions.from_profile(profile).supports_strict
    check_native_tools(params, (), "OpenAI Responses")
    body: dict[str, Any] = {"model": model}
    if settings.get("openai_previous_response_id") == "auto":
        messages, previous = chain_from_last_response(messages)
        settings = {**settings, "openai_previous_response_id": previous}
    instructions, items = map_input(messages)
    if instructions:
        body["instructions"] = instructions
    body["input"] = items
    tools = [tool_param(t, supports_strict) for t in params.tool_defs]
    if tools:
        body["tools"] = tools
        choice = resolve_tool_choice(settings, params.allow_text_output, (t.name for t in params.tool_defs))
        body["tool_choice"] = (
            choice if choice in ("auto", "required", "none") else {"type": "function", "name": choice}
        )
    text_config: dict[str, Any] = {}
    if params.output_mode == "native" and params.output_object is not None:
        out = params.output_object
        fmt: dict[str, Any] = {"type": "json_schema", "name": out.name or "result", "schema": out.json_schema}
        if out.description:
            fmt["description"] = out.description
        if out.strict is not None and supports_strict:
            fmt["strict"] = out.strict
        text_config["format"] = fmt
    elif params.output_mode == "prompted":
        text_config["format"] = {"type": "json_object"}
    if "openai_text_verbosity" in settings:
        text_config["verbosity"] = settings["openai_text_verbosity"]
    if text_config:
        body["text"] = text_config
    reasoning: dict[str, Any] = {}
    if "openai_reasoning_effort" in settings:
        reasoning["effort"] = settings["openai_reasoning_effort"]
    if "openai_reasoning_summary" in settings:
        reasoning["summary"] = settings["openai_reasoning_summary"]
    if reasoning:
        body["reasoning"] = reasoning
    for key, wire in _SETTINGS.items():
        if settings.get(key) is not None:
            if key == "parallel_tool_calls" and not tools:
                continue
            body[wire] = settings[key]
    if stream:
        body["stream"] = True
    return finish_request(
        WireRequest("POST", "responses", body, {"content-type": "application/json"}), settings
    )


def chain_from_last_response(messages: Sequence[ModelMessage]) -> tuple[Sequence[ModelMessage], str | None]:
    """`previous_response_id: 'auto'`: the server already holds the conversation up to its last stored
    response, so only the messages after it are sent, chained to its id (`resp_...`).

    With no such response in the history, everything is sent and no id.
    """
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, ModelResponse):
            response_id = message.provider_response_id
            if response_id and response_id.startswith("resp_"):
                return messages[index + 1 :], response_id
    return messages, None


def map_input(messages: Sequence[ModelMessage]) -> tuple[str | None, list[dict[str, Any]]]:
    items: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, ModelRequest):
            for part in message.parts:
                items.append(_request_item(part))
        elif isinstance(message, ModelResponse):
            items.extend(_response_items(message))
    return latest_instructions(messages), items


def _request_item(part: Any) -> dict[str, Any]:
    if isinstance(part, SystemPromptPart):
        return {"role": "system", "content": part.content}
    if isinstance(part, UserPromptPart):
        if isinstance(part.content, str):
            return {"role": "user", "content": part.content}
        return {"role": "user", "content": [_content_part(c) for c in part.content]}
    if isinstance(part, ToolReturnPart):
        return {
            "type": "function_call_output",
            "call_id": part.tool_call_id,
            "output": part.model_response_str(),
        }
    if isinstance(part, RetryPromptPart):
        if part.tool_name is None:
            return {"role": "user", "content": part.model_response()}
        return {"type": "function_call_output", "call_id": part.tool_call_id, "output": part.model_response()}
    raise UserError(f"Unsupported request part for OpenAI responses: {type(part).__name__}")


def _content_part(item: Any) -> dict[str, Any]:
    if isinstance(item, str):
        return {"type": "input_text", "text": item}
    if isinstance(item, ImageUrl):
        detail = (item.vendor_metadata or {}).get("detail", "auto")
        return {"type": "input_image", "image_url": item.url, "detail": detail}
    if isinstance(item, DocumentUrl):
        return {"type": "input_file", "file_url": item.url}
    if isinstance(item, BinaryContent):
        if item.is_image:
            detail = (item.vendor_metadata or {}).get("detail", "auto")
            return {"type": "input_image", "image_url": item.data_uri, "detail": detail}
        if item.media_type.startswith("text/"):
            return {"type": "input_text", "text": item.data.decode("utf-8", errors="replace")}
        if item.is_document:
            filename = item.identifier or f"document.{item.format}"
            return {"type": "input_file", "file_data": item.data_uri, "filename": filename}
    what = f"{item.media_type} content" if isinstance(item, BinaryContent) else f"{type(item).__name__} input"
    raise UserError(f"The OpenAI Responses API does not accept {what} (images, PDFs/documents and text only)")


def _response_items(message: ModelResponse) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            if part.content:
                items.append({"role": "assistant", "content": part.content})
        elif isinstance(part, ToolCallPart):
            call: dict[str, Any] = {
                "type": "function_call",
                "call_id": part.tool_call_id,
                "name": part.tool_name,
                "arguments": part.args_as_json_str(),
            }
            if part.id:
                call["id"] = part.id
            items.append(call)
        elif isinstance(part, ThinkingPart):
            # Only OpenAI's own reasoning items (an `rs_` id) can go back, and only whole.
            if part.id and part.id.startswith("rs_"):
                reasoning: dict[str, Any] = {
                    "type": "reasoning",
                    "id": part.id,
                    "summary": [{"type": "summary_text", "text": part.content}] if part.content else [],
                }
                if part.signature:
                    reasoning["encrypted_content"] = part.signature
                items.append(reasoning)
    return items


def tool_param(tool: ToolDefinition, supports_strict: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "function", "name": tool.name}
    if tool.description:
        out["description"] = tool.description
    out["parameters"] = tool.parameters_json_schema
    # `strict` defaults to true on the Responses API, which rejects most non-strict schemas: say it.
    out["strict"] = bool(tool.strict) if supports_strict else False
    return out


# --------------------------------------------------------------------------------------------- response


def _raise_error(error: Any, model_name: str, body: Any) -> None:
    if error:
        raise ModelHTTPError(error_status(error), model_name, body)


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    profile: ModelProfile | None = None,
) -> ModelResponse:
    """A `response` object as a `ModelResponse` (reasoning items as `ThinkingPart`s with their
    encrypted content as the signature, to send back)."""
    body = json_object(body, "OpenAI Responses")
    model_name = model_name or ""
    _raise_error(body.get("error"), model_name, dict(body))
    output = body.get("output")
    if not isinstance(output, list):
        raise UnexpectedModelBehavior(f"{model_name}: response without `output`", snippet(body))
    parts: list[ModelResponsePart] = []
    for item in output:
        parts.extend(_output_item(item, model_name))
    finish, details = _finish(body, any(isinstance(p, ToolCallPart) for p in parts))
    return ModelResponse(
        parts=parts,
        usage=parse_usage(body.get("usage")),
        model_name=text(body.get("model")) or model_name or None,
        timestamp=epoch_datetime(body.get("created_at")),
        provider_response_id=text(body.get("id")),
        finish_reason=finish,
        provider_details=details,
    )


def _output_item(item: Any, model_name: str) -> list[ModelResponsePart]:
    if not isinstance(item, dict):
        raise UnexpectedModelBehavior(f"{model_name}: malformed output item", snippet(item))
    kind = item.get("type")
    item_id = item.get("id") if isinstance(item.get("id"), str) else None
    if kind == "message":
        parts: list[ModelResponsePart] = []
        for content in item.get("content") or ():
            if not isinstance(content, dict):
                continue
            if content.get("type") == "output_text" and isinstance(content.get("text"), str):
                parts.append(TextPart(content["text"], id=item_id))
            elif content.get("type") == "refusal" and isinstance(content.get("refusal"), str):
                parts.append(TextPart(content["refusal"], id=item_id, provider_details={"refusal": True}))
        return parts
    if kind == "function_call":
        name, call_id = item.get("name"), item.get("call_id")
        if not isinstance(name, str) or not isinstance(call_id, str):
            raise UnexpectedModelBehavior(
                f"{model_name}: function_call without name or call_id", snippet(item)
            )
        arguments = item.get("arguments")
        return [
            ToolCallPart(
                name, arguments if isinstance(arguments, str) else None, tool_call_id=call_id, id=item_id
            )
        ]
    if kind == "reasoning":
        texts = [s.get("text", "") for s in item.get("summary") or () if isinstance(s, dict)]
        texts += [c.get("text", "") for c in item.get("content") or () if isinstance(c, dict)]
        encrypted = item.get("encrypted_content") if isinstance(item.get("encrypted_content"), str) else None
        if not any(texts) and not encrypted:
            return []  # nothing to show or send back (ask for `reasoning.encrypted_content` to keep it)
        return [
            ThinkingPart(
                "\n\n".join(t for t in texts if t),
                id=item_id,
                signature=encrypted,
            )
        ]
    return []  # built-in tool items (web_search_call, ...) are not modelled


def _finish(body: Mapping[str, Any], has_calls: bool) -> tuple[FinishReason | None, dict[str, Any] | None]:
    status = body.get("status")
    if not isinstance(status, str):
        return None, None
    details: dict[str, Any] = {"status": status}
    if status == "incomplete":
        incomplete = body.get("incomplete_details")
        reason = incomplete.get("reason") if isinstance(incomplete, dict) else None
        if isinstance(reason, str):
            details["incomplete_reason"] = reason
        return INCOMPLETE_REASONS.get(reason, "length") if isinstance(reason, str) else "length", details
    finish = STATUS_FINISH.get(status)
    if finish == "stop" and has_calls:
        finish = "tool_call"
    return finish, details


def parse_usage(usage: Any) -> RequestUsage:
    if not isinstance(usage, dict):
        return RequestUsage()
    input_details = usage.get("input_tokens_details")
    input_details = input_details if isinstance(input_details, dict) else {}
    output_details = usage.get("output_tokens_details")
    output_details = output_details if isinstance(output_details, dict) else {}
    details = {k: v for k, v in output_details.items() if token_count(v)}
    details.update({k: v for k, v in input_details.items() if k != "cached_tokens" and token_count(v)})
    return RequestUsage(
        input_tokens=token_count(usage.get("input_tokens")),
        output_tokens=token_count(usage.get("output_tokens")),
        cache_read_tokens=token_count(input_details.get("cached_tokens")),
        details=details or None,
    )


# --------------------------------------------------------------------------------------------- stream


class StreamParser(BaseStreamParser):
    """The `response.*` SSE event family in, part events out; `response.completed` ends a good stream."""

    def __init__(
        self,
        params: ModelRequestParameters | None = None,
        *,
        model_name: str | None = None,
        profile: ModelProfile | None = None,
    ):
        super().__init__(params, model_name=model_name, profile=profile)
        self.done = False
        self._summary_index: dict[int, int] = {}
        self._has_calls = False

    def _frame(self, event: Any) -> Sequence[ModelResponseStreamEvent]:
        data = event.data
        if not data.strip() or data.strip() == "[DONE]":
            return NO_EVENTS
        try:
            payload = loads(data)
        except ValueError:
            raise UnexpectedModelBehavior(
                f"{self.model_name}: invalid JSON in stream", snippet(data)
            ) from None
        if not isinstance(payload, dict):
            raise UnexpectedModelBehavior(f"{self.model_name}: unexpected stream event", snippet(data))
        kind = payload.get("type") or event.event
        handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            return NO_EVENTS
        event_out = handler(self, payload)
        return (event_out,) if event_out is not None else NO_EVENTS

    def _key(self, payload: Mapping[str, Any]) -> tuple[str, int]:
        index = payload.get("output_index", 0)
        return ("item", index if isinstance(index, int) else 0)

    def _response(self, payload: Mapping[str, Any]) -> None:
        response = payload.get("response")
        if not isinstance(response, dict):
            return None
        if isinstance(response.get("id"), str):
            self.provider_response_id = response["id"]
        if isinstance(response.get("model"), str):
            self.model_name = response["model"]
        if response.get("usage"):
            self.usage = parse_usage(response["usage"])
        return None

    def _end(self, payload: Mapping[str, Any]) -> None:
        self._response(payload)
        response = payload.get("response")
        if isinstance(response, dict):
            _raise_error(response.get("error"), self.model_name, dict(payload))
            finish, details = _finish(response, self._has_calls)
            self.finish_reason = finish
            self.provider_details = details
        self.done = True

    def _failed(self, payload: Mapping[str, Any]) -> None:
        response = payload.get("response")
        error = response.get("error") if isinstance(response, dict) else None
        raise ModelHTTPError(error_status(error), self.model_name, dict(payload))

    def _error(self, payload: Mapping[str, Any]) -> None:
        raise ModelHTTPError(error_status(payload), self.model_name, dict(payload))

    def _item_added(self, payload: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        item = payload.get("item")
        if not isinstance(item, dict) or item.get("type") != "function_call":
            return None
        self._has_calls = True
        name = item.get("name") if isinstance(item.get("name"), str) else None
        call_id = item.get("call_id") if isinstance(item.get("call_id"), str) else None
        arguments = item.get("arguments") if isinstance(item.get("arguments"), str) else None
        item_id = item.get("id") if isinstance(item.get("id"), str) else None
        return self.parts.handle_tool_call_part(
            self._key(payload), name or "", arguments or None, call_id, id=item_id
        )

    def _item_done(self, payload: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        item = payload.get("item")
        if not isinstance(item, dict):
            return None
        key = self._key(payload)
        if item.get("type") == "function_call":
            arguments = item.get("arguments")
            # Some servers send the arguments only whole, at the end.
            if isinstance(arguments, str) and arguments and self.parts.has_part(key):
                if not self.parts.tool_call_args_text(key):
                    self.parts.set_tool_call_args(key, arguments)
            elif isinstance(arguments, str) and not self.parts.has_part(key):
                self._has_calls = True
                return self.parts.handle_tool_call_part(
                    key, str(item.get("name", "")), arguments, item.get("call_id"), id=item.get("id")
                )
        elif item.get("type") == "reasoning":
            encrypted = item.get("encrypted_content")
            item_id = item.get("id") if isinstance(item.get("id"), str) else None
            return self.parts.handle_thinking_delta(
                key,
                None,
                signature=encrypted if isinstance(encrypted, str) else None,
                id=item_id,
                provider_name=self.provider_name,
            )
        return None

    def _text_delta(self, payload: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        delta = payload.get("delta")
        if not isinstance(delta, str):
            return None
        item_id = payload.get("item_id") if isinstance(payload.get("item_id"), str) else None
        return self.parts.handle_text_delta(self._key(payload), delta, id=item_id)

    def _args_delta(self, payload: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        delta = payload.get("delta")
        if not isinstance(delta, str):
            return None
        return self.parts.handle_tool_call_delta(self._key(payload), None, delta, None)

    def _args_done(self, payload: Mapping[str, Any]) -> None:
        key = self._key(payload)
        arguments = payload.get("arguments")
        if isinstance(arguments, str) and arguments and self.parts.has_part(key):
            if not self.parts.tool_call_args_text(key):
                self.parts.set_tool_call_args(key, arguments)

    def _summary_delta(self, payload: Mapping[str, Any]) -> ModelResponseStreamEvent | None:
        delta = payload.get("delta")
        if not isinstance(delta, str):
            return None
        key = self._key(payload)
        summary_index = payload.get("summary_index", 0)
        previous = self._summary_index.get(key[1])
        if previous is not None and previous != summary_index:
            delta = "\n\n" + delta  # summaries of one item join as paragraphs, as in the non-stream parse
        self._summary_index[key[1]] = summary_index if isinstance(summary_index, int) else 0
        item_id = payload.get("item_id") if isinstance(payload.get("item_id"), str) else None
        return self.parts.handle_thinking_delta(key, delta, id=item_id, provider_name=self.provider_name)

    def _check_complete(self) -> None:
        if not self.done:
            raise UnexpectedModelBehavior(
                f"{self.model_name}: the stream ended without `response.completed` (truncated)"
            )


_HANDLERS: dict[str, Any] = {
    "response.created": StreamParser._response,
    "response.in_progress": StreamParser._response,
    "response.completed": StreamParser._end,
    "response.incomplete": StreamParser._end,
    "response.failed": StreamParser._failed,
    "error": StreamParser._error,
    "response.output_item.added": StreamParser._item_added,
    "response.output_item.done": StreamParser._item_done,
    "response.output_text.delta": StreamParser._text_delta,
    "response.refusal.delta": StreamParser._text_delta,
    "response.function_call_arguments.delta": StreamParser._args_delta,
    "response.function_call_arguments.done": StreamParser._args_done,
    "response.reasoning_summary_text.delta": StreamParser._summary_delta,
    "response.reasoning_text.delta": StreamParser._summary_delta,
}
