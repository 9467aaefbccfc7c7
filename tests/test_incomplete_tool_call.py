"""`IncompleteToolCall`: a run whose retries run out because the model stopped at its token limit
inside a tool call's arguments says so (as PydanticAI does), over a fake vendor's real stream."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

import wireai
from wireai import Agent, IncompleteToolCall, UnexpectedModelBehavior
from wireai.messages import ModelResponse, ToolCallPart
from wireai.testing import FakeOpenAI
from wireai.usage import RequestUsage

CUT = '{"city": "Par'  # what arrived before `finish_reason: length`
MESSAGE = (
    "Model token limit ({}) exceeded while generating a tool call, resulting in incomplete arguments. "
    "Increase the `max_tokens` model setting, or simplify the prompt to result in a shorter response "
    "that will fit within the limit."
)


class Forecast(BaseModel):
    city: str
    celsius: float


def cut_off(tool_name: str) -> ModelResponse:
    return ModelResponse(
        [ToolCallPart(tool_name, CUT, tool_call_id="call_cut")],
        usage=RequestUsage(input_tokens=30, output_tokens=12),
        finish_reason="length",
    )


async def stream_run(agent: Agent[Any, Any], settings: Any = None) -> list[Any]:
    return [e async for e in agent.run_stream_events("Weather in Paris?", model_settings=settings)]


async def test_a_function_tool_call_cut_at_the_token_limit_is_an_incomplete_tool_call() -> None:
    with FakeOpenAI() as fake:
        agent: Agent[None, str] = Agent(fake.model())

        @agent.tool_plain(retries=1)
        def get_weather(city: str) -> str:
            """The weather in a city."""
            raise AssertionError("never called: its arguments never arrived whole")

        fake.add_response(cut_off("get_weather")).add_response(cut_off("get_weather"))
        with pytest.raises(IncompleteToolCall) as caught:
            await stream_run(agent, {"max_tokens": 12})
        streamed = [r.json() for r in fake.requests]
    assert str(caught.value) == MESSAGE.format(12)
    assert isinstance(caught.value, UnexpectedModelBehavior)
    assert [r["stream"] for r in streamed] == [True, True]  # both answers came as SSE streams
    retried = streamed[1]["messages"][-1]  # the first cut call was retried, as any invalid call is
    assert (retried["role"], retried["tool_call_id"]) == ("tool", "call_cut")
    assert '"type": "json_invalid"' in retried["content"]


async def test_an_output_tool_call_cut_at_the_token_limit_is_an_incomplete_tool_call() -> None:
    with FakeOpenAI() as fake:
        agent: Agent[None, Forecast] = Agent(fake.model(), output_type=Forecast, output_retries=0)
        fake.add_response(cut_off("final_result"))
        with pytest.raises(IncompleteToolCall, match=r"Model token limit \(provider default\) exceeded"):
            await stream_run(agent)


async def test_retries_spent_on_whole_arguments_stay_the_plain_error() -> None:
    """Only a cut-off call is incomplete: invalid but complete arguments, or a response that stopped
    for another reason, end with the usual retries error."""
    with FakeOpenAI() as fake:
        agent: Agent[None, Forecast] = Agent(fake.model(), output_type=Forecast, output_retries=0)
        fake.add_response(
            ModelResponse([ToolCallPart("final_result", CUT, "call_1")], finish_reason="tool_call")
        )
        with pytest.raises(UnexpectedModelBehavior) as caught:
            await stream_run(agent)
    assert type(caught.value) is UnexpectedModelBehavior
    assert str(caught.value) == "Exceeded maximum retries (0) for output validation"


def test_exported_where_pydantic_ai_exports_it() -> None:
    from wireai.exceptions import IncompleteToolCall as from_exceptions

    assert wireai.IncompleteToolCall is from_exceptions is IncompleteToolCall
    assert issubclass(IncompleteToolCall, UnexpectedModelBehavior)
