"""Cohere Chat v2 (`POST /v2/chat`), sans-I/O.

Cohere's own shape, not OpenAI's: sampling is `p`/`k`, "must call a tool" is
`tool_choice: "REQUIRED"` (one named tool is forced by sending only it), an assistant turn that calls tools explains itself in `tool_plan`, tool
results go back as `tool` messages whose content is a list of `document`s, the answer is
`message.content` (a list of `text`/`thinking` items) beside `message.tool_calls`, finish reasons
are upper case, and usage comes twice (`billed_units` and `tokens`). Streams are SSE frames named by
`type` (`message-start`, `content-start/delta/end`, `tool-plan-delta`,
`tool-call-start/delta/end`, `citation-start/end`, `message-end`).

`tool_plan` becomes a `ThinkingPart` with `id='tool_plan'` (it is the model's reasoning before its
calls, not an answer) and goes back to Cohere as `tool_plan`. See `protocols/cohere.md`.

The codec contract (docs/codecs.md): `build_request` -> `WireRequest` (`POST v2/chat`),
`parse_response`, `parse_error`, and `StreamParser`, fed the raw SSE bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._params import ModelRequestParameters, ToolDefinition
from ..exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError, snippet
from ..messages import (
    BinaryContent,
    CachePoint,
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
    UserPromptPart,
)
from ..profiles import ModelProfile
from ..usage import RequestUsage
from ._base import (
    NO_EVENTS,
    BaseStreamParser,
    WireRequest,
    call_id,
    chat_messages,
    chat_tool_call,
    check_native_tools,
    finish_request,
    json_object,
    loads,
    obj,
    parse_error,
    resolve_tool_choice,
    text,
    token_count,
)

__all__ = [
    "FINISH_REASONS",
    "PROVIDER_NAME",
    "TOOL_PLAN_ID",
    "StreamParser",
    "build_request",
    "parse_error",
    "parse_response",
    "parse_usage",
]

PROVIDER_NAME = "cohere"
TOOL_PLAN_ID = "tool_plan"

FINISH_REASONS: dict[str, FinishReason] = {
    "COMPLETE": "stop",
    "STOP_SEQUENCE": "stop",
    "MAX_TOKENS": "length",
    "TOOL_CALL": "tool_call",
    "ERROR": "error",
    "TIMEOUT": "error",
}
"""`finish_reason` -> wireai's finish reason."""

# ============================================================================================ request


def build_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    stream: bool = False,
    profile: ModelProfile | None = None,
) -> WireRequest:
    """`POST v2/chat`; `settings` may carry `cohere_thinking` (over the portable `thinking`),
    `cohere_strict_tools` and `cohere_safety_mode`."""
    s: Mapping[str, Any] = settings or {}
    check_native_tools(params, (), "Cohere")
    body: dict[str, Any] = {"model": model, "messages": map_messages(messages), "stream": stream}

    tool_defs: list[ToolDefinition] = params.tool_defs
    if tool_defs:
        choice = resolve_tool_choice(s, params.allow_text_output, (t.name for t in tool_defs))
        if choice not in ("auto", "required", "none"):
            # Cohere's tool_choice is REQUIRED or NONE only: one named tool is forced by sending it alone.
            tool_defs = [t for t in tool_defs if t.name == choice]
            choice = "required"
        body["tools"] = [map_tool(t) for t in tool_defs]
        if choice != "auto":
            body["tool_choice"] = choice.upper()
        if s.get("cohere_strict_tools") is not None:
            body["strict_tools"] = s["cohere_strict_tools"]

    output_object = params.output_object
    if params.output_mode == "native" and output_object is not None:
        if tool_defs:
            raise UserError(
                "Cohere does not accept `response_format` together with `tools`, so NativeOutput cannot be "
                "combined with function tools; use ToolOutput (the default) or PromptedOutput"
            )
        # Cohere's only structured format: a JSON object, optionally held to a schema.
        body["response_format"] = {"type": "json_object", "json_schema": output_object.json_schema}
    elif params.output_mode == "prompted" and not tool_defs:
        # With tools the prompt alone asks for JSON: Cohere rejects `response_format` beside `tools`.
        body["response_format"] = {"type": "json_object"}

    for ours, theirs in (
        ("max_tokens", "max_tokens"),
        ("temperature", "temperature"),
        ("top_p", "p"),
        ("top_k", "k"),
        ("seed", "seed"),
        ("stop_sequences", "stop_sequences"),
        ("frequency_penalty", "frequency_penalty"),
        ("presence_penalty", "presence_penalty"),
        ("cohere_safety_mode", "safety_mode"),
    ):
        if s.get(ours) is not None:
            body[theirs] = s[ours]
    thinking = s["cohere_thinking"] if s.get("cohere_thinking") is not None else _thinking(s.get("thinking"))
    if thinking is not None:
        body["thinking"] = thinking
    # `service_tier`: Cohere has no tiers to choose, so the portable setting changes nothing here.
    return finish_request(WireRequest("POST", "v2/chat", body, {"content-type": "application/json"}), s)


