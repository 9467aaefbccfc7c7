"""The Responses API's native tools, both ways: the `tools[]` entries for `wireai.native_tools`, and
the output items the vendor answers with (`web_search_call`, `code_interpreter_call`,
`image_generation_call`, `file_search_call`, `mcp_list_tools`, `mcp_call`, `mcp_approval_request`).

An item becomes a `NativeToolCallPart` (what the vendor ran, with the item id as `tool_call_id`),
the `FilePart`s it produced (generated images, code interpreter charts) and a `NativeToolReturnPart`
(its status and results). The part names follow PydanticAI (`web_search`, `code_execution`,
`image_generation`, `file_search`, `mcp_server:<label>`). The call carries
`provider_details['item_type']`, the item's type: only parts so marked are this API's own, and only
those are rebuilt into input items when the history goes back, exactly as they came (ids, status,
queries, results, container, generated image), so server-side sessions continue; another vendor's
native parts carry no such mark and are left out.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ...exceptions import UnexpectedModelBehavior, UserError, snippet
from ...messages import (
    BinaryContent,
    BinaryImage,
    FilePart,
    ModelResponsePart,
    NativeToolCallPart,
    NativeToolReturnPart,
)
from ...native_tools import (
    AbstractNativeTool,
    CodeExecutionTool,
    FileSearchTool,
    ImageGenerationTool,
    MCPServerTool,
    WebSearchTool,
)
from .._base import obj, text

__all__ = [
    "IMAGE_DETAILS",
    "ITEM_KEY",
    "KINDS",
    "MCP_CONNECTOR_SCHEME",
    "OPENAI_WEB_SEARCH",
    "decode_base64",
    "input_item",
    "item_parts",
    "output_item",
    "server_tool_usage",
    "tool_param",
]

KINDS = ("web_search", "code_execution", "image_generation", "file_search", "mcp_server")
"""The native tool kinds this API runs (a profile's `openai_native_tools` can narrow them per model)."""
ITEM_KEY = "item_type"
"""`NativeToolCallPart.provider_details` key holding the output item's type: the mark of this API's parts."""
MCP_CONNECTOR_SCHEME = "x-openai-connector:"
"""`MCPServerTool(url='x-openai-connector:connector_gmail')` names one of OpenAI's connectors (PydanticAI's scheme)."""

# Output item type -> the usage detail that counts it (what the vendor bills per call).
_USAGE_KEYS = {
    "web_search_call": "web_search_calls",
    "file_search_call": "file_search_calls",
    "code_interpreter_call": "code_interpreter_calls",
    "image_generation_call": "image_generation_calls",
    "mcp_call": "mcp_calls",
}
# ImageGenerationTool.aspect_ratio -> the size OpenAI takes instead (its three fixed sizes).
_ASPECT_SIZES = {"1:1": "1024x1024", "3:2": "1536x1024", "2:3": "1024x1536"}
# The fields of a `web_search_call` in its function-call form (xAI), besides type, id and status.
_CALL_FORM = ("name", "call_id", "arguments")
# WebSearchTool's options (its other fields say what it is, not how to search).
_WEB_SEARCH_OPTIONS = (
    "search_context_size",
    "user_location",
    "blocked_domains",
    "allowed_domains",
    "max_uses",
)
OPENAI_WEB_SEARCH: Mapping[str, Any] = {
    "vendor": "OpenAI",
    "fields": {
        "search_context_size": "search_context_size",
        "allowed_domains": "filters.allowed_domains",
        "user_location": "user_location",
    },
}
"""OpenAI's `web_search` entry: which `WebSearchTool` option goes where (`max_domains`: a host's cap on
each domain list). Another host of this API gives its own in the profile's `openai_web_search`."""
# Fields the vendor adds to an `image_generation_call` besides the four its reference lists.
IMAGE_DETAILS = ("background", "output_format", "quality", "size", "revised_prompt")

# --------------------------------------------------------------------------------------------- tools[]


def tool_param(tool: AbstractNativeTool, web_search: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The `tools[]` entry for one native tool; an option the host's tool lacks is a `UserError`.
    `web_search` is the host's `WebSearchTool` mapping (a profile's `openai_web_search`; OpenAI's by default)."""
    if isinstance(tool, WebSearchTool):
        return _web_search(tool, web_search or OPENAI_WEB_SEARCH)
    if isinstance(tool, CodeExecutionTool):
        # A fresh container per request ("auto"); the call items say which one ran the code.
        return {"type": "code_interpreter", "container": {"type": "auto"}}
    if isinstance(tool, ImageGenerationTool):
        return _image_generation(tool)
    if isinstance(tool, FileSearchTool):
        if not tool.file_store_ids:
            raise UserError("FileSearchTool needs file_store_ids: the OpenAI vector store ids to search")
        return {"type": "file_search", "vector_store_ids": list(tool.file_store_ids)}
    if isinstance(tool, MCPServerTool):
        return _mcp(tool)
    raise UserError(f"{type(tool).__name__} is not supported by OpenAI Responses")  # pragma: no cover


def _web_search(tool: WebSearchTool, shape: Mapping[str, Any]) -> dict[str, Any]:
    """The `web_search` entry as `shape` says: each `WebSearchTool` option at its wire path (dotted
    for nesting); an option the host has no path for is refused when it differs from its default."""
    paths: Mapping[str, str] = shape["fields"]
    vendor = shape["vendor"]
    refused = [
        f.name
        for f in dataclasses.fields(WebSearchTool)
        if f.name in _WEB_SEARCH_OPTIONS and f.name not in paths and getattr(tool, f.name) != f.default
    ]
    if refused:
        hint = ""
        if "blocked_domains" in refused and "allowed_domains" in paths:
            hint = " (give allowed_domains instead)"
        raise UserError(
            f"{vendor}'s web_search tool takes no {' or '.join(refused)}{hint}; leave WebSearchTool's "
            f"{', '.join(refused)} unset"
        )
    if tool.allowed_domains and tool.blocked_domains:
        raise UserError("WebSearchTool takes allowed_domains or blocked_domains, not both")
    limit = shape.get("max_domains")
    for name in ("allowed_domains", "blocked_domains"):
        domains = getattr(tool, name)
        if limit is not None and domains and len(domains) > limit:
            raise UserError(f"{vendor}'s web_search tool takes at most {limit} {name}, not {len(domains)}")
    out: dict[str, Any] = {"type": "web_search"}
    for name, path in paths.items():
        value = getattr(tool, name)
        if value is None or value == []:
            continue
        if name == "user_location":
            value = {"type": "approximate", **value}
        elif isinstance(value, list):
            value = list(value)
        *parents, leaf = path.split(".")
        node = out
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return out


def _image_generation(tool: ImageGenerationTool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "image_generation",
        "background": tool.background,
        "moderation": tool.moderation,
        "quality": tool.quality,
    }
    size = tool.size
    if size is None and tool.aspect_ratio is not None:
        size = _ASPECT_SIZES.get(tool.aspect_ratio)
        if size is None:
            raise UserError(
                f"OpenAI generates images in {', '.join(_ASPECT_SIZES)} only, not aspect_ratio "
                f"{tool.aspect_ratio!r}; pick one of those or a size"
            )
    if size is not None:
        out["size"] = size
    if tool.output_format is not None:
        out["output_format"] = tool.output_format
    if tool.output_compression is not None:
        out["output_compression"] = tool.output_compression
    if tool.input_fidelity is not None:
        out["input_fidelity"] = tool.input_fidelity
    if tool.partial_images:
        out["partial_images"] = tool.partial_images
    return out


def _mcp(tool: MCPServerTool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "mcp", "server_label": tool.id}
    if tool.url.startswith(MCP_CONNECTOR_SCHEME):
        out["connector_id"] = tool.url[len(MCP_CONNECTOR_SCHEME) :]
    else:
        out["server_url"] = tool.url
    if tool.authorization_token:
        out["authorization"] = tool.authorization_token
    if tool.description:
        out["server_description"] = tool.description
    if tool.allowed_tools is not None:
        out["allowed_tools"] = list(tool.allowed_tools)
    if tool.headers:
        out["headers"] = dict(tool.headers)
    # Nobody is there to approve a call mid-run: the vendor calls the server's tools directly.
    out["require_approval"] = "never"
    return out


# --------------------------------------------------------------------------------------------- items -> parts


def item_parts(
    item: Mapping[str, Any], *, timestamp: datetime | None = None, model_name: str = ""
) -> list[ModelResponsePart] | None:
    """A native output item as [call, files..., return] (`None`: not a native item); the return is
    stamped with `timestamp` (the response's `created_at`) when given."""
    reader = _READERS.get(str(item.get("type")))
    if reader is None:
        return None
    item_id = item.get("id")
    if not isinstance(item_id, str) or not item_id:
        raise UnexpectedModelBehavior(f"{model_name}: {item.get('type')} item without an id", snippet(item))
    parts = reader(item, item_id)
    if timestamp is not None:
        for part in parts:
            if isinstance(part, NativeToolReturnPart):
                part.timestamp = timestamp
    return parts


def _call(
    tool_name: str, item: Mapping[str, Any], item_id: str, args: Any, **details: Any
) -> NativeToolCallPart:
    return NativeToolCallPart(
        tool_name, args, tool_call_id=item_id, provider_details={ITEM_KEY: item["type"], **details}
    )


def _return(tool_name: str, item_id: str, content: Any) -> NativeToolReturnPart:
    return NativeToolReturnPart(tool_name, content, tool_call_id=item_id)


def _status(item: Mapping[str, Any]) -> dict[str, Any]:
    return {"status": item["status"]} if "status" in item else {}


def _web_search_call(item: Mapping[str, Any], item_id: str) -> list[ModelResponsePart]:
    if "action" not in item and isinstance(item.get("arguments"), str):
        # xAI's other form of the item (its `FunctionToolCall` schema): the search the model asked
        # for as JSON `arguments`, with the `name` and `call_id` the item must carry when it goes back.
        details = {k: item[k] for k in _CALL_FORM if k != "arguments" and isinstance(item.get(k), str)}
        return [
            _call("web_search", item, item_id, _json_args(item["arguments"]), **details),
            _return("web_search", item_id, _status(item)),
        ]
    action = dict(obj(item.get("action")))
    content = _status(item)
    if "sources" in action:
        content["sources"] = action.pop("sources")  # results, not arguments: kept on the return
    return [
        _call("web_search", item, item_id, action or None),
        _return("web_search", item_id, content),
    ]


def _json_args(arguments: str) -> Any:
    """Arguments sent as JSON text, decoded (kept as the text when it is not JSON)."""
    try:
        return json.loads(arguments) if arguments else None
    except ValueError:
        return arguments


def _code_interpreter_call(item: Mapping[str, Any], item_id: str) -> list[ModelResponsePart]:
    content = _status(item)
    files: list[ModelResponsePart] = []
    logs: list[str] = []
    image_urls: list[str] = []
    for output in item.get("outputs") or ():
        output = obj(output)
        if output.get("type") == "logs" and isinstance(output.get("logs"), str):
            logs.append(output["logs"])
        elif output.get("type") == "image" and isinstance(output.get("url"), str):
            image = _data_uri_image(output["url"])
            if image is not None:
                files.append(FilePart(image, id=item_id))
            else:
                image_urls.append(output["url"])
    if logs:
        content["logs"] = logs
    if image_urls:
        content["image_urls"] = image_urls
    args = {"container_id": item.get("container_id"), "code": item.get("code")}
    return [
        _call("code_execution", item, item_id, args),
        *files,
        _return("code_execution", item_id, content),
    ]


def _image_generation_call(item: Mapping[str, Any], item_id: str) -> list[ModelResponsePart]:
    content = {**_status(item), **{k: item[k] for k in IMAGE_DETAILS if k in item}}
    files: list[ModelResponsePart] = []
    result = item.get("result")
    if isinstance(result, str) and result:
        fmt = text(item.get("output_format")) or "png"
        files.append(FilePart(BinaryImage(decode_base64(result, item_id), f"image/{fmt}"), id=item_id))
    return [
        _call("image_generation", item, item_id, None),
        *files,
        _return("image_generation", item_id, content),
    ]


def _file_search_call(item: Mapping[str, Any], item_id: str) -> list[ModelResponsePart]:
    content = _status(item)
    if item.get("results") is not None:
        content["results"] = item["results"]
    queries = item.get("queries")
    return [
        _call("file_search", item, item_id, {"queries": queries if isinstance(queries, list) else []}),
        _return("file_search", item_id, content),
    ]


def _mcp_name(item: Mapping[str, Any]) -> str:
    return f"{MCPServerTool.kind}:{text(item.get('server_label')) or ''}"


def _mcp_list_tools(item: Mapping[str, Any], item_id: str) -> list[ModelResponsePart]:
    name = _mcp_name(item)
    content: dict[str, Any] = {"tools": item.get("tools") if isinstance(item.get("tools"), list) else []}
    if "error" in item:
        content["error"] = item["error"]
    return [_call(name, item, item_id, {"action": "list_tools"}), _return(name, item_id, content)]


def _mcp_call_args(item: Mapping[str, Any]) -> dict[str, Any]:
    arguments = item.get("arguments")
    tool_args = _json_args(arguments) if isinstance(arguments, str) else arguments
    return {"action": "call_tool", "tool_name": item.get("name"), "tool_args": tool_args or {}}


def _mcp_call(item: Mapping[str, Any], item_id: str) -> list[ModelResponsePart]:
    name = _mcp_name(item)
    details = {"approval_request_id": item["approval_request_id"]} if item.get("approval_request_id") else {}
    content = {"output": item.get("output"), "error": item.get("error"), **_status(item)}
    return [
        _call(name, item, item_id, _mcp_call_args(item), **details),
        _return(name, item_id, content),
    ]


def _mcp_approval_request(item: Mapping[str, Any], item_id: str) -> list[ModelResponsePart]:
    # A call the server waits to have approved: there is no result (yet).
    return [_call(_mcp_name(item), item, item_id, _mcp_call_args(item))]


_READERS: dict[str, Callable[[Mapping[str, Any], str], list[ModelResponsePart]]] = {
    "web_search_call": _web_search_call,
    "code_interpreter_call": _code_interpreter_call,
    "image_generation_call": _image_generation_call,
    "file_search_call": _file_search_call,
    "mcp_list_tools": _mcp_list_tools,
    "mcp_call": _mcp_call,
    "mcp_approval_request": _mcp_approval_request,
}


def decode_base64(data: str, item_id: str) -> bytes:
    """An image the vendor sent as base64; anything else is `UnexpectedModelBehavior`."""
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UnexpectedModelBehavior(f"{item_id}: the image is not base64", snippet(data)) from exc


def _data_uri_image(url: str) -> BinaryImage | None:
    """A `data:image/...;base64,` URL as an image (other URLs: None, kept as URLs)."""
    head, _, data = url.partition(",")
    if not (head.startswith("data:image/") and head.endswith(";base64")):
        return None
    return BinaryImage(decode_base64(data, url[:40]), head[len("data:") : -len(";base64")])


def server_tool_usage(output: Sequence[Any]) -> dict[str, int]:
    """How many calls of each billed native tool a response's output holds, for `usage.details`."""
    counts: dict[str, int] = {}
    for item in output:
        key = _USAGE_KEYS.get(str(obj(item).get("type")))
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    return counts


# --------------------------------------------------------------------------------------------- parts -> items


def input_item(call: NativeToolCallPart, parts: Sequence[ModelResponsePart]) -> dict[str, Any] | None:
    """The input item that gives this API back its own native call (with the return and files among
    `parts`), as it came; `None` for another vendor's native call, which cannot be replayed here."""
    item_type = (call.provider_details or {}).get(ITEM_KEY)
    if item_type not in _WRITERS:
        return None
    returned = next(
        (p for p in parts if isinstance(p, NativeToolReturnPart) and p.tool_call_id == call.tool_call_id),
        None,
    )
    files = [p.content for p in parts if isinstance(p, FilePart) and p.id == call.tool_call_id]
    return output_item(item_type, call, obj(returned.content) if returned else {}, files)


def output_item(
    item_type: str, call: NativeToolCallPart, content: Mapping[str, Any], files: Sequence[BinaryContent]
) -> dict[str, Any]:
    """The item of type `item_type` a call, its return's content and its files make: the fields the
    vendor's reference lists for it."""
    item: dict[str, Any] = {"type": item_type, "id": call.tool_call_id}
    item.update(_WRITERS[item_type](call, content, files))
    return item


def _args(call: NativeToolCallPart) -> dict[str, Any]:
    try:
        return call.args_as_dict()
    except ValueError:
        return {}


def _json_text(value: Any) -> str:
    """JSON arguments as the vendor writes them: compact."""
    return json.dumps(value, separators=(",", ":"))


def _web_search_item(
    call: NativeToolCallPart, content: Mapping[str, Any], files: Sequence[BinaryContent]
) -> dict[str, Any]:
    out: dict[str, Any] = {"status": content.get("status", "completed")}
    details = call.provider_details or {}
    if "call_id" in details:  # the function-call form goes back as it came: name, call_id, arguments
        out.update({k: details[k] for k in _CALL_FORM if k in details})
        args = call.args
        out["arguments"] = args if isinstance(args, str) else _json_text(args) if args is not None else ""
        return out
    action = _args(call)
    if action:
        # Sources are results (the return part keeps them) and optional here: they stay behind, as
        # the live API has refused `input[].action.sources` (PydanticAI found).
        out["action"] = action
    return out


def _code_interpreter_item(
    call: NativeToolCallPart, content: Mapping[str, Any], files: Sequence[BinaryContent]
) -> dict[str, Any]:
    args = _args(call)
    outputs = [{"type": "logs", "logs": logs} for logs in content.get("logs") or ()]
    outputs += [{"type": "image", "url": f.data_uri} for f in files]
    outputs += [{"type": "image", "url": url} for url in content.get("image_urls") or ()]
    return {
        "status": content.get("status", "completed"),
        "container_id": args.get("container_id"),
        "code": args.get("code"),
        "outputs": outputs or None,
    }


def _image_generation_item(
    call: NativeToolCallPart, content: Mapping[str, Any], files: Sequence[BinaryContent]
) -> dict[str, Any]:
    # The image itself goes back, so that a later turn can edit it.
    return {"status": content.get("status", "completed"), "result": files[0].base64 if files else None}


def _file_search_item(
    call: NativeToolCallPart, content: Mapping[str, Any], files: Sequence[BinaryContent]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "status": content.get("status", "completed"),
        "queries": _args(call).get("queries", []),
    }
    if content.get("results") is not None:
        out["results"] = content["results"]
    return out


def _server_label(call: NativeToolCallPart) -> str:
    return call.tool_name.partition(":")[2]


def _mcp_list_tools_item(
    call: NativeToolCallPart, content: Mapping[str, Any], files: Sequence[BinaryContent]
) -> dict[str, Any]:
    out: dict[str, Any] = {"server_label": _server_label(call), "tools": content.get("tools", [])}
    if "error" in content:
        out["error"] = content["error"]
    return out


def _mcp_request(call: NativeToolCallPart) -> dict[str, Any]:
    args = _args(call)
    tool_args = args.get("tool_args", {})
    arguments = tool_args if isinstance(tool_args, str) else _json_text(tool_args)
    return {"server_label": _server_label(call), "name": args.get("tool_name"), "arguments": arguments}


def _mcp_call_item(
    call: NativeToolCallPart, content: Mapping[str, Any], files: Sequence[BinaryContent]
) -> dict[str, Any]:
    out = {**_mcp_request(call), "output": content.get("output"), "error": content.get("error")}
    if "status" in content:
        out["status"] = content["status"]
    approval = (call.provider_details or {}).get("approval_request_id")
    if approval:
        out["approval_request_id"] = approval
    return out


def _mcp_approval_request_item(
    call: NativeToolCallPart, content: Mapping[str, Any], files: Sequence[BinaryContent]
) -> dict[str, Any]:
    return _mcp_request(call)


_WRITERS: dict[
    str, Callable[[NativeToolCallPart, Mapping[str, Any], Sequence[BinaryContent]], dict[str, Any]]
] = {
    "web_search_call": _web_search_item,
    "code_interpreter_call": _code_interpreter_item,
    "image_generation_call": _image_generation_item,
    "file_search_call": _file_search_item,
    "mcp_list_tools": _mcp_list_tools_item,
    "mcp_call": _mcp_call_item,
    "mcp_approval_request": _mcp_approval_request_item,
}
