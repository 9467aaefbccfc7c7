"""PydanticAI's earlier module name for `wireai.native_tools`; the same classes."""

from .native_tools import (
    AbstractBuiltinTool,
    AbstractNativeTool,
    CodeExecutionTool,
    FileSearchTool,
    ImageGenerationTool,
    MCPServerTool,
    MemoryTool,
    UrlContextTool,
    WebFetchTool,
    WebSearchTool,
    WebSearchUserLocation,
)

__all__ = [
    "AbstractBuiltinTool",
    "AbstractNativeTool",
    "CodeExecutionTool",
    "FileSearchTool",
    "ImageGenerationTool",
    "MCPServerTool",
    "MemoryTool",
    "UrlContextTool",
    "WebFetchTool",
    "WebSearchTool",
    "WebSearchUserLocation",
]
