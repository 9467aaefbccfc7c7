"""Code written for today's PydanticAI moves by changing the import: its top-level names, V1 and V2 shapes.

`PYDANTIC_AI_NAMES` is every name of PydanticAI's current `pydantic_ai.__all__` that belongs to a
feature wireai has; the names left out are listed, with the reason, in docs/compat.md.
"""

from __future__ import annotations

import asyncio
import importlib
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, computed_field

import wireai
from wireai import Agent, ToolReturn, format_as_xml
from wireai.messages import ModelResponse, TextPart, ToolCallPart, ToolReturnPart, UserPromptPart
from wireai.models.function import AgentInfo, FunctionModel
from wireai.models.test import TestModel
from wireai.testing import FakeOpenAI

PYDANTIC_AI_NAMES = """
Agent EndStrategy CallToolsNode ModelRequestNode UserPromptNode capture_run_messages
AgentRunError CallDeferred ApprovalRequired ModelRetry ModelAPIError ModelHTTPError FallbackExceptionGroup
IncompleteToolCall UnexpectedModelBehavior UsageLimitExceeded UserError
AgentStreamEvent AudioUrl BinaryContent DocumentUrl FileUrl FinalResultEvent FinishReason ImageUrl
ModelMessage ModelMessagesTypeAdapter ModelRequest ModelRequestPart ModelResponse ModelResponsePart
ModelResponsePartDelta ModelResponseStreamEvent MultiModalContent PartDeltaEvent PartStartEvent RetryPromptPart
SystemPromptPart TextPart TextPartDelta ThinkingPart ThinkingPartDelta ToolCallPart ToolCallPartDelta
ToolReturn ToolReturnPart UserContent UserPromptPart VideoUrl
ModelProfile DEFAULT_PROFILE
Tool ToolDefinition RunContext DeferredToolRequests DeferredToolResults ToolApproved ToolDenied
AbstractToolset AgentToolset ApprovalRequiredToolset CombinedToolset ExternalToolset FilteredToolset
FunctionToolset PrefixedToolset PreparedToolset RenamedToolset ToolsetFunc ToolsetTool WrapperToolset
ToolOutput NativeOutput PromptedOutput TextOutput StructuredDict format_as_xml
ModelSettings ToolChoice ToolOrOutput RunUsage RequestUsage UsageLimits AgentRun AgentRunResult
InstrumentationSettings AbstractConcurrencyLimiter AnyConcurrencyLimit ConcurrencyLimit ConcurrencyLimitedModel
ConcurrencyLimiter limit_model_concurrency ConcurrencyLimitExceeded
Embedder EmbeddingModel EmbeddingSettings EmbeddingResult
NativeToolCallPart NativeToolReturnPart CachePoint CompactionPart FilePart BinaryImage CodeExecutionTool
FileSearchTool
ImageGenerationTool MCPServerTool MemoryTool UrlContextTool WebFetchTool WebSearchTool WebSearchUserLocation
PartEndEvent FunctionToolCallEvent FunctionToolResultEvent HandleResponseEvent ToolCallEvent ToolResultEvent
OutputToolCallEvent OutputToolResultEvent AgentRunResultEvent AgentEventStream
""".split()

TOOLSETS_MODULE_NAMES = """
AbstractToolset AgentToolset ApprovalRequiredToolset CombinedToolset ExternalToolset FilteredToolset
FunctionToolset PrefixedToolset PreparedToolset RenamedToolset ToolsetFunc ToolsetTool WrapperToolset
""".split()


def test_every_pydantic_ai_name_of_a_feature_wireai_has_imports_from_the_top_level() -> None:
    missing = [name for name in PYDANTIC_AI_NAMES if not hasattr(wireai, name)]
    assert missing == []
    assert set(PYDANTIC_AI_NAMES) <= set(wireai.__all__)
    toolsets = importlib.import_module("wireai.toolsets")
    assert [name for name in TOOLSETS_MODULE_NAMES if not hasattr(toolsets, name)] == []
    from wireai.output import DeferredToolRequests  # where PydanticAI's docs also import it from
    from wireai.settings import ToolOrOutput  # PydanticAI's docs import it from pydantic_ai.settings

    assert DeferredToolRequests is wireai.DeferredToolRequests
    assert ToolOrOutput is wireai.ToolOrOutput


