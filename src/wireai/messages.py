"""The one canonical message model every codec maps to and from (PydanticAI's, as plain dataclasses).

Reprs leave out fields still at their plain defaults, as PydanticAI's do, so printed histories stay
short and match the seed documentation; `part_kind`/`kind` are always shown.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import uuid
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, Union

from .usage import RequestUsage

if TYPE_CHECKING:
    from pydantic import TypeAdapter

__all__ = [
    "AgentStreamEvent",
    "AudioUrl",
    "BinaryContent",
    "BinaryImage",
    "BuiltinToolCallPart",
    "BuiltinToolReturnPart",
    "CachePoint",
    "CompactionPart",
    "DocumentUrl",
    "FilePart",
    "FileUrl",
    "FinalResultEvent",
    "FinishReason",
    "FunctionToolCallEvent",
    "FunctionToolResultEvent",
    "HandleResponseEvent",
    "ImageUrl",
    "ModelMessage",
    "ModelMessagesTypeAdapter",
    "ModelRequest",
    "ModelRequestPart",
    "ModelResponse",
    "ModelResponsePart",
    "ModelResponsePartDelta",
    "ModelResponseStreamEvent",
    "NativeToolCallPart",
    "NativeToolReturnPart",
    "OutputToolCallEvent",
    "OutputToolResultEvent",
    "PartDeltaEvent",
    "PartEndEvent",
    "PartStartEvent",
    "RetryPromptPart",
    "SystemPromptPart",
    "TextPart",
    "TextPartDelta",
    "ThinkingPart",
    "ThinkingPartDelta",
    "ToolCallEvent",
    "ToolCallPart",
    "ToolCallPartDelta",
    "ToolResultEvent",
    "ToolReturn",
    "ToolReturnPart",
    "UserContent",
    "UserPromptPart",
    "VideoUrl",
]

FinishReason = Literal["stop", "length", "content_filter", "tool_call", "error"]
_ALWAYS_SHOWN = frozenset({"part_kind", "kind", "event_kind", "part_delta_kind"})


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def generate_tool_call_id() -> str:
    return f"pyd_ai_{uuid.uuid4().hex}"


def _short_repr(self: object) -> str:
    shown = []
    for f in fields(self):  # type: ignore[arg-type]
        if not f.repr:
            continue
        value = getattr(self, f.name)
        if f.name not in _ALWAYS_SHOWN:
            if f.default is not MISSING:
                if value == f.default:
                    continue
            elif f.default_factory in (list, dict) and not value:
                continue
        shown.append(f"{f.name}={value!r}")
    return f"{type(self).__name__}({', '.join(shown)})"


# ---------------------------------------------------------------------------------------------- user content

_EXTRA_TYPES = {
    ".md": "text/markdown",
    ".webp": "image/webp",
    ".m4a": "audio/mp4",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".mkv": "video/x-matroska",
}


def _guess_media_type(url: str, default: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    for ext, media_type in _EXTRA_TYPES.items():
        if path.endswith(ext):
            return media_type
    guessed, _ = mimetypes.guess_type(path, strict=False)
    return guessed or default


@dataclass(repr=False)
class _FileUrl:
    url: str
    # True: wireai downloads the file and sends the bytes even to a vendor that fetches URLs itself.
    # 'allow-local': the same, and the URL may point into a local or private network, which a
    # download otherwise refuses (see wireai.transport.download).
    force_download: bool | Literal["allow-local"] = False
    vendor_metadata: dict[str, Any] | None = None
    media_type: str = ""

    _default_media_type = "application/octet-stream"

    def __post_init__(self) -> None:
        if not self.media_type:
            self.media_type = _guess_media_type(self.url, self._default_media_type)

    @property
    def format(self) -> str:
        """The file extension a vendor wants (`png`, `pdf`, `mp3`...), derived from the media type."""
        return _format_of(self.media_type)

    __repr__ = _short_repr


@dataclass(repr=False)
class ImageUrl(_FileUrl):
    kind: Literal["image-url"] = "image-url"
    _default_media_type = "image/jpeg"


@dataclass(repr=False)
class AudioUrl(_FileUrl):
    kind: Literal["audio-url"] = "audio-url"
    _default_media_type = "audio/mpeg"


@dataclass(repr=False)
class DocumentUrl(_FileUrl):
    kind: Literal["document-url"] = "document-url"
    _default_media_type = "application/pdf"


@dataclass(repr=False)
class VideoUrl(_FileUrl):
    kind: Literal["video-url"] = "video-url"
    _default_media_type = "video/mp4"


_FORMATS = {
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "text/plain": "txt",
    "text/markdown": "md",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "video/x-matroska": "mkv",
    "video/quicktime": "mov",
}


def _format_of(media_type: str) -> str:
    return _FORMATS.get(media_type) or media_type.rsplit("/", 1)[-1].split(";", 1)[0].split("+", 1)[0]


@dataclass(repr=False)
class BinaryContent:
    """Bytes sent inline (base64 on every JSON wire). Serialized history keeps them as base64 too."""

    data: bytes
    media_type: str
    identifier: str | None = None
    vendor_metadata: dict[str, Any] | None = None
    kind: Literal["binary"] = "binary"

    __pydantic_config__ = {"ser_json_bytes": "base64", "val_json_bytes": "base64"}

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")

    @property
    def is_audio(self) -> bool:
        return self.media_type.startswith("audio/")

    @property
    def is_video(self) -> bool:
        return self.media_type.startswith("video/")

    @property
    def is_document(self) -> bool:
        return not (self.is_image or self.is_audio or self.is_video)

    @property
    def format(self) -> str:
        return _format_of(self.media_type)

    @property
    def base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    @property
    def data_uri(self) -> str:
        return f"data:{self.media_type};base64,{self.base64}"

    def __repr__(self) -> str:
        return f"BinaryContent(data=<{len(self.data)} bytes>, media_type={self.media_type!r}, kind='binary')"


@dataclass(repr=False)
class BinaryImage(BinaryContent):
    """`BinaryContent` that is an image: what an image-generating model answers with, and the
    output of a run with `output_type=BinaryImage`."""

    def __post_init__(self) -> None:
        if not self.is_image:
            raise ValueError(f"BinaryImage needs an image media type, not {self.media_type!r}")

    def __repr__(self) -> str:
        return f"BinaryImage(data=<{len(self.data)} bytes>, media_type={self.media_type!r})"


def narrow_binary(content: BinaryContent) -> BinaryContent:
    """An image's `BinaryContent` as a `BinaryImage` (history loaded from JSON has the base type)."""
    if content.is_image and not isinstance(content, BinaryImage):
        return BinaryImage(content.data, content.media_type, content.identifier, content.vendor_metadata)
    return content


