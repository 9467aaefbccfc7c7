"""Web search over chat completions, host by host (issue 17): the request each host's reference
documents, what the search did read back (Groq's `executed_tools` as native call/return parts,
`url_citation` annotations on the TextPart), JSON and streamed, and the follow-up request that
sends the history back. Which host/model runs what is profile data; every other one refuses."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from support import assert_protocol_valid, assert_spec_valid
from wireai import Agent
from wireai.codecs import openai_chat
from wireai.exceptions import UserError
from wireai.messages import (
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
from wireai.models.groq import GroqModel
from wireai.models.openai import OpenAIChatModel
from wireai.native_tools import CodeExecutionTool, WebFetchTool, WebSearchTool
from wireai.providers.deepseek import DeepSeekProvider
from wireai.providers.grok import GrokProvider
from wireai.providers.groq import GroqProvider, groq_model_profile
from wireai.providers.openai import OpenAIProvider, openai_model_profile
from wireai.providers.openrouter import OpenRouterProvider
from wireai.testing import FakeGroq, FakeOpenAI
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.usage import RequestUsage

ASK = "What is the latest stable Python release?"
SEARCH_ARGS = '{"query": "latest stable Python release"}'


def user(text: str) -> ModelRequest:
    return ModelRequest([UserPromptPart(text)])


def search(**kwargs: Any) -> ModelRequestParameters:
    return ModelRequestParameters(native_tools=[WebSearchTool(**kwargs)])


def groq(server: ReplayServer, name: str) -> GroqModel:
    provider = GroqProvider(api_key="gsk-test", base_url=server.url + "/openai/v1")
    provider.max_retries = 0
    return GroqModel(name, provider=provider)


def openai(server: ReplayServer, name: str) -> OpenAIChatModel:
    provider = OpenAIProvider(api_key="test-key", base_url=server.url + "/v1")
    provider.max_retries = 0
    return OpenAIChatModel(name, provider=provider)


def openrouter(server: ReplayServer, name: str) -> OpenAIChatModel:
    provider = OpenRouterProvider(api_key="or-key", base_url=server.url + "/api/v1")
    provider.max_retries = 0
    return OpenAIChatModel(name, provider=provider)


def check(server: ReplayServer, spec: str | None, *, strict: bool = True) -> None:
    server.assert_requests_match()
    for request in server.requests:
        assert_protocol_valid("openai_chat", request.json())
        if spec:
            assert_spec_valid(spec, request.json(), strict=strict)


async def run(model: Any, steps: list[tuple[list[ModelMessage], Any]], params: Any) -> list[ModelResponse]:
    return [await model.request(messages, settings, params) for messages, settings in steps]


async def streamed(model: Any, messages: list[ModelMessage], params: Any) -> tuple[list[Any], ModelResponse]:
    events = []
    async with model.request_stream(messages, None, params) as response:
        async for event in response:
            events.append(event)
    return events, response.get()


# ------------------------------------------------------------------------------------------------ Groq


def test_groq_compound_web_search_sends_domain_filters_and_reads_executed_tools() -> None:
    params = search(allowed_domains=["python.org"], blocked_domains=["reddit.com"])
    first_ask = [user(ASK)]
    with ReplayServer(load_case("groq", "compound_web_search")) as server:
        model = groq(server, "groq/compound")
        first = asyncio.run(run(model, [(first_ask, {"service_tier": "flex"})], params))[0]
        history = [*first_ask, first, user("Thanks. Answer in one word: is it stable?")]
        second = asyncio.run(run(model, [(history, {"service_tier": "flex"})], params))[0]
        check(server, "groq")
    call, result, answer = first.parts
    assert call == NativeToolCallPart(
        "web_search",
        SEARCH_ARGS,
        "executed_tool_0",
        provider_name="groq",
        provider_details={"type": "search", "index": 0},
    )
    assert isinstance(result, NativeToolReturnPart)
    assert (result.tool_name, result.tool_call_id, result.provider_name) == (
        "web_search",
        "executed_tool_0",
        "groq",
    )
    assert [r["url"] for r in result.content["results"]] == [
        "https://www.python.org/downloads/release/python-3141/",
        "https://www.python.org/downloads/",
    ]
    assert result.provider_details is not None and result.provider_details["output"].startswith(
        "Title: Python"
    )
    assert answer == TextPart("The latest stable release is Python 3.14.1.")
    assert first.native_tool_calls == [(call, result)]
    assert first.tool_calls == []  # a server-run search is never a call for the agent to run
    assert first.usage == RequestUsage(input_tokens=1350, output_tokens=42)
    assert second.parts == [TextPart("Yes.")]


def test_groq_compound_stream_reads_the_call_then_its_output_under_one_index() -> None:
    with ReplayServer(load_case("groq", "stream_compound_web_search")) as server:
        model = groq(server, "groq/compound")
        events, response = asyncio.run(streamed(model, [user(ASK)], search(allowed_domains=["python.org"])))
        check(server, "groq")
    starts = [e for e in events if isinstance(e, PartStartEvent)]
    assert [(e.index, type(e.part).__name__) for e in starts] == [
        (0, "NativeToolCallPart"),
        (1, "NativeToolReturnPart"),
        (2, "TextPart"),
    ]
    call, result, text = response.parts
    assert isinstance(call, NativeToolCallPart) and call.args == SEARCH_ARGS
    assert isinstance(result, NativeToolReturnPart) and result.tool_call_id == call.tool_call_id
    assert result.content["results"][0]["score"] == 0.93
    assert text == TextPart("The latest stable release is Python 3.14.1.")
    assert response.usage == RequestUsage(input_tokens=1350, output_tokens=42)
    # The stream reads as the JSON body of the same answer does.
    json_parts = openai_chat.parse_response(
        load_case("groq", "compound_web_search").exchanges[0].response["json"]
    )
    assert [type(p) for p in json_parts.parts] == [type(p) for p in response.parts]
    assert json_parts.parts[1].content == result.content


def test_groq_gpt_oss_browser_search_with_portable_thinking_and_priority_tier() -> None:
    with ReplayServer(load_case("groq", "gpt_oss_browser_search")) as server:
        model = groq(server, "openai/gpt-oss-120b")
        settings = {"thinking": "high", "service_tier": "priority"}
        (response,) = asyncio.run(
            run(model, [([user("What did Groq announce about its LPU?")], settings)], search())
        )
        check(server, "groq")
    thinking, call, result, text = response.parts
    assert thinking == ThinkingPart("I should search for the announcement.", provider_name="groq")
    assert isinstance(call, NativeToolCallPart) and call.tool_name == "web_search"
    assert call.provider_details == {"type": "browser.search", "index": 0}
    assert isinstance(result, NativeToolReturnPart) and result.content.startswith("【0†Groq unveils")
    assert text == TextPart("Groq announced a new generation of its LPU.")
    assert response.usage == RequestUsage(
        input_tokens=980, output_tokens=120, cache_read_tokens=512, details={"reasoning_tokens": 30}
    )


def test_groq_gpt_oss_code_interpreter_and_compound_code_execution() -> None:
    oss = openai_chat.build_request(
        [user("2**100?")],
        ModelRequestParameters(native_tools=[CodeExecutionTool()]),
        model="openai/gpt-oss-20b",
        profile=groq_model_profile("openai/gpt-oss-20b"),
    )
    assert oss.body is not None and oss.body["tools"] == [{"type": "code_interpreter"}]
    compound = openai_chat.build_request(
        [user("2**100?")],
        ModelRequestParameters(native_tools=[CodeExecutionTool(), WebSearchTool()]),
        model="groq/compound-mini",
        profile=groq_model_profile("groq/compound-mini"),
    )
    assert compound.body == {
        "model": "groq/compound-mini",
        "messages": [{"role": "user", "content": "2**100?"}],
    }
    assert_spec_valid("groq", oss.body)


def test_groq_executed_code_reads_as_code_execution_with_its_results() -> None:
    body = {
        "id": "c",
        "object": "chat.completion",
        "created": 1735689600,
        "model": "groq/compound",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "1267650600228229401496703205376",
                    "executed_tools": [
                        {
                            "index": 0,
                            "type": "python",
                            "arguments": '{"code": "print(2**100)"}',
                            "output": None,
                            "code_results": [{"text": "1267650600228229401496703205376\n"}],
                        }  # fmt: skip
                    ],
                },
                "finish_reason": "stop",
            }
        ],
    }
    call, result, _ = openai_chat.parse_response(body).parts
    assert isinstance(call, NativeToolCallPart) and call.tool_name == "code_execution"
    assert isinstance(result, NativeToolReturnPart)
    assert result.content == [{"text": "1267650600228229401496703205376\n"}]


def test_groq_models_without_native_tools_refuse_them() -> None:
    with pytest.raises(
        UserError, match=r"WebSearchTool is not supported by OpenAI chat model 'llama-3.3-70b"
    ):
        openai_chat.build_request(
            [user("hi")],
            search(),
            model="llama-3.3-70b-versatile",
            profile=groq_model_profile("llama-3.3-70b-versatile"),
        )
    with pytest.raises(UserError, match="WebFetchTool is not supported"):
        openai_chat.build_request(
            [user("hi")],
            ModelRequestParameters(native_tools=[WebFetchTool()]),
            model="groq/compound",
            profile=groq_model_profile("groq/compound"),
        )


# ------------------------------------------------------------------------------------------------ OpenAI


def test_openai_search_model_sends_web_search_options_and_keeps_citations_on_the_text() -> None:
    params = search(
        search_context_size="high",
        user_location={"country": "FR", "city": "Paris", "timezone": "Europe/Paris"},
    )
    asked = [user("What's on in Paris this week?")]
    with ReplayServer(load_case("openai_chat", "search_model_web_search")) as server:
        model = openai(server, "gpt-4o-search-preview")
        (first,) = asyncio.run(run(model, [(asked, None)], params))
        (second,) = asyncio.run(run(model, [([*asked, first, user("Is it free?")], None)], params))
        check(server, "openai")
    (text,) = first.parts
    assert isinstance(text, TextPart)
    assert text.content.startswith("Paris hosts the 2026 World Expo")
    assert text.provider_details == {
        "annotations": [
            {
                "type": "url_citation",
                "url_citation": {
                    "start_index": 47,
                    "end_index": 85,
                    "url": "https://www.lemonde.fr/expo",
                    "title": "Expo 2026 - Le Monde",
                },
            }
        ]
    }
    assert second.parts == [TextPart("Entry is paid.")]  # an empty annotations list adds nothing


def test_openai_search_model_stream_attaches_streamed_annotations_to_the_text() -> None:
    with ReplayServer(load_case("openai_chat", "stream_search_model_annotations")) as server:
        model = openai(server, "gpt-4o-search-preview")
        _, response = asyncio.run(streamed(model, [user("What's on in Paris this week?")], search()))
        check(server, "openai")
    (text,) = response.parts
    assert isinstance(text, TextPart) and text.content.endswith("(https://www.lemonde.fr/expo).")
    assert text.provider_details is not None
    assert text.provider_details["annotations"][0]["url_citation"]["url"] == "https://www.lemonde.fr/expo"


@pytest.mark.parametrize("name", ["gpt-4o", "gpt-5", "o3"])
def test_openai_models_other_than_search_models_refuse_web_search(name: str) -> None:
    with pytest.raises(
        UserError, match=rf"WebSearchTool is not supported by OpenAI chat model '{name}'.*OpenAI Responses"
    ):
        openai_chat.build_request([user("hi")], search(), model=name, profile=openai_model_profile(name))


@pytest.mark.parametrize(
    ("profile", "model", "where"),
    [
        (openai_model_profile, "gpt-4o-search-preview", "web_search_options"),
        (groq_model_profile, "openai/gpt-oss-120b", "browser_search"),
    ],
)
def test_hosts_without_domain_filters_refuse_them_rather_than_search_everywhere(
    profile: Any, model: str, where: str
) -> None:
    for domains in ({"allowed_domains": ["python.org"]}, {"blocked_domains": ["x.com"]}):
        with pytest.raises(UserError, match=f"{where}.*no domain filters"):
            openai_chat.build_request([user("hi")], search(**domains), model=model, profile=profile(model))


# ------------------------------------------------------------------------------------------------ OpenRouter


def test_openrouter_web_search_server_tool_with_thinking_cache_and_citations() -> None:
    params = search(allowed_domains=["python.org"])
    with ReplayServer(load_case("openrouter", "web_search_server_tool")) as server:
        model = openrouter(server, "openai/gpt-5-mini")
        (first,) = asyncio.run(run(model, [([user(ASK)], {"thinking": "low"})], params))
        history = [user(ASK), first, user("Thanks!")]
        (second,) = asyncio.run(run(model, [(history, {"thinking": "low"})], params))
        check(server, None)  # OpenRouter's fields (reasoning, its server tool) are in no spec we hold
    (text,) = first.parts
    assert isinstance(text, TextPart) and text.provider_details is not None
    citation = text.provider_details["annotations"][0]["url_citation"]
    assert (citation["url"], citation["content"]) == (
        "https://www.python.org/downloads/",
        "Download the latest version for Windows: Python 3.14.1",
    )
    assert first.usage == RequestUsage(
        input_tokens=2100,
        output_tokens=80,
        cache_read_tokens=1024,
        cache_write_tokens=512,
        details={"reasoning_tokens": 64},
    )
    assert first.provider_name == "openrouter"
    assert second.parts == [TextPart("You're welcome.")]


def test_openrouter_stream_keeps_annotations_and_cache_counts() -> None:
    with ReplayServer(load_case("openrouter", "stream_web_search_annotations")) as server:
        model = openrouter(server, "openai/gpt-5-mini")
        _, response = asyncio.run(streamed(model, [user(ASK)], search()))
        check(server, None)
    (text,) = response.parts
    assert isinstance(text, TextPart)
    assert (
        text.content
        == "Python 3.14.1 is the latest release ([python.org](https://www.python.org/downloads/))."
    )
    assert text.provider_details is not None and len(text.provider_details["annotations"]) == 1
    assert (response.usage.cache_read_tokens, response.usage.cache_write_tokens) == (1024, 512)


def test_openrouter_search_context_size_and_blocked_domains_reach_the_server_tool() -> None:
    request = openai_chat.build_request(
        [user("hi")],
        search(search_context_size="high", blocked_domains=["reddit.com"]),
        model="anthropic/claude-sonnet-4.5",
        profile=OpenRouterProvider(api_key="k").model_profile("anthropic/claude-sonnet-4.5"),
    )
    assert request.body is not None
    assert request.body["tools"] == [
        {
            "type": "openrouter:web_search",
            "parameters": {"excluded_domains": ["reddit.com"], "search_context_size": "high"},
        }
    ]


# ------------------------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("provider", "model", "says"),
    [
        (GrokProvider(api_key="k"), "grok-4", "Responses API: use OpenAIResponsesModel"),
        (DeepSeekProvider(api_key="k"), "deepseek-chat", "it is supported by Anthropic"),
    ],
)
def test_hosts_without_native_tools_refuse_them_before_any_request(
    provider: Any, model: str, says: str
) -> None:
    with pytest.raises(
        UserError, match=f"WebSearchTool is not supported by OpenAI chat model '{model}'.*{says}"
    ):
        openai_chat.build_request([user("hi")], search(), model=model, profile=provider.model_profile(model))


def test_agent_with_web_search_on_a_fake_groq_compound_model_never_runs_the_native_call() -> None:
    with FakeGroq() as fake:
        fake.add_response(
            ModelResponse(
                [
                    NativeToolCallPart("web_search", SEARCH_ARGS, "executed_tool_0"),
                    NativeToolReturnPart("web_search", "Python 3.14.1 released", "executed_tool_0"),
                    TextPart("Python 3.14.1."),
                ]
            )
        )
        agent = Agent(fake.model("groq/compound"), native_tools=[WebSearchTool()])
        result = agent.run_sync(ASK)
        assert result.output == "Python 3.14.1."
        sent = fake.requests[0].json()
    assert "tools" not in sent  # compound systems search without being asked
    response = result.all_messages()[1]
    assert isinstance(response, ModelResponse)
    call, returned, _ = response.parts
    assert isinstance(call, NativeToolCallPart) and call.provider_name == "groq"
    assert isinstance(returned, NativeToolReturnPart) and returned.content == "Python 3.14.1 released"


def test_fake_openai_search_model_sends_the_annotations_it_is_given() -> None:
    citation = {
        "type": "url_citation",
        "url_citation": {"start_index": 0, "end_index": 5, "url": "https://a.example", "title": "A"},
    }
    with FakeOpenAI() as fake:
        fake.add_response(ModelResponse([TextPart("Paris", provider_details={"annotations": [citation]})]))
        fake.add_response(ModelResponse([TextPart("Paris", provider_details={"annotations": [citation]})]))
        model = fake.model("gpt-4o-search-preview")
        (json_answer,) = asyncio.run(run(model, [([user("capital?")], None)], search()))
        _, streamed_answer = asyncio.run(streamed(model, [user("capital?")], search()))
    for answer in (json_answer, streamed_answer):
        assert answer.parts == [TextPart("Paris", provider_details={"annotations": [citation]})]


def test_fake_groq_scripts_native_calls_for_json_and_streams_alike() -> None:
    scripted = ModelResponse(
        [
            NativeToolCallPart("web_search", SEARCH_ARGS, "executed_tool_0"),
            NativeToolReturnPart(
                "web_search",
                {"results": [{"title": "Python", "url": "https://python.org"}]},
                "executed_tool_0",
            ),
            NativeToolCallPart("code_execution", '{"code": "print(1)"}', "executed_tool_1"),
            NativeToolReturnPart("code_execution", "1\n", "executed_tool_1"),
            TextPart("Done."),
        ]
    )
    with FakeGroq() as fake:
        fake.add_response(scripted).add_response(scripted)
        model = fake.model("groq/compound")
        (json_answer,) = asyncio.run(run(model, [([user(ASK)], None)], search()))
        _, streamed_answer = asyncio.run(streamed(model, [user(ASK)], search()))
        sent = fake.requests[1].json()
    assert sent["stream"] is True and "stream_options" not in sent
    for answer in (json_answer, streamed_answer):
        assert [(type(p).__name__, getattr(p, "tool_name", None)) for p in answer.parts] == [
            ("NativeToolCallPart", "web_search"),
            ("NativeToolReturnPart", "web_search"),
            ("NativeToolCallPart", "code_execution"),
            ("NativeToolReturnPart", "code_execution"),
            ("TextPart", None),
        ]
        assert answer.parts[1].content == {"results": [{"title": "Python", "url": "https://python.org"}]}  # type: ignore[union-attr]
        assert answer.parts[3].content == "1\n"  # type: ignore[union-attr]
        assert answer.parts[2].provider_details == {"type": "python", "index": 1}


@pytest.mark.parametrize("item", [{"type": "search"}, {"index": [0], "type": "search"}, "search"])
def test_malformed_executed_tools_are_a_typed_error_in_json_and_streams(item: Any) -> None:
    import json

    from wireai.exceptions import UnexpectedModelBehavior

    message = {"role": "assistant", "content": "a", "executed_tools": [item]}
    with pytest.raises(UnexpectedModelBehavior, match="executed"):
        openai_chat.parse_response({"choices": [{"index": 0, "message": message, "finish_reason": "stop"}]})
    chunk = {"choices": [{"index": 0, "delta": {"executed_tools": [item]}}]}
    with pytest.raises(UnexpectedModelBehavior, match="executed"):
        openai_chat.StreamParser().feed(b"data: " + json.dumps(chunk).encode() + b"\n\n")
