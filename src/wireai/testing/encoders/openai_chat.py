"""What an OpenAI-compatible host sends: `chat.completion` bodies and `chat.completion.chunk` streams."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...codecs._base import chat_tool_call
from ...codecs.openai_chat import FINISH_REASONS
from ...messages import (
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from ...usage import RequestUsage
from ...wire.sse import encode_sse
from ._base import pieces, wire_finish

__all__ = [
    "GROQ",
    "OPENAI",
    "Host",
    "cited_annotations",
    "encode_response",
    "encode_stream",
    "encode_usage",
    "executed_tools",
    "finish_reason",
]

# The `finish_reason` values OpenAI's reference lists; a compatible host's others read back too.
_OPENAI_FINISH = {
    k: v for k, v in FINISH_REASONS.items() if k in ("stop", "length", "tool_calls", "content_filter")
}


def encode_usage(
    usage: RequestUsage, *, cache_writes: bool = True, host_fields: bool = True
) -> dict[str, Any]:
    """`usage` as OpenAI spells it. A compatible host adds its own: `cache_writes` (OpenRouter
    reports them beside the reads), `host_fields` (details OpenAI has no field for go at the top,
    as the host that reported them put them: DeepSeek's `prompt_cache_miss_tokens`...). OpenAI
    itself sends neither."""
    out: dict[str, Any] = {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.input_tokens + usage.output_tokens,
    }
    prompt_details: dict[str, int] = {}
    completion_details: dict[str, int] = {}
    if usage.cache_read_tokens:
        prompt_details["cached_tokens"] = usage.cache_read_tokens
    if usage.cache_write_tokens and cache_writes:
        prompt_details["cache_write_tokens"] = usage.cache_write_tokens
    for key, value in (usage.details or {}).items():
        if key == "input_audio_tokens":
            prompt_details["audio_tokens"] = value
        elif key == "output_audio_tokens":
            completion_details["audio_tokens"] = value
        elif key in ("reasoning_tokens", "accepted_prediction_tokens", "rejected_prediction_tokens"):
            completion_details[key] = value
        elif host_fields:
            out[key] = value
    if prompt_details:
        out["prompt_tokens_details"] = prompt_details
    if completion_details:
        out["completion_tokens_details"] = completion_details
    return out


def finish_reason(response: ModelResponse) -> str:
    return wire_finish(_OPENAI_FINISH, response, "stop")


def _created(response: ModelResponse) -> int:
    return int(response.timestamp.timestamp())


# Native tool names -> the `executed_tools[].type` Groq reports for them.
_EXECUTED_TYPES = {"web_search": "search", "code_execution": "python", "web_fetch": "visit"}


def executed_tools(response: ModelResponse) -> list[dict[str, Any]]:
    """The response's native calls as Groq's `executed_tools`: each call with its arguments and,
    where the response has its result, the output (search results, code results or text)."""
    results = {p.tool_call_id: p for p in response.parts if isinstance(p, NativeToolReturnPart)}
    out: list[dict[str, Any]] = []
    for part in response.parts:
        if isinstance(part, NativeToolCallPart):
            details = part.provider_details or {}
            item: dict[str, Any] = {
                "index": details.get("index", len(out)),
                "type": details.get("type") or _EXECUTED_TYPES.get(part.tool_name, part.tool_name),
                "arguments": part.args_as_json_str(),
            }
            result = results.get(part.tool_call_id)
            if result is not None:
                item.update(_executed_output(result))
            out.append(item)
    return out


def _executed_output(result: NativeToolReturnPart) -> dict[str, Any]:
    if result.provider_details:  # the item as Groq sent it, read back by the codec
        return {k: v for k, v in result.provider_details.items() if k not in ("index", "type")}
    if isinstance(result.content, str):
        return {"output": result.content}
    if result.tool_name == "web_search" and isinstance(result.content, dict):
        return {"output": None, "search_results": result.content}
    if result.tool_name == "code_execution" and isinstance(result.content, list):
        return {"output": None, "code_results": result.content}
    return {"output": result.model_response_str()}


def cited_annotations(response: ModelResponse) -> list[Any]:
    """The `url_citation` annotations kept on the response's text parts."""
    return [
        a
        for p in response.parts
        if isinstance(p, TextPart)
        for a in (p.provider_details or {}).get("annotations", [])
    ]


@dataclass(frozen=True)
class Host:
    """How a host's answers differ from one another: its reasoning text's field (`""`: none, as
    OpenAI's Chat Completions sends none), its additions to `usage` (see `encode_usage`), and
    whether the message carries OpenAI's `refusal`."""

    reasoning_field: str = "reasoning_content"
    cache_writes: bool = True
    host_fields: bool = True
    refusal: bool = False  # OpenAI's message always has `refusal` (null unless the model refused)

    def usage(self, usage: RequestUsage) -> dict[str, Any]:
        return encode_usage(usage, cache_writes=self.cache_writes, host_fields=self.host_fields)


OPENAI = Host(reasoning_field="", cache_writes=False, host_fields=False, refusal=True)
GROQ = Host(reasoning_field="reasoning", cache_writes=False)


def encode_response(
    response: ModelResponse,
    *,
    model: str | None = None,
    host: Host = Host(),
    x_groq: str | None = None,
) -> dict[str, Any]:
    """The `chat.completion` body a host would send for `response` (`host`: its additions to
    OpenAI's shape; the default is a host that sends them all, `OPENAI` is OpenAI itself).

    `x_groq` (a request id): Groq's shape, with `x_groq` and the native calls as `executed_tools`
    (only Groq reports them; other hosts' bodies leave native parts out)."""
    message: dict[str, Any] = {"role": "assistant", "content": None}
    if host.refusal:
        message["refusal"] = None
    texts = [p.content for p in response.parts if isinstance(p, TextPart)]
    thoughts = [p.content for p in response.parts if isinstance(p, ThinkingPart)]
    calls = [p for p in response.parts if isinstance(p, ToolCallPart)]
    if texts:
        message["content"] = "".join(texts)
    if thoughts and host.reasoning_field:
        message[host.reasoning_field] = "".join(thoughts)
    if calls:
        message["tool_calls"] = [chat_tool_call(c) for c in calls]
    executed = executed_tools(response) if x_groq is not None else []
    if executed:
        message["executed_tools"] = executed
    cited = cited_annotations(response)
    if cited:
        message["annotations"] = cited
    body = {
        "id": response.provider_response_id or "chatcmpl-fake",
        "object": "chat.completion",
        "created": _created(response),
        "model": model or response.model_name or "fake-model",
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason(response)}
        ],
        "usage": host.usage(response.usage),
    }
    if x_groq is not None:
        body["x_groq"] = {"id": x_groq}
    return body


