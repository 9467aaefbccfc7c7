"""The response direction: a `chat.completion` body (or an error a host reports in a 200) -> `ModelResponse`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ...exceptions import ModelHTTPError, UnexpectedModelBehavior, snippet
from ...messages import (
    FinishReason,
    ModelResponse,
    ModelResponsePart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from ...profiles import ModelProfile
from ...usage import RequestUsage
from .._base import (
    call_id,
    epoch_datetime,
    json_object,
    obj,
    text,
    token_count,
)
from .native_tools import executed_tool_parts
from .options import FINISH_REASONS, ChatOptions
from .reasoning_details import thinking_part
from .think import split_think_tags

# --------------------------------------------------------------------------------------------- errors


def error_status(error: Any, default: int = 500) -> int:
    """An HTTP status for an error a vendor reported in a 200 body or inside a stream."""
    if not isinstance(error, dict):
        return default
    code = error.get("code")
    if isinstance(code, int) and 400 <= code <= 599:
        return code
    if isinstance(code, str) and code.isdigit() and 400 <= int(code) <= 599:
        return int(code)
    kind = f"{error.get('type') or ''} {code or ''}".lower()
    if "overloaded" in kind:
        return 529
    if "rate_limit" in kind or "quota" in kind:
        return 429
    if "invalid_request" in kind or "tool_use_failed" in kind or "context_length" in kind:
        return 400
    if "authentication" in kind or "invalid_api_key" in kind:
        return 401
    return default


def _raise_error(body: Mapping[str, Any], model_name: str) -> None:
    """A 200 body (or stream chunk) that reports a failure: OpenAI-style `{"error": {...}}`, or
    Mistral's `{"object": "error", "message", "type", "code"}`."""
    error = body.get("error")
    if error:
        raise ModelHTTPError(error_status(error), model_name, dict(body))
    if body.get("object") == "error":
        raise ModelHTTPError(error_status(body), model_name, dict(body))


# --------------------------------------------------------------------------------------------- response


def parse_response(
    body: bytes | str | Mapping[str, Any],
    *,
    model_name: str | None = None,
    profile: ModelProfile | None = None,
) -> ModelResponse:
    """A `chat.completion` body as a `ModelResponse` (tool arguments kept as the raw JSON string sent)."""
    return read_completion(body, ChatOptions.from_profile(profile), model_name=model_name)


def read_completion(
    body: bytes | str | Mapping[str, Any], opts: ChatOptions, *, model_name: str | None = None
) -> ModelResponse:
    """`parse_response` for a host whose options are already known (Mistral's codec reuses it)."""
    data = json_object(body, "OpenAI chat")
    name = model_name or ""
    _raise_error(data, name)
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise UnexpectedModelBehavior(f"{name}: chat.completion without choices", snippet(data))
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, dict):
        raise UnexpectedModelBehavior(f"{name}: choice without a message", snippet(data))
    parts: list[ModelResponsePart] = list(_thinking_parts(message, opts, data))
    details: dict[str, Any] = {}
    timestamp = epoch_datetime(data.get("created"))
    executed = message.get("executed_tools") or []
    if not isinstance(executed, list):
        raise UnexpectedModelBehavior(f"{name}: message.executed_tools is not a list", snippet(data))
    for item in executed:
        if not isinstance(item, dict):
            raise UnexpectedModelBehavior(f"{name}: an executed tool is not an object", snippet(data))
        parts.extend(part for part in executed_tool_parts(item, timestamp) if part is not None)
    content = message.get("content")
    if isinstance(content, str):
        if content:
            parts.extend(split_think_tags(content) if opts.think_tags else [TextPart(content)])
    elif isinstance(content, list):
        parts.extend(_content_chunks(content, data))
    elif content is not None:
        raise UnexpectedModelBehavior(f"{name}: message.content is neither text nor chunks", snippet(data))
    attach_annotations(parts, message.get("annotations"))
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal:
        parts.append(TextPart(refusal))
        details["refusal"] = refusal
    tool_calls = message.get("tool_calls") or []
    if not isinstance(tool_calls, list):
        raise UnexpectedModelBehavior(f"{name}: message.tool_calls is not a list", snippet(data))
    for call in tool_calls:
        parts.append(_tool_call(call, name))
    for detail in opts.detail_fields:
        if data.get(detail) is not None:
            details[detail] = data[detail]
    details.update(filter_results(data, choice))
    raw_finish = choice.get("finish_reason")
    if isinstance(raw_finish, str):
        details["finish_reason"] = raw_finish
    finish = FINISH_REASONS.get(raw_finish) if isinstance(raw_finish, str) else None
    if finish is None and not raw_finish and opts.blank_finish_reason:
        finish = blank_finish(parts)
    return ModelResponse(
        parts=parts,
        usage=parse_usage(data.get("usage")),
        model_name=text(data.get("model")) or model_name,
        timestamp=timestamp,
        provider_response_id=text(data.get("id")) or None,  # Cortex sends `id: ""`
        finish_reason=finish,
        provider_details=details or None,
    )


