"""The request direction: our messages, tools and settings -> a Messages API `WireRequest`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..._params import ModelRequestParameters, ToolDefinition
from ...exceptions import UserError
from ...messages import (
    BinaryContent,
    CachePoint,
    CompactionPart,
    DocumentUrl,
    FileUrl,
    ImageUrl,
    ModelMessage,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    RetryPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
    _dump_json,
)
from ...profiles import DEFAULT_PROFILE, ModelProfile
from .._base import (
    CLAUDE_DEFAULT_THINKING_BUDGET,
    CLAUDE_THINKING_BUDGETS,
    WireRequest,
    assistant_blocks,
    block_messages,
    claude_portable_thinking,
    claude_thinking_enabled,
    claude_thinking_on,
    finish_request,
    resolve_tool_choice,
    tool_input,
)
from .common import ANTHROPIC_VERSION, PROVIDER_NAME, REDACTED, is_ours
from .native_tools import NativeRequest, call_block, native_request, return_block
from .variants import envelope, variant_of

__all__ = [
    "ANTHROPIC_VERSION",
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_THINKING_BUDGET",
    "PROVIDER_NAME",
    "THINKING_BUDGETS",
    "build_request",
    "map_messages",
    "messages_request",
]

DEFAULT_MAX_TOKENS = 8192
"""`max_tokens` when neither the settings nor the profile (`extra['max_tokens']`) say: every current Claude takes it."""
DEFAULT_THINKING_BUDGET = CLAUDE_DEFAULT_THINKING_BUDGET
"""`budget_tokens` of `thinking=True` (or `anthropic_thinking=True`) on a model without adaptive thinking."""
THINKING_BUDGETS = CLAUDE_THINKING_BUDGETS
"""`budget_tokens` for each portable `thinking` level on a model without adaptive thinking."""
_FILES = (FileUrl, BinaryContent)
_COMPACTION_BETA = "compact-2026-01-12"  # `context_management` (server-side compaction)
_SERVICE_TIERS = {"auto": "auto", "default": "standard_only", "priority": "auto"}
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
    """`POST v1/messages` (no `None`s in the body: the API rejects some of them), in the envelope of
    the platform the profile names (`extra['anthropic_variant']`: Bedrock's InvokeModel, Vertex's
    rawPredict; see `variants.py`).

    `settings` may carry the `anthropic_*` keys of `AnthropicModelSettings` (thinking, caching,
    betas, metadata, service tier, effort, container) and the portable `thinking` / `service_tier`.
    The profile's `extra` gives the model's default `max_tokens`, whether it thinks (adaptively) and
    which native tools and tool versions it runs. Prompted output needs nothing here: the agent puts
    the schema into the instructions.
    """
    variant = variant_of(profile)
    request = messages_request(messages, params, settings, model=model, stream=stream, profile=profile)
    return envelope(request, variant, model=model, stream=stream)


def messages_request(
    messages: Sequence[ModelMessage],
    params: ModelRequestParameters,
    settings: Mapping[str, Any] | None = None,
    *,
    model: str,
    stream: bool = False,
    profile: ModelProfile | None = None,
) -> WireRequest:
    """`build_request` as the Anthropic API takes it, before the platform's envelope: what the
    platform accepts in it (server tools, caching, service tiers) is already the platform's."""
    s: Mapping[str, Any] = settings or {}
    extra = (profile or DEFAULT_PROFILE).extra
    variant = variant_of(profile)
    native = native_request(params, s, extra, model)
    system, turns = map_messages(messages)
    if system and s.get("anthropic_cache_instructions"):
        system[-1]["cache_control"] = _cache_control(s["anthropic_cache_instructions"])
    if turns and s.get("anthropic_cache_messages"):
        _mark_last_block(turns, _cache_control(s["anthropic_cache_messages"]))
    if turns and s.get("anthropic_cache") and not variant.automatic_caching:
        _mark_last_block(turns, _cache_control(s["anthropic_cache"]))  # no top-level `cache_control` there

    thinking, effort = _thinking(s, extra, model)
    body: dict[str, Any] = {"model": model, "max_tokens": _max_tokens(s, extra, thinking)}
    if system:
        body["system"] = system
    body["messages"] = turns

    tools = [_tool(t) for t in params.tool_defs if not (native.memory and t.name == "memory")]
    tools += native.tools
    if tools:
        if s.get("anthropic_cache_tool_definitions"):
            tools[-1]["cache_control"] = _cache_control(s["anthropic_cache_tool_definitions"])
        body["tools"] = tools
        if params.tool_defs:
            body["tool_choice"] = _tool_choice(s, params, claude_thinking_on(thinking))
    if native.mcp_servers:
        body["mcp_servers"] = native.mcp_servers
    container = _container(messages, s, native)
    if container:
        body["container"] = container
    betas = [*native.betas]
    if s.get("anthropic_context_management"):
        body["context_management"] = s["anthropic_context_management"]
    if s.get("anthropic_context_management") or _has_compaction(turns):
        betas.append(_COMPACTION_BETA)  # a compaction block sent back needs the beta too

    if thinking is not None:
        body["thinking"] = thinking
    output_config: dict[str, Any] = {}
    effort = s.get("anthropic_effort") or effort
    if effort:
        output_config["effort"] = effort
    if params.output_mode == "native" and params.output_object is not None:
        output_config["format"] = {"type": "json_schema", "schema": params.output_object.json_schema}
    if output_config:
        body["output_config"] = output_config
    if s.get("anthropic_cache") and variant.automatic_caching:
        body["cache_control"] = _cache_control(s["anthropic_cache"])

    for key in _PASSED_THROUGH:
        if key in s:
            body[key] = s[key]
    if s.get("anthropic_metadata"):
        body["metadata"] = s["anthropic_metadata"]
    headers = {"content-type": "application/json", "anthropic-version": ANTHROPIC_VERSION}
    if variant.service_tier == "bedrock_header":
        tier = _bedrock_service_tier(s)
        if tier:
            headers["x-amzn-bedrock-service-tier"] = tier
    else:
        tier = _service_tier(s)
        if tier:
            body["service_tier"] = tier
    if stream:
        body["stream"] = True
    request = finish_request(WireRequest("POST", "v1/messages", body, headers), s)
    _merge_betas(request.headers, [*betas, *s.get("anthropic_betas", ())])
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


