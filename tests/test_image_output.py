"""`output_type=BinaryImage`: the run's output is the image the model produced (a `FilePart`), as in
PydanticAI. Over the Gemini fake with an image model (its `inlineData` parts, JSON and streamed): the
model is asked for images (`responseModalities`), never forced to call a tool, and an answer without
an image is retried with "Please return an image."; a model whose profile cannot make images is a
`UserError` before anything is sent. Over the OpenAI Responses fake: the request gets the
`image_generation` tool, and a streamed generation ends with the final image, not a partial one."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from pydantic import BaseModel

from wireai import (
    Agent,
    BinaryImage,
    ImageGenerationTool,
    ModelRetry,
    NativeOutput,
    PromptedOutput,
    UserError,
)
from wireai._output import build_output_schema
from wireai.messages import FilePart, ModelResponse, TextPart
from wireai.models.function import AgentInfo, FunctionModel
from wireai.models.test import TestModel
from wireai.profiles import ModelProfile
from wireai.testing import FakeBedrock, FakeGemini, FakeOpenAI, FakeOpenAIResponses, load_case

PNG = b"\x89PNG\r\n\x1a\n-a-cat-"
IMAGE_MODEL = "gemini-2.5-flash-image"
CAT = ModelResponse([TextPart("Here is your cat."), FilePart(BinaryImage(PNG, "image/png"))])
ASKED = {"contents": [{"role": "user", "parts": [{"text": "Draw a cat"}]}]}
IMAGES = {"responseModalities": ["TEXT", "IMAGE"]}


def test_the_image_the_model_made_is_the_output() -> None:
    with FakeGemini() as fake:
        fake.add_response(CAT)
        result = Agent(fake.model(IMAGE_MODEL), output_type=BinaryImage).run_sync("Draw a cat")
    assert isinstance(result.output, BinaryImage)
    assert (result.output.data, result.output.media_type) == (PNG, "image/png")
    assert fake.requests[0].url_path == f"/v1beta/models/{IMAGE_MODEL}:generateContent"
    assert fake.requests[0].json() == {**ASKED, "generationConfig": IMAGES}


async def test_run_stream_ends_with_the_streamed_image() -> None:
    with FakeGemini() as fake:
        fake.add_response(CAT)
        async with Agent(fake.model(IMAGE_MODEL), output_type=BinaryImage).run_stream("Draw a cat") as result:
            outputs = [output async for output in result.stream_output(debounce_by=None)]
            final = await result.get_output()
    assert fake.is_stream(fake.requests[0])
    assert outputs == [final] and isinstance(final, BinaryImage) and final.data == PNG


async def test_iter_ends_with_the_image() -> None:
    with FakeGemini() as fake:
        fake.add_response(CAT)
        async with Agent(fake.model(IMAGE_MODEL), output_type=BinaryImage).iter("Draw a cat") as run:
            nodes = [node async for node in run]
    assert run.result is not None and run.result.output.data == PNG
    assert nodes[-1].data.output is run.result.output  # type: ignore[union-attr]


def test_an_answer_without_an_image_is_retried_and_tools_are_never_forced() -> None:
    with FakeGemini() as fake:
        fake.add_text("I would rather describe a cat.").add_response(CAT)
        agent = Agent(fake.model(IMAGE_MODEL), output_type=BinaryImage)

        @agent.tool_plain
        def palette() -> str:
            """Colors to draw with."""
            return "orange"

        result = agent.run_sync("Draw a cat")
    assert result.output.data == PNG
    first, second = (r.json() for r in fake.requests)
    assert "toolConfig" not in first  # an image is an answer without a tool call
    assert first["generationConfig"] == IMAGES
    assert second["contents"][1:] == [
        {"role": "model", "parts": [{"text": "I would rather describe a cat."}]},
        {
            "role": "user",
            "parts": [
                {"text": "Validation feedback:\nPlease return an image.\n\nFix the errors and try again."}
            ],
        },
    ]


def test_text_or_an_image_takes_whichever_came() -> None:
    with FakeGemini() as fake:
        fake.add_text("No image today.").add_response(CAT)
        agent: Agent[None, Any] = Agent(fake.model(IMAGE_MODEL), output_type=[str, BinaryImage])
        assert agent.run_sync("Draw a cat?").output == "No image today."
        assert agent.run_sync("Draw a cat").output.data == PNG


def test_output_validators_see_the_image_and_may_ask_again() -> None:
    small = ModelResponse([FilePart(BinaryImage(b"\x89PNG", "image/png"))])
    seen: list[int] = []
    with FakeGemini() as fake:
        fake.add_response(small).add_response(CAT)
        agent = Agent(fake.model(IMAGE_MODEL), output_type=BinaryImage)

        @agent.output_validator
        def big_enough(image: BinaryImage) -> BinaryImage:
            seen.append(len(image.data))
            if len(image.data) < 8:
                raise ModelRetry("That image is empty; draw it again.")
            return image

        assert agent.run_sync("Draw a cat").output.data == PNG
    assert seen == [4, len(PNG)]


def test_a_model_that_cannot_make_images_is_refused_before_any_request() -> None:
    with FakeGemini() as fake:
        with pytest.raises(UserError, match=r"Image output is not supported by google-gla:gemini-2\.0-flash"):
            Agent(fake.model(), output_type=BinaryImage).run_sync("Draw a cat")
    assert fake.requests == []


def test_binary_image_goes_beside_native_and_prompted_output_not_inside() -> None:
    class Caption(BaseModel):
        text: str

    for marker in (NativeOutput, PromptedOutput):
        with pytest.raises(UserError, match=rf"`{marker.__name__}` cannot contain `BinaryImage`"):
            build_output_schema(marker([Caption, BinaryImage]))
        beside = build_output_schema([marker(Caption), BinaryImage])
        assert beside.allows_image and beside.mode in ("native", "prompted")
    only = build_output_schema(BinaryImage)
    params = only.request_parameters([])
    assert (only.mode, params.output_mode, params.allow_image_output, params.allow_text_output) == (
        "image",
        "image",
        True,
        True,
    )
    assert build_output_schema(str).request_parameters([]).allow_image_output is False


# ------------------------------------------------------------------------------------------ OpenAI Responses

IMAGE_TOOL = {"type": "image_generation", "background": "auto", "moderation": "auto", "quality": "auto"}


def test_a_responses_model_is_given_the_image_generation_tool() -> None:
    with FakeOpenAIResponses() as fake:
        fake.add_response(CAT)
        result = Agent(fake.model(), output_type=BinaryImage).run_sync("Draw a cat")
    assert result.output.data == PNG
    assert fake.requests[0].json() == {
        "model": "gpt-4o",
        "input": [{"role": "user", "content": "Draw a cat"}],
        "tools": [IMAGE_TOOL],
    }
    assert fake.model().profile.supports_image_output
    assert not FakeOpenAI().model().profile.supports_image_output  # Chat Completions makes no images


async def test_a_streamed_generation_ends_with_the_final_image_not_a_partial_one() -> None:
    exchange = load_case("openai_responses", "stream_image_generation").exchanges[0]
    tool = ImageGenerationTool(quality="high", size="1024x1024", output_format="png", partial_images=2)
    with FakeOpenAIResponses() as fake:
        fake.add_reply(exchange.reply())
        agent = Agent(fake.model("gpt-4.1-mini"), output_type=BinaryImage, native_tools=[tool])
        async with agent.run_stream(exchange.body["input"][0]["content"]) as result:
            outputs = [output.data async for output in result.stream_output(debounce_by=None)]
            final = await result.get_output()
    assert fake.requests[0].json() == exchange.body  # the agent's own tool, not a second one
    partial, otter = (
        base64.b64decode("iVBORw0KGgoAAAANSUhEUnBhcnRpYWwtMQ=="),
        base64.b64decode("iVBORw0KGgoAAAANSUhEUm90dGVyLTI="),
    )
    assert outputs == [partial, otter] and final.data == otter


def test_nova_2_omni_on_bedrock_answers_with_an_image_block() -> None:
    with FakeBedrock() as fake:
        fake.add_response(ModelResponse([FilePart(BinaryImage(PNG, "image/png"))]))
        result = Agent(fake.model("us.amazon.nova-2-omni-v1:0"), output_type=BinaryImage).run_sync(
            "Draw a cat"
        )
    assert result.output.data == PNG
    assert fake.requests[0].url_path == "/model/us.amazon.nova-2-omni-v1%3A0/converse"
    assert fake.requests[0].json() == {"messages": [{"role": "user", "content": [{"text": "Draw a cat"}]}]}


def test_function_and_test_models_take_the_profile_of_the_model_they_stand_in_for() -> None:
    """PydanticAI's way to test an image-output agent: `FunctionModel(..., profile=...)`."""

    def respond(messages: list[Any], info: AgentInfo) -> ModelResponse:
        assert info.model_request_parameters.allow_image_output
        return ModelResponse([FilePart(BinaryImage(PNG, "image/png"))])

    image_model = ModelProfile(supports_image_output=True)
    agent = Agent(FunctionModel(respond, profile=image_model), output_type=BinaryImage)
    assert agent.run_sync("Draw a cat").output.data == PNG
    assert TestModel(profile=image_model).profile is image_model
    with pytest.raises(UserError, match="Image output is not supported by function:"):
        Agent(FunctionModel(respond), output_type=BinaryImage).run_sync("Draw a cat")
