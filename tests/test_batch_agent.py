"""Whole agent runs in batch: rounds of one vendor batch each, tools run locally between rounds,
structured output, output retries, usage limits and vendor errors per run as in `agent.run`, and a
run resumed in a new agent object from the last finished round."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from wireai import Agent, ModelRetry, RunContext
from wireai.batch import BatchStore
from wireai.exceptions import ModelHTTPError, UnexpectedModelBehavior, UsageLimitExceeded, UserError
from wireai.messages import (
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolReturnPart,
    UserPromptPart,
)
from wireai.testing import FakeAnthropic, FakeGemini, FakeMistral, FakeOpenAI, FakeVendor
from wireai.usage import UsageLimits

POLL = 0.01


class Forecast(BaseModel):
    city: str
    celsius: float


def weather_agent(model: Any, calls: list[str]) -> Agent[Any, Forecast]:
    agent: Agent[Any, Forecast] = Agent(model, output_type=Forecast, instructions="Use the tool.")

    @agent.tool_plain
    def temperature(city: str) -> float:
        """The temperature in a city now."""
        calls.append(city)
        return {"Paris": 21.0, "Oslo": 4.5}[city]

    return agent


def script_weather(fake: FakeVendor, *cities: str) -> None:
    """Round 1: every run calls the tool; round 2: every run answers through the output tool."""
    for city in cities:
        fake.add_tool_call("temperature", {"city": city})
    for city in cities:
        celsius = {"Paris": 21.0, "Oslo": 4.5}[city]
        fake.add_tool_call("final_result", {"city": city, "celsius": celsius})


def parts(messages: list[Any]) -> list[Any]:
    """Messages without their timestamps and ids, to compare two runs' histories."""
    out = []
    for message in messages:
        if isinstance(message, ModelRequest):
            out.append(
                [
                    (type(p).__name__, getattr(p, "content", None), getattr(p, "tool_name", None))
                    for p in message.parts
                ]
            )
        else:
            out.append(
                [
                    (type(p).__name__, getattr(p, "content", None), getattr(p, "args", None))
                    for p in message.parts
                ]
            )
    return out


@pytest.mark.parametrize("fake_class", [FakeOpenAI, FakeAnthropic, FakeGemini, FakeMistral])
async def test_a_tool_round_then_structured_output_as_agent_run_gives_it(
    fake_class: type[FakeVendor],
) -> None:
    with fake_class() as fake:
        calls: list[str] = []
        agent = weather_agent(fake.model(), calls)
        script_weather(fake, "Paris", "Oslo")
        results = await agent.run_batch(
            ["Weather in Paris?", ("oslo", "Weather in Oslo?")], store=False, poll_interval=POLL
        )
        assert fake.batch is not None and fake.batch.creates == 2  # two rounds, one batch each
        round_two = list(fake.batch.batches.values())[1].requests

        script_weather(fake, "Paris")
        live = await agent.run("Weather in Paris?")

    paris, oslo = results
    assert not isinstance(paris, BaseException) and not isinstance(oslo, BaseException)
    assert paris.output == Forecast(city="Paris", celsius=21.0)
    assert oslo.output == Forecast(city="Oslo", celsius=4.5)
    assert sorted(calls[:2]) == ["Oslo", "Paris"] and calls[2:] == ["Paris"]  # tools ran here, between rounds
    assert [custom_id for custom_id, _ in round_two] == ["run-0", "oslo"]
    assert parts(paris.all_messages()) == parts(live.all_messages())
    assert paris.usage().requests == live.usage().requests == 2
    assert paris.usage().input_tokens == live.usage().input_tokens


