"""`UsageLimits` as in PydanticAI: `tool_calls_limit` (successful function calls, checked before a batch
runs), `per_request_input_tokens_limit` (each request's input, not the run's), and
`count_tokens_before_request=True` (the vendor counts the next request's input first, so an
oversized request is never sent), with PydanticAI's messages; `RunUsage.tool_calls`."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import BaseModel

from wireai import Agent, ModelRetry, UsageLimitExceeded, UsageLimits, UserError
from wireai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
from wireai.models.function import AgentInfo, FunctionModel
from wireai.testing import FakeAnthropic, FakeOpenAI
from wireai.usage import RequestUsage, RunUsage, Usage

ANTHROPIC_HELLO = {
    "model": "claude-3-5-sonnet-latest",
    "system": [{"type": "text", "text": "Be brief."}],
    "messages": [{"role": "user", "content": [{"type": "text", "text": "hello"}]}],
}


def _scripted(*responses: ModelResponse) -> FunctionModel:
    queue = list(responses)

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return queue.pop(0)

    return FunctionModel(answer)


def _calls(*names: str, start: int = 1) -> ModelResponse:
    return ModelResponse(
        [ToolCallPart(name, {}, f"call_{i}") for i, name in enumerate(names, start)],
        usage=RequestUsage(input_tokens=10, output_tokens=5),
    )


DONE = ModelResponse([TextPart("done")], usage=RequestUsage(input_tokens=10, output_tokens=5))


def _recording(
    *responses: ModelResponse, tools: tuple[str, ...] = ("ping",)
) -> tuple[Agent[None, str], list[str]]:
    """An agent answering `responses` in turn, whose tools record each call in the list returned."""
    ran: list[str] = []
    agent = Agent(_scripted(*responses))
    for name in tools:

        def tool(name: str = name) -> str:
            ran.append(name)
            return name.upper()

        agent.tool_plain(tool, name=name)
    return agent, ran


# ------------------------------------------------------------------------------------------ tool_calls_limit


def test_a_call_past_the_tool_calls_limit_raises_before_it_runs() -> None:
    agent, ran = _recording(_calls("ping"), DONE)
    with pytest.raises(
        UsageLimitExceeded,
        match=re.escape("The next tool call(s) would exceed the tool_calls_limit of 0 (tool_calls=1)."),
    ):
        agent.run_sync("go", usage_limits=UsageLimits(tool_calls_limit=0))
    assert ran == []


def test_successful_calls_are_counted_in_the_run_usage() -> None:
    agent, ran = _recording(_calls("ping"), DONE)
    result = agent.run_sync("go", usage_limits=UsageLimits(tool_calls_limit=1))
    assert ran == ["ping"] and result.usage.tool_calls == 1
    assert repr(result.usage) == (
        "Usage(requests=2, request_tokens=20, response_tokens=10, total_tokens=30, tool_calls=1, details=None)"
    )


def test_a_parallel_batch_that_would_pass_the_limit_runs_none_of_its_calls() -> None:
    agent, ran = _recording(
        _calls("a", "b", "a", "b", "a"), _calls("b", "a", "b", start=6), DONE, tools=("a", "b")
    )
    with pytest.raises(
        UsageLimitExceeded,
        match=re.escape("The next tool call(s) would exceed the tool_calls_limit of 6 (tool_calls=8)."),
    ):
        agent.run_sync("go", usage_limits=UsageLimits(tool_calls_limit=6))
    assert len(ran) == 5


def test_calls_that_asked_for_a_retry_and_output_tools_are_not_counted() -> None:
    class Answer(BaseModel):
        value: str

    tries: list[int] = []
    agent = Agent(
        _scripted(
            _calls("flaky"),
            _calls("flaky", start=2),
            ModelResponse([ToolCallPart("final_result", {"value": "ok"}, "call_3")]),
        ),
        output_type=Answer,
        retries=2,
    )

    @agent.tool_plain
    def flaky() -> str:
        tries.append(1)
        if len(tries) == 1:
            raise ModelRetry("try again")
        return "fine"

    result = agent.run_sync("go", usage_limits=UsageLimits(tool_calls_limit=1))
    assert result.output == Answer(value="ok")
    assert len(tries) == 2 and result.usage.tool_calls == 1


# ------------------------------------------------------------------------------------------ per request


def test_per_request_input_tokens_limit_checks_each_response() -> None:
    with FakeOpenAI() as fake:
        fake.add_text("long", usage=RequestUsage(input_tokens=51, output_tokens=1))
        with pytest.raises(
            UsageLimitExceeded,
            match=re.escape("Exceeded the per_request_input_tokens_limit of 5 (request_input_tokens=51)"),
        ):
            Agent(fake.model()).run_sync("hi", usage_limits=UsageLimits(per_request_input_tokens_limit=5))


def test_per_request_input_tokens_limit_is_not_cumulative() -> None:
    def agent() -> Agent[None, str]:
        return _recording(_calls("ping"), DONE)[0]

    result = agent().run_sync("go", usage_limits=UsageLimits(per_request_input_tokens_limit=15))
    assert result.usage.input_tokens == 20  # no single request went past 15, the run did
    with pytest.raises(
        UsageLimitExceeded, match=re.escape("Exceeded the input_tokens_limit of 15 (input_tokens=20)")
    ):
        agent().run_sync("go", usage_limits=UsageLimits(input_tokens_limit=15))


def test_usage_given_to_a_run_already_over_a_token_limit_stops_it_before_the_request() -> None:
    agent = Agent(_scripted(DONE))
    with pytest.raises(
        UsageLimitExceeded,
        match=re.escape("The next request would exceed the total_tokens_limit of 50 (total_tokens=60)"),
    ):
        agent.run_sync(
            "go",
            usage=RunUsage(input_tokens=30, output_tokens=30),
            usage_limits=UsageLimits(total_tokens_limit=50),
        )


# ------------------------------------------------------------------------------------------ counted first


def test_counting_first_never_sends_a_request_past_the_input_limit() -> None:
    with FakeAnthropic() as fake:
        fake.add_token_count(120)
        agent = Agent(fake.model(), instructions="Be brief.")
        with pytest.raises(
            UsageLimitExceeded,
            match=re.escape("The next request would exceed the input_tokens_limit of 100 (input_tokens=120)"),
        ):
            agent.run_sync(
                "hello", usage_limits=UsageLimits(input_tokens_limit=100, count_tokens_before_request=True)
            )
    [count] = fake.requests
    assert count.path == "/v1/messages/count_tokens"
    assert count.json() == ANTHROPIC_HELLO
    assert count.headers["x-api-key"] == "fake-api-key"


def test_counting_first_checks_the_per_request_and_total_limits_too() -> None:
    for limits, message in (
        (
            UsageLimits(per_request_input_tokens_limit=30, count_tokens_before_request=True),
            "Exceeded the per_request_input_tokens_limit of 30 (request_input_tokens=40)",
        ),
        (
            UsageLimits(total_tokens_limit=30, count_tokens_before_request=True),
            "The next request would exceed the total_tokens_limit of 30 (total_tokens=40)",
        ),
    ):
        with FakeAnthropic() as fake:
            fake.add_token_count(40)
            with pytest.raises(UsageLimitExceeded, match=re.escape(message)):
                Agent(fake.model(), instructions="Be brief.").run_sync("hello", usage_limits=limits)
        assert [r.path for r in fake.requests] == ["/v1/messages/count_tokens"]


async def test_counting_first_under_the_limit_sends_the_request_and_counts_only_its_usage() -> None:
    limits = UsageLimits(input_tokens_limit=100, count_tokens_before_request=True)
    with FakeAnthropic() as fake:
        fake.add_token_count(42).add_text("hi!")
        fake.add_token_count(42).add_text("hi again!")
        agent = Agent(fake.model(), instructions="Be brief.")
        result = await agent.run("hello", usage_limits=limits)
        async with agent.run_stream("hello", usage_limits=limits) as streamed:
            text = await streamed.get_output()
    assert (result.output, text) == ("hi!", "hi again!")
    assert [r.path for r in fake.requests] == ["/v1/messages/count_tokens", "/v1/messages"] * 2
    assert fake.requests[1].json() == {**ANTHROPIC_HELLO, "max_tokens": 8192}
    assert fake.requests[3].json()["stream"] is True
    assert result.usage == RunUsage(requests=1, input_tokens=10, output_tokens=5)  # the count is not usage


def test_counting_first_works_through_a_wrapping_model() -> None:
    from test_instrumentation import Telemetry

    telemetry = Telemetry()
    with FakeAnthropic() as fake:
        fake.add_token_count(42).add_text("traced")
        agent = Agent(fake.model(), instructions="Be brief.", instrument=telemetry.settings)
        result = agent.run_sync(
            "hello", usage_limits=UsageLimits(input_tokens_limit=100, count_tokens_before_request=True)
        )
    assert result.output == "traced"
    assert [r.path for r in fake.requests] == ["/v1/messages/count_tokens", "/v1/messages"]


def test_counting_first_on_a_vendor_that_cannot_count_says_so_and_sends_nothing() -> None:
    with FakeOpenAI() as fake:
        with pytest.raises(UserError) as raised:
            Agent(fake.model()).run_sync("hi", usage_limits=UsageLimits(count_tokens_before_request=True))
    message = str(raised.value)
    assert message.startswith(
        "UsageLimits(count_tokens_before_request=True) could not count this request's tokens: "
        "Token counting is not supported by OpenAIChatModel (openai)"
    )
    assert message.endswith("Turn count_tokens_before_request off to run without the check.")
    assert fake.requests == []


# ------------------------------------------------------------------------------------------ the types


def test_usage_limits_take_pydantic_ais_keywords_and_the_seeds_positions() -> None:
    limits = UsageLimits(
        request_limit=3,
        tool_calls_limit=2,
        input_tokens_limit=100,
        output_tokens_limit=50,
        total_tokens_limit=120,
        per_request_input_tokens_limit=60,
        count_tokens_before_request=True,
    )
    fields: dict[str, Any] = {
        "request_limit": 3,
        "tool_calls_limit": 2,
        "input_tokens_limit": 100,
        "output_tokens_limit": 50,
        "total_tokens_limit": 120,
        "per_request_input_tokens_limit": 60,
        "count_tokens_before_request": True,
    }
    assert {name: getattr(limits, name) for name in fields} == fields
    seed = UsageLimits(5, request_tokens_limit=10, response_tokens_limit=20)
    assert (seed.request_limit, seed.request_tokens_limit, seed.response_tokens_limit) == (5, 10, 20)
    assert UsageLimits() == UsageLimits(request_limit=50)
    assert UsageLimits(per_request_input_tokens_limit=1).has_token_limits()


def test_tool_calls_add_up_and_stay_out_of_request_usage() -> None:
    run = Usage(requests=1, input_tokens=5, tool_calls=2) + Usage(requests=1, tool_calls=1)
    assert (run.requests, run.tool_calls, run.input_tokens) == (2, 3, 5)
    assert repr(Usage(requests=1)) == (
        "Usage(requests=1, request_tokens=0, response_tokens=0, total_tokens=0, details=None)"
    )
    assert (
        repr(RequestUsage(input_tokens=3, output_tokens=1)) == "RequestUsage(input_tokens=3, output_tokens=1)"
    )
