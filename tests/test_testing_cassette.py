"""Record once against a "real" vendor (a loopback fake standing in for it), stop it, replay offline.

Replay runs the real codecs and transport: requests are matched against the cassette, then
answered by a loopback server with the recorded bytes. Secrets never reach the file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from wireai import Agent
from wireai.models.anthropic import AnthropicModel
from wireai.testing import FakeAnthropic, FakeBedrock, LoopbackServer, Reply
from wireai.testing.cassette import (
    REDACTED,
    Cassette,
    CassetteMismatchError,
    CassetteRecorder,
    CassetteReplayer,
    decode_body,
    encode_body,
    redact_headers,
    redact_url,
    use_cassette,
)

SECRET = "sk-ant-very-secret-key"


def claude(url: str) -> AnthropicModel:
    return AnthropicModel("claude-3-5-sonnet-latest", api_key=SECRET, base_url=url)


async def run_weather(model: AnthropicModel) -> tuple[str, str, list[str]]:
    calls: list[str] = []
    agent = Agent(model)

    @agent.tool_plain
    def get_weather(city: str) -> str:
        calls.append(city)
        return f"sunny in {city}"

    first = await agent.run("Weather in Paris?")
    async with agent.run_stream("And in Rome?") as run:
        second = await run.get_output()
    return first.output, second, calls


async def test_record_then_stop_the_server_then_replay(tmp_path: Path) -> None:
    path = tmp_path / "cassettes" / "weather.json"
    real = FakeAnthropic().start()
    real.add_tool_call("get_weather", {"city": "Paris"})
    real.add_text("Sunny in Paris.")
    real.add_text("Rome is warm, and this streamed answer comes in several events.")
    model = claude(real.url)
    with use_cassette(path, mode="once") as recorder:
        recorded = await run_weather(model)
    real.stop()
    assert isinstance(recorder, CassetteRecorder)
    assert recorded[0] == "Sunny in Paris." and recorded[2] == ["Paris"]
    assert len(Cassette.load(path).interactions) == 3

    with use_cassette(path, mode="once") as replayer:  # the file exists now: replay
        replayed = await run_weather(model)
    assert isinstance(replayer, CassetteReplayer)
    assert replayed == recorded
    assert replayer.used == [0, 1, 2] and replayer.unused == []
    assert len(real.requests) == 3  # nothing reached the stopped "vendor"


def test_cassette_is_human_readable_with_sse_as_text_lines_and_secrets_redacted(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    with FakeAnthropic() as real:
        real.add_text("hello")
        real.add_text("streamed hello")
        agent = Agent(claude(real.url))
        with use_cassette(path, mode="record"):
            agent.run_sync("hi")

            async def stream() -> None:
                async with agent.run_stream("hi again") as run:
                    await run.get_output()

            import anyio

            anyio.run(stream)
    text = path.read_text()
    assert SECRET not in text
    data = json.loads(text)
    assert data["format"] == 1 and text.startswith("{\n  ")
    first, second = data["interactions"]
    assert first["request"]["headers"]["x-api-key"] == REDACTED
    assert first["request"]["body"]["json"]["messages"][0]["content"][0]["text"] == "hi"
    assert first["response"]["body"]["json"]["content"] == [
        {"type": "text", "text": "hello", "citations": None}
    ]
    assert first["response"]["status"] == 200
    lines = second["response"]["body"]["text"]
    assert "event: message_start" in lines and "event: message_stop" in lines
    assert "content-length" not in first["response"]["headers"]


async def test_binary_event_stream_is_base64_and_replays(tmp_path: Path) -> None:
    path = tmp_path / "bedrock.json"
    async with FakeBedrock() as real:
        real.add_text("from bedrock, streamed")
        model = real.model()
        with use_cassette(path, mode="record"):
            async with Agent(model).run_stream("hi") as run:
                recorded = await run.get_output()
    body = Cassette.load(path).interactions[0]["response"]["body"]
    assert list(body) == ["base64"]
    with use_cassette(path, mode="replay"):
        async with Agent(model).run_stream("hi") as run:
            assert await run.get_output() == recorded == "from bedrock, streamed"


async def test_recorded_errors_replay_as_the_same_errors(tmp_path: Path) -> None:
    from wireai.exceptions import ModelHTTPError

    path = tmp_path / "err.json"
    async with FakeAnthropic() as real:
        real.add_error(401, message="invalid x-api-key")
        model = claude(real.url)
        with use_cassette(path, mode="record"), pytest.raises(ModelHTTPError) as recorded:
            await Agent(model).run("hi")
    with use_cassette(path, mode="replay"), pytest.raises(ModelHTTPError) as replayed:
        await Agent(model).run("hi")
    assert (replayed.value.status_code, replayed.value.body) == (
        recorded.value.status_code,
        recorded.value.body,
    )


async def test_unmatched_request_names_the_closest_recording(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    async with FakeAnthropic() as real:
        real.add_text("4")
        model = claude(real.url)
        with use_cassette(path, mode="record"):
            await Agent(model).run("What is 2+2?")
    with use_cassette(path, mode="replay"), pytest.raises(CassetteMismatchError) as caught:
        await Agent(model).run("What is 3+3?")
    message = str(caught.value)
    assert "no recorded request matches POST /v1/messages (matching on method, path, body)" in message
    assert "Closest recorded request: #0 POST /v1/messages" in message
    assert '-     "text": "What is 2+2?",' in message and '+     "text": "What is 3+3?",' in message


async def test_each_recording_plays_once_unless_repeats_are_allowed(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    async with FakeAnthropic() as real:
        real.add_text("once")
        model = claude(real.url)
        with use_cassette(path, mode="record"):
            await Agent(model).run("hi")
    with use_cassette(path, mode="replay"):
        await Agent(model).run("hi")
        with pytest.raises(CassetteMismatchError, match="already played"):
            await Agent(model).run("hi")
    with use_cassette(path, mode="replay", allow_repeats=True):
        for _ in range(2):
            assert (await Agent(model).run("hi")).output == "once"


async def test_match_on_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "q.json"
    async with FakeAnthropic() as real:
        real.add_text("any body will do")
        model = claude(real.url)
        with use_cassette(path, mode="record"):
            await Agent(model).run("first prompt")
    with use_cassette(path, mode="replay", match_on=("method", "path")):
        assert (await Agent(model).run("another prompt")).output == "any body will do"


def test_replay_without_a_cassette_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CassetteMismatchError, match="does not exist"):
        with use_cassette(tmp_path / "missing.json", mode="replay"):
            pass


# ------------------------------------------------------------------------------------- redaction


async def test_secret_headers_and_query_params_are_redacted(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    secrets = {
        "authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/bedrock/aws4_request, Signature=abc123",
        "x-api-key": "sk-ant-secret",
        "api-key": "azure-secret",
        "x-goog-api-key": "goog-secret",
        "x-amz-security-token": "session-secret",
    }
    with LoopbackServer(
        lambda r: Reply.json({"ok": True}, headers={"set-cookie": "session=cookie-secret"})
    ) as server:
        with use_cassette(path, mode="record"):
            async with httpx.AsyncClient() as client:
                await client.post(
                    f"{server.url}/v1beta/models/x:generateContent?key=query-secret&alt=sse",
                    headers={**secrets, "anthropic-version": "2023-06-01"},
                    json={"a": 1},
                )
            # Google token refresh goes through sync httpx: recorded (and redacted) too.
            with httpx.Client() as sync_client:
                sync_client.get(f"{server.url}/token?access_token=token-secret")
    text = path.read_text()
    for secret in [*secrets.values(), "query-secret", "token-secret", "cookie-secret"]:
        assert secret not in text
    first, second = Cassette.load(path).interactions
    assert {k: first["request"]["headers"][k] for k in secrets} == dict.fromkeys(secrets, REDACTED)
    assert first["request"]["headers"]["anthropic-version"] == "2023-06-01"  # harmless headers stay
    assert first["request"]["url"].endswith("/v1beta/models/x:generateContent?key=REDACTED&alt=sse")
    assert first["response"]["headers"]["set-cookie"] == REDACTED
    assert second["request"]["url"].endswith("/token?access_token=REDACTED")


def test_extra_redacted_headers_and_url_helper() -> None:
    assert (
        redact_url("https://h/p?alt=sse&X-Amz-Signature=s&key=k")
        == "https://h/p?alt=sse&X-Amz-Signature=REDACTED&key=REDACTED"
    )
    assert redact_url("https://h/p") == "https://h/p"
    headers = [
        ("X-Tenant-Token", "t"),
        ("Authorization", "Bearer b"),
        ("Accept", "json"),
        ("Content-Length", "3"),
    ]
    assert redact_headers(headers, extra=["x-tenant-token"]) == {
        "x-tenant-token": REDACTED,
        "authorization": REDACTED,
        "accept": "json",
    }


@pytest.mark.parametrize(
    ("raw", "ctype", "kind"),
    [
        (b'{"a":1}', "application/json", "json"),
        (b"event: x\ndata: {}\n\n", "text/event-stream", "text"),
        (b"\x00\x00\x00\x10binary", "application/vnd.amazon.eventstream", "base64"),
        ("héllo\r\nwörld".encode(), "text/plain", "text"),
        (b"", "application/json", None),
    ],
)
def test_bodies_round_trip_through_the_readable_encoding(raw: bytes, ctype: str, kind: str | None) -> None:
    spec = encode_body(raw, ctype)
    assert list(spec) == ([kind] if kind else [])
    assert decode_body(spec) == raw


# ------------------------------------------------------------------------------------- the pytest plugin


USER_TEST = """
import os
import pytest
from wireai import Agent
from wireai.models.anthropic import AnthropicModel

