"""xAI web search through xAI's Responses API, replayed over loopback from `fixtures/xai_responses/`.

xAI runs web search only as its `web_search` agent tool on `POST /v1/responses` (chat completions'
Live Search is retired). Its tool entry differs from OpenAI's (domain lists on the tool itself, no
`search_context_size` or `user_location`), and so do its answers: `server_side_tool_usage_details`
in the usage, and a second form of `web_search_call` (name, call_id and JSON arguments instead of an
action). The tests pin the request bodies, the parts read back (JSON and streamed), the usage, and the
follow-up that gives the calls back to xAI.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from support import ToLoopback, assert_protocol_valid, two_turns
from wireai import Agent
from wireai.codecs import openai_chat
from wireai.exceptions import UserError
from wireai.messages import (
    ModelRequest,
    NativeToolCallPart,
    NativeToolReturnPart,
    PartStartEvent,
    TextPart,
    UserPromptPart,
)
from wireai.models import ModelRequestParameters, infer_model
from wireai.models.openai import OpenAIResponsesModel
from wireai.native_tools import CodeExecutionTool, WebSearchTool
from wireai.providers.grok import GrokProvider
from wireai.providers.xai import XaiProvider
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.usage import RequestUsage

HOST = "https://api.x.ai/v1/responses"
CREATED = datetime.fromtimestamp(1762189566, timezone.utc)
MODEL = "grok-4-fast-reasoning"


def replay(
    case_name: str, run: Any, *, provider: type[XaiProvider] = XaiProvider
) -> tuple[Any, ReplayServer, ToLoopback]:
    """`run(model)` against the case's replay server; the provider keeps xAI's base URL (only the
    socket goes to loopback), so the URL sent is the one a user's requests go to."""
    case = load_case("xai_responses", case_name)
    for exchange in case.exchanges:
        assert_protocol_valid("openai_responses", exchange.body)

    async def main(transport: ToLoopback) -> Any:
        async with httpx.AsyncClient(transport=transport) as client:
            xai = provider(api_key="test-key", http_client=client, max_retries=0)
            return await run(OpenAIResponsesModel(MODEL, provider=xai))

    with ReplayServer(case) as server:
        transport = ToLoopback(server.url)
        result = asyncio.run(main(transport))
        server.assert_requests_match()
    assert transport.urls == [HOST] * len(case.exchanges)
    return result, server, transport


def user(text: str) -> ModelRequest:
    return ModelRequest([UserPromptPart(text)])


def turns(tools: list[Any], questions: tuple[str, str], *, stream_first: bool = False) -> Any:
    return lambda model: two_turns(model, tools, questions, stream_first=stream_first)


def called(args: Any, item_id: str, **details: Any) -> NativeToolCallPart:
    return NativeToolCallPart(
        "web_search",
        args,
        item_id,
        provider_name="xai",
        provider_details={"item_type": "web_search_call", **details},
    )


def returned(content: Any, item_id: str) -> NativeToolReturnPart:
    return NativeToolReturnPart("web_search", content, item_id, timestamp=CREATED, provider_name="xai")


RID = "7c1e5a3b-2f4d-4e8a-9b61-0d2c3e4f5a6b"
WS0, WS1 = f"ws_{RID}_call-5e0d-0", f"ws_{RID}_call-5e0d-1"
NEWS = "https://x.ai/news/grok-4-1-fast"


def test_xai_web_search_excluded_domains_calls_citations_and_server_tool_usage_then_follow_up() -> None:
    (first, _, second), server, _ = replay(
        "web_search",
        turns(
            [WebSearchTool(blocked_domains=["reddit.com", "quora.com"])],
            ("What did xAI announce this week?", "Which page was that from?"),
        ),
    )
    assert server.requests[0].json()["tools"] == [
        {"type": "web_search", "excluded_domains": ["reddit.com", "quora.com"]}
    ]
    assert server.requests[0].headers["authorization"] == "Bearer test-key"
    sources = [
        {"type": "url", "url": NEWS},
        {"type": "url", "url": "https://en.wikipedia.org/wiki/XAI_(company)"},
    ]
    text = "xAI released Grok 4.1 Fast this week, with a 2M-token context window [[1]](https://x.ai/news/grok-4-1-fast)."
    citation = {"type": "url_citation", "url": NEWS, "start_index": 69, "end_index": 107, "title": "1"}
    assert first.parts == [
        called({"type": "search", "query": "xAI announcement this week"}, WS0),
        returned({"status": "completed", "sources": sources}, WS0),
        called({"type": "open_page", "url": NEWS}, WS1),
        returned({"status": "completed"}, WS1),
        TextPart(text, id=f"msg_{RID}", provider_details={"annotations": [citation]}),
    ]
    # xAI's own count of its server-side tools; the zero counts of the others are left out.
    assert first.usage == RequestUsage(
        input_tokens=1941,
        output_tokens=583,
        cache_read_tokens=947,
        details={"web_search_calls": 2, "reasoning_tokens": 380},
    )
    assert first.finish_reason == "stop" and first.provider_response_id == RID
    assert first.model_name == MODEL
    assert second.text == "It came from xAI's own news page, x.ai/news."


