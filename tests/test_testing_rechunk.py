"""Chunking never changes a result: every stream fixture of every protocol, cut anywhere, parses the same.

Fixtures are discovered from `src/wireai/fixtures/**` at collection time, so a stream fixture
added by any protocol is fuzzed here without touching this file. Each one is parsed by the model
its protocol uses (that model's own stream parser and decoder), once as one chunk and then cut by
`rechunk` at hypothesis-chosen seeds; the outcome — parts, usage, finish reason, ids, or the
error type and message — must not change. Garbage and truncation (hypothesis-chosen) of every
stream fixture and every JSON response fixture must give a result or a typed wireai error, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wireai.exceptions import ModelAPIError, ModelHTTPError, UnexpectedModelBehavior
from wireai.messages import ModelResponse, NativeToolReturnPart, ToolCallPart
from wireai.models._http import HTTPModel
from wireai.testing import fakes
from wireai.testing.fixtures import Exchange, fixtures_dir, list_cases, load_case
from wireai.testing.rechunk import interesting_offsets, parse_chunks, rechunk, split_events, stream_rechunked

TYPED_ERRORS = (UnexpectedModelBehavior, ModelHTTPError, ModelAPIError)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
STREAM_KEYS = ("sse", "sse_file", "sse_events", "eventstream")
FAKE_URL = "http://127.0.0.1:9"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# ------------------------------------------------------------------------------------- discovery

_FAKE_FOR_PROTOCOL: dict[str, type[fakes.FakeVendor]] = {
    "anthropic": fakes.FakeAnthropic,
    "openai_chat": fakes.FakeOpenAI,
    "openai": fakes.FakeOpenAI,
    "openai_responses": fakes.FakeOpenAIResponses,
    "groq": fakes.FakeGroq,
    "gemini": fakes.FakeGemini,
    "vertex": fakes.FakeVertex,
    "mistral": fakes.FakeMistral,
    "cohere": fakes.FakeCohere,
    "bedrock": fakes.FakeBedrock,
}
# OpenAI-compatible hosts whose quirks (reasoning fields, usage) come from their provider's profile.
_COMPATIBLE_HOSTS = {"azure", "deepseek", "grok", "ollama", "openrouter", "perplexity"} | {
    case.split("_")[0] for case in list_cases("openai_compatible")
}


def _claude_platforms() -> dict[str, Callable[[], Any]]:
    """Claude served by a cloud through the Messages codec's variants (offline providers)."""
    from wireai.providers.anthropic_bedrock import AnthropicBedrockProvider
    from wireai.providers.anthropic_bedrock_mantle import AnthropicBedrockMantleProvider
    from wireai.providers.anthropic_foundry import AnthropicFoundryProvider
    from wireai.providers.anthropic_vertex import AnthropicVertexProvider

    return {
        "anthropic_bedrock": lambda: AnthropicBedrockProvider(
            api_key="fake", region_name="us-east-1", base_url=FAKE_URL
        ),
        "anthropic_vertex": lambda: AnthropicVertexProvider(
            credentials=fakes.FakeGoogleCredentials(), base_url=FAKE_URL
        ),
        "anthropic_foundry": lambda: AnthropicFoundryProvider(api_key="fake", base_url=FAKE_URL),
        "anthropic_bedrock_mantle": lambda: AnthropicBedrockMantleProvider(api_key="fake", base_url=FAKE_URL),
    }


_CLAUDE_PLATFORMS = _claude_platforms()


def _model_name(exchange: Exchange) -> str:
    body = exchange.body if isinstance(exchange.body, dict) else {}
    if isinstance(body.get("model"), str):
        return str(body["model"])
    path = exchange.request.get("path", "").split("?")[0]
    if "/models/" in path:
        return unquote(path.split("/models/")[1].split(":")[0])
    if path.startswith("/model/"):
        return unquote(path.split("/")[2])
    if "/deployments/" in path:
        return path.split("/deployments/")[1].split("/")[0]
    return "fake-model"


def model_for(protocol: str, case: str, exchange: Exchange) -> HTTPModel:
    """The model a user would point at this fixture's vendor (offline: it is never sent a request)."""
    vendor = case if protocol == "demo" else protocol
    if protocol == "openai_compatible":  # one case per host, named after its provider (`azure_foundry`)
        vendor = case.split("_")[0]
    if vendor.startswith("deepseek"):
        vendor = "deepseek"
    name = _model_name(exchange)
    if vendor in _COMPATIBLE_HOSTS:
        from wireai.models.openai import OpenAIChatModel

        kwargs: dict[str, Any] = {"api_key": "fake", "base_url": FAKE_URL}
        if vendor == "azure":
            kwargs["api_version"] = "2024-10-21"
        from wireai.providers import infer_provider

        return OpenAIChatModel(name, provider=infer_provider(vendor, **kwargs))
    if vendor == "bedrock_mantle":
        from wireai.models.bedrock_mantle import bedrock_mantle_model
        from wireai.providers.bedrock_mantle import BedrockMantleProvider

        return bedrock_mantle_model(name, provider=BedrockMantleProvider(api_key="fake", base_url=FAKE_URL))
    if vendor == "xai_responses":
        from wireai.models.openai import OpenAIResponsesModel
        from wireai.providers.xai import XaiProvider

        return OpenAIResponsesModel(name, provider=XaiProvider(api_key="fake", base_url=FAKE_URL))
    if vendor in _CLAUDE_PLATFORMS:
        from wireai.models.anthropic import AnthropicModel

        return AnthropicModel(name, provider=_CLAUDE_PLATFORMS[vendor]())
    try:
        fake_class = _FAKE_FOR_PROTOCOL[vendor]
    except KeyError:
        raise AssertionError(
            f"stream fixture {protocol}/{case}: no model known for {vendor!r}; add it to tests/test_testing_rechunk.py"
        ) from None
    return fake_class().model(name)