def _thinking(
    settings: Mapping[str, Any], extra: Mapping[str, Any], model: str
) -> tuple[dict[str, Any] | None, str | None]:
    """(`thinking`, the `output_config.effort` a portable level implies). `anthropic_thinking` wins over
    the portable `thinking` (`claude_portable_thinking`, which Bedrock's Claude models share)."""
    adaptive = bool(extra.get("adaptive_thinking"))
    setting = settings.get("anthropic_thinking")
    if setting is not None:
        if isinstance(setting, dict):
            return dict(setting), None
        if not isinstance(setting, bool):
            raise UserError(
                "`anthropic_thinking` takes True/False or a dict like {'type': 'enabled', 'budget_tokens': 2048}"
            )
        return (claude_thinking_enabled(adaptive) if setting else None), None
    return claude_portable_thinking(settings.get("thinking"), extra, model)


def _service_tier(settings: Mapping[str, Any]) -> str | None:
    """`anthropic_service_tier`, else the portable tier: `auto` and `priority` use Priority Tier capacity
    where the organisation has it (`auto`), `default` is `standard_only`; Anthropic has no flex tier."""
    if settings.get("anthropic_service_tier"):
        return str(settings["anthropic_service_tier"])
    tier = settings.get("service_tier")
    if tier is None:
        return None
    if tier not in _SERVICE_TIERS:
        raise UserError(
            f"Anthropic has no {tier!r} service tier (it has auto, priority and default): for cheaper, "
            "slower processing use its batch API (`wireai.batch`)"
        )
    return _SERVICE_TIERS[tier]


def _bedrock_service_tier(settings: Mapping[str, Any]) -> str | None:
    """Bedrock's tier for Claude (`X-Amzn-Bedrock-Service-Tier`): the portable `service_tier` as Bedrock
    names it (`auto` sends nothing: the account's default serves it); Anthropic's own tiers are not
    Bedrock's, so `anthropic_service_tier` there is a `UserError`."""
    if settings.get("anthropic_service_tier"):
        raise UserError(
            "Claude on Amazon Bedrock has Bedrock's service tiers, not Anthropic's: use the portable "
            "`service_tier` ('default', 'flex', 'priority') instead of `anthropic_service_tier`"
        )
    tier = settings.get("service_tier")
    return None if tier in (None, "auto") else str(tier)


def _container(
    messages: Sequence[ModelMessage], settings: Mapping[str, Any], native: NativeRequest
) -> str | None:
    """The code execution container to continue in: `anthropic_container` (False: a fresh one), else the
    one the latest Anthropic response in the history ran in. Programmatic tool calls can only be answered
    in their container, and the files the sandbox wrote live there."""
    setting = settings.get("anthropic_container")
    if setting is False:
        return None
    if isinstance(setting, str):
        return setting
    if not native.code_execution:
        return None
    for message in reversed(messages):
        if isinstance(message, ModelResponse) and is_ours(message.provider_name):
            container = (message.provider_details or {}).get("container_id")
            if isinstance(container, str):
                return container
    return None


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
        return [_tool_result(part)]
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
    """User content as blocks; a `CachePoint` puts `cache_control` on the block before it."""
    if isinstance(content, str):
        return [_text_block(content)] if content else []
    blocks: list[dict[str, Any]] = []
    for item in content:
        if isinstance(item, CachePoint):
            if not blocks:
                raise UserError(
                    "A CachePoint marks the end of the content to cache: put it after some content, not first"
                )
            blocks[-1]["cache_control"] = _cache_control(item.ttl)
        elif isinstance(item, str):
            if item:
                blocks.append(_text_block(item))
        else:
            blocks.append(_file_block(item))
    return blocks


