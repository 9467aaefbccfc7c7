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
    """Each turn is a message list, or a callable of the responses so far giving one (a follow-up
    that sends the history back)."""
    check_case(protocol, case, lag)
    with ReplayServer(load_case(protocol, case)) as server:
        model = model_for(server, name, vertex=protocol == "vertex")

        async def main() -> list[ModelResponse]:
            out: list[ModelResponse] = []
            for turn in turns:
                messages = turn(out) if callable(turn) else turn
                out.append(await model.request(messages, settings, params or ModelRequestParameters()))
            return out

        responses = asyncio.run(main())
        server.assert_requests_match()
    return responses


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
    check_case(protocol, case, lag)
    with ReplayServer(load_case(protocol, case)) as server:
        model = model_for(server, name, vertex=protocol == "vertex")

        async def main() -> list[tuple[list[Any], ModelResponse]]:
            out: list[tuple[list[Any], ModelResponse]] = []
            for turn in turns:
                messages = turn([r for _, r in out]) if callable(turn) else turn
                async with model.request_stream(
                    messages, settings, params or ModelRequestParameters()
                ) as stream:
                    events = [event async for event in stream]
                out.append((events, stream.get()))
            return out

        result = asyncio.run(main())
        server.assert_requests_match()
    return result


def stamped(parts: Sequence[ModelResponsePart]) -> list[ModelResponsePart]:
    """Parts comparable across parses (a native tool's result is stamped when parsed)."""
    return [replace(p, timestamp=EPOCH) if isinstance(p, NativeToolReturnPart) else p for p in parts]


def history(*messages: ModelMessage) -> list[ModelMessage]:
    return list(messages)
