"""Fake vendors, used the way a wireai user would test their own agent: real wire, no network.

Each vendor's fake answers on its real paths with its real JSON / SSE / event-stream framing, so
these tests run the real provider, transport, decoder and codec: a tool call then a final answer,
a vendor error, a stall that hits the timeout, a 429 retried after `Retry-After`, a connection
dropped mid-stream.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from wireai import Agent
from wireai.exceptions import ModelAPIError, ModelHTTPError, UnexpectedModelBehavior
from wireai.messages import (
    CompactionPart,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters
from wireai.models.openai import OpenAIChatModel
from wireai.testing import (
    FakeAnthropic,
    FakeBedrock,
    FakeCohere,
    FakeGemini,
    FakeGroq,
    FakeMistral,
    FakeOpenAI,
    FakeOpenAIResponses,
    FakeVendor,
    FakeVertex,
    Reply,
)
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage

FAKES: list[type[FakeVendor]] = [
    FakeOpenAI,
    FakeOpenAIResponses,
    FakeGroq,
    FakeAnthropic,
    FakeGemini,
    FakeVertex,
    FakeMistral,
    FakeCohere,
    FakeBedrock,
]
# Where each vendor's request carries the key (the fakes hand out a model with `fake-api-key`).
AUTH = {
    FakeOpenAI: ("authorization", "Bearer fake-api-key"),
    FakeOpenAIResponses: ("authorization", "Bearer fake-api-key"),
    FakeGroq: ("authorization", "Bearer fake-api-key"),
    FakeAnthropic: ("x-api-key", "fake-api-key"),
    FakeGemini: ("x-goog-api-key", "fake-api-key"),
    FakeVertex: ("authorization", "Bearer fake-vertex-token"),
    FakeMistral: ("authorization", "Bearer fake-api-key"),
    FakeCohere: ("authorization", "Bearer fake-api-key"),
    FakeBedrock: ("authorization", "Bearer fake-api-key"),
}
PATHS = {
    FakeOpenAI: "/v1/chat/completions",
    FakeOpenAIResponses: "/v1/responses",
    FakeGroq: "/openai/v1/chat/completions",
    FakeAnthropic: "/v1/messages",
    FakeGemini: "/v1beta/models/gemini-2.0-flash:generateContent",
    FakeVertex: "/v1/projects/fake-project/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent",
    FakeMistral: "/v1/chat/completions",
    FakeCohere: "/v2/chat",
    FakeBedrock: "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
}
STREAM_PATHS = {
    FakeGemini: "/v1beta/models/gemini-2.0-flash:streamGenerateContent",
    FakeVertex: PATHS[FakeVertex].replace(":generateContent", ":streamGenerateContent"),
    FakeBedrock: PATHS[FakeBedrock] + "-stream",
}

vendors = pytest.mark.parametrize("fake_class", FAKES, ids=lambda c: c.__name__)


def weather_agent(fake: FakeVendor, calls: list[str]) -> Agent[Any, str]:
    agent: Agent[Any, str] = Agent(fake.model(), system_prompt="Be brief.")

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The weather in a city."""
        calls.append(city)
        return f"sunny in {city}"

    return agent


# ------------------------------------------------------------------------------------- user-style


@vendors
async def test_tool_call_then_final_answer(fake_class: type[FakeVendor]) -> None:
    calls: list[str] = []
    async with fake_class() as fake:
        fake.add_tool_call("get_weather", {"city": "Paris"})
        fake.add_text("Sunny in Paris.", usage=RequestUsage(input_tokens=30, output_tokens=4))
        result = await weather_agent(fake, calls).run("Weather in Paris?")

    assert result.output == "Sunny in Paris."
    assert calls == ["Paris"]
    assert [r.url_path for r in fake.requests] == [PATHS[fake_class]] * 2
    header, value = AUTH[fake_class]
    assert all(r.headers[header] == value for r in fake.requests)
    # The second request carries the tool's result back to the vendor.
    assert "sunny in Paris" in fake.requests[1].body.decode()
    assert "Weather in Paris?" in fake.requests[0].body.decode()
    assert result.usage().output_tokens == 5 + 4
    assert fake.pending == 0


