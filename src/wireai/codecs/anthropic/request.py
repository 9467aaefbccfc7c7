"""The request direction: our messages, tools and settings -> a Messages API `WireRequest`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..._params import ModelRequestParameters, ToolDefinition
from ...exceptions import UserError
from ...messages import (
    BinaryContent,
    DocumentUrl,
    ImageUrl,
    ModelMessage,
    ModelResponse,
    RetryPromptPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from ...profiles import DEFAULT_PROFILE, ModelProfile
from .._base import (
    WireRequest,
    assistant_blocks,
    block_messages,
    check_native_tools,
    claude_thinking_on,
    finish_request,
    resolve_tool_choice,
    tool_input,
)

__all__ = [
    "ANTHROPIC_VERSION",
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_THINKING_BUDGET",
    "PROVIDER_NAME",
    "build_request",
    "map_messages",
]

ANTHROPIC_VERSION = "2023-06-01"
PROVIDER_NAME = "anthropic"
DEFAULT_MAX_TOKENS = 8192
"""`max_tokens` when neither the settings nor the profile (`extra['max_tokens']`) say: every current Claude takes it."""
DEFAULT_THINKING_BUDGET = 4096
"""`budget_tokens` of `anthropic_thinking=True` on a model without adaptive thinking."""

REDACTED = "redacted_thinking"  # ThinkingPart.provider_details key holding a redacted block's `data`
_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_PASSED_THROUGH = ("temperature", "top_p", "top_k", "stop_sequences")


def build_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    stream: bool = False,
    profile: ModelProfile | None = None,
) -> WireRequest:
    """`POST v1/messages` (no `None`s in the body: the API rejects some of them).

    `settings` may carry the `anthropic_*` keys of `AnthropicModelSettings` (thinking, caching,
    betas, metadata, service tier, effort). The profile's `extra` gives the model's default
    `max_tokens` and whether `anthropic_thinking=True` means adaptive thinking. Prompted output
    needs nothing here: the agent puts the schema into the instructions.
    """
    s: Mapping[str, Any] = settings or {}
    check_native_tools(params, (), "Anthropic")
    extra = (profile or DEFAULT_PROFILE).extra
    system, turns = map_messages(messages)
    if system and s.get("anthropic_cache_instructions"):
        system[-1]["cache_control"] = _cache_control(s["anthropic_cache_instructions"])
    if turns and s.get("anthropic_cache_messages"):
        _mark_last_block(turns, _cache_control(s["anthropic_cache_messages"]))

    thinking = _thinking(s.get("anthropic_thinking"), bool(extra.get("adaptive_thinking")))
    body: dict[str, Any] = {"model": model, "max_tokens": _max_tokens(s, extra, thinking)}
    if system:
        body["system"] = system
    body["messages"] = turns

    tool_defs = params.tool_defs
    if tool_defs:
        tools = [_tool(t) for t in tool_defs]
        if s.get("anthropic_cache_tool_definitions"):
            tools[-1]["cache_control"] = _cache_control(s["anthropic_cache_tool_definitions"])
        body["tools"] = tools
        body["tool_choice"] = _tool_choice(s, params, claude_thinking_on(thinking))

    if thinking is not None:
        body["thinking"] = thinking
    output_config: dict[str, Any] = {}
    if s.get("anthropic_effort"):
        output_config["effort"] = s["anthropic_effort"]
    if params.output_mode == "native" and params.output_object is not None:
        output_config["format"] = {"type": "json_schema", "schema": params.output_object.json_schema}
    if output_config:
        body["output_config"] = output_config
    if s.get("anthropic_cache"):
        body["cache_control"] = _cache_control(s["anthropic_cache"])

    for key in _PASSED_THROUGH:
        if key in s:
            body[key] = s[key]
    if s.get("anthropic_metadata"):
        body["metadata"] = s["anthropic_metadata"]
    if s.get("anthropic_service_tier"):
        body["service_tier"] = s["anthropic_service_tier"]
    if stream:
        body["stream"] = True
    request = finish_request(
        WireRequest(
            "POST",
            "v1/messages",
            body,
            {"content-type": "application/json", "anthropic-version": ANTHROPIC_VERSION},
        ),
        s,
    )
    _merge_betas(request.headers, s.get("anthropic_betas", ()))
    return request


def _max_tokens(
    settings: Mapping[str, Any], extra: Mapping[str, Any], thinking: dict[str, Any] | None
) -> int:
    """The setting, else the model's default — raised above a thinking budget that would not fit in it."""
    if settings.get("max_tokens") is not None:
        return int(settings["max_tokens"])
    default = int(extra.get("max_tokens", DEFAULT_MAX_TOKENS))
    budget = int((thinking or {}).get("budget_tokens", 0))
    return default if budget < default else budget + default


def _thinking(setting: Any, adaptive: bool) -> dict[str, Any] | None:
    if setting is None or setting is False:
        return None
    if setting is True:
        return (
            {"type": "adaptive"}
            if adaptive
            else {"type": "enabled", "budget_tokens": DEFAULT_THINKING_BUDGET}
        )
    if isinstance(setting, dict):
        return dict(setting)
    raise UserError(
        "`anthropic_thinking` takes True/False or a dict like {'type': 'enabled', 'budget_tokens': 2048}"
    )


