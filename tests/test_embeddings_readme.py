"""The README's embeddings example runs as written, against a fake OpenAI reached through `OPENAI_BASE_URL`."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import doc_block
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