@vendors
async def test_streamed_tool_call_then_final_answer(fake_class: type[FakeVendor]) -> None:
    calls: list[str] = []
    async with fake_class() as fake:
        fake.add_tool_call("get_weather", {"city": "Oslo"})
        fake.add_text("Cold and clear in Oslo, with a long answer that spans several stream events.")
        async with weather_agent(fake, calls).run_stream("Weather in Oslo?") as run:
            output = await run.get_output()

    assert output == "Cold and clear in Oslo, with a long answer that spans several stream events."
    assert calls == ["Oslo"]
    assert [r.url_path for r in fake.requests] == [STREAM_PATHS.get(fake_class, PATHS[fake_class])] * 2
    if fake_class not in STREAM_PATHS:
        assert all(r.json()["stream"] is True for r in fake.requests)


@vendors
async def test_vendor_error_surfaces_with_the_vendor_body(fake_class: type[FakeVendor]) -> None:
    async with fake_class() as fake:
        fake.add_error(400, message="model does not support tools")
        with pytest.raises(ModelHTTPError) as caught:
            await Agent(fake.model()).run("hi")
    assert caught.value.status_code == 400
    assert caught.value.body == fake.error_body(400, "model does not support tools")
    assert "model does not support tools" in json.dumps(caught.value.body)
    assert len(fake.requests) == 1  # a 400 is not retried


@vendors
async def test_stall_hits_the_timeout(fake_class: type[FakeVendor]) -> None:
    async with fake_class() as fake:
        fake.add_stall(5)
        with pytest.raises(ModelAPIError, match="timed out"):
            await Agent(fake.model()).run("hi", model_settings={"timeout": 0.2})
    assert len(fake.requests) == 1


@vendors
async def test_rate_limit_is_retried_after_retry_after(fake_class: type[FakeVendor]) -> None:
    async with fake_class() as fake:
        fake.add_rate_limit(retry_after=0.05)
        fake.add_text("second time lucky")
        result = await Agent(fake.model()).run("hi")
    assert result.output == "second time lucky"
    assert len(fake.requests) == 2
    assert fake.requests[0].body == fake.requests[1].body


@pytest.mark.parametrize(
    ("seconds", "headers"), [(0.2, {"retry-after": "1", "retry-after-ms": "200"}), (2, {"retry-after": "2"})]
)
def test_rate_limit_sends_whole_seconds_in_retry_after_and_milliseconds_beside_it(
    seconds: float, headers: dict[str, str]
) -> None:
    # HTTP allows only whole seconds (or a date) in Retry-After: a client that reads only it must
    # never come back early, and wireai reads the exact wait from retry-after-ms.
    import httpx

    from wireai.exceptions import parse_retry_after
    from wireai.testing import FakeOpenAI

    with FakeOpenAI() as fake:
        fake.add_rate_limit(retry_after=seconds)
        reply = httpx.post(fake.url + "/v1/chat/completions", json={"model": "gpt-4o", "messages": []})
    assert reply.status_code == 429
    assert {k: v for k, v in reply.headers.items() if k.startswith("retry-after")} == headers
    assert parse_retry_after(reply.headers) == seconds


@vendors
async def test_connection_dropped_mid_stream(fake_class: type[FakeVendor]) -> None:
    async with fake_class() as fake:
        fake.add_drop_mid_stream(after_events=2)
        with pytest.raises((ModelAPIError, UnexpectedModelBehavior)):
            async with Agent(fake.model()).run_stream("hi") as run:
                await run.get_output()


@vendors
async def test_stall_mid_stream_hits_the_read_timeout(fake_class: type[FakeVendor]) -> None:
    async with fake_class() as fake:
        fake.add_stall(5, mid_stream=True)
        with pytest.raises(ModelAPIError, match="stalled"):
            async with Agent(fake.model()).run_stream("hi", model_settings={"timeout": 0.2}) as run:
                await run.get_output()


