"""wireai: PydanticAI's Agent / Models / Providers API, every vendor spoken over one httpx transport.

Public names are imported on first use so `import wireai` stays as cheap as httpx + pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Agent": "wireai.agent",
    "Embedder": "wireai.embeddings",
    "EndStrategy": "wireai.agent",
    "capture_run_messages": "wireai.agent",
    "AgentRun": "wireai._iter",
    "UserPromptNode": "wireai._iter",
    "ModelRequestNode": "wireai._iter",
    "CallToolsNode": "wireai._iter",
    "End": "wireai._iter",
    "AgentRunResult": "wireai.result",
    "StreamedRunResult": "wireai.result",
    "RunContext": "wireai.tools",
    "Tool": "wireai.tools",
    "ToolDefinition": "wireai.tools",
    "ToolOutput": "wireai.output",
    "NativeOutput": "wireai.output",
    "PromptedOutput": "wireai.output",
    "TextOutput": "wireai.output",
    "StructuredDict": "wireai.output",
    "AgentRunError": "wireai.exceptions",
    "ConcurrencyLimitExceeded": "wireai.exceptions",
    "FallbackExceptionGroup": "wireai.exceptions",
    "ModelAPIError": "wireai.exceptions",
    "ModelHTTPError": "wireai.exceptions",
    "ModelRetry": "wireai.exceptions",
    "UnexpectedModelBehavior": "wireai.exceptions",
    "UsageLimitExceeded": "wireai.exceptions",
    "UserError": "wireai.exceptions",
    "AudioUrl": "wireai.messages",
    "BinaryContent": "wireai.messages",
    "DocumentUrl": "wireai.messages",
    "ImageUrl": "wireai.messages",
    "VideoUrl": "wireai.messages",
    "BinaryImage": "wireai.messages",
    "BuiltinToolCallPart": "wireai.messages",
    "BuiltinToolReturnPart": "wireai.messages",
    "CachePoint": "wireai.messages",
    "FilePart": "wireai.messages",
    "NativeToolCallPart": "wireai.messages",
    "NativeToolReturnPart": "wireai.messages",
    "AbstractBuiltinTool": "wireai.native_tools",
    "AbstractNativeTool": "wireai.native_tools",
    "CodeExecutionTool": "wireai.native_tools",
    "FileSearchTool": "wireai.native_tools",
    "ImageGenerationTool": "wireai.native_tools",
    "MCPServerTool": "wireai.native_tools",
    "MemoryTool": "wireai.native_tools",
    "UrlContextTool": "wireai.native_tools",
    "WebFetchTool": "wireai.native_tools",
    "WebSearchTool": "wireai.native_tools",
    "WebSearchUserLocation": "wireai.native_tools",
    "ModelSettings": "wireai.settings",
    "Usage": "wireai.usage",
    "RunUsage": "wireai.usage",
    "RequestUsage": "wireai.usage",
    "UsageLimits": "wireai.usage",
    "ConcurrencyLimit": "wireai.concurrency",
    "ConcurrencyLimiter": "wireai.concurrency",
    "InstrumentationSettings": "wireai.models.instrumented",
    "Pacing": "wireai.transport.pacing",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wireai' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from ._iter import AgentRun, CallToolsNode, End, ModelRequestNode, UserPromptNode
    from .agent import Agent, EndStrategy, capture_run_messages
    from .concurrency import ConcurrencyLimit, ConcurrencyLimiter
    from .embeddings import Embedder
    from .exceptions import (
        AgentRunError,
        ConcurrencyLimitExceeded,
        FallbackExceptionGroup,
        ModelAPIError,
        ModelHTTPError,
        ModelRetry,
        UnexpectedModelBehavior,
        UsageLimitExceeded,
        UserError,
    )
    from .messages import (
        AudioUrl,
        BinaryContent,
        BinaryImage,
        BuiltinToolCallPart,
        BuiltinToolReturnPart,
        CachePoint,
        DocumentUrl,
        FilePart,
        ImageUrl,
        NativeToolCallPart,
        NativeToolReturnPart,
        VideoUrl,
    )
    from .models.instrumented import InstrumentationSettings
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
    from .output import NativeOutput, PromptedOutput, StructuredDict, TextOutput, ToolOutput
    from .result import AgentRunResult, StreamedRunResult
    from .settings import ModelSettings
    from .tools import RunContext, Tool, ToolDefinition
    from .transport.pacing import Pacing
    from .usage import RequestUsage, RunUsage, Usage, UsageLimits
