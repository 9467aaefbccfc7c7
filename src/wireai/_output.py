"""How an output type becomes output tools or a response format, and how answers are validated back."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pydantic_core
from pydantic import TypeAdapter, ValidationError

from ._function_schema import FunctionSchema, function_schema, takes_run_context, tool_json_schema
from .exceptions import ModelRetry, UserError
from .messages import BinaryImage, ToolCallPart
from .models import ModelRequestParameters, OutputMode, OutputObjectDefinition
from .output import NativeOutput, PromptedOutput, TextOutput, ToolOutput, flatten_outputs
from .profiles import ModelProfile
from .tools import DeferredToolRequests, RunContext, ToolDefinition

if TYPE_CHECKING:
    from .native_tools import AbstractNativeTool

__all__ = ["OutputSchema", "OutputValidationError", "build_output_schema"]

DEFAULT_OUTPUT_TOOL_NAME = "final_result"
DEFAULT_OUTPUT_TOOL_DESCRIPTION = "The final response which ends this conversation"


class OutputValidationError(Exception):
    """The model's output did not validate; `content` goes back to it in a RetryPromptPart."""

    def __init__(self, content: str | list[dict[str, Any]]):
        self.content = content
        super().__init__(str(content))


@dataclass
class _ObjectOutput:
    """One structured output type: its JSON schema and how to validate (and maybe post-process) it."""

    name: str
    description: str | None
    json_schema: dict[str, Any]
    validator: TypeAdapter[Any]
    outer_key: str | None = None
    function: FunctionSchema | None = None
    strict: bool | None = None
    max_retries: int | None = None

    def validate(self, data: str | dict[str, Any] | None, *, partial: bool = False) -> Any:
        mode: Any = "trailing-strings" if partial else "off"
        if self.outer_key is not None:
            obj = _load(data, partial)
            if not isinstance(obj, dict) or self.outer_key not in obj:
                if partial:
                    raise ValueError("incomplete")
                raise OutputValidationError(f"Expected a JSON object with a {self.outer_key!r} key")
            return self.validator.validate_python(obj[self.outer_key], experimental_allow_partial=mode)
        if isinstance(data, str):
            return self.validator.validate_json(data or "{}", experimental_allow_partial=mode)
        return self.validator.validate_python(data or {}, experimental_allow_partial=mode)

    async def process(self, validated: Any, ctx: RunContext[Any]) -> Any:
        if self.function is None:
            return validated
        return await self.function.call(validated, ctx)


def _load(data: str | dict[str, Any] | None, partial: bool) -> Any:
    if data is None:
        return {}
    if isinstance(data, dict):
        return data
    return pydantic_core.from_json(data or "{}", allow_partial=partial)