def stream_fixtures() -> list[Any]:
    params = []
    for protocol_dir in sorted(p for p in fixtures_dir().iterdir() if p.is_dir()):
        protocol = protocol_dir.name
        for case in list_cases(protocol):
            for index, exchange in enumerate(load_case(protocol, case).exchanges):
                if any(key in exchange.response for key in STREAM_KEYS):
                    params.append(pytest.param(protocol, case, index, id=f"{protocol}/{case}#{index}"))
    return params


STREAM_FIXTURES = stream_fixtures()


def load_stream(protocol: str, case: str, index: int) -> tuple[HTTPModel, bytes]:
    exchange = load_case(protocol, case).exchanges[index]
    return model_for(protocol, case, exchange), exchange.raw_body()


def outcome(model: HTTPModel, chunks: list[bytes]) -> Any:
    """What a stream gives, comparable across runs: the response without its timestamp, or the error."""
    try:
        response = parse_chunks(model, chunks)
    except TYPED_ERRORS as exc:
        return ("error", type(exc).__name__, str(exc), getattr(exc, "body", None))
    return summary(response)


def summary(response: ModelResponse) -> Any:
    # Vendors that send no tool call ids (Gemini) get fresh random ones per parse: compare positions
    # instead; a native tool's result is stamped when it is parsed.
    parts = [
        replace(p, tool_call_id="<generated>")
        if isinstance(p, ToolCallPart) and p.tool_call_id.startswith("pyd_ai_")
        else replace(p, timestamp=EPOCH)  # when a native tool's result arrived differs per parse
        if isinstance(p, NativeToolReturnPart)
        else p
        for p in response.parts
    ]
    return (
        "ok",
        parts,
        response.usage,
        response.model_name,
        response.finish_reason,
        response.provider_response_id,
        response.provider_details,
    )


# ------------------------------------------------------------------------------------- rechunk itself


def test_discovery_finds_the_stream_fixtures_of_every_protocol() -> None:
    protocols = {p.values[0] for p in STREAM_FIXTURES}
    assert {
        "anthropic",
        "bedrock",
        "cohere",
        "gemini",
        "mistral",
        "openai_chat",
        "openai_responses",
    } <= protocols
    assert len(STREAM_FIXTURES) >= 30


@given(data=st.binary(max_size=300), seed=st.integers(0, 2**32))
def test_rechunk_pieces_join_back_to_the_input(data: bytes, seed: int) -> None:
    pieces = rechunk(data, seed)
    assert b"".join(pieces) == data
    assert all(pieces)
    assert rechunk(data, seed) == pieces  # seeded: a failing split can be replayed


def test_rechunk_respects_max_pieces() -> None:
    data = bytes(range(200))
    for seed in range(20):
        pieces = rechunk(data, seed, max_pieces=3)
        assert 1 <= len(pieces) <= 3 and b"".join(pieces) == data


def test_rechunk_cuts_inside_utf8_sequences_and_sse_lines_across_seeds() -> None:
    data = 'data: {"text": "héllo wörld ✓ 🙂"}\r\n\r\ndata: [DONE]\n\n'.encode()
    nasty = set(interesting_offsets(data))
    continuation = {i for i, b in enumerate(data) if 0x80 <= b <= 0xBF}
    assert continuation <= nasty
    assert data.index(b"\n") in nasty  # between CR and LF
    hit: set[int] = set()
    for seed in range(200):
        offsets = 0
        for piece in rechunk(data, seed)[:-1]:
            offsets += len(piece)
            hit.add(offsets)
    assert continuation & hit and data.index(b"\n") in hit


def test_rechunk_cuts_inside_event_stream_preludes() -> None:
    from wireai.wire.eventstream import encode_message

    frames = [
        encode_message({":event-type": "messageStart", ":message-type": "event"}, {"role": "assistant"})
    ] * 3
    data = b"".join(frames)
    assert split_events(data, "eventstream") == frames
    size = len(frames[0])
    assert {1, 4, 8, 11, size + 1, size + 8} <= set(interesting_offsets(data))


def test_split_events_keeps_sse_events_whole() -> None:
    data = b"event: a\ndata: 1\n\nevent: b\r\ndata: 2\r\n\r\n"
    assert split_events(data) == [b"event: a\ndata: 1\n\n", b"event: b\ndata: 2\n\n"]


