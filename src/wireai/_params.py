"""What one request asks of a model, with no vendor detail: tool definitions and the output wanted.

These sit below the codecs (which read them) and the models (which pass them on), so a codec needs
nothing from `wireai.models`. The public names are also exported from `wireai.models`,
`wireai.tools` and `wireai.codecs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .native_tools import AbstractNativeTool

__all__ = ["ModelRequestParameters", "OutputMode", "OutputObjectDefinition", "ToolDefinition", "ToolKind"]

OutputMode = Literal["text", "tool", "native", "prompted", "tool_or_text", "image"]
ToolKind = Literal["function", "output", "external", "unapproved"]


@dataclass(repr=False)
class ToolDefinition:
    """A tool as a model sees it: name, description and JSON Schema of its arguments.

    `kind` is for the agent, never sent: `external` calls are answered outside the run and
    `unapproved` ones wait for a human (both end the run with `DeferredToolRequests`). `metadata`
    is yours (filters, wrappers) and is not sent either.
    """

    name: str
    parameters_json_schema: dict[str, Any] = field(
        default_factory=lambda: {"type": "object", "properties": {}, "additionalProperties": False}
    )
    description: str | None = None
    strict: bool | None = None
    outer_typed_dict_key: str | None = None
    kind: ToolKind = "function"
    metadata: dict[str, Any] | None = None
    allowed_callers: list[str] | None = None
    """Who may call the tool (Anthropic's `allowed_callers`): `'direct'` (the model, the default) and/or
    a code execution tool version such as `'code_execution_20260120'` (programmatic tool calling: the
    model's sandboxed code calls it). Codecs of vendors without the notion leave it out."""

    @property
    def defer(self) -> bool:
        """Whether calls to this tool end the run with `DeferredToolRequests` instead of running."""
        return self.kind in ("external", "unapproved")

    def __repr__(self) -> str:
        return f"ToolDefinition(name={self.name!r}, description={self.description!r}, kind={self.kind!r})"


@dataclass
class OutputObjectDefinition:
    """The schema of a structured output sent as a vendor response format (native) or in the prompt."""

    json_schema: dict[str, Any]
    name: str | None = None
    description: str | None = None
    strict: bool | None = None


@dataclass
class ModelRequestParameters:
    """What the agent wants from this request, with no vendor detail: tools, and how output comes back."""

    function_tools: list[ToolDefinition] = field(default_factory=list)
    output_mode: OutputMode = "text"
    output_object: OutputObjectDefinition | None = None
    output_tools: list[ToolDefinition] = field(default_factory=list)
    allow_text_output: bool = True
    allow_image_output: bool = False
    """The agent takes an image as the answer (`output_type=BinaryImage`): a codec whose vendor must be
    asked for images (a response modality, an image generation tool) asks."""
    native_tools: list[AbstractNativeTool] = field(default_factory=list)
    """Tools the vendor runs itself (`wireai.native_tools`); each codec translates or refuses them."""

    @property
    def tool_defs(self) -> list[ToolDefinition]:
        return [*self.function_tools, *self.output_tools]

    @property
    def builtin_tools(self) -> list[AbstractNativeTool]:
        """PydanticAI's earlier name for `native_tools`."""
        return self.native_tools

    # v0.0.36 names
    @property
    def allow_text_result(self) -> bool:
        return self.allow_text_output

    @property
    def result_tools(self) -> list[ToolDefinition]:
        return self.output_tools