@dataclass
class OutputSchema:
    mode: OutputMode
    allow_text: bool  # the answer may come as text: plain, or JSON text in native/prompted mode
    objects: list[_ObjectOutput] = field(default_factory=list)
    text_function: Callable[..., Any] | None = None
    template: str | None = None  # prompted mode: instructions telling the model the schema
    allows_deferred_tools: bool = False  # DeferredToolRequests is among the output types
    allows_image: bool = False  # BinaryImage is among the output types: an image the model made is the output
    _tools: dict[str, _ObjectOutput] = field(default_factory=dict)
    _last_params: tuple[list[ToolDefinition], Sequence[AbstractNativeTool], ModelRequestParameters] | None = (
        None
    )

    def __post_init__(self) -> None:
        if self.mode in ("tool", "tool_or_text"):
            self._tools = {o.name: o for o in self.objects}

    @property
    def tool_names(self) -> dict[str, _ObjectOutput]:
        return self._tools

    def tool_defs(self) -> list[ToolDefinition]:
        return [
            ToolDefinition(o.name, o.json_schema, o.description, o.strict, o.outer_key, kind="output")
            for o in self._tools.values()
        ]

    def object_def(self) -> OutputObjectDefinition | None:
        if self.mode not in ("native", "prompted") or not self.objects:
            return None
        obj = self.objects[0]
        return OutputObjectDefinition(obj.json_schema, obj.name, obj.description, obj.strict)

    def request_parameters(
        self, function_tools: list[ToolDefinition], native_tools: Sequence[AbstractNativeTool] = ()
    ) -> ModelRequestParameters:
        """The parameters of a request offering these tools; the same tools as last time (every step
        and run of an agent with static tools) give the same object, built once."""
        last = self._last_params
        if last is not None and last[0] == function_tools and last[1] == native_tools:
            return last[2]
        params = ModelRequestParameters(
            function_tools=function_tools,
            output_mode=self.mode,
            output_object=self.object_def(),
            output_tools=self.tool_defs(),
            # An image is an answer without a tool call: codecs must not force one.
            allow_text_output=self.allow_text or self.allows_image,
            allow_image_output=self.allows_image,
            native_tools=list(native_tools),
        )
        self._last_params = (function_tools, native_tools, params)
        return params

    def prompted_instructions(self, profile: ModelProfile) -> str | None:
        if self.mode != "prompted" or not self.objects:
            return None
        template = self.template or profile.prompted_output_template
        return template.format(schema=json.dumps(self.objects[0].json_schema))

    # ----------------------------------------------------------------------------------- validation

    async def validate_tool_call(
        self, call: ToolCallPart, ctx: RunContext[Any], *, partial: bool = False
    ) -> Any:
        obj = self._tools[call.tool_name]
        try:
            validated = obj.validate(call.args, partial=partial)
        except ValidationError as exc:
            raise OutputValidationError(_errors(exc)) from exc
        except ValueError as exc:
            raise OutputValidationError(f"Invalid JSON: {exc}") from exc
        if partial or obj.function is None:
            return validated  # a plain output type: no output function to await
        return await _call_output(obj, validated, ctx)

    async def validate_text(self, text: str, ctx: RunContext[Any], *, partial: bool = False) -> Any:
        if self.mode in ("native", "prompted"):
            obj = self.objects[0]
            try:
                validated = obj.validate(_strip_fences(text), partial=partial)
            except ValidationError as exc:
                raise OutputValidationError(_errors(exc)) from exc
            except ValueError as exc:
                raise OutputValidationError(f"Invalid JSON: {exc}") from exc
            if partial:
                return validated
            return await _call_output(obj, validated, ctx)
        if self.text_function is not None and not partial:
            return await _call_text_function(self.text_function, text, ctx)
        return text


async def _call_output(obj: _ObjectOutput, validated: Any, ctx: RunContext[Any]) -> Any:
    try:
        return await obj.process(validated, ctx)
    except ModelRetry as exc:
        raise OutputValidationError(exc.message) from exc


async def _call_text_function(function: Callable[..., Any], text: str, ctx: RunContext[Any]) -> Any:
    args = (ctx, text) if takes_run_context(function) else (text,)
    try:
        result = function(*args)
        if inspect.isawaitable(result):
            result = await result
        return result
    except ModelRetry as exc:
        raise OutputValidationError(exc.message) from exc


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    return exc.errors(include_url=False, include_context=False)  # type: ignore[return-value]


def _strip_fences(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0]
    return stripped.strip()


# --------------------------------------------------------------------------------------------- building


def build_output_schema(
    output_type: Any,
    *,
    default_mode: str = "tool",
    tool_name: str | None = None,
    tool_description: str | None = None,
) -> OutputSchema:
    """Turn `output_type` (a type, a union or list of types, a function, or a marker) into an OutputSchema."""
    members = list(flatten_outputs(output_type))
    # Two output types are not a schema the model fills: `DeferredToolRequests` (the run ends with it
    # when tools are deferred) and `BinaryImage` (an image the model answers with). The schema is
    # built from the other types and says it also takes these.
    for marker, flag in ((DeferredToolRequests, "allows_deferred_tools"), (BinaryImage, "allows_image")):
        if any(m is marker for m in members):
            rest = [m for m in members if m is not marker]
            if not rest and marker is BinaryImage:
                return OutputSchema("image", False, allows_image=True)
            if not rest:
                raise UserError(
                    "At least one output type must be provided other than `DeferredToolRequests`."
                )
            schema = build_output_schema(
                rest[0] if len(rest) == 1 else rest,
                default_mode=default_mode,
                tool_name=tool_name,
                tool_description=tool_description,
            )
            setattr(schema, flag, True)
            return schema
    if isinstance(output_type, (NativeOutput, PromptedOutput)) and any(
        m is BinaryImage for m in flatten_outputs(output_type.outputs)
    ):
        name = type(output_type).__name__
        raise UserError(
            f"`{name}` cannot contain `BinaryImage`. Include it alongside the output marker instead: "
            f"`output_type=[{name}(...), BinaryImage]`"
        )
    if output_type is str:
        return OutputSchema("text", True)
    if isinstance(output_type, TextOutput):
        return OutputSchema("text", True, text_function=output_type.output_function)
    if isinstance(output_type, NativeOutput):
        obj = _single_object(
            output_type.outputs, output_type.name, output_type.description, output_type.strict
        )
        return OutputSchema("native", True, [obj])
    if isinstance(output_type, PromptedOutput):
        obj = _single_object(output_type.outputs, output_type.name, output_type.description, None)
        return OutputSchema("prompted", True, [obj], template=output_type.template)

    allow_text = str in members
    structured = [m for m in members if m is not str]
    text_functions = [m for m in structured if isinstance(m, TextOutput)]
    structured = [m for m in structured if not isinstance(m, TextOutput)]
    if text_functions:
        allow_text = True
    if not structured:
        return OutputSchema(
            "text", True, text_function=text_functions[0].output_function if text_functions else None
        )
    if (
        default_mode in ("native", "prompted")
        and len(structured) == 1
        and not allow_text
        and not isinstance(structured[0], ToolOutput)
    ):
        obj = _single_object(structured[0], tool_name, tool_description, None)
        return OutputSchema(default_mode, True, [obj])  # type: ignore[arg-type]

    objects = []
    multiple = len(structured) > 1
    for member in structured:
        spec = member if isinstance(member, ToolOutput) else ToolOutput(member)
        name = spec.name or tool_name or DEFAULT_OUTPUT_TOOL_NAME
        if multiple and not spec.name:
            name = f"{name}_{_type_name(spec.output_type)}"
        objects.append(
            _object_output(
                spec.output_type, name, spec.description or tool_description, spec.strict, spec.max_retries
            )
        )
    names = [o.name for o in objects]
    if len(set(names)) != len(names):
        raise UserError(f"Output tool names clash: {names}; give each ToolOutput a distinct name=")
    return OutputSchema(
        "tool_or_text" if allow_text else "tool",
        allow_text,
        objects,
        text_functions[0].output_function if text_functions else None,
    )