def _thinking_parts(message: Mapping[str, Any], opts: ChatOptions, body: Any) -> list[ThinkingPart]:
    """The message's reasoning: its `reasoning_details` entries where the host sends them, else the
    text of the first `reasoning_fields` field present."""
    entries = message.get("reasoning_details") if opts.reasoning_details else None
    if entries is not None and not isinstance(entries, list):
        raise UnexpectedModelBehavior("OpenAI chat: message.reasoning_details is not a list", snippet(body))
    if entries:
        return [part for entry in entries if (part := thinking_part(entry, body)) is not None]
    for field_name in opts.reasoning_fields:
        reasoning = message.get(field_name)
        if isinstance(reasoning, str) and reasoning:
            return [ThinkingPart(reasoning)]
    return []


def blank_finish(parts: Sequence[ModelResponsePart]) -> FinishReason:
    """The finish reason of an answer whose host reports none (`blank_finish_reason`)."""
    return "tool_call" if any(isinstance(part, ToolCallPart) for part in parts) else "stop"


def attach_annotations(parts: list[ModelResponsePart], annotations: Any) -> None:
    """A message's `annotations` (`url_citation`s from web search, on OpenAI's search models, Groq
    and OpenRouter) on the text they annotate: the last text part, as the answer is one text."""
    if not isinstance(annotations, list) or not annotations:
        return
    for part in reversed(parts):
        if isinstance(part, TextPart):
            part.provider_details = {**(part.provider_details or {}), "annotations": annotations}
            return


def filter_results(data: Mapping[str, Any], choice: Mapping[str, Any]) -> dict[str, Any]:
    """Azure's content filter verdicts: `prompt_filter_results` on the completion (the prompt's),
    `content_filter_results` on the choice (the answer's), kept as sent."""
    found: dict[str, Any] = {}
    for source, key in ((data, "prompt_filter_results"), (choice, "content_filter_results")):
        if source.get(key):
            found[key] = source[key]
    return found


def filtered_response(status_code: int, body: Any, *, model_name: str | None = None) -> ModelResponse | None:
    """Azure's answer to a prompt its content filter blocked — a 400 whose `error.code` is
    `content_filter` — as the response it stands for: no parts, `finish_reason='content_filter'`,
    the filter's verdict and words in `provider_details`. Any other error: None (it is raised).

    The model layer returns this rather than raising, as for a filtered answer, so a caller sees
    the same thing whichever side of the model the filter stopped."""
    error = obj(body).get("error") if status_code == 400 else None
    if not isinstance(error, dict) or error.get("code") != "content_filter":
        return None
    inner = obj(error.get("innererror") or error.get("inner_error"))
    details: dict[str, Any] = {"finish_reason": "content_filter"}
    if isinstance(error.get("message"), str):
        details["message"] = error["message"]
    if inner.get("code"):
        details["code"] = inner["code"]
    verdict = inner.get("content_filter_result") or inner.get("content_filter_results")
    if verdict:
        details["content_filter_result"] = verdict
    return ModelResponse(
        parts=[], model_name=model_name, finish_reason="content_filter", provider_details=details
    )


