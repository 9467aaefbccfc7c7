"""Toolsets behave as PydanticAI's docs show: where they come from, how they compose, their lifecycle.

Names and results follow the examples of PydanticAI's toolsets page; the last tests pin what goes
on the wire (real socket) when toolsets rename tools.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any, Literal

import pytest

from wireai import (
    AbstractToolset,
    Agent,
    CombinedToolset,
    FilteredToolset,
    FunctionToolset,
    PrefixedToolset,
    PreparedToolset,
    RenamedToolset,
    RunContext,
    ToolDefinition,
    ToolsetTool,
    UserError,
    WrapperToolset,
)
from wireai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from wireai.models.function import AgentInfo, FunctionModel
from wireai.models.test import TestModel
from wireai.testing import FakeAnthropic


def temperature_celsius(city: str) -> float:
    return 21.0


def temperature_fahrenheit(city: str) -> float:
    return 69.8


def weather_toolset() -> FunctionToolset[Any]:
    toolset: FunctionToolset[Any] = FunctionToolset(tools=[temperature_celsius, temperature_fahrenheit])

    @toolset.tool
    def conditions(ctx: RunContext[Any], city: str) -> str:
        return "It's sunny" if ctx.run_step % 2 == 0 else "It's raining"

    return toolset


def datetime_toolset() -> FunctionToolset[Any]:
    toolset: FunctionToolset[Any] = FunctionToolset()
    toolset.add_function(lambda: "2026-12-02T12:00:00", name="now")
    return toolset


def offered(model: TestModel) -> list[str]:
    assert model.last_model_request_parameters is not None
    return [t.name for t in model.last_model_request_parameters.function_tools]


# ------------------------------------------------------------------------------------------ where tools come from


def test_agent_run_and_override_toolsets() -> None:
    def agent_tool() -> str:
        return "I'm registered directly on the agent"

    def extra_tool() -> str:
        return "I'm passed as an extra tool for a specific run"

    def override_tool() -> str:
        return "I override all other tools"

    model = TestModel()
    agent = Agent(model, toolsets=[FunctionToolset(tools=[agent_tool])])
    agent.run_sync("What tools are available?")
    assert offered(model) == ["agent_tool"]
    agent.run_sync("What tools are available?", toolsets=[FunctionToolset(tools=[extra_tool])])
    assert offered(model) == ["agent_tool", "extra_tool"]
    with agent.override(toolsets=[FunctionToolset(tools=[override_tool])]):
        agent.run_sync("What tools are available?", toolsets=[FunctionToolset(tools=[extra_tool])])
        assert offered(model) == ["override_tool"]
    agent.run_sync("What tools are available?")
    assert offered(model) == ["agent_tool"]


def test_run_toolsets_reach_run_stream_and_iter() -> None:
    async def main() -> None:
        model = TestModel()
        agent = Agent(model)
        async with agent.run_stream("go", toolsets=[datetime_toolset()]) as streamed:
            await streamed.get_output()
        assert offered(model) == ["now"]
        async with agent.iter("go", toolsets=[weather_toolset()]) as run:
            async for _ in run:
                pass
        assert offered(model) == ["temperature_celsius", "temperature_fahrenheit", "conditions"]
        assert run.result is not None and "temperature_celsius" in run.result.output

    asyncio.run(main())


def test_function_toolset_ways_to_add_tools_and_the_agent_tools_are_one() -> None:
    model = TestModel()
    agent = Agent(model)
    agent.run_sync("What tools are available?", toolsets=[weather_toolset()])
    assert offered(model) == ["temperature_celsius", "temperature_fahrenheit", "conditions"]
    agent.run_sync("What tools are available?", toolsets=[datetime_toolset()])
    assert offered(model) == ["now"]

    @agent.tool_plain
    def agent_tool() -> str:
        return "mine"

    assert agent.toolsets[0] is agent._function_toolset and list(agent._function_toolset.tools) == [
        "agent_tool"
    ]
    with pytest.raises(UserError, match="Tool name conflicts with an existing tool: 'agent_tool'"):
        agent.tool_plain(agent_tool)


def test_a_tool_added_during_a_run_is_offered_from_the_next_step() -> None:
    toolset: FunctionToolset[Any] = FunctionToolset()

    @toolset.tool_plain
    def unlock() -> str:
        toolset.add_function(lambda: "secret", name="read_secret")
        return "unlocked"

    seen: list[list[str]] = []

    def reply(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append([t.name for t in info.function_tools])
        if len(seen) == 1:
            return ModelResponse([ToolCallPart("unlock", {})])
        return ModelResponse([TextPart("done")])

    Agent(FunctionModel(reply), toolsets=[toolset]).run_sync("go")
    assert seen == [["unlock"], ["unlock", "read_secret"]]


@dataclass
class ToggleableDeps:
    active: Literal["weather", "datetime"]

    def toggle(self) -> None:
        self.active = "datetime" if self.active == "weather" else "weather"


def test_agent_toolset_decorator_builds_a_toolset_each_step() -> None:
    weather, clock = weather_toolset(), datetime_toolset()
    model = TestModel()
    agent = Agent(model, deps_type=ToggleableDeps)

    @agent.toolset
    def toggleable(ctx: RunContext[ToggleableDeps]) -> FunctionToolset[Any]:
        return weather if ctx.deps.active == "weather" else clock

    @agent.tool
    def toggle(ctx: RunContext[ToggleableDeps]) -> None:
        ctx.deps.toggle()

    deps = ToggleableDeps("weather")
    agent.run_sync("Toggle the toolset", deps=deps)
    assert offered(model) == ["toggle", "now"]  # the last request came after the toggle ran
    agent.run_sync("Toggle the toolset", deps=deps)
    assert offered(model) == ["toggle", "temperature_celsius", "temperature_fahrenheit", "conditions"]


def test_toolset_functions_per_step_or_per_run_and_runs_never_share_what_they_built() -> None:
    built: list[tuple[str, int]] = []

    def builder(label: str) -> Any:
        async def build(ctx: RunContext[int]) -> FunctionToolset[Any]:
            built.append((label, ctx.deps))
            await asyncio.sleep(0)  # let the concurrent runs interleave
            return FunctionToolset([lambda: ctx.deps], id=f"{label}-{ctx.deps}")

        return build

    per_step = Agent(TestModel(), deps_type=int, toolsets=[builder("step")])
    per_run = Agent(TestModel(), deps_type=int)
    per_run.toolset(per_run_step=False)(builder("run"))

    async def main(agent: Agent[int, str]) -> list[str]:
        results = await asyncio.gather(*(agent.run("go", deps=i) for i in range(5)))
        return [r.output for r in results]

    assert asyncio.run(main(per_step)) == [f'{{"<lambda>":{i}}}' for i in range(5)]
    assert sorted(built) == [("step", i) for i in range(5) for _ in range(2)]  # two requests per run
    built.clear()
    assert asyncio.run(main(per_run)) == [f'{{"<lambda>":{i}}}' for i in range(5)]
    assert sorted(built) == [("run", i) for i in range(5)]


# ------------------------------------------------------------------------------------------ composition


def composed() -> CombinedToolset[Any]:
    return CombinedToolset([weather_toolset().prefixed("weather"), datetime_toolset().prefixed("datetime")])


def test_combined_prefixed_filtered_renamed_prepared_as_in_the_docs() -> None:
    model = TestModel()
    Agent(model, toolsets=[CombinedToolset([weather_toolset(), datetime_toolset()])]).run_sync("go")
    assert offered(model) == ["temperature_celsius", "temperature_fahrenheit", "conditions", "now"]

    Agent(model, toolsets=[composed()]).run_sync("go")
    assert offered(model) == [
        "weather_temperature_celsius",
        "weather_temperature_fahrenheit",
        "weather_conditions",
        "datetime_now",
    ]

    filtered = composed().filtered(lambda ctx, tool_def: "fahrenheit" not in tool_def.name)
    assert isinstance(filtered, FilteredToolset)
    Agent(model, toolsets=[filtered]).run_sync("go")
    assert offered(model) == ["weather_temperature_celsius", "weather_conditions", "datetime_now"]

    renamed = composed().renamed(
        {
            "current_time": "datetime_now",
            "temperature_celsius": "weather_temperature_celsius",
            "temperature_fahrenheit": "weather_temperature_fahrenheit",
        }
    )
    assert isinstance(renamed, RenamedToolset)
    result = Agent(model, toolsets=[renamed]).run_sync("go")
    assert offered(model) == [
        "temperature_celsius",
        "temperature_fahrenheit",
        "weather_conditions",
        "current_time",
    ]
    returns = {
        p.tool_name: p.content
        for m in result.all_messages()
        for p in m.parts
        if isinstance(p, ToolReturnPart)
    }
    assert returns == {
        "temperature_celsius": 21.0,
        "temperature_fahrenheit": 69.8,
        "weather_conditions": "It's raining",
        "current_time": "2026-12-02T12:00:00",
    }

    descriptions = {"temperature_celsius": "Get the temperature in degrees Celsius"}

    async def add_descriptions(ctx: RunContext[Any], tool_defs: list[ToolDefinition]) -> list[ToolDefinition]:
        return [
            replace(d, description=descriptions[d.name]) if d.name in descriptions else d for d in tool_defs
        ]

    prepared = renamed.prepared(add_descriptions)
    assert isinstance(prepared, PreparedToolset)
    Agent(model, toolsets=[prepared]).run_sync("go")
    assert model.last_model_request_parameters is not None
    sent = {t.name: t.description for t in model.last_model_request_parameters.function_tools}
    assert sent["temperature_celsius"] == "Get the temperature in degrees Celsius"
    assert sent["current_time"] is None


def test_wrapper_toolset_sees_every_call_with_validated_arguments() -> None:
    log: list[str] = []

    class LoggingToolset(WrapperToolset[Any]):
        async def call_tool(
            self, name: str, tool_args: dict[str, Any], ctx: RunContext[Any], tool: ToolsetTool[Any]
        ) -> Any:
            log.append(f"Calling tool {name!r} with args: {tool_args!r}")
            result = await super().call_tool(name, tool_args, ctx, tool)
            log.append(f"Finished calling tool {name!r} with result: {result!r}")
            return result

    Agent(TestModel(), toolsets=[LoggingToolset(composed())]).run_sync("Call all the tools")
    assert sorted(log) == sorted(
        [
            "Calling tool 'weather_temperature_celsius' with args: {'city': 'a'}",
            "Calling tool 'weather_temperature_fahrenheit' with args: {'city': 'a'}",
            "Calling tool 'weather_conditions' with args: {'city': 'a'}",
            "Calling tool 'datetime_now' with args: {}",
            "Finished calling tool 'weather_temperature_celsius' with result: 21.0",
            "Finished calling tool 'weather_temperature_fahrenheit' with result: 69.8",
            "Finished calling tool 'weather_conditions' with result: \"It's raining\"",
            "Finished calling tool 'datetime_now' with result: '2026-12-02T12:00:00'",
        ]
    )


def test_name_conflicts_and_prepare_adding_tools_are_user_errors() -> None:
    clash = CombinedToolset([weather_toolset(), weather_toolset()])
    with pytest.raises(UserError) as info:
        Agent(TestModel(), toolsets=[clash]).run_sync("go")
    assert str(info.value) == (
        "FunctionToolset defines a tool whose name conflicts with existing tool from FunctionToolset: "
        "'temperature_celsius'. Rename the tool or wrap the toolset in a `PrefixedToolset` to avoid name conflicts."
    )

    async def add_one(ctx: RunContext[Any], tool_defs: list[ToolDefinition]) -> list[ToolDefinition]:
        return [*tool_defs, ToolDefinition("invented")]

    with pytest.raises(UserError, match="it cannot add or rename tools"):
        Agent(TestModel(), toolsets=[PreparedToolset(datetime_toolset(), add_one)]).run_sync("go")
    with pytest.raises(UserError, match="clashes with an output tool"):
        Agent(
            TestModel(),
            output_type=int,
            toolsets=[FunctionToolset([lambda: 1], id="x").renamed({"final_result": "<lambda>"})],
        ).run_sync("go")


def test_prefixed_tool_retry_counts_under_the_name_the_model_used() -> None:
    def strict(n: int) -> int:
        return n

    calls = iter(
        [
            ModelResponse([ToolCallPart("math_strict", {"n": "not a number"}, "c1")]),
            ModelResponse([ToolCallPart("math_strict", {"n": 2}, "c2")]),
            ModelResponse([TextPart("ok")]),
        ]
    )
    result = Agent(
        FunctionModel(lambda m, i: next(calls)), toolsets=[PrefixedToolset(FunctionToolset([strict]), "math")]
    ).run_sync("go")
    parts = [
        p for m in result.all_messages() for p in m.parts if p.part_kind in ("retry-prompt", "tool-return")
    ]
    assert [(p.part_kind, p.tool_name) for p in parts] == [
        ("retry-prompt", "math_strict"),
        ("tool-return", "math_strict"),
    ]


# ------------------------------------------------------------------------------------------ lifecycle


class CountingToolset(AbstractToolset[Any]):
    """A toolset holding a resource for the duration of each run."""

    def __init__(self) -> None:
        self.events: list[str] = []

    async def __aenter__(self) -> CountingToolset:
        self.events.append("enter")
        return self

    async def __aexit__(self, *args: Any) -> None:
        self.events.append("exit")

    async def get_tools(self, ctx: RunContext[Any]) -> dict[str, ToolsetTool[Any]]:
        from pydantic_core import SchemaValidator, core_schema

        validator = SchemaValidator(
            core_schema.dict_schema(core_schema.str_schema(), core_schema.int_schema())
        )
        return {
            "double": ToolsetTool(
                toolset=self, tool_def=ToolDefinition("double"), max_retries=1, args_validator=validator
            )
        }

    async def call_tool(
        self, name: str, tool_args: dict[str, Any], ctx: RunContext[Any], tool: ToolsetTool[Any]
    ) -> Any:
        self.events.append(f"call {name} {tool_args}")
        return tool_args["x"] * 2


def test_a_custom_toolset_is_entered_for_each_run_and_exited_even_when_the_run_fails() -> None:
    toolset = CountingToolset()
    responses = iter([ModelResponse([ToolCallPart("double", {"x": 21})]), ModelResponse([TextPart("42")])])
    agent = Agent(FunctionModel(lambda m, i: next(responses)), toolsets=[toolset])
    assert agent.run_sync("go").output == "42"
    assert toolset.events == ["enter", "call double {'x': 21}", "exit"]

    def boom(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        raise RuntimeError("vendor down")

    with pytest.raises(RuntimeError, match="vendor down"):
        agent.run_sync("go", model=FunctionModel(boom))
    assert toolset.events[-2:] == ["enter", "exit"]


# ------------------------------------------------------------------------------------------ on the wire


def test_prefixed_names_go_on_the_wire_and_calls_come_back_to_their_toolset() -> None:
    with FakeAnthropic() as fake:
        fake.add_tool_call("weather_temperature_celsius", {"city": "Paris"})
        fake.add_text("21 degrees.")
        agent = Agent(fake.model(), toolsets=[composed()])
        assert agent.run_sync("Temperature in Paris?").output == "21 degrees."
    first, second = (r.json() for r in fake.requests)
    assert [t["name"] for t in first["tools"]] == [
        "weather_temperature_celsius",
        "weather_temperature_fahrenheit",
        "weather_conditions",
        "datetime_now",
    ]
    assert first["tools"][0]["input_schema"] == {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    }
    tool_use = second["messages"][1]["content"][0]
    assert second["messages"][2] == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": tool_use["id"], "content": "21.0"}],
    }


def test_a_toolset_failing_to_open_releases_the_runs_concurrency_slot() -> None:
    class Unreachable(CountingToolset):
        async def __aenter__(self) -> CountingToolset:
            raise ConnectionError("MCP server unreachable")

    agent = Agent(
        FunctionModel(lambda m, i: ModelResponse([TextPart("ok")])),
        toolsets=[Unreachable()],
        max_concurrency=1,
    )
    for _ in range(2):  # the second run gets the one slot again
        with pytest.raises(ConnectionError, match="MCP server unreachable"):
            agent.run_sync("go")
    working = CountingToolset()
    with agent.override(toolsets=[working]):
        agent.run_sync("go")
    assert working.events[0] == "enter" and working.events[-1] == "exit"
