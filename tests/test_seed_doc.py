"""Every example of the PydanticAI models page (the seed) runs with `pydantic_ai` replaced by `wireai`.

The page lives in ../shared/seed (absent from a user's clone: the module is skipped, and fails
under CI=true). Vendor URLs in the
examples are pointed at one loopback server that answers as OpenAI or Anthropic would; the
examples' printed `#>` lines must match what wireai prints.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import re
import sys
import types
from typing import Any

import pytest

from support import SHARED, require_shared
from wireai.testing.server import LoopbackServer, RecordedRequest, Reply

SEED = SHARED / "seed" / "models-doc.txt"
require_shared(SEED, "the seed-doc examples")


def examples() -> list[str]:
    blocks: list[str] = []
    for block in re.findall(r"```\n(.*?)```", SEED.read_text(), re.S):
        if "pydantic_ai" in block and block not in blocks:
            blocks.append(block)
    return blocks


def vendor(request: RecordedRequest) -> Reply:
    """OpenAI chat completions and Anthropic messages, as the seed's examples need them."""
    body = request.json()
    if request.url_path.endswith("/chat/completions"):
        if request.headers.get("authorization") == "Bearer not-valid":
            error = {
                "message": "Incorrect API key provided",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }
            return Reply.json({"error": error}, 401)
        if body.get("tools"):
            call = {
                "id": "call_1",
                "type": "function",
                "function": {
                    "name": "final_result",
                    "arguments": json.dumps({"city": "London", "country": "United Kingdom"}),
                },
            }
            message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [call]}
            finish = "tool_calls"
        else:
            message, finish = {"role": "assistant", "content": "Paris"}, "stop"
        return Reply.json(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1,
                "model": body["model"],
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": 57, "completion_tokens": 8, "total_tokens": 65},
            }
        )
    if request.url_path == "/v1/messages":
        if request.headers.get("x-api-key") == "not-valid":
            return Reply.json(
                {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}},
                401,
            )
        return Reply.json(
            {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [{"type": "text", "text": "Paris"}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": 10, "output_tokens": 1},
            }
        )
    return Reply.json({"error": {"message": f"unexpected path {request.path}"}}, 404)


def _stand_in(name: str) -> types.ModuleType:
    """What the seed uses of the `openai` / `boto3` SDKs, for machines without them."""
    module = types.ModuleType(name)
    if name == "boto3":
        import botocore.session

        def client(service: str, **kwargs: Any) -> Any:  # what boto3.client does: a botocore client
            return botocore.session.get_session().create_client(service, **kwargs)

        module.client = client  # type: ignore[attr-defined]
    else:

        class AsyncAzureOpenAI:  # the attributes the real client keeps
            def __init__(self, *, azure_endpoint: str, api_version: str, api_key: str) -> None:
                self._azure_endpoint = azure_endpoint
                self._api_version = api_version
                self.api_key = api_key
                self.base_url = f"{azure_endpoint.rstrip('/')}/openai/"

        module.AsyncAzureOpenAI = AsyncAzureOpenAI  # type: ignore[attr-defined]
    return module


@pytest.fixture(scope="module")
def server() -> Any:
    with LoopbackServer(vendor) as s:
        yield s


@pytest.mark.parametrize(
    "code", examples(), ids=lambda c: re.sub(r"\W+", "_", c.split("agent = ")[0][-60:]).strip("_")[-40:]
)
def test_seed_example_runs_unchanged(
    code: str, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in re.findall(r"^(?:from|import) (openai|boto3)\b", code, re.M):
        if importlib.util.find_spec(module) is None:
            # wireai never imports these SDKs; the examples only hand their client objects over.
            monkeypatch.setitem(sys.modules, module, _stand_in(module))
    if "except*" in code and sys.version_info < (3, 11):
        pytest.skip("except* needs Python 3.11")
    env = {
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": server.url + "/v1",
        "ANTHROPIC_API_KEY": "anthropic-test",
        "ANTHROPIC_BASE_URL": server.url,
        "GEMINI_API_KEY": "gemini-test",
        "GROQ_API_KEY": "groq-test",
        "MISTRAL_API_KEY": "mistral-test",
        "CO_API_KEY": "cohere-test",
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_REGION": "us-east-1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    source = code.replace("pydantic_ai", "wireai")
    # Local servers in the examples (Ollama) become our loopback server.
    source = re.sub(r"http://(localhost|192\.168\.1\.74):11434", server.url, source)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<seed example>", "exec"), {"__name__": "seed_example"})
    expected = [line[3:] for line in code.splitlines() if line.startswith("#> ")]
    printed = out.getvalue().splitlines()
    for line in expected:
        assert line in printed, f"expected the example to print {line!r}, it printed {printed}"
    usage = re.search(r'"""\n(Usage\(.*\))\n"""', code)
    if usage:
        assert usage.group(1) in printed
    if "except*" in code or "catch(" in code:
        assert [p[:16] for p in printed] == ["status_code: 401"] * 2