THINKING_BUDGETS = {"minimal": 1024, "low": 2048, "medium": 8192, "high": 16384, "xhigh": 32768}
"""`thinking.token_budget` for each portable level (Cohere takes a budget, not an effort)."""


def _thinking(thinking: Any) -> dict[str, Any] | None:
    """The portable `thinking` as Cohere's `thinking` object: on (with a budget for a level) or off."""
    if thinking is None:
        return None
    if thinking is False:
        return {"type": "disabled"}
    if thinking is True:
        return {"type": "enabled"}
    if thinking not in THINKING_BUDGETS:
        raise UserError(
            f"`thinking` takes True, False or one of {', '.join(THINKING_BUDGETS)}, not {thinking!r}"
        )
    return {"type": "enabled", "token_budget": THINKING_BUDGETS[thinking]}


def map_tool(tool: ToolDefinition) -> dict[str, Any]:
    function: dict[str, Any] = {"name": tool.name, "parameters": tool.parameters_json_schema}
    if tool.description:
        function["description"] = tool.description
    return {"type": "function", "function": function}


def map_messages(messages: Sequence[ModelMessage]) -> list[dict[str, Any]]:
    """Our history as Cohere `messages`; the latest request's `instructions` lead as a system message.
    Tool messages take text and documents only, so images a tool returned follow in a user message."""
    return chat_messages(
        messages,
        _map_request_part,
        _map_response,
        files_message=lambda files: {"role": "user", "content": [_map_user_content(f) for f in files]},
    )


def _map_request_part(part: Any) -> dict[str, Any]:
    if isinstance(part, SystemPromptPart):
        return {"role": "system", "content": part.content}
    if isinstance(part, UserPromptPart):
        if isinstance(part.content, str):
            return {"role": "user", "content": part.content}
        # A CachePoint marks nothing for Cohere, which caches prompts on its own.
        content = [_map_user_content(c) for c in part.content if not isinstance(c, CachePoint)]
        return {"role": "user", "content": content}
    if isinstance(part, ToolReturnPart):
        document = {"type": "document", "document": {"data": part.model_response_object()}}
        return {"role": "tool", "tool_call_id": part.tool_call_id, "content": [document]}
    if isinstance(part, RetryPromptPart):
        if part.tool_name is None:
            return {"role": "user", "content": part.model_response()}
        return {
            "role": "tool",
            "tool_call_id": part.tool_call_id,
            "content": [{"type": "text", "text": part.model_response()}],
        }
    raise UserError(f"Cohere cannot send a {type(part).__name__} in a request")


def _map_user_content(item: Any) -> dict[str, Any]:
    if isinstance(item, str):
        return {"type": "text", "text": item}
    if isinstance(item, ImageUrl):
        return {"type": "image_url", "image_url": {"url": item.url}}
    if isinstance(item, BinaryContent) and item.is_image:
        return {"type": "image_url", "image_url": {"url": item.data_uri}}
    kind = item.media_type if isinstance(item, BinaryContent) else type(item).__name__
    raise UserError(f"Cohere chat accepts text and images only, not {kind}")


