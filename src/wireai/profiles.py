"""What a model behind an API can do, separate from which API it speaks (one codec, many model families).

`ModelProfile` has PydanticAI's field names where wireai has the feature, plus `extra`: codec
knobs keyed by codec (`extra['openai_chat']` is read by the OpenAI chat codec's `ChatOptions`).
Which profile a model gets is its provider's call (`Provider.model_profile`); the family
profiles every OpenAI-compatible host shares are in `wireai.providers.families`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from .exceptions import UserError

__all__ = ["DEFAULT_PROFILE", "ModelProfile", "StructuredOutputMode", "merge_extra"]

StructuredOutputMode = Literal["tool", "native", "prompted"]

DEFAULT_PROMPTED_OUTPUT_TEMPLATE = (
    "Always respond with a JSON object that's compatible with this schema:\n\n{schema}\n\n"
    "Don't include any text or Markdown fencing before or after."
)

# The only tags the chat codec's splitter knows; see `ModelProfile.thinking_tags`.
THINK_TAGS = ("<think>", "</think>")


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
    """A function from a tool or output JSON schema to the one this model accepts (PydanticAI takes a
    transformer class here; wireai takes the function)."""
    # Codec-specific knobs (e.g. which field carries reasoning text on an OpenAI-compatible host).
    extra: dict[str, Any] = field(default_factory=dict)
    thinking_tags: tuple[str, str] = THINK_TAGS
    """The tags around inline reasoning in text content. Which hosts have their content split on them
    is the codec's knob (`extra['openai_chat']['think_tags']`); the splitter knows `<think>` only, so
    other tags are refused here rather than silently never split."""

    def __post_init__(self) -> None:
        if tuple(self.thinking_tags) != THINK_TAGS:
            raise UserError(
                f"thinking_tags={self.thinking_tags!r} is not supported: wireai splits reasoning out of text "
                f"only on {THINK_TAGS!r}"
            )

    @classmethod
    def from_profile(cls, profile: ModelProfile | None) -> ModelProfile:
        """`profile` as this class (PydanticAI V2): itself if it already is one, else its non-default values
        laid over this class's defaults."""
        if isinstance(profile, cls):
            return profile
        return cls().update(profile)

    def update(self, profile: ModelProfile | None = None, /, **changes: Any) -> ModelProfile:
        """A copy with `profile`'s non-default values laid over this one (PydanticAI V2's merge), and/or
        with the fields in `changes` replaced as given.

        In the merge, `extra` is merged per codec key (`{'openai_chat': {...}}` from both sides), so a
        family profile and a host profile can each describe their own knobs.
        """
        merged = self
        if profile is not None:
            taken: dict[str, Any] = {}
            for f in fields(profile):
                value = getattr(profile, f.name)
                if f.name == "extra":
                    if value:
                        taken["extra"] = merge_extra(self.extra, value)
                elif value != _default(f):
                    taken[f.name] = value
            merged = replace(merged, **taken)
        return replace(merged, **changes) if changes else merged


def _default(f: Any) -> Any:
    return f.default_factory() if callable(f.default_factory) else f.default


def merge_extra(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` laid on `base`, one level deep: codec keys holding dicts are merged, other values replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


DEFAULT_PROFILE = ModelProfile()
