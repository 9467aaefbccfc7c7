"""Output markers (`ToolOutput`, `NativeOutput`, `PromptedOutput`, `TextOutput`, `StructuredDict`).

How an output type is turned into tools or a response format, and how the model's answer is
validated back, lives in `_output.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .tools import DeferredToolRequests  # where PydanticAI also exports it

__all__ = [
    "DeferredToolRequests",
    "NativeOutput",
    "PromptedOutput",
    "StructuredDict",
    "TextOutput",
    "ToolOutput",
]

OutputDataT = TypeVar("OutputDataT")


@dataclass(init=False)
class ToolOutput(Generic[OutputDataT]):
    """Output returned by the model calling an output tool (the default for structured output)."""

    output_type: Any
    name: str | None
    description: str | None
    max_retries: int | None
    strict: bool | None

    def __init__(
        self,
        type_: Any,
        *,
        name: str | None = None,
        description: str | None = None,
        max_retries: int | None = None,
        strict: bool | None = None,
    ):
        self.output_type = type_
        self.name = name
        self.description = description
        self.max_retries = max_retries
        self.strict = strict


@dataclass(init=False)
class NativeOutput(Generic[OutputDataT]):
    """Output as JSON text constrained by the vendor's own response-format feature (json_schema)."""

    outputs: Any
    name: str | None
    description: str | None
    strict: bool | None

    def __init__(
        self,
        outputs: Any,
        *,
        name: str | None = None,
        description: str | None = None,
        strict: bool | None = None,
    ):
        self.outputs = outputs
        self.name = name
        self.description = description
        self.strict = strict


@dataclass(init=False)
class PromptedOutput(Generic[OutputDataT]):
    """Output as JSON text, with the schema given to the model in the instructions (works everywhere)."""

    outputs: Any
    name: str | None
    description: str | None
    template: str | None

    def __init__(
        self,
        outputs: Any,
        *,
        name: str | None = None,
        description: str | None = None,
        template: str | None = None,
    ):
        self.outputs = outputs
        self.name = name
        self.description = description
        self.template = template


@dataclass
class TextOutput(Generic[OutputDataT]):
    """Plain text output passed through a function (which may take a `RunContext` and raise `ModelRetry`)."""

    output_function: Callable[..., Any]


def StructuredDict(
    json_schema: dict[str, Any], name: str | None = None, description: str | None = None
) -> type[dict[str, Any]]:
    """A `dict` output type described by a JSON Schema you supply instead of a Python type."""
    from pydantic_core import core_schema

    schema = dict(json_schema)
    if description:
        schema.setdefault("description", description)

    class _StructuredDict(dict):
        __wireai_json_schema__ = schema

        @classmethod
        def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
            return core_schema.dict_schema(
                keys_schema=core_schema.str_schema(), values_schema=core_schema.any_schema()
            )

        @classmethod
        def __get_pydantic_json_schema__(cls, core: Any, handler: Any) -> Any:
            return schema

    _StructuredDict.__name__ = name or schema.get("title") or "StructuredDict"
    return _StructuredDict


def flatten_outputs(outputs: Any) -> Sequence[Any]:
    """`A | B`, `Union[A, B]` and `[A, B]` all mean "one of these"."""
    import types
    import typing

    if isinstance(outputs, (list, tuple)):
        result: list[Any] = []
        for item in outputs:
            result.extend(flatten_outputs(item))
        return result
    origin = typing.get_origin(outputs)
    if origin is typing.Union or (hasattr(types, "UnionType") and isinstance(outputs, types.UnionType)):
        members = typing.get_args(outputs)
        if type(None) not in members:  # `X | None` stays one output type
            return list(members)
    return [outputs]
