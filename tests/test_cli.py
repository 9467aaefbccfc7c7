"""The `wireai` command: exact stdout/stderr and exit codes, real providers over loopback HTTP."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import wireai
from support import assert_protocol_valid, assert_spec_valid
from wireai.cli import PROVIDERS, known_models, main
from wireai.messages import ModelResponse, TextPart
from wireai.testing.encoders import openai_chat
from wireai.testing.server import LoopbackServer, Reply
from wireai.usage import RequestUsage


def _stream_reply(text: str, input_tokens: int = 11, output_tokens: int = 5) -> Reply:
    response = ModelResponse(
        [TextPart(text)],
        usage=RequestUsage(input_tokens=input_tokens, output_tokens=output_tokens),
        finish_reason="stop",
    )
    body = openai_chat.encode_stream(response, model="gpt-4o", fragment=4)
    chunks: list[bytes | float] = [piece + b"\n\n" for piece in body.split(b"\n\n") if piece]
    return Reply(200, {"content-type": "text/event-stream"}, chunks=chunks)


@pytest.fixture
def openai_env(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Point the OpenAI provider at a loopback server through its documented env vars."""

    def start(handler: Any) -> LoopbackServer:
        server = LoopbackServer(handler).start()
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-test")
        return server

    servers: list[LoopbackServer] = []
    yield lambda handler: servers.append(start(handler)) or servers[-1]
    for server in servers:
        server.stop()


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


# ---------------------------------------------------------------------------------------------- basics


def test_version_comes_from_the_package(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"wireai {wireai.__version__}\n"


@pytest.mark.parametrize(
    "argv", [["--help"], ["demo", "--help"], ["run", "--help"], ["chat", "--help"], ["models", "--help"]]
)
def test_help_everywhere(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: wireai")


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("usage: wireai")


def test_run_without_model_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "hello"])
    assert exit_info.value.code == 2
    assert "-m/--model" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- run -m test


def test_run_test_model_streams_offline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "-m", "test", "hello"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "success (no tool calls)\n"
    assert captured.err == "usage: 51 input + 4 output tokens in 1 request\n"


@pytest.mark.parametrize("argv", [["run", "-m", "test"], ["run", "-m", "test", "-"]])
def test_run_reads_the_prompt_from_stdin(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "hello from stdin\n")
    assert main(argv) == 0
    assert capsys.readouterr().out == "success (no tool calls)\n"


def test_empty_prompt_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "  \n")
    assert main(["run", "-m", "test"]) == 2
    assert capsys.readouterr().err == "wireai: error: empty prompt: pass it as an argument or on stdin\n"


