"""`PartEndEvent`: a streamed part ends when the next part starts or the stream ends, carrying the
finished part, for every vendor's streams however the bytes are cut.

Only parts that take deltas (text, thinking, function and native tool calls) get an end, as in
PydanticAI; a start notes the kind of the part before it (`previous_part_kind`), an end the kind
of the part after it (`next_part_kind`).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from dataclasses import fields
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wireai._parts_manager import ModelResponsePartsManager, PartEnds
from wireai.exceptions import ModelAPIError, UnexpectedModelBehavior
from wireai.messages import (
    BinaryImage,
    FilePart,
    NativeToolCallPart,
    PartDeltaEvent,
    PartEndEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ThinkingPart,
    ToolCallPart,
)
from wireai.models import ModelRequestParameters
from wireai.models._http import HTTPStreamedResponse
from wireai.models.function import AgentInfo, DeltaThinkingCall, DeltaToolCall, FunctionModel
from wireai.testing.fixtures import list_cases, load_case

TYPED = (UnexpectedModelBehavior, ModelAPIError)
CODECS = {"groq": "openai_chat", "vertex": "gemini"}  # fixtures of hosts that speak another's protocol
PROTOCOLS = [
    "anthropic",
    "bedrock",
    "cohere",
    "gemini",
    "groq",
    "mistral",
    "openai_chat",
    "openai_responses",
    "vertex",
]
STREAM_KEYS = ("sse", "sse_file", "sse_events", "eventstream")


def _stream_fixtures() -> dict[str, tuple[str, bytes]]:
    found = {}
    for protocol in PROTOCOLS:
        for name in list_cases(protocol):
            exchange = load_case(protocol, name).exchanges[0]
            if exchange.response.get("status", 200) == 200 and any(
                k in exchange.response for k in STREAM_KEYS
            ):
                found[f"{protocol}/{name}"] = (CODECS.get(protocol, protocol), exchange.raw_body())
    return found


STREAMS = _stream_fixtures()
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class _Body(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]):
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


class _Model:
    """What `HTTPStreamedResponse` asks of its model: a name, and a fresh parser of the codec."""

    model_name = "m"
    system = "test"

    def __init__(self, codec: str):
        self.codec = importlib.import_module(f"wireai.codecs.{codec}")

    def stream_parser(self, params: ModelRequestParameters) -> Any:
        return self.codec.StreamParser(params, model_name=self.model_name)


def _events(codec: str, chunks: list[bytes]) -> tuple[list[Any], Any]:
    """The events an HTTP stream of these chunks gives, and the response (or the typed error)."""
    streamed = HTTPStreamedResponse(
        ModelRequestParameters(),
        _Model(codec),
        httpx.Response(200, stream=_Body(chunks)),
    )

    async def read() -> list[Any]:
        return [event async for event in streamed]

    try:
        events = asyncio.run(read())
    except TYPED as exc:
        return [], (type(exc), str(exc))
    return events, streamed.get()


def _plain(value: Any) -> Any:
    """A part or event as comparable data: timestamps and generated call ids differ between parses."""
    if hasattr(value, "__dataclass_fields__"):
        return (
            type(value).__name__,
            {
                f.name: _plain(getattr(value, f.name))
                for f in fields(value)
                if f.name != "timestamp"
                and not (f.name == "tool_call_id" and str(getattr(value, f.name)).startswith("pyd_ai_"))
            },
        )
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _cut(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(raw) + 1) for c in cuts})
    return [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)])]


def test_there_are_stream_fixtures_of_every_protocol() -> None:
    assert {key.split("/")[0] for key in STREAMS} == set(PROTOCOLS)


@FAST
@given(name=st.sampled_from(sorted(STREAMS)), cuts=st.lists(st.integers(min_value=0), max_size=30))
def test_any_chunking_gives_the_same_events_part_ends_included(name: str, cuts: list[int]) -> None:
    codec, raw = STREAMS[name]
    whole_events, whole = _events(codec, [raw])
    events, response = _events(codec, _cut(raw, cuts))
    assert [_plain(e) for e in events] == [_plain(e) for e in whole_events]
    assert _plain(response) == _plain(whole)


def test_every_stream_fixture_pairs_its_part_starts_and_ends() -> None:
    for name, (codec, raw) in STREAMS.items():
        events, response = _events(codec, [raw])
        if isinstance(response, tuple):
            continue  # a fixture of a stream error: nothing to pair
        starts = [e for e in events if isinstance(e, PartStartEvent)]
        ends = [e for e in events if isinstance(e, PartEndEvent)]
        ending = (TextPart, ThinkingPart, ToolCallPart, NativeToolCallPart)
        # One end per start of a part that takes deltas (a start at the same index again replaces it).
        assert len(ends) == sum(isinstance(s.part, ending) for s in starts), name
        for before, after in zip(starts, starts[1:]):
            assert after.previous_part_kind == before.part.part_kind, name
        for end in ends:
            position = events.index(end)
            started = [e for e in events[:position] if isinstance(e, PartStartEvent)]
            assert started[-1].index == end.index, name  # an end follows its own part's start
            later = [e for e in events[position:] if isinstance(e, PartStartEvent)]
            assert end.next_part_kind == (later[0].part.part_kind if later else None), name
            kept = [p for p in response.parts if _plain(p) == _plain(end.part)]
            assert kept, (name, end)  # the end carries the part the response holds


# ------------------------------------------------------------------------------------------ the rule itself


def test_part_ends_follow_the_starts_and_skip_parts_that_arrive_whole() -> None:
    parts = ModelResponsePartsManager()
    ends = PartEnds(parts.part_at)
    image = FilePart(BinaryImage(b"\x89PNG", media_type="image/png"))
    out: list[Any] = []
    for event in [
        parts.handle_thinking_delta("t", "Hm"),
        parts.handle_thinking_delta("t", "m."),
        parts.handle_text_delta("x", "Here"),
        parts.handle_part("f", image),
        parts.handle_tool_call_delta("c", "look", '{"a":', "c1"),
        parts.handle_tool_call_delta("c", None, " 1}"),
    ]:
        assert event is not None
        if isinstance(event, PartStartEvent) and (end := ends.start(event)) is not None:
            out.append(end)
        out.append(event)
    if (end := ends.finish()) is not None:
        out.append(end)
    assert [(type(e).__name__, e.index) for e in out] == [
        ("PartStartEvent", 0),
        ("PartDeltaEvent", 0),
        ("PartEndEvent", 0),
        ("PartStartEvent", 1),
        ("PartEndEvent", 1),
        ("PartStartEvent", 2),  # the file: no end of its own
        ("PartStartEvent", 3),
        ("PartDeltaEvent", 3),
        ("PartEndEvent", 3),
    ]
    assert out[2] == PartEndEvent(0, ThinkingPart("Hmm."), next_part_kind="text")
    assert out[4] == PartEndEvent(1, TextPart("Here"), next_part_kind="file")
    assert out[8] == PartEndEvent(3, ToolCallPart("look", '{"a": 1}', "c1"))
    assert [e.previous_part_kind for e in out if isinstance(e, PartStartEvent)] == [
        None,
        "thinking",
        "text",
        "file",
    ]
    assert out[8].part is parts.get_parts()[3]  # the parts manager's own part, complete


def test_a_custom_streamed_response_gets_part_ends_from_the_base_class() -> None:
    async def stream(messages: Any, info: AgentInfo) -> AsyncIterator[Any]:
        yield {0: DeltaThinkingCall("Let me think.")}
        yield "The answer "
        yield "is 42."
        yield {1: DeltaToolCall("log", '{"n": 42}', "t1")}

    model = FunctionModel(stream_function=stream)

    async def main() -> list[Any]:
        async with model.request_stream([], None, ModelRequestParameters()) as streamed:
            return [event async for event in streamed]

    events = asyncio.run(main())
    assert events == [
        PartStartEvent(0, ThinkingPart("Let me think.")),
        PartEndEvent(0, ThinkingPart("Let me think."), next_part_kind="text"),
        PartStartEvent(1, TextPart("The answer "), previous_part_kind="thinking"),
        PartDeltaEvent(1, TextPartDelta("is 42.")),
        PartEndEvent(1, TextPart("The answer is 42."), next_part_kind="tool-call"),
        PartStartEvent(2, ToolCallPart("log", '{"n": 42}', "t1"), previous_part_kind="text"),
        PartEndEvent(2, ToolCallPart("log", '{"n": 42}', "t1")),
    ]
