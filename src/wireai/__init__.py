"""wireai: PydanticAI's Agent / Models / Providers API, every vendor spoken over one httpx transport.

Public names are imported on first use so `import wireai` stays as cheap as httpx + pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # agent
    "Agent": "wireai.agent",
    "Embedder": "wireai.embeddings",
    "EmbeddingModel": "wireai.embeddings",
    "EmbeddingResult": "wireai.embeddings",
    "EmbeddingSettings": "wireai.embeddings",
    "EndStrategy": "wireai.agent",
    "capture_run_messages": "wireai.agent",
    "AgentRun": "wireai._iter",
    "UserPromptNode": "wireai._iter",
    "ModelRequestNode": "wireai._iter",
    "CallToolsNode": "wireai._iter",
    "End": "wireai._iter",
    "AgentRunResult": "wireai.result",
    "AgentRunResultEvent": "wireai.run",
    "AgentEventStream": "wireai.run",
    "AgentStream": "wireai.result",
    "StreamedRunResult": "wireai.result",
    "StreamedRunResultSync": "wireai.result",
    # tools
    "RunContext": "wireai.tools",
    "Tool": "wireai.tools",
    "ToolDefinition": "wireai.tools",
    "DeferredToolRequests": "wireai.tools",
    "DeferredToolResults": "wireai.tools",
    "ToolApproved": "wireai.tools",
    "ToolDenied": "wireai.tools",
    # toolsets
    "AbstractToolset": "wireai.toolsets",
    "AgentToolset": "wireai.toolsets",
    "ApprovalRequiredToolset": "wireai.toolsets",
    "CombinedToolset": "wireai.toolsets",
    "ExternalToolset": "wireai.toolsets",
    "FilteredToolset": "wireai.toolsets",
    "FunctionToolset": "wireai.toolsets",
    "PrefixedToolset": "wireai.toolsets",
    "PreparedToolset": "wireai.toolsets",
    "RenamedToolset": "wireai.toolsets",
    "ToolsetFunc": "wireai.toolsets",
    "ToolsetTool": "wireai.toolsets",
    "WrapperToolset": "wireai.toolsets",
    # output
    "ToolOutput": "wireai.output",
    "NativeOutput": "wireai.output",
    "PromptedOutput": "wireai.output",
    "TextOutput": "wireai.output",
    "StructuredDict": "wireai.output",
    "format_as_xml": "wireai.format_prompt",
    # exceptions
    "AgentRunError": "wireai.exceptions",
    "ApprovalRequired": "wireai.exceptions",
    "CallDeferred": "wireai.exceptions",
    "ConcurrencyLimitExceeded": "wireai.exceptions",
    "ContentFilterError": "wireai.exceptions",
    "FallbackExceptionGroup": "wireai.exceptions",
    "ModelAPIError": "wireai.exceptions",
    "ModelHTTPError": "wireai.exceptions",
    "ModelRetry": "wireai.exceptions",
    "UnexpectedModelBehavior": "wireai.exceptions",
    "UsageLimitExceeded": "wireai.exceptions",
    "UserError": "wireai.exceptions",
    # messages
    "AgentStreamEvent": "wireai.messages",
    "AudioUrl": "wireai.messages",
    "BinaryContent": "wireai.messages",
    "DocumentUrl": "wireai.messages",
    "FileUrl": "wireai.messages",
    "FinalResultEvent": "wireai.messages",
    "FunctionToolCallEvent": "wireai.messages",
    "FunctionToolResultEvent": "wireai.messages",
    "HandleResponseEvent": "wireai.messages",
    "OutputToolCallEvent": "wireai.messages",
    "OutputToolResultEvent": "wireai.messages",
    "PartEndEvent": "wireai.messages",
    "ToolCallEvent": "wireai.messages",
    "ToolResultEvent": "wireai.messages",
    "FinishReason": "wireai.messages",
    "ImageUrl": "wireai.messages",
    "ModelMessage": "wireai.messages",
    "ModelMessagesTypeAdapter": "wireai.messages",
    "ModelRequest": "wireai.messages",
    "ModelRequestPart": "wireai.messages",
    "ModelResponse": "wireai.messages",
    "ModelResponsePart": "wireai.messages",
    "ModelResponsePartDelta": "wireai.messages",
    "ModelResponseStreamEvent": "wireai.messages",
    "MultiModalContent": "wireai.messages",
    "PartDeltaEvent": "wireai.messages",
    "PartStartEvent": "wireai.messages",
    "RetryPromptPart": "wireai.messages",
    "SystemPromptPart": "wireai.messages",
    "TextPart": "wireai.messages",
    "TextPartDelta": "wireai.messages",
    "ThinkingPart": "wireai.messages",
    "ThinkingPartDelta": "wireai.messages",
    "ToolCallPart": "wireai.messages",
    "ToolCallPartDelta": "wireai.messages",
    "ToolReturn": "wireai.messages",
    "ToolReturnPart": "wireai.messages",
    "UserContent": "wireai.messages",
    "UserPromptPart": "wireai.messages",
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
    # profiles, settings, usage
    "DEFAULT_PROFILE": "wireai.profiles",
    "ModelProfile": "wireai.profiles",
    "ModelSettings": "wireai.settings",
    "Usage": "wireai.usage",
    "RunUsage": "wireai.usage",
    "RequestUsage": "wireai.usage",
    "UsageLimits": "wireai.usage",
    "AbstractConcurrencyLimiter": "wireai.concurrency",
    "AnyConcurrencyLimit": "wireai.concurrency",
    "ConcurrencyLimit": "wireai.concurrency",
    "ConcurrencyLimiter": "wireai.concurrency",
    "ConcurrencyLimitedModel": "wireai.models.concurrency",
    "limit_model_concurrency": "wireai.models.concurrency",
    "InstrumentationSettings": "wireai.models.instrumented",
    "Pacing": "wireai.transport.pacing",
}

__all__ = ["__version__", *_EXPORTS]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


if TYPE_CHECKING:
    from ._iter import AgentRun, CallToolsNode, End, ModelRequestNode, UserPromptNode
    from .agent import Agent, EndStrategy, capture_run_messages
    from .concurrency import (
        AbstractConcurrencyLimiter,
        AnyConcurrencyLimit,
        ConcurrencyLimit,
        ConcurrencyLimiter,
    )
    from .embeddings import Embedder, EmbeddingModel, EmbeddingResult, EmbeddingSettings
    from .exceptions import (
        AgentRunError,
        ApprovalRequired,
        CallDeferred,
        ConcurrencyLimitExceeded,
        ContentFilterError,
        FallbackExceptionGroup,
        ModelAPIError,
        ModelHTTPError,
        ModelRetry,
        UnexpectedModelBehavior,
        UsageLimitExceeded,
        UserError,
    )
    from .format_prompt import format_as_xml
    from .messages import (
        AgentStreamEvent,
        AudioUrl,
        BinaryContent,
        BinaryImage,
        BuiltinToolCallPart,
        BuiltinToolReturnPart,
        CachePoint,
        DocumentUrl,
        FilePart,
        FileUrl,
        FinalResultEvent,
        FinishReason,
        FunctionToolCallEvent,
        FunctionToolResultEvent,
        HandleResponseEvent,
        ImageUrl,
        ModelMessage,
        ModelMessagesTypeAdapter,
        ModelRequest,
        ModelRequestPart,
        ModelResponse,
        ModelResponsePart,
        ModelResponsePartDelta,
        ModelResponseStreamEvent,
        MultiModalContent,
        NativeToolCallPart,
        NativeToolReturnPart,
        OutputToolCallEvent,
        OutputToolResultEvent,
        PartDeltaEvent,
        PartEndEvent,
        PartStartEvent,
        RetryPromptPart,
        SystemPromptPart,
        TextPart,
        TextPartDelta,
        ThinkingPart,
        ThinkingPartDelta,
        ToolCallEvent,
        ToolCallPart,
        ToolCallPartDelta,
        ToolResultEvent,
        ToolReturn,
        ToolReturnPart,
        UserContent,
        UserPromptPart,
        VideoUrl,
    )
    from .models.concurrency import ConcurrencyLimitedModel, limit_model_concurrency
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
    from .profiles import DEFAULT_PROFILE, ModelProfile
    from .result import AgentRunResult, AgentStream, StreamedRunResult, StreamedRunResultSync
    from .run import AgentEventStream, AgentRunResultEvent
    from .settings import ModelSettings
    from .tools import (
        DeferredToolRequests,
        DeferredToolResults,
        RunContext,
        Tool,
        ToolApproved,
        ToolDefinition,
        ToolDenied,
    )
    from .toolsets import (
        AbstractToolset,
        AgentToolset,
        ApprovalRequiredToolset,
        CombinedToolset,
        ExternalToolset,
        FilteredToolset,
        FunctionToolset,
        PrefixedToolset,
        PreparedToolset,
        RenamedToolset,
        ToolsetFunc,
        ToolsetTool,
        WrapperToolset,
    )
    from .transport.pacing import Pacing
    from .usage import RequestUsage, RunUsage, Usage, UsageLimits
