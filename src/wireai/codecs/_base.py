"""What the codecs share, written once: `WireRequest` (what a codec says to send), the request
helpers (tool choice, message lists in the role/content and block shapes, tool results holding files,
Claude's thinking settings), the readers of vendor JSON (token counts, errors, epoch times), and
`BaseStreamParser`, which owns a stream's framing and the parts and metadata it builds."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import chain
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, ClassVar, Protocol

from .._params import ModelRequestParameters
from .._parts_manager import ModelResponsePartsManager
from ..exceptions import ModelHTTPError, UnexpectedModelBehavior, UserError, snippet
from ..messages import (
    CompactionPart,
    FilePart,
    FinishReason,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponseStreamEvent,
    MultiModalContent,
    NativeToolCallPart,
    NativeToolReturnPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    file_reference,
    generate_tool_call_id,
    now_utc,
)
from ..profiles import DEFAULT_PROFILE, ModelProfile
from ..usage import RequestUsage
from ..wire.sse import SSEDecoder

__all__ = [
    "NO_EVENTS",
    "Framing",
    "BaseStreamParser",
    "WireRequest",
    "append_turn",
    "assistant_blocks",
    "block_index",
    "block_messages",
    "chat_messages",
    "chat_tool_call",
    "CLAUDE_DEFAULT_THINKING_BUDGET",
    "CLAUDE_EFFORTS",
    "CLAUDE_THINKING_BUDGETS",
    "claude_portable_thinking",
    "claude_thinking_enabled",
    "claude_thinking_on",
    "check_native_tools",
    "epoch_datetime",
    "error_body",
    "file_followup_content",
    "finish_request",
    "json_bytes",
    "json_object",
    "latest_instructions",
    "loads",
    "obj",
    "parse_error",
    "resolve_tool_choice",
    "stamp_provider",
    "text",
    "token_count",
    "tool_input",
]


@dataclass
class WireRequest:
    """One HTTP request as a codec wants it sent: what to send, never where or as whom.

    `path` is relative to the provider's base URL (or, rarely, an absolute URL on the vendor's own
    host: a resumable-upload session, Gemini's upload and download roots); the provider adds the
    host, auth (a key header, SigV4, a Google token) and its default headers. `content()` is the exact body on the wire.
    `data` carries a body that is not one JSON object built here (a multipart file upload, a JSONL
    file, a batch assembled from other requests' bytes): when set, it is sent as is.
    """

    method: str
    path: str
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    data: bytes | None = None

    def content(self) -> bytes:
        """The body as sent: `data` when set, else compact JSON, UTF-8, non-ASCII kept as is (empty
        for a body-less request)."""
        if self.data is not None:
            return self.data
        if self.body is None:
            return b""
        return json_bytes(self.body)


def json_bytes(value: Any) -> bytes:
    """`value` as every request body goes out: compact JSON, UTF-8, non-ASCII kept as is.

    Byte for byte `json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()`, but the
    C encoder is called directly: with non-default arguments `json.dumps` builds a `JSONEncoder`
    and its C encoder on every call, about 40% of the cost of encoding a small request body."""
    if c_make_encoder is None:  # an interpreter without the C accelerator
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    # A fresh circular-reference memo per body: one left over from a failed encode would refuse the next.
    encode = c_make_encoder({}, _json_default, encode_basestring, None, ":", ",", False, False, True)
    return "".join(encode(value, 0)).encode()


_json_default = json.JSONEncoder().default  # the TypeError json.dumps raises for what it cannot encode


def resolve_tool_choice(
    settings: Mapping[str, Any], allow_text_output: bool, tool_names: Iterable[str], *, can_force: bool = True
) -> str:
    """`'auto'`, `'required'`, `'none'` or a tool name: the `tool_choice` setting, else what the output needs.

    A list of names or `ToolOrOutput` has been narrowed to one of those by `prepare_tool_choice`
    (which filters the tools sent) before a codec runs. Each codec spells the answer its vendor's way; a name that is not one of this request's tools is
    a `UserError` here rather than a vendor 400 later. `can_force=False` (Claude with extended
    thinking accepts only `auto`/`none`) turns a forced choice into `'auto'`: the agent's output
    validation then asks again if the model answers in text.
    """
    choice = settings.get("tool_choice")
    if choice is None:
        choice = "auto" if allow_text_output else "required"
    if not isinstance(choice, str):
        raise UserError(
            f"tool_choice {choice!r} decides which tools are sent: narrow it with "
            "`wireai.codecs.prepare_tool_choice(settings, params)` before building the request "
            "(wireai's models do this themselves)"
        )
    names = list(tool_names)
    if choice not in ("auto", "required", "none") and choice not in names:
        raise UserError(
            f"tool_choice {choice!r} is neither auto/required/none nor one of this request's tools {names}"
        )
    if not can_force and choice not in ("auto", "none"):
        return "auto"
    return str(choice)


def claude_thinking_on(thinking: Any) -> bool:
    """Whether a Claude `thinking` request field (Anthropic's, or Bedrock's `additionalModelRequestFields`)
    turns extended thinking on, which rules out forcing a tool."""
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")


CLAUDE_DEFAULT_THINKING_BUDGET = 4096
"""`budget_tokens` of `thinking=True` on a Claude model without adaptive thinking."""
CLAUDE_THINKING_BUDGETS = {"minimal": 1024, "low": 2048, "medium": 10000, "high": 16384, "xhigh": 32768}
"""`budget_tokens` for each portable `thinking` level on a Claude model without adaptive thinking."""
CLAUDE_EFFORTS = {"minimal": "low", "low": "low", "medium": "medium", "high": "high", "xhigh": "max"}
"""`effort` for each portable `thinking` level on an adaptive-thinking Claude (`xhigh` is sent as
`xhigh` where the profile says the model takes it)."""


def claude_thinking_enabled(adaptive: bool, budget: int = CLAUDE_DEFAULT_THINKING_BUDGET) -> dict[str, Any]:
    """Claude's `thinking` field that turns thinking on: adaptive where the model has it, else a budget."""
    return {"type": "adaptive"} if adaptive else {"type": "enabled", "budget_tokens": budget}


def claude_portable_thinking(
    portable: Any, extra: Mapping[str, Any], model: str
) -> tuple[dict[str, Any] | None, str | None]:
    """(Claude's `thinking` field, the `effort` it implies) for the portable `thinking` setting, wherever
    Claude is served (Anthropic, Bedrock). `extra` is the model's Claude profile data
    (`adaptive_thinking`, `xhigh_effort`, `thinking`: whether it thinks at all). A level is a budget,
    or adaptive thinking with an effort on a model that thinks adaptively; `False` disables thinking
    on a model that thinks and is ignored elsewhere, where a level is a `UserError`."""
    adaptive = bool(extra.get("adaptive_thinking"))
    thinks = bool(extra.get("thinking", True))
    if portable is None or (portable is False and not thinks):
        return None, None
    if portable is False:
        return {"type": "disabled"}, None
    if not thinks:
        raise UserError(f"{model} does not think: leave `thinking` unset (or False) for it")
    if portable is True:
        return claude_thinking_enabled(adaptive), None
    if portable not in CLAUDE_THINKING_BUDGETS:
        raise UserError(
            f"`thinking` takes True/False or one of {', '.join(CLAUDE_THINKING_BUDGETS)}, not {portable!r}"
        )
    if not adaptive:
        return claude_thinking_enabled(False, CLAUDE_THINKING_BUDGETS[portable]), None
    effort = "xhigh" if portable == "xhigh" and extra.get("xhigh_effort") else CLAUDE_EFFORTS[portable]
    return {"type": "adaptive"}, effort


def token_count(value: Any) -> int:
    """A vendor's token count, or 0 for anything that is not a count: not a number, or a float that
    is not finite (`Infinity` and `NaN` parse as JSON numbers; some specs type counts as doubles)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(value) if isinstance(value, int) or math.isfinite(value) else 0


_scan_once = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # set in __init__, not in the stubs


def loads(text: str) -> Any:
    """`json.loads` minus its Python-level wrapper: the C scanner called directly.

    Stream parsers decode one small JSON document per event; on a 20,000-delta stream the wrapper
    (two regex matches and three calls per document) is a measurable share of the CPU. Errors are
    the same `ValueError`s `json.loads` raises.
    """
    try:
        value, end = _scan_once(text, 0)
    except StopIteration:
        return json.loads(text)  # leading whitespace or not JSON: let json say why
    if end != len(text) and text[end:].strip():
        return json.loads(text)  # extra data: json raises the error with its position
    return value


NO_EVENTS: Sequence[ModelResponseStreamEvent] = ()


class Framing(Protocol):
    """A stream's wire framing (SSE, AWS event-stream): bytes in, complete frames out."""

    wire_format: ClassVar[str]  # "sse" | "eventstream"
    media_type: ClassVar[str]  # the response content type that carries it

    def feed(self, chunk: bytes) -> Sequence[Any]: ...

    def close(self) -> Sequence[Any]: ...


class BaseStreamParser:
    """One streamed response: raw body bytes in, part events out, the `ModelResponse` at the end.

    The codec owns its framing (`framing`, SSE unless a subclass says otherwise), so any transport
    can feed the bytes as they arrive, in any chunking. Subclasses implement `_frame` (one decoded
    frame -> the part events it produced) and `_check_complete` (raise `UnexpectedModelBehavior` if
    the vendor's stream ended the way only a cut-off stream ends).
    """

    framing: ClassVar[type[Framing]] = SSEDecoder
    default_provider_name: ClassVar[str | None] = None

    @classmethod
    def framing_for(cls, profile: ModelProfile | None) -> type[Framing]:
        """The framing of this codec's streams for a model with `profile`: `framing`, unless the
        profile's variant of the protocol frames them otherwise (Claude on Bedrock: AWS event-stream)."""
        return cls.framing

    def __init__(
        self,
        params: ModelRequestParameters | None = None,
        *,
        model_name: str | None = None,
        profile: ModelProfile | None = None,
    ):
        self.params = params if params is not None else ModelRequestParameters()
        self.profile = profile if profile is not None else DEFAULT_PROFILE
        self.parts = ModelResponsePartsManager()
        self.model_name = model_name or ""
        self.provider_name = self.default_provider_name
        self.usage = RequestUsage()
        self.finish_reason: FinishReason | None = None
        self.provider_response_id: str | None = None
        self.provider_details: dict[str, Any] | None = None
        self.timestamp = now_utc()
        self._frames = self.framing_for(profile)()
        self._flushed = False

    def feed(self, data: bytes) -> list[ModelResponseStreamEvent]:
        """The part events completed by these bytes (a frame cut between two chunks waits for the rest)."""
        return list(self.iter_feed(data))

    def iter_feed(self, data: bytes) -> Iterator[ModelResponseStreamEvent]:
        """`feed()` one frame at a time: a frame is applied only once the events of the one before it
        were taken, so `get()` never runs ahead of the events seen. A streamed response needs that
        (one network chunk often carries many frames, and consumers read `get()` between events)."""
        # chain(map(...)): lazy in the same way as a generator, without a Python frame per event.
        return chain.from_iterable(map(self._frame, self._frames.feed(data)))

    def flush(self) -> list[ModelResponseStreamEvent]:
        """End of body: decode what the framing still holds (an SSE event never closed by a blank line)."""
        if self._flushed:
            return []
        self._flushed = True
        out: list[ModelResponseStreamEvent] = []
        for frame in self._frames.close():
            out.extend(self._frame(frame))
        return out

    def get(self) -> ModelResponse:
        """The response assembled so far."""
        return ModelResponse(
            parts=self.parts.get_parts(),
            usage=self.usage,
            model_name=self.model_name,
            timestamp=self.timestamp,
            provider_name=self.provider_name,
            provider_response_id=self.provider_response_id,
            finish_reason=self.finish_reason,
            provider_details=self.provider_details,
        )

    def close(self) -> ModelResponse:
        """The whole response, once the body has ended; a stream cut short raises
        `UnexpectedModelBehavior` whose `response` holds what arrived (`get()` still works too)."""
        try:
            self.flush()
            self._check_complete()
        except UnexpectedModelBehavior as exc:
            if exc.response is None:
                exc.response = self.get()
            raise
        return self.get()

    def _frame(self, frame: Any) -> Sequence[ModelResponseStreamEvent]:
        raise NotImplementedError

    def _check_complete(self) -> None:
        """Raise `UnexpectedModelBehavior` if the stream ended before the vendor's end marker."""


def json_object(body: bytes | str | Mapping[str, Any], vendor: str) -> dict[str, Any]:
    """A response body as a JSON object; anything else is `UnexpectedModelBehavior` showing what came."""
    if isinstance(body, (bytes, bytearray, str)):
        try:
            # An object in UTF-8 (what every vendor sends) skips json.loads' encoding sniffing and
            # wrapper; anything else (a BOM, UTF-16, whitespace first) goes through json.loads.
            if isinstance(body, bytes) and body[:1] == b"{" and body[1:2] != b"\x00":
                body = loads(body.decode())
            else:
                body = json.loads(body)
        except ValueError as exc:
            raise UnexpectedModelBehavior(f"{vendor}: the response body is not JSON ({exc})", body) from None
    if not isinstance(body, dict):
        raise UnexpectedModelBehavior(f"{vendor}: expected a JSON object", snippet(body))
    return body


def parse_error(
    status_code: int, body: bytes, headers: Mapping[str, str] | None = None, *, model_name: str
) -> ModelHTTPError:
    """A non-2xx answer as `ModelHTTPError`: the body as JSON when it is JSON, else as bounded text
    (proxies answer with HTML pages). Every vendor's error body is read this way; the codecs'
    `parse_error` is this function."""
    return ModelHTTPError(status_code, model_name, error_body(body), headers)


def error_body(raw: bytes) -> object:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return snippet(raw, 4000)


def finish_request(request: WireRequest, settings: Mapping[str, Any]) -> WireRequest:
    """Apply the user's `extra_body` (merged over the body) and `extra_headers` (over the headers)."""
    extra_body = settings.get("extra_body")
    if extra_body and request.body is not None:
        request.body.update(extra_body)
    extra_headers = settings.get("extra_headers")
    if extra_headers:
        request.headers.update(extra_headers)
    return request


def stamp_provider(response: ModelResponse, provider_name: str | None) -> ModelResponse:
    """Name the provider on a response and on its parts that record one (thinking, native tools)
    where the codec left it open: one codec serves many hosts, and only the caller knows which."""
    if provider_name:
        if response.provider_name is None:
            response.provider_name = provider_name
        for part in response.parts:
            if getattr(part, "provider_name", False) is None:
                part.provider_name = provider_name  # type: ignore[union-attr]
    return response


def epoch_datetime(value: Any) -> datetime:
    """A vendor's Unix timestamp (`created`, `created_at`) as an aware datetime; now if it is missing."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            pass
    return datetime.now(timezone.utc)


def check_native_tools(
    params: ModelRequestParameters, supported: Collection[str], vendor: str, *, note: str = ""
) -> None:
    """A `UserError` before any request for a native tool this vendor (or model) cannot run, naming
    the vendors that can (and `note`, why this one cannot); two tools with one `unique_id` are refused too."""
    seen: set[str] = set()
    for tool in params.native_tools:
        if tool.kind not in supported:
            from ..native_tools import SUPPORTED_BY  # an import statement costs ~1 µs: only for the error

            where = SUPPORTED_BY.get(tool.kind, "no vendor wireai speaks")
            why = f" ({note})" if note else ""
            raise UserError(
                f"{type(tool).__name__} is not supported by {vendor}{why}; it is supported by {where}"
            )
        if tool.unique_id in seen:
            raise UserError(f"{type(tool).__name__} is given twice ({tool.unique_id!r}); give each tool once")
        seen.add(tool.unique_id)


def obj(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one: vendors omit or null optional objects."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str | None:
    """`value` if it is a string, else None."""
    return value if isinstance(value, str) else None


def call_id(value: Any) -> str:
    """The id a vendor gave a tool call, or a fresh one when it gave none: passed to the part as it
    is made, so a response with ids never pays for generating one (a uuid4) only to replace it."""
    return value if isinstance(value, str) and value else generate_tool_call_id()


def block_index(event: Mapping[str, Any], key: str, vendor: str) -> int:
    """The integer block index a stream event addresses (`index`, `contentBlockIndex`)."""
    index = event.get(key)
    if not isinstance(index, int) or isinstance(index, bool):
        raise UnexpectedModelBehavior(f"{vendor} stream: an event without an integer `{key}`", snippet(event))
    return index


def append_turn(
    turns: list[dict[str, Any]], role: str, blocks: list[dict[str, Any]], *, key: str = "content"
) -> None:
    """Add a turn of content blocks (under `key`: Gemini calls them `parts`), merged into the previous
    one when it has the same role: the block-based APIs (Anthropic, Bedrock, Gemini) want strictly
    alternating roles and no empty turns."""
    if not blocks:
        return
    if turns and turns[-1]["role"] == role:
        turns[-1][key].extend(blocks)
    else:
        turns.append({"role": role, key: blocks})


def block_messages(
    messages: Sequence[ModelMessage],
    system_block: Callable[[str], dict[str, Any]],
    request_part: Callable[[Any], Iterable[dict[str, Any]]],
    response: Callable[[ModelResponse], list[dict[str, Any]]],
    request_end: Callable[[ModelRequest], Iterable[dict[str, Any]]] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(`system` blocks, alternating `user`/`assistant` turns) of the block-based APIs (Anthropic, Bedrock).

    System prompt parts go to the system blocks, followed by the latest instructions (as PydanticAI
    orders them); every other request part becomes the user blocks `request_part` returns, each
    response the assistant blocks `response` returns, with same-role neighbours merged.
    `request_end` adds blocks after a request's parts (the files of tool returns that a model takes
    only in user content, after the tool results: `file_followup_content`).
    """
    system: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, ModelRequest):
            blocks: list[dict[str, Any]] = []
            for part in message.parts:
                if isinstance(part, SystemPromptPart):
                    if part.content:
                        system.append(system_block(part.content))
                else:
                    blocks.extend(request_part(part))
            if request_end is not None:
                blocks.extend(request_end(message))
            append_turn(turns, "user", blocks)
        else:
            append_turn(turns, "assistant", response(message))
    instructions = latest_instructions(messages)
    if instructions:
        system.append(system_block(instructions))
    return system, turns


