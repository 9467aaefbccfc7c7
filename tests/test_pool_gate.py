"""Requests beyond the pool's connection limit wait in wireai's gate, not in httpcore's pool.

httpcore rescans every connection for every queued request each time one enters or leaves its
queue, so the gate (`transport/pool_gate.py`) lets a request into the pool only once a connection
is free for it. What must hold: httpcore never queues more requests than it has connections; a
stream keeps its slot until it is closed, and gives it back however it ends (read to the end,
closed early, cancelled, broken off, a connection refused, an error status); a wait longer than the
pool timeout is `httpx.PoolTimeout`, as httpcore's own wait would be. All over real sockets.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from wireai import Agent
from wireai._fifo import FifoSlots
from wireai.exceptions import ModelAPIError, ModelHTTPError
from wireai.testing import FakeOpenAI
from wireai.testing.server import LoopbackServer, Reply
from wireai.transport.clients import DEFAULT_LIMITS, cached_async_http_client
from wireai.transport.http import RetryPolicy, read_body, send
from wireai.transport.pool_gate import pool_slots

NO_RETRY = RetryPolicy(max_retries=0)
SLOW_STREAM = Reply(
    chunks=[b"data: one\n\n", 0.4, b"data: two\n\n"], headers={"content-type": "text/event-stream"}
)


def streams(reply: Reply = SLOW_STREAM) -> LoopbackServer:
    return LoopbackServer(lambda request: reply)


@asynccontextmanager
async def limited_client(max_connections: int, **timeouts: float) -> AsyncIterator[httpx.AsyncClient]:
    client = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=max_connections), timeout=httpx.Timeout(5.0, **timeouts)
    )
    try:
        yield client
    finally:
        await client.aclose()


def httpcore_queue(client: httpx.AsyncClient) -> int:
    """Requests httpcore's pool holds (on a connection or queued for one)."""
    pool = client._transport._pool  # type: ignore[attr-defined]
    return len(pool._requests)


async def until(condition: object, timeout: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.01)


def test_streams_past_the_connection_limit_wait_before_httpcore_and_hold_their_slot_until_closed() -> None:
    with streams() as server:

        async def main() -> None:
            async with limited_client(2) as client:
                url = server.url + "/v1/x"
                open_streams = [
                    await send(client, "POST", url, model_name="m", stream=True) for _ in range(2)
                ]
                third = asyncio.create_task(send(client, "POST", url, model_name="m", stream=True))
                await asyncio.sleep(0.2)
                assert httpcore_queue(client) == 2  # the third waits in wireai, not in httpcore's queue
                slots = pool_slots(client, httpx.URL(url))
                assert slots is not None and (slots.in_use, slots.waiting) == (2, 1)
                assert not third.done() and len(server.requests) == 2

                body = await read_body(open_streams[0], "m")  # read to the end, it hands its slot on
                assert body == b"data: one\n\ndata: two\n\n"
                response = await asyncio.wait_for(third, 3)
                assert (slots.in_use, slots.waiting) == (2, 0)
                await open_streams[1].aclose()  # closed early: its slot is freed at once
                assert slots.in_use == 1
                await response.aclose()
                assert slots.in_use == 0

        asyncio.run(main())


def test_a_stream_cancelled_mid_read_and_a_cancelled_waiter_give_their_slots_back() -> None:
    with streams() as server:

        async def main() -> None:
            async with limited_client(1) as client:
                url = server.url + "/v1/x"
                reading = asyncio.Event()

                async def read_stream() -> None:
                    response = await send(client, "POST", url, model_name="m", stream=True)
                    try:
                        async for _ in response.aiter_bytes():
                            reading.set()
                    finally:
                        await response.aclose()

                reader = asyncio.create_task(read_stream())
                await asyncio.wait_for(reading.wait(), 3)
                waiter = asyncio.create_task(send(client, "POST", url, model_name="m", stream=True))
                await asyncio.sleep(0.05)
                slots = pool_slots(client, httpx.URL(url))
                assert slots is not None and (slots.in_use, slots.waiting) == (1, 1)

                waiter.cancel()  # cancelled while queued: leaves the queue, takes no slot
                reader.cancel()  # cancelled mid-body: the stream is closed and its slot freed
                await asyncio.gather(reader, waiter, return_exceptions=True)
                assert (slots.in_use, slots.waiting) == (0, 0)
                response = await asyncio.wait_for(send(client, "POST", url, model_name="m", stream=True), 3)
                await response.aclose()
                assert slots.in_use == 0

        asyncio.run(main())


def test_a_broken_off_stream_an_error_status_and_a_refused_connection_free_their_slots() -> None:
    broken = Reply(chunks=[b"data: one\n\n"], drop=True)
    error = Reply.json({"error": {"message": "bad"}}, 400)
    replies = [broken, error]
    with LoopbackServer(lambda request: replies.pop(0)) as server:

        async def main() -> None:
            async with limited_client(1) as client:
                url = server.url + "/v1/x"
                slots = pool_slots(client, httpx.URL(url))
                assert slots is not None
                response = await send(client, "POST", url, model_name="m", stream=True)
                with pytest.raises(ModelAPIError, match="broke off"):
                    await read_body(response, "m")
                assert slots.in_use == 0
                with pytest.raises(ModelHTTPError) as info:
                    await send(client, "POST", url, model_name="m", stream=True, retry=NO_RETRY)
                assert info.value.status_code == 400 and slots.in_use == 0

        asyncio.run(main())

    async def refused() -> None:
        async with limited_client(1) as client:
            url = server.url + "/v1/x"  # the server is gone: connecting is refused
            with pytest.raises(ModelAPIError, match="Could not reach"):
                await send(client, "POST", url, model_name="m", retry=NO_RETRY)
            slots = pool_slots(client, httpx.URL(url))
            assert slots is not None and slots.in_use == 0

    asyncio.run(refused())