# ------------------------------------------------------------------------------------- wire exactness


RESPONSE = ModelResponse(
    parts=[
        TextPart("Let me check both."),
        ToolCallPart("get_weather", {"city": "Paris"}, "call_a"),
        ToolCallPart("get_weather", {"city": "Łódź"}, "call_b"),
    ],
    usage=RequestUsage(input_tokens=120, output_tokens=33),
    finish_reason="tool_call",
)
PARAMS = ModelRequestParameters(
    function_tools=[
        ToolDefinition(
            "get_weather",
            {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            "The weather in a city.",
        )
    ]
)
MESSAGES = [ModelRequest(parts=[UserPromptPart("Weather in Paris and Łódź?")])]


def same_wire_content(got: ModelResponse, want: ModelResponse, fake: FakeVendor) -> None:
    assert [type(p) for p in got.parts] == [type(p) for p in want.parts]
    for g, w in zip(got.parts, want.parts):
        if isinstance(w, ToolCallPart):
            assert isinstance(g, ToolCallPart)
            assert (g.tool_name, g.args_as_dict()) == (w.tool_name, w.args_as_dict())
        else:
            assert g.content == w.content  # type: ignore[union-attr]
    assert (got.usage.input_tokens, got.usage.output_tokens) == (
        want.usage.input_tokens,
        want.usage.output_tokens,
    )
    if isinstance(fake, FakeGemini):  # Gemini ends a function-calling turn with finishReason STOP
        assert got.finish_reason == "stop"
    else:
        assert got.finish_reason == want.finish_reason


@vendors
async def test_scripted_response_reads_back_the_same_as_json_and_as_stream(
    fake_class: type[FakeVendor],
) -> None:
    async with fake_class() as fake:
        model = fake.model()
        fake.add_response(RESPONSE)
        same_wire_content(await model.request(MESSAGES, None, PARAMS), RESPONSE, fake)
        fake.add_response(RESPONSE)
        async with model.request_stream(MESSAGES, None, PARAMS) as stream:
            async for _ in stream:
                pass
        same_wire_content(stream.get(), RESPONSE, fake)


@vendors
async def test_requests_are_recorded_exactly_as_the_model_built_them(fake_class: type[FakeVendor]) -> None:
    async with fake_class() as fake:
        model = fake.model()
        fake.add_text("ok")
        await model.request(MESSAGES, None, PARAMS)
    want = model.build_request(MESSAGES, None, PARAMS)
    assert fake.requests[0].json() == want.body
    assert fake.requests[0].headers["content-type"] == "application/json"


async def test_anthropic_user_style_exact_request_body() -> None:
    async with FakeAnthropic() as fake:
        fake.add_text("Paris.")
        agent = Agent(fake.model("claude-3-5-haiku-latest"), system_prompt="Answer in one word.")
        result = await agent.run("Capital of France?")
    assert result.output == "Paris."
    assert fake.requests[0].json() == {
        "model": "claude-3-5-haiku-latest",
        "max_tokens": fake.requests[0].json()["max_tokens"],
        "system": [{"type": "text", "text": "Answer in one word."}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Capital of France?"}]}],
    }
    assert fake.requests[0].headers["anthropic-version"] == "2023-06-01"


def test_sync_context_manager_and_run_sync() -> None:
    with FakeMistral() as fake:
        fake.add_text("bonjour")
        assert Agent(fake.model()).run_sync("salut").output == "bonjour"
    assert fake.requests[0].json()["messages"][-1]["content"] == "salut"


def test_pytest_fixture_hands_out_started_fakes(fake_vendor: Any) -> None:
    fake = fake_vendor("cohere")
    fake.add_text("hello from the fixture")
    assert Agent(fake.model()).run_sync("hi").output == "hello from the fixture"


def test_unknown_fake_name_is_a_clear_error(fake_vendor: Any) -> None:
    with pytest.raises(ValueError, match="known: anthropic"):
        fake_vendor("nope")


# ------------------------------------------------------------------------------------- misuse


async def test_nothing_scripted_is_a_clear_non_retried_error() -> None:
    async with FakeOpenAI() as fake:
        with pytest.raises(ModelHTTPError, match="nothing scripted") as caught:
            await Agent(fake.model()).run("hi")
    assert caught.value.status_code == 418
    assert len(fake.requests) == 1


async def test_wrong_path_gets_the_vendors_404() -> None:
    async with FakeAnthropic() as fake:
        fake.add_text("never sent")
        model = OpenAIChatModel(
            "gpt-4o", api_key="k", base_url=fake.url + "/v1"
        )  # OpenAI at Anthropic's door
        with pytest.raises(ModelHTTPError) as caught:
            await Agent(model).run("hi")
    assert caught.value.status_code == 404
    assert caught.value.body["error"]["type"] == "not_found_error"  # type: ignore[index]
    assert fake.pending == 1


async def test_raw_reply_and_vendor_error_headers() -> None:
    async with FakeBedrock() as fake:
        fake.add_error(429)
        fake.add_reply(Reply.json({"message": "quota"}, 403, {"x-amzn-errortype": "AccessDeniedException:"}))
        with pytest.raises(ModelHTTPError) as caught:
            await Agent(fake.model()).run("hi")
    assert caught.value.status_code == 403
    assert caught.value.body == {"message": "quota"}
    assert [r.url_path.rsplit("/", 1)[1] for r in fake.requests] == ["converse", "converse"]


async def test_chunk_pause_streams_events_slowly_but_identically() -> None:
    async with FakeOpenAI(chunk_pause=0.001) as fake:
        fake.add_text("paced")
        async with Agent(fake.model()).run_stream("hi") as run:
            assert await run.get_output() == "paced"


# ------------------------------------------------------------------------------------------ compaction

COMPACTIONS: dict[type[FakeVendor], tuple[CompactionPart, dict[str, Any]]] = {
    FakeAnthropic: (
        CompactionPart(
            "Steps 1-3 are done.", provider_name="anthropic", provider_details={"encrypted_content": "Eq"}
        ),
        {"type": "compaction", "content": "Steps 1-3 are done.", "encrypted_content": "Eq"},
    ),
    FakeOpenAIResponses: (
        CompactionPart(
            None, id="cmp_1", provider_name="openai", provider_details={"encrypted_content": "gAAA"}
        ),
        {"type": "compaction", "id": "cmp_1", "encrypted_content": "gAAA"},
    ),
}


@pytest.mark.parametrize("fake_class", list(COMPACTIONS), ids=lambda c: c.__name__)
async def test_a_scripted_compaction_survives_an_instrumented_streamed_run_and_goes_back(
    fake_class: type[FakeVendor],
) -> None:
    """The agent, its event stream and OpenTelemetry (which has no part type for it, so leaves it
    out) take a compaction part; the next run's request carries it as the vendor's block or item."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from wireai import InstrumentationSettings

    part, wire = COMPACTIONS[fake_class]
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    async with fake_class() as fake:
        fake.add_response(ModelResponse([part, TextPart("Step 4.")]))
        fake.add_response(ModelResponse([TextPart("Step 5.")]))
        agent = Agent(fake.model(), instrument=InstrumentationSettings(tracer_provider=tracer_provider))
        async with agent.run_stream("Continue.") as run:
            assert await run.get_output() == "Step 4."
        history = run.all_messages()
        second = await agent.run("Next?", message_history=history)
    assert history[1].parts[0] == part and history[1].text == "Step 4."
    assert second.output == "Step 5."
    sent = fake.requests[1].json()
    turns = sent["messages"][1]["content"] if fake_class is FakeAnthropic else sent["input"]
    assert wire in turns  # the block or item, as the vendor sent it
    exported = [dict(s.attributes or {}) for s in exporter.get_finished_spans()]
    outputs = [
        json.loads(str(a["gen_ai.output.messages"])) for a in exported if "gen_ai.output.messages" in a
    ]
    assert outputs[0] == [
        {"role": "assistant", "parts": [{"type": "text", "content": "Step 4."}], "finish_reason": "stop"}
    ]
