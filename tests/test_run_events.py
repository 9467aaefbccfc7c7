"""Run events for UIs: the exact event sequence of a run, as PydanticAI gives it, over real sockets.

A streamed response gives `PartStartEvent` / `PartDeltaEvent` / `PartEndEvent` (with the kinds of
the parts around it) and the agent adds `FinalResultEvent` right after the event that starts the
final result; handling a response gives `FunctionToolCallEvent` for every call before the tools
run and a `FunctionToolResultEvent` as each finishes, and `OutputToolCallEvent` /
`OutputToolResultEvent` for output tool calls. `run_stream_events()` ends with an
`AgentRunResultEvent`; `event_stream_handler` gets the same events step by step.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import pytest
from pydantic import BaseModel

from wireai import (
    Agent,
    AgentRunResultEvent,
    FinalResultEvent,
    FunctionToolCallEvent,
    FunctionToolResultEvent,
    ModelRetry,
    OutputToolCallEvent,
    OutputToolResultEvent,
    PartDeltaEvent,
    PartEndEvent,
    PartStartEvent,
    RunContext,
    TextPart,
    TextPartDelta,
    ToolCallPart,
    ToolCallPartDelta,
    ToolReturnPart,
)
from wireai.messages import AgentStreamEvent, ModelRequest, ModelResponse, RetryPromptPart
from wireai.testing import FakeOpenAI

T = datetime(2026, 1, 1, tzinfo=timezone.utc)


class City(BaseModel):
    name: str
    country: str


def stamped(events: list[Any]) -> list[Any]:
    """The events with their result parts' timestamps set to `T`, to compare them whole."""
    for event in events:
        part = getattr(event, "part", None)
        if isinstance(part, (ToolReturnPart, RetryPromptPart)):
            part.timestamp = T
    return events


def weather_agent(fake: FakeOpenAI, output_type: Any = str, **kwargs: Any) -> Agent[None, Any]:
    agent: Agent[None, Any] = Agent(fake.model(), output_type=output_type, **kwargs)

    @agent.tool_plain
    def weather(city: str) -> str:
        return f"sunny in {city}"

    return agent


def script_structured(fake: FakeOpenAI) -> None:
    fake.add_tool_call("weather", {"city": "Paris"}, text="Let me check.")
    fake.add_tool_call("final_result", {"name": "Paris", "country": "France"})


def weather_call(index: int) -> list[Any]:
    """The events of a streamed `weather` call at `index` (after a text part when not the first),
    then of the agent running it. OpenAI streams the arguments in 8-character pieces."""
    call = ToolCallPart("weather", '{"city": "Paris"}', "call_0001")
    return [
        PartStartEvent(index, ToolCallPart("weather", None, "call_0001"), "text" if index else None),
        PartDeltaEvent(index, ToolCallPartDelta(args_delta='{"city":')),
        PartDeltaEvent(index, ToolCallPartDelta(args_delta=' "Paris"')),
        PartDeltaEvent(index, ToolCallPartDelta(args_delta="}")),
        PartEndEvent(index, call),
        FunctionToolCallEvent(call, args_valid=True),
        FunctionToolResultEvent(ToolReturnPart("weather", "sunny in Paris", "call_0001", timestamp=T)),
    ]


# The first response: text, then a call of the `weather` tool.
TOOL_ROUND: list[Any] = [
    PartStartEvent(0, TextPart("Let me c")),
    PartDeltaEvent(0, TextPartDelta("heck.")),
    PartEndEvent(0, TextPart("Let me check."), next_part_kind="tool-call"),
    *weather_call(1),
]
FINAL_CALL = ToolCallPart("final_result", '{"name": "Paris", "country": "France"}', "call_0002")
STRUCTURED_ANSWER: list[Any] = [
    PartStartEvent(0, ToolCallPart("final_result", None, "call_0002")),
    FinalResultEvent("final_result", "call_0002"),
    PartDeltaEvent(0, ToolCallPartDelta(args_delta='{"name":')),
    PartDeltaEvent(0, ToolCallPartDelta(args_delta=' "Paris"')),
    PartDeltaEvent(0, ToolCallPartDelta(args_delta=', "count')),
    PartDeltaEvent(0, ToolCallPartDelta(args_delta='ry": "Fr')),
    PartDeltaEvent(0, ToolCallPartDelta(args_delta='ance"}')),
    PartEndEvent(0, FINAL_CALL),
    OutputToolCallEvent(FINAL_CALL, args_valid=True),
    OutputToolResultEvent(
        ToolReturnPart("final_result", "Final result processed.", "call_0002", timestamp=T)
    ),
]