def _map_response(message: ModelResponse) -> dict[str, Any] | None:
    content: list[dict[str, Any]] = []
    tool_plan: list[str] = []
    tool_calls: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            if part.content:
                content.append({"type": "text", "text": part.content})
        elif isinstance(part, ThinkingPart):
            if part.provider_name not in (None, PROVIDER_NAME) or not part.content:
                continue  # another vendor's reasoning means nothing to Cohere
            if part.id == TOOL_PLAN_ID:
                tool_plan.append(part.content)
            else:
                content.append({"type": "thinking", "thinking": part.content})
        elif isinstance(part, ToolCallPart):
            tool_calls.append(chat_tool_call(part))
    if not content and not tool_calls:
        return None
    out: dict[str, Any] = {"role": "assistant"}
    if content:
        out["content"] = content
    if tool_calls:
        out["tool_calls"] = tool_calls
        if tool_plan:
            out["tool_plan"] = "".join(tool_plan)
    return out


# ============================================================================================ response


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    profile: ModelProfile | None = None,
) -> ModelResponse:
    """A non-streamed `/v2/chat` body as a `ModelResponse` (Cohere's answer does not name the model:
    `model_name` is the one asked for)."""
    body = json_object(body, "Cohere")
    message = body.get("message")
    if not isinstance(message, dict):
        raise UnexpectedModelBehavior("Cohere: the response has no message", body)
    parts: list[ModelResponsePart] = []
    tool_plan = message.get("tool_plan")
    if isinstance(tool_plan, str) and tool_plan:
        parts.append(ThinkingPart(tool_plan, id=TOOL_PLAN_ID, provider_name=PROVIDER_NAME))
    content = message.get("content") or []
    if isinstance(content, str):
        content = [{"type": "text", "text": content}]
    if not isinstance(content, list):
        raise UnexpectedModelBehavior("Cohere: message.content is not a list", body)
    for item in content:
        if not isinstance(item, dict):
            raise UnexpectedModelBehavior("Cohere: a content item is not an object", body)
        if item.get("type") == "text" and isinstance(item.get("text"), str) and item["text"]:
            parts.append(TextPart(item["text"]))
        elif item.get("type") == "thinking" and isinstance(item.get("thinking"), str):
            parts.append(ThinkingPart(item["thinking"], provider_name=PROVIDER_NAME))
    tool_calls = message.get("tool_calls") or []
    if not isinstance(tool_calls, list):
        raise UnexpectedModelBehavior("Cohere: message.tool_calls is not a list", body)
    for call in tool_calls:
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise UnexpectedModelBehavior("Cohere: a tool call has no function name", body)
        arguments = function.get("arguments")
        args = arguments if isinstance(arguments, (str, dict)) else None
        parts.append(ToolCallPart(function["name"], args, call_id(call.get("id"))))

    raw_finish = body.get("finish_reason")
    details: dict[str, Any] = {}
    if isinstance(raw_finish, str):
        details["finish_reason"] = raw_finish
    if message.get("citations"):
        details["citations"] = message["citations"]
    return ModelResponse(
        parts=parts,
        usage=parse_usage(body.get("usage")),
        model_name=model_name,
        provider_name=PROVIDER_NAME,
        provider_response_id=text(body.get("id")),
        finish_reason=FINISH_REASONS.get(raw_finish) if isinstance(raw_finish, str) else None,
        provider_details=details or None,
    )


def parse_usage(usage: Any) -> RequestUsage:
    """`usage.tokens` (what the model saw and wrote) over `usage.billed_units` (what is charged).

    Billed units are kept in `details` because they differ from tokens (Cohere does not bill the
    prompt template it adds); `cached_tokens` are part of the input.
    """
    if not isinstance(usage, dict):
        return RequestUsage()

    tokens = obj(usage.get("tokens"))
    billed = obj(usage.get("billed_units"))
    details = {f"billed_{k}": token_count(v) for k, v in billed.items() if token_count(v)}
    return RequestUsage(
        input_tokens=token_count(tokens.get("input_tokens")) or token_count(billed.get("input_tokens")),
        output_tokens=token_count(tokens.get("output_tokens")) or token_count(billed.get("output_tokens")),
        cache_read_tokens=token_count(usage.get("cached_tokens")),
        details=details or None,
    )