def test_the_new_names_do_not_make_import_wireai_heavier() -> None:
    code = (
        "import sys, wireai;"
        "print(sorted(m for m in sys.modules if m.startswith(('wireai.toolsets', 'wireai.format_prompt', 'xml'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# pydantic_ai.__all__ of PydanticAI's current release (v2.x), in its order.
PYDANTIC_AI_ALL = """
__version__ Agent AgentModelSettings AgentRetries AgentSpec EndStrategy CallToolsNode ModelRequestNode
UserPromptNode capture_run_messages InstrumentationSettings Embedder EmbeddingModel EmbeddingSettings
EmbeddingResult AbstractConcurrencyLimiter AnyConcurrencyLimit ConcurrencyLimit ConcurrencyLimitedModel
ConcurrencyLimiter limit_model_concurrency AgentRunError CallDeferred ApprovalRequired ConcurrencyLimitExceeded
ModelRetry ModelAPIError ModelHTTPError FallbackExceptionGroup IncompleteToolCall SkipModelRequest
SkipToolExecution SkipToolValidation UndrainedPendingMessagesError UnexpectedModelBehavior UsageLimitExceeded
UserError AgentStreamEvent AudioFormat AudioMediaType AudioUrl BaseToolCallPart BaseToolReturnPart
BinaryContent NativeToolCallPart NativeToolReturnPart CachePoint CompactionPart DocumentFormat
DocumentMediaType DocumentUrl FileUrl FilePart FinalResultEvent FinishReason FunctionToolCallEvent
FunctionToolResultEvent HandleResponseEvent ImageFormat ImageMediaType ImageUrl BinaryImage InstructionPart
ModelMessage ModelMessagesTypeAdapter ModelRequest ModelRequestPart ModelResponse ModelResponsePart
ModelResponsePartDelta ModelResponseState ModelResponseStreamEvent MultiModalContent OutputToolCallEvent
OutputToolResultEvent PartDeltaEvent PartEndEvent PartStartEvent RetryPromptPart SystemPromptPart TextContent
TextPart TextPartDelta ThinkingPart ThinkingPartDelta ToolCallEvent ToolCallPart ToolCallPartDelta
ToolResultEvent ToolReturn ToolReturnPart UploadedFile UserContent UserPromptPart VideoFormat VideoMediaType
VideoUrl ModelProfile ModelProfileSpec DEFAULT_PROFILE InlineDefsJsonSchemaTransformer JsonSchemaTransformer
AgentNativeTool Tool ToolDefinition RunContext DeferredToolRequests DeferredToolResults ToolApproved ToolDenied
AbstractToolset AgentToolset ApprovalRequiredToolset CombinedToolset DeferredLoadingToolset ExternalToolset
FilteredToolset FunctionToolset IncludeReturnSchemasToolset PrefixedToolset PreparedToolset RenamedToolset
SetMetadataToolset ToolsetFunc ToolsetTool WrapperToolset CodeExecutionTool FileSearchTool ImageGenerationTool
MCPServerTool MemoryTool UrlContextTool WebFetchTool WebSearchTool WebSearchUserLocation XSearchTool
AgentCapability CapabilityFunc ToolOutput NativeOutput PromptedOutput TextOutput StructuredDict TemplateStr
format_as_xml ModelRequestContext ModelSettings ToolChoice ToolOrOutput RunUsage RequestUsage UsageLimits
AgentRun AgentRunResult AgentRunResultEvent AgentEventStream
""".split()


def test_every_other_pydantic_ai_name_is_listed_in_docs_compat_and_absent_from_wireai() -> None:
    text = (Path(__file__).parent.parent / "docs" / "compat.md").read_text()
    table = text.split("### Names of `pydantic_ai.__all__` not in wireai", 1)[1]
    listed = set(re.findall(r"`([A-Za-z_]+)`", table.split("| --- | --- |", 1)[1]))
    omitted = set(PYDANTIC_AI_ALL) - set(PYDANTIC_AI_NAMES) - {"__version__"}
    assert omitted == listed - {"media_type", "str", "AgentStreamEvent"}
    assert sorted(name for name in omitted if hasattr(wireai, name)) == []  # listed means not there


# ------------------------------------------------------------------------------------------ usage, both ways


def test_usage_is_callable_v1_and_readable_v2_on_every_result() -> None:
    agent = Agent(TestModel(custom_output_text="ok"))
    result = agent.run_sync("hi")
    assert result.usage() is result.usage
    assert result.usage.input_tokens == result.usage().input_tokens > 0
    assert result.usage.requests == 1 and result.usage().request_tokens == result.usage.input_tokens

    async def main() -> None:
        async with agent.run_stream("hi") as streamed:
            assert (
                streamed.usage().requests == streamed.usage.requests == 0
            )  # the streamed response is not counted yet
            await streamed.get_output()
            assert streamed.usage.requests == streamed.usage().requests == 1
            assert streamed.usage.output_tokens == streamed.usage().output_tokens > 0
        async with agent.iter("hi") as run:
            async for _ in run:
                pass
            assert run.usage() is run.usage and run.usage.requests == 1

    asyncio.run(main())


# ------------------------------------------------------------------------------------------ ToolReturn


def test_tool_return_content_follows_the_results_as_a_user_message_and_metadata_stays_home() -> None:
    with FakeOpenAI() as fake:
        fake.add_tool_calls([("look", {"what": "chart"}), ("plain", {})])
        fake.add_text("It goes up.")
        agent = Agent(fake.model())

        @agent.tool_plain
        def look(what: str) -> ToolReturn:
            return ToolReturn(
                return_value=f"Rendered the {what}",
                content=[f"The {what} shows growth.", "It doubled in May."],
                metadata={"render_ms": 12},
            )

        @agent.tool_plain
        def plain() -> str:
            return "plain result"

        result = agent.run_sync("Describe the chart")
    assert result.output == "It goes up."
    sent = fake.requests[1].json()["messages"][2:]
    assert sent == [
        {"role": "tool", "tool_call_id": "call_0001", "content": "Rendered the chart"},
        {"role": "tool", "tool_call_id": "call_0002", "content": "plain result"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "The chart shows growth."},
                {"type": "text", "text": "It doubled in May."},
            ],
        },
    ]
    request = result.all_messages()[2]
    assert isinstance(request.parts[0], ToolReturnPart) and request.parts[0].metadata == {"render_ms": 12}
    assert isinstance(request.parts[2], UserPromptPart)
    assert "render_ms" not in fake.requests[1].body.decode()


