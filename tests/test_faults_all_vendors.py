"""The same misbehaviours, served by every vendor's fake over a real socket: typed errors, never a hang.

Bodies that are not JSON, HTML pages from proxies, truncated or non-UTF-8 bodies, gzip, unknown
fields, streams cut mid-event or before their final message, a wrong stream content-type, unknown
stream events and fields, invalid UTF-8 inside a stream; and the key sent shows nowhere but the wire.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import pytest

from wireai import Agent, ModelHTTPError, UnexpectedModelBehavior
from wireai.exceptions import ModelAPIError
from wireai.messages import ModelResponse, TextPart
from wireai.testing import (
    FakeAnthropic,
    FakeBedrock,
    FakeCohere,
    FakeGemini,
    FakeGroq,
    FakeMistral,
    FakeOpenAI,
    FakeOpenAIResponses,
    FakeVendor,
    FakeVertex,
)
from wireai.testing.server import RecordedRequest, Reply
from wireai.usage import RequestUsage

FAKES = [
    FakeOpenAI,
    FakeOpenAIResponses,
    FakeGroq,
    FakeAnthropic,
    FakeGemini,
    FakeVertex,
    FakeMistral,
    FakeCohere,
    FakeBedrock,
]
TYPED = (UnexpectedModelBehavior, ModelAPIError)  # ModelHTTPError is a ModelAPIError
ANSWER = ModelResponse(
    [TextPart("hello from the fake vendor")],
    usage=RequestUsage(input_tokens=5, output_tokens=6),
    finish_reason="stop",
)


def probe(fake: FakeVendor, stream: bool) -> RecordedRequest:
    """A request as the model would send it, for asking the fake's encoders what the vendor would answer."""
    path = {
        FakeGemini: "/v1beta/models/m:streamGenerateContent?alt=sse",
        FakeBedrock: "/model/m/converse-stream",
    }
    for cls, stream_path in path.items():
        if isinstance(fake, cls):
            return RecordedRequest(
                "POST",
                stream_path
                if stream
                else stream_path.replace("streamGenerateContent?alt=sse", "generateContent").replace(
                    "converse-stream", "converse"
                ),
                {},
                b"{}",
            )
    return RecordedRequest("POST", "/", {}, json.dumps({"model": "m", "stream": stream}).encode())


def run(fake: FakeVendor, *, stream: bool) -> str:
    model = fake.model()
    model.provider.max_retries = 0

    async def main() -> str:
        agent = Agent(model)
        if not stream:
            return (await agent.run("hi")).output
        async with agent.run_stream("hi") as result:
            return await result.get_output()

    return asyncio.run(asyncio.wait_for(main(), 10))  # a hang fails the test instead of the suite


@pytest.fixture(params=FAKES, ids=lambda cls: cls.__name__)
def fake(request: pytest.FixtureRequest) -> Any:
    with request.param() as vendor:
        yield vendor


@pytest.mark.parametrize(
    ("status", "body", "error", "shown"),
    [
        (200, b"this is not json", UnexpectedModelBehavior, "this is not json"),
        (
            200,
            b"<html><body>Sign in to the proxy</body></html>",
            UnexpectedModelBehavior,
            "Sign in to the proxy",
        ),
        (200, b'{"id": "x", "trunc', UnexpectedModelBehavior, "trunc"),
        (200, b"\xff\xfe\xfd not utf-8", UnexpectedModelBehavior, "not utf-8"),
        (502, b"<html>502 Bad Gateway</html>", ModelHTTPError, "502 Bad Gateway"),
    ],
    ids=["not-json", "html-200", "truncated-json", "invalid-utf8", "html-502"],
)
def test_bad_bodies_are_typed_errors_showing_the_body(
    fake: FakeVendor, status: int, body: bytes, error: type[Exception], shown: str
) -> None:
    fake.add_reply(Reply(status, {"content-type": "text/html"}, body))
    with pytest.raises(error) as info:
        run(fake, stream=False)
    assert shown in str(info.value)


def test_gzip_bodies_and_unknown_fields_are_read(fake: FakeVendor) -> None:
    body = fake.encode_json(ANSWER, probe(fake, False))
    body["a_field_from_the_future"] = {"nested": [1, 2]}
    raw = gzip.compress(json.dumps(body).encode())
    fake.add_reply(Reply(200, {"content-type": "application/json", "content-encoding": "gzip"}, raw))
    assert run(fake, stream=False) == "hello from the fake vendor"


def test_stream_with_a_wrong_content_type_is_still_read(fake: FakeVendor) -> None:
    raw = fake.encode_stream(ANSWER, probe(fake, True))
    fake.add_reply(Reply(200, {"content-type": "application/json"}, chunks=[raw]))
    assert run(fake, stream=True) == "hello from the fake vendor"


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.97])
def test_stream_cut_anywhere_is_a_typed_error(fake: FakeVendor, cut: float) -> None:
    raw = fake.encode_stream(ANSWER, probe(fake, True))
    fake.add_reply(
        Reply(200, {"content-type": "text/event-stream"}, chunks=[raw[: int(len(raw) * cut)]], drop=True)
    )
    with pytest.raises(TYPED):
        run(fake, stream=True)


def test_stream_ending_cleanly_before_its_final_message_is_a_typed_error(fake: FakeVendor) -> None:
    raw = fake.encode_stream(ANSWER, probe(fake, True))
    if isinstance(fake, FakeBedrock):
        from wireai.wire.eventstream import EventStreamDecoder, encode_message

        messages = EventStreamDecoder().feed(raw)
        kept = b"".join(encode_message(m.headers, m.payload) for m in messages[:2])
    else:
        events = raw.split(b"\n\n")
        kept = b"\n\n".join(events[:2]) + b"\n\n"
    fake.add_reply(Reply(200, {"content-type": "text/event-stream"}, chunks=[kept]))
    with pytest.raises(TYPED):
        run(fake, stream=True)