@pytest.mark.wireai_cassette
def test_user_agent():
    model = AnthropicModel("claude-3-5-sonnet-latest", api_key="sk-user-secret", base_url=os.environ["REAL_URL"])
    assert Agent(model).run_sync("Capital of France?").output == "Paris."

def test_unmarked_does_nothing(request):
    assert "wireai_cassette" not in request.fixturenames
"""


def run_pytest(directory: Path, *args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REAL_URL": url, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            str(directory),
            *args,
        ],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_pytest_plugin_records_with_the_marker_then_replays_offline(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(textwrap.dedent(USER_TEST))
    real = FakeAnthropic().start()
    real.add_text("Paris.")
    url = real.url
    recorded = run_pytest(tmp_path, "--wireai-record", url=url)
    real.stop()
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    cassette = tmp_path / "cassettes" / "test_user_agent.json"
    assert cassette.exists()
    assert "sk-user-secret" not in cassette.read_text()
    assert sorted(p.name for p in (tmp_path / "cassettes").iterdir()) == ["test_user_agent.json"]

    replayed = run_pytest(tmp_path, "--wireai-cassette-mode=replay", url=url)  # the vendor is gone
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert len(real.requests) == 1


def test_plugin_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, wireai.testing.pytest_plugin, wireai.testing\n"
        "heavy = [m for m in sys.modules if m.startswith(('wireai.models.', 'wireai.codecs', 'wireai.testing.fakes',"
        " 'wireai.testing.cassette', 'botocore', 'google'))]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
