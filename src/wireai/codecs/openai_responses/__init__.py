"""OpenAI Responses API (`POST {base_url}/responses`): input items in, output items back.

Differs from Chat Completions in shape, not in spirit: the conversation is a flat list of items
(`message`, `function_call`, `function_call_output`, `reasoning`, and the native tools' own items:
`web_search_call`, `code_interpreter_call`, `image_generation_call`, `file_search_call`, `mcp_*`),
tools are flat `{type: function, name, ...}` beside native tool entries (`web_search`,
`code_interpreter`, ...), structured output is `text.format`, and the stream is a family of typed
events (`response.output_text.delta`, ...) ending with `response.completed`. The codec contract
(docs/codecs.md): `build_request`, `parse_response`, `parse_error`, `StreamParser`; token counting:
`build_count_tokens_request` / `parse_count_tokens_response` (`POST responses/input_tokens`). The
wire details are in `protocols/openai_responses.md`.
"""

from .._base import parse_error
from .request import (
    build_count_tokens_request,
    build_request,
    chain_from_last_response,
    map_input,
    tool_param,
)
from .response import (
    INCOMPLETE_REASONS,
    STATUS_FINISH,
    parse_count_tokens_response,
    parse_response,
    parse_usage,
)
from .stream import StreamParser

__all__ = [
    "INCOMPLETE_REASONS",
    "STATUS_FINISH",
    "StreamParser",
    "build_count_tokens_request",
    "build_request",
    "chain_from_last_response",
    "map_input",
    "parse_count_tokens_response",
    "parse_error",
    "parse_response",
    "parse_usage",
    "tool_param",
]