async def test_output_validation_retries_go_into_the_next_round() -> None:
    with FakeOpenAI() as fake:
        agent: Agent[Any, Forecast] = Agent(fake.model(), output_type=Forecast, output_retries=2)
        rejected: list[float] = []

        @agent.output_validator
        def plausible(output: Forecast) -> Forecast:
            if output.celsius > 60:
                rejected.append(output.celsius)
                raise ModelRetry("That is too hot for Paris; check again.")
            return output

        fake.add_tool_call("final_result", {"city": "Paris", "celsius": 99})
        fake.add_tool_call("final_result", {"city": "Paris", "celsius": 20})
        [result] = await agent.run_batch(["Paris?"], store=False, poll_interval=POLL)
        assert fake.batch is not None and fake.batch.creates == 2
        second = list(fake.batch.batches.values())[1].requests[0][1]
    assert not isinstance(result, BaseException)
    assert result.output.celsius == 20 and rejected == [99]
    retry = [
        p
        for m in result.all_messages()
        if isinstance(m, ModelRequest)
        for p in m.parts
        if isinstance(p, RetryPromptPart)
    ]
    assert [r.content for r in retry] == ["That is too hot for Paris; check again."]
    assert "That is too hot for Paris" in json.dumps(second["messages"])


async def test_a_tools_model_retry_goes_into_the_next_round_and_counts_per_tool_as_in_a_live_run() -> None:
    """A function tool raising `ModelRetry`: its retry prompt is in that run's request of the next
    round, `ctx.retry` counts up per tool as in `agent.run`, and a run whose tool keeps failing ends
    with the live run's error once the tool's retries are spent, while the other run finishes."""
    with FakeOpenAI() as fake:
        agent: Agent[None, str] = Agent(fake.model())
        seen: list[tuple[str, int]] = []

        @agent.tool(retries=1)
        def station(ctx: RunContext[None], city: str) -> str:
            """The weather station's reading in a city."""
            seen.append((city, ctx.retry))
            if city == "Atlantis" or ctx.retry == 0:
                raise ModelRetry(f"No reading from {city} yet; ask again.")
            return "21°C"

        def script() -> None:
            fake.add_tool_call("station", {"city": "Paris"}, tool_call_id="call_p1")
            fake.add_tool_call("station", {"city": "Atlantis"}, tool_call_id="call_a1")
            fake.add_tool_call("station", {"city": "Paris"}, tool_call_id="call_p2")
            fake.add_tool_call("station", {"city": "Atlantis"}, tool_call_id="call_a2")
            fake.add_text("21°C in Paris.")

        script()
        paris, atlantis = await agent.run_batch(["Paris?", "Atlantis?"], store=False, poll_interval=POLL)
        assert fake.batch is not None and fake.batch.creates == 3
        rounds = [[body for _, body in b.requests] for b in fake.batch.batches.values()]
        batched_seen, seen[:] = list(seen), []

        fake.add_tool_call("station", {"city": "Paris"}, tool_call_id="call_p1")
        fake.add_tool_call("station", {"city": "Paris"}, tool_call_id="call_p2")
        fake.add_text("21°C in Paris.")
        live = await agent.run("Paris?")
        fake.add_tool_call("station", {"city": "Atlantis"}, tool_call_id="call_a1")
        fake.add_tool_call("station", {"city": "Atlantis"}, tool_call_id="call_a2")
        with pytest.raises(UnexpectedModelBehavior) as live_error:
            await agent.run("Atlantis?")

    assert (
        sorted(batched_seen) == sorted(seen) == [("Atlantis", 0), ("Atlantis", 1), ("Paris", 0), ("Paris", 1)]
    )
    assert not isinstance(paris, BaseException) and paris.output == "21°C in Paris."
    assert parts(paris.all_messages()) == parts(live.all_messages())
    assert isinstance(atlantis, UnexpectedModelBehavior)
    assert str(atlantis) == str(live_error.value) == "Tool 'station' exceeded max retries count of 1"
    assert [len(r) for r in rounds] == [2, 2, 1]
    retried = rounds[1][0]["messages"][-1]
    assert retried["role"] == "tool" and retried["tool_call_id"] == "call_p1"
    assert "No reading from Paris yet; ask again." in retried["content"]
    assert "No reading from Atlantis yet" in json.dumps(rounds[1][1]["messages"][-1])


