"""AWS Bedrock Runtime Converse, ConverseStream and CountTokens, as a sans-I/O codec.

`build_request` turns messages into the Converse request (`model/{modelId}/converse[-stream]`: the
model id is a URI member, not part of the body), `parse_response` reads a Converse answer, and
`StreamParser` is fed ConverseStream's raw AWS event-stream bytes (`wireai.wire.eventstream` frames
them); `build_count_tokens_request` / `parse_count_tokens_response` count a request's input tokens.
Field names are spelled as in the Bedrock Runtime API reference (2023-09-30); the codec contract is
in docs/codecs.md, the wire details in `protocols/bedrock.md`.

One module per concern: `request` (bodies), `content` (user content and tool results), `options`
(the portable settings per model family), `native_tools` (system tools such as Nova's code
interpreter), `response`, `stream`, and `common` (names and tables they share).
"""

from .._base import parse_error
from .common import FINISH_REASONS, PROVIDER_NAME, count_tokens_path, foundation_model_id, request_path
from .native_tools import SYSTEM_TOOLS
from .request import build_count_tokens_request, build_request, map_messages, tool_use_block
from .response import parse_count_tokens_response, parse_response, read_usage
from .stream import STREAM_EXCEPTION_STATUS, StreamParser, stream_error

__all__ = [
    "FINISH_REASONS",
    "PROVIDER_NAME",
    "STREAM_EXCEPTION_STATUS",
    "SYSTEM_TOOLS",
    "StreamParser",
    "build_count_tokens_request",
    "build_request",
    "count_tokens_path",
    "foundation_model_id",
    "map_messages",
    "parse_count_tokens_response",
    "parse_error",
    "parse_response",
    "read_usage",
    "request_path",
    "stream_error",
    "tool_use_block",
]
