"""The AWS event-stream decoder: exact framing, any chunking, botocore agreement, corruption always caught."""

from __future__ import annotations

import struct
import uuid
import zlib
from typing import Any

import pytest
from botocore.eventstream import EventStreamBuffer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wireai.exceptions import UnexpectedModelBehavior
from wireai.wire import eventstream as es
from wireai.wire.eventstream import EventStreamDecoder, EventStreamMessage, HeaderValue, encode_message

EVENT = {":event-type": "contentBlockDelta", ":content-type": "application/json", ":message-type": "event"}


def decode_all(data: bytes, cuts: list[int] | None = None) -> list[EventStreamMessage]:
    decoder = EventStreamDecoder()
    out: list[EventStreamMessage] = []
    points = sorted(set(cuts or []))
    start = 0
    for point in [*points, len(data)]:
        out.extend(decoder.feed(data[start:point]))
        start = point
    out.extend(decoder.close())
    return out


def test_a_frame_is_prelude_headers_payload_crc_as_aws_documents_it() -> None:
    frame = encode_message({":event-type": "messageStart"}, b'{"role":"assistant"}')
    total, headers_length, prelude_crc = struct.unpack(">III", frame[:12])
    assert total == len(frame)
    assert prelude_crc == zlib.crc32(frame[:8])
    # header: name length, name, type 7 (string), u16 length, value
    assert frame[12 : 12 + headers_length] == b"\x0b:event-type\x07\x00\x0cmessageStart"
    assert frame[12 + headers_length : -4] == b'{"role":"assistant"}'
    assert struct.unpack(">I", frame[-4:])[0] == zlib.crc32(frame[:-4])


def test_messages_decode_with_their_type_helpers_and_json_payload() -> None:
    data = encode_message(EVENT, {"contentBlockIndex": 0, "delta": {"text": "hi"}}) + encode_message(
        {":exception-type": "throttlingException", ":message-type": "exception"}, {"message": "slow"}
    )
    first, second = decode_all(data)
    assert (first.message_type, first.event_type, first.json()) == (
        "event",
        "contentBlockDelta",
        {"contentBlockIndex": 0, "delta": {"text": "hi"}},
    )
    assert (second.message_type, second.exception_type, second.json()) == (
        "exception",
        "throttlingException",
        {"message": "slow"},
    )


def test_every_header_value_type_round_trips() -> None:
    the_uuid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    headers: dict[str, Any] = {
        "t": True,
        "f": False,
        "b": HeaderValue(es.BYTE, -7),
        "s": HeaderValue(es.SHORT, 300),
        "i": 70000,
        "l": 2**40,
        "raw": b"\x00\x01",
        "str": "héllo",
        "ts": HeaderValue(es.TIMESTAMP, 1_700_000_000_000),
        "id": the_uuid,
    }
    (message,) = decode_all(encode_message(headers, b""))
    assert message.headers == {**headers, "b": -7, "s": 300, "ts": 1_700_000_000_000, "id": the_uuid.bytes}
    assert message.payload == b""


def test_payload_not_json_is_unexpected_model_behavior() -> None:
    (message,) = decode_all(encode_message(EVENT, b"{not json"))
    with pytest.raises(UnexpectedModelBehavior, match="not JSON"):
        message.json()


def test_a_stream_cut_inside_a_frame_raises_on_close() -> None:
    frame = encode_message(EVENT, {"x": 1})
    decoder = EventStreamDecoder()
    assert decoder.feed(frame + frame[:20]) != []
    with pytest.raises(UnexpectedModelBehavior, match="ended inside a message"):
        decoder.close()


def test_a_huge_declared_length_fails_at_once_instead_of_waiting_for_it() -> None:
    prelude = struct.pack(">II", 2**31, 0)
    prelude += struct.pack(">I", zlib.crc32(prelude))
    with pytest.raises(UnexpectedModelBehavior, match="payload length"):
        EventStreamDecoder().feed(prelude)


def test_prelude_and_message_crc_mismatches_are_named() -> None:
    frame = bytearray(encode_message(EVENT, {"x": 1}))
    bad_prelude = bytearray(frame)
    bad_prelude[9] ^= 0xFF
    with pytest.raises(UnexpectedModelBehavior, match="prelude CRC32"):
        EventStreamDecoder().feed(bytes(bad_prelude))
    bad_payload = bytearray(frame)
    bad_payload[-6] ^= 0x01
    with pytest.raises(UnexpectedModelBehavior, match="message CRC32"):
        EventStreamDecoder().feed(bytes(bad_payload))


def test_an_http_error_page_instead_of_frames_is_reported_not_hung_on() -> None:
    with pytest.raises(UnexpectedModelBehavior):
        decode_all(b"<html><body>502 Bad Gateway</body></html>")


# ------------------------------------------------------------------------------------------- properties

header_values = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.binary(max_size=40),
    st.text(max_size=40),
    st.builds(HeaderValue, st.just(es.BYTE), st.integers(-128, 127)),
    st.builds(HeaderValue, st.just(es.SHORT), st.integers(-(2**15), 2**15 - 1)),
    st.builds(HeaderValue, st.just(es.TIMESTAMP), st.integers(0, 2**50)),
    st.builds(HeaderValue, st.just(es.UUID), st.binary(min_size=16, max_size=16)),
)
messages = st.lists(
    st.tuples(
        st.dictionaries(st.text(min_size=1, max_size=20), header_values, max_size=6), st.binary(max_size=300)
    ),
    min_size=1,
    max_size=6,
)


def _frames(msgs: list[tuple[dict[str, Any], bytes]]) -> bytes:
    return b"".join(encode_message(h, p) for h, p in msgs)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(messages, st.data())
def test_any_chunking_gives_the_same_messages(
    msgs: list[tuple[dict[str, Any], bytes]], data: st.DataObject
) -> None:
    raw = _frames(msgs)
    whole = decode_all(raw)
    cuts = data.draw(st.lists(st.integers(0, len(raw)), max_size=30))
    assert decode_all(raw, cuts) == whole
    assert [m.payload for m in whole] == [p for _, p in msgs]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(messages)
def test_decoding_agrees_with_botocore(msgs: list[tuple[dict[str, Any], bytes]]) -> None:
    raw = _frames(msgs)
    oracle = EventStreamBuffer()
    oracle.add_data(raw)
    expected = [(dict(m.headers), m.payload) for m in oracle]
    assert [(m.headers, m.payload) for m in decode_all(raw)] == expected


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(messages, st.data())
def test_any_single_corrupted_byte_is_detected(
    msgs: list[tuple[dict[str, Any], bytes]], data: st.DataObject
) -> None:
    raw = bytearray(_frames(msgs))
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] ^= data.draw(st.integers(1, 255))
    with pytest.raises(UnexpectedModelBehavior):
        decode_all(bytes(raw))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=8))
def test_garbage_gives_messages_or_a_typed_error_never_another_exception(
    garbage: bytes, cuts: list[int]
) -> None:
    try:
        decode_all(garbage, [c for c in cuts if c <= len(garbage)])
    except UnexpectedModelBehavior:
        pass