def test_run_with_output_schema_prints_a_json_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = {
        "title": "City",
        "type": "object",
        "properties": {"name": {"type": "string"}, "population": {"type": "integer"}},
        "required": ["name", "population"],
    }
    path = tmp_path / "city.json"
    path.write_text(json.dumps(schema))
    assert main(["run", "-m", "test", "--output-schema", str(path), "Biggest city?"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert set(output) == {"name", "population"}
    assert isinstance(output["name"], str) and isinstance(output["population"], int)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read --output-schema"),
        ("{not json", "is not JSON"),
        ('{"type": "array"}', "must be a JSON Schema of an object"),
    ],
)
def test_bad_output_schema_is_a_one_line_error(
    content: str | None, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "schema.json"
    if content is not None:
        path.write_text(content)
    assert main(["run", "-m", "test", "--output-schema", str(path), "hi"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wireai: error: ") and message in err and err.count("\n") == 1


# ---------------------------------------------------------------------------------------------- configuration errors


def test_missing_key_names_the_env_var(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert main(["run", "-m", "openai:gpt-4o", "hi"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "wireai: error: Set the `OPENAI_API_KEY` environment variable or pass `api_key=` to use the openai provider\n"
    )


@pytest.mark.parametrize(
    ("model", "env"),
    [("anthropic:claude-3-5-sonnet-latest", "ANTHROPIC_API_KEY"), ("mistral:mistral-large-latest", "MISTRAL_API_KEY"),
     ("groq:llama-3.3-70b-versatile", "GROQ_API_KEY"), ("google-gla:gemini-2.0-flash", "GEMINI_API_KEY")],
)  # fmt: skip
def test_missing_key_for_other_vendors(
    model: str, env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for info in PROVIDERS:
        for group in info.env:
            for var in group:
                monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("GROQ_BASE_URL", raising=False)
    assert main(["chat", "-m", model]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wireai: error: ") and f"`{env}`" in err and err.count("\n") == 1


def test_unknown_model_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "-m", "nope:model", "hi"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wireai: error: Unknown model provider 'nope'") and err.count("\n") == 1


# ---------------------------------------------------------------------------------------------- real provider over loopback


def test_run_streams_a_real_provider_and_prints_usage(
    openai_env: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    server = openai_env(lambda request: _stream_reply("Hello over the wire."))
    assert main(["run", "-m", "openai:gpt-4o", "--system", "Be brief.", "Say hello"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "Hello over the wire.\n"
    assert captured.err == "usage: 11 input + 5 output tokens in 1 request\n"
    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-cli-test"
    body = request.json()
    assert body == {
        "model": "gpt-4o",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    assert_protocol_valid("openai_chat", body)
    assert_spec_valid("openai", body)


def test_run_vendor_http_error_is_one_line_exit_1(
    openai_env: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    error = {"error": {"message": "Incorrect API key provided: sk-cli-test", "type": "invalid_request_error",
                       "param": None, "code": "invalid_api_key"}}  # fmt: skip
    openai_env(lambda request: Reply.json(error, 401))
    assert main(["run", "-m", "openai:gpt-4o", "hi"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "wireai: error: gpt-4o: HTTP 401: Incorrect API key provided: sk-cli-test\n"


def test_chat_keeps_history_until_exit(
    openai_env: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["Hi, I am here.", "You said hello before."])
    server = openai_env(lambda request: _stream_reply(next(answers)))
    _stdin(monkeypatch, "hello\n\nwhat did I say?\n/exit\nnever sent\n")
    assert main(["chat", "-m", "openai:gpt-4o"]) == 0
    assert capsys.readouterr().out == "Hi, I am here.\nYou said hello before.\n"
    assert len(server.requests) == 2
    assert server.requests[1].json()["messages"] == [
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "Hi, I am here."},
        {"role": "user", "content": "what did I say?"},
    ]
    for request in server.requests:
        assert_protocol_valid("openai_chat", request.json())
        assert_spec_valid("openai", request.json())


def test_chat_ends_at_end_of_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "one\ntwo")
    assert main(["chat", "-m", "test"]) == 0
    assert capsys.readouterr().out == "success (no tool calls)\nsuccess (no tool calls)\n"


# ---------------------------------------------------------------------------------------------- models


def test_models_lists_every_provider_and_known_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    names = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert [n.split()[0] for n in names] == [p.name for p in PROVIDERS] + ["test"]
    for prefix, models in known_models().items():
        for name in models:
            assert f"    {prefix}:{name}\n" in out


def test_every_provider_class_is_in_the_table() -> None:
    from wireai.providers import _PROVIDERS, infer_provider_class

    assert {infer_provider_class(name).name for name in _PROVIDERS} == {p.name for p in PROVIDERS}


def test_readme_providers_table_lists_every_chat_provider() -> None:
    """Issue 22: the README's providers table names every provider `wireai models` shows (the
    embeddings-only ones are in the embeddings table)."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme.split("\n## Providers\n", 1)[1].split("\n## ", 1)[0]
    listed = {
        n
        for line in section.splitlines()
        if line.startswith("| `")
        for n in re.findall(r"`([a-z0-9-]+)`", line.split("|")[1])
    }
    chat = {p.name for p in PROVIDERS if not p.note.startswith("embeddings only")}
    assert chat - listed == set()


def test_table_env_vars_match_the_providers() -> None:
    """OpenAI-family providers declare their key env vars; the table must say the same."""
    from wireai.providers import infer_provider_class

    for info in PROVIDERS:
        cls = infer_provider_class(info.name)
        declared = getattr(cls, "api_key_env", None)
        # Hosts that need no key (Ollama, a LiteLLM proxy) list what they do need first.
        if declared and info.name != "azure" and not getattr(cls, "key_optional", False):
            assert info.env[0] == tuple(declared), info.name


def test_models_marks_set_env_vars_without_printing_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-very-secret")
    assert main(["models", "anthropic"]) == 0
    out = capsys.readouterr().out
    assert "sk-ant-very-secret" not in out
    assert out.splitlines()[:2] == ["anthropic", "  env: ANTHROPIC_API_KEY [set]"]
    assert "openai" not in out


def test_models_accepts_prefix_aliases(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "gemini"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "google-gla"
    assert main(["models", "xai"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "xai",
        "  env: XAI_API_KEY [not set]",
        "  note: also xai-responses:<model> (web search runs there)",
        "    xai:grok-3",
        "    xai:grok-4",
        "    xai-responses:grok-4",
    ]


def test_models_unknown_provider(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "nope"]) == 2
    assert capsys.readouterr().err.startswith("wireai: error: unknown provider 'nope'; known: openai, azure")


def test_models_extras_are_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "bedrock"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "bedrock  (pip install 'wireai[bedrock]')"


# ---------------------------------------------------------------------------------------------- demo via the CLI


def test_demo_subset_via_main(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "anthropic", "ollama"]) == 0
    out = capsys.readouterr().out
    assert "2/2 vendors OK" in out


def test_demo_unknown_vendor(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "nope"]) == 2
    assert capsys.readouterr().err.startswith("wireai demo: unknown vendor nope; known: openai, ")


# ---------------------------------------------------------------------------------------------- process level


def test_console_module_runs_in_a_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wireai.cli", "run", "-m", "test", "hello"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, "success (no tool calls)\n")
    assert done.stderr == "usage: 51 input + 4 output tokens in 1 request\n"


def test_import_wireai_does_not_import_the_cli_or_demo() -> None:
    code = "import sys, wireai; print(sorted(m for m in sys.modules if m.startswith(('wireai.cli', 'wireai._demo'))))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]"
