"""Replaying Gemini / Vertex AI fixtures over loopback HTTP, with every expected body checked
against our schema and Google's protos (known proto lag stripped by name)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from support import assert_protocol_valid, assert_spec_valid, strip_proto_lag
from wireai.messages import ModelMessage, ModelResponse, ModelResponsePart, NativeToolReturnPart
from wireai.models import ModelRequestParameters
from wireai.models.gemini import GeminiModel
from wireai.providers.google_gla import GoogleGLAProvider
from wireai.providers.google_vertex import GoogleVertexProvider
from wireai.testing.fakes import FakeGoogleCredentials
from wireai.testing.fixtures import ReplayServer, load_case

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
VERTEX_BASE = "/v1/projects/fake-project/locations/us-central1/publishers/google"


def model_for(server: ReplayServer, name: str, vertex: bool = False) -> GeminiModel:
    if vertex:
        provider: Any = GoogleVertexProvider(
            credentials=FakeGoogleCredentials(), base_url=server.url + VERTEX_BASE
        )
    else:
        provider = GoogleGLAProvider(api_key="test-key", base_url=server.url + "/v1beta")
    provider.max_retries = 0
    return GeminiModel(name, provider=provider)


def check_case(protocol: str, case: str, lag: Sequence[str] = (), operation: str | None = None) -> None:
    """Every expected body of the case matches our schema and the vendor's protos."""
    spec = "vertex" if protocol == "vertex" else "gemini"
    for exchange in load_case(protocol, case).exchanges:
        assert_protocol_valid("gemini", exchange.body)
        assert_spec_valid(
            spec, strip_proto_lag(spec, exchange.body, *lag) if lag else exchange.body, operation
        )


def _run(
    protocol: str, case: str, name: str, turns: Sequence[Any], lag: Sequence[str], send: Any
) -> list[Any]:
    """Each turn is a message list, or a callable of the responses so far giving one (a follow-up
    that sends the history back); `send(model, messages)` makes one request and returns what it got
    (a response, or (events, response))."""
    check_case(protocol, case, lag)
    with ReplayServer(load_case(protocol, case)) as server:
        model = model_for(server, name, vertex=protocol == "vertex")

        async def main() -> list[Any]:
            out: list[Any] = []
            for turn in turns:
                so_far = [r[1] if isinstance(r, tuple) else r for r in out]
                out.append(await send(model, turn(so_far) if callable(turn) else turn))
            return out

        result = asyncio.run(main())
        server.assert_requests_match()
    return result


def replay(
    protocol: str,
    case: str,
    name: str,
    turns: Sequence[Any],
    params: ModelRequestParameters | None = None,
    settings: Any = None,
    *,
    lag: Sequence[str] = (),
) -> list[ModelResponse]:
    """The case's exchanges as `model.request` calls: one response per turn."""

    async def send(model: GeminiModel, messages: list[ModelMessage]) -> ModelResponse:
        return await model.request(messages, settings, params or ModelRequestParameters())

    return _run(protocol, case, name, turns, lag, send)


def replay_stream(
    protocol: str,
    case: str,
    name: str,
    turns: Sequence[Any],
    params: ModelRequestParameters | None = None,
    settings: Any = None,
    *,
    lag: Sequence[str] = (),
) -> list[tuple[list[Any], ModelResponse]]:
    """`replay` over `request_stream`: (events, final response) per turn."""

    async def send(model: GeminiModel, messages: list[ModelMessage]) -> tuple[list[Any], ModelResponse]:
        async with model.request_stream(messages, settings, params or ModelRequestParameters()) as stream:
            events = [event async for event in stream]
        return events, stream.get()

    return _run(protocol, case, name, turns, lag, send)


def stamped(parts: Sequence[ModelResponsePart]) -> list[ModelResponsePart]:
    """Parts comparable across parses (a native tool's result is stamped when parsed)."""
    return [replace(p, timestamp=EPOCH) if isinstance(p, NativeToolReturnPart) else p for p in parts]