def assistant_blocks(
    response: ModelResponse,
    text_block: Callable[[str], dict[str, Any]],
    tool_call_block: Callable[[ToolCallPart], dict[str, Any]],
    thinking_block: Callable[[ThinkingPart], dict[str, Any] | None],
    *,
    text_part_block: Callable[[TextPart], dict[str, Any]] | None = None,
    native_block: Callable[[NativeToolCallPart | NativeToolReturnPart], dict[str, Any] | None] | None = None,
    file_block: Callable[[FilePart], dict[str, Any] | None] | None = None,
    compaction_block: Callable[[CompactionPart], dict[str, Any] | None] | None = None,
) -> list[dict[str, Any]]:
    """A response's parts as the vendor's content blocks, in order, for sending it back in a history:
    empty text is left out, and so is thinking `thinking_block` refuses (another vendor's, which
    cannot be verified). `text_part_block` replaces `text_block` where a text block carries more than
    its text (citations); native tool parts go through `native_block` (None: dropped, as they are for
    a vendor that did not run them, and so are the parts it refuses); files the model made through
    `file_block` and compaction summaries through `compaction_block` (likewise)."""
    blocks: list[dict[str, Any]] = []
    for part in response.parts:
        block: dict[str, Any] | None = None
        if isinstance(part, TextPart):
            if part.content:
                block = text_part_block(part) if text_part_block else text_block(part.content)
        elif isinstance(part, ToolCallPart):
            block = tool_call_block(part)
        elif isinstance(part, ThinkingPart):
            block = thinking_block(part)
        elif native_block is not None and isinstance(part, (NativeToolCallPart, NativeToolReturnPart)):
            block = native_block(part)
        elif file_block is not None and isinstance(part, FilePart):
            block = file_block(part)
        elif compaction_block is not None and isinstance(part, CompactionPart):
            block = compaction_block(part)
        if block is not None:
            blocks.append(block)
    return blocks


