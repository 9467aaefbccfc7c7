"""`infer_name` (default on, as in PydanticAI): an unnamed agent takes the name of the variable that
holds it where a run starts, a local first, then a module global; an explicit name is kept."""

from __future__ import annotations

from wireai import Agent
from wireai.models.test import TestModel

module_agent = Agent(TestModel())


def test_run_sync_names_the_agent_after_the_local_variable() -> None:
    support_bot = Agent(TestModel())
    support_bot.run_sync("hi")
    assert support_bot.name == "support_bot"


def test_a_module_global_gives_the_name_when_no_local_holds_the_agent() -> None:
    module_agent.name = None
    module_agent.run_sync("hi")
    assert module_agent.name == "module_agent"


async def test_run_run_stream_and_iter_each_infer_the_name() -> None:
    ran = Agent(TestModel())
    await ran.run("hi")
    streamed = Agent(TestModel())
    async with streamed.run_stream("hi") as result:
        await result.get_output()
    iterated = Agent(TestModel())
    async with iterated.iter("hi") as run:
        async for _ in run:
            pass
    assert (ran.name, streamed.name, iterated.name) == ("ran", "streamed", "iterated")


def test_infer_name_false_and_an_explicit_name_leave_the_name_alone() -> None:
    anonymous = Agent(TestModel())
    anonymous.run_sync("hi", infer_name=False)
    assert anonymous.name is None
    named = Agent(TestModel(), name="triage")
    renamed = named
    renamed.run_sync("hi")
    assert named.name == "triage"


def test_only_a_variable_name_counts_not_a_temporary_holding_the_agent() -> None:
    agents = [Agent(TestModel())]
    # pytest's assertion rewriting keeps `agents[0]` in a local named like `@py_assert1` here.
    assert agents[0].run_sync("hi").output
    assert agents[0].name is None
