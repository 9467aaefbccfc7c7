"""What a model behind an API can do, separate from which API it speaks (one codec, many model families)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = ["DEFAULT_PROFILE", "ModelProfile", "StructuredOutputMode"]

StructuredOutputMode = Literal["tool", "native", "prompted"]

DEFAULT_PROMPTED_OUTPUT_TEMPLATE = (
    "Always respond with a JSON object that's compatible with this schema:\n\n{schema}\n\n"
    "Don't include any text or Markdown fencing before or after."
)


@dataclass(frozen=True)
class ModelProfile:
    supports_tools: bool = True
    supports_json_schema_output: bool = False
    supports_json_object_output: bool = False
    supports_image_output: bool = False
    """The model can answer with images (`FilePart`s): Gemini image models, for example."""
    default_structured_output_mode: StructuredOutputMode = "tool"
    prompted_output_template: str = DEFAULT_PROMPTED_OUTPUT_TEMPLATE
    json_schema_transformer: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # Codec-specific knobs (e.g. which field carries reasoning text on an OpenAI-compatible host).
    extra: dict[str, Any] = field(default_factory=dict)

    def update(self, **changes: Any) -> ModelProfile:
        return replace(self, **changes)


DEFAULT_PROFILE = ModelProfile()
