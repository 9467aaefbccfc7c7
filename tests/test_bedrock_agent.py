"""End to end: `Agent` over a fake Bedrock built from the codec's own inverse encoders, via loopback HTTP."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from pydantic import BaseModel

from bedrock_service_model import assert_botocore_valid
from support import assert_protocol_valid, assert_spec_valid
from wireai.agent import Agent
from wireai.messages import ModelResponse, TextPart, ToolCallPart
from wireai.models.bedrock import BedrockConverseModel
from wireai.output import PromptedOutput
from wireai.providers.bedrock import BedrockProvider
from wireai.testing import FakeBedrock
from wireai.testing.encoders import bedrock as encoders
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