async def test_run_stream_events_gives_every_event_of_a_tool_round_and_a_structured_output() -> None:
    with FakeOpenAI() as fake:
        script_structured(fake)
        async with weather_agent(fake, City).run_stream_events("Weather in Paris?") as stream:
            events = [event async for event in stream]
    *run_events, last = events
    assert stamped(run_events) == TOOL_ROUND + STRUCTURED_ANSWER
    assert isinstance(last, AgentRunResultEvent) and last.result.output == City(
        name="Paris", country="France"
    )
    assert last.event_kind == "agent_run_result"
    # Both requests were streamed; the second carries the tool's result.
    bodies = [r.json() for r in fake.requests]
    assert [(b["stream"], b["stream_options"]) for b in bodies] == [(True, {"include_usage": True})] * 2
    assert bodies[1]["messages"][1:] == [
        {
            "role": "assistant",
            "content": "Let me check.",
            "tool_calls": [
                {
                    "id": "call_0001",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_0001", "content": "sunny in Paris"},
    ]
    # The result events carry the parts the history holds.
    history = last.result.all_messages()
    assert history[2] == ModelRequest([run_events[9].part])
    assert isinstance(history[3], ModelResponse) and history[3].parts == [FINAL_CALL]


async def test_text_output_events_end_with_the_answers_part_and_the_run_result() -> None:
    with FakeOpenAI() as fake:
        fake.add_tool_call("weather", {"city": "Paris"}, text="Let me check.")
        fake.add_text("It is sunny.")
        # A v1-style consumer: iterate what run_stream_events returns, no `async with`.
        events = [event async for event in weather_agent(fake).run_stream_events("Weather in Paris?")]
    # Text may be the output, so the first text part already looks like the final result.
    first_round = [TOOL_ROUND[0], FinalResultEvent(None, None), *TOOL_ROUND[1:]]
    assert stamped(events[:-1]) == first_round + [
        PartStartEvent(0, TextPart("It is su")),
        FinalResultEvent(None, None),
        PartDeltaEvent(0, TextPartDelta("nny.")),
        PartEndEvent(0, TextPart("It is sunny.")),
    ]
    assert events[-1].result.output == "It is sunny."


async def test_run_with_an_event_stream_handler_streams_and_hands_every_step_to_it() -> None:
    seen: list[tuple[int, list[AgentStreamEvent]]] = []

    async def handler(ctx: RunContext[None], stream: AsyncIterable[AgentStreamEvent]) -> None:
        seen.append((ctx.run_step, [event async for event in stream]))

    with FakeOpenAI() as fake:
        script_structured(fake)
        result = await weather_agent(fake, City).run("Weather in Paris?", event_stream_handler=handler)
    assert result.output == City(name="Paris", country="France")
    # Four steps: each model response as it streamed, then the handling of it.
    assert [(step, len(events)) for step, events in seen] == [(1, 8), (1, 2), (2, 8), (2, 2)]
    assert stamped([e for _, events in seen for e in events]) == TOOL_ROUND + STRUCTURED_ANSWER
    assert all(r.json()["stream"] is True for r in fake.requests)


def test_the_agents_handler_is_used_by_runs_not_given_one() -> None:
    kinds: list[str] = []

    async def handler(ctx: RunContext[None], stream: AsyncIterable[AgentStreamEvent]) -> None:
        kinds.extend([event.event_kind async for event in stream])

    with FakeOpenAI() as fake:
        fake.add_text("Hi!")
        result = Agent(fake.model(), event_stream_handler=handler).run_sync("Hello")
    assert result.output == "Hi!"
    assert kinds == ["part_start", "final_result", "part_end"]


async def test_run_stream_hands_the_handler_events_up_to_the_final_result_and_streams_the_rest() -> None:
    handled: list[Any] = []

    async def handler(ctx: RunContext[None], stream: AsyncIterable[AgentStreamEvent]) -> None:
        handled.extend([event async for event in stream])

    with FakeOpenAI() as fake:
        fake.add_tool_call("weather", {"city": "Paris"})
        fake.add_text("It is sunny in Paris.")
        agent = weather_agent(fake)
        async with agent.run_stream("Weather?", event_stream_handler=handler) as result:
            deltas = [d async for d in result.stream_text(delta=True, debounce_by=None)]
    assert stamped(handled) == [
        *weather_call(0),
        PartStartEvent(0, TextPart("It is su")),
        FinalResultEvent(None, None),
    ]
    # The first delta is what arrived before the final result was recognised.
    assert deltas == ["It is su", "nny in P", "aris."]
    assert result.all_messages()[-1].parts == [TextPart("It is sunny in Paris.")]


# ------------------------------------------------------------------------------------------ agent.iter()


async def test_iter_streams_each_node_then_streams_the_answers_text_after_the_final_result() -> None:
    from wireai import CallToolsNode, End, ModelRequestNode, UserPromptNode

    log: list[Any] = []
    with FakeOpenAI() as fake:
        fake.add_tool_call("weather", {"city": "Paris"})
        fake.add_text("It is sunny in Paris.")
        async with weather_agent(fake).iter("Weather?") as run:
            async for node in run:
                log.append(type(node).__name__)
                if Agent.is_model_request_node(node):
                    assert isinstance(node, ModelRequestNode)
                    async with node.stream(run.ctx) as request_stream:
                        async for event in request_stream:
                            log.append(event)
                            if isinstance(event, FinalResultEvent):
                                break
                        else:
                            continue
                        log.extend(
                            [t async for t in request_stream.stream_text(delta=True, debounce_by=None)]
                        )
                elif Agent.is_call_tools_node(node):
                    assert isinstance(node, CallToolsNode)
                    async with node.stream(run.ctx) as handle_stream:
                        log.extend([event async for event in handle_stream])
                else:
                    assert isinstance(node, (UserPromptNode, End))
        assert run.result is not None and run.result.output == "It is sunny in Paris."
        assert isinstance(run.next_node, End) and run.next_node.data.output == "It is sunny in Paris."
    call_round = weather_call(0)
    assert stamped(log) == [
        "UserPromptNode",
        "ModelRequestNode",
        *call_round[:5],
        "CallToolsNode",
        *call_round[5:],
        "ModelRequestNode",
        PartStartEvent(0, TextPart("It is su")),
        FinalResultEvent(None, None),
        "It is su",
        "nny in P",
        "aris.",
        "CallToolsNode",
        "End",
    ]
    assert run.usage.requests == 2
    assert [type(m).__name__ for m in run.all_messages()] == ["ModelRequest", "ModelResponse"] * 2


async def test_iter_nodes_run_unstreamed_send_json_requests_and_a_tools_node_still_streams_its_events() -> (
    None
):
    with FakeOpenAI() as fake:
        fake.add_tool_call("weather", {"city": "Paris"})
        fake.add_text("Sunny.")
        events: list[Any] = []
        async with weather_agent(fake).iter("Weather?") as run:
            async for node in run:
                if Agent.is_call_tools_node(node):
                    async with node.stream(run.ctx) as handle_stream:  # type: ignore[union-attr]
                        events.extend([event async for event in handle_stream])
    assert ["stream" in r.json() for r in fake.requests] == [False, False]
    assert stamped(events) == weather_call(0)[5:]
    assert run.result is not None and run.result.output == "Sunny."


async def test_agent_run_next_drives_the_run_by_hand_and_each_node_runs_once() -> None:
    from wireai import CallToolsNode, End, ModelRequestNode, UserError, UserPromptNode

    with FakeOpenAI() as fake:
        fake.add_text("Paris.")
        async with Agent(fake.model()).iter("Capital of France?") as run:
            node = run.next_node
            assert node == UserPromptNode("Capital of France?")
            nodes = [node]
            while not isinstance(node, End):
                node = await run.next(node)
                nodes.append(node)
            assert [type(n) for n in nodes] == [UserPromptNode, ModelRequestNode, CallToolsNode, End]
            request, response = nodes[1], nodes[2]
            assert isinstance(request, ModelRequestNode) and request.request is run.all_messages()[0]
            assert isinstance(response, CallToolsNode) and response.model_response is run.all_messages()[1]
            assert run.result is not None and run.result.output == "Paris."
            with pytest.raises(UserError, match="an End node cannot be run"):
                await run.next(node)
            with pytest.raises(UserError, match="each node runs once"):
                async with request.stream(run.ctx):
                    pass
            assert await run.next(request) is response  # a node already run gives what it gave
            assert await run.next(nodes[0]) is request
    assert len(fake.requests) == 1


async def test_a_request_node_handed_to_next_sends_its_own_request() -> None:
    from wireai import ModelRequestNode, UserPromptPart

    with FakeOpenAI() as fake:
        fake.add_text("Rome.")
        async with Agent(fake.model()).iter("Capital of France?") as run:
            await run.next(run.next_node)
            replaced = ModelRequestNode(ModelRequest([UserPromptPart("Capital of Italy?")]))
            await run.next(replaced)
            await run.next(run.next_node)
    assert fake.requests[0].json()["messages"] == [{"role": "user", "content": "Capital of Italy?"}]
    assert run.result is not None and run.result.all_messages()[0] is replaced.request


# ------------------------------------------------------------------------------------------ tool events


async def test_tool_calls_are_announced_before_the_tools_run_and_results_come_as_each_finishes() -> None:
    slow_may_finish = asyncio.Event()
    order: list[str] = []

    with FakeOpenAI() as fake:
        fake.add_tool_calls([("slow", {}), ("fast", {})])
        fake.add_text("Done.")
        agent: Agent[None, str] = Agent(fake.model())

        @agent.tool_plain
        async def slow() -> str:
            await slow_may_finish.wait()  # set by the consumer once it has seen the fast tool's result
            return "slow done"

        @agent.tool_plain
        async def fast() -> str:
            return "fast done"

        async def handler(ctx: RunContext[None], stream: AsyncIterable[AgentStreamEvent]) -> None:
            async for event in stream:
                if isinstance(event, (FunctionToolCallEvent, FunctionToolResultEvent)):
                    order.append(f"{event.event_kind}:{event.part.tool_name}")
                    if isinstance(event, FunctionToolResultEvent) and event.part.tool_name == "fast":
                        slow_may_finish.set()

        result = await asyncio.wait_for(agent.run("Go", event_stream_handler=handler), 10)
    assert order == [
        "function_tool_call:slow",
        "function_tool_call:fast",
        "function_tool_result:fast",
        "function_tool_result:slow",
    ]
    # The next request keeps the calls' order, whatever order they finished in.
    assert [m["tool_call_id"] for m in fake.requests[1].json()["messages"][2:]] == ["call_0001", "call_0002"]
    assert result.output == "Done."


async def test_invalid_arguments_an_unknown_tool_and_a_tool_retry_are_announced_with_their_retry_prompts() -> (
    None
):
    with FakeOpenAI() as fake:
        fake.add_tool_calls([("weather", {"town": "Paris"}), ("nowhere", {}), ("moody", {})])
        fake.add_text("Sorry.")
        agent = weather_agent(fake, retries=3)

        @agent.tool_plain
        def moody() -> str:
            raise ModelRetry("Try later.")

        events = [e async for e in agent.run_stream_events("Go")]
    handled = [e for e in events if isinstance(e, (FunctionToolCallEvent, FunctionToolResultEvent))]
    assert [(type(e).__name__, e.tool_call_id, getattr(e, "args_valid", "-")) for e in handled] == [
        ("FunctionToolCallEvent", "call_0001", False),
        ("FunctionToolCallEvent", "call_0002", False),
        ("FunctionToolCallEvent", "call_0003", True),
        ("FunctionToolResultEvent", "call_0001", "-"),
        ("FunctionToolResultEvent", "call_0002", "-"),
        ("FunctionToolResultEvent", "call_0003", "-"),
    ]
    retries = [e.part for e in handled[3:]]
    assert all(isinstance(p, RetryPromptPart) for p in retries)
    assert retries[0].content[0]["loc"] == ("city",) and retries[0].content[0]["type"] == "missing"
    assert retries[1].content == "Unknown tool name: 'nowhere'. Available tools: 'weather', 'moody'"
    assert retries[2].content == "Try later."
    assert handled[3].result is handled[3].part  # the part by its v1 name


async def test_output_tool_events_say_whether_the_arguments_were_valid() -> None:
    with FakeOpenAI() as fake:
        fake.add_tool_call("final_result", {"name": "Paris"})  # no country: invalid
        fake.add_tool_call("final_result", {"name": "Lyon", "country": "France"})  # rejected by the validator
        fake.add_tool_call("final_result", {"name": "Paris", "country": "France"})
        agent: Agent[None, City] = Agent(fake.model(), output_type=City, retries=3)

        @agent.output_validator
        def capital(city: City) -> City:
            if city.name != "Paris":
                raise ModelRetry("Give the capital.")
            return city

        events = [e async for e in agent.run_stream_events("Capital of France?")]
    output_events = [e for e in events if isinstance(e, (OutputToolCallEvent, OutputToolResultEvent))]
    assert [type(e).__name__ for e in output_events] == ["OutputToolCallEvent", "OutputToolResultEvent"] * 3
    assert [e.args_valid for e in output_events[::2]] == [False, True, True]
    parts = [e.part for e in output_events[1::2]]
    assert isinstance(parts[0], RetryPromptPart) and parts[0].content[0]["loc"] == ("country",)
    assert isinstance(parts[1], RetryPromptPart) and parts[1].content == "Give the capital."
    assert isinstance(parts[2], ToolReturnPart) and parts[2].content == "Final result processed."
    assert events[-1].result.output == City(name="Paris", country="France")
    assert not any(isinstance(e, FunctionToolCallEvent) for e in events)


async def test_a_second_output_call_is_announced_as_not_used() -> None:
    with FakeOpenAI() as fake:
        fake.add_tool_calls(
            [
                ("final_result", {"name": "Paris", "country": "France"}),
                ("final_result", {"name": "X", "country": "Y"}),
            ]
        )
        events = [e async for e in Agent(fake.model(), output_type=City).run_stream_events("Capital?")]
    handled = stamped([e for e in events if isinstance(e, (OutputToolCallEvent, OutputToolResultEvent))])
    second = ToolCallPart("final_result", '{"name": "X", "country": "Y"}', "call_0002")
    assert handled[2:] == [
        OutputToolCallEvent(second, args_valid=None),
        OutputToolResultEvent(
            ToolReturnPart(
                "final_result",
                "Output tool not used - a final result was already processed.",
                "call_0002",
                timestamp=T,
            )
        ),
    ]


async def test_a_call_awaiting_approval_is_announced_and_its_approved_run_is_streamed_on_resuming() -> None:
    from wireai import CallToolsNode, DeferredToolRequests, DeferredToolResults, UserPromptNode

    with FakeOpenAI() as fake:
        fake.add_tool_call("delete", {"path": "a.txt"})
        agent: Agent[None, Any] = Agent(fake.model(), output_type=[str, DeferredToolRequests])

        @agent.tool_plain(requires_approval=True)
        def delete(path: str) -> str:
            return f"deleted {path}"

        first = [e async for e in agent.run_stream_events("Clean up")]
        call = ToolCallPart("delete", '{"path": "a.txt"}', "call_0001")
        assert first[-2] == FunctionToolCallEvent(call, args_valid=True)  # announced, no result: it waits
        assert first[-1].result.output == DeferredToolRequests(approvals=[call])

        fake.add_text("Deleted.")
        nodes: list[str] = []
        events: list[Any] = []
        async with agent.iter(
            message_history=first[-1].result.all_messages(),
            deferred_tool_results=DeferredToolResults(approvals={"call_0001": True}),
        ) as run:
            async for node in run:
                nodes.append(type(node).__name__)
                if isinstance(node, CallToolsNode) and not events:
                    async with node.stream(run.ctx) as stream:
                        events = [e async for e in stream]
                assert not isinstance(node, UserPromptNode) or node.user_prompt is None
    # Resuming goes from the prompt straight to the history's unanswered calls, as in PydanticAI.
    assert nodes == ["UserPromptNode", "CallToolsNode", "ModelRequestNode", "CallToolsNode", "End"]
    assert stamped(events) == [
        FunctionToolCallEvent(call, args_valid=True),
        FunctionToolResultEvent(ToolReturnPart("delete", "deleted a.txt", "call_0001", timestamp=T)),
    ]
    assert run.result is not None and run.result.output == "Deleted."


async def test_a_given_result_is_announced_unvalidated_and_a_tool_return_content_travels_with_its_result() -> (
    None
):
    from wireai import DeferredToolRequests, DeferredToolResults, ToolReturn

    with FakeOpenAI() as fake:
        fake.add_tool_calls([("lookup", {"key": "a"}), ("chart", {})])
        agent: Agent[None, Any] = Agent(fake.model(), output_type=[str, DeferredToolRequests])

        @agent.tool_plain(requires_approval=True)
        def lookup(key: str) -> str:
            return key

        @agent.tool_plain
        def chart() -> ToolReturn:
            return ToolReturn("drawn", content=["The chart goes up."])

        first = await agent.run("Go")
        fake.add_text("OK.")
        events = [
            e
            async for e in agent.run_stream_events(
                message_history=first.all_messages(),
                deferred_tool_results=DeferredToolResults(calls={"call_0001": "from the user"}),
            )
        ]
        fake.add_tool_call("chart", {})
        fake.add_text("Up.")
        async with agent.run_stream_events("Again") as stream:
            chart_events = [e async for e in stream if isinstance(e, FunctionToolResultEvent)]
    assert stamped(events[:2]) == [
        FunctionToolCallEvent(ToolCallPart("lookup", '{"key": "a"}', "call_0001"), args_valid=None),
        FunctionToolResultEvent(ToolReturnPart("lookup", "from the user", "call_0001", timestamp=T)),
    ]
    assert events[-1].result.output == "OK."
    # What a `ToolReturn` asks to send after the results travels with the result event.
    assert [(e.part.content, e.content) for e in chart_events] == [("drawn", ["The chart goes up."])]


async def test_native_tool_parts_are_part_events_like_the_others() -> None:
    from wireai import NativeToolCallPart, NativeToolReturnPart, WebSearchTool
    from wireai.testing import FakeAnthropic
    from wireai.usage import RequestUsage

    found = {"type": "web_search_result", "url": "https://e.com", "title": "E", "encrypted_content": "Eq"}
    async with FakeAnthropic() as fake:
        fake.add_response(
            ModelResponse(
                [
                    NativeToolCallPart("web_search", {"query": "ledger"}, tool_call_id="srvtoolu_01A"),
                    NativeToolReturnPart("web_search", [found], tool_call_id="srvtoolu_01A"),
                    TextPart("The ledger ships on Friday."),
                ],
                usage=RequestUsage(input_tokens=30, output_tokens=9),
            )
        )
        agent: Agent[None, str] = Agent(fake.model("claude-sonnet-4-5"), native_tools=[WebSearchTool()])
        events = [e async for e in agent.run_stream_events("When does the ledger ship?")]
    call_start = NativeToolCallPart(
        "web_search",
        None,
        tool_call_id="srvtoolu_01A",
        provider_name="anthropic",
        provider_details={"type": "server_tool_use", "name": "web_search"},
    )
    returned = events[4].part
    assert isinstance(returned, NativeToolReturnPart) and returned.content == [found]
    assert events[:-1] == [
        PartStartEvent(0, call_start),
        # Anthropic streams the call's input as JSON pieces, like a function call's.
        PartDeltaEvent(0, ToolCallPartDelta(args_delta='{"query": "ledge')),
        PartDeltaEvent(0, ToolCallPartDelta(args_delta='r"}')),
        PartEndEvent(
            0,
            replace(call_start, args={"query": "ledger"}),
            next_part_kind="builtin-tool-return",
        ),
        # A native tool's result arrives whole: it starts, and takes no end event (as in PydanticAI).
        PartStartEvent(1, returned, previous_part_kind="builtin-tool-call"),
        PartStartEvent(2, TextPart("The ledger ships"), previous_part_kind="builtin-tool-return"),
        FinalResultEvent(None, None),
        PartDeltaEvent(2, TextPartDelta(" on Friday.")),
        PartEndEvent(2, TextPart("The ledger ships on Friday.")),
    ]
    assert events[-1].result.output == "The ledger ships on Friday."


# ------------------------------------------------------------------------------------------ run_stream_sync


def test_run_stream_sync_streams_text_without_an_event_loop_and_ends_the_run_at_the_end() -> None:
    from wireai import StreamedRunResultSync

    with FakeOpenAI() as fake:
        fake.add_tool_call("weather", {"city": "Paris"})
        fake.add_text("It is sunny in Paris.")
        agent = weather_agent(fake, max_concurrency=1)
        with agent.run_stream_sync("Weather?") as result:
            assert isinstance(result, StreamedRunResultSync)
            assert list(result.stream_text(delta=True, debounce_by=None)) == ["It is su", "nny in P", "aris."]
            assert result.is_complete and result.get_output() == "It is sunny in Paris."
        assert result.usage.requests == 2 and result.usage() is not None
        assert [m.kind for m in result.new_messages()] == ["request", "response"] * 2
        assert json.loads(result.all_messages_json())[-1]["parts"][0]["content"] == "It is sunny in Paris."

        # Without `with`: reading the output to its end ends the run (the concurrency slot is free again).
        fake.add_text("Again.")
        second = agent.run_stream_sync("Again?")
        assert second.get_output() == "Again."
        fake.add_text("Third.")
        assert agent.run_sync("Third?").output == "Third."


def test_run_stream_sync_structured_output_and_a_stream_left_early() -> None:
    with FakeOpenAI() as fake:
        fake.add_tool_call("final_result", {"name": "Paris", "country": "France"})
        fake.add_text("A long answer that nobody reads to its end.")
        agent: Agent[None, City] = Agent(fake.model(), output_type=City, max_concurrency=1)
        with agent.run_stream_sync("Capital?") as result:
            outputs = list(result.stream_output(debounce_by=None))
        assert outputs[-1] == City(name="Paris", country="France")
        assert all(isinstance(o, City) for o in outputs)

        with Agent(fake.model()).run_stream_sync("Talk") as talk:
            assert next(iter(talk.stream_text(delta=True, debounce_by=None))) == "A long a"
        assert not talk.is_complete  # left early: the stream was closed with the block
        with pytest.raises(Exception, match="ended"):
            list(talk.stream_text())


async def test_run_stream_sync_inside_a_running_loop_uses_a_thread_of_its_own() -> None:
    with FakeOpenAI() as fake:
        fake.add_text("From a notebook.")
        result = Agent(fake.model()).run_stream_sync("Hi")
        assert result.get_output() == "From a notebook."


def test_run_stream_sync_keeps_the_runs_span_in_one_task() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from wireai import InstrumentationSettings

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with FakeOpenAI() as fake:
        fake.add_text("Traced.")
        agent: Agent[None, str] = Agent(
            fake.model(), name="traced", instrument=InstrumentationSettings(tracer_provider=provider)
        )
        with agent.run_stream_sync("Hi") as result:
            assert "".join(result.stream_text(delta=True)) == "Traced."
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert set(spans) == {"invoke_agent traced", "chat gpt-4o"}
    chat, run = spans["chat gpt-4o"], spans["invoke_agent traced"]
    assert chat.parent is not None and run.context is not None and chat.parent.span_id == run.context.span_id


# ------------------------------------------------------------------------------------------ endings


async def test_a_handler_that_raises_ends_the_run_with_its_error_and_the_running_tool_is_cancelled() -> None:
    cancelled = asyncio.Event()

    with FakeOpenAI() as fake:
        fake.add_tool_call("wait", {})
        agent: Agent[None, str] = Agent(fake.model(), max_concurrency=1)

        @agent.tool_plain
        async def wait() -> str:
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.set()
                raise
            return "never"

        class Stop(Exception):
            pass

        async def handler(ctx: RunContext[None], stream: AsyncIterable[AgentStreamEvent]) -> None:
            async for event in stream:
                if isinstance(event, FunctionToolCallEvent):
                    raise Stop(event.tool_call_id)

        with pytest.raises(Stop, match="call_0001"):
            await asyncio.wait_for(agent.run("Go", event_stream_handler=handler), 10)
        assert cancelled.is_set()
        fake.add_text("Free.")
        assert (await asyncio.wait_for(agent.run("Again"), 10)).output == "Free."  # the slot was released


async def test_leaving_run_stream_events_early_ends_the_run() -> None:
    with FakeOpenAI() as fake:
        fake.add_text("One two three four five six seven.")
        agent: Agent[None, str] = Agent(fake.model(), max_concurrency=1)
        async with agent.run_stream_events("Count") as stream:
            async for event in stream:
                if isinstance(event, FinalResultEvent):
                    break
        fake.add_text("Free.")
        assert (await asyncio.wait_for(agent.run("Again"), 10)).output == "Free."


async def test_a_tool_error_reaches_the_consumer_after_the_events_before_it() -> None:
    with FakeOpenAI() as fake:
        fake.add_tool_call("broken", {})
        agent: Agent[None, str] = Agent(fake.model())

        @agent.tool_plain
        def broken() -> str:
            raise RuntimeError("disk on fire")

        seen: list[str] = []
        with pytest.raises(RuntimeError, match="disk on fire"):
            async for event in agent.run_stream_events("Go"):
                seen.append(event.event_kind)
    assert seen == ["part_start", "part_delta", "part_end", "function_tool_call"]


async def test_nobody_listening_builds_no_tool_events(monkeypatch: pytest.MonkeyPatch) -> None:
    from wireai import _run

    def unwanted(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an event was built with nobody listening")

    for name in (
        "FunctionToolCallEvent",
        "FunctionToolResultEvent",
        "OutputToolCallEvent",
        "OutputToolResultEvent",
    ):
        monkeypatch.setattr(_run, name, unwanted)
    with FakeOpenAI() as fake:
        script_structured(fake)
        result = await weather_agent(fake, City).run("Weather in Paris?")
        script_structured(fake)
        async with weather_agent(fake, City).run_stream("Weather in Paris?") as streamed:
            assert await streamed.get_output() == result.output
    assert result.output == City(name="Paris", country="France")


def test_the_readmes_run_events_example_prints_the_calls_the_text_and_the_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme.split("## Run events for UIs", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "no python block under '## Run events for UIs'"
    with FakeOpenAI() as fake:
        fake.add_tool_call("get_weather", {"city": "Paris"})
        fake.add_text("Sunny in Paris.")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        exec(compile(match.group(1), "README.md", "exec"), {})
    assert capsys.readouterr().out == (
        'calling get_weather({"city": "Paris"})\nget_weather said \'sunny\'\nSunny in Paris.\n(2 requests)\n'
    )


async def test_50_listened_runs_finished_or_aborted_leave_no_tasks_behind() -> None:
    class Abort(Exception):
        pass

    async def abort_at_the_call(ctx: RunContext[None], stream: AsyncIterable[AgentStreamEvent]) -> None:
        async for event in stream:
            if isinstance(event, FunctionToolCallEvent):
                raise Abort

    async def read_all(ctx: RunContext[None], stream: AsyncIterable[AgentStreamEvent]) -> None:
        async for _ in stream:
            pass

    tasks_before = asyncio.all_tasks()
    with FakeOpenAI() as fake:
        agent = weather_agent(fake)
        for i in range(50):
            fake.add_tool_call("weather", {"city": "Paris"})
            if i % 2:
                with pytest.raises(Abort):
                    await agent.run("Go", event_stream_handler=abort_at_the_call)
            else:
                fake.add_text("Sunny.")
                assert (await agent.run("Go", event_stream_handler=read_all)).output == "Sunny."
        await asyncio.sleep(0)
        assert asyncio.all_tasks() == tasks_before  # every tool step's task ended with its step


async def test_a_request_nodes_stream_gives_the_responses_output_without_running_its_tools() -> None:
    from wireai import UnexpectedModelBehavior

    with FakeOpenAI() as fake:
        fake.add_tool_call("final_result", {"name": "Paris", "country": "France"})
        fake.add_tool_call("final_result", {"name": "Paris"})  # no country
        agent: Agent[None, City] = Agent(fake.model(), output_type=City)
        for expected in (City(name="Paris", country="France"), None):
            async with agent.iter("Capital?") as run:
                await run.next(run.next_node)
                request = run.next_node
                assert Agent.is_model_request_node(request)
                async with request.stream(run.ctx) as stream:  # type: ignore[union-attr]
                    if expected is None:
                        with pytest.raises(UnexpectedModelBehavior, match="does not hold a valid output"):
                            await stream.get_output()
                    else:
                        assert await stream.get_output() == expected
                        assert stream.response.parts == [
                            ToolCallPart(
                                "final_result", '{"name": "Paris", "country": "France"}', "call_0001"
                            )
                        ]
                        assert stream.usage.requests == 0  # counted once the node has added the response
                assert run.usage.requests == 1 and len(run.all_messages()) == 2


async def test_the_runs_context_shows_its_state_and_dependencies() -> None:
    with FakeOpenAI() as fake:
        fake.add_text("Hi.")
        model = fake.model()
        async with Agent(model, deps_type=int).iter("Hello", deps=7) as run:
            async for node in run:
                if Agent.is_end_node(node):
                    assert run.ctx.state.run_step == 1 and run.ctx.state.usage.requests == 1
        assert run.ctx.state.message_history == run.all_messages()  # the run's own list
        assert (run.ctx.deps.user_deps, run.ctx.deps.prompt, run.ctx.deps.model) == (7, "Hello", model)
