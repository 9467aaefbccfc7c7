"""The Agent behaves like PydanticAI's: runs, tools, output kinds and modes, retries, history, limits.

Everything here runs offline against TestModel and FunctionModel.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Union

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from wireai import (
    Agent,
    ModelRetry,
    NativeOutput,
    PromptedOutput,
    RunContext,
    StructuredDict,
    TextOutput,
    Tool,
    ToolOutput,
    UnexpectedModelBehavior,
    UsageLimitExceeded,
    UsageLimits,
    UserError,
    capture_run_messages,
)
from wireai.messages import (
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from wireai.models.function import AgentInfo, DeltaToolCall, FunctionModel
from wireai.models.test import TestModel
from wireai.usage import RequestUsage, Usage


class CityLocation(BaseModel):
    city: str
    country: str


def text_reply(text: str) -> FunctionModel:
    return FunctionModel(lambda messages, info: ModelResponse([TextPart(text)]))


# ------------------------------------------------------------------------------------------ basic runs


def test_run_sync_returns_text_and_result_has_both_spellings() -> None:
    agent = Agent(text_reply("Paris"))
    result = agent.run_sync("What is the capital of France?")
    assert result.output == result.data == "Paris"
    assert [type(m) for m in result.all_messages()] == [ModelRequest, ModelResponse]
    assert result.new_messages() == result.all_messages()


def test_run_sync_three_times_in_a_row_and_inside_a_running_loop() -> None:
    agent = Agent(TestModel(custom_output_text="ok"))
    assert [agent.run_sync("hi").output for _ in range(3)] == ["ok", "ok", "ok"]

    async def from_async_code() -> str:
        return agent.run_sync("hi").output  # a Jupyter-style running loop

    assert asyncio.run(from_async_code()) == "ok"


def test_seed_reprs_of_usage_and_messages() -> None:
    result = Agent(text_reply("Paris")).run_sync("What is the capital of France?")
    usage = Usage(requests=1, request_tokens=57, response_tokens=8)
    assert (
        repr(usage)
        == "Usage(requests=1, request_tokens=57, response_tokens=8, total_tokens=65, details=None)"
    )
    request, response = result.all_messages()
    text = repr(request)
    assert text.startswith(
        "ModelRequest(parts=[UserPromptPart(content='What is the capital of France?', timestamp=datetime.datetime("
    )
    assert text.endswith("part_kind='user-prompt')], kind='request')")
    assert repr(response.parts) == "[TextPart(content='Paris', part_kind='text')]"
    assert "model_name='function:<lambda>'" in repr(response) and repr(response).endswith("kind='response')")


def test_model_is_required_somewhere() -> None:
    agent = Agent()
    with pytest.raises(UserError, match="`model` must be set"):
        agent.run_sync("hi")
    assert agent.run_sync("hi", model=TestModel(custom_output_text="x")).output == "x"
    assert Agent("test").run_sync("hi").output == "success (no tool calls)"


def test_unknown_prefix_and_missing_history_are_user_errors() -> None:
    with pytest.raises(UserError, match="known prefixes"):
        Agent("nope:model")
    agent = Agent(TestModel())
    with pytest.raises(UserError, match="user prompt"):
        agent.run_sync(None)
    history = agent.run_sync("hi").all_messages()
    with pytest.raises(UserError, match="ends with a model response"):
        agent.run_sync(None, message_history=history)


# ------------------------------------------------------------------------------------------ prompts


def test_system_prompts_static_functions_and_dynamic_reevaluation() -> None:
    seen: list[list[ModelMessage]] = []

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append(list(messages))
        return ModelResponse([TextPart("done")])

    agent = Agent(FunctionModel(model), system_prompt="static", deps_type=str)
    counter = {"n": 0}

    @agent.system_prompt
    def plain() -> str:
        return "plain"

    @agent.system_prompt
    async def with_ctx(ctx: RunContext[str]) -> str:
        return f"deps={ctx.deps}"

    @agent.system_prompt(dynamic=True)
    def dynamic() -> str:
        counter["n"] += 1
        return f"dynamic {counter['n']}"

    first = agent.run_sync("q1", deps="d")
    parts = first.all_messages()[0].parts
    assert [p.content for p in parts if isinstance(p, SystemPromptPart)] == [
        "static",
        "plain",
        "deps=d",
        "dynamic 1",
    ]
    second = agent.run_sync("q2", deps="d", message_history=first.all_messages())
    system = [p for p in second.all_messages()[0].parts if isinstance(p, SystemPromptPart)]
    assert [p.content for p in system] == ["static", "plain", "deps=d", "dynamic 2"]
    assert system[3].dynamic_ref == dynamic.__qualname__
    # the second run added no second set of system prompts
    assert (
        sum(isinstance(p, SystemPromptPart) for m in seen[1] if isinstance(m, ModelRequest) for p in m.parts)
        == 4
    )


def test_instructions_go_in_each_request_not_in_system_parts() -> None:
    requests: list[ModelRequest] = []

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        last = messages[-1]
        assert isinstance(last, ModelRequest)
        requests.append(last)
        if len(requests) == 1:
            return ModelResponse([ToolCallPart("noop", {})])
        return ModelResponse([TextPart("done")])

    agent = Agent(FunctionModel(model), instructions="Be terse.")

    @agent.instructions
    def more() -> str:
        return "Use metric units."

    @agent.tool_plain
    def noop() -> str:
        return "ok"

    agent.run_sync("hi")
    assert [r.instructions for r in requests] == ["Be terse.\n\nUse metric units."] * 2
    assert not any(isinstance(p, SystemPromptPart) for p in requests[0].parts)


# ------------------------------------------------------------------------------------------ tools


def test_tool_schema_from_signature_and_google_numpy_sphinx_docstrings() -> None:
    agent = Agent(TestModel())

    @agent.tool_plain
    def google(city: str, days: int = 3) -> str:
        """Weather forecast.

        Args:
            city: The city, e.g. Paris.
            days (int): How many days
                to forecast.
        """
        return city

    @agent.tool_plain(docstring_format="numpy")
    def numpy_style(a: float) -> float:
        """Square it.

        Parameters
        ----------
        a : float
            The number.
        """
        return a * a

    @agent.tool_plain
    def sphinx(flag: bool) -> bool:
        """Flip.

        :param flag: The flag to flip.
        :returns: The flipped flag.
        """
        return not flag

    defs = {name: tool.tool_def for name, tool in agent._function_toolset.tools.items()}
    assert defs["google"].description == "Weather forecast."
    assert defs["google"].parameters_json_schema == {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "The city, e.g. Paris."},
            "days": {"type": "integer", "default": 3, "description": "How many days to forecast."},
        },
        "required": ["city"],
        "additionalProperties": False,
    }
    assert defs["numpy_style"].parameters_json_schema["properties"]["a"]["description"] == "The number."
    assert defs["sphinx"].parameters_json_schema["properties"]["flag"]["description"] == "The flag to flip."
    assert defs["sphinx"].description == "Flip."


def test_tools_with_deps_and_test_model_calls_each_tool_then_summarises() -> None:
    @dataclass
    class Deps:
        greeting: str

    agent = Agent(TestModel(), deps_type=Deps)

    @agent.tool
    def greet(ctx: RunContext[Deps], name: str) -> str:
        return f"{ctx.deps.greeting} {name} (step {ctx.run_step}, tool {ctx.tool_name})"

    @agent.tool_plain
    async def add(a: int, b: int) -> int:
        return a + b

    result = agent.run_sync("hi", deps=Deps("hello"))
    assert json.loads(result.output) == {"greet": "hello a (step 1, tool greet)", "add": 0}
    assert result.usage().requests == 2


def test_tool_objects_prepare_hook_and_per_tool_retries() -> None:
    calls: list[str] = []

    async def hide_unless_enabled(ctx: RunContext[bool], tool_def: Any) -> Any:
        return tool_def if ctx.deps else None

    def secret() -> str:
        calls.append("secret")
        return "s3cret"

    model = TestModel()
    agent = Agent(model, deps_type=bool, tools=[Tool(secret, prepare=hide_unless_enabled)])
    assert agent.run_sync("hi", deps=False).output == "success (no tool calls)"
    assert model.last_model_request_parameters is not None
    assert model.last_model_request_parameters.function_tools == []
    assert json.loads(agent.run_sync("hi", deps=True).output) == {"secret": "s3cret"}
    assert calls == ["secret"]


def test_model_retry_from_tool_sends_retry_prompt_then_limit_raises() -> None:
    attempts: list[int] = []

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        last = messages[-1]
        assert isinstance(last, ModelRequest)
        if isinstance(last.parts[0], ToolReturnPart):
            return ModelResponse([TextPart("done")])
        return ModelResponse([ToolCallPart("flaky", {"x": 1}, tool_call_id=f"call_{len(attempts)}")])

    agent = Agent(FunctionModel(model), retries=2)

    @agent.tool
    def flaky(ctx: RunContext[None], x: int) -> str:
        attempts.append(ctx.retry)
        if ctx.retry < 2:
            raise ModelRetry("try again please")
        return "fine"

    result = agent.run_sync("go")
    assert attempts == [0, 1, 2]
    retry = result.all_messages()[2].parts[0]
    assert isinstance(retry, RetryPromptPart)
    assert (retry.content, retry.tool_name, retry.tool_call_id) == ("try again please", "flaky", "call_0")
    assert retry.model_response() == "try again please\n\nFix the errors and try again."

    strict = Agent(FunctionModel(model), retries=1)

    @strict.tool_plain
    def flaky(x: int) -> str:  # noqa: F811
        raise ModelRetry("never")

    with pytest.raises(UnexpectedModelBehavior, match="Tool 'flaky' exceeded max retries count of 1"):
        strict.run_sync("go")


def test_argument_validation_errors_go_back_as_retry_prompts() -> None:
    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        last = messages[-1]
        assert isinstance(last, ModelRequest)
        if isinstance(last.parts[0], RetryPromptPart):
            return ModelResponse([ToolCallPart("double", '{"n": 21}')])
        if isinstance(last.parts[0], ToolReturnPart):
            return ModelResponse([TextPart(str(last.parts[0].content))])
        return ModelResponse([ToolCallPart("double", '{"n": "not a number"}')])

    agent = Agent(FunctionModel(model))

    @agent.tool_plain
    def double(n: int) -> int:
        return n * 2

    result = agent.run_sync("go")
    assert result.output == "42"
    retry = result.all_messages()[2].parts[0]
    assert isinstance(retry, RetryPromptPart) and isinstance(retry.content, list)
    assert retry.content[0]["loc"] == ("n",) and retry.content[0]["type"] == "int_parsing"
    assert retry.model_response().startswith("1 validation errors: [")


def test_unknown_tool_name_is_a_retry_listing_the_tools() -> None:
    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if len(messages) == 1:
            return ModelResponse([ToolCallPart("nope", {})])
        return ModelResponse([TextPart("ok")])

    agent = Agent(FunctionModel(model))

    @agent.tool_plain
    def real() -> None:
        return None

    result = agent.run_sync("go")
    retry = result.all_messages()[2].parts[0]
    assert isinstance(retry, RetryPromptPart)
    assert retry.content == "Unknown tool name: 'nope'. Available tools: 'real'"


def test_parallel_tool_calls_run_concurrently_and_keep_order() -> None:
    running = {"now": 0, "max": 0}

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if len(messages) == 1:
            return ModelResponse([ToolCallPart("slow", {"n": i}, tool_call_id=f"c{i}") for i in range(3)])
        return ModelResponse([TextPart("ok")])

    agent = Agent(FunctionModel(model))

    @agent.tool_plain
    async def slow(n: int) -> int:
        running["now"] += 1
        running["max"] = max(running["max"], running["now"])
        await asyncio.sleep(0.05)
        running["now"] -= 1
        return n

    result = agent.run_sync("go")
    returns = result.all_messages()[2].parts
    assert [(p.tool_call_id, p.content) for p in returns if isinstance(p, ToolReturnPart)] == [
        ("c0", 0),
        ("c1", 1),
        ("c2", 2),
    ]
    assert running["max"] == 3


def test_duplicate_tool_names_and_clash_with_output_tool_are_user_errors() -> None:
    agent = Agent(TestModel(), output_type=CityLocation)

    @agent.tool_plain
    def final_result() -> str:
        return "x"

    with pytest.raises(UserError, match="clashes with an output tool"):
        agent.run_sync("hi")

    with pytest.raises(UserError, match="conflicts"):

        @agent.tool_plain(name="final_result")
        def other() -> str:
            return "y"


# ------------------------------------------------------------------------------------------ output


class Person(TypedDict):
    name: str
    age: int


@dataclass
class Point:
    x: int
    y: int


@pytest.mark.parametrize(
    ("output_type", "expected"),
    [
        (CityLocation, CityLocation(city="a", country="b")),
        (Point, Point(0, 0)),
        (Person, {"name": "a", "age": 0}),
        (int, 0),
        (list[int], [0]),
        (bool, False),
    ],
)
def test_structured_output_kinds_via_the_final_result_tool(output_type: Any, expected: Any) -> None:
    model = TestModel()
    result = Agent(model, output_type=output_type).run_sync("hi")
    assert result.output == expected
    params = model.last_model_request_parameters
    assert params is not None and not params.allow_text_output
    (tool,) = params.output_tools
    assert tool.name == "final_result" and tool.kind == "output"
    assert tool.parameters_json_schema["type"] == "object"
    if output_type in (int, list[int], bool):
        assert tool.outer_typed_dict_key == "response"


def test_union_output_gives_one_tool_per_member_and_str_allows_text() -> None:
    model = TestModel()
    result = Agent(model, output_type=Union[CityLocation, Point]).run_sync("hi")
    assert result.output == CityLocation(city="a", country="b")
    params = model.last_model_request_parameters
    assert params is not None
    assert [t.name for t in params.output_tools] == ["final_result_CityLocation", "final_result_Point"]

    model = TestModel()
    result = Agent(model, output_type=[CityLocation, str]).run_sync("hi")  # v1 list form, text allowed
    assert result.output == "success (no tool calls)"
    assert model.last_model_request_parameters is not None
    assert model.last_model_request_parameters.allow_text_output


def test_output_function_gets_validated_args_and_can_retry() -> None:
    calls: list[int] = []

    def make_point(x: int, y: int) -> Point:
        """Build a point."""
        calls.append(x)
        if len(calls) == 1:
            raise ModelRetry("x must be positive")
        return Point(x, y)

    result = Agent(TestModel(), output_type=make_point).run_sync("hi")
    assert result.output == Point(0, 0)
    retry = result.all_messages()[2].parts[0]
    assert isinstance(retry, RetryPromptPart) and retry.content == "x must be positive"


def test_native_prompted_text_output_and_structured_dict() -> None:
    model = TestModel()
    result = Agent(model, output_type=NativeOutput(CityLocation)).run_sync("hi")
    assert result.output == CityLocation(city="a", country="b")
    params = model.last_model_request_parameters
    assert params is not None and params.output_mode == "native" and params.output_tools == []
    assert params.output_object is not None and params.output_object.name == "CityLocation"

    seen: list[ModelRequest] = []

    def prompted(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append(messages[-1])  # type: ignore[arg-type]
        return ModelResponse([TextPart('```json\n{"city": "London", "country": "UK"}\n```')])

    result = Agent(FunctionModel(prompted), output_type=PromptedOutput(CityLocation)).run_sync("hi")
    assert result.output == CityLocation(city="London", country="UK")
    assert seen[0].instructions is not None and '"city"' in seen[0].instructions

    upper = Agent(text_reply("shout"), output_type=TextOutput(lambda text: text.upper())).run_sync("hi")
    assert upper.output == "SHOUT"

    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    model = TestModel()
    result = Agent(model, output_type=StructuredDict(schema, name="Thing")).run_sync("hi")
    assert result.output == {"a": 0}
    assert model.last_model_request_parameters is not None
    assert model.last_model_request_parameters.output_tools[0].parameters_json_schema == schema


def test_native_output_on_a_model_without_support_is_a_user_error() -> None:
    with pytest.raises(UserError, match="NativeOutput is not supported"):
        Agent(text_reply("x"), output_type=NativeOutput(CityLocation)).run_sync("hi")


def test_output_validator_retry_then_success_and_text_not_allowed_retry() -> None:
    replies = iter(
        [
            ModelResponse([TextPart("plain text first")]),
            ModelResponse([ToolCallPart("final_result", {"city": "Paris", "country": "XX"})]),
            ModelResponse([ToolCallPart("final_result", {"city": "Paris", "country": "France"})]),
        ]
    )
    agent = Agent(FunctionModel(lambda m, i: next(replies)), output_type=CityLocation, retries=3)

    @agent.result_validator
    def check(ctx: RunContext[None], output: CityLocation) -> CityLocation:
        if output.country == "XX":
            raise ModelRetry("country must be real")
        return output

    result = agent.run_sync("hi")
    assert result.output == CityLocation(city="Paris", country="France")
    retries = [
        m.parts[0]
        for m in result.all_messages()
        if isinstance(m, ModelRequest) and isinstance(m.parts[0], RetryPromptPart)
    ]
    assert [r.content for r in retries] == [
        "Plain text responses are not permitted, please include your response in a tool call",
        "country must be real",
    ]
    assert retries[0].model_response().startswith("Validation feedback:\nPlain text")
    last = result.all_messages()[-1]
    assert isinstance(last, ModelRequest) and last.parts[0].content == "Final result processed."


def test_output_retries_limit_raises_and_capture_run_messages_keeps_them() -> None:
    agent = Agent(text_reply("never a tool call"), output_type=CityLocation, retries=1)
    with capture_run_messages() as messages:
        with pytest.raises(
            UnexpectedModelBehavior, match=r"Exceeded maximum retries \(1\) for output validation"
        ):
            agent.run_sync("hi")
    assert [m.kind for m in messages] == ["request", "response", "request", "response"]


def test_end_strategy_early_skips_function_tools_after_a_final_result() -> None:
    called: list[str] = []

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(
            [
                ToolCallPart("final_result", {"city": "Rome", "country": "Italy"}, tool_call_id="out"),
                ToolCallPart("side_effect", {}, tool_call_id="side"),
            ]
        )

    for strategy, expected_calls in (("early", []), ("exhaustive", ["side_effect"])):
        called.clear()
        agent = Agent(FunctionModel(model), output_type=CityLocation, end_strategy=strategy)  # type: ignore[arg-type]

        @agent.tool_plain
        def side_effect() -> str:
            called.append("side_effect")
            return "done"

        result = agent.run_sync("hi")
        assert result.output.city == "Rome"
        assert called == expected_calls
        returns = result.all_messages()[-1].parts
        assert returns[0].content == "Final result processed."  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------ history & usage


def test_history_round_trips_through_json_and_continues_the_conversation() -> None:
    agent = Agent(TestModel(), output_type=CityLocation)

    @agent.tool_plain
    def lookup(q: str) -> dict[str, Any]:
        return {"q": q, "n": [1, 2]}

    first = agent.run_sync("first")
    raw = first.all_messages_json()
    loaded = ModelMessagesTypeAdapter.validate_json(raw)
    assert loaded == first.all_messages()
    second = agent.run_sync("second", message_history=loaded)
    assert second.all_messages()[: len(loaded)] == loaded
    assert isinstance(second.new_messages()[0].parts[0], UserPromptPart)
    assert ModelMessagesTypeAdapter.validate_json(second.new_messages_json()) == second.new_messages()


def test_usage_is_summed_over_requests_and_continues_from_a_given_usage() -> None:
    responses = iter(
        [
            ModelResponse(
                [ToolCallPart("noop", {})],
                usage=RequestUsage(input_tokens=10, output_tokens=2, details={"reasoning_tokens": 1}),
            ),
            ModelResponse(
                [TextPart("done")],
                usage=RequestUsage(
                    input_tokens=20, output_tokens=3, cache_read_tokens=5, details={"reasoning_tokens": 2}
                ),
            ),
        ]
    )
    agent = Agent(FunctionModel(lambda m, i: next(responses)))

    @agent.tool_plain
    def noop() -> None:
        return None

    start = Usage(requests=1, input_tokens=100)
    usage = agent.run_sync("go", usage=start).usage()
    assert usage is start
    assert (usage.requests, usage.input_tokens, usage.output_tokens, usage.cache_read_tokens) == (
        3,
        130,
        5,
        5,
    )
    assert usage.details == {"reasoning_tokens": 3}
    assert usage.total_tokens == 135 and usage.request_tokens == 130 and usage.response_tokens == 5


def test_usage_limits_trip_before_a_request_and_on_tokens() -> None:
    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(
            [ToolCallPart("noop", {})], usage=RequestUsage(input_tokens=10, output_tokens=10)
        )

    agent = Agent(FunctionModel(model))

    @agent.tool_plain
    def noop() -> None:
        return None

    with pytest.raises(UsageLimitExceeded, match="request_limit of 3"):
        agent.run_sync("go", usage_limits=UsageLimits(request_limit=3))
    with pytest.raises(UsageLimitExceeded, match="total_tokens_limit of 30"):
        agent.run_sync("go", usage_limits=UsageLimits(total_tokens_limit=30))
    with pytest.raises(UsageLimitExceeded, match="output_tokens_limit of 15"):
        agent.run_sync("go", usage_limits=UsageLimits(response_tokens_limit=15))


def test_override_swaps_model_and_deps() -> None:
    agent = Agent(text_reply("real"), deps_type=str)

    @agent.system_prompt
    def prompt(ctx: RunContext[str]) -> str:
        return ctx.deps

    with agent.override(model=TestModel(custom_output_text="fake"), deps="override"):
        result = agent.run_sync("hi", deps="given")
    assert result.output == "fake"
    assert result.all_messages()[0].parts[0].content == "override"  # type: ignore[union-attr]
    assert agent.run_sync("hi", deps="given").output == "real"


# ------------------------------------------------------------------------------------------ streaming


async def test_run_stream_text_arrives_incrementally() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> Any:
        for word in ["The ", "capital ", "is ", "Paris."]:
            yield word

    agent = Agent(FunctionModel(stream_function=stream))
    async with agent.run_stream("hi") as result:
        deltas = [d async for d in result.stream_text(delta=True, debounce_by=None)]
    assert deltas == ["The ", "capital ", "is ", "Paris."]
    assert await result.get_output() == "The capital is Paris."
    assert result.all_messages()[-1].parts == [TextPart("The capital is Paris.")]
    assert result.usage().requests == 1

    async with agent.run_stream("hi") as result:
        growing = [t async for t in result.stream_text(debounce_by=None)]
    assert growing == ["The ", "The capital ", "The capital is ", "The capital is Paris."]


async def test_run_stream_runs_tools_first_then_streams_partial_structured_output() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> Any:
        if len(messages) == 1:
            yield {0: DeltaToolCall("lookup", '{"q": "x"}', "call_1")}
            return
        args = '{"city": "London", "country": "United Kingdom"}'
        yield {0: DeltaToolCall("final_result", None, "call_2")}
        for i in range(0, len(args), 5):
            yield {0: DeltaToolCall(None, args[i : i + 5])}

    agent = Agent(FunctionModel(stream_function=stream), output_type=CityLocation)

    @agent.tool_plain
    def lookup(q: str) -> str:
        return "found"

    async with agent.run_stream("where?") as result:
        partials = [p async for p in result.stream_output(debounce_by=None)]
    assert partials[-1] == CityLocation(city="London", country="United Kingdom")
    assert any(p.city == "London" and p.country != "United Kingdom" for p in partials)  # grew incrementally
    assert all(isinstance(p, CityLocation) for p in partials)
    kinds = [type(m).__name__ for m in result.all_messages()]
    assert kinds == ["ModelRequest", "ModelResponse", "ModelRequest", "ModelResponse", "ModelRequest"]


async def test_test_model_streams_words_and_structured_output() -> None:
    agent = Agent(TestModel(custom_output_text="one two three"))
    async with agent.run_stream("hi") as result:
        assert [d async for d in result.stream_text(delta=True, debounce_by=None)] == [
            "one",
            " two",
            " three",
        ]
    agent2 = Agent(TestModel(), output_type=CityLocation)
    async with agent2.run_stream("hi") as result2:
        assert await result2.get_output() == CityLocation(city="a", country="b")


def test_models_without_tools_reject_tools_and_tool_output_before_any_request() -> None:
    from wireai.profiles import ModelProfile

    model = FunctionModel(lambda m, i: ModelResponse([TextPart('{"city": "Paris", "country": "France"}')]))
    model._profile = ModelProfile(supports_tools=False, supports_json_schema_output=True)
    agent = Agent(model, output_type=ToolOutput(CityLocation))
    with pytest.raises(
        UserError, match="cannot call tools, so it cannot return output through an output tool"
    ):
        agent.run_sync("hi")
    with_tool = Agent(model)

    @with_tool.tool_plain
    def lookup() -> str:
        return "x"

    with pytest.raises(UserError, match=r"cannot call tools; remove the agent's tools \(lookup\)"):
        with_tool.run_sync("hi")
    assert Agent(model, output_type=NativeOutput(CityLocation)).run_sync("hi").output == CityLocation(
        city="Paris", country="France"
    )


def test_async_output_validator_and_async_instructions_with_context() -> None:
    agent = Agent(text_reply("draft"), deps_type=str)

    @agent.instructions
    async def dynamic(ctx: RunContext[str]) -> str:
        return f"Write for {ctx.deps}."

    @agent.output_validator
    async def polish(ctx: RunContext[str], output: str) -> str:
        return f"{output} (for {ctx.deps})"

    result = agent.run_sync("hi", deps="kids")
    assert result.output == "draft (for kids)"
    assert result.all_messages()[0].instructions == "Write for kids."  # type: ignore[union-attr]


async def test_iter_yields_the_runs_nodes_and_the_result() -> None:
    from wireai import CallToolsNode, End, ModelRequestNode, UserPromptNode

    agent = Agent(TestModel(), output_type=CityLocation)

    @agent.tool_plain
    def lookup(q: str) -> str:
        return "found"

    async with agent.iter("where?") as run:
        nodes = [node async for node in run]
    kinds = [type(n) for n in nodes]
    assert kinds == [UserPromptNode, ModelRequestNode, CallToolsNode, ModelRequestNode, CallToolsNode, End]
    assert (
        Agent.is_model_request_node(nodes[1])
        and Agent.is_call_tools_node(nodes[2])
        and Agent.is_end_node(nodes[-1])
    )
    assert isinstance(nodes[2], CallToolsNode) and nodes[2].model_response.parts[0].tool_name == "lookup"  # type: ignore[union-attr]
    assert run.result is not None and run.result.output == CityLocation(city="a", country="b")
    assert nodes[-1].data.output == run.result.output  # type: ignore[union-attr]
    assert run.usage().requests == 2 and len(run.all_messages()) == 5
