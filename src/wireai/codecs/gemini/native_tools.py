"""Gemini's server-side tools, both directions: the `tools[]` entries and `generationConfig` fields
wireai's native tools become, and the response items they produce read back as native parts.

| native tool | request | what comes back |
| --- | --- | --- |
| `WebSearchTool` | `{googleSearch: {}}` (Vertex: `excludeDomains`) | candidate `groundingMetadata` (`webSearchQueries`, `groundingChunks[].web`, `groundingSupports`, `searchEntryPoint`) |
| `CodeExecutionTool` | `{codeExecution: {}}` | `executableCode` / `codeExecutionResult` parts (and `inlineData` plots) |
| `WebFetchTool` | `{urlContext: {}}` | candidate `urlContextMetadata.urlMetadata[]` |
| `FileSearchTool` | `{fileSearch: {fileSearchStoreNames}}` (Gemini API only) | `groundingMetadata.groundingChunks[].retrievedContext` |
| `ImageGenerationTool` | no tool: `responseModalities` + `imageConfig` | `inlineData` image parts (`FilePart`) |

Grounding and URL-context metadata describe the whole candidate, so their call/return pairs come
after the candidate's parts (in a stream they arrive with the last chunks); the raw metadata is kept
in the return part's `provider_details` and the support spans go on the text as `citations`. None of
it is sent back in history (Gemini does not take it as input); code execution parts are, with their
thought signatures, since they are content the model produced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..._params import ModelRequestParameters
from ...exceptions import UserError
from ...messages import ModelResponsePart, NativeToolCallPart, NativeToolReturnPart, TextPart
from ...native_tools import (
    AbstractNativeTool,
    CodeExecutionTool,
    FileSearchTool,
    ImageGenerationTool,
    WebFetchTool,
    WebSearchTool,
)
from ...profiles import ModelProfile
from .._base import check_native_tools, obj

__all__ = [
    "CODE_EXECUTION",
    "FILE_SEARCH",
    "IMAGE_SIZES",
    "WEB_FETCH",
    "WEB_SEARCH",
    "attach_citations",
    "code_call",
    "code_result",
    "grounding_parts",
    "history_part",
    "native_tool_request",
    "url_context_parts",
]

WEB_SEARCH = "web_search"
CODE_EXECUTION = "code_execution"
WEB_FETCH = "web_fetch"
FILE_SEARCH = "file_search"
IMAGE_SIZES = ("1K", "2K", "4K")
_IMAGE_FORMATS = ("png", "jpeg", "webp")


# ============================================================================================ request


def native_tool_request(
    params: ModelRequestParameters, profile: ModelProfile | None, *, vertex: bool, model: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(`tools[]` entries, `generationConfig` fields) for the request's native tools.

    Every option a tool carries either reaches the wire or is refused with a `UserError`: Gemini
    has no field for most of the other vendors' knobs, and silently dropping them would lie.
    """
    host = "Vertex AI" if vertex else "the Gemini API"
    supported = ["web_search", "code_execution", "web_fetch", "image_generation"]
    if not vertex:
        supported.append("file_search")  # file search stores are a Gemini API feature
    check_native_tools(params, supported, "Vertex AI" if vertex else "Gemini")
    extra = profile.extra if profile is not None else {}
    if params.native_tools and params.tool_defs and extra.get("gemini_tool_combination") is False:
        raise UserError(
            f"{model} cannot combine function or output tools with native tools in one request "
            "(Gemini 3 can); use a Gemini 3 model, or output_type=NativeOutput(...)/PromptedOutput(...) "
            "without function tools"
        )
    tools: list[dict[str, Any]] = []
    generation: dict[str, Any] = {}
    for tool in params.native_tools:
        if isinstance(tool, WebSearchTool):
            tools.append({"googleSearch": _google_search(tool, vertex)})
        elif isinstance(tool, CodeExecutionTool):
            tools.append({"codeExecution": {}})
        elif isinstance(tool, WebFetchTool):
            _refuse_options(
                tool, ("max_uses", "allowed_domains", "blocked_domains", "max_content_tokens"), host
            )
            if tool.enable_citations:
                _refuse(tool, "enable_citations", host)
            tools.append({"urlContext": {}})
        elif isinstance(tool, FileSearchTool):
            if not tool.file_store_ids:
                raise UserError("FileSearchTool needs `file_store_ids`: the names of your file search stores")
            tools.append({"fileSearch": {"fileSearchStoreNames": list(tool.file_store_ids)}})
        elif isinstance(tool, ImageGenerationTool):
            if profile is not None and not profile.supports_image_output:
                raise UserError(
                    f"{model} does not generate images; use a Gemini image model "
                    "(for example gemini-2.5-flash-image or gemini-3-pro-image-preview)"
                )
            generation["responseModalities"] = ["TEXT", "IMAGE"]
            image_config = _image_config(tool, vertex, host)
            if image_config:
                generation["imageConfig"] = image_config
    return tools, generation


