"""Test LLM code on the real wire, offline: fake vendors, record/replay cassettes, a re-chunking fuzzer.

Names are imported on first use, so `import wireai.testing` (and the pytest plugin that loads in
every test run) stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .batches import FakeBatches
    from .cassette import (
        Cassette,
        CassetteMismatchError,
        CassetteRecorder,
        CassetteReplayer,
        redact_headers,
        redact_url,
    )
    from .embeddings import (
        FakeAzureEmbeddings,
        FakeBedrockEmbeddings,
        FakeCohereEmbeddings,
        FakeEmbeddingVendor,
        FakeGeminiEmbeddings,
        FakeMistralEmbeddings,
        FakeOpenAIEmbeddings,
        FakeVertexEmbeddings,
        FakeVoyageAIEmbeddings,
        fake_embedding_vendor,
    )
    from .fakes import (
        FakeAnthropic,
        FakeAzure,
        FakeBedrock,
        FakeCohere,
        FakeGemini,
        FakeGoogleCredentials,
        FakeGroq,
        FakeMistral,
        FakeOpenAI,
        FakeOpenAIResponses,
        FakeVendor,
        FakeVertex,
        fake_vendor,
    )
    from .fixtures import ReplayServer, load_case
    from .ratelimit import RateLimitedAnthropic, RateLimitedOpenAI
    from .rechunk import parse_chunks, rechunk, split_events, stream_rechunked
    from .server import LoopbackServer, RecordedRequest, Reply

_WHERE: dict[str, str] = {
    **dict.fromkeys(
        [
            "FakeAnthropic",
            "FakeAzure",
            "FakeBedrock",
            "FakeCohere",
            "FakeGemini",
            "FakeGoogleCredentials",
            "FakeGroq",
            "FakeMistral",
            "FakeOpenAI",
            "FakeOpenAIResponses",
            "FakeVendor",
            "FakeVertex",
            "fake_vendor",
        ],
        ".fakes",
    ),  # fmt: skip
    **dict.fromkeys(
        [
            "Cassette",
            "CassetteMismatchError",
            "CassetteRecorder",
            "CassetteReplayer",
            "redact_headers",
            "redact_url",
            "use_cassette",
        ],
        ".cassette",
    ),
    **dict.fromkeys(
        [
            "FakeAzureEmbeddings",
            "FakeBedrockEmbeddings",
            "FakeCohereEmbeddings",
            "FakeEmbeddingVendor",
            "FakeGeminiEmbeddings",
            "FakeMistralEmbeddings",
            "FakeOpenAIEmbeddings",
            "FakeVertexEmbeddings",
            "FakeVoyageAIEmbeddings",
            "fake_embedding_vendor",
        ],
        ".embeddings",
    ),
    "FakeBatches": ".batches",
    **dict.fromkeys(["parse_chunks", "rechunk", "split_events", "stream_rechunked"], ".rechunk"),
    **dict.fromkeys(["LoopbackServer", "RecordedRequest", "Reply"], ".server"),
    **dict.fromkeys(["ReplayServer", "load_case"], ".fixtures"),
    **dict.fromkeys(["RateLimitedAnthropic", "RateLimitedOpenAI"], ".ratelimit"),
}

__all__ = [
    "Cassette",
    "CassetteMismatchError",
    "CassetteRecorder",
    "CassetteReplayer",
    "FakeAnthropic",
    "FakeAzure",
    "FakeAzureEmbeddings",
    "FakeBatches",
    "FakeBedrock",
    "FakeBedrockEmbeddings",
    "FakeCohere",
    "FakeCohereEmbeddings",
    "FakeEmbeddingVendor",
    "FakeGemini",
    "FakeGeminiEmbeddings",
    "FakeGoogleCredentials",
    "FakeGroq",
    "FakeMistral",
    "FakeMistralEmbeddings",
    "FakeOpenAI",
    "FakeOpenAIEmbeddings",
    "FakeOpenAIResponses",
    "FakeVendor",
    "FakeVertex",
    "FakeVertexEmbeddings",
    "FakeVoyageAIEmbeddings",
    "LoopbackServer",
    "RateLimitedAnthropic",
    "RateLimitedOpenAI",
    "RecordedRequest",
    "Reply",
    "ReplayServer",
    "fake_embedding_vendor",
    "fake_vendor",
    "load_case",
    "parse_chunks",
    "rechunk",
    "redact_headers",
    "redact_url",
    "split_events",
    "stream_rechunked",
    "use_cassette",
]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