def with_future_fields(line: bytes) -> bytes:
    """An SSE `data:` line whose JSON object carries a field no codec knows (others unchanged)."""
    if not line.startswith(b"data: {"):
        return line
    data = json.loads(line[6:])
    data["a_field_from_the_future"] = {"nested": [1]}
    return b"data: " + json.dumps(data).encode()


def test_unknown_stream_events_and_fields_are_skipped(fake: FakeVendor) -> None:
    raw = fake.encode_stream(ANSWER, probe(fake, True))
    if isinstance(fake, FakeBedrock):
        from wireai.wire.eventstream import EventStreamDecoder, encode_message

        messages = EventStreamDecoder().feed(raw)
        future = encode_message(
            {":event-type": "aFutureEvent", ":content-type": "application/json", ":message-type": "event"},
            {"future": True},
        )
        frames = [
            encode_message(m.headers, {**json.loads(m.payload), "aFieldFromTheFuture": 1}) for m in messages
        ]
        raw = b"".join([frames[0], future, *frames[1:]])
    else:
        raw = b"\n".join(with_future_fields(line) for line in raw.split(b"\n"))
        first, rest = raw.split(b"\n\n", 1)
        future = b'event: a_future_event\ndata: {"type": "a_future_event", "future": true}\n\n'
        raw = first + b"\n\n" + future + b": a comment line\n\n" + rest
    assert raw.lower().count(b"future") > 2
    fake.add_reply(Reply(200, {"content-type": "text/event-stream"}, chunks=[raw]))
    assert run(fake, stream=True) == "hello from the fake vendor"


def test_invalid_utf8_inside_a_stream_is_replaced_or_a_typed_error(fake: FakeVendor) -> None:
    """SSE is decoded as the vendors' SDKs do (httpx: errors="replace"); Bedrock's frames are checked."""
    raw = fake.encode_stream(ANSWER, probe(fake, True))
    if isinstance(fake, FakeBedrock):
        from wireai.wire.eventstream import EventStreamDecoder, encode_message

        frames = [encode_message(m.headers, m.payload) for m in EventStreamDecoder().feed(raw)]
        raw = b"".join(frame.replace(b"hello", b"hel\xfflo") for frame in frames)  # payload CRC now wrong
        fake.add_reply(Reply(200, {"content-type": "application/vnd.amazon.eventstream"}, chunks=[raw]))
        with pytest.raises(TYPED):
            run(fake, stream=True)
        return
    fake.add_reply(
        Reply(200, {"content-type": "text/event-stream"}, chunks=[raw.replace(b"hello", b"hel\xfflo")])
    )
    assert run(fake, stream=True) == "hel\ufffdlo from the fake vendor"


def test_the_key_sent_never_shows_in_errors_reprs_or_history(fake: FakeVendor) -> None:
    secret = "sk-wireai-secret-0123456789"
    model = fake.model() if isinstance(fake, FakeVertex) else fake.model(api_key=secret)
    model.provider.max_retries = 0
    fake.add_error(401, message="Invalid credentials")
    if isinstance(fake, FakeVertex):
        fake.add_error(401, message="Invalid credentials")  # Google auth refreshes the token once on a 401
    fake.add_text("ok")
    with pytest.raises(ModelHTTPError) as info:
        Agent(model).run_sync("hi")
    result = Agent(model).run_sync("hi")
    sent = " ".join(fake.requests[0].headers.values())
    if isinstance(fake, FakeVertex):
        secret = fake.requests[0].headers["authorization"].removeprefix("Bearer ")  # the access token
    assert secret in sent + fake.requests[0].path  # it went on the wire...
    shown = [str(info.value), repr(info.value), repr(model), repr(model.provider), repr(Agent(model))]
    shown.append(result.all_messages_json().decode())
    assert [text for text in shown if secret in text] == []  # ...and nowhere else


UNSUPPORTED_MEDIA = {  # vendor -> (a MIME type it cannot take, what the UserError says)
    FakeOpenAI: ("video/mp4", "does not accept video/mp4"),
    FakeOpenAIResponses: ("video/mp4", "does not accept video/mp4 content"),
    FakeGroq: ("video/mp4", "does not accept video/mp4"),
    FakeAnthropic: ("video/mp4", "does not accept 'video/mp4'"),
    FakeMistral: ("video/mp4", "does not accept video/mp4"),
    FakeCohere: ("audio/wav", "not audio/wav"),
    FakeBedrock: ("application/x-made-up", "not 'application/x-made-up'"),
    # Gemini takes any MIME type inline (video, audio, documents): the API decides, so nothing to reject here.
}


@pytest.mark.parametrize("fake_class", list(UNSUPPORTED_MEDIA), ids=lambda cls: cls.__name__)
def test_binary_content_the_vendor_cannot_take_is_a_user_error_before_any_request(
    fake_class: type[FakeVendor],
) -> None:
    from wireai import UserError
    from wireai.messages import BinaryContent

    media_type, message = UNSUPPORTED_MEDIA[fake_class]
    with fake_class() as fake:
        fake.add_text("never sent")
        with pytest.raises(UserError, match=message):
            Agent(fake.model()).run_sync(["describe", BinaryContent(b"\x00\x01", media_type=media_type)])
        assert fake.requests == []