def test_waiting_longer_than_the_pool_timeout_is_a_pool_timeout_and_leaves_the_queue() -> None:
    with streams() as server:

        async def main() -> None:
            async with limited_client(1, pool=0.1) as client:
                url = server.url + "/v1/x"
                holder = await send(client, "POST", url, model_name="m", stream=True)
                with pytest.raises(ModelAPIError, match="PoolTimeout") as info:
                    await send(client, "POST", url, model_name="m", retry=NO_RETRY)
                assert isinstance(info.value.__cause__, httpx.PoolTimeout)
                slots = pool_slots(client, httpx.URL(url))
                assert slots is not None and (slots.in_use, slots.waiting) == (1, 0)
                await holder.aclose()
                assert slots.in_use == 0

        asyncio.run(main())


def test_an_agent_stream_abandoned_or_cancelled_gives_its_connection_to_the_next_run() -> None:
    with FakeOpenAI(chunk_pause=0.05) as fake:
        for _ in range(3):
            fake.add_text("one two three four five six")

        async def main() -> None:
            async with limited_client(1) as client:
                agent = Agent(fake.model(http_client=client))
                async with agent.run_stream("hi") as result:
                    async for _ in result.stream_text(delta=True):
                        break  # abandoned after the first delta
                slots = pool_slots(client, httpx.URL(fake.url))
                assert slots is not None and slots.in_use == 0

                started = asyncio.Event()

                async def cancelled_run() -> None:
                    async with agent.run_stream("hi") as result:
                        async for _ in result.stream_text(delta=True):
                            started.set()

                task = asyncio.create_task(cancelled_run())
                await asyncio.wait_for(started.wait(), 3)
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                assert slots.in_use == 0
                result = await asyncio.wait_for(agent.run("hi"), 5)
                assert result.output == "one two three four five six"

        asyncio.run(main())


def test_slots_follow_the_clients_own_limits_and_ungated_pools_pass_through() -> None:
    async def main() -> None:
        url = httpx.URL("https://api.example.com/v1/x")
        shared = pool_slots(cached_async_http_client(), url)
        assert shared is not None and shared.total == DEFAULT_LIMITS.max_connections
        async with limited_client(7) as client:
            own = pool_slots(client, url)
            assert own is not None and own.total == 7
            assert pool_slots(client, url) is own  # one set of slots per pool
        unlimited = httpx.AsyncClient(limits=httpx.Limits(max_connections=None))
        mocked = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(200)))
        http2 = httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(http2=True)) if _has_h2() else None
        for client in (unlimited, mocked, http2):
            if client is not None:
                assert pool_slots(client, url) is None
                await client.aclose()

    asyncio.run(main())


def _has_h2() -> bool:
    try:
        import h2  # noqa: F401
    except ImportError:
        return False
    return True


def test_fifo_slots_timeout_leaves_the_queue_and_a_release_skips_the_expired_waiter() -> None:
    async def main() -> None:
        slots = FifoSlots(1)
        await slots.acquire()
        with pytest.raises(TimeoutError):
            await slots.acquire(timeout=0.01)
        assert (slots.in_use, slots.waiting) == (1, 0)

        # A release between the timer firing and the timed-out task resuming must not hand the slot
        # to the dead waiter: block the loop past the timeout, so the timer and the release run in
        # the same loop iteration, before the timed-out task wakes.
        late = asyncio.create_task(slots.acquire(timeout=0.02))
        await asyncio.sleep(0)  # queued, timer armed
        next_in_line = asyncio.create_task(slots.acquire())
        await asyncio.sleep(0)
        time.sleep(0.05)
        asyncio.get_running_loop().call_later(0, slots.release)
        with pytest.raises(TimeoutError):
            await late
        await asyncio.wait_for(next_in_line, 1)
        assert (slots.in_use, slots.waiting) == (1, 0)
        slots.release()
        assert slots.in_use == 0

    asyncio.run(main())


if sys.version_info < (3, 11):  # pragma: no cover - asyncio.TimeoutError is TimeoutError from 3.11
    pytestmark = pytest.mark.skip("FifoSlots raises the builtin TimeoutError")


def test_constructing_an_agent_loads_no_httpcore() -> None:
    # The gate needs httpcore's pool class only once a transport exists; importing it with the
    # transport module loaded httpcore (and trio, where installed) at `Agent(...)`: import +
    # construct went from about 270 to 365 ms on this loaded machine with trio installed.
    import subprocess

    code = (
        "import sys; from wireai import Agent; Agent('openai:gpt-4o');"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpcore', 'trio', 'anyio', 'h11'}))"
    )
    env = {"OPENAI_API_KEY": "sk-test", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "[]"
