"""The sans-I/O codec contract (docs/codecs.md): every protocol module has the same four names,
imports and runs where httpx/httpcore/anyio cannot be imported, and can be driven by a transport
that is not wireai's — the two complete examples in docs/codecs.md run here against loopback fakes."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wireai.codecs._base import BaseStreamParser, json_bytes
from wireai.exceptions import UnexpectedModelBehavior
from wireai.messages import ModelRequest, ModelResponse, TextPart, UserPromptPart
from wireai.models import ModelRequestParameters
from wireai.testing import FakeAnthropic, FakeOpenAI

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PROTOCOLS = ("openai_chat", "openai_responses", "anthropic", "gemini", "mistral", "cohere", "bedrock")
# One JSON and one stream fixture per protocol, each answering a plain text question.
FIXTURES = {
    "openai_chat": ("text", "stream_text"),
    "openai_responses": ("text", "stream_reasoning_text_tool"),
    "anthropic": ("text", "stream_text"),
    "gemini": ("text", "stream_text"),
    "mistral": ("text", "stream_text"),
    "cohere": ("text", "stream_text"),
    "bedrock": ("text", "stream_text"),
}

# Blocks httpx, httpcore and anyio in a subprocess, the way a stdlib-only program runs.
BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('httpx', 'httpcore', 'anyio'):
            raise ImportError(name + ' is blocked in this test')
sys.meta_path.insert(0, Block())
"""