@dataclass(repr=False)
class CachePoint:
    """A prompt-cache breakpoint in user content or a tool return: everything before it may be cached.

    Anthropic sends it as `cache_control` on the preceding block and Bedrock as a `cachePoint`
    block; vendors that cache on their own (OpenAI, Gemini...) leave it out.
    """

    ttl: Literal["5m", "1h"] = "5m"
    kind: Literal["cache-point"] = "cache-point"

    __repr__ = _short_repr


FileUrl = _FileUrl  # the common base of ImageUrl, AudioUrl, DocumentUrl and VideoUrl

MultiModalContent = Union[ImageUrl, AudioUrl, DocumentUrl, VideoUrl, BinaryContent]
UserContent = Union[str, MultiModalContent, CachePoint]
_MULTIMODAL = (ImageUrl, AudioUrl, DocumentUrl, VideoUrl, BinaryContent)


_FILE_KINDS: dict[str, type[Any]] = {
    "binary": BinaryContent,
    "image-url": ImageUrl,
    "audio-url": AudioUrl,
    "document-url": DocumentUrl,
    "video-url": VideoUrl,
}


def _revive_file(value: Any) -> Any:
    """A serialized file (`{"kind": "binary", "data": <base64>, ...}`, `{"kind": "image-url", ...}`)
    as the file object; anything else, including an object that only looks like one, unchanged."""
    if not isinstance(value, dict) or value.get("kind") not in _FILE_KINDS:
        return value
    fields = {k: v for k, v in value.items() if k != "kind"}
    cls = _FILE_KINDS[value["kind"]]
    try:
        if cls is BinaryContent:
            data = fields.get("data")
            if isinstance(data, str):  # JSON carries the bytes as base64 (pydantic writes the URL-safe kind)
                fields["data"] = base64.b64decode(data.replace("-", "+").replace("_", "/"), validate=True)
            return narrow_binary(BinaryContent(**fields))
        return cls(**fields)
    except (TypeError, ValueError):
        return value