def _google_search(tool: WebSearchTool, vertex: bool) -> dict[str, Any]:
    host = "Vertex AI" if vertex else "the Gemini API"
    _refuse_options(tool, ("user_location", "allowed_domains", "max_uses"), host)
    if tool.search_context_size != "medium":
        _refuse(tool, "search_context_size", host)
    if not tool.blocked_domains:
        return {}
    if not vertex:
        raise UserError(
            "WebSearchTool(blocked_domains=...) is Vertex AI's `googleSearch.excludeDomains`; "
            "the Gemini API has no such field"
        )
    return {"excludeDomains": list(tool.blocked_domains)}


def _image_config(tool: ImageGenerationTool, vertex: bool, host: str) -> dict[str, Any]:
    for name, default in (("background", "auto"), ("moderation", "auto"), ("quality", "auto"),
                          ("input_fidelity", None), ("partial_images", 0)):  # fmt: skip
        if getattr(tool, name) != default:
            _refuse(tool, name, host)
    config: dict[str, Any] = {}
    if tool.aspect_ratio is not None:
        config["aspectRatio"] = tool.aspect_ratio
    if tool.size is not None:
        if tool.size not in IMAGE_SIZES:
            raise UserError(
                f"Gemini image sizes are {', '.join(IMAGE_SIZES)}, not {tool.size!r}; "
                "give the shape as `aspect_ratio` (for example '16:9')"
            )
        config["imageSize"] = tool.size
    if tool.output_format is None and tool.output_compression is None:
        return config
    if not vertex:
        raise UserError(
            "ImageGenerationTool output_format/output_compression are Vertex AI's "
            "`imageConfig.imageOutputOptions`; the Gemini API always answers with PNG"
        )
    fmt = tool.output_format or "jpeg"
    if fmt not in _IMAGE_FORMATS:
        raise UserError(f"Vertex AI image formats are {', '.join(_IMAGE_FORMATS)}, not {fmt!r}")
    options: dict[str, Any] = {"mimeType": f"image/{fmt}"}
    if tool.output_compression is not None:
        if fmt != "jpeg" or not 0 <= tool.output_compression <= 100:
            raise UserError(
                "ImageGenerationTool output_compression is 0-100 and only for output_format='jpeg'"
            )
        options["compressionQuality"] = tool.output_compression
    config["imageOutputOptions"] = options
    return config


def _refuse_options(tool: AbstractNativeTool, names: Sequence[str], host: str) -> None:
    for name in names:
        if getattr(tool, name) is not None:
            _refuse(tool, name, host)


def _refuse(tool: AbstractNativeTool, name: str, host: str) -> None:
    raise UserError(
        f"{type(tool).__name__}({name}=...) has no equivalent on {host}; leave it unset for Gemini"
    )


# ============================================================================================ response


def code_call(executable: Any, call_id: str, details: dict[str, Any] | None) -> NativeToolCallPart:
    """An `executableCode` part: the code the model ran in Gemini's sandbox."""
    return NativeToolCallPart(
        CODE_EXECUTION, dict(obj(executable)), tool_call_id=call_id, provider_details=details
    )


def code_result(result: Any, call_id: str, details: dict[str, Any] | None) -> NativeToolReturnPart:
    """A `codeExecutionResult` part (`outcome`, `output`): what the sandbox printed."""
    return NativeToolReturnPart(
        CODE_EXECUTION, dict(obj(result)), tool_call_id=call_id, provider_details=details
    )


