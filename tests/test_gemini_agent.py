"""End to end through the Agent: a Gemini tool call, then structured output via the final_result tool."""

from __future__ import annotations

from pydantic import BaseModel

from wireai.agent import Agent
from wireai.models.gemini import GeminiModel
from wireai.providers.google_gla import GoogleGLAProvider
from wireai.testing.server import LoopbackServer, RecordedRequest, Reply


class Forecast(BaseModel):
    city: str
    sky: str


def test_agent_tool_then_structured_output() -> None:
    answers = [
        [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}],
        [{"functionCall": {"name": "final_result", "args": {"city": "Paris", "sky": "sunny"}}}],
    ]

    def handler(request: RecordedRequest) -> Reply:
        parts = answers[min(len(answers) - 1, len(handler.seen))]  # type: ignore[attr-defined]
        handler.seen.append(request.json())  # type: ignore[attr-defined]
        return Reply.json(
            {
                "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}],
                "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
            }
        )

    handler.seen = []  # type: ignore[attr-defined]
    with LoopbackServer(handler) as server:
        model = GeminiModel(
            "gemini-2.0-flash", provider=GoogleGLAProvider(api_key="k", base_url=server.url + "/v1beta")
        )
        agent = Agent(model, output_type=Forecast)

        @agent.tool_plain
        def get_weather(city: str) -> str:
            """Weather for a city."""
            return "sunny"

        result = agent.run_sync("Weather in Paris?")
    assert result.output == Forecast(city="Paris", sky="sunny")
    second = handler.seen[1]  # type: ignore[attr-defined]
    assert second["contents"][-1] == {
        "role": "user",
        "parts": [{"functionResponse": {"name": "get_weather", "response": {"return_value": "sunny"}}}],
    }
    assert second["toolConfig"]["functionCallingConfig"]["mode"] == "ANY"
