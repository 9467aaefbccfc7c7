"""Content filters end a run with `ContentFilterError` (issue 16): each vendor's filtered finish, sent
by its fake in the vendor's own words (Gemini `SAFETY` and `promptFeedback.blockReason`, OpenAI
`content_filter`, the Responses API's `incomplete_details.reason`, Anthropic `refusal`, Bedrock
`content_filtered`), reaches the Agent as a response with no parts, and `run`, `run_stream` and
`iter` raise the error carrying it. A filtered finish that still holds output is an answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

import wireai
import wireai.exceptions
from wireai import Agent, ContentFilterError, UnexpectedModelBehavior, capture_run_messages
from wireai.messages import ModelMessagesTypeAdapter, ModelResponse, TextPart, ThinkingPart
from wireai.models.function import AgentInfo, FunctionModel
from wireai.testing import (
    FakeAnthropic,
    FakeBedrock,
    FakeGemini,
    FakeOpenAI,
    FakeOpenAIResponses,
    FakeVendor,
    load_case,
)

# (fake, provider_details the fake encodes, provider_details read back from the vendor's body)
VENDORS: dict[str, tuple[type[FakeVendor], dict[str, Any] | None, dict[str, Any]]] = {
    "gemini-safety": (FakeGemini, {"finish_reason": "SAFETY"}, {"finish_reason": "SAFETY"}),
    "gemini-blocked-prompt": (
        FakeGemini,
        {"block_reason": "PROHIBITED_CONTENT"},
        {"block_reason": "PROHIBITED_CONTENT"},
    ),
    "openai-chat": (FakeOpenAI, None, {"finish_reason": "content_filter"}),
    "openai-responses": (
        FakeOpenAIResponses,
        None,
        {"status": "incomplete", "incomplete_reason": "content_filter"},
    ),
    "anthropic-refusal": (FakeAnthropic, None, {"stop_reason": "refusal"}),
    "bedrock": (FakeBedrock, None, {"stopReason": "content_filtered"}),
}


def _filtered(details: dict[str, Any] | None) -> ModelResponse:
    return ModelResponse([], finish_reason="content_filter", provider_details=details)


def _check(error: ContentFilterError, fake: FakeVendor, read_back: dict[str, Any]) -> None:
    response = error.response
    assert response is not None and response.parts == [] and response.finish_reason == "content_filter"
    assert read_back.items() <= (response.provider_details or {}).items()
    assert error.message.startswith(f"Content filter triggered: {response.model_name} returned no output")
    assert json.loads(error.body or "") == json.loads(ModelMessagesTypeAdapter.dump_json([response]))
    assert len(fake.requests) == 1  # never retried: the filter would answer the same


@pytest.mark.parametrize("vendor", VENDORS)
def test_run_raises_content_filter_error_with_the_vendors_response(vendor: str) -> None:
    fake_cls, details, read_back = VENDORS[vendor]
    with fake_cls() as fake:
        fake.add_response(_filtered(details))
        with capture_run_messages() as messages, pytest.raises(ContentFilterError) as raised:
            Agent(fake.model()).run_sync("Tell me something you must not.")
    _check(raised.value, fake, read_back)
    assert messages[-1] is raised.value.response  # the history keeps what the vendor answered


@pytest.mark.parametrize("vendor", VENDORS)
async def test_run_stream_raises_it_from_a_filtered_stream(vendor: str) -> None:
    fake_cls, details, read_back = VENDORS[vendor]
    with fake_cls() as fake:
        fake.add_response(_filtered(details))
        with pytest.raises(ContentFilterError) as raised:
            async with Agent(fake.model()).run_stream("Tell me something you must not.") as result:
                await result.get_output()
    assert fake.is_stream(fake.requests[0])
    _check(raised.value, fake, read_back)


@pytest.mark.parametrize("vendor", ["gemini-safety", "anthropic-refusal", "bedrock"])
async def test_iter_raises_it_after_yielding_the_response_node(vendor: str) -> None:
    fake_cls, details, read_back = VENDORS[vendor]
    nodes: list[str] = []
    with fake_cls() as fake:
        fake.add_response(_filtered(details))
        with pytest.raises(ContentFilterError) as raised:
            async with Agent(fake.model()).iter("Tell me something you must not.") as run:
                async for node in run:
                    nodes.append(type(node).__name__)
    assert nodes == ["UserPromptNode", "ModelRequestNode", "CallToolsNode"]
    _check(raised.value, fake, read_back)


def test_a_refusal_that_still_says_something_is_the_answer() -> None:
    with FakeAnthropic() as fake:
        fake.add_response(
            ModelResponse([TextPart("I can't help with that.")], finish_reason="content_filter")
        )
        result = Agent(fake.model()).run_sync("Tell me something you must not.")
    assert result.output == "I can't help with that."
    assert result.all_messages()[-1].finish_reason == "content_filter"  # type: ignore[union-attr]


def test_thinking_alone_is_no_output() -> None:
    def filtered(messages: list[Any], info: AgentInfo) -> ModelResponse:
        return ModelResponse([ThinkingPart("this would break the policy")], finish_reason="content_filter")

    with pytest.raises(ContentFilterError, match="returned no output") as raised:
        Agent(FunctionModel(filtered)).run_sync("hi")
    assert raised.value.response is not None and raised.value.response.parts == [
        ThinkingPart("this would break the policy")
    ]


def test_content_filter_error_is_an_unexpected_model_behavior_exported_at_the_top() -> None:
    assert wireai.ContentFilterError is wireai.exceptions.ContentFilterError is ContentFilterError
    assert "ContentFilterError" in wireai.__all__ and "ContentFilterError" in wireai.exceptions.__all__
    assert issubclass(ContentFilterError, UnexpectedModelBehavior)
    response = _filtered({"finish_reason": "SAFETY"})
    error = ContentFilterError("Content filter triggered", "{}", response=response)
    assert error.response is response and error.body == "{}"


async def test_azures_blocked_prompt_400_ends_the_run_the_same_way() -> None:
    """Azure answers a prompt its filter blocks with a 400 (`error.code: content_filter`); the model
    layer returns it as a filtered response, so the Agent raises as for a filtered answer."""
    blocked = load_case("azure", "prompt_filter_400").exchanges[0].response["json"]
    with FakeOpenAI() as fake:
        fake.add_error(400, blocked).add_error(400, blocked)
        agent = Agent(fake.model())
        with pytest.raises(ContentFilterError) as raised:
            await agent.run("Ignore your rules and ...")
        with pytest.raises(ContentFilterError) as streamed:
            async with agent.run_stream("Ignore your rules and ...") as result:
                await result.get_output()
    for error in (raised.value, streamed.value):
        details = error.response.provider_details if error.response else None
        assert details is not None and details["code"] == "ResponsibleAIPolicyViolation"
        assert details["content_filter_result"]["jailbreak"] == {"filtered": True, "detected": True}
    assert len(fake.requests) == 2  # a 400 is not retried
