"""The README's embeddings examples run as written (plain and traced), against a fake OpenAI reached through `OPENAI_BASE_URL`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from support import doc_block
from wireai import Embedder
from wireai.testing import FakeOpenAIEmbeddings

README = Path(__file__).resolve().parents[1] / "README.md"


def _example() -> str:
    return doc_block(README, "## Embeddings")


def test_readme_embeddings_example_runs_as_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAIEmbeddings() as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", f"{fake.url}/v1")
        exec(compile(_example(), "README.md", "exec"), {"__name__": "readme"})
        bodies = [r.json() for r in fake.requests]
    docs = bodies[0]["input"]
    assert bodies == [
        {"input": docs, "model": "text-embedding-3-small", "encoding_format": "base64", "dimensions": 256},
        {
            "input": ["Who made Python?"],
            "model": "text-embedding-3-small",
            "encoding_format": "base64",
            "dimensions": 256,
        },
    ]
    best, tokens = capsys.readouterr().out.rsplit(" ", 1)
    assert best in docs and int(tokens) == sum(len(d.split()) for d in docs)


def test_readme_traced_embeddings_example_prints_its_span(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from opentelemetry.sdk.trace import export

    class ConsoleSpanExporter(export.ConsoleSpanExporter):
        """The SDK's, writing to the `sys.stdout` of now: its default is the one of its first import,
        which may be an earlier test's captured (and closed) stream."""

        def __init__(self) -> None:
            super().__init__(out=sys.stdout)

    monkeypatch.setattr(export, "ConsoleSpanExporter", ConsoleSpanExporter)
    code = doc_block(README, "## Tracing, concurrency limits and rate-limit pacing", 1)
    with FakeOpenAIEmbeddings() as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", f"{fake.url}/v1")
        try:
            exec(compile(code, "README.md", "exec"), {"__name__": "readme_traced_embeddings"})
        finally:
            Embedder.instrument_all(False)
        [body] = [r.json() for r in fake.requests]
    assert body["input"] == ["first document", "second document"] and body["dimensions"] == 256
    span, _ = json.JSONDecoder().raw_decode(capsys.readouterr().out.strip())  # ConsoleSpanExporter's JSON
    assert span["name"] == "embeddings text-embedding-3-small" and span["kind"] == "SpanKind.CLIENT"
    attributes = span["attributes"]
    assert "inputs" not in attributes  # include_content=False
    assert {
        k: attributes[k] for k in ("gen_ai.operation.name", "inputs_count", "gen_ai.usage.input_tokens")
    } == {
        "gen_ai.operation.name": "embeddings",
        "inputs_count": 2,
        "gen_ai.usage.input_tokens": 4,
    }
    assert attributes["gen_ai.embeddings.dimension.count"] == 256
