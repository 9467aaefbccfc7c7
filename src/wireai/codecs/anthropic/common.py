"""Names every direction of the Anthropic codec shares (kept apart so the modules need not import each other)."""

from __future__ import annotations

__all__ = ["ANTHROPIC_VERSION", "INVOCATION_METRICS", "PROVIDER_NAME", "REDACTED", "is_ours"]

ANTHROPIC_VERSION = "2023-06-01"
PROVIDER_NAME = "anthropic"
INVOCATION_METRICS = "amazon-bedrock-invocationMetrics"  # Bedrock's counts, on a streamed `message_stop`
REDACTED = "redacted_thinking"  # ThinkingPart.provider_details key holding a redacted block's `data`


def is_ours(provider_name: str | None) -> bool:
    """Whether a part recorded by `provider_name` came from Anthropic (None: made by hand or a fake, taken as ours)."""
    return provider_name in (PROVIDER_NAME, None)