async def test_each_run_ends_on_its_own_usage_limit_or_vendor_error_the_others_go_on() -> None:
    with FakeOpenAI() as fake:
        calls: list[str] = []
        agent = weather_agent(fake.model(), calls)
        fake.add_tool_call("temperature", {"city": "Paris"})  # run-0 needs a second request: over its limit
        fake.add_tool_call("final_result", {"city": "Oslo", "celsius": 4.5})  # run-1 ends in one
        fake.add_error(400, message="context too long")  # run-2 is rejected by the vendor
        results = await agent.run_batch(
            ["a", "b", "c"], store=False, poll_interval=POLL, usage_limits=UsageLimits(request_limit=1)
        )
    limited, fine, rejected = results
    assert isinstance(limited, UsageLimitExceeded) and calls == ["Paris"]
    assert not isinstance(fine, BaseException) and fine.output.city == "Oslo"
    assert isinstance(rejected, ModelHTTPError) and rejected.status_code == 400


async def test_inputs_take_histories_and_deps() -> None:
    with FakeAnthropic() as fake:
        agent: Agent[str, str] = Agent(fake.model(), deps_type=str)

        @agent.instructions
        def who(ctx: RunContext[str]) -> str:
            return f"You speak to {ctx.deps}."

        earlier = [ModelRequest([UserPromptPart("My name is Ada.")]), ModelResponse([TextPart("Hello Ada.")])]
        fake.add_text("one").add_text("two")
        results = await agent.run_batch(
            [{"custom_id": "ada", "user_prompt": "And my name?", "message_history": earlier, "deps": "Ada"}, "Hi"],
            deps="someone", store=False, poll_interval=POLL,
        )  # fmt: skip
        assert fake.batch is not None
        [(first_id, first), (second_id, second)] = list(fake.batch.batches.values())[0].requests
    assert [first_id, second_id] == ["ada", "run-1"]
    assert first["system"][-1]["text"] == "You speak to Ada." and len(first["messages"]) == 3
    assert second["system"][-1]["text"] == "You speak to someone." and len(second["messages"]) == 1
    assert [r.output for r in results] == ["one", "two"]  # type: ignore[union-attr]


async def test_a_run_batch_resumes_after_a_crash_from_the_last_finished_round(tmp_path: Any) -> None:
    """Round 2 is still at the vendor when the process gives up (here: a timeout; a crash leaves
    the store the same way). A new agent object given the same inputs and `resume=job_id` waits for
    that round's batch instead of sending it again, and never runs round 1's tools again."""
    path = tmp_path / "runs.sqlite"
    with FakeOpenAI() as fake:
        assert fake.batch is not None
        first_calls: list[str] = []
        agent = weather_agent(fake.model(), first_calls)

        @agent.tool_plain
        def slow_vendor() -> str:
            """Makes the fake vendor slow from now on."""
            assert fake.batch is not None
            fake.batch.processing_time = 60
            return "ok"

        fake.add_tool_calls([("temperature", {"city": "Paris"}), ("slow_vendor", {})])
        fake.add_tool_call("final_result", {"city": "Oslo", "celsius": 4.5})  # run-1 ends in round 1
        fake.add_tool_call("final_result", {"city": "Paris", "celsius": 21})
        with pytest.raises(TimeoutError):
            await agent.run_batch(["Paris?", "Oslo?"], store=path, poll_interval=POLL, timeout=0.2)
        [record] = BatchStore(path).jobs(kind="agent")
        assert record.data == {"round": 1} and fake.batch.creates == 2

        fake.batch.processing_time = 0
        resumed_calls: list[str] = []
        fresh = weather_agent(fake.model(), resumed_calls)
        fresh.tool_plain(slow_vendor)
        results = await fresh.run_batch(["Paris?", "Oslo?"], store=path, resume=record.id, poll_interval=POLL)
        assert fake.batch.creates == 2  # round 2 was waited for, not sent again
        with pytest.raises(UserError, match="same inputs"):
            await fresh.run_batch(["Oslo?", "Paris?"], store=path, resume=record.id)
    paris, oslo = results
    assert first_calls == ["Paris"] and resumed_calls == []
    assert not isinstance(paris, BaseException) and paris.output == Forecast(city="Paris", celsius=21)
    assert not isinstance(oslo, BaseException) and oslo.output == Forecast(city="Oslo", celsius=4.5)
    returns = [
        p.tool_name
        for m in paris.all_messages()
        if isinstance(m, ModelRequest)
        for p in m.parts
        if isinstance(p, ToolReturnPart)
    ]
    assert returns == ["temperature", "slow_vendor", "final_result"]
    assert paris.usage().requests == 2 and oslo.usage().requests == 1
    assert [j.id for j in BatchStore(path).jobs(include_children=True) if j.parent] == [
        f"{record.id}.r2",
        f"{record.id}.r1",
    ]
    finished = BatchStore(path).job(record.id)
    assert finished is not None and (finished.status, finished.raw_status) == ("completed", "2 rounds")
    assert (finished.counts.total, finished.counts.succeeded, finished.counts.errored) == (2, 2, 0)


