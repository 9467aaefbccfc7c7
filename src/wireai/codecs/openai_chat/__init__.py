"""OpenAI Chat Completions (`POST {base_url}/chat/completions`), as spoken by OpenAI and its imitators.

One codec serves OpenAI, Azure, Groq, DeepSeek, OpenRouter, xAI, Perplexity, Ollama and the other
compatible hosts, and its response side serves Mistral too (same chunk format). Where the hosts
differ (which field carries reasoning text, whether `stream_options` is accepted, ...) the
difference is a field of `ChatOptions`, filled in from the model profile — never a copy of this code.

The codec contract (docs/codecs.md): `build_request` -> `WireRequest`, `parse_response`,
`parse_error`, and `StreamParser`, fed the raw SSE bytes; `filtered_response` turns Azure's
content-filter 400 into the response it stands for.
"""

from .._base import parse_error
from .options import FINISH_REASONS, OPENAI_SETTINGS, ChatOptions
from .request import build_request, tool_param, user_content
from .response import (
    error_status,
    filtered_response,
    parse_response,
    parse_usage,
    read_completion,
    thinking_text,
)
from .stream import StreamParser

__all__ = [
    "FINISH_REASONS",
    "OPENAI_SETTINGS",
    "ChatOptions",
    "StreamParser",
    "build_request",
    "error_status",
    "filtered_response",
    "parse_error",
    "parse_response",
    "parse_usage",
    "read_completion",
    "thinking_text",
    "tool_param",
    "user_content",
]
