"""Bedrock's system tools (Amazon Nova's `nova_code_interpreter`), both directions.

Requested as `toolConfig.tools[] {systemTool: {name}}`. Bedrock runs the tool itself and answers with
the call and its result inside the assistant message: a `toolUse` block marked
`type: "server_tool_use"` and a `toolResult` block whose `type` names the result
(`nova_code_interpreter_result`), its content the sandbox's `{stdOut, stdErr, exitCode, isError}`.
Such a call must never become a `ToolCallPart` (the agent would try to run a tool that does not
exist): it is a `NativeToolCallPart`, its result a `NativeToolReturnPart`, and both go back in the
history exactly as received (the raw result content is kept in `provider_details`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from ..._params import ModelRequestParameters
from ...messages import NativeToolCallPart, NativeToolReturnPart
from ...profiles import ModelProfile
from .._base import check_native_tools, obj, text
from .common import PROVIDER_NAME

__all__ = [
    "SERVER_TOOL_USE",
    "SYSTEM_TOOLS",
    "check_native_tools_for",
    "is_server_tool_use",
    "native_call_block",
    "native_call_part",
    "native_return_block",
    "native_return_part",
    "result_content",
    "system_tool_entries",
    "wire_tool_name",
]

SERVER_TOOL_USE = "server_tool_use"

SYSTEM_TOOLS: dict[str, str] = {"code_execution": "nova_code_interpreter"}
"""Native tool kind -> the Converse system tool that runs it."""

_KINDS = {wire: kind for kind, wire in SYSTEM_TOOLS.items()}


def check_native_tools_for(params: ModelRequestParameters, profile: ModelProfile, model: str) -> None:
    """A `UserError` for a native tool this model cannot run: which ones it can is profile data
    (`extra['bedrock_native_tools']`; `nova_code_interpreter` is Amazon Nova 2's only)."""
    supported: Collection[str] = profile.extra.get("bedrock_native_tools", ())
    note = "" if supported else "Bedrock runs nova_code_interpreter for Amazon Nova 2 models only"
    check_native_tools(params, supported, f"Bedrock model {model!r}", note=note)


def system_tool_entries(params: ModelRequestParameters) -> list[dict[str, Any]]:
    """The `toolConfig.tools[]` entries of this request's native tools (checked beforehand)."""
    return [{"systemTool": {"name": SYSTEM_TOOLS[tool.kind]}} for tool in params.native_tools]


def is_server_tool_use(tool_use: Mapping[str, Any]) -> bool:
    """A `toolUse` (or its stream start) that Bedrock ran itself."""
    return tool_use.get("type") == SERVER_TOOL_USE


def wire_tool_name(part: NativeToolCallPart | NativeToolReturnPart) -> str:
    """The system tool's name on the wire: as received, else the one that runs the part's kind."""
    name = (part.provider_details or {}).get("name")
    return name if isinstance(name, str) else SYSTEM_TOOLS.get(part.tool_name, part.tool_name)


def native_call_part(tool_use: Mapping[str, Any], args: str | dict[str, Any] | None) -> NativeToolCallPart:
    """A `server_tool_use` block as the call the vendor ran (`tool_name` is the native tool's kind)."""
    name = text(tool_use.get("name")) or ""
    part = NativeToolCallPart(
        _KINDS.get(name, name), args, provider_name=PROVIDER_NAME, provider_details={"name": name}
    )
    if isinstance(tool_use.get("toolUseId"), str):
        part.tool_call_id = tool_use["toolUseId"]
    return part


def native_return_part(
    result: Mapping[str, Any], content: list[Any], calls: Mapping[str, str]
) -> NativeToolReturnPart:
    """A `toolResult` block of the assistant message (a system tool's result; `content` its blocks).

    `calls` maps the response's server tool call ids to their system tools' names, so the result names
    the tool of the call it answers; `provider_details` keeps what goes back on the wire (`type`,
    `status`, the raw content blocks)."""
    call_id = text(result.get("toolUseId"))
    result_type = text(result.get("type"))
    name = calls.get(call_id or "") or (result_type or "").removesuffix("_result")
    details: dict[str, Any] = {"name": name, "content": content}
    for key in ("type", "status"):
        if isinstance(result.get(key), str):
            details[key] = result[key]
    part = NativeToolReturnPart(
        _KINDS.get(name, name), result_content(content), provider_name=PROVIDER_NAME, provider_details=details
    )
    if call_id:
        part.tool_call_id = call_id
    return part


def result_content(blocks: list[Any]) -> Any:
    """What a system tool returned, readable: a `json` block's value, a `text` block that is JSON
    (the code interpreter's `{"stdOut": ..., "stdErr": ..., "exitCode": ..., "isError": ...}`) parsed,
    other text as is; several blocks give a list."""
    values = [_block_value(obj(block)) for block in blocks]
    return values[0] if len(values) == 1 else values


def _block_value(block: dict[str, Any]) -> Any:
    if "json" in block:
        return block["json"]
    value = block.get("text")
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return parsed if isinstance(parsed, dict) else value
    return block


def native_call_block(part: NativeToolCallPart, args: dict[str, Any]) -> dict[str, Any]:
    """The call as the `toolUse` block Bedrock sent (`args` the call's input object)."""
    return {
        "toolUse": {
            "toolUseId": part.tool_call_id,
            "name": wire_tool_name(part),
            "input": args,
            "type": SERVER_TOOL_USE,
        }
    }


def native_return_block(part: NativeToolReturnPart) -> dict[str, Any]:
    """The result as the `toolResult` block Bedrock sent: its raw content where it was kept, else the
    content as one `json` (an object) or `text` block."""
    details = part.provider_details or {}
    content = details.get("content")
    if not isinstance(content, list):
        value = part.content
        content = [{"json": value}] if isinstance(value, dict) else [{"text": part.model_response_str()}]
    block: dict[str, Any] = {"toolUseId": part.tool_call_id, "content": content}
    if isinstance(details.get("status"), str):
        block["status"] = details["status"]
    block["type"] = (
        details.get("type") if isinstance(details.get("type"), str) else f"{wire_tool_name(part)}_result"
    )
    return {"toolResult": block}