def file_reference(item: MultiModalContent) -> str:
    """How a tool result refers to a file it returned: its identifier, its URL, or a short digest."""
    if isinstance(item, BinaryContent):
        if item.identifier:
            return item.identifier
        import hashlib

        return hashlib.sha1(item.data).hexdigest()[:6]
    return item.url


# ---------------------------------------------------------------------------------------------- request parts


@dataclass(repr=False)
class SystemPromptPart:
    content: str
    timestamp: datetime = field(default_factory=now_utc)
    dynamic_ref: str | None = None
    part_kind: Literal["system-prompt"] = "system-prompt"

    __repr__ = _short_repr


@dataclass(repr=False)
class UserPromptPart:
    content: str | Sequence[UserContent]
    timestamp: datetime = field(default_factory=now_utc)
    part_kind: Literal["user-prompt"] = "user-prompt"

    __repr__ = _short_repr


@dataclass(repr=False)
class ToolReturnPart:
    tool_name: str
    content: Any
    tool_call_id: str = field(default_factory=generate_tool_call_id)
    metadata: Any = None
    timestamp: datetime = field(default_factory=now_utc)
    part_kind: Literal["tool-return"] = "tool-return"

    def __post_init__(self) -> None:
        # `content` is `Any`, so a history loaded from JSON has the files a tool returned as plain
        # objects: they become files again, and go to the model as files, not as JSON text.
        content = self.content
        if isinstance(content, dict):
            self.content = _revive_file(content)
        elif isinstance(content, list) and any(isinstance(item, dict) for item in content):
            self.content = [_revive_file(item) for item in content]

    def model_response_str(self) -> str:
        """The tool's result as the text most vendors want in a tool message (files it returned are
        named by `file_reference`; a codec sends them natively or in a follow-up user message)."""
        content = self.content_without_files()
        if isinstance(content, str):
            return content
        return _dump_json(content)

    def model_response_object(self) -> dict[str, Any]:
        """The tool's result as a JSON object (Gemini's `functionResponse.response` needs an object)."""
        content = _to_jsonable(self.content_without_files())
        return content if isinstance(content, dict) else {"return_value": content}

    def files(self) -> list[MultiModalContent]:
        """The images, documents, audio or video the tool returned (the content, or items of a list)."""
        items = self.content if isinstance(self.content, (list, tuple)) else [self.content]
        return [item for item in items if isinstance(item, _MULTIMODAL)]

    def content_without_files(self) -> Any:
        """The content with every file replaced by its reference (`See file 1a2b3c.`) and cache points
        left out (a marker for the vendor, not something the tool returned)."""
        if isinstance(self.content, _MULTIMODAL):
            return f"See file {file_reference(self.content)}."
        if isinstance(self.content, (list, tuple)) and any(
            isinstance(i, (*_MULTIMODAL, CachePoint)) for i in self.content
        ):
            return [
                f"See file {file_reference(i)}." if isinstance(i, _MULTIMODAL) else i
                for i in self.content
                if not isinstance(i, CachePoint)
            ]
        return self.content

    def cache_point(self) -> CachePoint | None:
        """The last `CachePoint` the content holds (a vendor that caches puts its breakpoint after this
        tool result), if any."""
        items = self.content if isinstance(self.content, (list, tuple)) else [self.content]
        points = [item for item in items if isinstance(item, CachePoint)]
        return points[-1] if points else None

    __repr__ = _short_repr


@dataclass(repr=False)
class ToolReturn:
    """What a tool may return to say more than its result.

    `return_value` becomes the `ToolReturnPart` content the model reads as the tool's answer;
    `content` (text or files) follows as a user message in the same request, for what a tool
    result cannot carry on every vendor; `metadata` stays on the `ToolReturnPart` for your code
    and is never sent.
    """

    return_value: Any
    content: str | Sequence[UserContent] | None = None
    metadata: Any = None
    kind: Literal["tool-return"] = "tool-return"

    __repr__ = _short_repr


@dataclass(repr=False)
class RetryPromptPart:
    """Tells the model its last tool call or output was rejected and why."""

    content: str | list[dict[str, Any]]
    tool_name: str | None = None
    tool_call_id: str = field(default_factory=generate_tool_call_id)
    timestamp: datetime = field(default_factory=now_utc)
    part_kind: Literal["retry-prompt"] = "retry-prompt"

    def model_response(self) -> str:
        if isinstance(self.content, str):
            description = (
                self.content if self.tool_name is not None else f"Validation feedback:\n{self.content}"
            )
        else:
            errors = [{k: v for k, v in e.items() if k not in ("ctx", "url")} for e in self.content]
            description = f"{len(errors)} validation errors: {json.dumps(errors, indent=2, default=str)}"
        return f"{description}\n\nFix the errors and try again."

    __repr__ = _short_repr


