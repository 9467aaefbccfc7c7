"""`wireai.direct`: one model call without an Agent, async and sync, JSON and streamed, over the fakes'
real sockets: the exact request the codec builds, the exact response read back, and nothing run or
raised on the caller's behalf (tool calls come back as parts, a content filter as the response)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from wireai import Agent, InstrumentationSettings, ModelRequest, ToolDefinition
from wireai.direct import (
    StreamedResponseSync,
    model_request,
    model_request_stream,
    model_request_stream_sync,
    model_request_sync,
)
from wireai.messages import (
    ModelResponse,
    PartDeltaEvent,
    PartEndEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ToolCallPart,
)
from wireai.models import ModelRequestParameters
from wireai.models.anthropic import AnthropicModel
from wireai.testing import FakeAnthropic, FakeGemini
from wireai.testing.server import LoopbackServer, Reply
from wireai.usage import RequestUsage

DIVIDE = ToolDefinition(
    "divide",
    {
        "type": "object",
        "properties": {"numerator": {"type": "number"}, "denominator": {"type": "number"}},
        "required": ["numerator", "denominator"],
    },
    "Divide two numbers.",
)
QUESTION = [ModelRequest.user_text_prompt("What is 10 / 4?")]


def _anthropic_body(**extra: Any) -> dict[str, Any]:
    return {
        "model": "claude-3-5-sonnet-latest",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "What is 10 / 4?"}]}],
        **extra,
    }


async def test_model_request_sends_the_tools_and_returns_the_call_unrun() -> None:
    params = ModelRequestParameters(function_tools=[DIVIDE], allow_text_output=False)
    with FakeAnthropic() as fake:
        fake.add_tool_call("divide", {"numerator": 10, "denominator": 4}, tool_call_id="toolu_1")
        response = await model_request(
            fake.model(), QUESTION, model_settings={"max_tokens": 100}, model_request_parameters=params
        )
    [request] = fake.requests
    assert request.path == "/v1/messages"
    assert request.headers["x-api-key"] == "fake-api-key"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.json() == _anthropic_body(
        tools=[
            {
                "name": "divide",
                "description": "Divide two numbers.",
                "input_schema": DIVIDE.parameters_json_schema,
            }
        ],
        tool_choice={"type": "any"},
    )
    assert response.parts == [ToolCallPart("divide", {"numerator": 10, "denominator": 4}, "toolu_1")]
    assert response.usage == RequestUsage(input_tokens=10, output_tokens=5)
    assert (response.finish_reason, response.model_name, response.provider_name) == (
        "tool_call",
        "claude-3-5-sonnet-latest",
        "anthropic",
    )


def test_model_request_sync_resolves_a_model_name_and_reuses_the_threads_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeAnthropic() as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-direct")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        fake.add_text("2.5").add_text("Paris.")
        first = model_request_sync(
            "anthropic:claude-3-5-haiku-latest", QUESTION, model_settings={"max_tokens": 100}
        )
        with model_request_stream_sync("anthropic:claude-3-5-haiku-latest", QUESTION) as stream:
            list(stream)
        connections = fake.server.total_connections
    assert first.parts == [TextPart("2.5")] and first.finish_reason == "stop"
    assert [r.json()["model"] for r in fake.requests] == ["claude-3-5-haiku-latest"] * 2
    assert fake.requests[0].headers["x-api-key"] == "sk-ant-direct"
    assert fake.requests[1].json()["stream"] is True
    assert connections == 1  # the sync stream ran on the same thread loop, so on its pooled client


async def test_model_request_stream_yields_the_part_events_and_the_whole_response() -> None:
    with FakeAnthropic() as fake:
        fake.add_text(
            "Albert Einstein was a physicist.", usage=RequestUsage(input_tokens=12, output_tokens=7)
        )
        async with model_request_stream(fake.model(), QUESTION) as stream:
            events = [event async for event in stream]
            response = stream.get()
    assert fake.requests[0].json()["stream"] is True
    assert isinstance(events[0], PartStartEvent) and isinstance(events[0].part, TextPart)
    assert all(isinstance(e, PartDeltaEvent) and isinstance(e.delta, TextPartDelta) for e in events[1:-1])
    text = events[0].part.content + "".join(e.delta.content_delta for e in events[1:-1])  # type: ignore[union-attr]
    assert text == "Albert Einstein was a physicist."
    # The part's end carries the whole part, as PydanticAI's direct streams do.
    assert events[-1] == PartEndEvent(0, TextPart("Albert Einstein was a physicist."))
    assert response.parts == [TextPart("Albert Einstein was a physicist.")]
    assert response.usage == RequestUsage(input_tokens=12, output_tokens=7)
    assert response.finish_reason == "stop"


def test_model_request_stream_sync_iterates_without_an_event_loop() -> None:
    with FakeGemini() as fake:
        fake.add_text("Einstein developed the theory of relativity.")
        with model_request_stream_sync(fake.model(), QUESTION) as stream:
            assert isinstance(stream, StreamedResponseSync)
            events = list(stream)
            response, usage, name = stream.get(), stream.usage(), stream.model_name
    assert fake.requests[0].url_path == "/v1beta/models/gemini-2.0-flash:streamGenerateContent"
    assert fake.requests[0].query == "alt=sse"
    assert len(events) > 1 and isinstance(events[0], PartStartEvent)
    assert response.parts == [TextPart("Einstein developed the theory of relativity.")]
    assert usage == RequestUsage(input_tokens=10, output_tokens=5)
    assert name == "gemini-2.0-flash"
    assert stream.get() == response  # the response stays readable after the block
    with pytest.raises(RuntimeError, match="The stream is closed"):
        list(stream)


async def test_model_request_stream_sync_works_where_a_loop_is_already_running() -> None:
    with FakeAnthropic() as fake:
        fake.add_text("from a worker thread")
        with model_request_stream_sync(fake.model(), QUESTION) as stream:
            text = [e.part.content for e in stream if isinstance(e, PartStartEvent)]  # type: ignore[union-attr]
            response = stream.get()
    assert text and response.parts == [TextPart("from a worker thread")]


def test_leaving_a_sync_stream_early_closes_it_without_reading_the_rest() -> None:
    first = b'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-sonnet-latest","content":[],"stop_reason":null,"usage":{"input_tokens":3,"output_tokens":1}}}\n\n'
    block = b'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Hello"}}\n\n'
    with LoopbackServer(
        lambda r: Reply(200, {"content-type": "text/event-stream"}, chunks=[first, block, 60.0])
    ) as server:
        model = AnthropicModel("claude-3-5-sonnet-latest", api_key="k", base_url=server.url)
        seen: list[Any] = []

        def read_one() -> None:
            with model_request_stream_sync(model, QUESTION) as stream:
                for event in stream:
                    seen.append(event)
                    break

        reader = threading.Thread(target=read_one, daemon=True)
        reader.start()
        reader.join(15)
        assert not reader.is_alive(), "leaving the with block waited for the rest of the stream"
    assert [type(e) for e in seen] == [PartStartEvent]
    assert seen[0].part == TextPart("Hello")


def test_a_sync_stream_must_be_entered() -> None:
    with FakeAnthropic() as fake:
        stream = model_request_stream_sync(fake.model(), QUESTION)
        with pytest.raises(RuntimeError, match="must be used as a context manager"):
            list(stream)
        with pytest.raises(RuntimeError, match="must be used as a context manager"):
            stream.get()
    assert fake.requests == []
    assert repr(stream) == "StreamedResponseSync(entered=False)"


def test_a_content_filtered_answer_is_returned_not_raised() -> None:
    blocked = ModelResponse([], finish_reason="content_filter", provider_details={"finish_reason": "SAFETY"})
    with FakeGemini() as fake:
        fake.add_response(blocked).add_response(blocked)
        response = model_request_sync(fake.model(), QUESTION)
        with model_request_stream_sync(fake.model(), QUESTION) as stream:
            list(stream)
            streamed = stream.get()
    for got in (response, streamed):
        assert got.parts == [] and got.finish_reason == "content_filter"
        assert got.provider_details == {"finish_reason": "SAFETY"}


def test_instrument_traces_the_request_and_none_follows_instrument_all() -> None:
    from test_instrumentation import Telemetry

    telemetry = Telemetry()
    with FakeAnthropic() as fake:
        fake.add_text("traced").add_text("not traced").add_text("traced by default")
        model_request_sync(fake.model(), QUESTION, instrument=telemetry.settings)
        model_request_sync(fake.model(), QUESTION)
        Agent.instrument_all(telemetry.settings)
        try:
            model_request_sync(fake.model(), QUESTION)
        finally:
            Agent.instrument_all(False)
    spans = telemetry.spans
    assert [s.name for s in spans] == ["chat claude-3-5-sonnet-latest"] * 2
    assert spans[0].attributes is not None and spans[0].attributes["gen_ai.usage.input_tokens"] == 10
    assert isinstance(telemetry.settings, InstrumentationSettings)