def tool_input(part: ToolCallPart | NativeToolCallPart) -> dict[str, Any]:
    """A call's arguments as the JSON object the block-based APIs take back as `input`; arguments the
    model malformed become `{}` (the retry prompt that follows the call already says why)."""
    try:
        return part.args_as_dict()
    except ValueError:
        return {}


def chat_messages(
    messages: Sequence[ModelMessage],
    request_part: Callable[[Any], dict[str, Any]],
    response: Callable[[ModelResponse], dict[str, Any] | None],
    *,
    system_role: str = "system",
    files_message: Callable[[list[UserContent]], dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The `messages` list of the role/content chat APIs (OpenAI chat, Mistral, Cohere): the latest
    instructions first as a system message, then one message per request part and per response.

    Where a vendor's tool messages take text only, `files_message` builds the user message that
    follows a request's parts with the files its tool returns held (`file_followup_content`): the
    tool message names each file (`ToolReturnPart.model_response_str()`), this message carries it.
    Give none where tool messages carry the files themselves."""
    out: list[dict[str, Any]] = []
    instructions = latest_instructions(messages)
    if instructions:
        out.append({"role": system_role, "content": instructions})
    for message in messages:
        if isinstance(message, ModelRequest):
            out.extend(request_part(part) for part in message.parts)
            if files_message is not None:
                files = [f for p in message.parts if isinstance(p, ToolReturnPart) for f in p.files()]
                if files:
                    out.append(files_message(file_followup_content(files)))
        else:
            mapped = response(message)
            if mapped is not None:
                out.append(mapped)
    return out


def chat_tool_call(part: ToolCallPart, call_id: str | None = None) -> dict[str, Any]:
    """An assistant message's `tool_calls[]` entry in the role/content chat APIs (OpenAI chat,
    Mistral, Cohere); `call_id` replaces the part's id where the vendor needs its own form."""
    return {
        "id": call_id or part.tool_call_id,
        "type": "function",
        "function": {"name": part.tool_name, "arguments": part.args_as_json_str()},
    }


def tool_result_content(
    part: ToolReturnPart, content: Callable[[str | MultiModalContent], dict[str, Any]]
) -> str | list[dict[str, Any]]:
    """A tool's result for a tool message that can hold files (OpenAI Responses, Mistral): its text
    alone, or, when it returned files, its text (naming each file) followed by the files, each item
    in the vendor's content shape (`content`)."""
    files = part.files()
    if not files:
        return part.model_response_str()
    return [content(part.model_response_str()), *(content(f) for f in files)]


def file_followup_content(files: Sequence[MultiModalContent]) -> list[UserContent]:
    """The content of the follow-up user message that carries files a tool returned, for vendors (or
    models) whose tool results take only text: each file introduced by the reference its tool result
    names it by (`ToolReturnPart.model_response_str()` says "See file 1a2b3c."), as PydanticAI does.
    The codec turns it into user content blocks its own way."""
    out: list[UserContent] = []
    for item in files:
        out.append(f"This is file {file_reference(item)}:")
        out.append(item)
    return out


def latest_instructions(messages: Sequence[ModelMessage]) -> str | None:
    """Only the most recent request's instructions apply (the agent re-evaluates them every request)."""
    for message in reversed(messages):
        if isinstance(message, ModelRequest) and message.instructions:
            return message.instructions
    return None