def encode_stream(
    response: ModelResponse,
    *,
    model: str | None = None,
    host: Host = Host(),
    fragment: int = 8,
    include_usage: bool = True,
    done: bool = True,
    x_groq: str | None = None,
) -> bytes:
    """The SSE stream a host would send: reasoning, text, tool calls in `fragment`-char argument pieces.

    `x_groq` (a request id): Groq's shape, the usage in `x_groq.usage` of the chunk that carries the
    finish_reason instead of in a chunk of its own, and native calls as `executed_tools` deltas.
    """
    base = {
        "id": response.provider_response_id or "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": _created(response),
        "model": model or response.model_name or "fake-model",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        body: dict[str, Any] = {
            **base,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if finish is not None and x_groq is not None:
            body["x_groq"] = {"id": x_groq, "usage": host.usage(response.usage)}
        return encode_sse(json.dumps(body))

    out = [chunk({"role": "assistant", "content": ""})]
    tool_index = 0
    native_calls = iter(executed_tools(response) if x_groq is not None else [])
    for part in response.parts:
        if isinstance(part, NativeToolCallPart) and x_groq is not None:
            # Groq: the call, then the call again with its output
            item = next(native_calls)
            call = {k: item[k] for k in ("index", "type", "arguments")}
            out.append(chunk({"executed_tools": [call]}))
            if len(item) > len(call):
                out.append(chunk({"executed_tools": [item]}))
        elif isinstance(part, ThinkingPart) and host.reasoning_field:
            out.extend(chunk({host.reasoning_field: piece}) for piece in pieces(part.content, fragment))
        elif isinstance(part, TextPart):
            out.extend(chunk({"content": piece}) for piece in pieces(part.content, fragment))
        elif isinstance(part, ToolCallPart):
            head = {"index": tool_index, "id": part.tool_call_id, "type": "function"}
            out.append(
                chunk({"tool_calls": [{**head, "function": {"name": part.tool_name, "arguments": ""}}]})
            )
            for piece in pieces(part.args_as_json_str(), fragment):
                out.append(chunk({"tool_calls": [{"index": tool_index, "function": {"arguments": piece}}]}))
            tool_index += 1
    cited = cited_annotations(response)
    if cited:
        out.append(chunk({"annotations": cited}))
    out.append(chunk({}, finish_reason(response)))
    if include_usage and x_groq is None:
        out.append(encode_sse(json.dumps({**base, "choices": [], "usage": host.usage(response.usage)})))
    if done:
        out.append(encode_sse("[DONE]"))
    return b"".join(out)
