"""Native tools over chat completions: each host's wire form for them, and what comes back.

Chat completions has no one shape for vendor-run tools, so which model runs what, and how it is
asked, is profile data (`ChatOptions.native_tools`, a tuple of the forms below):

| form | kind | request | host |
|---|---|---|---|
| `web_search_options` | web_search | top-level `web_search_options` | OpenAI's search models |
| `search_settings` | web_search | top-level `search_settings` (domain filters); search is always on | Groq compound systems |
| `browser_search` | web_search | `tools: [{"type": "browser_search"}]` | Groq's gpt-oss models |
| `openrouter:web_search` | web_search | `tools: [{"type": "openrouter:web_search", "parameters"}]` | OpenRouter, every model |
| `compound_code` | code_execution | nothing: compound systems run code unasked | Groq compound systems |
| `code_interpreter` | code_execution | `tools: [{"type": "code_interpreter"}]` | Groq's gpt-oss models |

What the tools did comes back as Groq's `executed_tools` (in the message, and item by item in
stream deltas: first the call with its arguments, then the same `index` with its output) — read
into `NativeToolCallPart` / `NativeToolReturnPart` — and as `annotations` (`url_citation`) on the
message, kept on the `TextPart`'s `provider_details`. No host takes either back in a request, so
both are left out of the history sent (the answer's text goes back as usual).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..._params import ModelRequestParameters
from ...exceptions import UserError
from ...messages import NativeToolCallPart, NativeToolReturnPart
from ...native_tools import AbstractNativeTool, WebSearchTool
from .._base import block_index, check_native_tools, obj, text
from .options import ChatOptions

__all__ = ["FORMS", "add_native_tools", "executed_tool_parts", "native_tool_name"]


def _web_search_options(body: dict[str, Any], tool: AbstractNativeTool, model: str) -> None:
    assert isinstance(tool, WebSearchTool)
    _no_domain_filters(tool, model, "OpenAI chat's `web_search_options`")
    options: dict[str, Any] = {"search_context_size": tool.search_context_size}
    if tool.user_location:
        options["user_location"] = {"type": "approximate", "approximate": dict(tool.user_location)}
    body["web_search_options"] = options


def _domains(tool: WebSearchTool, allowed: str, blocked: str) -> dict[str, Any]:
    """The tool's domain lists under the host's names for them (only those given)."""
    lists = {allowed: tool.allowed_domains, blocked: tool.blocked_domains}
    return {key: list(domains) for key, domains in lists.items() if domains}


def _search_settings(body: dict[str, Any], tool: AbstractNativeTool, model: str) -> None:
    assert isinstance(tool, WebSearchTool)
    settings = _domains(tool, "include_domains", "exclude_domains")
    if settings:
        body["search_settings"] = settings


def _browser_search(body: dict[str, Any], tool: AbstractNativeTool, model: str) -> None:
    assert isinstance(tool, WebSearchTool)
    _no_domain_filters(tool, model, "Groq's `browser_search` tool")
    body.setdefault("tools", []).append({"type": "browser_search"})


def _openrouter_web_search(body: dict[str, Any], tool: AbstractNativeTool, model: str) -> None:
    assert isinstance(tool, WebSearchTool)
    parameters = _domains(tool, "allowed_domains", "excluded_domains")
    if tool.search_context_size != "medium":  # OpenRouter's default too
        parameters["search_context_size"] = tool.search_context_size
    entry: dict[str, Any] = {"type": "openrouter:web_search"}
    if parameters:
        entry["parameters"] = parameters
    body.setdefault("tools", []).append(entry)


def _nothing_to_send(body: dict[str, Any], tool: AbstractNativeTool, model: str) -> None:
    """Compound systems run code whenever the question needs it."""


def _code_interpreter(body: dict[str, Any], tool: AbstractNativeTool, model: str) -> None:
    body.setdefault("tools", []).append({"type": "code_interpreter"})


def _no_domain_filters(tool: WebSearchTool, model: str, where: str) -> None:
    # Domain filters restrict what the answer may draw on: dropping them silently is not an option.
    if tool.allowed_domains or tool.blocked_domains:
        raise UserError(
            f"{where} ({model}) has no domain filters: drop `allowed_domains`/`blocked_domains`"
            " or use a vendor that filters (Anthropic, OpenAI Responses, Groq compound)"
        )


FORMS: Mapping[str, tuple[str, Callable[[dict[str, Any], AbstractNativeTool, str], None]]] = {
    "web_search_options": ("web_search", _web_search_options),
    "search_settings": ("web_search", _search_settings),
    "browser_search": ("web_search", _browser_search),
    "openrouter:web_search": ("web_search", _openrouter_web_search),
    "compound_code": ("code_execution", _nothing_to_send),
    "code_interpreter": ("code_execution", _code_interpreter),
}
"""Wire form -> (the native tool kind it runs, what it adds to the body)."""


def add_native_tools(
    body: dict[str, Any], params: ModelRequestParameters, opts: ChatOptions, model: str
) -> None:
    """Put the request's native tools in `body` the way this model takes them; a tool it cannot run
    is a `UserError` (before any request) naming the vendors that can."""
    forms = {FORMS[form][0]: FORMS[form][1] for form in reversed(opts.native_tools) if form in FORMS}
    check_native_tools(params, forms, f"OpenAI chat model {model!r}", note=opts.native_tools_note)
    for tool in params.native_tools:
        forms[tool.kind](body, tool, model)


# --------------------------------------------------------------------------------------------- response

# Groq's `executed_tools[].type` -> the native tool kind it is (others keep their own name).
_EXECUTED_KINDS = {
    "search": "web_search",
    "web_search": "web_search",
    "browser_search": "web_search",
    "browser.search": "web_search",
    "python": "code_execution",
    "code_interpreter": "code_execution",
    "visit": "web_fetch",
    "visit_website": "web_fetch",
    "browser.open": "web_fetch",
}


def native_tool_name(kind: str) -> str:
    """The `tool_name` of a native part for one of Groq's executed tool types."""
    return _EXECUTED_KINDS.get(kind, kind)


def executed_tool_parts(
    item: Mapping[str, Any], timestamp: datetime, *, with_call: bool = True
) -> tuple[NativeToolCallPart | None, NativeToolReturnPart | None]:
    """One of Groq's `executed_tools` entries as the call it made and, once it carries an output,
    what it returned (search results, code results, browser results or the output text). The call
    id is made from the entry's `index`: Groq gives none, and a stream's later delta for the same
    tool names only the index."""
    kind = text(item.get("type")) or "unknown"
    index = block_index(item, "index", "Groq executed_tools")
    call_id = f"executed_tool_{index}"
    name = native_tool_name(kind)
    call = None
    if with_call:
        arguments = item.get("arguments")
        call = NativeToolCallPart(
            name,
            arguments if isinstance(arguments, (str, dict)) else None,
            call_id,
            provider_details={"type": kind, "index": index},
        )
    result_keys = ("search_results", "code_results", "browser_results", "output")
    if all(item.get(key) in (None, [], {}) for key in result_keys):
        return call, None
    search = obj(item.get("search_results"))
    if search.get("results") or search.get("images"):
        content: Any = search
    elif item.get("code_results"):
        content = item["code_results"]
    elif item.get("browser_results"):
        content = item["browser_results"]
    else:
        content = item.get("output")
    details = {k: v for k, v in item.items() if k != "arguments"}
    return call, NativeToolReturnPart(name, content, call_id, timestamp=timestamp, provider_details=details)
