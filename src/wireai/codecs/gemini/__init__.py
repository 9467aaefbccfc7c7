"""Gemini `generateContent` / `streamGenerateContent?alt=sse` / `countTokens`, as served by the
Generative Language API (`google-gla`) and Vertex AI (`google-vertex`): one body format, two hosts.

The codec contract (docs/codecs.md): `build_request` -> `WireRequest` (`models/{model}:generateContent`,
or `:streamGenerateContent` with `alt=sse`), `parse_response` reads a `GenerateContentResponse`,
`StreamParser` reads the SSE stream (each `data:` is a whole `GenerateContentResponse` carrying the
next slice of parts), `build_count_tokens_request` / `parse_count_tokens_response` ask
`models/{model}:countTokens`. Field names are spelled as in Google's REST reference (camelCase).
The modules: `request` (bodies), `response` (bodies read back), `stream`, `native_tools` (Google
Search, code execution, URL context, file search, image output), `partial_args` (function-call
arguments streamed by JSON path).

What differs between models and hosts is profile data (`ModelProfile`, its `extra`), set by the providers:
- `gemini_vertex`: the body is for Vertex AI, whose v1 `FunctionCall`/`FunctionResponse` have no
  `id` (Vertex rejects unknown fields, so ids are left out), which alone accepts `labels`,
  `googleSearch.excludeDomains`, image output options and streamed function-call arguments, and
  which picks a service tier by header;
- `gemini_json_schema`: tool and output schemas go as full JSON Schema (`parametersJsonSchema`,
  `responseJsonSchema`, Gemini 2.5+) instead of the converted OpenAPI subset;
- `gemini_native_output_with_tools` / `gemini_tool_combination`: False for models (before Gemini 3)
  that cannot combine `responseSchema`, or native tools, with function calling; unset, the vendor
  is left to decide;
- `gemini_thinking` (`budget` | `level` | `none`) and `gemini_thinking_always_on`: how the portable
  `thinking` setting maps; `gemini_tool_return_parts`: files a tool returns go inside the function
  response (Gemini 3); `supports_image_output`: an image model.
"""

from .._base import parse_error
from .request import (
    PROVIDER_NAMES,
    SKIP_SIGNATURE,
    THINKING_BUDGETS,
    build_count_tokens_request,
    build_request,
    function_call,
    map_messages,
)
from .response import FINISH_REASONS, parse_count_tokens_response, parse_response, parse_usage
from .stream import StreamParser

__all__ = [
    "FINISH_REASONS",
    "PROVIDER_NAMES",
    "SKIP_SIGNATURE",
    "THINKING_BUDGETS",
    "StreamParser",
    "build_count_tokens_request",
    "build_request",
    "function_call",
    "map_messages",
    "parse_count_tokens_response",
    "parse_error",
    "parse_response",
    "parse_usage",
]