ModelRequestPart = Union[SystemPromptPart, UserPromptPart, ToolReturnPart, RetryPromptPart]


@dataclass(repr=False)
class ModelRequest:
    parts: list[ModelRequestPart]
    instructions: str | None = None
    kind: Literal["request"] = "request"

    @classmethod
    def user_text_prompt(cls, user_prompt: str, *, instructions: str | None = None) -> ModelRequest:
        return cls(parts=[UserPromptPart(user_prompt)], instructions=instructions)

    __repr__ = _short_repr


# ---------------------------------------------------------------------------------------------- response parts


@dataclass(repr=False)
class TextPart:
    content: str
    id: str | None = None
    provider_details: dict[str, Any] | None = None
    part_kind: Literal["text"] = "text"

    def has_content(self) -> bool:
        return bool(self.content)

    __repr__ = _short_repr


@dataclass(repr=False)
class ThinkingPart:
    """Model reasoning. `signature` (and `provider_details`) must go back to the same vendor unchanged."""

    content: str
    id: str | None = None
    signature: str | None = None
    provider_name: str | None = None
    provider_details: dict[str, Any] | None = None
    part_kind: Literal["thinking"] = "thinking"

    def has_content(self) -> bool:
        return bool(self.content)

    __repr__ = _short_repr


@dataclass(repr=False)
class CompactionPart:
    """The vendor's summary of the conversation before it (server-side compaction), which must go
    back to the same vendor on the next request: the vendor then drops everything before it.

    Anthropic: `content` is the readable summary (None when compaction failed), and `provider_details`
    any opaque fields of the block (`encrypted_content`). OpenAI Responses: `content` is None, `id` the
    item's id and `provider_details` its `encrypted_content`. Other vendors never see it.
    """

    content: str | None = None
    id: str | None = None
    provider_name: str | None = None
    provider_details: dict[str, Any] | None = None
    part_kind: Literal["compaction"] = "compaction"

    def has_content(self) -> bool:
        return bool(self.content)

    __repr__ = _short_repr


class _ToolCall:
    """What a call to a function tool and a call to a native tool share: arguments as text or a dict."""

    args: str | dict[str, Any] | None

    def args_as_dict(self) -> dict[str, Any]:
        """The arguments as a dict; a JSON string is parsed (raises `ValueError` when it is not an object)."""
        if not self.args:
            return {}
        if isinstance(self.args, dict):
            return self.args
        parsed = json.loads(self.args)
        if not isinstance(parsed, dict):
            raise ValueError(f"tool call arguments are not a JSON object: {self.args[:200]!r}")
        return parsed

    def args_as_json_str(self) -> str:
        if not self.args:
            return "{}"
        if isinstance(self.args, str):
            return self.args
        return _dump_json(self.args)

    def has_content(self) -> bool:
        return bool(self.args) if isinstance(self.args, dict) else bool(self.args and self.args.strip())


@dataclass(repr=False)
class ToolCallPart(_ToolCall):
    """A call the model asks the client to run (a function or output tool)."""

    tool_name: str
    args: str | dict[str, Any] | None = None
    tool_call_id: str = field(default_factory=generate_tool_call_id)
    id: str | None = None
    provider_details: dict[str, Any] | None = None
    part_kind: Literal["tool-call"] = "tool-call"

    __repr__ = _short_repr


@dataclass(repr=False)
class NativeToolCallPart(_ToolCall):
    """A call the vendor ran itself (web search, code execution...): never executed by the agent.

    `provider_details` keeps what the vendor needs to see again (encrypted or opaque fields), so the
    part goes back to the same vendor exactly as received; other vendors never see it.
    """

    tool_name: str
    args: str | dict[str, Any] | None = None
    tool_call_id: str = field(default_factory=generate_tool_call_id)
    id: str | None = None
    provider_name: str | None = None
    provider_details: dict[str, Any] | None = None
    part_kind: Literal["builtin-tool-call"] = "builtin-tool-call"

    __repr__ = _short_repr