def test_tool_return_nested_in_a_list_is_a_user_error() -> None:
    responses = iter([ModelResponse([ToolCallPart("bad", {})]), ModelResponse([TextPart("x")])])

    def reply(messages: Any, info: AgentInfo) -> ModelResponse:
        return next(responses)

    agent = Agent(FunctionModel(reply))

    @agent.tool_plain
    def bad() -> list[Any]:
        return [ToolReturn("a")]

    with pytest.raises(wireai.UserError, match="contains invalid nested `ToolReturn` objects"):
        agent.run_sync("go")


# ------------------------------------------------------------------------------------------ format_as_xml


@dataclass
class Person:
    name: str
    age: int


class Child(BaseModel):
    name: str = Field(description="The person's name")
    age: int = Field(description="Years", title="Age", default=18)
    height: float = Field(description="The person's height", exclude=True)
    children: list[Child] | None = Field(title="child", alias="child_list", default=None)

    @computed_field(title="Location")  # type: ignore[prop-decorator]
    @property
    def location(self) -> str | None:
        return "Australia" if self.name == "John" else None


class Colour(Enum):
    RED = 1


class StrColour(str, Enum):
    RED = "red"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a string", "<examples>a string</examples>"),
        (None, "<examples>null</examples>"),
        (Colour.RED, "<examples>Colour.RED</examples>"),
        (StrColour.RED, "<examples>red</examples>"),
        (Person("John", 42), "<examples>\n  <name>John</name>\n  <age>42</age>\n</examples>"),
        (
            [Person("John", 42)],
            "<examples>\n  <Person>\n    <name>John</name>\n    <age>42</age>\n  </Person>\n</examples>",
        ),
        ([1, 2], "<examples>\n  <example>1</example>\n  <example>2</example>\n</examples>"),
        ({"x": 1, 3: {"a": -1}}, "<examples>\n  <x>1</x>\n  <3>\n    <a>-1</a>\n  </3>\n</examples>"),
    ],
)
def test_format_as_xml_with_a_root_tag(value: Any, expected: str) -> None:
    assert format_as_xml(value, root_tag="examples", item_tag="example") == expected