def _single_object(
    outputs: Any, name: str | None, description: str | None, strict: bool | None
) -> _ObjectOutput:
    members = list(flatten_outputs(outputs))
    if len(members) == 1:
        return _object_output(members[0], name or _type_name(members[0]), description, strict, None)
    # Several types in one response format: a wrapper object whose `result` is any of them.
    from typing import Union

    union = Union[tuple(members)]  # type: ignore[valid-type]
    return _object_output(union, name or "result", description, strict, None, force_wrap=True)


def _object_output(
    output_type: Any,
    name: str,
    description: str | None,
    strict: bool | None,
    max_retries: int | None,
    *,
    force_wrap: bool = False,
) -> _ObjectOutput:
    if inspect.isfunction(output_type) or inspect.ismethod(output_type):
        schema = function_schema(output_type, takes_ctx=takes_run_context(output_type))
        return _ObjectOutput(
            name,
            description or schema.description or DEFAULT_OUTPUT_TOOL_DESCRIPTION,
            schema.json_schema,
            schema.validator,
            function=schema,
            strict=strict,
            max_retries=max_retries,
        )
    try:
        adapter: TypeAdapter[Any] = TypeAdapter(output_type)
        json_schema = tool_json_schema(adapter)
    except Exception as exc:
        raise UserError(f"Cannot build a JSON schema for output type {output_type!r}: {exc}") from exc
    doc = description
    if doc is None:
        own_doc = getattr(output_type, "__doc__", None) if isinstance(output_type, type) else None
        if own_doc and own_doc.strip() and not _is_builtin_doc(output_type):
            doc = inspect.cleandoc(own_doc)
    outer_key = None
    if force_wrap or json_schema.get("type") != "object":
        defs = json_schema.pop("$defs", None)
        json_schema = {"type": "object", "properties": {"response": json_schema}, "required": ["response"]}
        if defs:
            json_schema["$defs"] = defs
        outer_key = "response"
    return _ObjectOutput(
        name,
        doc or DEFAULT_OUTPUT_TOOL_DESCRIPTION,
        json_schema,
        adapter,
        outer_key,
        strict=strict,
        max_retries=max_retries,
    )


def _is_builtin_doc(tp: Any) -> bool:
    from dataclasses import is_dataclass

    module = getattr(tp, "__module__", "")
    if isinstance(tp, type) and is_dataclass(tp) and (tp.__doc__ or "").startswith(f"{tp.__name__}("):
        return True  # the signature dataclasses write when a class has no docstring
    return module in ("builtins", "typing") or module.startswith("pydantic")


def _type_name(tp: Any) -> str:
    if isinstance(tp, ToolOutput):
        tp = tp.output_type
    name = getattr(tp, "__name__", None) or str(tp)
    return "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in name)
