"""FallbackModel: the seed's three examples over real loopback servers, streams, and fallback_on."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from wireai import Agent, ModelHTTPError
from wireai.exceptions import FallbackExceptionGroup, ModelAPIError
from wireai.messages import ModelRequest, ModelResponse, TextPart, UserPromptPart
from wireai.models.anthropic import AnthropicModel
from wireai.models.fallback import FallbackModel
from wireai.models.function import FunctionModel
from wireai.models.openai import OpenAIModel
from wireai.testing.server import LoopbackServer, RecordedRequest, Reply

OPENAI_401 = {
    "error": {
        "message": "Incorrect API key provided: not-valid.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    }
}
ANTHROPIC_401 = {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
ANTHROPIC_PARIS = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": "claude-3-5-sonnet-latest",
    "content": [{"type": "text", "text": "Paris"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 14, "output_tokens": 4},
}


def vendor(routes: dict[str, Reply]) -> LoopbackServer:
    def answer(request: RecordedRequest) -> Reply:
        return routes[request.url_path]

    return LoopbackServer(answer)


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch) -> Any:
    with vendor({"/v1/chat/completions": Reply.json(OPENAI_401, 401)}) as openai_server:
        with vendor({"/v1/messages": Reply.json(ANTHROPIC_PARIS)}) as anthropic_server:
            monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url + "/v1")
            monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic_server.url)
            monkeypatch.setenv("ANTHROPIC_API_KEY", "anthropic-key")
            yield openai_server, anthropic_server


def test_seed_example_falls_back_from_openai_401_to_anthropic(servers: Any) -> None:
    openai_server, anthropic_server = servers
    openai_model = OpenAIModel("gpt-4o", api_key="not-valid")
    anthropic_model = AnthropicModel("claude-3-5-sonnet-latest")
    fallback_model = FallbackModel(openai_model, anthropic_model)
    agent = Agent(fallback_model)
    response = agent.run_sync("What is the capital of France?")
    assert response.data == "Paris"
    request, answer = response.all_messages()
    assert isinstance(request, ModelRequest) and isinstance(request.parts[0], UserPromptPart)
    assert isinstance(answer, ModelResponse) and answer.parts == [TextPart("Paris")]
    assert answer.model_name == "claude-3-5-sonnet-latest"
    # each model used its own key and URL
    assert openai_server.requests[0].headers["authorization"] == "Bearer not-valid"
    assert anthropic_server.requests[0].headers["x-api-key"] == "anthropic-key"
    assert fallback_model.model_name == "fallback:gpt-4o,claude-3-5-sonnet-latest"
    assert fallback_model.system == "fallback:openai,anthropic"


def both_failing(servers: Any) -> Agent[Any, Any]:
    openai_server, anthropic_server = servers
    anthropic_server.handler = lambda r: Reply.json(ANTHROPIC_401, 401)
    openai_model = OpenAIModel("gpt-4o", api_key="not-valid")
    anthropic_model = AnthropicModel("claude-3-5-sonnet-latest", api_key="not-valid")
    return Agent(FallbackModel(openai_model, anthropic_model))


@pytest.mark.skipif(sys.version_info < (3, 11), reason="except* needs Python 3.11")
def test_seed_example_except_star_gets_both_http_errors(servers: Any) -> None:
    agent = both_failing(servers)
    printed = []
    code = compile(
        "try:\n"
        "    response = agent.run_sync('What is the capital of France?')\n"
        "except* ModelHTTPError as exc_group:\n"
        "    for exc in exc_group.exceptions:\n"
        "        printed.append(exc)\n",
        "<seed>",
        "exec",
    )
    exec(code, {"agent": agent, "ModelHTTPError": ModelHTTPError, "printed": printed})
    assert [e.status_code for e in printed] == [401, 401]
    assert [e.model_name for e in printed] == ["gpt-4o", "claude-3-5-sonnet-latest"]
    assert printed[1].body == ANTHROPIC_401
    assert str(printed[0]).startswith("status_code: 401, model_name: gpt-4o, body: {")


def test_seed_example_with_exceptiongroup_catch(servers: Any) -> None:
    from exceptiongroup import catch

    agent = both_failing(servers)
    handled: list[BaseException] = []

    def model_status_error_handler(exc_group: BaseException) -> None:
        handled.extend(exc_group.exceptions)  # type: ignore[attr-defined]

    with catch({ModelHTTPError: model_status_error_handler}):
        agent.run_sync("What is the capital of France?")
    assert [type(e) for e in handled] == [ModelHTTPError, ModelHTTPError]


def test_all_failing_raises_the_group_in_order() -> None:
    def fail(status: int) -> FunctionModel:
        def function(messages: Any, info: Any) -> ModelResponse:
            raise ModelHTTPError(status, f"m{status}", {"error": status})

        return FunctionModel(function, model_name=f"m{status}")

    with pytest.raises(FallbackExceptionGroup) as info:
        Agent(FallbackModel(fail(500), fail(503))).run_sync("hi")
    assert [e.status_code for e in info.value.exceptions] == [500, 503]
    assert info.value.message == "All models from FallbackModel failed"


def test_fallback_on_callable_and_non_matching_errors_propagate() -> None:
    def boom(messages: Any, info: Any) -> ModelResponse:
        raise ValueError("not an API error")

    ok = FunctionModel(lambda m, i: ModelResponse([TextPart("ok")]))
    with pytest.raises(ValueError):
        Agent(FallbackModel(FunctionModel(boom), ok)).run_sync("hi")
    agent = Agent(FallbackModel(FunctionModel(boom), ok, fallback_on=lambda exc: isinstance(exc, ValueError)))
    assert agent.run_sync("hi").output == "ok"


def test_connection_errors_fall_back_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    unreachable = OpenAIModel("gpt-4o", api_key="k", base_url="http://127.0.0.1:9/v1")
    unreachable.provider.max_retries = 0
    ok = FunctionModel(lambda m, i: ModelResponse([TextPart("ok")]))
    assert Agent(FallbackModel(unreachable, ok)).run_sync("hi").output == "ok"
    assert issubclass(ModelHTTPError, ModelAPIError)


def anthropic_sse(text: str) -> bytes:
    events = [
        (
            "message_start",
            '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-sonnet-latest","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":1}}}',
        ),
        (
            "content_block_start",
            '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
        ),
        (
            "content_block_delta",
            json.dumps(
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}
            ),
        ),
        ("content_block_stop", '{"type":"content_block_stop","index":0}'),
        (
            "message_delta",
            '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}',
        ),
        ("message_stop", '{"type":"message_stop"}'),
    ]
    return b"".join(f"event: {e}\ndata: {d}\n\n".encode() for e, d in events)


async def test_stream_falls_back_on_an_error_before_the_first_event_only() -> None:
    overloaded = (
        b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    )
    with LoopbackServer(
        lambda r: Reply(200, {"content-type": "text/event-stream"}, chunks=[overloaded])
    ) as bad:
        with LoopbackServer(
            lambda r: Reply(200, {"content-type": "text/event-stream"}, chunks=[anthropic_sse("Paris")])
        ) as good:
            first = AnthropicModel("claude-3-5-sonnet-latest", api_key="k", base_url=bad.url)
            second = AnthropicModel("claude-3-5-sonnet-latest", api_key="k", base_url=good.url)
            agent = Agent(FallbackModel(first, second))
            async with agent.run_stream("capital?") as result:
                text = [t async for t in result.stream_text(delta=True, debounce_by=None)]
            assert "".join(text) == "Paris"
            assert len(bad.requests) == 1 and len(good.requests) == 1


def test_provider_name_strings_and_each_models_own_settings(
    servers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_server, anthropic_server = servers
    monkeypatch.setenv("OPENAI_API_KEY", "openai-key")
    strings = FallbackModel("openai:gpt-4o", "anthropic:claude-3-5-sonnet-latest")
    assert [type(m).__name__ for m in strings.models] == ["OpenAIChatModel", "AnthropicModel"]
    assert Agent(strings).run_sync("capital?").output == "Paris"

    openai_model = OpenAIModel("gpt-4o", settings={"max_tokens": 7, "temperature": 0.5})
    anthropic_model = AnthropicModel("claude-3-5-sonnet-latest", settings={"max_tokens": 9})
    assert Agent(FallbackModel(openai_model, anthropic_model)).run_sync("capital?").output == "Paris"
    first, second = openai_server.requests[-1].json(), anthropic_server.requests[-1].json()
    assert (first["max_tokens"], first["temperature"]) == (7, 0.5)
    assert second["max_tokens"] == 9 and "temperature" not in second
    assert openai_server.requests[-1].headers["authorization"] == "Bearer openai-key"
    assert anthropic_server.requests[-1].headers["x-api-key"] == "anthropic-key"


async def test_stream_does_not_fall_back_after_its_first_event() -> None:
    overloaded = (
        b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    )
    started = anthropic_sse("Par").split(b"event: content_block_stop")[0]
    with LoopbackServer(
        lambda r: Reply(200, {"content-type": "text/event-stream"}, chunks=[started, 0.05, overloaded])
    ) as bad:
        with LoopbackServer(
            lambda r: Reply(200, {"content-type": "text/event-stream"}, chunks=[anthropic_sse("Paris")])
        ) as good:
            first = AnthropicModel("claude-3-5-sonnet-latest", api_key="k", base_url=bad.url)
            second = AnthropicModel("claude-3-5-sonnet-latest", api_key="k", base_url=good.url)
            seen: list[str] = []
            with pytest.raises(ModelAPIError, match="Overloaded"):
                async with Agent(FallbackModel(first, second)).run_stream("capital?") as result:
                    async for text in result.stream_text(delta=True, debounce_by=None):
                        seen.append(text)
            assert "".join(seen) == "Par"  # what the caller saw is not thrown away or replaced
            assert len(bad.requests) == 1 and good.requests == []


async def test_stream_with_every_model_failing_raises_the_group() -> None:
    with LoopbackServer(lambda r: Reply.json(OPENAI_401, 401)) as openai_server:
        with LoopbackServer(lambda r: Reply.json(ANTHROPIC_401, 401)) as anthropic_server:
            openai_model = OpenAIModel("gpt-4o", api_key="bad", base_url=openai_server.url + "/v1")
            anthropic_model = AnthropicModel(
                "claude-3-5-sonnet-latest", api_key="bad", base_url=anthropic_server.url
            )
            with pytest.raises(FallbackExceptionGroup) as info:
                async with Agent(FallbackModel(openai_model, anthropic_model)).run_stream("hi") as result:
                    await result.get_output()
    assert [(type(e), e.status_code) for e in info.value.exceptions] == [(ModelHTTPError, 401)] * 2
    assert [e.body for e in info.value.exceptions] == [OPENAI_401, ANTHROPIC_401]
    from exceptiongroup import ExceptionGroup  # the builtin on 3.11+, the backport before

    assert isinstance(info.value, ExceptionGroup)
