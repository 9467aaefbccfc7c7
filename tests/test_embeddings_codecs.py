"""The embedding codecs alone: exact bytes built, settings a vendor cannot honour refused, bodies checked.

No I/O here: `build_request` -> `WireRequest`, `parse_response(bytes)` -> `EmbeddingResult`, and
the planning helpers that split a large call.
"""

from __future__ import annotations

import base64
import json
import struct
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from support import assert_spec_valid
from wireai.codecs.embeddings import (
    RequestLimits,
    bedrock,
    cohere,
    estimate_tokens,
    gemini,
    merge_results,
    openai,
    plan_chunks,
)
from wireai.embeddings import EmbeddingResult
from wireai.exceptions import UnexpectedModelBehavior, UserError
from wireai.usage import RequestUsage


def test_every_embedding_codec_imports_without_httpx_httpcore_or_anyio() -> None:
    """Sans-I/O: another transport (sync httpx, urllib, aiohttp) can drive these codecs."""
    code = textwrap.dedent(
        """
        import importlib, importlib.abc, pkgutil, sys
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] in ('httpx', 'httpcore', 'anyio'):
                    raise ImportError(name + ' blocked')
        sys.meta_path.insert(0, Block())
        import wireai.codecs.embeddings as package
        names = [m.name for m in pkgutil.iter_modules(package.__path__)]
        for name in names:
            importlib.import_module('wireai.codecs.embeddings.' + name)
        print(sorted(names))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['_base', 'bedrock', 'cohere', 'gemini', 'openai']"


def test_openai_request_is_exact_compact_json_with_non_ascii_kept_and_extras_merged() -> None:
    wire = openai.build_request(
        ["héllo", "wörld"],
        {"dimensions": 8, "extra_body": {"user": "u-1"}, "extra_headers": {"x-trace": "t"}},
        model="text-embedding-3-small",
        input_type="query",
    )
    assert (wire.method, wire.path, wire.query) == ("POST", "embeddings", {})
    assert wire.headers == {"content-type": "application/json", "x-trace": "t"}
    assert (
        wire.content()
        == (
            '{"input":["héllo","wörld"],"model":"text-embedding-3-small","encoding_format":"base64",'
            '"dimensions":8,"user":"u-1"}'
        ).encode()
    )
    assert_spec_valid("openai", wire.body, "embeddings")


def test_extra_body_must_be_a_mapping() -> None:
    with pytest.raises(UserError, match="`extra_body` must be a mapping"):
        openai.build_request(["a"], {"extra_body": ["user"]}, model="m", input_type="query")


@pytest.mark.parametrize(
    ("codec", "kwargs", "api"),
    [
        (openai, {"model": "text-embedding-3-small"}, "OpenAI's embeddings API"),
        (
            openai,
            {"model": "text-embedding-3-small", "options": openai.AZURE},
            "Azure OpenAI's embeddings API",
        ),
        (openai, {"model": "mistral-embed", "options": openai.MISTRAL}, "Mistral's embeddings API"),
        (gemini, {"model": "gemini-embedding-001"}, "The Gemini API's embedding endpoint"),
        (bedrock, {"model": "amazon.titan-embed-text-v2:0"}, "Titan text embeddings"),
    ],
)
def test_truncate_true_where_the_api_cannot_truncate_is_a_user_error(
    codec: Any, kwargs: dict[str, Any], api: str
) -> None:
    with pytest.raises(UserError, match=f"{api} has no truncation option"):
        codec.build_request(["a"], {"truncate": True}, input_type="query", **kwargs)
    codec.build_request(
        ["a"], {"truncate": False}, input_type="query", **kwargs
    )  # the vendor's behaviour anyway


@pytest.mark.parametrize(
    ("model", "settings", "message"),
    [
        (
            "amazon.titan-embed-text-v1",
            {"dimensions": 256},
            "does not take `dimensions` \\(its vectors have 1536\\)",
        ),
        (
            "amazon.titan-embed-text-v1",
            {"bedrock_titan_normalize": False},
            "does not take `bedrock_titan_normalize`",
        ),
        (
            "cohere.embed-english-v3",
            {"dimensions": 256},
            "does not take `dimensions` \\(its vectors have 1024\\)",
        ),
        (
            "cohere.embed-multilingual-v3",
            {"bedrock_cohere_max_tokens": 10},
            "does not take `bedrock_cohere_max_tokens`",
        ),
    ],
)
def test_bedrock_settings_a_model_family_does_not_take_are_user_errors(
    model: str, settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(UserError, match=message):
        bedrock.build_request(["a"], settings, model=model, input_type="document")


def test_bedrock_model_families_paths_and_cross_region_ids() -> None:
    assert bedrock.family("amazon.titan-embed-text-v2:0") == ("titan", 2)
    assert bedrock.family("eu.cohere.embed-v4:0") == ("cohere", 4)
    assert bedrock.family(
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.cohere.embed-v4:0"
    ) == ("cohere", 4)
    assert bedrock.family("amazon.nova-2-multimodal-embeddings-v1:0") == ("nova", 1)
    with pytest.raises(UserError, match="Unsupported Bedrock embedding model 'meta.llama3-8b-instruct-v1:0'"):
        bedrock.family("meta.llama3-8b-instruct-v1:0")
    wire = bedrock.build_request(
        ["hi"], {"bedrock_inference_profile": "arn:aws:bedrock:us-east-1:1:inference-profile/x"},
        model="cohere.embed-v4:0", input_type="query",
    )  # fmt: skip
    assert wire.path == "model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fx/invoke"
    assert wire.headers == {"content-type": "application/json", "accept": "application/json"}
    assert bedrock.request_limits("us.cohere.embed-v4:0") == RequestLimits(96)
    assert bedrock.request_limits("amazon.titan-embed-text-v2:0") == RequestLimits(1)
    assert bedrock.max_input_tokens("us.cohere.embed-v4:0") == 128_000


def test_single_input_families_refuse_several_inputs_and_say_how_to_split() -> None:
    with pytest.raises(
        UserError, match="at most 1 input\\(s\\) a request, got 2; split them with `plan_chunks"
    ):
        bedrock.build_request(["a", "b"], model="amazon.titan-embed-text-v2:0", input_type="document")
    with pytest.raises(UserError, match="Vertex AI's gemini-embedding-001 takes at most 1 input"):
        gemini.build_request(["a", "b"], model="gemini-embedding-001", input_type="document", vertex=True)


def test_google_families_pick_the_endpoint_and_the_limits() -> None:
    assert gemini.family("gemini-embedding-001") == "gla"
    assert gemini.family("models/gemini-embedding-001", vertex=True) == "predict"
    assert gemini.family("text-embedding-005", vertex=True) == "predict"
    assert gemini.family("gemini-embedding-2-preview", vertex=True) == "embed_content"
    assert gemini.request_limits("gemini-embedding-001") == RequestLimits(100)
    assert gemini.request_limits("text-embedding-005", vertex=True) == RequestLimits(250, 20_000)
    assert gemini.request_limits("gemini-embedding-001", vertex=True) == RequestLimits(1)
    assert gemini.max_input_tokens("text-embedding-005", vertex=True) == 2048
    assert gemini.max_input_tokens("text-embedding-005") is None  # a Vertex AI model only
    wire = gemini.build_request(["x"], {"google_task_type": "CLUSTERING", "google_title": "t"}, model="models/gemini-embedding-001", input_type="document")  # fmt: skip
    assert wire.path == "models/gemini-embedding-001:embedContent"
    assert wire.body == {
        "model": "models/gemini-embedding-001",
        "content": {"parts": [{"text": "x"}]},
        "taskType": "CLUSTERING",
    }
    assert_spec_valid("gemini", wire.body, "embedContent")


def test_gemini_api_usage_metadata_is_read_when_the_answer_has_it() -> None:
    body = {"embeddings": [{"values": [0.5]}, {"values": [0.25]}], "usageMetadata": {"promptTokenCount": 9}}
    result = gemini.parse_response(
        json.dumps(body), model_name="gemini-embedding-001", inputs=["a", "b"], input_type="query"
    )
    assert result.usage.input_tokens == 9 and result.embeddings == [[0.5], [0.25]]


def _openai_body(vectors: list[Any], **extra: Any) -> bytes:
    data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
    return json.dumps({"object": "list", "data": data, "model": "m", **extra}).encode()


@pytest.mark.parametrize(
    ("body", "inputs", "cause"),
    [
        (_openai_body([[0.1, 0.2]]), ["a", "b"], "1 embeddings for 2 inputs"),
        (_openai_body([[0.1, 0.2], [0.3]]), ["a", "b"], "embeddings of different lengths \\(2 and 1\\)"),
        (_openai_body([[0.1, "0.2"]]), ["a"], "unsupported operand"),
        (_openai_body([[]]), ["a"], "an embedding is list '\\[\\]', not a list of numbers"),
        (_openai_body(["!!!!"]), ["a"], "Error"),
        (
            _openai_body(["AAAAAAA="]),
            ["a"],
            "a base64 embedding of 5 bytes is not a whole number of float32 values",
        ),
        (
            json.dumps({"data": [{"index": 3, "embedding": [0.1]}]}).encode(),
            ["a"],
            "indexes \\[3\\] are not 0..0",
        ),
        (json.dumps({"data": {"embedding": [0.1]}}).encode(), ["a"], "AttributeError"),
        (b'{"data": [', ["a"], "invalid JSON"),
    ],
)
def test_wrong_shaped_bodies_are_unexpected_model_behavior_never_a_wrong_answer(
    body: bytes, inputs: list[str], cause: str
) -> None:
    with pytest.raises(UnexpectedModelBehavior, match=cause) as caught:
        openai.parse_response(body, model_name="m", inputs=inputs, input_type="query")
    assert caught.value.__cause__ is not None
    assert caught.value.body  # what was received is kept for the error report


def test_base64_vectors_are_little_endian_float32() -> None:
    values = [0.5, -2.0, 3.25]
    encoded = base64.b64encode(struct.pack("<3f", *values)).decode()
    result = openai.parse_response(_openai_body([encoded]), inputs=["a"], input_type="query")
    assert result.embeddings == [values]
    assert result.model_name == "m" and result.provider_name == "openai"


def test_cohere_input_types_truncation_and_tokenize() -> None:
    wire = cohere.build_request(["q"], {"truncate": True}, model="embed-v4.0", input_type="query")
    assert wire.path == "v2/embed"
    assert wire.body == {"model": "embed-v4.0", "texts": ["q"], "input_type": "search_query", "embedding_types": ["float"], "truncate": "END"}  # fmt: skip
    assert_spec_valid("cohere", wire.body, "embed")
    assert cohere.request_limits("embed-v4.0") == RequestLimits(96)
    with pytest.raises(UnexpectedModelBehavior, match="`tokens` is a str"):
        cohere.parse_count_tokens(b'{"tokens": "many"}')


def test_estimate_tokens_is_utf8_bytes_over_three_rounded_up() -> None:
    assert [estimate_tokens(t) for t in ("", "a", "abc", "abcd", "日本")] == [0, 1, 1, 2, 2]


def test_plan_chunks_respects_counts_and_token_budgets_and_isolates_an_oversized_input() -> None:
    assert plan_chunks(["a"] * 5, RequestLimits(2)) == [range(0, 2), range(2, 4), range(4, 5)]
    assert plan_chunks([], RequestLimits(2, 10)) == []
    texts = ["x" * 9, "x" * 9, "x" * 60, "x" * 3, "x" * 3]  # 3, 3, 20, 1, 1 tokens
    assert plan_chunks(texts, RequestLimits(10, 7)) == [range(0, 2), range(2, 3), range(3, 5)]


def _result(
    vectors: list[list[float]], inputs: list[str], tokens: int, rid: str | None, details: Any = None
) -> EmbeddingResult:
    return EmbeddingResult(
        vectors, inputs=inputs, input_type="document", model_name="m", provider_name="p",
        usage=RequestUsage(input_tokens=tokens), provider_response_id=rid, provider_details=details,
    )  # fmt: skip


def test_merge_results_keeps_order_sums_usage_and_lists_response_ids() -> None:
    one = _result([[1.0]], ["a"], 3, "r1", {"billable_character_count": 1})
    two = _result([[2.0], [3.0]], ["b", "c"], 4, "r2", {"billable_character_count": 2})
    merged = merge_results([one, two], ["a", "b", "c"])
    assert merged.embeddings == [[1.0], [2.0], [3.0]] and merged["c"] == [3.0]
    assert merged.usage.input_tokens == 7
    assert merged.provider_response_id is None
    assert merged.provider_details == {
        "requests": 2,
        "billable_character_count": 3,
        "provider_response_ids": ["r1", "r2"],
    }
    assert merge_results([one], ["a"]) is one
