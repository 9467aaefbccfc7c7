"""Anthropic Messages API (`POST v1/messages`), sans I/O.

Request: `build_request` turns our messages into a Messages body (`system` blocks, alternating
`user`/`assistant` turns, tools and server tools, thinking, prompt caching) and its headers
(`anthropic-version`, `anthropic-beta`). Response: `parse_response` reads a `message` object. Stream:
`StreamParser` is fed the raw SSE bytes (`message_start`, `content_block_*`, `message_delta`,
`message_stop`, `ping`, `error`). Token counting: `build_count_tokens_request` /
`parse_count_tokens_response` (`POST v1/messages/count_tokens`). Claude on Bedrock (InvokeModel) and
Vertex AI (rawPredict) takes the same body in another envelope, named by the profile
(`extra['anthropic_variant']`, see `variants.py`). The codec contract is in docs/codecs.md, the wire
details in `protocols/anthropic.md`.
"""

from .._base import parse_error
from .common import ANTHROPIC_VERSION, PROVIDER_NAME
from .count_tokens import build_count_tokens_request, parse_count_tokens_response
from .request import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_THINKING_BUDGET,
    THINKING_BUDGETS,
    build_request,
    map_messages,
)
from .response import ERROR_STATUS, FINISH_REASONS, parse_response, read_usage
from .stream import StreamParser
from .variants import VARIANTS, Variant, variant_of

__all__ = [
    "ANTHROPIC_VERSION",
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_THINKING_BUDGET",
    "ERROR_STATUS",
    "FINISH_REASONS",
    "PROVIDER_NAME",
    "StreamParser",
    "THINKING_BUDGETS",
    "VARIANTS",
    "Variant",
    "build_count_tokens_request",
    "build_request",
    "map_messages",
    "parse_count_tokens_response",
    "parse_error",
    "parse_response",
    "read_usage",
    "variant_of",
]