def run_python(code: str, env: dict[str, str] | None = None, *, block_http: bool = False) -> str:
    script = (BLOCKER if block_http else "") + code
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(SRC), **(env or {})},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_codec_has_the_same_four_names(protocol: str) -> None:
    codec = importlib.import_module(f"wireai.codecs.{protocol}")
    build = inspect.signature(codec.build_request)
    assert list(build.parameters)[:3] == ["messages", "params", "settings"]
    assert {"model", "stream", "profile"} <= {
        n for n, p in build.parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    parse = inspect.signature(codec.parse_response)
    assert list(parse.parameters)[0] == "body" and {"model_name", "profile"} <= set(parse.parameters)
    error = inspect.signature(codec.parse_error)
    assert list(error.parameters)[:3] == ["status_code", "body", "headers"]
    assert "model_name" in error.parameters
    assert issubclass(codec.StreamParser, BaseStreamParser)
    parser = inspect.signature(codec.StreamParser)
    assert list(parser.parameters)[0] == "params" and {"model_name", "profile"} <= set(parser.parameters)


@pytest.mark.parametrize("path", sorted((SRC / "wireai" / "codecs").rglob("*.py")), ids=lambda p: p.name)
def test_no_codec_module_is_over_700_lines(path: Path) -> None:
    assert len(path.read_text("utf-8").splitlines()) <= 700


def test_every_codec_builds_parses_and_streams_with_httpx_httpcore_and_anyio_blocked() -> None:
    code = f"""
import importlib, json
from wireai.messages import ModelRequest, UserPromptPart
from wireai.codecs import ModelRequestParameters
from wireai.testing.fixtures import load_case

report = {{}}
for protocol, (json_case, stream_case) in {FIXTURES!r}.items():
    codec = importlib.import_module("wireai.codecs." + protocol)
    request = codec.build_request(
        [ModelRequest([UserPromptPart("hi")])], ModelRequestParameters(), {{"max_tokens": 10}},
        model="some-model", stream=True,
    )
    assert json.loads(request.content()) == request.body and request.method == "POST"
    body = load_case(protocol, json_case).exchanges[0].raw_body()
    answer = codec.parse_response(body, model_name="some-model")
    raw = load_case(protocol, stream_case).exchanges[0].raw_body()
    parser = codec.StreamParser(ModelRequestParameters(), model_name="some-model")
    events = [e for i in range(0, len(raw), 7) for e in parser.feed(raw[i:i + 7])]
    streamed = parser.close()
    error = codec.parse_error(429, b'{{"error": "slow down"}}', {{"retry-after": "2"}}, model_name="m")
    report[protocol] = [request.path, bool(answer.parts), bool(events), bool(streamed.parts), error.retry_after]
import sys
assert not [m for m in sys.modules if m.split(".")[0] in ("httpx", "httpcore", "anyio")]
# The codecs sit below the models, providers and transport: none of those layers is loaded.
assert not [m for m in sys.modules if m.startswith(("wireai.models", "wireai.providers", "wireai.transport"))]
print(json.dumps(report))
"""
    report = json.loads(run_python(code, block_http=True))
    assert set(report) == set(PROTOCOLS)
    for protocol, (path, parsed, events, streamed, retry_after) in report.items():
        assert path and not path.startswith("/"), protocol
        assert (parsed, events, streamed, retry_after) == (True, True, True, 2.0), protocol


def test_a_codec_bug_on_a_valid_body_names_the_codec_function_and_chains_the_cause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wireai.codecs.openai_chat import response as chat_response
    from wireai.models.openai import OpenAIChatModel

    def broken_usage(usage: Any) -> Any:
        raise KeyError("prompt_tokens")

    monkeypatch.setattr(chat_response, "parse_usage", broken_usage)
    model = OpenAIChatModel("gpt-4o", api_key="k", base_url="http://127.0.0.1:9/v1")
    body = b'{"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}], "usage": {}}'
    with pytest.raises(UnexpectedModelBehavior) as info:
        model.parse_response(body)
    assert "KeyError in codecs.openai_chat.response.read_completion:" in str(info.value)
    assert isinstance(info.value.__cause__, KeyError)


def test_a_cut_stream_keeps_what_arrived_on_the_error() -> None:
    from wireai.codecs import openai_chat

    parser = openai_chat.StreamParser(model_name="m")
    parser.feed(b'data: {"choices": [{"index": 0, "delta": {"content": "Half an ans"}}]}\n\ndata: {"choi')
    with pytest.raises(UnexpectedModelBehavior) as info:
        parser.close()
    assert info.value.response is not None and info.value.response.parts == [TextPart("Half an ans")]
    assert parser.get().parts == [TextPart("Half an ans")]


def test_iter_feed_applies_one_frame_per_event_taken_so_get_never_runs_ahead() -> None:
    """A whole stream in one chunk: after the first event, `get()` holds only what that event said.
    (With `feed()`, every frame is applied before the events come back; a streamed response whose
    consumer reads `get()` between events would see the text twice.)"""
    from wireai.codecs import anthropic
    from wireai.messages import PartStartEvent
    from wireai.testing.encoders import anthropic as encoder

    raw = encoder.encode_stream(ModelResponse([TextPart("Paris is the capital.")]), chunk_size=5)
    parser = anthropic.StreamParser(model_name="m")
    events = parser.iter_feed(raw)
    first = next(events)
    assert isinstance(first, PartStartEvent) and first.part == TextPart("Paris")
    assert parser.get().parts == [TextPart("Paris")]
    assert [e.delta.content_delta for e in events] == [" is t", "he ca", "pital", "."]  # type: ignore[union-attr]
    assert parser.close().parts == [TextPart("Paris is the capital.")]


def test_a_streamed_agent_run_reads_a_stream_sent_in_one_chunk_once() -> None:
    from wireai import Agent
    from wireai.models.anthropic import AnthropicModel
    from wireai.testing.encoders import anthropic as encoder
    from wireai.testing.server import LoopbackServer, Reply

    raw = encoder.encode_stream(ModelResponse([TextPart("Paris is the capital of France.")]), chunk_size=3)
    with LoopbackServer(lambda request: Reply(200, {"content-type": "text/event-stream"}, raw)) as server:
        agent = Agent(AnthropicModel("claude-sonnet-4-5", api_key="k", base_url=server.url))

        async def main() -> tuple[list[str], str]:
            async with agent.run_stream("Capital of France?") as result:
                return [t async for t in result.stream_text(delta=True)], await result.get_output()

        import asyncio

        pieces, output = asyncio.run(main())
    assert "".join(pieces) == output == "Paris is the capital of France."


def test_flush_returns_the_events_of_an_unterminated_last_frame() -> None:
    from wireai.codecs import openai_chat

    parser = openai_chat.StreamParser(model_name="m")
    assert (
        parser.feed(
            b'data: {"choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": "stop"}]}\n'
        )
        == []
    )
    events = parser.flush()
    assert len(events) == 1 and parser.close().parts == [TextPart("Hi")]


# ------------------------------------------------------------------------------------------ docs/codecs.md


def doc_blocks() -> dict[str, str]:
    """The python blocks of docs/codecs.md: the marked complete examples by name, the rest numbered."""
    text = (ROOT / "docs" / "codecs.md").read_text("utf-8")
    blocks: dict[str, str] = {}
    for n, match in enumerate(
        re.finditer(r"(?:<!-- example: (?P<name>[\w-]+) -->\n)?```python\n(.*?)```", text, re.S)
    ):
        blocks[match["name"] or f"block{n}"] = match[2]
    return blocks


def test_the_worked_examples_in_the_docs_run() -> None:
    blocks = doc_blocks()
    for name in ("block1", "block2"):  # block0 is the contract listing, not code to run
        exec(compile(textwrap.dedent(blocks[name]), f"docs/codecs.md:{name}", "exec"), {})


def test_the_urllib_example_runs_with_no_http_library_against_a_loopback_fake() -> None:
    with FakeOpenAI() as fake:
        fake.add_text("Paris.")
        fake.add_text("Paris, the capital.")
        out = run_python(
            doc_blocks()["urllib"],
            {"OPENAI_BASE_URL": fake.url + "/v1", "OPENAI_API_KEY": "sk-test"},
            block_http=True,
        )
    lines = out.splitlines()
    assert lines[0] == "Paris. 10 5"
    assert lines[1] == "Paris, the capital."
    assert json.loads(lines[2]) == {"text": "Paris, the capital.", "finish_reason": "stop"}
    first, second = fake.requests
    assert (first.path, first.headers["authorization"]) == ("/v1/chat/completions", "Bearer sk-test")
    assert first.json() == {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "What is the capital of France?"}],
        "max_tokens": 100,
    }
    assert second.json()["stream"] is True


