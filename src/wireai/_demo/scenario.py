"""The two agent runs the demo makes against every vendor, and the answers the fake vendors give.

The same agent code runs against every row, so a difference between rows can only come from the
model class, provider, codec or transport under test — which is the point of the demo.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel

from ..messages import ModelRequest, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from ..models import Model
from ..usage import RequestUsage

__all__ = [
    "HAIKU",
    "STREAM_PROMPT",
    "STRUCTURED_PROMPT",
    "Forecast",
    "RunOutcome",
    "get_weather",
    "run_streamed",
    "run_structured",
    "scripted_responses",
]

STRUCTURED_PROMPT = "What is the weather in Paris? Answer with a forecast."
STREAM_PROMPT = "Write a haiku about talking to models over plain HTTP."
HAIKU = "No SDK between,\njust bytes on a loopback wire -\nthe model answers."
WEATHER = {"city": "Paris", "temperature_c": 18.5, "conditions": "sunny"}
FORECAST: dict[str, Any] = {"city": "Paris", "temperature_c": 18.5, "summary": "Sunny and mild"}
FIXED_TIME = datetime(2025, 3, 7, 12, 0, tzinfo=timezone.utc)
TOOL_NAME = "get_weather"
OUTPUT_TOOL_NAME = "final_result"  # the agent's default output tool


class Forecast(BaseModel):
    """A short forecast for one city."""

    city: str
    temperature_c: float
    summary: str


def get_weather(city: str) -> dict[str, object]:
    """Current weather for a city.

    Args:
        city: The city name, e.g. Paris.
    """
    return {**WEATHER, "city": city}


@dataclass
class RunOutcome:
    """What one vendor row shows: both runs' results, summed usage, and how the stream arrived."""

    forecast: Forecast | None = None
    tools_called: list[str] = field(default_factory=list)
    text: str = ""
    deltas: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


async def run_structured(model: Model, outcome: RunOutcome) -> None:
    """A pydantic-model output reached after one tool call (request 1: tool call, request 2: output tool)."""
    from ..agent import Agent

    # A host without function calling (Perplexity) answers from the prompt, in its native JSON mode.
    agent: Agent[None, Forecast] = Agent(
        model, output_type=Forecast, tools=[get_weather] if model.profile.supports_tools else []
    )
    result = await agent.run(STRUCTURED_PROMPT)
    outcome.forecast = result.output
    for message in result.all_messages():
        if isinstance(message, ModelRequest):
            outcome.tools_called += [
                p.tool_name
                for p in message.parts
                if isinstance(p, ToolReturnPart) and p.tool_name == TOOL_NAME
            ]
    usage = result.usage()
    outcome.input_tokens += usage.input_tokens
    outcome.output_tokens += usage.output_tokens


async def run_streamed(model: Model, outcome: RunOutcome) -> None:
    """Plain text streamed as it arrives; `deltas` counts the pieces the caller saw (no debouncing)."""
    from ..agent import Agent

    agent: Agent[None, str] = Agent(model)
    async with agent.run_stream(STREAM_PROMPT) as result:
        async for delta in result.stream_text(delta=True, debounce_by=None):
            outcome.text += delta
            outcome.deltas += 1
        usage = result.usage()
    outcome.input_tokens += usage.input_tokens
    outcome.output_tokens += usage.output_tokens


def scripted_responses(
    model_name: str, tool_call_ids: tuple[str, str], *, tools: bool = True, native: bool = False
) -> list[ModelResponse]:
    """The answers a fake vendor gives, in request order: tool call, output (output tool call, or JSON
    text in native mode), streamed text. The fixtures are these put on the wire by each codec's encoder.
    """
    first, second = tool_call_ids
    responses: list[ModelResponse] = []
    if tools:
        responses.append(
            ModelResponse(
                parts=[ToolCallPart(TOOL_NAME, {"city": "Paris"}, tool_call_id=first)],
                usage=RequestUsage(input_tokens=61, output_tokens=15),
                model_name=model_name,
                timestamp=FIXED_TIME,
                finish_reason="tool_call",
            )
        )
    output_part = (
        TextPart(json.dumps(FORECAST))
        if native
        else ToolCallPart(OUTPUT_TOOL_NAME, dict(FORECAST), tool_call_id=second)
    )
    return [
        *responses,
        ModelResponse(
            parts=[output_part],
            usage=RequestUsage(input_tokens=98, output_tokens=24),
            model_name=model_name,
            timestamp=FIXED_TIME,
            finish_reason="stop" if native else "tool_call",
        ),
        ModelResponse(
            parts=[TextPart(HAIKU)],
            usage=RequestUsage(input_tokens=14, output_tokens=19),
            model_name=model_name,
            timestamp=FIXED_TIME,
            finish_reason="stop",
        ),
    ]
