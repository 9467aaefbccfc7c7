"""Anthropic's server tools: the `tools` / `mcp_servers` entries and betas a request needs for our native
tools, and the server-tool content blocks read into `NativeToolCallPart` / `NativeToolReturnPart` and
written back.

A server tool's call is a `server_tool_use` block (`mcp_tool_use` for remote MCP servers) and its result a
`*_tool_result` block (`web_search_tool_result`, `bash_code_execution_tool_result`, `mcp_tool_result`...).
A part keeps the block's `input` / `content` as `args` / `content` and every other field of the block
(`type`, `name`, `caller`, `server_name`, `is_error`) as `provider_details`, so the block goes back to
Anthropic exactly as it came; `tool_name` is our portable kind (`web_search`, `web_fetch`,
`code_execution`, `mcp_server:<server>`). The memory tool is the exception: Anthropic runs nothing, the
model calls a client tool named `memory` (a plain `tool_use`), which the agent runs like any function tool.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..._params import ModelRequestParameters
from ...exceptions import UserError
from ...messages import NativeToolCallPart, NativeToolReturnPart
from ...native_tools import (
    AbstractNativeTool,
    CodeExecutionTool,
    MCPServerTool,
    MemoryTool,
    WebFetchTool,
    WebSearchTool,
)
from .._base import check_native_tools, obj, text
from .common import PROVIDER_NAME
from .variants import variant_of

__all__ = [
    "CODE_EXECUTION_VERSIONS",
    "KINDS",
    "NativeRequest",
    "call_block",
    "call_part",
    "is_call_block",
    "is_result_block",
    "native_request",
    "return_block",
    "return_part",
]

KINDS = ("web_search", "web_fetch", "code_execution", "mcp_server", "memory")
"""The native tool kinds Anthropic runs (a model's profile may narrow them: `extra['native_tools']`)."""

CODE_EXECUTION_VERSIONS = ("20260120", "20250825", "20250522")
"""`code_execution_<version>` tool versions, newest first; the profile's `extra['code_execution_versions']`
lists a model's, its first being the default."""

# Betas: the tool versions that still need one, and the features built on them.
_CODE_EXECUTION_BETAS = {"20250825": "code-execution-2025-08-25", "20250522": "code-execution-2025-05-22"}
_WEB_FETCH_BETA = "web-fetch-2025-09-10"  # web_fetch_20250910 (web_fetch_20260209 needs none)
_MCP_BETA = "mcp-client-2025-11-20"
_MEMORY_BETA = "context-management-2025-06-27"
_PROGRAMMATIC_BETA = "advanced-tool-use-2025-11-20"  # tools called from code_execution_20250825

_CALL_BLOCKS = ("server_tool_use", "mcp_tool_use")
_KIND_OF_NAME = {"bash_code_execution": "code_execution", "text_editor_code_execution": "code_execution"}
_RESULT_OF_KIND = {
    "web_search": "web_search_tool_result",
    "web_fetch": "web_fetch_tool_result",
    "code_execution": "code_execution_tool_result",
}
_KIND_OF_RESULT = {
    **{v: k for k, v in _RESULT_OF_KIND.items()},
    "bash_code_execution_tool_result": "code_execution",
    "text_editor_code_execution_tool_result": "code_execution",
}
_MCP_PREFIX = "mcp_server:"


# ============================================================================================ requests


@dataclass
class NativeRequest:
    """What the native tools add to one request."""

    tools: list[dict[str, Any]] = field(default_factory=list)
    mcp_servers: list[dict[str, Any]] = field(default_factory=list)
    betas: list[str] = field(default_factory=list)
    memory: bool = False
    """The `memory` function tool is sent as Anthropic's memory tool (its calls stay client-executed)."""
    code_execution: bool = False


def native_request(
    params: ModelRequestParameters, settings: Mapping[str, Any], extra: Mapping[str, Any], model: str
) -> NativeRequest:
    """The entries for `params.native_tools`; a tool this model, or the platform serving it, cannot
    run is a `UserError`."""
    out = NativeRequest()
    if params.native_tools:  # most requests have none: nothing to look up for them
        _add_all(out, params, extra, model)
    version = _code_execution_version(params, settings, extra, model, out.code_execution)
    if version is not None:
        out.tools.append({"type": f"code_execution_{version}", "name": "code_execution"})
        if version in _CODE_EXECUTION_BETAS:
            out.betas.append(_CODE_EXECUTION_BETAS[version])
        if version == "20250825" and _programmatic_callers(params):
            out.betas.append(_PROGRAMMATIC_BETA)
    return out


def _add_all(
    out: NativeRequest, params: ModelRequestParameters, extra: Mapping[str, Any], model: str
) -> None:
    check_native_tools(params, KINDS, "Anthropic")
    variant = variant_of(extra)
    allowed = extra.get("native_tools", KINDS)
    for tool in params.native_tools:
        if tool.kind not in variant.native_tools:
            raise UserError(
                f"{type(tool).__name__} is not available on {variant.label} ({model}), which runs "
                f"only {', '.join(variant.native_tools) or 'none'} of Anthropic's native tools: use the "
                "Anthropic API (AnthropicProvider) for it"
            )
        if tool.kind not in allowed:
            raise UserError(
                f"{type(tool).__name__} is not available on {model}: Anthropic runs it on newer Claude models"
            )
        _add(out, tool, params, extra)


def _add(
    out: NativeRequest,
    tool: AbstractNativeTool,
    params: ModelRequestParameters,
    extra: Mapping[str, Any],
) -> None:
    dynamic = bool(extra.get("web_tools_20260209", True))  # dynamic filtering of web results
    if isinstance(tool, WebSearchTool):
        entry: dict[str, Any] = {
            "type": "web_search_20260209" if dynamic else "web_search_20250305",
            "name": "web_search",
        }
        out.tools.append(_web_options(entry, tool.max_uses, tool.allowed_domains, tool.blocked_domains))
        if tool.user_location:
            entry["user_location"] = {"type": "approximate", **tool.user_location}
    elif isinstance(tool, WebFetchTool):
        entry = {"type": "web_fetch_20260209" if dynamic else "web_fetch_20250910", "name": "web_fetch"}
        out.tools.append(_web_options(entry, tool.max_uses, tool.allowed_domains, tool.blocked_domains))
        if tool.enable_citations:
            entry["citations"] = {"enabled": True}
        if tool.max_content_tokens is not None:
            entry["max_content_tokens"] = tool.max_content_tokens
        if not dynamic:
            out.betas.append(_WEB_FETCH_BETA)
    elif isinstance(tool, CodeExecutionTool):
        out.code_execution = True  # its entry is added last: its version may follow `allowed_callers`
    elif isinstance(tool, MCPServerTool):
        out.mcp_servers.append(_mcp_server(tool))
        toolset: dict[str, Any] = {"type": "mcp_toolset", "mcp_server_name": tool.id}
        if tool.allowed_tools is not None:
            toolset["default_config"] = {"enabled": False}
            if tool.allowed_tools:
                toolset["configs"] = {name: {"enabled": True} for name in tool.allowed_tools}
        out.tools.append(toolset)
        if _MCP_BETA not in out.betas:
            out.betas.append(_MCP_BETA)
    elif isinstance(tool, MemoryTool):
        if not any(t.name == "memory" for t in params.function_tools):
            raise UserError(
                "MemoryTool needs a function tool named `memory` that carries out the model's memory "
                "commands (view, create, str_replace, insert, delete, rename) in your storage"
            )
        out.memory = True
        out.tools.append({"type": "memory_20250818", "name": "memory"})
        out.betas.append(_MEMORY_BETA)


def _web_options(
    entry: dict[str, Any], max_uses: int | None, allowed: list[str] | None, blocked: list[str] | None
) -> dict[str, Any]:
    if allowed and blocked:
        raise UserError("Anthropic takes `allowed_domains` or `blocked_domains`, not both")
    if max_uses is not None:
        entry["max_uses"] = max_uses
    if allowed:
        entry["allowed_domains"] = list(allowed)
    if blocked:
        entry["blocked_domains"] = list(blocked)
    return entry


def _mcp_server(tool: MCPServerTool) -> dict[str, Any]:
    if tool.headers:
        raise UserError(
            "Anthropic's MCP connector sends no custom headers to the server: pass the credential as "
            "`authorization_token` (an OAuth bearer token) instead of `headers`"
        )
    server: dict[str, Any] = {"type": "url", "url": tool.url, "name": tool.id}
    if tool.authorization_token:
        server["authorization_token"] = tool.authorization_token
    return server


def _programmatic_callers(params: ModelRequestParameters) -> set[str]:
    """The code-execution versions named in the tools' `allowed_callers` (programmatic tool calling)."""
    return {c for t in params.tool_defs for c in (t.allowed_callers or ()) if c.startswith("code_execution_")}


def _code_execution_version(
    params: ModelRequestParameters,
    settings: Mapping[str, Any],
    extra: Mapping[str, Any],
    model: str,
    requested: bool,
) -> str | None:
    """The code execution tool version to send: the setting, else the one the tools' `allowed_callers`
    name, else the model's default; None without `CodeExecutionTool`."""
    callers = sorted(c.removeprefix("code_execution_") for c in _programmatic_callers(params))
    if not requested:
        if callers:
            raise UserError(
                "A tool with `allowed_callers` naming code execution needs `CodeExecutionTool()` in the "
                "agent's native tools"
            )
        return None
    supported = tuple(extra.get("code_execution_versions", CODE_EXECUTION_VERSIONS))
    wanted = settings.get("anthropic_code_execution_tool_version")
    if len(callers) > 1 or (wanted and callers and callers != [wanted]):
        raise UserError(
            f"Tools are called from code_execution_{', code_execution_'.join(callers)} but one request "
            f"sends one code execution tool{f' (code_execution_{wanted})' if wanted else ''}"
        )
    version = wanted or (callers[0] if callers else supported[0])
    if version not in supported:
        raise UserError(
            f"code_execution_{version} is not available on {model}; it takes "
            + ", ".join(f"code_execution_{v}" for v in supported)
        )
    return str(version)


# ============================================================================================ responses


def is_call_block(kind: Any) -> bool:
    """A server tool's call block (`server_tool_use`, `mcp_tool_use`; newer `*_tool_use` types too)."""
    return isinstance(kind, str) and (
        kind in _CALL_BLOCKS or (kind.endswith("_tool_use") and kind != "tool_use")
    )


def is_result_block(kind: Any) -> bool:
    """A server tool's result block (`web_search_tool_result`, `mcp_tool_result`, ...)."""
    return isinstance(kind, str) and kind.endswith("_tool_result") and kind != "tool_result"


def call_part(block: Mapping[str, Any]) -> NativeToolCallPart:
    """A `server_tool_use` / `mcp_tool_use` block (with its whole `input`) as a native call part."""
    name = text(block.get("name")) or ""
    if block.get("type") == "mcp_tool_use":
        kind = _MCP_PREFIX + (text(block.get("server_name")) or "")
    else:
        kind = _KIND_OF_NAME.get(name, name)
    given = block.get("input")
    return NativeToolCallPart(
        kind,
        given if isinstance(given, dict) else {},
        tool_call_id=text(block.get("id")) or "",
        provider_name=PROVIDER_NAME,
        provider_details={k: v for k, v in block.items() if k not in ("id", "input")},
    )


def return_part(block: Mapping[str, Any], kind_of_call: Callable[[str], str | None]) -> NativeToolReturnPart:
    """A `*_tool_result` block as a native return part; `kind_of_call(id)` names the call's kind when the
    block type does not (an MCP result is named after the server of its call)."""
    kind = str(block.get("type"))
    call_id = text(block.get("tool_use_id")) or ""
    name = _KIND_OF_RESULT.get(kind) or kind_of_call(call_id) or kind.removesuffix("_tool_result")
    return NativeToolReturnPart(
        name,
        block.get("content"),
        tool_call_id=call_id,
        provider_name=PROVIDER_NAME,
        provider_details={k: v for k, v in block.items() if k not in ("tool_use_id", "content")},
    )


def call_block(part: NativeToolCallPart) -> dict[str, Any] | None:
    """The block a native call part goes back as; None for one whose block cannot be known (another
    vendor's kind made without Anthropic's details)."""
    details = dict(part.provider_details or {})
    if not is_call_block(details.get("type")):
        if part.tool_name not in _RESULT_OF_KIND:
            return None
        details = {"type": "server_tool_use", "name": part.tool_name}
    try:
        args = part.args_as_dict()
    except ValueError:
        args = {}  # a stream cut inside the input: the API wants an object
    return {**details, "id": part.tool_call_id, "input": args}


def return_block(part: NativeToolReturnPart) -> dict[str, Any] | None:
    """The block a native return part goes back as (its type from the details, else from its kind and
    the shape of its content); None where it cannot be known."""
    details = dict(part.provider_details or {})
    if not is_result_block(details.get("type")):
        kind = _default_result_type(part.tool_name, part.content)
        if kind is None:
            return None
        details = {"type": kind}
    return {**details, "tool_use_id": part.tool_call_id, "content": part.content}


def _default_result_type(kind: str, content: Any) -> str | None:
    if kind.startswith(_MCP_PREFIX):
        return "mcp_tool_result"
    if kind == "code_execution":
        shape = text(obj(content).get("type")) or ""
        for prefix in ("bash_code_execution", "text_editor_code_execution"):
            if shape.startswith(prefix):
                return f"{prefix}_tool_result"
    return _RESULT_OF_KIND.get(kind)