def _content_chunks(content: list[Any], body: Any) -> list[ModelResponsePart]:
    """`content` as a list of chunks (Mistral: `text` and, from magistral models, `thinking`)."""
    parts: list[ModelResponsePart] = []
    for chunk in content:
        if not isinstance(chunk, dict):
            raise UnexpectedModelBehavior("OpenAI chat: a content chunk is not an object", snippet(body))
        kind = chunk.get("type")
        if kind == "text" and isinstance(chunk.get("text"), str):
            if parts and isinstance(parts[-1], TextPart):
                parts[-1].content += chunk["text"]
            elif chunk["text"]:
                parts.append(TextPart(chunk["text"]))
        elif kind == "thinking":
            parts.append(ThinkingPart(thinking_text(chunk), signature=text(chunk.get("signature"))))
        # reference / image chunks in an answer carry nothing wireai represents
    return parts


def thinking_text(chunk: Mapping[str, Any]) -> str:
    """The text of a `thinking` chunk: a string, or a list of `text` chunks."""
    thinking = chunk.get("thinking")
    if isinstance(thinking, str):
        return thinking
    if not isinstance(thinking, list):
        return ""
    return "".join(t["text"] for t in thinking if isinstance(t, dict) and isinstance(t.get("text"), str))


def _tool_call(call: Any, model_name: str) -> ToolCallPart:
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise UnexpectedModelBehavior(f"{model_name}: malformed tool call", snippet(call))
    arguments = function.get("arguments")
    if isinstance(arguments, (dict, list)):  # some compatible hosts send an object, not a string
        arguments = json.dumps(arguments)
    return ToolCallPart(
        function["name"], arguments if isinstance(arguments, str) else None, call_id(call.get("id"))
    )


def parse_usage(usage: Any) -> RequestUsage:
    """OpenAI usage: `prompt_tokens` already includes cached tokens; the rest goes into `details`."""
    if not isinstance(usage, dict):
        return RequestUsage()
    details: dict[str, int] = {}
    prompt_details = usage.get("prompt_tokens_details")
    prompt_details = prompt_details if isinstance(prompt_details, dict) else {}
    completion_details = usage.get("completion_tokens_details")
    completion_details = completion_details if isinstance(completion_details, dict) else {}
    cached = (
        token_count(prompt_details.get("cached_tokens"))
        or token_count(usage.get("prompt_cache_hit_tokens"))  # DeepSeek
        or token_count(usage.get("num_cached_tokens"))  # Mistral
        or token_count(usage.get("cached_tokens"))  # Moonshot and other compatible hosts
    )
    written = token_count(prompt_details.get("cache_write_tokens"))  # OpenRouter (Anthropic, Gemini...)
    for key, value in prompt_details.items():
        if key not in _CACHE_KEYS and token_count(value):
            details[f"input_{key}" if key == "audio_tokens" else key] = value
    for key, value in completion_details.items():
        if token_count(value):
            details[f"output_{key}" if key == "audio_tokens" else key] = value
    for key, value in usage.items():
        if key not in _TOKEN_KEYS and key not in _CACHE_KEYS and token_count(value):
            details[key] = value
    return RequestUsage(
        input_tokens=token_count(usage.get("prompt_tokens")),
        output_tokens=token_count(usage.get("completion_tokens")),
        cache_read_tokens=cached,
        cache_write_tokens=written,
        details=details or None,
    )


_TOKEN_KEYS = frozenset({"prompt_tokens", "completion_tokens", "total_tokens"})
# Cache counts read into `cache_read_tokens`/`cache_write_tokens`, so not repeated in `details`.
_CACHE_KEYS = frozenset(
    {"cached_tokens", "cache_write_tokens", "prompt_cache_hit_tokens", "num_cached_tokens"}
)