def grounding_parts(candidate: Mapping[str, Any]) -> list[ModelResponsePart]:
    """The search calls a candidate's `groundingMetadata` records: Google Search (`webSearchQueries`,
    `groundingChunks[].web`) and file search (`groundingChunks[].retrievedContext`), each a call and
    its results; the raw metadata rides on the first result. Ids are Gemini's tool names (one record
    of each per candidate), so a stream and its JSON twin give the same parts."""
    grounding = obj(candidate.get("groundingMetadata"))
    chunks = [obj(c) for c in grounding.get("groundingChunks") or [] if isinstance(c, dict)]
    web = [c["web"] for c in chunks if isinstance(c.get("web"), dict)]
    files = [c["retrievedContext"] for c in chunks if isinstance(c.get("retrievedContext"), dict)]
    queries = [q for q in grounding.get("webSearchQueries") or [] if isinstance(q, str)]
    parts: list[ModelResponsePart] = []
    raw: dict[str, Any] | None = {"grounding_metadata": dict(grounding)}
    if queries or web or grounding.get("searchEntryPoint"):
        parts.append(NativeToolCallPart(WEB_SEARCH, {"queries": queries}, tool_call_id="googleSearch"))
        parts.append(NativeToolReturnPart(WEB_SEARCH, web, tool_call_id="googleSearch", provider_details=raw))
        raw = None
    if files:
        parts.append(NativeToolCallPart(FILE_SEARCH, {}, tool_call_id="fileSearch"))
        parts.append(
            NativeToolReturnPart(FILE_SEARCH, files, tool_call_id="fileSearch", provider_details=raw)
        )
    return parts


def url_context_parts(candidate: Mapping[str, Any]) -> list[ModelResponsePart]:
    """The fetches a candidate's `urlContextMetadata` records (sent before the answer, in a stream's
    first chunk): a call with the URLs and a result with each URL's retrieval status."""
    url_context = obj(candidate.get("urlContextMetadata"))
    urls = [obj(u) for u in url_context.get("urlMetadata") or [] if isinstance(u, dict)]
    if not urls:
        return []
    fetched = [u["retrievedUrl"] for u in urls if isinstance(u.get("retrievedUrl"), str)]
    return [
        NativeToolCallPart(WEB_FETCH, {"urls": fetched}, tool_call_id="urlContext"),
        NativeToolReturnPart(WEB_FETCH, urls, tool_call_id="urlContext",
                             provider_details={"url_context_metadata": dict(url_context)}),
    ]  # fmt: skip


def attach_citations(parts: Sequence[ModelResponsePart], candidate: Mapping[str, Any]) -> None:
    """Put each `groundingSupports[]` entry, with the chunks it cites as `sources`, on the text part
    whose words it supports (`provider_details['citations']`). The raw `segment` (part index and
    byte offsets as Google defines them) is kept; the text is matched by content because part
    indices differ between a body and its stream."""
    grounding = obj(candidate.get("groundingMetadata"))
    supports = [obj(s) for s in grounding.get("groundingSupports") or [] if isinstance(s, dict)]
    texts = [p for p in parts if isinstance(p, TextPart)]
    if not supports or not texts:
        return
    chunks = grounding.get("groundingChunks") or []
    by_part: dict[int, list[dict[str, Any]]] = {}
    for support in supports:
        indices = [i for i in support.get("groundingChunkIndices") or [] if isinstance(i, int)]
        sources = [chunks[i] for i in indices if 0 <= i < len(chunks)]
        cited = obj(support.get("segment")).get("text")
        target = next(
            (n for n, t in enumerate(texts) if isinstance(cited, str) and cited and cited in t.content),
            len(texts) - 1,
        )
        by_part.setdefault(target, []).append({**support, "sources": sources})
    for n, citations in by_part.items():
        texts[n].provider_details = {**(texts[n].provider_details or {}), "citations": citations}


# ============================================================================================ history


def history_part(part: NativeToolCallPart | NativeToolReturnPart) -> dict[str, Any] | None:
    """A native part of Gemini's own as it goes back in a `model` turn: code and its result are
    content (sent with their thought signatures); grounding and URL-context records are metadata
    Gemini does not take back (None)."""
    if part.tool_name != CODE_EXECUTION:
        return None
    if isinstance(part, NativeToolCallPart):
        item: dict[str, Any] = {"executableCode": part.args_as_dict()}
    elif isinstance(part.content, dict):
        item = {"codeExecutionResult": dict(part.content)}
    else:
        return None
    signature = (part.provider_details or {}).get("thought_signature")
    if isinstance(signature, str) and signature:
        item["thoughtSignature"] = signature
    return item
