"""Event loops, clients and sockets do not pile up: per `asyncio.run`, per thread, after a fork, under trio.

A serverless handler calls `asyncio.run` per invocation; a thread pool calls `run_sync` from
threads that come and go; a pre-fork server calls `run_sync` before forking its workers. Each of
these must leave the process as it found it. Everything runs against a loopback fake vendor, so
real sockets are opened and must be closed.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
import warnings
import weakref
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from wireai import Agent, UserError
from wireai._sync import run_sync
from wireai.testing import FakeOpenAI
from wireai.transport import clients
from wireai.transport.http import cached_async_http_client


def live_loops() -> int:
    gc.collect()
    return sum(isinstance(o, asyncio.AbstractEventLoop) for o in gc.get_objects())


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def footprint() -> tuple[int, int, int]:
    return live_loops(), open_fds(), rss_kb()


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def assert_flat(before: tuple[int, int, int], after: tuple[int, int, int], what: str) -> None:
    numbers = f"{what}: loops/fds/RSS before {before}, after {after}"
    loops, fds, rss = after
    assert loops <= before[0] + 2, numbers
    assert fds <= before[1] + 2, numbers
    assert rss - before[2] < 4 * 1024, numbers  # leaked loops and clients cost ~60 KB each


@pytest.fixture
def fake() -> Any:
    with FakeOpenAI() as fake:
        yield fake


def test_300_sequential_asyncio_runs_leave_no_loops_fds_or_memory_behind(fake: FakeOpenAI) -> None:
    agent = Agent(fake.model())
    for _ in range(320):
        fake.add_text("ok")
    for _ in range(20):  # warm up allocator and imports
        asyncio.run(agent.run("hi"))
    before = footprint()
    for _ in range(300):
        assert asyncio.run(agent.run("hi")).output == "ok"
        fake.requests.clear()  # the fake's own recording is not what is measured
    wait_until(lambda: fake.server.open_connections == 0)
    assert_flat(before, footprint(), "300 x asyncio.run(agent.run(...))")
    assert fake.server.open_connections == 0


def test_50_threads_each_calling_run_sync_once_leave_no_loops_fds_or_memory_behind(fake: FakeOpenAI) -> None:
    agent = Agent(fake.model())
    for _ in range(60):
        fake.add_text("ok")

    def threads(n: int) -> None:
        outputs: list[str] = []
        started = [
            threading.Thread(target=lambda: outputs.append(agent.run_sync("hi").output)) for _ in range(n)
        ]
        for thread in started:
            thread.start()
        for thread in started:
            thread.join()
        assert outputs == ["ok"] * n

    base = live_loops()
    threads(5)  # warm up (the loop-closer thread starts with the first thread loop)
    wait_until(lambda: live_loops() <= base)
    before = footprint()
    threads(50)
    wait_until(lambda: live_loops() <= before[0] and fake.server.open_connections == 0)
    assert_flat(before, footprint(), "50 threads x run_sync")
    assert fake.server.open_connections == 0


def test_run_sync_loop_and_its_client_are_closed_when_the_thread_ends(fake: FakeOpenAI) -> None:
    fake.add_text("ok")
    seen: list[tuple[asyncio.AbstractEventLoop, httpx.AsyncClient]] = []

    async def main() -> None:
        seen.append((asyncio.get_running_loop(), cached_async_http_client()))
        await Agent(fake.model()).run("hi")

    thread = threading.Thread(target=lambda: run_sync(main()))
    thread.start()
    thread.join()
    loop, client = seen[0]
    wait_until(lambda: loop.is_closed())
    assert loop.is_closed() and client.is_closed
    assert loop not in clients._loops
    wait_until(lambda: fake.server.open_connections == 0)
    assert fake.server.open_connections == 0


def test_run_sync_keeps_one_loop_and_its_pooled_connection_per_thread(fake: FakeOpenAI) -> None:
    agent = Agent(fake.model())
    for _ in range(3):
        fake.add_text("ok")

    def three_runs() -> None:
        for _ in range(3):
            agent.run_sync("hi")

    thread = threading.Thread(target=three_runs)
    thread.start()
    thread.join()
    assert fake.server.total_connections == 1  # the thread's loop lived across its calls


async def test_a_shared_client_someone_closed_is_replaced_not_reused(fake: FakeOpenAI) -> None:
    fake.add_text("first")
    fake.add_text("second")
    agent = Agent(fake.model())
    first = cached_async_http_client()
    assert (await agent.run("hi")).output == "first"
    await first.aclose()
    replacement = cached_async_http_client()
    assert replacement is not first and not replacement.is_closed
    assert (await agent.run("hi")).output == "second"
    assert cached_async_http_client() is replacement


def test_a_loop_closed_without_shutting_down_is_forgotten(fake: FakeOpenAI) -> None:
    fake.add_text("ok")
    fake.add_text("ok")
    agent = Agent(fake.model())
    loop = asyncio.new_event_loop()
    loop.run_until_complete(agent.run("hi"))
    loop.close()  # no shutdown_asyncgens: the closer never ran
    gone = weakref.ref(loop)
    del loop
    asyncio.run(agent.run("hi"))  # a new loop's first client sweeps closed loops out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # its socket is closed by the collector
        gc.collect()
    assert gone() is None


def test_a_forked_child_gets_its_own_loop_client_and_sockets_and_the_parent_keeps_working(
    fake: FakeOpenAI,
) -> None:
    agent = Agent(fake.model())
    for _ in range(4):
        fake.add_text("ok")
    parent: list[object] = []

    async def remember() -> None:
        parent.extend((asyncio.get_running_loop(), cached_async_http_client()))

    assert agent.run_sync("hi").output == "ok"  # the parent's thread loop now pools a connection
    run_sync(remember())
    connections = fake.server.total_connections
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "multi-threaded, fork() may deadlock"
        pid = os.fork()
    if pid == 0:  # the child: report, then leave without running the parent's cleanup
        status = 1
        try:
            mine: list[object] = []

            async def child_state() -> None:
                mine.extend((asyncio.get_running_loop(), cached_async_http_client()))

            run_sync(child_state())
            fresh = mine[0] is not parent[0] and mine[1] is not parent[1]
            ok = agent.run_sync("hi").output == "ok" and asyncio.run(agent.run("hi")).output == "ok"
            os.write(write_end, b"fresh" if fresh and ok else b"reused")
            status = 0
        except BaseException as exc:
            os.write(write_end, repr(exc).encode()[:500])
        finally:
            os._exit(status)
    os.close(write_end)
    deadline = time.monotonic() + 10
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung")
        time.sleep(0.01)
    report = os.read(read_end, 1000)
    os.close(read_end)
    assert report == b"fresh"
    assert fake.server.total_connections > connections  # the child opened sockets of its own
    assert agent.run_sync("hi").output == "ok"  # and the parent still works


def test_under_trio_a_run_is_a_user_error_saying_asyncio_is_required(fake: FakeOpenAI) -> None:
    import trio

    fake.add_text("never sent")
    own_client = fake.model(http_client=httpx.AsyncClient())
    for model in (fake.model(), own_client):

        async def main() -> None:
            await Agent(model).run("hi")  # noqa: B023 - awaited within this iteration

        with pytest.raises(UserError, match=r"wireai runs on asyncio, not trio"):
            trio.run(main)
    assert fake.requests == []  # no client was built and used per request


def test_vertex_token_locks_are_per_loop_and_leave_with_their_loop() -> None:
    from wireai.transport.google_auth import GoogleAuth

    auth = GoogleAuth()  # long-lived, like the provider holding it
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def contended_refresh() -> None:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        lock = auth._lock()
        assert auth._lock() is lock

        async def hold() -> None:
            async with lock:  # a waiter binds the lock to this loop
                await asyncio.sleep(0.01)

        await asyncio.gather(hold(), hold())

    for _ in range(5):
        asyncio.run(contended_refresh())
    gc.collect()
    assert [ref() for ref in loops] == [None] * 5


def test_100_run_stream_sync_calls_leave_no_loops_threads_fds_or_memory_behind(fake: FakeOpenAI) -> None:
    agent = Agent(fake.model())

    def stream(n: int) -> None:
        for i in range(n):
            fake.add_text("one two three")
            if i % 2:
                with agent.run_stream_sync("hi") as result:
                    assert "".join(result.stream_text(delta=True)) == "one two three"
            else:  # no block: reading the output to its end ends the run
                assert agent.run_stream_sync("hi").get_output() == "one two three"

    stream(5)  # warm up: this thread's loop and its client
    threads = threading.active_count()
    before = footprint()
    stream(100)
    after = footprint()
    assert_flat(before, after, "100 x run_stream_sync")
    assert threading.active_count() == threads
    assert fake.server.open_connections <= 1  # this thread's pooled connection, kept for the next run


async def test_run_stream_sync_inside_a_running_loop_leaves_no_worker_threads_or_loops_behind(
    fake: FakeOpenAI,
) -> None:
    agent = Agent(fake.model())
    for _ in range(25):
        fake.add_text("ok")
    assert agent.run_stream_sync("warm up").get_output() == "ok"
    await asyncio.sleep(0)
    base_loops, base_threads = live_loops(), threading.active_count()
    for _ in range(20):
        with agent.run_stream_sync("hi") as result:
            assert list(result.stream_text(delta=True)) == ["ok"]
    del result  # a result kept alive keeps its response (and the stream objects of its loop)
    # Each portal's worker thread ended with it; the loop-closer thread shut their loops down.
    wait_until(lambda: live_loops() <= base_loops and fake.server.open_connections == 0)
    assert threading.active_count() == base_threads
    assert live_loops() <= base_loops and fake.server.open_connections == 0
