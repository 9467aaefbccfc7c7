"""Concurrency limits: queueing, the full-queue error, shared limiters, and stream slots held until closed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

import wireai
from wireai import Agent, ConcurrencyLimit, ConcurrencyLimiter, ConcurrencyLimitExceeded, UserError
from wireai._fifo import FifoSlots
from wireai.messages import ModelMessage, ModelResponse, TextPart
from wireai.models import ModelRequestParameters
from wireai.models.concurrency import ConcurrencyLimitedModel, limit_model_concurrency
from wireai.models.function import AgentInfo, FunctionModel
from wireai.testing import FakeOpenAI


class Gauge:
    """A model function that counts how many calls run at once; each waits for `release`."""

    def __init__(self) -> None:
        self.running = 0
        self.peak = 0
        self.started: list[str] = []
        self.release = asyncio.Event()

    async def respond(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        self.running += 1
        self.peak = max(self.peak, self.running)
        self.started.append(messages[0].parts[-1].content)  # type: ignore[union-attr]
        try:
            await self.release.wait()
        finally:
            self.running -= 1
        return ModelResponse([TextPart("done")])

    async def stream(self, messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            yield "first "
            await self.release.wait()
            yield "rest"
        finally:
            self.running -= 1


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


# ------------------------------------------------------------------------------------------ the limiter


async def test_limiter_runs_max_running_at_once_and_queues_the_rest_in_arrival_order() -> None:
    limiter = ConcurrencyLimiter(2)
    order: list[int] = []
    gate = asyncio.Event()

    async def job(i: int) -> None:
        await limiter.acquire(f"job:{i}")
        order.append(i)
        try:
            await gate.wait()
        finally:
            limiter.release()

    tasks = [asyncio.create_task(job(i)) for i in range(5)]
    await settle()
    assert (limiter.running_count, limiter.waiting_count, limiter.available_count) == (2, 3, 0)
    assert order == [0, 1]
    gate.set()
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3, 4]
    assert (limiter.running_count, limiter.waiting_count) == (0, 0)


async def test_a_full_queue_raises_concurrency_limit_exceeded_naming_the_limiter() -> None:
    limiter = ConcurrencyLimiter.from_limit(ConcurrencyLimit(max_running=1, max_queued=1), name="openai-pool")
    await limiter.acquire("model:a")
    waiter = asyncio.create_task(limiter.acquire("model:b"))
    await settle()
    with pytest.raises(ConcurrencyLimitExceeded) as info:
        await limiter.acquire("model:c")
    assert str(info.value) == "Concurrency queue depth (2) exceeds max_queued (1) for openai-pool"
    limiter.release()
    await waiter
    assert limiter.running_count == 1
    limiter.release()


async def test_max_queued_zero_refuses_at_once_when_busy_and_names_the_source() -> None:
    limiter = ConcurrencyLimiter(1, max_queued=0)
    await limiter.acquire("agent:first")
    with pytest.raises(ConcurrencyLimitExceeded, match=r"exceeds max_queued \(0\) for agent:second"):
        await limiter.acquire("agent:second")
    limiter.release()
    await limiter.acquire("agent:second")  # free again: no error
    limiter.release()


async def test_a_cancelled_waiter_leaves_the_queue_and_takes_no_slot() -> None:
    limiter = ConcurrencyLimiter(1)
    await limiter.acquire("a")
    waiter = asyncio.create_task(limiter.acquire("b"))
    await settle()
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    assert limiter.waiting_count == 0
    limiter.release()
    assert limiter.available_count == 1


async def test_a_slot_handed_to_a_waiter_cancelled_before_it_runs_is_passed_on_not_lost() -> None:
    slots = FifoSlots(1)
    await slots.acquire()
    second = asyncio.create_task(slots.acquire())
    await settle()
    third = asyncio.create_task(slots.acquire())
    await settle()
    slots.release()  # the slot now belongs to `second`, which has not run yet...
    second.cancel()  # ... and is cancelled before it does
    await asyncio.gather(second, return_exceptions=True)
    await asyncio.wait_for(third, 1)  # `third` got the slot instead
    assert (slots.in_use, slots.waiting) == (1, 0)
    slots.release()
    assert slots.in_use == 0


def test_a_shared_limiter_works_across_event_loops() -> None:
    # asyncio.Semaphore binds to the first loop that waits on it; a limiter at module level must not.
    limiter = ConcurrencyLimiter(1)

    async def contend() -> None:
        async def hold() -> None:
            await limiter.acquire("x")
            await asyncio.sleep(0.01)
            limiter.release()

        await asyncio.gather(hold(), hold(), hold())

    asyncio.run(contend())
    asyncio.run(contend())
    assert limiter.running_count == 0


def test_limits_are_validated_and_exported_where_pydanticai_has_them() -> None:
    with pytest.raises(UserError, match="max_running must be at least 1"):
        ConcurrencyLimiter(0)
    assert wireai.ConcurrencyLimitExceeded.__mro__[1] is wireai.AgentRunError
    from wireai.concurrency import AbstractConcurrencyLimiter, AnyConcurrencyLimit  # noqa: F401

    assert isinstance(ConcurrencyLimiter(3), AbstractConcurrencyLimiter)


async def test_waiting_shows_as_a_span_when_the_limiter_has_a_tracer() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    limiter = ConcurrencyLimiter(1, max_queued=5, name="pool", tracer=provider.get_tracer("test"))
    await limiter.acquire("model:a")
    waiter = asyncio.create_task(limiter.acquire("model:b"))
    await settle()
    limiter.release()
    await waiter
    limiter.release()
    [span] = exporter.get_finished_spans()
    assert span.name == "waiting for pool concurrency"
    assert dict(span.attributes or {}) == {
        "source": "model:b",
        "waiting_count": 1,
        "max_running": 1,
        "limiter_name": "pool",
        "max_queued": 5,
    }


# ------------------------------------------------------------------------------------------ models


async def test_limited_model_lets_max_running_requests_through_and_queues_the_rest() -> None:
    gauge = Gauge()
    model = ConcurrencyLimitedModel(FunctionModel(gauge.respond), limiter=2)
    agent = Agent(model)
    runs = [asyncio.create_task(agent.run(f"q{i}")) for i in range(5)]
    await settle()
    assert (gauge.running, model.limiter.waiting_count) == (2, 3)  # type: ignore[attr-defined]
    gauge.release.set()
    results = await asyncio.gather(*runs)
    assert [r.output for r in results] == ["done"] * 5
    assert gauge.peak == 2
    assert gauge.started == ["q0", "q1", "q2", "q3", "q4"]


async def test_one_named_limiter_shared_by_two_models_is_one_pool() -> None:
    gauge = Gauge()
    shared = ConcurrencyLimiter(max_running=2, name="account")
    a = Agent(ConcurrencyLimitedModel(FunctionModel(gauge.respond, model_name="a"), limiter=shared))
    b = Agent(limit_model_concurrency(FunctionModel(gauge.respond, model_name="b"), shared))
    runs = [asyncio.create_task(agent.run(str(i))) for i, agent in enumerate([a, b, a, b])]
    await settle()
    assert (gauge.running, shared.waiting_count) == (2, 2)
    gauge.release.set()
    await asyncio.gather(*runs)
    assert gauge.peak == 2


async def test_a_limited_model_over_a_real_socket_queues_the_third_request(fake_openai: FakeOpenAI) -> None:
    fake_openai.add_stall(0.2, then=ModelResponse([TextPart("one")]))
    fake_openai.add_stall(0.2, then=ModelResponse([TextPart("two")]))
    fake_openai.add_text("three")
    limiter = ConcurrencyLimiter(2)
    agent = Agent(ConcurrencyLimitedModel(fake_openai.model(), limiter))
    runs = [asyncio.create_task(agent.run(f"q{i}")) for i in range(3)]
    # Wait for the two admitted requests to reach the server (a fixed sleep lost the race to a GC
    # pause on a loaded machine); each is held there 0.2 s, so the third is still queued after.
    for _ in range(500):
        if len(fake_openai.requests) == 2:
            break
        await asyncio.sleep(0.002)
    assert (limiter.running_count, limiter.waiting_count, len(fake_openai.requests)) == (2, 1, 2)
    outputs = sorted(r.output for r in await asyncio.gather(*runs))
    assert outputs == ["one", "three", "two"]


@pytest.fixture
def fake_openai() -> Any:
    with FakeOpenAI() as fake:
        yield fake


def test_limit_model_concurrency_without_a_limit_returns_the_model_itself() -> None:
    model = FunctionModel(lambda m, i: ModelResponse([TextPart("x")]))
    assert limit_model_concurrency(model, None) is model
    limited = limit_model_concurrency(model, ConcurrencyLimit(3, max_queued=1))
    assert isinstance(limited, ConcurrencyLimitedModel)
    assert (limited.limiter.max_running, limited.model_name) == (3, model.model_name)  # type: ignore[attr-defined]


def test_the_same_limiter_twice_in_one_chain_is_refused_before_it_can_deadlock() -> None:
    limiter = ConcurrencyLimiter(1)
    inner = ConcurrencyLimitedModel(FunctionModel(lambda m, i: ModelResponse([TextPart("x")])), limiter)
    with pytest.raises(UserError, match="Nested ConcurrencyLimitedModel wrappers use the same limiter"):
        ConcurrencyLimitedModel(inner, limiter)
    agent = Agent(inner, max_concurrency=limiter)
    with pytest.raises(
        UserError, match="max_concurrency and its ConcurrencyLimitedModel use the same limiter"
    ):
        agent.run_sync("hi")


# ------------------------------------------------------------------------------------------ streams


def limited_stream_model(gauge: Gauge, limiter: ConcurrencyLimiter) -> ConcurrencyLimitedModel:
    return ConcurrencyLimitedModel(FunctionModel(stream_function=gauge.stream), limiter)


async def open_stream(model: ConcurrencyLimitedModel) -> Any:
    context = model.request_stream([], None, ModelRequestParameters())
    stream = await context.__aenter__()
    return context, stream


async def test_a_stream_holds_its_slot_until_it_is_closed() -> None:
    gauge = Gauge()
    limiter = ConcurrencyLimiter(1)
    model = limited_stream_model(gauge, limiter)
    context, stream = await open_stream(model)
    events = aiter(stream)
    await anext(events)  # the first delta is in; the stream stays open
    second = asyncio.create_task(open_stream(model))
    await settle()
    assert (limiter.running_count, limiter.waiting_count) == (1, 1)
    gauge.release.set()
    async for _ in events:
        pass
    assert limiter.waiting_count == 1  # consumed, but not closed: still held
    await context.__aexit__(None, None, None)
    context2, _ = await asyncio.wait_for(second, 1)
    await context2.__aexit__(None, None, None)
    assert limiter.running_count == 0


async def test_a_stream_that_fails_or_is_cancelled_gives_its_slot_back() -> None:
    gauge = Gauge()
    limiter = ConcurrencyLimiter(1)
    model = limited_stream_model(gauge, limiter)

    with pytest.raises(RuntimeError, match="consumer gave up"):
        async with model.request_stream([], None, ModelRequestParameters()) as stream:
            async for _ in stream:
                raise RuntimeError("consumer gave up")
    assert limiter.running_count == 0

    async def consume() -> None:
        async with model.request_stream([], None, ModelRequestParameters()) as stream:
            async for _ in stream:
                pass

    task = asyncio.create_task(consume())
    await settle()
    assert limiter.running_count == 1
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert limiter.running_count == 0


async def test_a_stream_closed_from_another_task_releases_its_slot() -> None:
    # PydanticAI's anyio.CapacityLimiter ties slots to the borrowing task (GHSA-6fqq-452j-qhrp):
    # a stream opened in one task and closed in another kept its slot forever.
    gauge = Gauge()
    limiter = ConcurrencyLimiter(1)
    model = limited_stream_model(gauge, limiter)
    context, stream = await asyncio.create_task(open_stream(model))
    assert limiter.running_count == 1
    gauge.release.set()
    await asyncio.create_task(context.__aexit__(None, None, None))
    assert limiter.running_count == 0
    context2, _ = await asyncio.wait_for(open_stream(model), 1)
    await context2.__aexit__(None, None, None)


# ------------------------------------------------------------------------------------------ agents


async def test_agent_max_concurrency_limits_concurrent_runs() -> None:
    gauge = Gauge()
    agent = Agent(FunctionModel(gauge.respond), max_concurrency=2, name="support")
    runs = [asyncio.create_task(agent.run(f"q{i}")) for i in range(4)]
    await settle()
    assert gauge.running == 2
    gauge.release.set()
    await asyncio.gather(*runs)
    assert gauge.peak == 2


async def test_agent_max_concurrency_with_a_full_queue_fails_the_extra_run() -> None:
    gauge = Gauge()
    agent = Agent(
        FunctionModel(gauge.respond), max_concurrency=ConcurrencyLimit(1, max_queued=0), name="support"
    )
    first = asyncio.create_task(agent.run("q0"))
    await settle()
    with pytest.raises(ConcurrencyLimitExceeded, match="for support"):
        await agent.run("q1")
    gauge.release.set()
    assert (await first).output == "done"


async def test_an_agent_stream_holds_the_agents_slot_until_the_stream_closes() -> None:
    gauge = Gauge()
    gauge.release.set()
    agent = Agent(FunctionModel(stream_function=gauge.stream), max_concurrency=1)
    limiter = agent._concurrency_limiter
    assert isinstance(limiter, ConcurrencyLimiter)
    async with agent.run_stream("hi") as result:
        assert limiter.running_count == 1
        assert await result.get_output() == "first rest"
        assert limiter.running_count == 1
    assert limiter.running_count == 0
    with pytest.raises(RuntimeError):
        async with agent.run_stream("hi"):
            raise RuntimeError("boom")
    assert limiter.running_count == 0