def _tool_result(part: ToolReturnPart) -> dict[str, Any]:
    """A tool's result: its text, or (when it returned images or documents) text and file blocks, which
    Anthropic takes inside a `tool_result`; a `CachePoint` in it caches up to this block."""
    items = list(part.content) if isinstance(part.content, (list, tuple)) else [part.content]
    cache_points = [i for i in items if isinstance(i, CachePoint)]
    content: str | list[dict[str, Any]]
    if part.files():
        content = []
        for item in items:
            if isinstance(item, str):
                if item:
                    content.append(_text_block(item))
            elif not isinstance(item, CachePoint):
                content.append(
                    _file_block(item) if isinstance(item, _FILES) else _text_block(_dump_json(item))
                )
    else:
        rest = [i for i in items if not isinstance(i, CachePoint)]
        plain = replace(part, content=rest[0] if len(rest) == 1 else rest) if cache_points else part
        content = plain.model_response_str()
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": part.tool_call_id, "content": content}
    if cache_points:
        block["cache_control"] = _cache_control(cache_points[-1].ttl)
    return block


def _file_block(item: Any) -> dict[str, Any]:
    if isinstance(item, ImageUrl):
        return {"type": "image", "source": {"type": "url", "url": item.url}}
    if isinstance(item, DocumentUrl):
        if item.media_type != "application/pdf":
            raise UserError(
                f"Anthropic takes documents by URL only as PDF, not {item.media_type!r}: "
                "download it and pass `BinaryContent` instead"
            )
        return {"type": "document", "source": {"type": "url", "url": item.url}}
    if isinstance(item, BinaryContent):
        return _binary_block(item)
    raise UserError(f"Anthropic does not accept {type(item).__name__} input")


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
    return assistant_blocks(
        response,
        _text_block,
        _tool_use_block,
        _thinking_block,
        text_part_block=_cited_text_block if is_ours(response.provider_name) else None,
        native_block=_native_block,
        compaction_block=_compaction_block,
    )


def _cited_text_block(part: TextPart) -> dict[str, Any]:
    """Our own text goes back with the `citations` it came with (web search, web fetch, documents),
    less what only an answer's citation has: a document citation's `file_id`, which the request's
    citation objects do not have (their description closes them)."""
    block = _text_block(part.content)
    citations = (part.provider_details or {}).get("citations")
    if isinstance(citations, list) and citations:
        block["citations"] = [
            {k: v for k, v in c.items() if k != "file_id"} if isinstance(c, dict) else c for c in citations
        ]
    return block


def _native_block(part: NativeToolCallPart | NativeToolReturnPart) -> dict[str, Any] | None:
    """A server tool's call or result, back to Anthropic as it came; another vendor's is dropped."""
    if not is_ours(part.provider_name):
        return None
    return call_block(part) if isinstance(part, NativeToolCallPart) else return_block(part)


def _compaction_block(part: CompactionPart) -> dict[str, Any] | None:
    """Anthropic's own compaction block goes back as it came (the API then drops every block before
    it); anyone else's compaction is dropped. A summary is never empty: a failed one is `null`."""
    if not is_ours(part.provider_name):
        return None
    return {"type": "compaction", "content": part.content or None, **(part.provider_details or {})}


def _tool_use_block(part: ToolCallPart) -> dict[str, Any]:
    """A `tool_use`; one the code execution sandbox made (programmatic tool calling) keeps its `caller`."""
    block = {"type": "tool_use", "id": part.tool_call_id, "name": part.tool_name, "input": tool_input(part)}
    caller = (part.provider_details or {}).get("caller")
    if isinstance(caller, dict) and isinstance(caller.get("type"), str):
        block["caller"] = caller
    return block


def _thinking_block(part: ThinkingPart) -> dict[str, Any] | None:
    """Anthropic's own thinking goes back verbatim with its signature; anyone else's is dropped."""
    details = part.provider_details or {}
    redacted = details.get(REDACTED)
    if isinstance(redacted, str):
        return {"type": "redacted_thinking", "data": redacted}
    if part.signature and is_ours(part.provider_name):
        return {"type": "thinking", "thinking": part.content, "signature": part.signature}
    return None


def _has_compaction(turns: list[dict[str, Any]]) -> bool:
    return any(b.get("type") == "compaction" for t in turns if t["role"] == "assistant" for b in t["content"])


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
    if tool.allowed_callers:
        out["allowed_callers"] = list(tool.allowed_callers)
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
