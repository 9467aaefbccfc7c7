"""Property tests of the batch decoders: result files in any chunking read the same, and garbage
gives a typed answer (a `BadLine`, an error result), never an exception, a hang or a wrong result."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wireai.batch import anthropic as anthropic_batch
from wireai.batch import gemini as gemini_batch
from wireai.batch import mistral as mistral_batch
from wireai.batch import openai as openai_batch
from wireai.batch._jsonl import BadLine, JSONLDecoder, iter_jsonl
from wireai.batch._types import LineResult, VendorBatch

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)
objects = st.dictionaries(st.text(max_size=8), json_values, max_size=5)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)])]


def decode(chunks: list[bytes]) -> list[Any]:
    decoder = JSONLDecoder()
    out = []
    for chunk in chunks:
        out.extend(decoder.feed(chunk))
    return out + decoder.close()


@FAST
@given(
    st.lists(objects, max_size=8),
    st.lists(st.integers(min_value=0), max_size=10),
    st.booleans(),
    st.booleans(),
)
def test_any_chunking_of_a_results_file_reads_the_same_lines(
    lines: list[dict[str, Any]], cuts: list[int], crlf: bool, final_newline: bool
) -> None:
    end = b"\r\n" if crlf else b"\n"
    data = end.join(json.dumps(line).encode() for line in lines) + (end if final_newline and lines else b"")
    assert decode(chunked(data, cuts)) == lines
    assert decode([data]) == lines


@FAST
@given(st.binary(max_size=300), st.lists(st.integers(min_value=0), max_size=10))
def test_garbage_gives_one_typed_answer_per_line_whatever_the_chunking(data: bytes, cuts: list[int]) -> None:
    whole = decode([data])
    assert decode(chunked(data, cuts)) == whole
    assert len(whole) == sum(1 for line in data.split(b"\n") if line.strip())
    assert all(isinstance(item, (dict, BadLine)) for item in whole)


@FAST
@given(st.lists(objects, max_size=6), st.lists(st.integers(min_value=0), max_size=8))
def test_iter_jsonl_reads_an_async_download(lines: list[dict[str, Any]], cuts: list[int]) -> None:
    data = b"".join(json.dumps(line).encode() + b"\n" for line in lines)

    async def chunks() -> Any:
        for chunk in chunked(data, cuts):
            yield chunk

    async def main() -> list[Any]:
        return [line async for line in iter_jsonl(chunks())]

    assert asyncio.run(main()) == lines


@FAST
@given(objects)
def test_every_vendors_line_parser_answers_any_object_with_a_result_or_a_bad_line(
    line: dict[str, Any],
) -> None:
    for parse in (openai_batch.parse_result_line, anthropic_batch.parse_result_line):
        assert isinstance(parse(line), (LineResult, BadLine))
    assert isinstance(gemini_batch.parse_result(line, None), (LineResult, BadLine))
    assert isinstance(gemini_batch.parse_result(line, "q0"), (LineResult, BadLine))


@FAST
@given(objects)
def test_every_vendors_status_parser_answers_any_object_with_a_status_of_the_vocabulary(
    body: dict[str, Any],
) -> None:
    vocabulary = {
        "validating",
        "in_progress",
        "finalizing",
        "completed",
        "failed",
        "expired",
        "cancelling",
        "cancelled",
    }
    for parse in (
        openai_batch.parse_batch,
        anthropic_batch.parse_batch,
        gemini_batch.parse_batch,
        mistral_batch.parse_job,
    ):
        batch = parse(body)
        assert isinstance(batch, VendorBatch) and batch.status in vocabulary
        assert batch.counts.total >= 0 and batch.counts.processing >= 0


@given(st.sampled_from(["succeeded", "errored", "canceled", "expired"]), st.text(min_size=1, max_size=10))
def test_anthropic_result_types_map_to_the_shared_words(kind: str, custom_id: str) -> None:
    line = {
        "custom_id": custom_id,
        "result": {
            "type": kind,
            "message": {},
            "error": {"type": "error", "error": {"type": "rate_limit_error"}},
        },
    }
    parsed = anthropic_batch.parse_result_line(line)
    assert isinstance(parsed, LineResult)
    assert parsed.kind == {"canceled": "cancelled"}.get(kind, kind)
    if kind == "errored":
        assert parsed.status_code == 429
