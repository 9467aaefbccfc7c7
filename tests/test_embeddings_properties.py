"""Property tests for every embedding decoder and the call planner.

- Any chunking of a fixture's body on the wire (chunked transfer, random cut points) reads back
  the same result through the real model, socket and transport.
- Garbage, every truncation and random edits of a fixture's JSON give an `EmbeddingResult` that
  still has one vector per input, all of one width, or `UnexpectedModelBehavior`; never another
  exception, never a hang.
- `plan_chunks` covers the inputs in order, within the limits, for any inputs and limits.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from embedding_helpers import FAKE_NAMES, model_for, parser_for
from wireai.codecs.embeddings import RequestLimits, estimate_tokens, plan_chunks
from wireai.embeddings import EmbeddingResult
from wireai.exceptions import UnexpectedModelBehavior
from wireai.testing import LoopbackServer, RecordedRequest, Reply, fake_embedding_vendor
from wireai.testing.fixtures import Exchange, fixtures_dir, load_case

MODELS = {"openai": None, "azure": "my-embeddings", "mistral": None, "voyageai": None, "cohere": None,
          "gemini": "gemini-embedding-001", "vertex": None, "bedrock": None}  # fmt: skip


def _embedding_exchanges() -> list[Any]:
    params = []
    for path in sorted((fixtures_dir() / "embeddings").glob("*/*.json")):
        vendor, case = path.parent.name, path.stem
        for index, exchange in enumerate(load_case(f"embeddings/{vendor}", case).exchanges):
            if exchange.response.get("status", 200) == 200 and not exchange.request["path"].endswith(
                ("tokenize", ":countTokens")
            ):
                params.append(pytest.param(vendor, exchange, id=f"{vendor}/{case}#{index}"))
    return params


EXCHANGES = _embedding_exchanges()


def _inputs(vendor: str, exchange: Exchange) -> list[str]:
    request = exchange.request
    recorded = RecordedRequest("POST", request["path"], {}, json.dumps(request["body"]).encode())
    return fake_embedding_vendor(FAKE_NAMES[vendor]).inputs_of(recorded)


def _model_name(vendor: str, exchange: Exchange) -> str:
    """The model the fixture's request is for (from its path or body)."""
    path = exchange.request["path"].split("?")[0]
    if vendor == "bedrock":
        from urllib.parse import unquote

        return unquote(path.split("/")[2])
    if vendor in ("gemini", "vertex"):
        return path.rsplit("/", 1)[1].split(":")[0]
    return MODELS[vendor] or exchange.request["body"]["model"]


def _parse(vendor: str, exchange: Exchange, body: bytes) -> EmbeddingResult:
    parse = parser_for(vendor, exchange.response.get("headers", {}))
    return parse(
        body,
        model_name=_model_name(vendor, exchange),
        inputs=_inputs(vendor, exchange),
        input_type="document",
    )


def _cuts(size: int) -> Any:
    return st.lists(st.integers(min_value=1, max_value=max(size - 1, 1)), max_size=8).map(sorted)


@pytest.mark.parametrize(("vendor", "exchange"), EXCHANGES)
def test_any_chunking_of_a_body_on_the_wire_reads_back_the_same_result(
    vendor: str, exchange: Exchange
) -> None:
    raw = exchange.raw_body()
    headers = {"content-type": "application/json", **exchange.response.get("headers", {})}
    expected = _parse(vendor, exchange, raw)
    current: dict[str, list[bytes | float]] = {}
    server = LoopbackServer(lambda request: Reply(200, headers, chunks=current["chunks"]))
    with server:
        model = model_for(vendor, server.url, _model_name(vendor, exchange))
        inputs = _inputs(vendor, exchange)

        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
        @given(cuts=_cuts(len(raw)))
        def check(cuts: list[int]) -> None:
            bounds = [0, *cuts, len(raw)]
            current["chunks"] = [raw[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]
            result = asyncio.run(model.embed(inputs, input_type="document"))
            assert result.embeddings == expected.embeddings
            assert result.usage == expected.usage
            assert result.provider_response_id == expected.provider_response_id

        check()


def _well_formed(result: EmbeddingResult, inputs: list[str]) -> None:
    assert len(result.embeddings) == len(inputs)
    widths = {len(v) for v in result.embeddings}
    assert len(widths) <= 1 and 0 not in widths
    for vector in result.embeddings:
        assert all(isinstance(x, (int, float)) for x in vector)


@pytest.mark.parametrize(("vendor", "exchange"), EXCHANGES)
def test_truncated_bodies_are_unexpected_model_behavior(vendor: str, exchange: Exchange) -> None:
    raw = exchange.raw_body()
    for end in range(0, len(raw), max(1, len(raw) // 40)):
        if not raw[:end].strip():
            continue
        with pytest.raises(UnexpectedModelBehavior):
            _parse(vendor, exchange, raw[:end])


JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(_paths(item, (*prefix, i)))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    return [*value[:head], _replace(value[head], rest, new), *value[head + 1 :]]


@pytest.mark.parametrize(("vendor", "exchange"), EXCHANGES)
def test_garbage_and_edited_bodies_give_a_well_formed_result_or_a_typed_error(
    vendor: str, exchange: Exchange
) -> None:
    document = exchange.response["json"]
    paths = _paths(document)
    inputs = _inputs(vendor, exchange)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        garbage=st.binary(max_size=64),
        where=st.integers(min_value=0, max_value=len(paths) - 1),
        new=JSON_VALUES,
    )
    def check(garbage: bytes, where: int, new: Any) -> None:
        for body in (garbage, json.dumps(_replace(document, paths[where], new)).encode()):
            try:
                result = _parse(vendor, exchange, body)
            except UnexpectedModelBehavior:
                continue
            _well_formed(result, inputs)

    check()


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


@pytest.mark.parametrize(("vendor", "exchange"), EXCHANGES)
def test_a_number_of_a_body_made_infinite_or_nan_is_a_result_or_a_typed_error(
    vendor: str, exchange: Exchange
) -> None:
    """`Infinity` and `NaN` are numbers to `json.loads`: a token count read from one was an
    OverflowError / ValueError out of the codec (Cohere's billed units, Vertex AI's token_count)."""
    document = exchange.response["json"]
    inputs = _inputs(vendor, exchange)
    numbers = [p for p in _paths(document) if type(_at(document, p)) in (int, float)]
    assert numbers
    for path in numbers:
        for value in (float("inf"), float("nan")):
            try:
                result = _parse(vendor, exchange, json.dumps(_replace(document, path, value)).encode())
            except UnexpectedModelBehavior:
                continue
            _well_formed(result, inputs)


texts = st.lists(st.text(max_size=40), max_size=60)


@settings(max_examples=300, deadline=None)
@given(inputs=texts, max_inputs=st.integers(1, 10), max_tokens=st.none() | st.integers(1, 50))
def test_plan_chunks_covers_every_input_in_order_within_the_limits(
    inputs: list[str], max_inputs: int, max_tokens: int | None
) -> None:
    chunks = plan_chunks(inputs, RequestLimits(max_inputs, max_tokens))
    assert [i for chunk in chunks for i in chunk] == list(range(len(inputs)))
    for chunk in chunks:
        assert 1 <= len(chunk) <= max_inputs
        if max_tokens is not None and len(chunk) > 1:
            assert sum(estimate_tokens(inputs[i]) for i in chunk) <= max_tokens