def _merge_betas(headers: dict[str, str], setting: Iterable[str]) -> None:
    """One `anthropic-beta` header: the `anthropic_betas` setting, then any from `extra_headers` (in
    any case of the name), each beta once, in first-seen order."""
    given = list(setting)
    for name in [n for n in headers if n.lower() == "anthropic-beta"]:
        given.append(headers.pop(name))
    betas: list[str] = []
    for item in given:
        for beta in item.split(","):
            beta = beta.strip()
            if beta and beta not in betas:
                betas.append(beta)
    if betas:
        headers["anthropic-beta"] = ",".join(betas)


def map_messages(messages: Sequence[ModelMessage]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Our history -> (`system` text blocks, `messages` turns with same-role neighbours merged)."""
    return block_messages(messages, _text_block, _request_blocks, _assistant_content)


def _text_block(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def _request_blocks(part: Any) -> list[dict[str, Any]]:
    if isinstance(part, UserPromptPart):
        return _user_content(part.content)
    if isinstance(part, ToolReturnPart):
        return [
            {"type": "tool_result", "tool_use_id": part.tool_call_id, "content": part.model_response_str()}
        ]
    if isinstance(part, RetryPromptPart):
        if part.tool_name is None:
            return [_text_block(part.model_response())]
        return [
            {
                "type": "tool_result",
                "tool_use_id": part.tool_call_id,
                "content": part.model_response(),
                "is_error": True,
            }
        ]
    return []


def _user_content(content: str | Sequence[Any]) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [_text_block(content)] if content else []
    blocks: list[dict[str, Any]] = []
    for item in content:
        if isinstance(item, str):
            if item:
                blocks.append(_text_block(item))
        elif isinstance(item, ImageUrl):
            blocks.append({"type": "image", "source": {"type": "url", "url": item.url}})
        elif isinstance(item, DocumentUrl):
            if item.media_type != "application/pdf":
                raise UserError(
                    f"Anthropic takes documents by URL only as PDF, not {item.media_type!r}: "
                    "download it and pass `BinaryContent` instead"
                )
            blocks.append({"type": "document", "source": {"type": "url", "url": item.url}})
        elif isinstance(item, BinaryContent):
            blocks.append(_binary_block(item))
        else:
            raise UserError(f"Anthropic does not accept {type(item).__name__} input")
    return blocks


def _binary_block(item: BinaryContent) -> dict[str, Any]:
    if item.is_image:
        if item.media_type not in _IMAGE_TYPES:
            raise UserError(
                f"Anthropic takes images as {', '.join(sorted(_IMAGE_TYPES))}, not {item.media_type!r}"
            )
        return {
            "type": "image",
            "source": {"type": "base64", "media_type": item.media_type, "data": item.base64},
        }
    if item.media_type == "application/pdf":
        return {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": item.base64},
        }
    if item.media_type.startswith("text/"):
        text = item.data.decode("utf-8", errors="replace")
        return {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": text}}
    raise UserError(f"Anthropic does not accept {item.media_type!r} content (images, PDF and text only)")


def _assistant_content(response: ModelResponse) -> list[dict[str, Any]]:
    return assistant_blocks(response, _text_block, _tool_use_block, _thinking_block)


def _tool_use_block(part: ToolCallPart) -> dict[str, Any]:
    return {"type": "tool_use", "id": part.tool_call_id, "name": part.tool_name, "input": tool_input(part)}


def _thinking_block(part: ThinkingPart) -> dict[str, Any] | None:
    """Anthropic's own thinking goes back verbatim with its signature; anyone else's is dropped."""
    details = part.provider_details or {}
    redacted = details.get(REDACTED)
    if isinstance(redacted, str):
        return {"type": "redacted_thinking", "data": redacted}
    if part.signature and part.provider_name in (PROVIDER_NAME, None):
        return {"type": "thinking", "thinking": part.content, "signature": part.signature}
    return None


def _mark_last_block(turns: list[dict[str, Any]], cache_control: dict[str, Any]) -> None:
    for block in reversed(turns[-1]["content"]):
        if block.get("type") not in ("thinking", "redacted_thinking"):  # these take no cache_control
            block["cache_control"] = cache_control
            return


def _cache_control(setting: bool | str) -> dict[str, Any]:
    control: dict[str, Any] = {"type": "ephemeral"}
    if isinstance(setting, str):
        control["ttl"] = setting
    return control


def _tool(tool: ToolDefinition) -> dict[str, Any]:
    out: dict[str, Any] = {"name": tool.name}
    if tool.description:
        out["description"] = tool.description
    out["input_schema"] = tool.parameters_json_schema
    if tool.strict:
        out["strict"] = True
    return out


_CHOICES = {"auto": {"type": "auto"}, "none": {"type": "none"}, "required": {"type": "any"}}


def _tool_choice(
    settings: Mapping[str, Any], params: ModelRequestParameters, thinking_on: bool
) -> dict[str, Any]:
    # With extended thinking on, the API accepts only `auto`/`none`.
    wanted = resolve_tool_choice(
        settings, params.allow_text_output, (t.name for t in params.tool_defs), can_force=not thinking_on
    )
    choice: dict[str, Any] = dict(_CHOICES.get(wanted) or {"type": "tool", "name": wanted})
    if settings.get("parallel_tool_calls") is False:
        choice["disable_parallel_tool_use"] = True
    return choice
