"""JSON Schema and argument validation for a Python function, built once when the tool is defined.

Parameter descriptions come from the docstring (Google, NumPy or Sphinx style); the schema is
pydantic's, without titles (models do not need them and they cost tokens).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, get_origin, get_type_hints

from pydantic import ConfigDict, TypeAdapter, create_model
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from .exceptions import UserError

__all__ = ["FunctionSchema", "function_schema", "parse_docstring", "takes_run_context", "tool_json_schema"]


class _ToolSchemaGenerator(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        out = super().model_schema(schema)
        out.pop("title", None)
        return out

    def dataclass_schema(self, schema: core_schema.DataclassSchema) -> JsonSchemaValue:
        out = super().dataclass_schema(schema)
        out.pop("title", None)
        return out

    def typed_dict_schema(self, schema: core_schema.TypedDictSchema) -> JsonSchemaValue:
        out = super().typed_dict_schema(schema)
        out.pop("title", None)
        return out


def tool_json_schema(adapter: TypeAdapter[Any]) -> dict[str, Any]:
    schema = adapter.json_schema(schema_generator=_ToolSchemaGenerator)
    schema.pop("title", None)
    return schema


@dataclass
class FunctionSchema:
    function: Callable[..., Any]
    description: str | None
    json_schema: dict[str, Any]
    validator: TypeAdapter[Any]
    takes_ctx: bool
    is_async: bool
    single_arg_name: str | None  # the one object-typed parameter whose schema is the whole tool schema
    positional: frozenset[str]

    def validate_json(self, args: str | bytes) -> dict[str, Any]:
        """The model's JSON arguments as the function's keyword arguments; raises pydantic's ValidationError.

        With `validate_python` this is the `args_validator` protocol of a toolset's tools.
        """
        return self.kwargs(self.validator.validate_json(args or "{}"))

    def validate_python(self, args: dict[str, Any] | None) -> dict[str, Any]:
        return self.kwargs(self.validator.validate_python(args or {}))

    def kwargs(self, validated: Any) -> dict[str, Any]:
        if self.single_arg_name is not None:
            return {self.single_arg_name: validated}
        return validated.__dict__.copy()  # the arguments model's fields (extra="forbid": nothing else)

    async def call(self, validated: Any, ctx: Any) -> Any:
        return await self.call_kwargs(self.kwargs(validated), ctx)

    async def call_kwargs(self, kwargs: dict[str, Any], ctx: Any) -> Any:
        args: list[Any] = [ctx] if self.takes_ctx else []
        if self.is_async:
            return await self.function(*args, **kwargs)
        # A sync tool may block (files, HTTP, sleep): run it in a worker thread, as PydanticAI does.
        import anyio.to_thread

        return await anyio.to_thread.run_sync(lambda: self.function(*args, **kwargs))


def takes_run_context(function: Callable[..., Any]) -> bool:
    """Whether the first parameter is annotated `RunContext[...]` (PydanticAI's rule for tools and prompts)."""
    try:
        params = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return False
    if not params:
        return False
    first = params[0]
    annotation = first.annotation
    if annotation is inspect.Parameter.empty:
        return False
    if isinstance(annotation, str):
        return annotation.startswith("RunContext") or ".RunContext" in annotation
    from .tools import RunContext

    return annotation is RunContext or get_origin(annotation) is RunContext


def function_schema(
    function: Callable[..., Any] | Callable[..., Awaitable[Any]],
    *,
    takes_ctx: bool,
    docstring_format: str = "auto",
    require_parameter_descriptions: bool = False,
) -> FunctionSchema:
    signature = inspect.signature(function)
    try:
        hints = get_type_hints(function, include_extras=True)
    except Exception:  # unresolvable forward references: fall back to raw annotations
        hints = {}
    description, param_docs = parse_docstring(inspect.getdoc(function) or "", docstring_format)
    params = list(signature.parameters.values())
    if takes_ctx:
        if not params:
            raise UserError(f"{function.__name__} takes a RunContext but has no parameters")
        params = params[1:]
    fields: dict[str, Any] = {}
    positional = set()
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise UserError(
                f"{function.__name__}: *args/**kwargs cannot be described to a model; name each parameter"
            )
        annotation = hints.get(p.name, p.annotation)
        if annotation is inspect.Parameter.empty:
            annotation = Any
        from pydantic import Field

        doc = param_docs.get(p.name)
        if require_parameter_descriptions and not doc:
            raise UserError(f"{function.__name__}: parameter {p.name!r} has no description in the docstring")
        default = ... if p.default is inspect.Parameter.empty else p.default
        fields[p.name] = (annotation, Field(default, description=doc) if doc else default)
        if p.kind is p.POSITIONAL_ONLY:
            positional.add(p.name)

    single_arg_name = None
    if len(fields) == 1:
        ((name, (annotation, _)),) = fields.items()
        if _is_object_type(annotation) and name not in param_docs:
            single_arg_name = name
    if single_arg_name is not None:
        validator: TypeAdapter[Any] = TypeAdapter(fields[single_arg_name][0])
        schema = tool_json_schema(validator)
    else:
        model = create_model(f"{function.__name__}_args", __config__=ConfigDict(extra="forbid"), **fields)
        validator = TypeAdapter(model)
        schema = tool_json_schema(validator)
        schema.setdefault("properties", {})
        schema["additionalProperties"] = False
    return FunctionSchema(
        function=function,
        description=description,
        json_schema=schema,
        validator=validator,
        takes_ctx=takes_ctx,
        is_async=inspect.iscoroutinefunction(function),
        single_arg_name=single_arg_name,
        positional=frozenset(positional),
    )


def _is_object_type(annotation: Any) -> bool:
    from dataclasses import is_dataclass

    from pydantic import BaseModel
    from typing_extensions import is_typeddict

    return (
        (isinstance(annotation, type) and issubclass(annotation, BaseModel))
        or (isinstance(annotation, type) and is_dataclass(annotation))
        or is_typeddict(annotation)
    )


# ----------------------------------------------------------------------------------------------- docstrings

_GOOGLE_SECTION = re.compile(
    r"^(Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments)\s*:\s*$", re.I
)
_GOOGLE_OTHER = re.compile(
    r"^(Returns?|Yields?|Raises?|Examples?|Notes?|Attributes?|See Also|References?|Warnings?|Todo)\s*:\s*$",
    re.I,
)
_GOOGLE_PARAM = re.compile(r"^(\*{0,2}\w+)\s*(\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_HEADER = re.compile(
    r"^(Parameters|Other Parameters|Returns|Yields|Raises|See Also|Notes|Examples)\s*$"
)
_SPHINX_PARAM = re.compile(r"^:param\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$")


def parse_docstring(doc: str, style: str = "auto") -> tuple[str | None, dict[str, str]]:
    """Split a docstring into the function's description and a {parameter: description} map."""
    if not doc.strip():
        return None, {}
    lines = doc.expandtabs().splitlines()
    parsers = {"google": _parse_google, "numpy": _parse_numpy, "sphinx": _parse_sphinx}
    if style != "auto":
        return parsers[style](lines)
    if any(_SPHINX_PARAM.match(line.strip()) for line in lines):
        return _parse_sphinx(lines)
    for i, line in enumerate(lines[:-1]):
        if _NUMPY_HEADER.match(line.strip()) and set(lines[i + 1].strip()) == {"-"}:
            return _parse_numpy(lines)
    return _parse_google(lines)


def _join(lines: list[str]) -> str | None:
    text = "\n".join(lines).strip()
    return text or None


def _parse_google(lines: list[str]) -> tuple[str | None, dict[str, str]]:
    description: list[str] = []
    params: dict[str, str] = {}
    section: str | None = None
    current: str | None = None
    base_indent = 0
    for line in lines:
        stripped = line.strip()
        if _GOOGLE_SECTION.match(stripped):
            section, current = "params", None
            base_indent = -1
            continue
        if _GOOGLE_OTHER.match(stripped):
            section, current = "other", None
            continue
        if section is None:
            description.append(line)
        elif section == "params":
            if not stripped:
                continue
            indent = len(line) - len(line.lstrip())
            if base_indent < 0:
                base_indent = indent
            match = _GOOGLE_PARAM.match(stripped)
            if match and indent <= base_indent:
                current = match.group(1).lstrip("*")
                params[current] = match.group(3).strip()
            elif current is not None:
                params[current] = (params[current] + " " + stripped).strip()
    return _join(description), params


def _parse_numpy(lines: list[str]) -> tuple[str | None, dict[str, str]]:
    description: list[str] = []
    params: dict[str, str] = {}
    section: str | None = None
    current: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if i + 1 < len(lines) and _NUMPY_HEADER.match(stripped) and set(lines[i + 1].strip()) == {"-"}:
            section = "params" if "Parameters" in stripped else "other"
            current = None
            i += 2
            continue
        if section is None:
            description.append(line)
        elif section == "params" and stripped:
            indent = len(line) - len(line.lstrip())
            if indent == 0:
                current = stripped.split(":", 1)[0].strip()
                params[current] = ""
            elif current is not None:
                params[current] = (params[current] + " " + stripped).strip()
        i += 1
    return _join(description), params


def _parse_sphinx(lines: list[str]) -> tuple[str | None, dict[str, str]]:
    description: list[str] = []
    params: dict[str, str] = {}
    current: str | None = None
    in_fields = False
    for line in lines:
        stripped = line.strip()
        match = _SPHINX_PARAM.match(stripped)
        if match:
            in_fields = True
            current = match.group(1)
            params[current] = match.group(2).strip()
        elif stripped.startswith(":"):
            in_fields = True
            current = None
        elif in_fields:
            if current is not None and stripped:
                params[current] = (params[current] + " " + stripped).strip()
        else:
            description.append(line)
    return _join(description), params
