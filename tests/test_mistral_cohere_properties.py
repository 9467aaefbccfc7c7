"""Property tests for the Mistral and Cohere stream parsers: any re-chunking gives the same response;
garbage and truncation fail typed; random JSON bodies parse or fail typed."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wireai.codecs import cohere, mistral
from wireai.exceptions import ModelAPIError, UnexpectedModelBehavior
from wireai.testing.fixtures import list_cases, load_case

CODECS: dict[str, Any] = {"mistral": mistral, "cohere": cohere}
STREAMS = [(vendor, name) for vendor in CODECS for name in list_cases(vendor) if name.startswith("stream_")]
RAW = {(vendor, name): load_case(vendor, name).exchanges[0].raw_body() for vendor, name in STREAMS}


def parse(vendor: str, chunks: list[bytes]) -> tuple[Any, ...]:
    parser = CODECS[vendor].StreamParser(model_name="m")
    for chunk in chunks:
        parser.feed(chunk)
    response = parser.close()
    return (
        response.parts,
        response.usage,
        response.finish_reason,
        response.provider_response_id,
        response.model_name,
    )


def outcome(vendor: str, chunks: list[bytes]) -> Any:
    try:
        return parse(vendor, chunks)
    except (UnexpectedModelBehavior, ModelAPIError) as exc:  # ModelHTTPError included
        return type(exc)


def split(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(raw) + 1) for c in cuts})
    pieces, last = [], 0
    for p in points:
        pieces.append(raw[last:p])
        last = p
    pieces.append(raw[last:])
    return pieces


@pytest.mark.parametrize("case", STREAMS, ids=lambda c: "/".join(c))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=30))
def test_any_rechunking_gives_the_same_response(case: tuple[str, str], cuts: list[int]) -> None:
    raw = RAW[case]
    assert outcome(case[0], split(raw, cuts)) == outcome(case[0], [raw])


@pytest.mark.parametrize("case", STREAMS, ids=lambda c: "/".join(c))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_truncation_and_garbage_give_a_result_or_a_typed_error(
    case: tuple[str, str], data: st.DataObject
) -> None:
    raw = RAW[case]
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)))
    garbage = data.draw(st.binary(max_size=64))
    at = data.draw(st.integers(min_value=0, max_value=cut))
    mangled = raw[:at] + garbage + raw[at:cut]
    outcome(case[0], [mangled])  # must not raise anything else


@settings(max_examples=100, deadline=None)
@given(
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda kids: (
            st.lists(kids, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "id",
                        "model",
                        "choices",
                        "message",
                        "content",
                        "tool_calls",
                        "function",
                        "name",
                        "arguments",
                        "finish_reason",
                        "usage",
                        "type",
                        "text",
                        "thinking",
                        "delta",
                        "index",
                        "tokens",
                        "billed_units",
                    ]
                ),
                kids,
                max_size=4,
            )
        ),
        max_leaves=20,
    )
)
def test_random_json_bodies_parse_or_fail_typed(body: Any) -> None:
    for codec in CODECS.values():
        try:
            codec.parse_response(body, model_name="m")
        except (UnexpectedModelBehavior, ModelAPIError):
            pass
