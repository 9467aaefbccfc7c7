"""OpenTelemetry: the spans, attributes, events and metrics of instrumented runs, read back from the SDK's
in-memory exporter and metric reader; content and keys that must never leave the process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from otel_helpers import SECRET_KEY, Telemetry
from wireai import Agent, BinaryContent, InstrumentationSettings, ModelHTTPError, ModelRetry, UserError
from wireai.exceptions import ModelAPIError
from wireai.messages import ModelRequest, ModelResponse, TextPart, ToolCallPart
from wireai.models import ModelRequestParameters
from wireai.models.instrumented import InstrumentedModel, instrument_model
from wireai.models.openai import OpenAIChatModel
from wireai.testing import FakeAnthropic, FakeOpenAI
from wireai.usage import RequestUsage


@pytest.fixture
def telemetry() -> Telemetry:
    return Telemetry()


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as vendor:
        yield vendor


def calculator(model: Any, settings: InstrumentationSettings, **kwargs: Any) -> Agent[None, str]:
    agent: Agent[None, str] = Agent(
        model, instrument=settings, name="calc", instructions="Answer with the number only.", **kwargs
    )

    @agent.tool_plain
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    return agent


# ------------------------------------------------------------------------------------------ spans of a run


async def test_a_run_is_an_agent_span_holding_chat_and_tool_spans(
    telemetry: Telemetry, fake: FakeOpenAI
) -> None:
    fake.add_tool_call(
        "add", {"a": 1, "b": 2}, tool_call_id="call_1", usage=RequestUsage(input_tokens=50, output_tokens=9)
    )
    fake.add_text("3", usage=RequestUsage(input_tokens=70, output_tokens=2))
    agent = calculator(fake.model(settings={"temperature": 0.2, "max_tokens": 100}), telemetry.settings)
    result = await agent.run("What is 1 + 2?")
    assert result.output == "3"

    assert [s.name for s in telemetry.spans] == [
        "chat gpt-4o",
        "execute_tool add",
        "chat gpt-4o",
        "invoke_agent calc",
    ]
    run = telemetry.span("invoke_agent calc")
    first_chat, tool, second_chat = telemetry.spans[:3]
    assert run.parent is None
    assert {s.parent.span_id for s in (first_chat, tool, second_chat)} == {run.context.span_id}  # type: ignore[union-attr]
    assert (first_chat.kind, tool.kind, run.kind) == (SpanKind.CLIENT, SpanKind.INTERNAL, SpanKind.INTERNAL)

    attributes = dict(first_chat.attributes or {})
    port = int(fake.url.rsplit(":", 1)[1])
    tool_schema = {
        "additionalProperties": False,
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
        "type": "object",
    }
    assert json.loads(attributes.pop("model_request_parameters"))["function_tools"][0]["name"] == "add"
    assert attributes == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.system": "openai",
        "gen_ai.request.model": "gpt-4o",
        "server.address": "127.0.0.1",
        "server.port": port,
        "gen_ai.tool.definitions": json.dumps(
            [
                {
                    "type": "function",
                    "name": "add",
                    "description": "Add two numbers.",
                    "parameters": tool_schema,
                }
            ],
            separators=(",", ":"),
        ),
        "gen_ai.request.max_tokens": 100,
        "gen_ai.request.temperature": 0.2,
        "gen_ai.response.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 50,
        "gen_ai.usage.output_tokens": 9,
        "gen_ai.response.id": "chatcmpl-fake",
        "gen_ai.response.finish_reasons": ("tool_call",),
        "gen_ai.input.messages": '[{"role":"user","parts":[{"type":"text","content":"What is 1 + 2?"}]}]',
        "gen_ai.output.messages": '[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"add",'
        '"arguments":{"a":1,"b":2}}],"finish_reason":"tool_call"}]',
        "gen_ai.system_instructions": '[{"type":"text","content":"Answer with the number only."}]',
    }
    assert json.loads(second_chat.attributes["gen_ai.input.messages"]) == [  # type: ignore[index]
        {"role": "user", "parts": [{"type": "text", "content": "What is 1 + 2?"}]},
        {"role": "assistant", "parts": [{"type": "tool_call", "id": "call_1", "name": "add", "arguments": {"a": 1, "b": 2}}],
         "finish_reason": "tool_call"},
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1", "name": "add", "result": 3}]},
    ]  # fmt: skip

    assert dict(tool.attributes or {}) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "add",
        "gen_ai.tool.call.id": "call_1",
        "gen_ai.agent.name": "calc",
        "gen_ai.tool.call.arguments": '{"a": 1, "b": 2}',
        "gen_ai.tool.call.result": "3",
    }
    run_attributes = dict(run.attributes or {})
    all_messages = json.loads(run_attributes.pop("pydantic_ai.all_messages"))
    assert [m["role"] for m in all_messages] == ["user", "assistant", "tool", "assistant"]
    assert run_attributes == {
        "model_name": "gpt-4o",
        "agent_name": "calc",
        "gen_ai.agent.name": "calc",
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.aggregated_usage.input_tokens": 120,
        "gen_ai.aggregated_usage.output_tokens": 11,
        "gen_ai.system_instructions": '[{"type":"text","content":"Answer with the number only."}]',
        "final_result": "3",
    }


async def test_metrics_are_the_genai_client_duration_and_token_usage(
    telemetry: Telemetry, fake: FakeOpenAI
) -> None:
    fake.add_text("hello", usage=RequestUsage(input_tokens=12, output_tokens=3))
    await Agent(fake.model(), instrument=telemetry.settings).run("hi")
    metrics = telemetry.metrics()
    base = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.system": "openai",
        "gen_ai.request.model": "gpt-4o",
        "server.address": "127.0.0.1",
        "server.port": int(fake.url.rsplit(":", 1)[1]),
        "gen_ai.response.model": "gpt-4o",
    }
    tokens = {
        attributes["gen_ai.token.type"]: (attributes, point)
        for attributes, point in metrics["gen_ai.client.token.usage"]
    }
    assert tokens["input"][0] == {**base, "gen_ai.token.type": "input"}
    assert (tokens["input"][1].sum, tokens["output"][1].sum) == (12, 3)
    assert tokens["input"][1].explicit_bounds[:4] == (1, 4, 16, 64)  # the semconv's advised buckets
    [(attributes, duration)] = metrics["gen_ai.client.operation.duration"]
    assert attributes == base
    assert duration.count == 1 and 0 < duration.sum < 5
    assert duration.explicit_bounds[:3] == (0.01, 0.02, 0.04)


async def test_cache_tokens_are_reported_under_the_semconv_and_pydanticai_names(telemetry: Telemetry) -> None:
    with FakeAnthropic() as anthropic:
        usage = RequestUsage(
            input_tokens=1200, output_tokens=20, cache_read_tokens=1000, cache_write_tokens=150
        )
        anthropic.add_text("cached", usage=usage)
        await Agent(anthropic.model(), instrument=telemetry.settings).run("hi")
    chat = telemetry.span("chat claude-3-5-sonnet-latest")
    usage_attributes = {k: v for k, v in (chat.attributes or {}).items() if k.startswith("gen_ai.usage.")}
    assert usage_attributes == {
        "gen_ai.usage.input_tokens": 1200,
        "gen_ai.usage.output_tokens": 20,
        "gen_ai.usage.cache_read.input_tokens": 1000,
        "gen_ai.usage.details.cache_read_tokens": 1000,
        "gen_ai.usage.cache_creation.input_tokens": 150,
        "gen_ai.usage.details.cache_write_tokens": 150,
    }
    assert chat.attributes["gen_ai.provider.name"] == "anthropic"  # type: ignore[index]


async def test_a_retried_429_is_an_event_on_the_chat_span(telemetry: Telemetry, fake: FakeOpenAI) -> None:
    fake.add_rate_limit(0.05)
    fake.add_text("fine")
    await Agent(fake.model(), instrument=telemetry.settings).run("hi")
    chat = telemetry.span("chat gpt-4o")
    assert [(e.name, dict(e.attributes or {})) for e in chat.events] == [
        (
            "wireai.retry",
            {"http.request.resend_count": 1, "wireai.retry.delay_s": 0.05, "http.response.status_code": 429},
        )
    ]
    assert chat.status.status_code == StatusCode.UNSET


async def test_a_stalled_stream_is_an_event_and_the_error_of_the_chat_span(
    telemetry: Telemetry, fake: FakeOpenAI
) -> None:
    fake.add_stall(5, mid_stream=True)
    agent = Agent(fake.model(), instrument=telemetry.settings)
    with pytest.raises(ModelAPIError, match="stalled"):
        async with agent.run_stream("hi", model_settings={"timeout": 0.2}) as result:
            await result.get_output()
    chat = telemetry.span("chat gpt-4o")
    assert [e.name for e in chat.events] == ["wireai.stream.stall", "exception"]
    assert chat.status.status_code == StatusCode.ERROR
    assert chat.attributes["error.type"] == "ModelAPIError"  # type: ignore[index]
    duration_points = telemetry.metrics()["gen_ai.client.operation.duration"]
    assert [a.get("error.type") for a, _ in duration_points] == ["ModelAPIError"]
    assert telemetry.span("invoke_agent agent").status.status_code == StatusCode.ERROR


async def test_a_streamed_run_ends_its_chat_span_with_the_whole_response(
    telemetry: Telemetry, fake: FakeOpenAI
) -> None:
    fake.add_text("streamed answer", usage=RequestUsage(input_tokens=8, output_tokens=2))
    agent = Agent(fake.model(), instrument=telemetry.settings, name="streamer")
    async with agent.run_stream("hi") as result:
        assert (
            "".join([t async for t in result.stream_text(delta=True, debounce_by=None)]) == "streamed answer"
        )
        assert telemetry.spans == []  # nothing ends before the stream is closed
    chat = telemetry.span("chat gpt-4o")
    assert chat.attributes["gen_ai.output.messages"] == (  # type: ignore[index]
        '[{"role":"assistant","parts":[{"type":"text","content":"streamed answer"}],"finish_reason":"stop"}]'
    )
    attributes = dict(chat.attributes or {})
    assert (attributes["gen_ai.usage.input_tokens"], attributes["gen_ai.usage.output_tokens"]) == (8, 2)
    assert chat.parent.span_id == telemetry.span("invoke_agent streamer").context.span_id  # type: ignore[union-attr]


async def test_a_vendor_error_marks_the_chat_and_agent_spans(telemetry: Telemetry, fake: FakeOpenAI) -> None:
    fake.add_error(400, message="bad request from the model")
    with pytest.raises(ModelHTTPError):
        await Agent(fake.model(), instrument=telemetry.settings).run("hi")
    chat = telemetry.span("chat gpt-4o")
    assert chat.status.status_code == StatusCode.ERROR
    assert chat.attributes["error.type"] == "400"  # type: ignore[index]
    [event] = chat.events
    assert event.name == "exception"
    assert event.attributes["exception.type"] == "wireai.exceptions.ModelHTTPError"  # type: ignore[index]
    assert "bad request from the model" in event.attributes["exception.message"]  # type: ignore[index]


async def test_a_tool_asking_for_a_retry_marks_its_span(telemetry: Telemetry, fake: FakeOpenAI) -> None:
    fake.add_tool_call("flaky", {"x": 1}, tool_call_id="call_1")
    fake.add_text("done")
    agent = Agent(fake.model(), instrument=telemetry.settings)

    @agent.tool_plain
    def flaky(x: int) -> int:
        raise ModelRetry("try again with x=2")

    await agent.run("go")
    tool = telemetry.span("execute_tool flaky")
    assert tool.status.status_code == StatusCode.ERROR
    assert tool.attributes["gen_ai.tool.call.result"] == "try again with x=2\n\nFix the errors and try again."  # type: ignore[index]


# ------------------------------------------------------------------------------------------ what must not leave


async def test_without_content_no_prompt_completion_argument_or_result_text_is_exported(
    fake: FakeOpenAI,
) -> None:
    telemetry = Telemetry(include_content=False)
    fake.add_tool_call("add", {"a": 40123, "b": 2777}, tool_call_id="call_1")
    fake.add_text("PURPLE-ELEPHANT-ANSWER")
    agent = calculator(fake.model(), telemetry.settings, system_prompt="SYSTEM-PROMPT-SECRET")
    await agent.run(["USER-PROMPT-SECRET", BinaryContent(b"IMAGE-BYTES", media_type="image/png")])
    fake.add_error(400, message="VENDOR-ECHOED-USER-PROMPT-SECRET")
    with pytest.raises(ModelHTTPError):
        await agent.run("SECOND-PROMPT-SECRET")
    exported = telemetry.everything_exported()
    for secret in ("SECRET", "PURPLE", "40123", "2777", "42900", "Answer with the number", "SU1BR0UtQllURVM"):
        assert secret not in exported, secret
    # The structure stays: roles, part types, tool names and ids, token counts.
    chat = telemetry.spans[0]
    assert json.loads(chat.attributes["gen_ai.input.messages"]) == [  # type: ignore[index]
        {"role": "system", "parts": [{"type": "text"}]},
        {
            "role": "user",
            "parts": [{"type": "text"}, {"type": "blob", "modality": "image", "mime_type": "image/png"}],
        },
    ]
    assert json.loads(telemetry.spans[2].attributes["gen_ai.input.messages"])[-1] == {  # type: ignore[index]
        "role": "tool",
        "parts": [{"type": "tool_call_response", "id": "call_1", "name": "add"}],
    }
    assert "gen_ai.tool.call.arguments" not in telemetry.span("execute_tool add").attributes  # type: ignore[operator]
    failed = [s for s in telemetry.spans if s.status.status_code == StatusCode.ERROR]
    assert [s.name for s in failed] == ["chat gpt-4o", "invoke_agent calc"]
    assert dict(failed[0].events[0].attributes or {}) == {
        "exception.type": "wireai.exceptions.ModelHTTPError",
        "exception.escaped": True,
    }


async def test_binary_content_can_be_left_out_on_its_own(fake: FakeOpenAI) -> None:
    telemetry = Telemetry(include_binary_content=False)
    fake.add_text("a cat")
    await Agent(fake.model(), instrument=telemetry.settings).run(
        ["what is it?", BinaryContent(b"PNGDATA", media_type="image/png")]
    )
    assert json.loads(telemetry.span("chat gpt-4o").attributes["gen_ai.input.messages"]) == [  # type: ignore[index]
        {"role": "user", "parts": [{"type": "text", "content": "what is it?"},
                                   {"type": "blob", "modality": "image", "mime_type": "image/png"}]}
    ]  # fmt: skip


async def test_the_api_key_appears_in_no_span_event_or_metric(telemetry: Telemetry, fake: FakeOpenAI) -> None:
    fake.add_text("ok")
    fake.add_rate_limit(0.01)  # a retried request: its event is exported too
    fake.add_text("ok again")
    fake.add_error(401, message="Incorrect API key provided")
    model = fake.model(api_key=SECRET_KEY)
    agent = Agent(model, instrument=telemetry.settings)
    await agent.run("hi")
    await agent.run("hi")
    with pytest.raises(ModelHTTPError):
        await agent.run("hi")
    assert fake.requests[0].headers["authorization"] == f"Bearer {SECRET_KEY}"  # it was sent...
    assert len(telemetry.spans) == 6
    assert SECRET_KEY not in telemetry.everything_exported()  # ... and never exported
    assert "4f9a1c0ffee" not in telemetry.everything_exported()


# ------------------------------------------------------------------------------------------ settings and API


async def test_version_2_uses_the_legacy_span_and_attribute_names(fake: FakeOpenAI) -> None:
    telemetry = Telemetry(version=2)
    fake.add_tool_call("add", {"a": 1, "b": 1}, tool_call_id="call_1")
    fake.add_text("2")
    await calculator(fake.model(), telemetry.settings).run(
        ["1+1?", BinaryContent(b"x", media_type="image/png")]
    )
    assert [s.name for s in telemetry.spans] == ["chat gpt-4o", "running tool", "chat gpt-4o", "agent run"]
    tool = dict(telemetry.span("running tool").attributes or {})
    assert (tool["tool_arguments"], tool["tool_response"]) == ('{"a": 1, "b": 1}', "2")
    user_parts = json.loads(telemetry.spans[0].attributes["gen_ai.input.messages"])[0]["parts"]  # type: ignore[index]
    assert user_parts[1] == {"type": "binary", "media_type": "image/png", "content": "eA=="}


def test_unsupported_versions_are_refused() -> None:
    with pytest.raises(UserError, match="version 1 is not supported"):
        InstrumentationSettings(version=1)  # type: ignore[arg-type]


async def test_instrument_all_traces_agents_that_did_not_choose(
    telemetry: Telemetry, fake: FakeOpenAI
) -> None:
    fake.add_text("one")
    fake.add_text("two")
    Agent.instrument_all(telemetry.settings)
    try:
        await Agent(fake.model(), name="implicit").run("hi")
        await Agent(fake.model(), name="opted-out", instrument=False).run("hi")
    finally:
        Agent.instrument_all(False)
    assert [s.name for s in telemetry.spans] == ["chat gpt-4o", "invoke_agent implicit"]


async def test_an_instrumented_model_alone_traces_its_requests(
    telemetry: Telemetry, fake: FakeOpenAI
) -> None:
    fake.add_text("direct")
    model = InstrumentedModel(fake.model(), telemetry.settings)
    response = await model.request([ModelRequest.user_text_prompt("hi")], None, ModelRequestParameters())
    assert response.text == "direct"
    [chat] = telemetry.spans
    assert (chat.name, chat.parent) == ("chat gpt-4o", None)
    assert instrument_model(model, True) is model
    assert isinstance(instrument_model(fake.model(), telemetry.settings), InstrumentedModel)


def test_default_ports_follow_the_scheme() -> None:
    from wireai._instrumentation import model_attributes

    model = OpenAIChatModel("gpt-4o", api_key="k")
    assert model_attributes(model) == {
        "gen_ai.provider.name": "openai",
        "gen_ai.system": "openai",
        "gen_ai.request.model": "gpt-4o",
        "server.address": "api.openai.com",
        "server.port": 443,
    }
    creds = OpenAIChatModel("m", base_url="http://user:pass@localhost/v1", api_key="k")
    assert model_attributes(creds)["server.address"] == "localhost"
    assert "pass" not in json.dumps(model_attributes(creds))


def test_the_tool_calls_of_a_response_keep_unparseable_arguments_as_text() -> None:
    from wireai._otel_messages import ContentPolicy, response_message

    response = ModelResponse([ToolCallPart("t", '{"broken', "c1"), TextPart("hi")])
    assert response_message(response, ContentPolicy()) == {
        "role": "assistant",
        "parts": [
            {"type": "tool_call", "id": "c1", "name": "t", "arguments": '{"broken'},
            {"type": "text", "content": "hi"},
        ],
    }


def test_uninstrumented_runs_import_no_opentelemetry() -> None:
    code = (
        "import sys, wireai; from wireai import Agent;"
        "Agent('test').run_sync('hi');"
        "print([m for m in sys.modules if m.startswith('opentelemetry')])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


async def test_agent_iter_runs_inside_the_agent_span(telemetry: Telemetry, fake: FakeOpenAI) -> None:
    fake.add_text("node by node")
    agent = Agent(fake.model(), instrument=telemetry.settings, name="walker")
    async with agent.iter("hi") as run:
        nodes = [type(node).__name__ async for node in run]
    assert nodes == ["UserPromptNode", "ModelRequestNode", "CallToolsNode", "End"]
    chat, span = telemetry.spans
    assert (chat.name, span.name) == ("chat gpt-4o", "invoke_agent walker")
    assert chat.parent.span_id == span.context.span_id  # type: ignore[union-attr]
    assert span.attributes["final_result"] == "node by node"  # type: ignore[index]


def test_run_sync_of_an_instrumented_agent_traces_too(telemetry: Telemetry, fake: FakeOpenAI) -> None:
    fake.add_text("global providers")
    fake.add_text("sync")
    assert Agent(fake.model(), instrument=True).run_sync("hi").output == "global providers"  # no-op providers
    assert Agent(fake.model(), instrument=telemetry.settings).run_sync("hi").output == "sync"
    assert [s.name for s in telemetry.spans] == ["chat gpt-4o", "invoke_agent agent"]


def test_a_deferred_call_has_a_tool_span_without_result_and_its_resumed_result_has_one(
    telemetry: Telemetry,
) -> None:
    from wireai import DeferredToolRequests, DeferredToolResults

    with FakeOpenAI() as fake:
        fake.add_tool_call("delete_file", {"path": "a"}, tool_call_id="call_1")
        fake.add_text("Deleted.")
        agent = Agent(fake.model(), output_type=[str, DeferredToolRequests], instrument=telemetry.settings)

        @agent.tool_plain(requires_approval=True)
        def delete_file(path: str) -> str:
            return f"{path} deleted"

        first = agent.run_sync("Delete a")
        assert isinstance(first.output, DeferredToolRequests)
        [deferred] = [s for s in telemetry.spans if s.name == "execute_tool delete_file"]
        assert deferred.status.status_code != StatusCode.ERROR
        assert "gen_ai.tool.call.result" not in (deferred.attributes or {})
        agent.run_sync(
            message_history=first.all_messages(),
            deferred_tool_results=DeferredToolResults(approvals={"call_1": True}),
        )
    resumed = [s for s in telemetry.spans if s.name == "execute_tool delete_file"][1]
    assert resumed.attributes["gen_ai.tool.call.result"] == "a deleted"  # type: ignore[index]