def test_format_as_xml_without_root_scalars_and_errors() -> None:
    assert format_as_xml("a <ex>foo</ex>") == "<item>a &lt;ex&gt;foo&lt;/ex&gt;</item>"
    assert format_as_xml([[1, 2], [3]]) == (
        "<item>\n  <item>1</item>\n  <item>2</item>\n</item>\n<item>\n  <item>3</item>\n</item>"
    )
    assert format_as_xml({"binary": b"my bytes", "barray": bytearray(b"foo")}) == (
        "<binary>my bytes</binary>\n<barray>foo</barray>"
    )
    assert format_as_xml(
        [datetime(2025, 1, 1, 12, 13), date(2025, 1, 2), time(8, 15), timedelta(days=1, hours=2, minutes=30)]
    ) == (
        "<item>2025-01-01T12:13:00</item>\n<item>2025-01-02</item>\n<item>08:15:00</item>\n<item>1 day, 2:30:00</item>"
    )
    assert format_as_xml([Decimal("123.45"), UUID("123e4567-e89b-12d3-a456-426614174000")]) == (
        "<item>123.45</item>\n<item>123e4567-e89b-12d3-a456-426614174000</item>"
    )
    assert format_as_xml([1, 2, 3], indent=None, root_tag="example") == (
        "<example><item>1</item><item>2</item><item>3</item></example>"
    )
    assert format_as_xml([1, 2, 3], indent=None) == "<item>1</item><item>2</item><item>3</item>"
    assert format_as_xml(None, none_str="nil") == "<item>nil</item>"
    assert format_as_xml({"items": []}) == "<items />"
    with pytest.raises(TypeError, match="Unsupported type"):
        format_as_xml(object())
    with pytest.raises(TypeError, match="Unsupported key type for XML formatting"):
        format_as_xml({(1, 2): 42})


def test_format_as_xml_field_info_every_time_or_once() -> None:
    john = Child(name="John", age=42, height=160.0, child_list=[Child(name="Liam", height=150)])
    assert format_as_xml(john, include_field_info=True) == (
        '<name description="The person\'s name">John</name>\n'
        '<age title="Age" description="Years">42</age>\n'
        '<children title="child">\n'
        "  <Child>\n"
        '    <name description="The person\'s name">Liam</name>\n'
        '    <age title="Age" description="Years">18</age>\n'
        '    <children title="child">null</children>\n'
        '    <location title="Location">null</location>\n'
        "  </Child>\n"
        "</children>\n"
        '<location title="Location">Australia</location>'
    )
    assert format_as_xml([john, john], include_field_info="once").count('description="Years"') == 1
    assert "description" not in format_as_xml(john)

    @dataclass
    class Source:
        origin: str = field(default="none", metadata={"description": "where it came from", "date": "1999"})

    assert (
        format_as_xml(Source(), include_field_info=True)
        == '<origin description="where it came from">none</origin>'
    )


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))),
)
tags = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(tags, inner, max_size=4),
    max_leaves=20,
)


def _from_xml(element: ElementTree.Element, value: Any) -> Any:
    """Read `value`'s shape back from the element format_as_xml wrote for it."""
    if isinstance(value, dict):
        return {child.tag: _from_xml(child, value[child.tag]) for child in element}
    if isinstance(value, list):
        return [_from_xml(child, item) for child, item in zip(element, value)]
    return element.text or ""


@given(data)
@settings(max_examples=150, deadline=None)
def test_format_as_xml_any_nesting_is_well_formed_and_keeps_every_value(value: Any) -> None:
    element = ElementTree.fromstring(format_as_xml(value, root_tag="root"))
    expected = json_shape(value)
    assert _from_xml(element, value) == expected


def json_shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: json_shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_shape(v) for v in value]
    return "null" if value is None else str(value)
