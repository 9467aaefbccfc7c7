"""Hypothesis: Anthropic streams parse the same however the bytes are cut, and garbage never escapes as an untyped error."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wireai.codecs import anthropic as codec
from wireai.exceptions import ModelAPIError, UnexpectedModelBehavior
from wireai.messages import ModelResponse, ToolCallPart
from wireai.testing.fixtures import list_cases, load_case

STREAMS = {
    name: load_case("anthropic", name).exchanges[0].raw_body()
    for name in list_cases("anthropic")
    if "sse_file" in load_case("anthropic", name).exchanges[0].response
}
TYPED = (UnexpectedModelBehavior, ModelAPIError)  # ModelHTTPError is a ModelAPIError
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse_stream(chunks: list[bytes]) -> ModelResponse:
    parser = codec.StreamParser()
    for chunk in chunks:
        parser.feed(chunk)
    return parser.close()


def outcome(chunks: list[bytes]) -> tuple[object, ...]:
    try:
        r = parse_stream(chunks)
    except TYPED as exc:
        return (type(exc), str(exc))
    return ([(type(p), vars(p)) for p in r.parts], vars(r.usage), r.finish_reason, r.provider_response_id)


def split(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(raw) + 1) for c in cuts})
    return [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)])]


def test_there_are_stream_fixtures() -> None:
    assert set(STREAMS) >= {"stream_text", "stream_tool_use", "stream_thinking", "stream_overloaded"}


@FAST
@given(name=st.sampled_from(sorted(STREAMS)), cuts=st.lists(st.integers(min_value=0), max_size=40))
def test_any_rechunking_gives_the_same_response(name: str, cuts: list[int]) -> None:
    raw = STREAMS[name]
    assert outcome(split(raw, cuts)) == outcome([raw])


@FAST
@given(
    fragments=st.lists(st.integers(min_value=0), max_size=12),
    args=st.dictionaries(
        st.text(max_size=8),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
            max_leaves=8,
        ),
        max_size=5,
    ),
)
def test_any_split_of_tool_input_json_gives_the_same_args(
    fragments: list[int], args: dict[str, object]
) -> None:
    text = json.dumps(args, ensure_ascii=False)
    events: list[dict[str, object]] = [
        {"type": "message_start", "message": {"id": "m", "model": "c", "usage": {"input_tokens": 1}}},
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {}},
        },
    ]
    # Fragments are JSON strings, so cut on characters (a multi-byte character is never split).
    cuts = sorted({f % (len(text) + 1) for f in fragments})
    events += [
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": text[a:b]},
        }
        for a, b in zip([0, *cuts], [*cuts, len(text)])
    ]
    events += [
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 5}},
        {"type": "message_stop"},
    ]
    raw = b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)
    [part] = parse_stream([raw]).parts
    assert isinstance(part, ToolCallPart) and part.args == args


@FAST
@given(name=st.sampled_from(sorted(STREAMS)), cut=st.integers(min_value=0))
def test_truncation_gives_a_result_or_a_typed_error(name: str, cut: int) -> None:
    raw = STREAMS[name]
    outcome([raw[: cut % (len(raw) + 1)]])


@FAST
@given(
    name=st.sampled_from(sorted(STREAMS)),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.binary(max_size=8)), min_size=1, max_size=6),
)
def test_garbage_gives_a_result_or_a_typed_error(name: str, edits: list[tuple[int, bytes]]) -> None:
    raw = bytearray(STREAMS[name])
    for position, junk in edits:
        at = position % (len(raw) + 1)
        raw[at : at + len(junk)] = junk
    outcome([bytes(raw)])


@FAST
@given(data=st.binary(max_size=300))
def test_random_bytes_give_a_result_or_a_typed_error(data: bytes) -> None:
    outcome([data])


@FAST
@given(
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: (
            st.lists(c, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "type",
                        "content",
                        "text",
                        "id",
                        "name",
                        "input",
                        "usage",
                        "stop_reason",
                        "thinking",
                        "data",
                        "error",
                        "model",
                    ]
                ),
                c,
                max_size=5,
            )
        ),
        max_leaves=15,
    )
)
def test_random_json_bodies_give_a_result_or_a_typed_error(body: object) -> None:
    try:
        codec.parse_response(body)
    except TYPED:
        pass
