"""Rate-limit pacing: the vendors' header formats, and concurrent runs against a budget with no 429s."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wireai import Agent, ModelHTTPError, Pacing
from wireai.models.anthropic import AnthropicModel
from wireai.models.openai import OpenAIChatModel
from wireai.providers.anthropic import AnthropicProvider
from wireai.providers.azure import AzureProvider
from wireai.providers.deepseek import DeepSeekProvider
from wireai.providers.groq import GroqProvider
from wireai.providers.openai import OpenAIProvider
from wireai.providers.openrouter import OpenRouterProvider
from wireai.testing import FakeOpenAI, RateLimitedAnthropic, RateLimitedOpenAI
from wireai.transport.pacing import RateLimitWindow, parse_duration, parse_rate_limit_headers

# ------------------------------------------------------------------------------------------ header formats


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("6m0s", 360.0),  # OpenAI's examples
        ("1s", 1.0),
        ("20ms", 0.02),
        ("2m59.56s", 179.56),  # Groq's
        ("7.66s", 7.66),
        ("1h2m3.5s", 3723.5),
        ("250us", 0.00025),
        ("0.5", 0.5),  # a bare number of seconds (some compatible hosts, Azure)
        ("12", 12.0),
    ],
)
def test_openai_style_reset_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "1x", "s", "5m 3s", "-", "1s2"])
def test_unreadable_durations_are_none(text: str) -> None:
    assert parse_duration(text) is None


@given(
    st.lists(st.tuples(st.integers(0, 999), st.sampled_from(["h", "m", "s", "ms"])), min_size=1, max_size=4)
)
def test_any_composed_duration_reads_back_as_its_sum(pieces: list[tuple[int, str]]) -> None:
    unit = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    text = "".join(f"{n}{u}" for n, u in pieces)
    assert parse_duration(text) == pytest.approx(sum(n * unit[u] for n, u in pieces))


@given(st.text(max_size=40))
def test_garbage_durations_never_raise(text: str) -> None:
    value = parse_duration(text)
    assert value is None or value >= 0


@pytest.mark.parametrize("text", ["NAN", "nan", "inf", "-Infinity"])
def test_nan_and_infinity_are_no_duration(text: str) -> None:
    assert parse_duration(text) is None


def test_openai_and_groq_headers_give_both_dimensions() -> None:
    headers = {
        "x-ratelimit-limit-requests": "14400",
        "x-ratelimit-limit-tokens": "18000",
        "x-ratelimit-remaining-requests": "14370",
        "x-ratelimit-remaining-tokens": "17997",
        "x-ratelimit-reset-requests": "2m59.56s",
        "x-ratelimit-reset-tokens": "7.66s",
    }
    assert parse_rate_limit_headers(headers) == {
        "requests": RateLimitWindow(14400, 14370, pytest.approx(179.56)),  # type: ignore[arg-type]
        "tokens": RateLimitWindow(18000, 17997, pytest.approx(7.66)),  # type: ignore[arg-type]
    }


def test_anthropic_headers_give_every_family_with_rfc3339_resets() -> None:
    soon = datetime.now(timezone.utc) + timedelta(seconds=30)
    stamp = soon.strftime("%Y-%m-%dT%H:%M:%SZ")
    headers: dict[str, str] = {}
    for family, (limit, remaining) in {
        "requests": (50, 49),
        "tokens": (40000, 39000),
        "input-tokens": (30000, 29500),
        "output-tokens": (8000, 7500),
    }.items():
        headers[f"anthropic-ratelimit-{family}-limit"] = str(limit)
        headers[f"anthropic-ratelimit-{family}-remaining"] = str(remaining)
        headers[f"anthropic-ratelimit-{family}-reset"] = stamp
    windows = parse_rate_limit_headers(headers)
    assert sorted(windows) == ["input-tokens", "output-tokens", "requests", "tokens"]
    assert (windows["output-tokens"].limit, windows["output-tokens"].remaining) == (8000, 7500)
    assert 28 < windows["requests"].reset <= 30
    past = {k: (v if not k.endswith("reset") else "2020-01-01T00:00:00Z") for k, v in headers.items()}
    assert parse_rate_limit_headers(past)["tokens"].reset == 0


def test_unknown_or_incomplete_figures_are_left_out() -> None:
    assert parse_rate_limit_headers({}) == {}
    # Azure answers -1 when it does not know; a dimension without a reset cannot be paced.
    assert (
        parse_rate_limit_headers(
            {
                "x-ratelimit-remaining-tokens": "-1",
                "x-ratelimit-reset-tokens": "0",
                "x-ratelimit-remaining-requests": "5",
            }
        )
        == {}
    )
    assert (
        parse_rate_limit_headers(
            {"anthropic-ratelimit-requests-remaining": "3", "anthropic-ratelimit-requests-reset": "tomorrow"}
        )
        == {}
    )


# ------------------------------------------------------------------------------------------ providers


def test_pacing_is_opt_in_per_provider_or_shared_across_providers() -> None:
    assert OpenAIProvider(api_key="k").pacing is None
    own = OpenAIProvider(api_key="k", pacing=True).pacing
    assert isinstance(own, Pacing)
    shared = Pacing()
    providers = [
        OpenAIProvider(api_key="k", pacing=shared),
        GroqProvider(api_key="k", pacing=shared),
        DeepSeekProvider(api_key="k", pacing=shared),
        OpenRouterProvider(api_key="k", pacing=shared),
        AzureProvider(
            azure_endpoint="https://x.openai.azure.com", api_version="2024-10-21", api_key="k", pacing=shared
        ),
        AnthropicProvider(api_key="k", pacing=shared),
    ]
    assert all(p.pacing is shared for p in providers)


# ------------------------------------------------------------------------------------------ against a budget

BUDGET = {"requests": 8, "tokens": 2_000, "window": 0.5, "output_tokens": 50, "latency": 0.01}


async def burst(agent: Agent[Any, Any], runs: int) -> list[bool]:
    async def one() -> bool:
        try:
            await agent.run("Tell me a one-line story.")
            return True
        except ModelHTTPError as exc:
            assert exc.status_code == 429
            return False

    return await asyncio.gather(*(one() for _ in range(runs)))


async def test_without_pacing_a_burst_collects_429s() -> None:
    # The scenario the paced tests below run is tight enough to hurt without pacing.
    with RateLimitedOpenAI(**BUDGET) as fake:
        await burst(Agent(OpenAIChatModel("gpt-4o", provider=fake.provider())), 30)
        assert fake.rejected > 10


@pytest.mark.parametrize("fake_class", [RateLimitedOpenAI, RateLimitedAnthropic])
async def test_a_paced_burst_of_runs_meets_no_429(fake_class: Any) -> None:
    with fake_class(**BUDGET) as fake:
        provider = fake.provider(pacing=True)
        model_class = OpenAIChatModel if fake_class is RateLimitedOpenAI else AnthropicModel
        agent = Agent(model_class("m", provider=provider))
        results = await burst(agent, 30)
        assert all(results)
        assert (fake.rejected, fake.admitted) == (0, 30)
        assert provider.pacing.delayed > 0


async def test_paced_streams_read_the_budget_from_the_stream_headers() -> None:
    with RateLimitedOpenAI(**BUDGET) as fake:
        agent = Agent(OpenAIChatModel("gpt-4o", provider=fake.provider(pacing=True)))

        async def one() -> str:
            async with agent.run_stream("Tell me a one-line story.") as result:
                return await result.get_output()

        outputs = await asyncio.gather(*(one() for _ in range(20)))
        assert outputs == ["ok"] * 20
        assert all(r.json()["stream"] is True for r in fake.requests)
        assert fake.rejected == 0


async def test_one_pacing_shared_by_two_models_keeps_their_account_under_its_budget() -> None:
    with RateLimitedOpenAI(**BUDGET) as fake:
        shared = Pacing()
        mini = Agent(OpenAIChatModel("gpt-4o-mini", provider=fake.provider(pacing=shared)))
        big = Agent(OpenAIChatModel("gpt-4o", provider=fake.provider(pacing=shared)))
        results = await asyncio.gather(burst(mini, 15), burst(big, 15))
        assert all(results[0] + results[1])
        assert fake.rejected == 0
        assert {r.json()["model"] for r in fake.requests} == {"gpt-4o-mini", "gpt-4o"}


async def test_a_429_is_still_retried_and_holds_the_other_requests_until_retry_after() -> None:
    with FakeOpenAI() as fake:
        fake.add_rate_limit(0.3)
        fake.add_text("after the wait")
        fake.add_text("second")
        provider = OpenAIProvider(base_url=fake.url + "/v1", api_key="k", pacing=True)
        agent = Agent(OpenAIChatModel("gpt-4o", provider=provider))
        loop = asyncio.get_running_loop()
        started = loop.time()
        first = await agent.run("one")
        assert first.output == "after the wait"
        assert loop.time() - started >= 0.3
        assert len(fake.requests) == 2  # the 429, then its retry
        assert provider.pacing is not None and provider.pacing._blocked_until > 0


# ------------------------------------------------------------------------------------------ the pacer alone


class ScriptedVendor:
    """An `httpx.AsyncClient.send` stand-in: answers after `latency` with the headers `headers()` gives."""

    def __init__(self, headers: Any, latency: float = 0.01):
        self.headers = headers
        self.latency = latency
        self.in_flight = 0
        self.peak = 0
        self.calls = 0

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        self.calls += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.latency)
        finally:
            self.in_flight -= 1
        return httpx.Response(200, headers=self.headers(), request=request)


def request() -> httpx.Request:
    return httpx.Request("POST", "http://vendor.test/v1/chat/completions")


async def test_until_the_first_answer_only_one_request_is_out() -> None:
    vendor = ScriptedVendor(lambda: {})
    send = Pacing().wrap(vendor.send)
    await asyncio.gather(*(send(request()) for _ in range(5)))
    assert vendor.calls == 5
    # The first went alone; with no rate-limit headers at all the rest went together.
    assert vendor.peak == 4


async def test_a_budget_beyond_max_delay_is_left_for_the_vendor_to_refuse() -> None:
    # A spent daily quota (reset in hours) is not slept through: the request goes, the vendor decides.
    headers = {
        "x-ratelimit-limit-requests": "100",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "5h",
    }
    vendor = ScriptedVendor(lambda: headers)
    pacing = Pacing(max_delay=1)
    send = pacing.wrap(vendor.send)
    await send(request())
    loop = asyncio.get_running_loop()
    started = loop.time()
    await send(request())
    assert loop.time() - started < 0.5
    assert vendor.calls == 2


async def test_requests_wait_for_the_refill_when_the_budget_is_spent() -> None:
    left = {"n": 2}

    def headers() -> dict[str, str]:
        left["n"] = max(left["n"] - 1, 0)
        return {
            "x-ratelimit-limit-requests": "2",
            "x-ratelimit-remaining-requests": str(left["n"]),
            "x-ratelimit-reset-requests": "300ms",
        }

    vendor = ScriptedVendor(headers)
    pacing = Pacing()
    send = pacing.wrap(vendor.send)
    await send(request())
    await send(request())  # the budget is spent now: the next one waits for the refill
    loop = asyncio.get_running_loop()
    started = loop.time()
    await send(request())
    assert loop.time() - started >= 0.1
    assert pacing.delayed >= 1


async def test_a_cancelled_waiting_request_does_not_block_the_next() -> None:
    headers = {
        "x-ratelimit-limit-requests": "1",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "400ms",
    }
    vendor = ScriptedVendor(lambda: headers)
    pacing = Pacing()
    send = pacing.wrap(vendor.send)
    await send(request())
    waiting = asyncio.create_task(send(request()))
    await asyncio.sleep(0.05)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    await asyncio.wait_for(send(request()), 2)
    assert vendor.calls == 2


async def test_a_failed_request_gives_back_what_it_reserved() -> None:
    async def refuse(request: httpx.Request, **kwargs: Any) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    pacing = Pacing()
    send = pacing.wrap(refuse)
    for _ in range(3):  # the first-request-alone rule must not wait for an answer that never comes
        with pytest.raises(httpx.ConnectError):
            await asyncio.wait_for(send(request()), 1)
    assert pacing._pending == {}