def test_xai_streams_a_web_search_call_then_cited_text() -> None:
    (first, events, second), server, _ = replay(
        "stream_web_search",
        turns(
            [WebSearchTool(allowed_domains=["x.ai", "wikipedia.org"])],
            ("What is xAI?", "When was it founded?"),
            stream_first=True,
        ),
    )
    ws = "ws_3b8e1f2a-6c4d-4b7e-a5f9-2d1c0e9f8a7b_call-a1b2-0"
    sources = [
        {"type": "url", "url": "https://x.ai/company"},
        {"type": "url", "url": "https://en.wikipedia.org/wiki/XAI_(company)"},
    ]
    citations = [
        {"type": "url_citation", "url": s["url"], "start_index": 0, "end_index": 0, "title": s["url"]}
        for s in sources
    ]
    assert first.parts == [
        called({"type": "search", "query": "what is xAI"}, ws),
        returned({"status": "completed", "sources": sources}, ws),
        TextPart(
            "xAI is an AI company founded in 2023.",
            id="msg_3b8e1f2a-6c4d-4b7e-a5f9-2d1c0e9f8a7b",
            provider_details={"annotations": citations},
        ),
    ]
    assert first.usage == RequestUsage(
        input_tokens=4144, output_tokens=49, cache_read_tokens=1920, details={"web_search_calls": 1}
    )
    starts = [e.part for e in events if isinstance(e, PartStartEvent)]
    assert [type(p).__name__ for p in starts] == ["NativeToolCallPart", "NativeToolReturnPart", "TextPart"]
    # The call starts as xAI announces it (an empty search); the finished item fills the query in.
    assert starts[0].args == {"type": "search", "query": ""}  # type: ignore[union-attr]
    assert "stream" not in server.requests[1].json()
    assert second.text == "In 2023."


def test_xai_web_search_call_with_json_arguments_goes_back_with_its_name_and_call_id() -> None:
    (first, _, second), server, _ = replay(
        "web_search_call_arguments",
        turns([WebSearchTool()], ("What is xAI?", "Who founded it?")),
    )
    fc = "fc_25de2f84-163c-4e9e-a42e-cd1dbd6f9ed0_0"
    assert server.requests[0].json()["tools"] == [{"type": "web_search"}]
    assert first.parts[:2] == [
        called({"query": "what is xAI", "num_results": 5}, fc, name="web_search", call_id=""),
        returned({"status": "completed"}, fc),
    ]
    assert server.requests[1].json()["input"][1] == {
        "type": "web_search_call",
        "id": fc,
        "status": "completed",
        "name": "web_search",
        "call_id": "",
        "arguments": '{"query":"what is xAI","num_results":5}',
    }
    assert second.text == "Elon Musk founded it."


def test_an_agent_with_web_search_on_xai_never_runs_the_native_call() -> None:
    async def run(model: OpenAIResponsesModel) -> Any:
        agent = Agent(model, native_tools=[WebSearchTool(blocked_domains=["reddit.com", "quora.com"])])
        first = await agent.run("What did xAI announce this week?")
        return await agent.run("Which page was that from?", message_history=first.all_messages())

    result, server, _ = replay("web_search", run)
    assert result.output == "It came from xAI's own news page, x.ai/news."
    assert len(server.requests) == 2  # the search ran at xAI: no tool round from the agent


def test_grok_provider_reaches_xai_web_search_the_same_way() -> None:
    (first, _, _), _, _ = replay(
        "web_search_call_arguments",
        turns([WebSearchTool()], ("What is xAI?", "Who founded it?")),
        provider=GrokProvider,
    )
    assert first.parts[0].provider_name == "grok"


# ------------------------------------------------------------------------------------------------ refusals


def xai_body(tool: Any, model: str = MODEL) -> dict[str, Any]:
    from wireai.codecs import openai_responses

    request = openai_responses.build_request(
        [user("hi")],
        ModelRequestParameters(native_tools=[tool]),
        model=model,
        profile=XaiProvider(api_key="k").model_profile(model),
    )
    assert request.body is not None
    return request.body


@pytest.mark.parametrize(
    ("tool", "message"),
    [
        (WebSearchTool(search_context_size="high"), "xAI's web_search tool takes no search_context_size"),
        (WebSearchTool(user_location={"country": "GB"}), "takes no user_location"),
        (WebSearchTool(max_uses=3), "takes no max_uses"),
        (
            WebSearchTool(search_context_size="low", max_uses=2),
            r"takes no search_context_size or max_uses; leave WebSearchTool's search_context_size, max_uses unset",
        ),
        (WebSearchTool(allowed_domains=["a.com"], blocked_domains=["b.com"]), "not both"),
        (WebSearchTool(allowed_domains=[f"d{i}.com" for i in range(6)]), "at most 5 allowed_domains, not 6"),
        (CodeExecutionTool(), "CodeExecutionTool is not supported by OpenAI Responses model grok-4"),
    ],
)
def test_what_xai_web_search_does_not_take_is_a_user_error_naming_it(tool: Any, message: str) -> None:
    with pytest.raises(UserError, match=message):
        xai_body(tool, model="grok-4")


def test_xai_chat_completions_refuse_web_search_pointing_at_the_responses_model() -> None:
    with pytest.raises(UserError, match=r"OpenAIResponsesModel\(model_name, provider=XaiProvider\(\)\)"):
        openai_chat.build_request(
            [user("hi")],
            ModelRequestParameters(native_tools=[WebSearchTool()]),
            model="grok-4",
            profile=XaiProvider(api_key="k").model_profile("grok-4"),
        )


def test_xai_responses_prefix_picks_the_responses_model_and_xai_chat_stays_chat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XAI_API_KEY", "k")
    model = infer_model("xai-responses:grok-4")
    assert type(model).__name__ == "OpenAIResponsesModel"
    assert model.system == "xai" and model.base_url == "https://api.x.ai/v1"
    assert type(infer_model("xai:grok-4")).__name__ == "XaiModel"