# ------------------------------------------------------------------------------------- every fixture


@pytest.mark.parametrize(("protocol", "case", "index"), STREAM_FIXTURES)
def test_every_stream_fixture_parses_the_same_however_it_is_chunked(
    protocol: str, case: str, index: int
) -> None:
    model, raw = load_stream(protocol, case, index)
    whole = outcome(model, [raw])
    assert outcome(model, split_events(raw, model.stream_format)) == whole
    assert outcome(model, [raw[i : i + 1] for i in range(len(raw))]) == whole  # byte by byte

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(seed=st.integers(0, 2**32))
    def check(seed: int) -> None:
        assert outcome(model, rechunk(raw, seed)) == whole, f"rechunk(raw, seed={seed}) changed the result"

    check()


def damaged(raw: bytes) -> st.SearchStrategy[bytes]:
    """Ways a vendor's bytes arrive broken: cut short, bytes flipped, or nothing like the vendor at all."""
    cut = st.integers(0, len(raw)).map(lambda n: raw[:n])
    edits = st.lists(
        st.tuples(st.integers(0, max(len(raw) - 1, 0)), st.integers(0, 255)), min_size=1, max_size=8
    )

    def flip(changes: list[tuple[int, int]]) -> bytes:
        out = bytearray(raw)
        for at, value in changes:
            if out:
                out[at] = value
        return bytes(out)

    return st.one_of(cut, edits.map(flip), st.binary(max_size=300))


@pytest.mark.parametrize(("protocol", "case", "index"), STREAM_FIXTURES)
def test_garbage_and_truncation_of_every_stream_fixture_give_a_result_or_a_typed_error(
    protocol: str, case: str, index: int
) -> None:
    model, raw = load_stream(protocol, case, index)

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=damaged(raw), seed=st.integers(0, 2**32))
    def check(data: bytes, seed: int) -> None:
        try:
            parse_chunks(model, rechunk(data, seed))
        except TYPED_ERRORS:
            pass

    check()


def json_fixtures() -> list[Any]:
    params = []
    for protocol_dir in sorted(p for p in fixtures_dir().iterdir() if p.is_dir()):
        for case in list_cases(protocol_dir.name):
            for index, exchange in enumerate(load_case(protocol_dir.name, case).exchanges):
                if "json" in exchange.response and exchange.response.get("status", 200) == 200:
                    params.append(
                        pytest.param(protocol_dir.name, case, index, id=f"{protocol_dir.name}/{case}#{index}")
                    )
    return params


JSON_FIXTURES = json_fixtures()


@pytest.mark.parametrize(("protocol", "case", "index"), JSON_FIXTURES)
def test_every_json_fixture_parses_with_the_shape_guard_off(
    protocol: str, case: str, index: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A codec bug on a valid body must not hide behind the model layer's "unexpected shape" guard:
    with the guard off, a TypeError/KeyError/... from the codec fails this test. (Stream fixtures
    go through `parse_chunks`, which drives the codec's parser with no guard at all.)"""
    from wireai.models import _http

    monkeypatch.setattr(_http, "guard_shapes", False)
    exchange = load_case(protocol, case).exchanges[index]
    try:
        model_for(protocol, case, exchange).parse_response(exchange.raw_body())
    except (ModelHTTPError, UnexpectedModelBehavior):
        pass  # a vendor error in a 200 body, or a fixture of a body that is meant to be refused


@pytest.mark.parametrize(("protocol", "case", "index"), JSON_FIXTURES)
def test_garbage_and_truncation_of_every_json_body_give_a_result_or_a_typed_error(
    protocol: str, case: str, index: int
) -> None:
    """The non-stream path as `request` runs it: the 2xx body's bytes through the model's codec."""
    exchange = load_case(protocol, case).exchanges[index]
    model, raw = model_for(protocol, case, exchange), exchange.raw_body()

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=damaged(raw))
    def check(data: bytes) -> None:
        try:
            model.parse_response(data)
        except TYPED_ERRORS:
            pass

    check()


# ------------------------------------------------------------------------------------- over a real socket


@pytest.mark.parametrize(
    ("protocol", "case"),
    [("anthropic", "stream_tool_use"), ("openai_chat", "stream_parallel_tools"), ("bedrock", "stream_tool_fragments"),
     ("gemini", "stream_tools"), ("mistral", "stream_tools"), ("cohere", "stream_tools"),
     ("anthropic_bedrock", "stream_thinking")],
)  # fmt: skip
async def test_stream_rechunked_over_loopback_matches_the_offline_parse(protocol: str, case: str) -> None:
    index = next(i for i, p in enumerate(STREAM_FIXTURES) if p.values[:2] == (protocol, case))
    model, raw = load_stream(*STREAM_FIXTURES[index].values)
    whole = outcome(model, [raw])
    for seed in range(3):
        assert summary(await stream_rechunked(model, raw, seed)) == whole
    assert model.provider.base_url.startswith(FAKE_URL.rsplit(":", 1)[0])  # the model's URL is given back
