"""Native tools: tools the vendor runs on its side (web search, code execution, URL fetch, image
generation, file search, remote MCP servers, memory), as PydanticAI names them.

They are descriptions, not functions: `Agent(native_tools=[WebSearchTool()])` (or the older
`builtin_tools=`) puts them in `ModelRequestParameters.native_tools`, and each codec translates
them into its vendor's tool entry. The vendor runs them; the calls and results come back as
`NativeToolCallPart` / `NativeToolReturnPart`, which the agent never executes and which go back to
the same vendor in history exactly as received. A tool a vendor cannot run is a `UserError` before
any request is sent.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from typing_extensions import TypedDict

__all__ = [
    "AbstractBuiltinTool",
    "AbstractNativeTool",
    "CodeExecutionTool",
    "FileSearchTool",
    "ImageGenerationTool",
    "MCPServerTool",
    "MemoryTool",
    "SUPPORTED_BY",
    "UrlContextTool",
    "WebFetchTool",
    "WebSearchTool",
    "WebSearchUserLocation",
]


@dataclass(kw_only=True)
class AbstractNativeTool(ABC):
    """A tool the vendor runs itself; `kind` names it on every wire."""

    kind: str = "unknown_native_tool"

    @property
    def unique_id(self) -> str:
        """Tells two tools of one kind apart (several MCP servers); one of each other kind is allowed."""
        return self.kind


class WebSearchUserLocation(TypedDict, total=False):
    """Where the user is, to localize search results."""

    city: str
    country: str
    region: str
    timezone: str


@dataclass(kw_only=True)
class WebSearchTool(AbstractNativeTool):
    """Search the web. Anthropic, OpenAI Responses, Gemini/Vertex (Google Search grounding), Groq
    compound models, xAI and OpenRouter; each takes the options its API has."""

    search_context_size: Literal["low", "medium", "high"] = "medium"
    """How much web context to retrieve (OpenAI)."""
    user_location: WebSearchUserLocation | None = None
    """Localize results (Anthropic, OpenAI)."""
    blocked_domains: list[str] | None = None
    """Never use these domains (Anthropic, Groq, Gemini's `excludeDomains`); not with `allowed_domains`."""
    allowed_domains: list[str] | None = None
    """Use only these domains (Anthropic, OpenAI, Groq)."""
    max_uses: int | None = None
    """At most this many searches per request (Anthropic)."""
    kind: str = "web_search"


@dataclass(kw_only=True)
class CodeExecutionTool(AbstractNativeTool):
    """Run code in the vendor's sandbox: Anthropic, OpenAI Responses (`code_interpreter`),
    Gemini/Vertex (`code_execution`), Bedrock Nova (`nova_code_interpreter`)."""

    kind: str = "code_execution"


@dataclass(kw_only=True)
class WebFetchTool(AbstractNativeTool):
    """Fetch the pages of URLs given in the prompt: Anthropic (`web_fetch`), Gemini (`url_context`)."""

    max_uses: int | None = None
    """At most this many fetches per request (Anthropic)."""
    allowed_domains: list[str] | None = None
    """Fetch only from these domains (Anthropic)."""
    blocked_domains: list[str] | None = None
    """Never fetch from these domains (Anthropic)."""
    enable_citations: bool = False
    """Cite passages of the fetched documents (Anthropic)."""
    max_content_tokens: int | None = None
    """Truncate each fetched document to about this many tokens (Anthropic)."""
    kind: str = "web_fetch"


UrlContextTool = WebFetchTool
"""PydanticAI's earlier name for `WebFetchTool`."""


@dataclass(kw_only=True)
class ImageGenerationTool(AbstractNativeTool):
    """Generate images: OpenAI Responses (`image_generation`); Gemini image models answer with
    images without a tool entry. The images come back as `FilePart`s."""

    background: Literal["transparent", "opaque", "auto"] = "auto"
    input_fidelity: Literal["high", "low"] | None = None
    moderation: Literal["auto", "low"] = "auto"
    output_compression: int | None = None
    """0-100, for jpeg and webp."""
    output_format: Literal["png", "webp", "jpeg"] | None = None
    partial_images: int = 0
    """Partial images streamed before the final one (0-3)."""
    quality: Literal["low", "medium", "high", "auto"] = "auto"
    size: str | None = None
    """`1024x1024`, `1536x1024`, `1024x1536` or `auto` (OpenAI)."""
    aspect_ratio: str | None = None
    """`1:1`, `16:9`... (Gemini's `imageConfig.aspectRatio`)."""
    kind: str = "image_generation"


@dataclass(kw_only=True)
class FileSearchTool(AbstractNativeTool):
    """Search the vendor's file stores: OpenAI Responses (vector store ids), Gemini (file search
    store names)."""

    file_store_ids: Sequence[str] = field(default_factory=list)
    kind: str = "file_search"


@dataclass(kw_only=True)
class MCPServerTool(AbstractNativeTool):
    """A remote MCP server the vendor connects to and calls itself: OpenAI Responses (`mcp`),
    Anthropic (`mcp_servers`, beta)."""

    id: str
    """The server's label, unique among this request's MCP servers."""
    url: str
    authorization_token: str | None = None
    description: str | None = None
    allowed_tools: list[str] | None = None
    headers: dict[str, str] | None = None
    kind: str = "mcp_server"

    @property
    def unique_id(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(kw_only=True)
class MemoryTool(AbstractNativeTool):
    """Anthropic's memory tool. The model reads and writes memory files through `memory` tool
    calls that *your* code carries out: give the agent a function tool named `memory` too."""

    kind: str = "memory"


AbstractBuiltinTool = AbstractNativeTool

SUPPORTED_BY: dict[str, str] = {
    "web_search": "Anthropic, OpenAI Responses, Google Gemini/Vertex, Groq compound models, xAI (Responses API), OpenRouter",
    "code_execution": "Anthropic, OpenAI Responses, Google Gemini/Vertex, Bedrock (Amazon Nova)",
    "web_fetch": "Anthropic, Google Gemini/Vertex (url_context)",
    "image_generation": "OpenAI Responses, Google Gemini image models",
    "file_search": "OpenAI Responses, Google Gemini",
    "mcp_server": "OpenAI Responses, Anthropic",
    "memory": "Anthropic",
}
"""Which vendors run each kind of native tool (the `UserError` for an unsupported one says so)."""
