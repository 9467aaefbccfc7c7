"""Gemini's server-side tools over loopback HTTP, replaying fixtures written from Google's reference:
Google Search grounding, code execution, URL context, file search and image output, JSON and
streamed, with the follow-up request that sends the history back."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from gemini_helpers import replay, replay_stream, stamped
from wireai.exceptions import UserError
from wireai.messages import (
    BinaryImage,
    FilePart,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    PartStartEvent,
    TextPart,
    ThinkingPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters
from wireai.models.gemini import GeminiModel
from wireai.native_tools import (
    CodeExecutionTool,
    FileSearchTool,
    ImageGenerationTool,
    MCPServerTool,
    MemoryTool,
    WebFetchTool,
    WebSearchTool,
)
from wireai.testing.fixtures import load_case
from wireai.tools import ToolDefinition
from wireai.usage import RequestUsage

GLA = "google-gla"


def ask(text: str) -> list[ModelMessage]:
    return [ModelRequest([UserPromptPart(text)])]


def then(first: list[ModelMessage], text: str) -> Any:
    """The follow-up turn: the first request, the response it got, and a new question."""
    return lambda out: [*first, out[0], ModelRequest([UserPromptPart(text)])]


def grounding(protocol: str, case: str) -> dict[str, Any]:
    body = load_case(protocol, case).exchanges[0].response["json"]
    return body["candidates"][0]["groundingMetadata"]


# ---------------------------------------------------------------------------------------------- Google Search

EURO = ask("Who won Euro 2024?")
SEARCH = ModelRequestParameters(native_tools=[WebSearchTool()])


def search_parts() -> list[Any]:
    meta = grounding("gemini", "google_search")
    chunks, supports = meta["groundingChunks"], meta["groundingSupports"]
    text = TextPart(
        "Spain won Euro 2024, defeating England 2-1 in the final. "
        "This victory marks Spain's record fourth European Championship title.",
        provider_details={
            "citations": [
                {**supports[0], "sources": [chunks[0]]},
                {**supports[1], "sources": [chunks[0], chunks[1]]},
            ]
        },  # fmt: skip
    )
    return [
        text,
        NativeToolCallPart(
            "web_search",
            {"queries": ["UEFA Euro 2024 winner", "who won euro 2024"]},
            tool_call_id="googleSearch",
            provider_name=GLA,
        ),  # fmt: skip
        NativeToolReturnPart(
            "web_search",
            [c["web"] for c in chunks],
            tool_call_id="googleSearch",
            provider_name=GLA,
            provider_details={"grounding_metadata": meta},
        ),  # fmt: skip
    ]


def test_google_search_grounding_is_a_web_search_call_and_return_with_citations_on_the_text() -> None:
    first, second = replay(
        "gemini", "google_search", "gemini-2.5-flash", [EURO, then(EURO, "And in 2020?")], SEARCH
    )
    assert stamped(first.parts) == stamped(search_parts())
    # what the search tool fed the model is input; its modality breakdown is kept apart from the prompt's
    assert first.usage == RequestUsage(
        input_tokens=128, output_tokens=30,
        details={"tool_use_prompt_tokens": 120, "text_prompt_tokens": 8, "text_tool_use_prompt_tokens": 120},
    )  # fmt: skip
    assert first.native_tool_calls and not first.tool_calls  # never a call the agent would run
    assert second.text == "Italy won Euro 2020, beating England on penalties."


def test_google_search_streamed_gives_the_same_parts_with_the_metadata_last() -> None:
    [(events, response)] = replay_stream("gemini", "stream_google_search", "gemini-2.5-flash", [EURO], SEARCH)
    assert stamped(response.parts) == stamped(search_parts())
    starts = [e.part for e in events if isinstance(e, PartStartEvent)]
    assert [type(p).__name__ for p in starts] == ["TextPart", "NativeToolCallPart", "NativeToolReturnPart"]
    assert response.usage.input_tokens == 128 and response.finish_reason == "stop"


def test_vertex_google_search_excludes_domains_and_picks_priority_and_a_thinking_budget() -> None:
    [response] = replay(
        "vertex", "google_search", "gemini-2.5-flash", [EURO],
        ModelRequestParameters(native_tools=[WebSearchTool(blocked_domains=["example.com"])]),
        {"thinking": "medium", "service_tier": "priority"},
    )  # fmt: skip
    call, _ = response.native_tool_calls[0]
    assert (call.tool_name, call.provider_name) == ("web_search", "google-vertex")


# ---------------------------------------------------------------------------------------------- code execution

PRIMES = ask("What is the sum of the first 50 prime numbers? Generate and run code for the calculation.")
CODE = {"language": "PYTHON", "code": "import sympy\nprint(sum(sympy.prime(i) for i in range(1, 51)))\n"}
SIGNED = {"thought_signature": "Q29kZVNpZ25hdHVyZQ=="}


def test_code_execution_parts_keep_code_output_and_signature_and_go_back_as_received() -> None:
    first, second = replay("gemini", "code_execution", "gemini-3-flash-preview",
                           [PRIMES, then(PRIMES, "And of the first 10?")],
                           ModelRequestParameters(native_tools=[CodeExecutionTool()]))  # fmt: skip
    assert stamped(first.parts) == stamped([
        TextPart("I'll compute the sum with a short program."),
        NativeToolCallPart("code_execution", CODE, tool_call_id="code_execution_1", provider_name=GLA,
                           provider_details=SIGNED),
        NativeToolReturnPart("code_execution", {"outcome": "OUTCOME_OK", "output": "5117\n"},
                             tool_call_id="code_execution_1", provider_name=GLA),
        TextPart("The sum of the first 50 prime numbers is 5117."),
    ])  # fmt: skip
    assert first.usage.details == {"tool_use_prompt_tokens": 40}
    assert second.text == "The first 10 primes sum to 129."


def test_code_execution_streamed_with_the_plot_it_drew_as_a_file() -> None:
    [(events, response)] = replay_stream(
        "gemini", "stream_code_execution", "gemini-3-flash-preview", [ask("Plot the first 50 primes and give their sum.")],
        ModelRequestParameters(native_tools=[CodeExecutionTool()]),
    )  # fmt: skip
    text, call, result, plot, answer = response.parts
    assert isinstance(call, NativeToolCallPart) and call.args == CODE and call.provider_details == SIGNED
    assert isinstance(result, NativeToolReturnPart) and result.tool_call_id == call.tool_call_id
    assert isinstance(plot, FilePart) and isinstance(plot.content, BinaryImage)
    assert plot.content.data.endswith(b"prime-plot") and response.images == [plot.content]
    assert (text, answer) == (TextPart("Running the code."), TextPart("The sum is 5117."))
    assert len([e for e in events if isinstance(e, PartStartEvent)]) == 5


# ---------------------------------------------------------------------------------------------- URL context

RECIPES = ask(
    "Compare the ingredients and cooking times from the recipes at "
    "https://www.foodnetwork.com/recipes/ina-garten/perfect-roast-chicken-recipe-1940592 and "
    "https://www.allrecipes.com/recipe/21151/simple-whole-roast-chicken/"
)
URLS = load_case("gemini", "url_context").exchanges[0].response["json"]["candidates"][0]["urlContextMetadata"]


def fetch_parts() -> list[Any]:
    return [
        NativeToolCallPart("web_fetch", {"urls": [u["retrievedUrl"] for u in URLS["urlMetadata"]]},
                           tool_call_id="urlContext", provider_name=GLA),
        NativeToolReturnPart("web_fetch", URLS["urlMetadata"], tool_call_id="urlContext", provider_name=GLA,
                             provider_details={"url_context_metadata": URLS}),
        TextPart("Ina Garten's recipe roasts at 425°F for about 1.5 hours; the second page could not be retrieved."),
    ]  # fmt: skip


def test_url_context_is_a_web_fetch_call_with_each_urls_retrieval_status() -> None:
    first, second = replay("gemini", "url_context", "gemini-2.5-flash", [RECIPES, then(RECIPES, "Which is faster?")],
                           ModelRequestParameters(native_tools=[WebFetchTool()]))  # fmt: skip
    assert stamped(first.parts) == stamped(fetch_parts())
    assert second.text == "Ina Garten's."


def test_url_context_streamed_arrives_first_as_in_the_json_answer() -> None:
    [(_, response)] = replay_stream("gemini", "stream_url_context", "gemini-2.5-flash", [RECIPES],
                                    ModelRequestParameters(native_tools=[WebFetchTool()]))  # fmt: skip
    assert stamped(response.parts) == stamped(fetch_parts())


# ---------------------------------------------------------------------------------------------- file search

LEAVE = ask("How much paid leave do I get?")
STORES = ModelRequestParameters(
    native_tools=[FileSearchTool(file_store_ids=["fileSearchStores/handbook-7q2x"])]
)


def test_file_search_is_a_call_and_its_retrieved_contexts_json_and_stream() -> None:
    lag = ("tools[].fileSearch",)
    first, _ = replay(
        "gemini", "file_search", "gemini-2.5-flash", [LEAVE, then(LEAVE, "And sick leave?")], STORES, lag=lag
    )
    [(_, streamed)] = replay_stream(
        "gemini", "stream_file_search", "gemini-2.5-flash", [LEAVE], STORES, lag=lag
    )
    meta = grounding("gemini", "file_search")
    text, call, result = first.parts
    assert isinstance(text, TextPart) and len(text.provider_details["citations"]) == 2  # type: ignore[index]
    assert (call.tool_name, call.tool_call_id) == ("file_search", "fileSearch")  # type: ignore[union-attr]
    assert result == NativeToolReturnPart(
        "file_search", [c["retrievedContext"] for c in meta["groundingChunks"]], tool_call_id="fileSearch",
        timestamp=result.timestamp, provider_name=GLA, provider_details={"grounding_metadata": meta},  # type: ignore[union-attr]
    )  # fmt: skip
    assert stamped(streamed.parts) == stamped(first.parts)


# ---------------------------------------------------------------------------------------------- image output

BANANA = ask("Create a picture of a nano banana dish in a fancy restaurant with a Gemini theme.")


def test_image_model_answers_with_a_signed_file_part_sent_back_for_an_edit() -> None:
    tool = ImageGenerationTool(aspect_ratio="16:9", size="2K")
    first, second = replay(
        "gemini", "image_generation", "gemini-3-pro-image-preview", [BANANA, then(BANANA, "Make the banana blue.")],
        ModelRequestParameters(native_tools=[tool]), lag=("generationConfig.imageConfig.imageSize",),
    )  # fmt: skip
    text, image = first.parts  # the interim "thought" image is not the answer
    assert text == TextPart(
        "Here is your nano banana dish.", provider_details={"thought_signature": "VGV4dFNpZ25hdHVyZQ=="}
    )
    assert isinstance(image, FilePart) and image.provider_details == {
        "thought_signature": "SW1hZ2VTaWduYXR1cmU="
    }
    assert image.content == BinaryImage(base64.b64decode(_png("image_generation")), "image/png")
    assert first.usage.details == {"text_candidates_tokens": 10, "image_candidates_tokens": 1120}
    assert second.images[0].data.endswith(b"blue-banana")


def _png(case: str) -> str:
    parts = load_case("gemini", case).exchanges[0].response["json"]["candidates"][0]["content"]["parts"]
    return next(p["inlineData"]["data"] for p in parts if "inlineData" in p and not p.get("thought"))


def test_image_output_streamed_without_a_tool_on_an_image_model() -> None:
    [(events, response)] = replay_stream(
        "gemini", "stream_image_generation", "gemini-2.5-flash-image", [BANANA]
    )
    text, image = response.parts
    assert text == TextPart("Here is your nano banana dish.")
    assert isinstance(image, FilePart) and image.content.data.endswith(b"nano-banana")
    assert isinstance(events[-1], PartStartEvent) and isinstance(events[-1].part, FilePart)


def test_vertex_image_output_options_for_jpeg() -> None:
    tool = ImageGenerationTool(aspect_ratio="1:1", output_format="jpeg", output_compression=80)
    [response] = replay("vertex", "image_generation", "gemini-2.5-flash-image", [ask("A kitten in a teacup.")],
                        ModelRequestParameters(native_tools=[tool]))  # fmt: skip
    [image] = response.images
    assert image.media_type == "image/jpeg" and image.data.endswith(b"kitten")


# ---------------------------------------------------------------------------------------------- refusals

WEATHER = ToolDefinition(
    "get_weather", {"type": "object", "properties": {"city": {"type": "string"}}}, "Weather"
)


@pytest.mark.parametrize(
    ("model", "vertex", "tool", "message"),
    [
        ("gemini-2.5-flash", False, WebSearchTool(max_uses=3), r"WebSearchTool\(max_uses=...\) has no equivalent"),
        ("gemini-2.5-flash", False, WebSearchTool(search_context_size="high"), "search_context_size"),
        ("gemini-2.5-flash", False, WebSearchTool(blocked_domains=["x.com"]), "Vertex AI's `googleSearch.excludeDomains`"),
        ("gemini-2.5-flash", False, WebFetchTool(enable_citations=True), "enable_citations"),
        ("gemini-2.5-flash", True, FileSearchTool(file_store_ids=["fileSearchStores/a"]), "FileSearchTool is not supported by Vertex AI"),
        ("gemini-2.5-flash", False, FileSearchTool(), "needs `file_store_ids`"),
        ("gemini-2.5-flash", False, ImageGenerationTool(), "does not generate images"),
        ("gemini-2.5-flash-image", False, ImageGenerationTool(size="1024x1024"), "Gemini image sizes are 1K, 2K, 4K"),
        ("gemini-2.5-flash-image", False, ImageGenerationTool(output_format="png"), "Vertex AI's"),
        ("gemini-2.5-flash-image", False, ImageGenerationTool(quality="high"), r"quality=...\) has no equivalent"),
        ("gemini-2.5-flash-image", True, ImageGenerationTool(output_format="png", output_compression=5), "only for output_format='jpeg'"),
        ("gemini-2.5-flash", False, MCPServerTool(id="x", url="https://x"), "supported by OpenAI Responses, Anthropic"),
        ("gemini-2.5-flash", False, MemoryTool(), "MemoryTool is not supported by Gemini"),
    ],
)  # fmt: skip
def test_what_gemini_cannot_do_is_a_user_error_before_any_request(
    model: str, vertex: bool, tool: Any, message: str
) -> None:
    from wireai.providers.google_vertex import GoogleVertexProvider
    from wireai.testing.fakes import FakeGoogleCredentials

    provider: Any = GoogleVertexProvider(credentials=FakeGoogleCredentials()) if vertex else "google-gla"
    gemini = GeminiModel(model, provider=provider, **({} if vertex else {"api_key": "k"}))
    with pytest.raises(UserError, match=message):
        gemini.build_request(ask("x"), None, ModelRequestParameters(native_tools=[tool]))


def test_function_tools_beside_native_tools_only_from_gemini_3() -> None:
    params = ModelRequestParameters(function_tools=[WEATHER], native_tools=[WebSearchTool()])
    with pytest.raises(
        UserError, match="gemini-2.5-flash cannot combine function or output tools with native tools"
    ):
        GeminiModel("gemini-2.5-flash", api_key="k").build_request(ask("x"), None, params)
    body = GeminiModel("gemini-3-flash-preview", api_key="k").build_request(ask("x"), None, params).body
    assert body["tools"] == [
        {"functionDeclarations": [{"name": "get_weather", "description": "Weather",
                                   "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}}}]},
        {"googleSearch": {}},
    ]  # fmt: skip


def test_another_vendors_native_parts_and_thinking_never_reach_gemini() -> None:
    foreign = ModelResponse(
        [
            ThinkingPart("hmm", signature="sig", provider_name="anthropic"),
            NativeToolCallPart(
                "code_execution", {"code": "1+1"}, tool_call_id="srvtoolu_1", provider_name="anthropic"
            ),
            NativeToolReturnPart(
                "code_execution", {"stdout": "2"}, tool_call_id="srvtoolu_1", provider_name="anthropic"
            ),
            TextPart("2"),
        ],
        provider_name="anthropic",
    )
    body = (
        GeminiModel("gemini-2.5-flash", api_key="k")
        .build_request([*ask("1+1?"), foreign, *ask("Thanks")], None, ModelRequestParameters())
        .body
    )
    assert body["contents"][1] == {"role": "model", "parts": [{"text": "2"}]}
