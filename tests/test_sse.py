"""The SSE decoder follows the WHATWG rules for any chunking of the bytes, and fails cleanly on bad input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wireai.exceptions import UnexpectedModelBehavior
from wireai.wire.sse import SSEDecoder, SSEEvent, encode_sse


def decode(chunks: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.close())
    return events


def test_line_endings_comments_multiline_and_fields() -> None:
    raw = (
        b"\xef\xbb\xbf: a comment\r\n"
        b"event: message_start\r\n"
        b"id: 7\r\n"
        b"retry: 1500\r\n"
        b'data: {"a":\r\n'
        b"data: 1}\r\n\r\n"
        b"data:no-space\r\r"
        b"data: x\n\n"
        b"event: empty\n\n"  # no data: not dispatched
        b"unknown: field\ndata: last\n\n"
    )
    events = decode([raw])
    assert events == [
        SSEEvent('{"a":\n1}', "message_start", "7", 1500),
        SSEEvent("no-space", "message", "7"),
        SSEEvent("x", "message", "7"),
        SSEEvent("last", "message", "7"),
    ]


def test_utf8_split_inside_a_character() -> None:
    raw = "data: héllo — 世界\n\n".encode()
    events = decode([raw[i : i + 1] for i in range(len(raw))])
    assert events == [SSEEvent("héllo — 世界")]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    assert decode([b"data: a\r", b"\n\r", b"\n"]) == [SSEEvent("a")]


def test_unterminated_event_with_complete_lines_is_dispatched_at_close() -> None:
    assert decode([b"data: a\n\ndata: tail\n"]) == [SSEEvent("a"), SSEEvent("tail")]


def test_stream_cut_mid_line_is_an_error_that_shows_the_bytes() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"ok": 1}\n\ndata: {"trunc') == [SSEEvent('{"ok": 1}')]
    with pytest.raises(UnexpectedModelBehavior, match="middle of a line") as info:
        decoder.close()
    assert '{"trunc' in str(info.value)


def test_event_size_cap() -> None:
    decoder = SSEDecoder(max_event_bytes=1000)
    with pytest.raises(UnexpectedModelBehavior, match="larger than 1000 bytes"):
        for _ in range(100):
            decoder.feed(b"x" * 50)
    decoder = SSEDecoder(max_event_bytes=1000)
    with pytest.raises(UnexpectedModelBehavior):
        for _ in range(100):
            decoder.feed(b"data: " + b"y" * 50 + b"\n")


events_strategy = st.lists(
    st.tuples(
        st.one_of(st.none(), st.sampled_from(["message_start", "content_block_delta", "ping"])),
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), max_size=40
        ),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(events=events_strategy, line_end=st.sampled_from(["\n", "\r\n", "\r"]), data=st.data())
def test_any_chunking_decodes_identically(
    events: list[tuple[str | None, str]], line_end: str, data: st.DataObject
) -> None:
    raw = b"".join(encode_sse(d, e) for e, d in events).replace(b"\n", line_end.encode())
    expected = [SSEEvent(d, e or "message") for e, d in events]
    assert decode([raw]) == expected
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=20)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)])]
    assert decode(chunks) == expected


@settings(max_examples=300, deadline=None)
@given(garbage=st.binary(max_size=400), data=st.data())
def test_garbage_gives_events_or_a_typed_error(garbage: bytes, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(garbage)), max_size=8)))
    chunks = [garbage[a:b] for a, b in zip([0, *cuts], [*cuts, len(garbage)])]
    try:
        events = decode(chunks)
    except UnexpectedModelBehavior:
        return
    assert all(isinstance(e.data, str) for e in events)


def reference_decode(raw: bytes) -> list[SSEEvent]:
    """The WHATWG event-stream algorithm line by line, as plainly as it reads (no fast paths): what
    the decoder's per-event shortcuts must agree with."""
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    events: list[SSEEvent] = []
    data: list[str] = []
    event, event_id, last_id, retry = "", None, None, None
    for line in text.split("\n")[:-1]:  # the stream ends with a line end
        if not line:
            if data or event or event_id is not None:
                last_id = event_id if event_id is not None else last_id
                if data:
                    events.append(SSEEvent("\n".join(data), event or "message", last_id, retry))
                data, event, event_id, retry = [], "", None, None
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id" and "\x00" not in value:
            event_id = value
        elif name == "retry" and value.isdigit():
            retry = int(value)
    if data:  # complete lines of an event the stream never ended with a blank line
        last_id = event_id if event_id is not None else last_id
        events.append(SSEEvent("\n".join(data), event or "message", last_id, retry))
    return events


field_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=12
)
sse_lines = st.lists(
    st.one_of(
        st.just(""),
        st.builds("data: {}".format, field_text),
        st.builds("data:{}".format, field_text),
        st.just("data"),
        st.builds("event: {}".format, st.sampled_from(["", "message_start", "content_block_delta", "é"])),
        st.builds("id: {}".format, field_text),
        st.builds("retry: {}".format, st.sampled_from(["10", "x", ""])),
        st.builds(": {}".format, field_text),
        st.builds("other: {}".format, field_text),
    ),
    max_size=30,
)


@settings(max_examples=500, deadline=None)
@given(lines=sse_lines, line_end=st.sampled_from(["\n", "\r\n", "\r"]), bom=st.booleans(), data=st.data())
def test_any_mix_of_fields_and_blank_lines_decodes_as_the_plain_algorithm_in_any_chunking(
    lines: list[str], line_end: str, bom: bool, data: st.DataObject
) -> None:
    raw = ("\ufeff" if bom else "").encode() + "".join(line + line_end for line in lines).encode()
    expected = reference_decode(raw.removeprefix(b"\xef\xbb\xbf"))
    assert decode([raw]) == expected
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=20)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)])]
    assert decode(chunks) == expected


@settings(max_examples=200, deadline=None)
@given(lines=sse_lines, data=st.data())
def test_the_event_size_cap_counts_the_same_bytes_in_any_chunking(
    lines: list[str], data: st.DataObject
) -> None:
    raw = "".join(line + "\n" for line in lines).encode()
    cap = data.draw(st.integers(1, 80))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=10)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)])]

    def outcome(pieces: list[bytes]) -> list[SSEEvent] | str:
        decoder = SSEDecoder(max_event_bytes=cap)
        events: list[SSEEvent] = []
        try:
            for piece in pieces:
                events.extend(decoder.feed(piece))
            events.extend(decoder.close())
        except UnexpectedModelBehavior:
            return "too large"
        return events

    assert outcome(chunks) == outcome([raw])


raw_field = st.binary(max_size=12).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
raw_lines = st.lists(
    st.one_of(
        st.just(b""),
        st.builds(b"data: ".__add__, raw_field),
        st.builds(b"event: ".__add__, raw_field),
        st.builds(b"id: ".__add__, raw_field),
        st.builds(b": ".__add__, raw_field),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(lines=raw_lines, data=st.data())
def test_bytes_that_are_not_utf8_decode_as_the_plain_algorithm_in_any_chunking(
    lines: list[bytes], data: st.DataObject
) -> None:
    # Invalid UTF-8 in field values: replaced the same way whether the decoder takes a chunk's
    # complete events as one text or goes line by line.
    raw = b"".join(line + b"\n" for line in lines)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = b"\n" + raw
    expected = reference_decode(raw)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=20)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)])]
    assert decode([raw]) == expected
    assert decode(chunks) == expected