def test_the_sync_httpx_example_streams_from_a_loopback_fake() -> None:
    with FakeAnthropic() as fake:
        fake.add_text("Why did the chicken cross the road?")
        out = run_python(
            doc_blocks()["httpx-sync"], {"ANTHROPIC_BASE_URL": fake.url, "ANTHROPIC_API_KEY": "sk-ant-test"}
        )
    assert out.splitlines() == ["Why did the chicken cross the road?", "stop 5"]
    request = fake.requests[0]
    assert (request.path, request.headers["x-api-key"]) == ("/v1/messages", "sk-ant-test")
    assert request.headers["anthropic-version"] == "2023-06-01"  # from the codec, not the caller
    assert request.json()["stream"] is True


def test_a_codec_request_is_exactly_what_the_model_sends() -> None:
    """HTTPModel drives the public contract: the bytes a user builds by hand are the bytes wireai sends."""
    from wireai.codecs import openai_chat

    messages = [ModelRequest([UserPromptPart("hi")])]
    with FakeOpenAI() as fake:
        fake.add_text("hello")
        model = fake.model("gpt-4o")
        import asyncio

        asyncio.run(model.request(messages, {"temperature": 0.2}, ModelRequestParameters()))
    by_hand = openai_chat.build_request(
        messages, ModelRequestParameters(), {"temperature": 0.2}, model="gpt-4o", profile=model.profile
    )
    assert fake.requests[0].body == by_hand.content()


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(_json_values)
def test_a_body_is_encoded_byte_for_byte_as_json_dumps_would(value: Any) -> None:
    # json_bytes calls the C encoder directly (issue 23); the bytes on the wire must not change.
    assert json_bytes(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def test_a_body_json_cannot_encode_fails_as_json_dumps_does_and_the_next_body_still_encodes() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        json_bytes({"a": [1, object()]})
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="Circular reference"):
        json_bytes({"a": cyclic})
    shared = [1]
    assert json_bytes({"a": shared, "b": shared, "c": "é"}) == '{"a":[1],"b":[1],"c":"é"}'.encode()