async def test_history_processors_toolsets_and_deferred_tools_behave_as_in_agent_run(tmp_path: Any) -> None:
    """Each round's request is prepared as `runner.request()` prepares it (history processors run),
    a run-level toolset is offered, and a tool that needs approval ends that run with
    `DeferredToolRequests`, which a resumed batch run gives back as saved."""
    from wireai import DeferredToolRequests
    from wireai.toolsets import FunctionToolset

    seen: list[int] = []

    def last_two(messages: list[Any]) -> list[Any]:
        seen.append(len(messages))
        return messages[-2:] if len(messages) > 2 else messages

    toolset = FunctionToolset()

    @toolset.tool_plain
    def lookup(key: str) -> str:
        """Looks a key up."""
        return f"value of {key}"

    def delete(key: str) -> str:
        """Deletes a key (a human must approve)."""
        return "deleted"

    from wireai import Tool

    path = tmp_path / "runs.sqlite"
    with FakeOpenAI() as fake:
        agent: Agent[Any, Any] = Agent(
            fake.model(), output_type=[str, DeferredToolRequests], history_processors=[last_two],
            tools=[Tool(delete, requires_approval=True)],
        )  # fmt: skip
        fake.add_tool_call("lookup", {"key": "a"}).add_tool_call(
            "delete", {"key": "b"}, tool_call_id="call_del"
        )
        fake.add_text("a is 'value of a'")
        results = await agent.run_batch(
            ["look a up", "delete b"], toolsets=[toolset], store=path, poll_interval=POLL
        )
        assert fake.batch is not None
        second_round = list(fake.batch.batches.values())[1].requests
        [record] = BatchStore(path).jobs(kind="agent")
        resumed = await agent.run_batch(
            ["look a up", "delete b"], toolsets=[toolset], store=path, resume=record.id
        )
    looked, deferred = results
    assert not isinstance(looked, BaseException) and looked.output == "a is 'value of a'"
    assert not isinstance(deferred, BaseException) and isinstance(deferred.output, DeferredToolRequests)
    assert [(c.tool_name, c.tool_call_id) for c in deferred.output.approvals] == [("delete", "call_del")]
    assert [custom_id for custom_id, _ in second_round] == ["run-0"]  # the deferred run dropped out
    assert len(second_round[0][1]["messages"]) == 2 and 3 in seen  # trimmed by the history processor
    assert [getattr(r, "output", None) for r in resumed] == [looked.output, deferred.output]
    assert fake.batch.creates == 2  # resuming a finished batch run sends nothing
