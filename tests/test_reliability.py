"""Reliability over real sockets: timeouts, stalls, retries, cancellation, concurrency, bad output, secrets.

Servers here misbehave on purpose. Every failure must be a typed error with a useful message,
never a hang, a leaked socket, or someone else's answer.
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import json
import time
import warnings
from typing import Any

import anyio
import httpx
import pytest

from wireai import Agent, ModelHTTPError, UnexpectedModelBehavior, UserError
from wireai.exceptions import ModelAPIError
from wireai.messages import BinaryContent, ModelMessagesTypeAdapter
from wireai.models.anthropic import AnthropicModel
from wireai.models.openai import OpenAIModel
from wireai.testing.server import LoopbackServer, RecordedRequest, Reply
from wireai.transport.http import RetryPolicy, send

SECRET = "sk-very-secret-key-123"


def chat_completion(text: str, model: str = "gpt-4o") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
    }


def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def openai(server: LoopbackServer, retries: int | None = None) -> OpenAIModel:
    model = OpenAIModel("gpt-4o", api_key=SECRET, base_url=server.url + "/v1")
    if retries is not None:
        model.provider.max_retries = retries
    return model


SSE = {"content-type": "text/event-stream"}


# ------------------------------------------------------------------------------------------ timeouts


def test_request_timeout_from_model_settings() -> None:
    late = Reply(
        200, {"content-type": "application/json"}, json.dumps(chat_completion("late")).encode(), delay=1.5
    )
    with LoopbackServer(lambda r: late) as server:
        agent = Agent(openai(server, retries=0))
        start = time.monotonic()
        with pytest.raises(ModelAPIError, match="timed out"):
            agent.run_sync("hi", model_settings={"timeout": 0.3})
        assert time.monotonic() - start < 1.4


def test_timeout_as_httpx_timeout_and_from_the_models_own_settings() -> None:
    late = Reply(
        200, {"content-type": "application/json"}, json.dumps(chat_completion("late")).encode(), delay=1.5
    )
    with LoopbackServer(lambda r: late) as server:
        with pytest.raises(ModelAPIError, match=r"timed out \(ReadTimeout\)"):
            Agent(openai(server, retries=0)).run_sync(
                "hi", model_settings={"timeout": httpx.Timeout(10, read=0.3)}
            )
        own = OpenAIModel("gpt-4o", api_key=SECRET, base_url=server.url + "/v1", settings={"timeout": 0.3})
        own.provider.max_retries = 0
        with pytest.raises(ModelAPIError, match="timed out"):
            Agent(own).run_sync("hi")
        assert len(server.requests) == 2  # a timed-out request is not retried


async def test_stalled_stream_ends_with_a_clear_error() -> None:
    stall = Reply(
        200,
        SSE,
        chunks=[chunk({"role": "assistant", "content": "Hel"}), 5.0, chunk({"content": "lo"}, "stop")],
    )
    with LoopbackServer(lambda r: stall) as server:
        agent = Agent(openai(server))
        start = time.monotonic()
        with pytest.raises(ModelAPIError, match="stalled"):
            async with agent.run_stream("hi", model_settings={"timeout": 0.3}) as result:
                async for _ in result.stream_text(delta=True, debounce_by=None):
                    pass
        assert time.monotonic() - start < 3


# ------------------------------------------------------------------------------------------ retries


def scripted(replies: list[Reply]) -> LoopbackServer:
    return LoopbackServer(lambda r: replies.pop(0))


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503])
def test_retryable_statuses_are_retried(status: int) -> None:
    with scripted(
        [
            Reply.json({"error": {"message": "x"}}, status, {"retry-after": "0"}),
            Reply.json(chat_completion("ok")),
        ]
    ) as server:
        assert Agent(openai(server)).run_sync("hi").output == "ok"
        assert len(server.requests) == 2


def test_anthropic_529_overloaded_is_retried_after_retry_after() -> None:
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    ok = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-3-5-sonnet-latest",
        "content": [{"type": "text", "text": "ok"}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 3, "output_tokens": 1},
    }
    with scripted([Reply.json(overloaded, 529, {"retry-after": "0.1"}), Reply.json(ok)]) as server:
        model = AnthropicModel("claude-3-5-sonnet-latest", api_key=SECRET, base_url=server.url)
        assert Agent(model).run_sync("hi").output == "ok"
        assert len(server.requests) == 2


def test_4xx_other_than_408_409_429_is_not_retried_and_max_retries_zero_disables() -> None:
    with scripted([Reply.json({"error": {"message": "bad"}}, 400)] * 3) as server:
        with pytest.raises(ModelHTTPError) as info:
            Agent(openai(server)).run_sync("hi")
        assert info.value.status_code == 400 and len(server.requests) == 1
    with scripted([Reply.json({"error": {"message": "busy"}}, 503)] * 3) as server:
        with pytest.raises(ModelHTTPError):
            Agent(openai(server, retries=0)).run_sync("hi")
        assert len(server.requests) == 1


def test_connect_errors_are_retried_then_surface_naming_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    calls: list[httpx.Request] = []

    def refuse_twice(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) <= 2:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"ok": True})

    async def call(policy: RetryPolicy) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.MockTransport(refuse_twice)) as client:
            return await send(client, "POST", "http://vendor.test/v1/x", model_name="m", retry=policy)

    assert asyncio.run(call(RetryPolicy())).json() == {"ok": True}
    assert len(calls) == 3 and len(slept) == 2
    calls.clear()
    with pytest.raises(ModelAPIError, match=r"Could not reach http://vendor.test/v1/x: ConnectError"):
        asyncio.run(call(RetryPolicy(max_retries=1)))
    assert len(calls) == 2


def test_total_retry_wait_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    busy = httpx.MockTransport(lambda request: httpx.Response(503, headers={"retry-after": "4"}, json={}))

    async def call() -> None:
        async with httpx.AsyncClient(transport=busy) as client:
            policy = RetryPolicy(max_retries=100, max_total_wait=10)
            await send(client, "POST", "http://vendor.test/v1/x", model_name="m", retry=policy)

    with pytest.raises(ModelHTTPError) as info:
        asyncio.run(call())
    assert info.value.status_code == 503
    assert slept == [4.0, 4.0]  # a third wait would pass the 10 s cap: the error surfaces instead


def test_a_stream_is_never_retried_after_it_started() -> None:
    dropped = Reply(200, SSE, chunks=[chunk({"role": "assistant", "content": "partial"})], drop=True)
    with scripted([dropped, Reply(200, SSE, chunks=[chunk({"content": "x"}, "stop")])]) as server:

        async def main() -> None:
            async with Agent(openai(server)).run_stream("hi") as result:
                async for _ in result.stream_text(delta=True, debounce_by=None):
                    pass

        with pytest.raises((ModelAPIError, UnexpectedModelBehavior)):
            asyncio.run(main())
        assert len(server.requests) == 1


# ------------------------------------------------------------------------------------------ cancellation


def long_stream() -> Reply:
    chunks: list[bytes | float] = [chunk({"role": "assistant", "content": "a"})]
    for _ in range(50):
        chunks += [0.01, chunk({"content": "b"})]
    chunks.append(chunk({}, "stop"))
    return Reply(200, SSE, chunks=chunks)


async def test_100_cancelled_streams_leak_no_sockets_and_no_warnings() -> None:
    with LoopbackServer(lambda r: long_stream()) as server:
        agent = Agent(openai(server))

        async def consume_one(mode: int) -> None:
            async with agent.run_stream("hi") as result:
                async for _ in result.stream_text(delta=True, debounce_by=None):
                    if mode == 1:
                        raise RuntimeError("user code failed while streaming")
                    if mode == 2:
                        break  # closing run_stream early

        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)
            for i in range(100):
                mode = i % 4
                if mode == 0:
                    task = asyncio.create_task(consume_one(0))
                    await asyncio.sleep(0.02)
                    task.cancel()
                    with pytest.raises(asyncio.CancelledError):
                        await task
                elif mode == 3:
                    with anyio.move_on_after(0.02) as scope:  # an anyio cancel scope
                        await consume_one(0)
                    assert scope.cancelled_caught
                else:
                    with pytest.raises(RuntimeError) if mode == 1 else _nothing():
                        await consume_one(mode)
            gc.collect()
        # Every response was closed, so its socket was closed (a half-read body cannot go back to
        # the pool): the server sees all 100 connections end. Poll, since it notices asynchronously.
        for _ in range(250):
            if server.open_connections == 0:
                break
            await asyncio.sleep(0.02)
        assert (server.open_connections, server.total_connections) == (0, 100)
        server.handler = lambda r: Reply.json(chat_completion("still fine"))
        assert (await agent.run("hi")).output == "still fine"


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# ------------------------------------------------------------------------------------------ concurrency


async def test_200_concurrent_runs_get_their_own_answers_on_a_bounded_pool() -> None:
    async def echo(request: RecordedRequest) -> Reply:
        prompt = request.json()["messages"][-1]["content"]
        await asyncio.sleep(0.01)
        if request.json().get("stream"):
            return Reply(
                200,
                SSE,
                chunks=[chunk({"role": "assistant", "content": "echo:"}), chunk({"content": prompt}, "stop")],
            )
        return Reply.json(chat_completion(f"echo:{prompt}"))

    with LoopbackServer(echo) as server:
        agent = Agent(openai(server))

        async def streamed(i: int) -> str:
            async with agent.run_stream(f"p{i}") as result:
                return await result.get_output()

        outputs = await asyncio.gather(
            *[agent.run(f"p{i}") for i in range(100)], *[streamed(i) for i in range(100, 200)]
        )
    assert [o if isinstance(o, str) else o.output for o in outputs] == [f"echo:p{i}" for i in range(200)]
    assert server.max_open_connections <= 100  # the pool's max_connections


# ------------------------------------------------------------------------------------------ bad vendor output


@pytest.mark.parametrize(
    ("reply", "error", "snippet"),
    [
        (
            Reply(200, {"content-type": "application/json"}, b"not json at all"),
            UnexpectedModelBehavior,
            "not json",
        ),
        (
            Reply(200, {"content-type": "text/html"}, b"<html>proxy login</html>"),
            UnexpectedModelBehavior,
            "<html>",
        ),
        (
            Reply(200, {"content-type": "application/json"}, b'{"id": "x", "choices": [{"mess'),
            UnexpectedModelBehavior,
            "mess",
        ),
        (Reply(200, {"content-type": "application/json"}, b"\xff\xfe\xfa"), UnexpectedModelBehavior, ""),
        (
            Reply(502, {"content-type": "text/html"}, b"<html>Bad Gateway</html>"),
            ModelHTTPError,
            "Bad Gateway",
        ),
        (Reply.json({"unexpected": "shape"}), UnexpectedModelBehavior, "unexpected"),
    ],
)
def test_bad_json_bodies_are_typed_errors_with_a_snippet(
    reply: Reply, error: type[Exception], snippet: str
) -> None:
    with LoopbackServer(lambda r: reply) as server:
        with pytest.raises(error) as info:
            Agent(openai(server, retries=0)).run_sync("hi")
    assert snippet in str(info.value)


def test_gzip_body_unknown_fields_and_wrong_content_type_are_tolerated() -> None:
    body = chat_completion("zipped")
    body["brand_new_field"] = {"x": 1}
    body["choices"][0]["message"]["another_new"] = True
    raw = gzip.compress(json.dumps(body).encode())
    with LoopbackServer(
        lambda r: Reply(200, {"content-type": "text/plain", "content-encoding": "gzip"}, raw)
    ) as server:
        assert Agent(openai(server)).run_sync("hi").output == "zipped"


@pytest.mark.parametrize(
    ("chunks", "message"),
    [
        ([chunk({"role": "assistant", "content": "cut"}), b'data: {"id": "x", "choi'], "middle of a line"),
        ([chunk({"role": "assistant", "content": "no end"})], "without a finish_reason"),
        ([b"data: {not json}\n\n"], "{not json}"),
    ],
)
async def test_truncated_or_garbled_streams_are_typed_errors(chunks: list[bytes], message: str) -> None:
    with LoopbackServer(lambda r: Reply(200, SSE, chunks=list(chunks))) as server:
        with pytest.raises(UnexpectedModelBehavior, match=message.replace("{", r"\{").replace("}", r"\}")):
            async with Agent(openai(server)).run_stream("hi") as result:
                await result.get_output()


async def test_unknown_events_in_a_stream_are_skipped() -> None:
    chunks = [
        b": keep-alive comment\n\n",
        b'event: brand_new_event\ndata: {"whatever": 1}\n\n',
        chunk({"role": "assistant", "content": "fine"}, None),
        chunk({}, "stop"),
        b"data: [DONE]\n\n",
    ]
    with LoopbackServer(lambda r: Reply(200, SSE, chunks=chunks)) as server:
        async with Agent(openai(server)).run_stream("hi") as result:
            assert await result.get_output() == "fine"


# ------------------------------------------------------------------------------------------ bad user input


def test_bad_user_input_fails_before_any_request() -> None:
    with LoopbackServer(lambda r: Reply.json(chat_completion("x"))) as server:
        anthropic = AnthropicModel("claude-3-5-sonnet-latest", api_key=SECRET, base_url=server.url)
        with pytest.raises(UserError, match="Anthropic does not accept"):
            Agent(anthropic).run_sync(["describe", BinaryContent(b"\x00", media_type="video/mp4")])
        with pytest.raises(UserError, match="Cannot build a JSON schema"):
            Agent(openai(server), output_type=object()).run_sync("hi")
        assert server.requests == []


def test_missing_key_names_the_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(UserError, match="ANTHROPIC_API_KEY"):
        Agent("anthropic:claude-3-5-sonnet-latest")
    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        Agent("openai:gpt-4o")


# ------------------------------------------------------------------------------------------ secrets


def test_keys_never_appear_in_errors_reprs_or_history() -> None:
    body = {
        "error": {
            "message": "Incorrect API key provided",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }
    }
    with LoopbackServer(lambda r: Reply.json(body, 401)) as server:
        model = openai(server)
        with pytest.raises(ModelHTTPError) as info:
            Agent(model).run_sync("hi")
        assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    texts = [str(info.value), repr(info.value), repr(model), repr(model.provider), repr(Agent(model))]
    anthropic = AnthropicModel("claude-3-5-sonnet-latest", api_key=SECRET, base_url="http://127.0.0.1:1")
    texts += [repr(anthropic), repr(anthropic.provider)]
    assert not [t for t in texts if SECRET in t]
    with LoopbackServer(lambda r: Reply.json(chat_completion("ok"))) as server:
        result = Agent(openai(server)).run_sync("hi")
    assert SECRET.encode() not in result.all_messages_json()
    assert SECRET.encode() not in ModelMessagesTypeAdapter.dump_json(result.all_messages())
