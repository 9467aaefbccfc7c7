"""Sans-I/O wire codecs, one module (or package) per protocol; a public API (see docs/codecs.md).

A codec imports neither httpx nor anyio, nor anything from `wireai.models`, `wireai.providers` or
`wireai.transport`: drive one with any transport — build a `WireRequest`, send it, feed the reply
back.
"""

from .._params import ModelRequestParameters, OutputObjectDefinition, ToolDefinition
from .._tool_choice import prepare_tool_choice
from ._base import WireRequest

__all__ = [
    "ModelRequestParameters",
    "OutputObjectDefinition",
    "ToolDefinition",
    "WireRequest",
    "prepare_tool_choice",
]
