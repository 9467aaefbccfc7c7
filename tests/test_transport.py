"""The shared transport: retries with Retry-After over a real socket, error mapping, one client per loop."""

from __future__ import annotations

import asyncio
import pickle
import time
from typing import Any

import httpx
import pytest

from wireai.exceptions import ModelAPIError, ModelHTTPError
from wireai.testing.server import LoopbackServer, Reply
from wireai.transport.http import RetryPolicy, cached_async_http_client, send


def run_send(url: str, **kwargs: Any) -> httpx.Response:
    """`send` on the running loop's shared client (made inside the loop, closed when asyncio.run ends)."""

    async def main() -> httpx.Response:
        return await send(cached_async_http_client(), "POST", url, **kwargs)

    return asyncio.run(main())


def scripted(*replies: Reply) -> LoopbackServer:
    queue = list(replies)
    return LoopbackServer(lambda request: queue.pop(0))


def test_429_with_retry_after_then_200_is_retried_after_the_asked_delay() -> None:
    with scripted(
        Reply.json({"error": {"message": "slow down"}}, 429, {"retry-after": "0.3"}),
        Reply.json({"ok": True}),
    ) as server:

        async def main() -> tuple[httpx.Response, float]:
            start = time.monotonic()
            response = await send(
                cached_async_http_client(), "POST", server.url + "/v1/x", model_name="m", content=b"{}"
            )
            return response, time.monotonic() - start

        response, elapsed = asyncio.run(main())
    assert response.json() == {"ok": True}
    assert len(server.requests) == 2
    assert elapsed >= 0.3


def test_retry_after_ms_wins_and_x_should_retry_false_stops() -> None:
    policy = RetryPolicy()
    assert policy.delay(1, httpx.Headers({"retry-after-ms": "250", "retry-after": "9"})) == 0.25
    assert policy.should_retry_status(503, httpx.Headers({"x-should-retry": "false"})) is False
    assert policy.delay(1, httpx.Headers({"retry-after": "3600"})) is None  # a quota, not a blip
    assert policy.delay(3, None) is None  # past max_retries


def test_non_2xx_becomes_model_http_error_with_parsed_body_and_headers() -> None:
    body = {
        "error": {"message": "Incorrect API key", "type": "invalid_request_error", "code": "invalid_api_key"}
    }
    with scripted(Reply.json(body, 401, {"x-request-id": "req_1"})) as server:
        with pytest.raises(ModelHTTPError) as info:
            run_send(server.url, model_name="gpt-4o", content=b"{}")
    err = info.value
    assert (err.status_code, err.model_name, err.body) == (401, "gpt-4o", body)
    assert err.headers["x-request-id"] == "req_1"
    assert str(err).startswith("status_code: 401, model_name: gpt-4o, body: {")


def test_html_error_page_from_a_proxy_is_kept_as_text() -> None:
    with scripted(
        Reply(502, {"content-type": "text/html"}, b"<html>Bad gateway</html>"), *[Reply(502)] * 3
    ) as server:
        with pytest.raises(ModelHTTPError) as info:
            run_send(server.url, model_name="m", retry=RetryPolicy(max_retries=0))
    assert info.value.body == "<html>Bad gateway</html>"


def test_connection_refused_is_a_model_api_error_naming_the_host() -> None:
    with pytest.raises(ModelAPIError, match="Could not reach http://127.0.0.1:9/"):
        run_send("http://127.0.0.1:9/v1?key=secret", model_name="m", retry=RetryPolicy(max_retries=0))


def test_cached_client_is_per_event_loop_so_repeated_asyncio_run_works() -> None:
    with scripted(*[Reply.json({"n": i}) for i in range(3)]) as server:
        clients = []
        for i in range(3):

            async def main() -> object:
                client = cached_async_http_client()
                clients.append(client)
                assert cached_async_http_client() is client
                return (await send(client, "POST", server.url, model_name="m")).json()

            assert asyncio.run(main()) == {"n": i}
    assert len({id(c) for c in clients}) == 3


def test_each_asyncio_run_closes_its_pooled_connections_at_shutdown() -> None:
    # A serverless handler calling asyncio.run per invocation must not leave sockets behind.
    with scripted(*[Reply.json({"n": i}) for i in range(5)]) as server:
        for _ in range(5):

            async def main() -> None:
                await send(cached_async_http_client(), "POST", server.url, model_name="m")

            asyncio.run(main())
            deadline = time.monotonic() + 2
            while server.open_connections and time.monotonic() < deadline:
                time.sleep(0.01)
            assert server.open_connections == 0
        assert server.total_connections == 5


@pytest.mark.parametrize("status", [501, 505])
def test_501_not_implemented_and_505_version_not_supported_are_final(status: int) -> None:
    with scripted(*[Reply.json({"error": {"message": "no"}}, status, {"retry-after": "0"})] * 3) as server:
        with pytest.raises(ModelHTTPError) as info:
            run_send(server.url, model_name="m")
    assert len(server.requests) == 1
    assert (info.value.status_code, info.value.attempts) == (status, 1)
    assert "attempts" not in str(info.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 520, 529])
def test_other_5xx_are_retried(status: int) -> None:
    assert RetryPolicy().should_retry_status(status)


def test_x_should_retry_true_retries_even_a_400_and_false_stops_a_503() -> None:
    with scripted(
        Reply.json({"error": {"message": "lock"}}, 400, {"x-should-retry": "true", "retry-after": "0"}),
        Reply.json({"ok": True}),
    ) as server:
        assert run_send(server.url, model_name="m").json() == {"ok": True}
    assert len(server.requests) == 2
    with scripted(
        *[Reply.json({"error": {"message": "down"}}, 503, {"x-should-retry": "false"})] * 3
    ) as server:
        with pytest.raises(ModelHTTPError) as info:
            run_send(server.url, model_name="m")
    assert len(server.requests) == 1 and info.value.attempts == 1


def test_the_final_http_error_says_how_many_attempts_were_made() -> None:
    with scripted(*[Reply.json({"error": {"message": "busy"}}, 503, {"retry-after": "0"})] * 3) as server:
        with pytest.raises(ModelHTTPError) as info:
            run_send(server.url, model_name="gpt-4o")
    err = info.value
    assert len(server.requests) == 3
    assert err.attempts == 3
    assert str(err) == (
        "status_code: 503, model_name: gpt-4o, body: {'error': {'message': 'busy'}} (after 3 attempts)"
    )
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.status_code, copy.attempts, str(copy), copy.headers) == (503, 3, str(err), err.headers)


def test_a_connection_failure_says_how_many_attempts_were_made() -> None:
    with pytest.raises(ModelAPIError) as info:
        run_send("http://127.0.0.1:9/v1", model_name="m", retry=RetryPolicy(initial_backoff=0.01))
    err = info.value
    assert err.attempts == 3
    assert str(err).startswith("Could not reach http://127.0.0.1:9/v1: ConnectError(")
    assert str(err).endswith(" (after 3 attempts)")
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.model_name, copy.attempts, str(copy)) == ("m", 3, str(err))


@pytest.mark.parametrize("header", ["retry-after", "retry-after-ms"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_retry_after_that_is_not_a_finite_number_is_ignored(header: str, value: str) -> None:
    from wireai.exceptions import parse_retry_after

    assert parse_retry_after({header: value}) is None
