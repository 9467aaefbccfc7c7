"""PydanticAI's `tool_choice` forms narrowed, once and before any codec, to what every codec maps.

A codec spells `'auto'`, `'required'`, `'none'` or one tool's name its vendor's way
(`codecs._base.resolve_tool_choice`). The richer forms — a list of names, `ToolOrOutput`, and
`'none'` while output tools are needed — are about *which tools are sent*, so they are applied here
to the request parameters (filtering the tool definitions) and leave one of those four values
behind. `HTTPModel` calls `prepare_tool_choice` for every request, batch line and token count; code
that drives a codec by hand calls it too.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from ._params import ModelRequestParameters
from .exceptions import UserError
from .settings import ModelSettings, ToolOrOutput

__all__ = ["prepare_tool_choice"]


def prepare_tool_choice(
    settings: ModelSettings, params: ModelRequestParameters
) -> tuple[ModelSettings, ModelRequestParameters]:
    """The settings and parameters to hand a codec: `tool_choice` left as auto/required/none/a name,
    the tools sent filtered to what the choice allows (PydanticAI's rules, see docs/settings.md).

    Unchanged when there is nothing to narrow, so the common request pays one dict lookup.
    """
    choice: Any = settings.get("tool_choice")
    if choice is None or choice == "auto":
        return settings, params
    if choice == "required":
        if not params.function_tools:
            raise UserError(
                "tool_choice='required' needs function tools, and this request has none: "
                "register a tool or use 'auto' / 'none'"
            )
        return settings, params
    if isinstance(choice, str) and choice != "none":
        return settings, params  # one tool's name: the codec forces it (and says if it is unknown)
    if choice == "none" or choice == [] or (isinstance(choice, ToolOrOutput) and not choice.function_tools):
        return _function_tools_off(settings, params)
    if isinstance(choice, ToolOrOutput):
        chosen = _known(choice.function_tools, [t.name for t in params.function_tools], "function tools")
        if len(chosen) == len(params.function_tools):
            return _with(settings, _direct_mode(params)), params
        kept = replace(params, function_tools=[t for t in params.function_tools if t.name in chosen])
        return _with(settings, _direct_mode(params)), kept
    if isinstance(choice, list) and all(isinstance(name, str) for name in choice):
        chosen = _known(choice, [t.name for t in params.tool_defs], "tools")
        if len(chosen) == len(params.tool_defs):
            return _with(settings, "required"), params
        if len(chosen) == 1:
            # One tool: force it by name, all tools still sent (their definitions stay cacheable).
            return _with(settings, next(iter(chosen))), params
        kept = replace(
            params,
            function_tools=[t for t in params.function_tools if t.name in chosen],
            output_tools=[t for t in params.output_tools if t.name in chosen],
        )
        return _with(settings, "required"), kept
    raise UserError(
        f"tool_choice {choice!r} is not one of 'auto', 'none', 'required', a tool's name, "
        "a list of tool names or ToolOrOutput(function_tools=[...])"
    )


def _function_tools_off(
    settings: ModelSettings, params: ModelRequestParameters
) -> tuple[ModelSettings, ModelRequestParameters]:
    """`'none'`: no function tool may be called. Output tools the output needs are kept (sent alone),
    else the agent could never answer; with none, the codec sends its vendor's `none`."""
    if not params.output_tools:
        return _with(settings, "none"), params
    return _with(settings, _direct_mode(params)), replace(params, function_tools=[])


def _direct_mode(params: ModelRequestParameters) -> str:
    """`auto` when text (or an image) can be the answer, else a tool call is `required`."""
    return "auto" if params.allow_text_output or params.allow_image_output else "required"


def _known(names: list[str], available: Collection[str], label: str) -> set[str]:
    """The asked names this request has. None at all is a `UserError`; some missing is a warning (a
    toolset may offer a tool on some steps only), never silent."""
    asked = set(names)
    known = asked & set(available)
    unknown = sorted(asked - known)
    if not known:
        raise UserError(
            f"tool_choice names {unknown}, none of which is among this request's {label}: {list(available)}"
        )
    if unknown:
        warnings.warn(
            f"tool_choice names {unknown}, which this request does not have ({label}: {list(available)}); "
            "they are ignored",
            UserWarning,
            stacklevel=4,
        )
    return known


def _with(settings: Mapping[str, Any], choice: str) -> ModelSettings:
    out: ModelSettings = {**settings}  # type: ignore[typeddict-item]
    out["tool_choice"] = choice
    return out