# ============================================================================================ stream


class StreamParser(BaseStreamParser):
    """SSE frames whose JSON `type` names the event; the stream is complete at `message-end`.

    A `message-end` carrying `delta.error` is the vendor failing mid-stream and raises
    `ModelHTTPError` (500, the frame as body).
    """

    default_provider_name = PROVIDER_NAME

    def __init__(
        self,
        params: ModelRequestParameters | None = None,
        *,
        model_name: str | None = None,
        profile: ModelProfile | None = None,
    ):
        super().__init__(params, model_name=model_name, profile=profile)
        self._done = False
        self._kinds: dict[int, str] = {}
        self._citations: list[Any] = []

    def _frame(self, event: Any) -> Sequence[ModelResponseStreamEvent]:
        data = event.data
        if data == "[DONE]" or not data.strip():
            return NO_EVENTS
        try:
            frame = loads(data)
        except ValueError:
            raise UnexpectedModelBehavior("Cohere: a stream event is not JSON", snippet(data)) from None
        if not isinstance(frame, dict):
            raise UnexpectedModelBehavior("Cohere: a stream event is not a JSON object", snippet(data))
        kind = frame.get("type") if isinstance(frame.get("type"), str) else event.event
        delta = obj(frame.get("delta"))
        message = obj(delta.get("message"))
        index: int = frame["index"] if isinstance(frame.get("index"), int) else 0
        event_out: ModelResponseStreamEvent | None = None

        if kind == "message-start":
            if isinstance(frame.get("id"), str):
                self.provider_response_id = frame["id"]
        elif kind in ("content-start", "content-delta"):
            content = obj(message.get("content"))
            item_kind = (
                content.get("type")
                or self._kinds.get(index)
                or ("thinking" if "thinking" in content else "text")
            )
            self._kinds[index] = item_kind
            if item_kind == "thinking":
                piece = content.get("thinking")
                if isinstance(piece, str):
                    event_out = self.parts.handle_thinking_delta(
                        ("content", index), piece, provider_name=PROVIDER_NAME
                    )
            else:
                piece = content.get("text")
                if isinstance(piece, str):
                    event_out = self.parts.handle_text_delta(("content", index), piece)
        elif kind == "tool-plan-delta":
            plan = message.get("tool_plan")
            if isinstance(plan, str):
                event_out = self.parts.handle_thinking_delta(
                    TOOL_PLAN_ID, plan, id=TOOL_PLAN_ID, provider_name=PROVIDER_NAME
                )
        elif kind in ("tool-call-start", "tool-call-delta"):
            call = obj(message.get("tool_calls"))
            function = obj(call.get("function"))
            name = function.get("name") if isinstance(function.get("name"), str) else None
            arguments = function.get("arguments") if isinstance(function.get("arguments"), str) else None
            call_id = call.get("id") if isinstance(call.get("id"), str) else None
            event_out = self.parts.handle_tool_call_delta(("tool", index), name, arguments, call_id)
        elif kind == "citation-start":
            citation = message.get("citations")
            if citation is not None:
                self._citations.append(citation)
                self.provider_details = {**(self.provider_details or {}), "citations": list(self._citations)}
        elif kind == "message-end":
            self._message_end(frame, delta)
        # content-end, tool-call-end, citation-end, debug: nothing to add
        return (event_out,) if event_out is not None else NO_EVENTS

    def _message_end(self, frame: dict[str, Any], delta: dict[str, Any]) -> None:
        self._done = True
        if delta.get("error"):
            raise ModelHTTPError(500, self.model_name, frame)
        raw_finish = delta.get("finish_reason")
        if isinstance(raw_finish, str):
            self.finish_reason = FINISH_REASONS.get(raw_finish)
            self.provider_details = {**(self.provider_details or {}), "finish_reason": raw_finish}
        if isinstance(delta.get("usage"), dict):
            self.usage = parse_usage(delta["usage"])

    def _check_complete(self) -> None:
        if not self._done:
            raise UnexpectedModelBehavior("Cohere: the stream ended before message-end")
