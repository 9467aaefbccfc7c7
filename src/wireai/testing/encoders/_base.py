"""What the encoders of several vendors share."""

from __future__ import annotations

from collections.abc import Mapping

from ...messages import FinishReason, ModelResponse
from ...usage import RequestUsage

__all__ = ["fresh_input_tokens", "pieces", "wire_finish"]


def pieces(text: str, size: int) -> list[str]:
    """`text` cut into `size`-character fragments, as the fakes stream it (empty text: none)."""
    return [text[i : i + size] for i in range(0, len(text), max(size, 1))]


def wire_finish(table: Mapping[str, FinishReason | None], response: ModelResponse, default: str) -> str:
    """The vendor's word for `response.finish_reason`: the first entry of the codec's own table that
    reads back as it (so encoder and parser cannot drift apart); `default` where none does.

    Unset, a response with tool calls finished for them, anything else stopped."""
    wanted = response.finish_reason or ("tool_call" if response.tool_calls else "stop")
    for wire, ours in table.items():
        if ours == wanted:
            return wire
    return default


def fresh_input_tokens(usage: RequestUsage) -> int:
    """The input tokens neither read from nor written to the cache: what Anthropic and Bedrock call
    `input_tokens` / `inputTokens` (ours is the total of all three)."""
    return usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens
