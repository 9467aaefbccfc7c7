"""What every codec's stream parser shares: the parts it builds and the response metadata it reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._parts_manager import ModelResponsePartsManager
from ..messages import FinishReason, ModelResponseStreamEvent
from ..usage import RequestUsage

__all__ = ["NO_EVENTS", "StreamParser"]

NO_EVENTS: Sequence[ModelResponseStreamEvent] = ()


class StreamParser:
    """State machine over one response's decoded stream events.

    `feed()` takes one decoded event and returns the part events it produced; `close()` is called
    when the bytes end and raises `UnexpectedModelBehavior` if the vendor's stream was incomplete
    (or `ModelHTTPError` for an error it reported).
    """

    def __init__(self, parts: ModelResponsePartsManager | None = None, *, model_name: str):
        self.parts = parts if parts is not None else ModelResponsePartsManager()
        self.model_name = model_name
        self.usage = RequestUsage()
        self.finish_reason: FinishReason | None = None
        self.provider_response_id: str | None = None
        self.provider_details: dict[str, Any] | None = None

    def feed(self, event: Any) -> Sequence[ModelResponseStreamEvent]:
        raise NotImplementedError

    def close(self) -> None:
        """Check the stream ended the way the vendor ends a complete response."""