@dataclass(repr=False)
class NativeToolReturnPart:
    """What a native tool returned (search results, code output, fetched pages...), in the response."""

    tool_name: str
    content: Any
    tool_call_id: str = field(default_factory=generate_tool_call_id)
    metadata: Any = None
    timestamp: datetime = field(default_factory=now_utc, compare=False)
    """When wireai read it (not part of what the vendor said, so two reads of one answer are equal)."""
    provider_name: str | None = None
    provider_details: dict[str, Any] | None = None
    part_kind: Literal["builtin-tool-return"] = "builtin-tool-return"

    def model_response_str(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return _dump_json(self.content)

    __repr__ = _short_repr


@dataclass(repr=False)
class FilePart:
    """A file the model produced (a generated image, a file written by code execution)."""

    content: BinaryContent
    id: str | None = None
    provider_name: str | None = None
    provider_details: dict[str, Any] | None = None
    part_kind: Literal["file"] = "file"

    def __post_init__(self) -> None:
        self.content = narrow_binary(self.content)

    def has_content(self) -> bool:
        return bool(self.content.data)

    __repr__ = _short_repr


BuiltinToolCallPart = NativeToolCallPart
BuiltinToolReturnPart = NativeToolReturnPart

ModelResponsePart = Union[
    TextPart, ToolCallPart, NativeToolCallPart, NativeToolReturnPart, ThinkingPart, CompactionPart, FilePart
]


@dataclass(repr=False)
class ModelResponse:
    parts: list[ModelResponsePart]
    usage: RequestUsage = field(default_factory=RequestUsage)
    model_name: str | None = None
    timestamp: datetime = field(default_factory=now_utc)
    provider_name: str | None = None
    provider_response_id: str | None = None
    finish_reason: FinishReason | None = None
    provider_details: dict[str, Any] | None = None
    kind: Literal["response"] = "response"

    @property
    def vendor_details(self) -> dict[str, Any] | None:
        return self.provider_details

    @property
    def vendor_id(self) -> str | None:
        return self.provider_response_id

    @property
    def text(self) -> str | None:
        texts = [p.content for p in self.parts if isinstance(p, TextPart)]
        return "".join(texts) if texts else None

    @property
    def tool_calls(self) -> list[ToolCallPart]:
        """The calls the client must run (native tool calls, which the vendor ran, are not among them)."""
        return [p for p in self.parts if isinstance(p, ToolCallPart)]

    @property
    def native_tool_calls(self) -> list[tuple[NativeToolCallPart, NativeToolReturnPart | None]]:
        """Each native tool call with its return, when the response has it."""
        returns = {p.tool_call_id: p for p in self.parts if isinstance(p, NativeToolReturnPart)}
        return [(p, returns.get(p.tool_call_id)) for p in self.parts if isinstance(p, NativeToolCallPart)]

    builtin_tool_calls = native_tool_calls

    @property
    def files(self) -> list[BinaryContent]:
        return [p.content for p in self.parts if isinstance(p, FilePart)]

    @property
    def images(self) -> list[BinaryImage]:
        return [f for f in self.files if isinstance(f, BinaryImage)]

    def __repr__(self) -> str:
        text = _short_repr(self)
        # An all-zero usage is noise in printed histories (the seed shows none).
        return text.replace("usage=RequestUsage(), ", "")


ModelMessage = Union[ModelRequest, ModelResponse]


# ---------------------------------------------------------------------------------------------- stream events


@dataclass(repr=False, slots=True)
class TextPartDelta:
    content_delta: str
    part_delta_kind: Literal["text"] = "text"

    __repr__ = _short_repr


@dataclass(repr=False, slots=True)
class ThinkingPartDelta:
    content_delta: str | None = None
    signature_delta: str | None = None
    part_delta_kind: Literal["thinking"] = "thinking"

    __repr__ = _short_repr


@dataclass(repr=False, slots=True)
class ToolCallPartDelta:
    tool_name_delta: str | None = None
    args_delta: str | dict[str, Any] | None = None
    tool_call_id: str | None = None
    part_delta_kind: Literal["tool_call"] = "tool_call"

    __repr__ = _short_repr


ModelResponsePartDelta = Union[TextPartDelta, ThinkingPartDelta, ToolCallPartDelta]


PartKind = Literal[
    "text", "thinking", "tool-call", "builtin-tool-call", "builtin-tool-return", "compaction", "file"
]
"""A response part's `part_kind`, as `PartStartEvent.previous_part_kind` / `PartEndEvent.next_part_kind` give it."""


@dataclass(repr=False, slots=True)
class PartStartEvent:
    """A new part began at `index`; a second start at the same index replaces the part there."""

    index: int
    part: ModelResponsePart
    previous_part_kind: PartKind | None = None
    """The kind of the part started before this one, if any: a UI can group parts of one kind."""
    event_kind: Literal["part_start"] = "part_start"

    __repr__ = _short_repr


@dataclass(repr=False, slots=True)
class PartDeltaEvent:
    index: int
    delta: ModelResponsePartDelta
    event_kind: Literal["part_delta"] = "part_delta"

    __repr__ = _short_repr


@dataclass(repr=False, slots=True)
class PartEndEvent:
    """The part at `index` is complete (text, thinking and tool-call parts: the kinds that take deltas)."""

    index: int
    part: ModelResponsePart
    next_part_kind: PartKind | None = None
    """The kind of the part started after this one, if any."""
    event_kind: Literal["part_end"] = "part_end"

    __repr__ = _short_repr


@dataclass(repr=False, slots=True)
class FinalResultEvent:
    """The agent found the run's final result in the stream (an output tool call, or text)."""

    tool_name: str | None
    tool_call_id: str | None
    event_kind: Literal["final_result"] = "final_result"

    __repr__ = _short_repr


@dataclass(repr=False)
class ToolCallEvent:
    """A tool call the agent is about to handle; `args_valid` says whether its arguments validated
    (None: not validated, e.g. a deferred call whose result was given)."""

    part: ToolCallPart
    args_valid: bool | None = None

    @property
    def tool_call_id(self) -> str:
        return self.part.tool_call_id

    __repr__ = _short_repr


@dataclass(repr=False)
class FunctionToolCallEvent(ToolCallEvent):
    """A call to a function tool, emitted (for every call of a response) before the tools run."""

    event_kind: Literal["function_tool_call"] = "function_tool_call"


@dataclass(repr=False)
class OutputToolCallEvent(ToolCallEvent):
    """A call to an output tool: the model handing in its final answer."""

    event_kind: Literal["output_tool_call"] = "output_tool_call"


@dataclass(repr=False)
class ToolResultEvent:
    """What a tool call gave: the part sent back to the model."""

    part: ToolReturnPart | RetryPromptPart

    @property
    def tool_call_id(self) -> str:
        return self.part.tool_call_id

    @property
    def result(self) -> ToolReturnPart | RetryPromptPart:
        """The part, by its PydanticAI v1 name."""
        return self.part

    __repr__ = _short_repr


@dataclass(repr=False)
class FunctionToolResultEvent(ToolResultEvent):
    """A function tool's result, emitted as each call finishes."""

    content: str | Sequence[UserContent] | None = None
    """What the tool asked to send the model as a user message after the results (`ToolReturn.content`)."""
    event_kind: Literal["function_tool_result"] = "function_tool_result"


@dataclass(repr=False)
class OutputToolResultEvent(ToolResultEvent):
    """What an output tool call gave: the final result processed, a retry prompt, or "not used"."""

    event_kind: Literal["output_tool_result"] = "output_tool_result"


ModelResponseStreamEvent = Union[PartStartEvent, PartDeltaEvent, PartEndEvent, FinalResultEvent]
"""An event of a streamed response: a part starts, grows or ends, or the final result is found."""
HandleResponseEvent = Union[
    FunctionToolCallEvent, FunctionToolResultEvent, OutputToolCallEvent, OutputToolResultEvent
]
"""An event of handling a response: the tool calls the agent makes and what they give."""
AgentStreamEvent = Union[ModelResponseStreamEvent, HandleResponseEvent]
"""Any event of an agent run's event stream."""


# ---------------------------------------------------------------------------------------------- JSON helpers


def _to_jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_jsonable(v) for v in value]
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(value)


def _dump_json(value: Any) -> str:
    return json.dumps(_to_jsonable(value), ensure_ascii=False)


def _build_type_adapter() -> TypeAdapter[list[ModelMessage]]:
    from typing import Annotated

    from pydantic import Discriminator, TypeAdapter

    message = Annotated[ModelMessage, Discriminator("kind")]
    return TypeAdapter(list[message], config={"ser_json_bytes": "base64", "val_json_bytes": "base64"})


_type_adapter: TypeAdapter[list[ModelMessage]] | None = None


def __getattr__(name: str) -> Any:
    # Built on first use: a pydantic schema build costs milliseconds that `import wireai` must not pay.
    global _type_adapter
    if name == "ModelMessagesTypeAdapter":
        if _type_adapter is None:
            _type_adapter = _build_type_adapter()
        return _type_adapter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
