"""End to end: `Agent` over a fake Bedrock built from the codec's own inverse encoders, via loopback HTTP."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from pydantic import BaseModel

from bedrock_service_model import assert_botocore_valid
from support import assert_protocol_valid, assert_spec_valid
from wireai.agent import Agent
from wireai.exceptions import UserError
from wireai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from wireai.models.bedrock import BedrockConverseModel
from wireai.native_tools import CodeExecutionTool
from wireai.output import PromptedOutput
from wireai.providers.bedrock import BedrockProvider
from wireai.testing import FakeBedrock
from wireai.testing.encoders import bedrock as encoders
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.testing.server import LoopbackServer, RecordedRequest, Reply
from wireai.usage import RequestUsage


class CityLocation(BaseModel):
    city: str
    country: str


def fake_bedrock(script: list[ModelResponse]) -> LoopbackServer:
    """Answers each request with the next scripted response, as JSON or event-stream as the path asks."""
    queue = list(script)

    def handler(request: RecordedRequest) -> Reply:
        body = request.json()
        stream = request.path.endswith("/converse-stream")
        assert_protocol_valid("bedrock", body)
        assert_spec_valid("bedrock", body, "converse-stream" if stream else "converse")
        assert_botocore_valid(body, stream=stream)
        response = queue.pop(0)
        if stream:
            return Reply(
                200,
                {"content-type": "application/vnd.amazon.eventstream"},
                encoders.encode_stream(response, chunk_size=3),
            )
        return Reply.json(encoders.encode_response(response))

    return LoopbackServer(handler)


def make_model(url: str) -> BedrockConverseModel:
    return BedrockConverseModel(
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
        provider=BedrockProvider(
            base_url=url, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
        ),
    )


def output_tool_name(server: LoopbackServer) -> str:
    tools = server.requests[0].json()["toolConfig"]["tools"]
    return [t["toolSpec"]["name"] for t in tools if t["toolSpec"]["name"] != "get_weather"][0]


def test_agent_calls_a_tool_then_returns_structured_output() -> None:
    usage = RequestUsage(input_tokens=10, output_tokens=5)
    script = [
        ModelResponse(
            [ToolCallPart("get_weather", {"city": "London"}, "tooluse_1")],
            usage=usage,
            finish_reason="tool_call",
        ),
        ModelResponse(
            [ToolCallPart("final_result", {"city": "London", "country": "UK"}, "tooluse_2")],
            usage=usage,
            finish_reason="tool_call",
        ),
    ]
    with fake_bedrock(script) as server:
        agent: Agent[None, CityLocation] = Agent(make_model(server.url), output_type=CityLocation)
        calls: list[str] = []

        @agent.tool_plain
        def get_weather(city: str) -> dict[str, Any]:
            """Weather for a city."""
            calls.append(city)
            return {"temp_c": 12}

        result = agent.run_sync("Where were the 2012 Olympics, and how is the weather there?")
    assert result.output == CityLocation(city="London", country="UK")
    assert calls == ["London"]
    assert output_tool_name(server) == "final_result"
    second = server.requests[1].json()["messages"]
    assert second[-1]["content"] == [
        {"toolResult": {"toolUseId": "tooluse_1", "content": [{"json": {"temp_c": 12}}], "status": "success"}}
    ]
    assert result.usage().input_tokens == 20


def test_agent_streams_text_over_converse_stream() -> None:
    script = [
        ModelResponse(
            [TextPart("Paris is the capital of France.")],
            usage=RequestUsage(input_tokens=3, output_tokens=7),
            finish_reason="stop",
        )
    ]
    with fake_bedrock(script) as server:
        agent = Agent(make_model(server.url))

        async def main() -> tuple[list[str], str]:
            async with agent.run_stream("Capital of France?") as result:
                pieces = [text async for text in result.stream_text(delta=True)]
                return pieces, await result.get_output()

        pieces, output = asyncio.run(main())
    assert server.requests[0].path == "/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse-stream"
    assert "".join(pieces) == output == "Paris is the capital of France."
    assert len(pieces) > 1


def test_prompted_output_sends_its_schema_prompt_once_in_its_own_template() -> None:
    """`PromptedOutput(template=...)`: the agent's instructions carry the schema in that template, and
    Converse gets them once, as the last system block (the codec used to add the profile's default
    template a second time, so a custom template came with a contradicting default one)."""
    template = "Reply with one JSON object matching {schema} and nothing else."
    with FakeBedrock() as fake:
        fake.add_text('{"city": "London", "country": "UK"}')
        agent = Agent(
            fake.model(),
            output_type=PromptedOutput(CityLocation, template=template),
            instructions="Be brief.",
        )
        result = agent.run_sync("Where were the 2012 Olympics?")
    assert result.output == CityLocation(city="London", country="UK")
    [request] = fake.requests
    body = request.json()
    assert_protocol_valid("bedrock", body)
    assert_botocore_valid(body)
    schema = {
        "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
        "required": ["city", "country"],
        "type": "object",
    }
    assert body == {
        "messages": [{"role": "user", "content": [{"text": "Where were the 2012 Olympics?"}]}],
        "system": [{"text": "Be brief.\n\n" + template.format(schema=json.dumps(schema))}],
    }


# --------------------------------------------------------------------------------------------- native tools

NOVA_2 = "us.amazon.nova-2-lite-v1:0"
AVERAGE_PROMPT = "What is the average of 10, 24, 2, 3, 43, 52, 13, 68, 6, 7, 902, 82?"


class Average(BaseModel):
    average: float
    count: int


def nova_model(url: str, name: str = NOVA_2) -> BedrockConverseModel:
    return BedrockConverseModel(
        name,
        provider=BedrockProvider(
            base_url=url,
            region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="secret",
        ),
    )


def check_replayed(server: ReplayServer, *, stream: bool = False) -> None:
    server.assert_requests_match()
    for request in server.requests:
        body = request.json()
        assert_protocol_valid("bedrock", body)
        assert_spec_valid("bedrock", body, "converse-stream" if stream else "converse")
        assert_botocore_valid(body, model_id=NOVA_2, stream=stream)


def test_nova_code_interpreter_call_is_never_run_and_the_output_comes_from_final_result() -> None:
    """Issue 17's headline bug: Bedrock answers with Nova's own `nova_code_interpreter` call (a `toolUse`
    with `type: server_tool_use`) and its `toolResult` beside the real `final_result` call. The agent
    used to take the server call for a function call and ask for a tool that does not exist; now the
    run ends on `final_result` with no retry, and the follow-up run sends both server blocks back
    exactly as received (the replay server checks every body)."""
    with ReplayServer(load_case("bedrock", "server_tool_use_not_a_function_call")) as server:
        agent = Agent(nova_model(server.url), output_type=Average, native_tools=[CodeExecutionTool()])
        first = agent.run_sync(AVERAGE_PROMPT)
        second = agent.run_sync("And without the 902?", message_history=first.all_messages())
    check_replayed(server)
    assert first.output == Average(average=101.0, count=12)
    assert second.output == Average(average=28.18, count=11)
    response = first.all_messages()[1]
    assert isinstance(response, ModelResponse)
    assert [type(p) for p in response.parts] == [NativeToolCallPart, NativeToolReturnPart, ToolCallPart]
    assert response.tool_calls == [
        ToolCallPart("final_result", {"average": 101.0, "count": 12}, "tooluse_3kPq0cXnR4ykH1b8sVdEwA")
    ]
    [(call, result)] = response.native_tool_calls
    assert (call.tool_name, call.tool_call_id) == ("code_execution", "tooluse_WytfF0g1S5qUeEPm0ptOdQ")
    assert result is not None and result.content["stdOut"] == "(1212, 12, 101.0)"
    requests = [m for m in second.all_messages() if isinstance(m, ModelRequest)]
    assert not any(isinstance(p, RetryPromptPart) for m in requests for p in m.parts)  # nothing was refused
    assert [p.tool_name for m in requests for p in m.parts if isinstance(p, ToolReturnPart)] == [
        "final_result",
        "final_result",
    ]


def test_streamed_nova_code_interpreter_call_is_never_run_either() -> None:
    with ReplayServer(load_case("bedrock", "stream_server_tool_use_not_a_function_call")) as server:
        agent = Agent(nova_model(server.url), output_type=Average, native_tools=[CodeExecutionTool()])

        async def main() -> tuple[Average, list[ModelMessage]]:
            async with agent.run_stream(AVERAGE_PROMPT) as result:
                return await result.get_output(), result.all_messages()

        output, messages = asyncio.run(main())
    check_replayed(server, stream=True)
    assert output == Average(average=101.0, count=12)
    response = messages[1]
    assert isinstance(response, ModelResponse)
    assert [type(p) for p in response.parts] == [NativeToolCallPart, NativeToolReturnPart, ToolCallPart]
    assert [c.tool_name for c in response.tool_calls] == ["final_result"]


def test_code_execution_is_refused_before_any_request_for_models_other_than_nova_2() -> None:
    for name in ("us.anthropic.claude-sonnet-4-20250514-v1:0", "amazon.nova-pro-v1:0"):
        with FakeBedrock() as fake:
            agent = Agent(fake.model(name), native_tools=[CodeExecutionTool()])
            with pytest.raises(UserError) as caught:
                agent.run_sync("2 + 2?")
        assert fake.requests == []
        assert str(caught.value) == (
            f"CodeExecutionTool is not supported by Bedrock model {name!r} (Bedrock runs "
            "nova_code_interpreter for Amazon Nova 2 models only); it is supported by Anthropic, "
            "OpenAI Responses, Google Gemini/Vertex, Bedrock (Amazon Nova)"
        )


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_the_fake_scripts_a_native_call_and_its_result_the_way_bedrock_sends_them(stream: bool) -> None:
    """`FakeBedrock.add_response` with native parts: encoded as the server_tool_use `toolUse` and the
    typed `toolResult` (JSON) or their start/delta events (stream); the agent reads them back as the
    native parts they were and finishes on the text."""
    call = NativeToolCallPart(
        "code_execution",
        {"code": "print(6 * 7)"},
        "tooluse_fake_ci1",
        provider_name="bedrock",
        provider_details={"name": "nova_code_interpreter"},
    )
    result = NativeToolReturnPart(
        "code_execution",
        {"stdOut": "42\n", "stdErr": "", "exitCode": 0, "isError": False},
        "tooluse_fake_ci1",
        provider_name="bedrock",
    )
    with FakeBedrock() as fake:
        fake.add_response(ModelResponse([call, result, TextPart("6 * 7 = 42")]))
        agent = Agent(fake.model(NOVA_2), native_tools=[CodeExecutionTool()])
        if stream:

            async def main() -> tuple[str, list[ModelMessage]]:
                async with agent.run_stream("6 * 7?") as run:
                    return await run.get_output(), run.all_messages()

            output, messages = asyncio.run(main())
        else:
            run = agent.run_sync("6 * 7?")
            output, messages = run.output, run.all_messages()
    assert output == "6 * 7 = 42"
    response = messages[1]
    assert isinstance(response, ModelResponse)
    assert response.parts[0] == call
    returned = response.parts[1]
    assert isinstance(returned, NativeToolReturnPart) and returned.content == result.content
    assert returned.provider_details == {
        "name": "nova_code_interpreter",
        "content": [{"json": result.content}],
        "type": "nova_code_interpreter_result",
    }
