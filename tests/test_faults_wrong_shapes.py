"""Valid JSON of the wrong shape (a list where an object belongs, a number for a string...) from any
vendor gives a result or a typed error, never a TypeError/KeyError from deep inside a codec."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from wireai import ModelHTTPError, UnexpectedModelBehavior
from wireai.exceptions import ModelAPIError
from wireai.messages import ModelRequest, ModelResponse, TextPart, ThinkingPart, ToolCallPart, UserPromptPart
from wireai.models import ModelRequestParameters
from wireai.testing import (
    FakeAnthropic,
    FakeBedrock,
    FakeCohere,
    FakeGemini,
    FakeMistral,
    FakeOpenAI,
    FakeOpenAIResponses,
    FakeVendor,
)
from wireai.testing.server import RecordedRequest, Reply
from wireai.usage import RequestUsage

FAKES: list[type[FakeVendor]] = [
    FakeOpenAI,
    FakeOpenAIResponses,
    FakeAnthropic,
    FakeGemini,
    FakeMistral,
    FakeCohere,
    FakeBedrock,
]
ANSWER = ModelResponse(
    [
        ThinkingPart("hmm", signature="c2ln"),
        TextPart("hello"),
        ToolCallPart("f", {"a": [1, {"b": "c"}]}, tool_call_id="call_1"),
    ],
    usage=RequestUsage(input_tokens=3, output_tokens=4, cache_read_tokens=1, details={"reasoning_tokens": 2}),
    finish_reason="tool_call",
)
# Infinity and NaN: JSON numbers to `json.loads` (a count of them is no count; int() of them raised).
REPLACEMENTS = [None, 0, 1.5, float("inf"), float("nan"), True, "x", [], [1], {}, {"x": 1}]


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


def replaced(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(node))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def request_for(fake: FakeVendor) -> RecordedRequest:
    path = "/model/m/converse" if isinstance(fake, FakeBedrock) else "/v1beta/models/m:generateContent"
    return RecordedRequest("POST", path, {}, json.dumps({"model": "m"}).encode())


@settings(max_examples=40, deadline=None)
@given(fake_index=st.integers(0, len(FAKES) - 1), choice=st.data())
def test_wrong_shaped_json_is_a_result_or_a_typed_error(fake_index: int, choice: st.DataObject) -> None:
    with FAKES[fake_index]() as fake:
        good = fake.encode_json(ANSWER, request_for(fake))
        path = choice.draw(st.sampled_from(paths(good)))
        value = choice.draw(st.sampled_from(REPLACEMENTS))
        fake.add_reply(Reply.json(replaced(good, path, value)))
        model = fake.model()
        model.provider.max_retries = 0
        messages = [ModelRequest([UserPromptPart("hi")])]
        try:
            response = asyncio.run(
                asyncio.wait_for(model.request(messages, None, ModelRequestParameters()), 10)
            )
        except (UnexpectedModelBehavior, ModelHTTPError, ModelAPIError):
            return
        assert isinstance(response, ModelResponse)


def test_every_node_of_every_vendors_body_replaced_by_every_kind_of_value() -> None:
    """Exhaustive and in-process: the real `request` path with the HTTP exchange short-circuited."""
    import httpx

    messages = [ModelRequest([UserPromptPart("hi")])]
    checked = 0
    for fake_cls in FAKES:
        with fake_cls() as fake:
            good = fake.encode_json(ANSWER, request_for(fake))
            model = fake.model()
        for path in paths(good):
            for value in REPLACEMENTS:
                body = json.dumps(replaced(good, path, value)).encode()

                async def send(*args: Any, _body: bytes = body, **kwargs: Any) -> httpx.Response:
                    return httpx.Response(200, content=_body, headers={"content-type": "application/json"})

                model._send = send  # type: ignore[method-assign]
                try:
                    response = asyncio.run(model.request(messages, None, ModelRequestParameters()))
                except (UnexpectedModelBehavior, ModelHTTPError, ModelAPIError):
                    pass
                else:
                    assert isinstance(response, ModelResponse)
                checked += 1
    assert checked > 500
