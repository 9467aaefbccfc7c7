"""Shared test helpers: request-body validation against our `protocols/` schemas and the vendors' specs.

The vendors' specs and the seed page live in `../shared`, beside the repository: CI has it, a
user's clone does not. Without it, a check that needs it is reported as skipped, with the reason
(never as a passed assertion), and with `CI=true` it fails instead, so CI cannot lose it quietly.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PROTOCOLS = ROOT / "protocols"
SHARED = ROOT.parent / "shared"
SPECS = SHARED / "protocol-specs"
IN_CI = os.environ.get("CI", "").strip().lower() == "true"

# Vendor-spec checks skipped during the current test: conftest.py reports them as one skipped
# subtest when the test ends, after the test's other assertions ran (a check can be skipped inside
# a loopback server's handler thread, where raising would only turn into a 500 answer).
skipped_spec_checks: list[str] = []


def require_shared(path: Path, what: str) -> None:
    """Skip (fail under CI) unless `path` in ../shared exists: call at a test module's top."""
    if path.exists():
        return
    reason = f"{what} needs {path} (../shared, present in CI only)"
    if IN_CI:
        pytest.fail(f"{reason}; CI=true, so this is an error", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def doc_block(path: Path, heading: str, index: int = 0) -> str:
    """The `index`-th python block under `heading` in a markdown file (README.md, docs/*.md), for the
    tests that run the docs' examples as written."""
    section = path.read_text("utf-8").split(heading, 1)
    assert len(section) == 2, f"no {heading!r} in {path.name}"
    blocks = re.findall(r"```python\n(.*?)```", section[1], re.S)
    assert len(blocks) > index, f"no python block {index} under {heading!r} in {path.name}"
    return str(blocks[index])


# Operations the vendors' specs describe but `validate.py --list` does not register (the embedding
# endpoints): added to the loaded module's registry here, never to the files in ../shared.
_GEMINI_SERVICE = "google/ai/generativelanguage/v1beta/generative_service.proto"
_VERTEX_SERVICE = "google/cloud/aiplatform/v1/prediction_service.proto"
EXTRA_OPERATIONS: dict[str, dict[str, Any]] = {
    "openai": {
        "embeddings": ("/embeddings", "post"),
        "input_tokens": ("/responses/input_tokens", "post"),
        "batches": ("/batches", "post"),
    },
    "azure": {"embeddings": ("/deployments/{deployment-id}/embeddings", "post")},
    "anthropic": {"message_batches": ("/v1/messages/batches", "post")},
    "groq": {"batches": ("/openai/v1/batches", "post")},
    "mistral": {"embeddings": ("/v1/embeddings", "post"), "batch_jobs": ("/v1/batch/jobs", "post")},
    "cohere": {"embed": ("/v2/embed", "post"), "tokenize": ("/v1/tokenize", "post")},
    "bedrock": {"count-tokens": "CountTokens"},
    "gemini": {
        "embedContent": (
            _GEMINI_SERVICE,
            "google.ai.generativelanguage.v1beta.GenerativeService.EmbedContent",
        ),
        "batchEmbedContents": (
            _GEMINI_SERVICE,
            "google.ai.generativelanguage.v1beta.GenerativeService.BatchEmbedContents",
        ),
    },
    "vertex": {
        "predict": (_VERTEX_SERVICE, "google.cloud.aiplatform.v1.PredictionService.Predict"),
        "embedContent": (_VERTEX_SERVICE, "google.cloud.aiplatform.v1.PredictionService.EmbedContent"),
        "countTokens": (
            "google/cloud/aiplatform/v1beta1/prediction_service.proto",
            "google.cloud.aiplatform.v1beta1.PredictionService.CountTokens",
        ),
    },
}


@functools.cache
def _spec_module() -> Any:
    """The spec validator module, or the reason it cannot be used (a str)."""
    if not (SPECS / "validate.py").is_file():
        return f"the vendor specs are absent ({SPECS / 'validate.py'} not found)"
    sys.path.insert(0, str(SPECS))
    try:
        import validate
    except ImportError as exc:
        return f"the vendor-spec validator cannot be imported ({exc}); install the test extra"
    finally:
        sys.path.pop(0)
    for vendor, operations in EXTRA_OPERATIONS.items():
        for name, target in operations.items():
            validate.VENDORS[vendor]["ops"].setdefault(name, target)
    return validate


# Request fields the live Gemini API takes that the proto snapshot in ../shared predates (see the
# "protos lag the live API" caveat in its README): `strip_proto_lag` removes exactly these before a
# body is checked against the protos, and insists each one is there, so the list stays honest.
PROTO_LAG: dict[str, tuple[str, ...]] = {
    "gemini": (
        "tools[].fileSearch",  # the snapshot's FileSearch predates fileSearchStoreNames
        "generationConfig.imageConfig.imageSize",
        "generationConfig.thinkingConfig.thinkingLevel",
        "serviceTier",
    ),
    "vertex": (),
}


def strip_proto_lag(vendor: str, body: Any, *fields: str) -> Any:
    """A copy of `body` without the named `PROTO_LAG` fields (`a.b`, `a[].b`: in every item of list
    `a`; an item left empty is dropped); each must be a known lag field and present in the body."""
    import copy

    out = copy.deepcopy(body)
    for spec in fields:
        assert spec in PROTO_LAG[vendor], f"{spec} is not a known {vendor} proto lag field"
        assert _drop(out, spec.split(".")), f"{spec} is not in the body"
    return out


def _drop(node: Any, path: list[str]) -> bool:
    head, rest = path[0], path[1:]
    if head.endswith("[]"):
        items = node.get(head[:-2]) if isinstance(node, dict) else None
        if not isinstance(items, list):
            return False
        found = [_drop(item, rest) for item in items]
        node[head[:-2]] = [item for item in items if item]
        return any(found)
    if not isinstance(node, dict) or head not in node:
        return False
    if rest:
        return _drop(node[head], rest)
    del node[head]
    return True


def assert_spec_valid(vendor: str, body: Any, operation: str | None = None, *, strict: bool = True) -> None:
    """Validate against the vendor's official description in ../shared.

    Where it cannot run, the check is recorded as skipped (and the test goes on with its other
    assertions); under `CI=true` that fails the test instead.
    """
    module = _spec_module()
    if isinstance(module, str):
        return _not_run(vendor, module)
    errors = module.validate(vendor, body, operation, strict=strict)
    assert errors == [], (
        f"{vendor} {operation or ''} body does not match the vendor spec:\n"
        + "\n".join(errors)
        + ("\n" + json.dumps(body, indent=1)[:3000])
    )


def _not_run(vendor: str, reason: str) -> None:
    """A vendor-spec check that cannot run: recorded as skipped, an error under `CI=true`."""
    if IN_CI:
        pytest.fail(f"{vendor} vendor-spec check cannot run: {reason}; CI=true, so this is an error")
    skipped_spec_checks.append(reason)


@functools.cache
def _protocol_validator(protocol: str) -> Any:
    import jsonschema

    schema = json.loads((PROTOCOLS / f"{protocol}.request.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def assert_protocol_valid(protocol: str, body: Any) -> None:
    """Validate against our own `protocols/<protocol>.request.schema.json` (the subset we emit)."""
    validator = _protocol_validator(protocol)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{protocol} body outside protocols/{protocol}.request.schema.json:\n" + "\n".join(
        f"{list(e.path)}: {e.message}" for e in errors[:10]
    )


def replay_requests(
    protocol: str,
    case_name: str,
    model_for: Any,
    steps: list[tuple[list[Any], Any]],
    *,
    settings: Any = None,
    spec: str | None = None,
) -> list[Any]:
    """Run each (messages, params) step as a request against the case's replay server; check every
    expected body against our schema and the vendor's spec, and every sent body against the case."""
    import asyncio

    from wireai.testing.fixtures import ReplayServer, load_case

    case = load_case(protocol, case_name)
    for exchange in case.exchanges:
        assert_protocol_valid(protocol, exchange.body)
        assert_spec_valid(spec or protocol, exchange.body)
    with ReplayServer(case) as server:
        model = model_for(server)

        async def main() -> list[Any]:
            return [await model.request(messages, settings, params) for messages, params in steps]

        responses = asyncio.run(main())
        server.assert_requests_match()
    return responses


def replay_stream(
    protocol: str,
    case_name: str,
    model_for: Any,
    messages: list[Any],
    params: Any,
    *,
    spec: str | None = None,
) -> tuple[Any, list[Any]]:
    """Stream one request against the case's replay server: (the final response, every event)."""
    import asyncio

    from wireai.testing.fixtures import ReplayServer, load_case

    case = load_case(protocol, case_name)
    assert_protocol_valid(protocol, case.exchanges[0].body)
    assert_spec_valid(spec or protocol, case.exchanges[0].body)
    with ReplayServer(case) as server:
        model = model_for(server)

        async def main() -> tuple[Any, list[Any]]:
            async with model.request_stream(messages, None, params) as stream:
                events = [event async for event in stream]
                return stream.get(), events

        result = asyncio.run(main())
        server.assert_requests_match()
    return result


# ============================================================================== response bodies
#
# The other direction: what a vendor answers, checked against the same descriptions with the same
# machinery (`validate.py`'s OpenAPI -> JSON Schema conversion, its proto descriptors and
# `json_format.ParseDict`, its botocore shape walker), pointed at the response schemas instead of
# the request body. Each name below is what the vendor's description says the answer is: an
# OpenAPI component (or a JSON pointer to an inline schema), a proto method (its output message),
# a botocore shape (for `ConverseStreamOutput`, the union whose members are the stream's events).

_COHERE_ERROR = "#/components/responses/BadRequest/content/application~1json/schema"
_COHERE_TOKENIZE = "#/paths/~1v1~1tokenize/post/responses/200/content/application~1json/schema"
_AZURE_EMBEDDINGS = (
    "#/paths/~1deployments~1{deployment-id}~1embeddings/post/responses/200/content/application~1json/schema"
)
_BEDROCK_EXCEPTIONS = (
    "AccessDeniedException", "InternalServerException", "ModelErrorException", "ModelNotReadyException",
    "ModelTimeoutException", "ResourceNotFoundException", "ServiceQuotaExceededException",
    "ServiceUnavailableException", "ThrottlingException", "ValidationException",
)  # fmt: skip
RESPONSE_SCHEMAS: dict[str, dict[str, str]] = {
    "openai": {
        "chat": "CreateChatCompletionResponse",
        "chat-stream": "CreateChatCompletionStreamResponse",
        "responses": "Response",
        "responses-stream": "ResponseStreamEvent",
        "input_tokens": "TokenCountsResource",
        "embeddings": "CreateEmbeddingResponse",
        "error": "ErrorResponse",
        "file": "OpenAIFile",
        "batch": "Batch",
        "batches": "ListBatchesResponse",
    },
    "azure": {
        "chat": "createChatCompletionResponse",
        "chat-stream": "createChatCompletionStreamResponse",
        "embeddings": _AZURE_EMBEDDINGS,
        "error": "errorResponse",
    },
    "anthropic": {
        "messages": "Message",
        "messages-stream": "MessageStreamEvent",
        "messages-beta": "BetaMessage",
        "messages-beta-stream": "BetaMessageStreamEvent",
        "count_tokens": "CountMessageTokensResponse",
        "error": "ErrorResponse",
        "batch": "MessageBatch",
        "batches": "ListResponse_MessageBatch_",
        "batch-line": "MessageBatchIndividualResponse",  # one line of the results JSONL
    },
    "groq": {
        "chat": "CreateChatCompletionResponse",
        "chat-stream": "CreateChatCompletionStreamResponse",
        "error": "ErrorResponse",
    },
    "mistral": {
        "chat": "ChatCompletionResponse",
        "chat-stream": "CompletionChunk",  # `CompletionEvent` is `{data: CompletionChunk}`: one SSE data line
        "embeddings": "EmbeddingResponse",
        "file": "CreateFileResponse",
        "batch": "BatchJob",
        "batches": "ListBatchJobsResponse",
    },
    "cohere": {
        "chat": "ChatResponseV2",
        "chat-stream": "StreamedChatResponseV2",
        "embed": "EmbedByTypeResponse",
        "tokenize": _COHERE_TOKENIZE,
        "error": _COHERE_ERROR,
    },
    "gemini": {
        op: op
        for op in (
            "generateContent",
            "streamGenerateContent",
            "countTokens",
            "embedContent",
            "batchEmbedContents",
        )
    },
    "vertex": {
        op: op
        for op in ("generateContent", "streamGenerateContent", "countTokens", "embedContent", "predict")
    },
    "bedrock": {
        "converse": "ConverseResponse",
        "converse-stream": "ConverseStreamOutput",
        "count-tokens": "CountTokensResponse",
        # InvokeModelWithResponseStream's frames (a `chunk` carries the model's own event, base64)
        "invoke-with-response-stream": "ResponseStream",
        # an error body, by the exception its `x-amzn-errortype` header names
        **{name: name for name in _BEDROCK_EXCEPTIONS},
    },
}
# Answers whose shape no description here has: Google's error bodies (`google.rpc.Status` is not in
# the proto snapshot); Mistral's errors (its description has only FastAPI's `{detail: [...]}` for a
# 422, while its API wraps every error, 422s too, as `{object: error, message, type, param, code}`);
# Voyage AI (no description at all); Bedrock's InvokeModel bodies (the model's own JSON, a blob to
# the service description); the compatible hosts above. Batch APIs: Gemini's (`batchGenerateContent`,
# `batches/*` operations, the Files API's upload) is not in the proto snapshot, which has only
# `GenerativeService`; OpenAI's and Mistral's output-file lines are `format: binary` file content
# to their descriptions (OpenAI's `BatchRequestOutput` is in its guide only). The answers such
# envelopes carry are still checked: each line's or inlined response's body as the vendor's chat
# answer or error (`batch_answers`).
UNDESCRIBED = (
    "gemini error", "vertex error", "mistral error", "voyageai", "bedrock invoke", "compatible",
    "gemini batch", "gemini batches", "gemini file", "gemini batch-line", "openai batch-line",
    "mistral batch-line",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Erratum:
    """A place where a vendor's response schema contradicts the vendor's own reference (its
    examples, its guides, the same description elsewhere): the fix applied to the converted schema
    before checking (never to the files in ../shared), and the evidence. Each must still apply,
    so the list cannot outlive the spec it corrects."""

    schema: str  # the component the fix applies to
    change: Literal["optional", "nullable", "alternative", "allowed"]
    field: str
    why: str
    value: Any = None  # `allowed` / `alternative`: the field's (other) OpenAPI schema
    at: str = ""  # where in the schema the field's object is: `data[]` is each item of `data`


_EXAMPLES = "every example response in the description has it"
_FILTERS = "Azure's content filtering guide"
_IMAGE_ECHO = "the live API echoes the image settings on the item (revised_prompt: OpenAI's image guide)"
RESPONSE_ERRATA: dict[str, tuple[Erratum, ...]] = {
    "openai": (
        Erratum("Response", "allowed", "store", _EXAMPLES, {"type": "boolean"}),
        Erratum("ModelResponseProperties", "nullable", "user", 'every example response has "user": null'),
        Erratum("Response", "nullable", "usage", 'the response.created example (in_progress) has "usage": null'),
        *(
            Erratum("ImageGenToolCall", "allowed", name, _IMAGE_ECHO, {"type": "string"})
            for name in ("background", "output_format", "quality", "revised_prompt", "size")
        ),
        Erratum("ChatCompletionStreamResponseDelta", "allowed", "annotations", "a search model's citations "
                "come in a last delta (openai/openai-java#297); the description's delta lacks them",
                {"$ref": "#/components/schemas/ChatCompletionResponseMessage/properties/annotations"}),
        Erratum("Embedding", "alternative", "embedding", 'encoding_format "base64" gets the vector as '
                "base64 (the request's own description of encoding_format)", {"type": "string"}),
        *(
            Erratum("Batch", "nullable", name, "the reference's create-batch example answers null for "
                    "each file id and time not reached yet (and for errors)")
            for name in ("errors", "output_file_id", "error_file_id", "in_progress_at", "expires_at",
                         "finalizing_at", "completed_at", "failed_at", "expired_at", "cancelling_at",
                         "cancelled_at")
        ),
    ),
    "azure": (
        # Azure's content filtering guide: a stream opens with a chunk of empty `id`, `model` and
        # `object` carrying `prompt_filter_results`, and each streamed choice has its
        # `content_filter_results`; a filtered prompt's 400 has `status`, `innererror`, `type: null`.
        Erratum("createChatCompletionStreamResponse", "allowed", "prompt_filter_results", _FILTERS,
                {"$ref": "#/components/schemas/promptFilterResults"}),
        Erratum("createChatCompletionStreamResponse", "alternative", "object", _FILTERS, {"enum": [""]}),
        Erratum("createChatCompletionStreamResponse", "nullable", "system_fingerprint", _FILTERS),
        Erratum("createChatCompletionStreamResponse", "allowed", "content_filter_results", _FILTERS,
                {"$ref": "#/components/schemas/contentFilterChoiceResults"}, at="choices[]"),
        Erratum("error", "allowed", "innererror", _FILTERS, {"type": "object", "properties": {
            "code": {"type": "string"},
            "content_filter_result": {"$ref": "#/components/schemas/contentFilterPromptResults"},
        }}),
        Erratum("error", "allowed", "status", _FILTERS, {"type": "integer"}),
        Erratum("error", "nullable", "type", _FILTERS),
        Erratum(_AZURE_EMBEDDINGS, "alternative", "embedding", 'encoding_format "base64" (which the request '
                "takes) gets the vector as base64", {"type": "string"}, at="data[]"),
        Erratum("createChatCompletionStreamResponse", "allowed", "usage", "the last chunk of a stream whose "
                "request set stream_options.include_usage (the same description documents it)",
                {"$ref": "#/components/schemas/completionUsage"}),
    ),
    "mistral": (
        Erratum("ChatCompletionResponse", "optional", "data",
                "listed as required but defined nowhere in the schema (an embedding response's field)"),
        Erratum("UsageInfo", "allowed", "prompt_tokens_details", "Mistral's prompt caching guide: cache "
                "reads are reported as usage.prompt_tokens_details.cached_tokens",
                {"type": "object", "properties": {"cached_tokens": {"type": "integer"}}}),
    ),
    "cohere": (
        Erratum("EmbedByTypeResponse", "optional", "api_version",
                "required at the top but defined nowhere there: the examples carry it as meta.api_version"),
    ),
}  # fmt: skip

APPLIED_ERRATA: set[Erratum] = set()

# Whether a response object may carry fields its description does not list. Closed (the request
# side's default) wherever the description is precise enough that an extra field is a fake's
# invention (the documented exceptions are errata above); open where it is too loose to close.
RESPONSE_STRICT: dict[str, bool] = {
    "openai": True,
    "azure": True,
    "anthropic": True,  # Stainless-generated: every field the SDK reads is listed (and required)
    "groq": True,
    "mistral": True,
    # Fern-generated and loose: its `Source` union dispatches on a `type` its members do not list,
    # and message-start's delta carries the empty message (content, tool_plan, tool_calls,
    # citations) the schema leaves out. Closing its objects reports the description's own gaps.
    "cohere": False,
}
# Proto messages (gemini, vertex) are always closed: proto3 JSON parsing knows no open objects.
# Response fields the live APIs send that the proto snapshot predates (the README's "protos lag"
# caveat, answer side), removed before the proto check. Bedrock pads every ConverseStream event
# with a random-length `p` member (against traffic-size side channels; botocore drops it).
RESPONSE_PROTO_LAG: dict[str, tuple[str, ...]] = {
    "gemini": ("candidates[].groundingMetadata.groundingChunks[].retrievedContext.fileSearchStore",),
    # v1's GenerateContentResponse.UsageMetadata has tool_use_prompt_tokens_details but not the count
    "vertex": ("usageMetadata.toolUsePromptTokenCount",),
}
BEDROCK_STREAM_PADDING = "p"
# Stream events one description lists for one endpoint only: Anthropic sends `ping` on every stream,
# but only the non-beta event union names it (the README: its converter adds `Ping` there alone).
STREAM_EVENT_SCHEMA: dict[tuple[str, str, str], str] = {
    ("anthropic", "messages-beta-stream", "ping"): "messages-stream",
}


# OpenAI-compatible hosts with no description of their own (fixture folders, demo cases, cases
# named after them): not checked. OpenAI's description requires fields they do not send (refusal,
# logprobs) and lacks those they add (reasoning_content, provider...), so it says nothing of them.
COMPATIBLE_HOSTS = (
    "deepseek",
    "grok",
    "ollama",
    "openrouter",
    "perplexity",
    "openai_compatible",
    "snowflake",
    "xai_responses",  # xAI's Responses API: OpenAI's shape, xAI's own fields (usage, ids)
)
# Fixture folders not named after their vendor; the demo's cases are named after the host.
VENDOR_OF_FOLDER = {
    "openai_chat": "openai",
    "openai_responses": "openai",
    "bedrock_mantle": "openai",
    # Claude on other platforms answers in Anthropic's shapes (Bedrock's stream frames aside).
    "anthropic_bedrock": "anthropic",
    "anthropic_bedrock_mantle": "anthropic",
    "anthropic_vertex": "anthropic",
    "anthropic_foundry": "anthropic",
}
_DEMO_VENDOR = {"openai_responses": "openai"}


def compatible_host(folder: str, case: str) -> bool:
    """Whether the answer is a compatible host's (a folder, a demo case or a case named after one)."""
    return (
        folder in COMPATIBLE_HOSTS
        or case in COMPATIBLE_HOSTS
        or bool(set(case.split("_")) & set(COMPATIBLE_HOSTS))
    )


def answer_schema(
    folder: str, case: str, request: Any, status: int, stream: bool, headers: Any = None
) -> tuple[str, str]:
    """(vendor, `RESPONSE_SCHEMAS` kind) of an answer: `folder` is the fixture folder (`anthropic`,
    `demo`, `embeddings/cohere`...), `request` the exchange's `{path, headers}`, `headers` the answer's."""
    path = str(request.get("path", "")).split("?", 1)[0]
    asked = {k.lower() for k in request.get("headers", {})}
    if compatible_host(folder, case):
        return "compatible", ""
    if folder == "demo":
        vendor = _DEMO_VENDOR.get(case, case)
    elif folder.startswith("embeddings/"):
        vendor = folder.split("/", 1)[1]
    else:
        vendor = VENDOR_OF_FOLDER.get(folder, folder)
    if status >= 300:
        if vendor == "bedrock":
            return vendor, str((headers or {}).get("x-amzn-errortype", "")).split(":")[0]
        return vendor, "error"
    if vendor in ("gemini", "vertex"):
        return vendor, path.rsplit(":", 1)[-1]
    if vendor == "bedrock":
        return vendor, path.rsplit("/", 1)[-1]
    if vendor == "anthropic":
        if path.endswith("/count-tokens"):  # Claude on Bedrock counts with Bedrock's CountTokens
            return "bedrock", "count-tokens"
        kind = "count_tokens" if path.endswith(("/count_tokens", "/count-tokens:rawPredict")) else "messages"
        if kind == "messages" and "anthropic-beta" in asked:
            kind = "messages-beta"
    elif vendor == "cohere":
        kind = {"/v2/embed": "embed", "/v1/tokenize": "tokenize"}.get(path, "chat")
    elif path.endswith("/embeddings"):
        kind = "embeddings"
    elif path.endswith("/responses/input_tokens"):
        kind = "input_tokens"
    else:
        kind = "responses" if path.endswith("/responses") else "chat"
    return vendor, kind + ("-stream" if stream else "")


# What each batch API endpoint answers (`RESPONSE_SCHEMAS` kinds): (vendor, method or "*", path
# pattern, kind); `batch-lines` is a JSONL file of `batch-line`s (results, output and error files).
BATCH_ENDPOINTS: tuple[tuple[str, str, str, str], ...] = (
    ("openai", "POST", r"/v1/files", "file"),
    ("openai", "GET", r"/v1/files/[^/]+/content", "batch-lines"),
    ("openai", "GET", r"/v1/batches", "batches"),
    ("openai", "*", r"/v1/batches(/[^/]+(/cancel)?)?", "batch"),
    ("anthropic", "GET", r"/v1/messages/batches", "batches"),
    ("anthropic", "GET", r"/v1/messages/batches/[^/]+/results", "batch-lines"),
    ("anthropic", "*", r"/v1/messages/batches(/[^/]+(/cancel)?)?", "batch"),
    ("gemini", "POST", r"/upload/v1beta/files", "file"),
    ("gemini", "GET", r"/download/v1beta/files/[^/:]+:download", "batch-lines"),
    ("gemini", "GET", r"/v1beta/batches", "batches"),
    ("gemini", "*", r"/v1beta/(models/[^/:]+:batchGenerateContent|batches/[^/:]+(:cancel)?)", "batch"),
    ("mistral", "POST", r"/v1/files", "file"),
    ("mistral", "GET", r"/v1/files/[^/]+/content", "batch-lines"),
    ("mistral", "GET", r"/v1/batch/jobs", "batches"),
    ("mistral", "*", r"/v1/batch/jobs(/[^/]+(/cancel)?)?", "batch"),
)


def batch_answer_kind(vendor: str, method: str, path: str) -> str | None:
    """The `BATCH_ENDPOINTS` kind of a batch API answer, None for any other endpoint."""
    for name, verb, pattern, kind in BATCH_ENDPOINTS:
        if name == vendor and verb in (method, "*") and re.fullmatch(pattern, path.split("?", 1)[0]):
            return kind
    return None


def batch_answers(vendor: str, kind: str, body: Any) -> list[tuple[str, str, Any]]:
    """(vendor, kind, body) of a batch API answer and of every model answer it carries: an OpenAI or
    Mistral line's `response.body` (the chat answer, or the error a rejected line got), a Gemini
    operation's inlined responses and a responses-file line's `response` (`generateContent`).
    Anthropic's result line is one described object, its message and error included."""
    out = [(vendor, kind, body)]
    if not isinstance(body, dict):
        return out
    if kind == "batch-line" and vendor in ("openai", "mistral") and isinstance(body.get("response"), dict):
        response = body["response"]
        if response.get("status_code", 200) >= 300:
            out.append((vendor, "error", response["body"]))
        else:
            chat = "responses" if response["body"].get("object") == "response" else "chat"
            out.append((vendor, chat, response["body"]))
    elif vendor == "gemini" and kind == "batch-line" and "response" in body:
        out.append((vendor, "generateContent", body["response"]))
    elif vendor == "gemini" and kind == "batch":
        inlined = ((body.get("response") or {}).get("inlinedResponses") or {}).get("inlinedResponses") or []
        out += [(vendor, "generateContent", item["response"]) for item in inlined if "response" in item]
    return out


def described(vendor: str, kind: str) -> bool:
    """Whether some description here has the shape of this answer (see `UNDESCRIBED`)."""
    return not {f"{vendor} {kind}", vendor} & set(UNDESCRIBED)


def response_errors(vendor: str, kind: str, body: Any, *, strict: bool | None = None) -> list[str] | str:
    """The errors of one response body (or stream event) against the vendor's response schema
    `RESPONSE_SCHEMAS[vendor][kind]`: `[]` when valid, a str when the specs are not available."""
    module = _spec_module()
    if isinstance(module, str):
        return module
    closed = RESPONSE_STRICT.get(vendor, True) if strict is None else strict
    return _response_validator(vendor, kind, closed)(body)


def assert_response_valid(vendor: str, kind: str, body: Any, *, strict: bool | None = None) -> None:
    """Like `assert_spec_valid`, for what the vendor sends back (skipped, or failed under CI,
    without ../shared)."""
    errors = response_errors(vendor, kind, body, strict=strict)
    if isinstance(errors, str):
        return _not_run(vendor, errors)
    assert errors == [], (
        f"{vendor} {kind} response does not match the vendor spec:\n"
        + "\n".join(errors)
        + ("\n" + json.dumps(body, indent=1)[:3000])
    )


@functools.cache
def _response_validator(vendor: str, kind: str, strict: bool) -> Any:
    module = _spec_module()
    target = RESPONSE_SCHEMAS[vendor][kind]
    config = module.VENDORS[vendor]
    if config["kind"] == "openapi":
        errata = RESPONSE_ERRATA.get(vendor, ())
        return _openapi_response(module, SPECS / config["spec"], target, strict, errata)
    if config["kind"] == "proto":
        return _proto_response(module, vendor, target)
    return _botocore_response(module, target)


def _openapi_response(
    module: Any, spec_path: Path, target: str, strict: bool, errata: tuple[Erratum, ...]
) -> Any:
    """`validate.OpenAPIValidator`'s conversion and error reporting, rooted at a response schema.

    A union of events tagged by `type` (a stream's event schema) checks each event against its own
    member only: the same verdict as the whole union, without evaluating every member for it."""
    doc = module._DOC_CACHE.get(spec_path)
    if doc is None:
        doc = module._DOC_CACHE[spec_path] = module.load_document(spec_path)
    ref = target if target.startswith("#/") else f"#/components/schemas/{target}"
    converter = module.OpenAPIConverter(doc, strict=strict)
    root = converter.convert({"$ref": ref}, False)
    members = _tagged_members(converter, converter._lookup(ref))
    for name in members.values():
        converter.convert({"$ref": _COMPONENT + name}, False)
    converter.flush()
    for erratum in errata:
        _correct(converter, erratum)
    whole = _openapi_checker(module, root, converter)
    if not members:
        return whole
    by_tag = {tag: functools.cache(lambda name=name: _openapi_checker(module, {"$ref": f"#/$defs/{name}"}, converter))
              for tag, name in members.items()}  # fmt: skip

    def errors(body: Any) -> list[str]:
        tag = body.get("type") if isinstance(body, dict) else None
        member = by_tag.get(tag) if isinstance(tag, str) else None
        return member()(body) if member is not None else whole(body)

    return errors


def _openapi_checker(module: Any, root: dict[str, Any], converter: Any) -> Any:
    from jsonschema import Draft202012Validator

    checker = module.OpenAPIValidator.__new__(module.OpenAPIValidator)
    checker.schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **root,
        "$defs": converter.defs,
    }
    checker.validator = Draft202012Validator(checker.schema)
    checker.warnings = converter.warnings
    return checker.errors


def _tagged_members(converter: Any, schema: Any) -> dict[str, str]:
    """`{type value: member}` of a union of components tagged by `type`: its discriminator's mapping
    (which may name members its `oneOf` leaves out: Cohere's citation events), else each member's
    one `type` value as validate.py reads it; `{}` for anything else."""
    if not isinstance(schema, dict):
        return {}
    mapping = (schema.get("discriminator") or {}).get("mapping") or {}
    if (schema.get("discriminator") or {}).get("propertyName") == "type" and mapping:
        return {
            tag: ref.removeprefix(_COMPONENT) for tag, ref in mapping.items() if ref.startswith(_COMPONENT)
        }
    out: dict[str, str] = {}
    for branch in schema.get("oneOf") or schema.get("anyOf") or ():
        ref = branch.get("$ref", "") if isinstance(branch, dict) else ""
        tags = converter._prop_values(branch, "type") if ref.startswith(_COMPONENT) else None
        if not tags or len(tags) != 1 or tags[0] in out:
            return {}
        out[tags[0]] = ref.removeprefix(_COMPONENT)
    return out


_COMPONENT = "#/components/schemas/"


def _correct(converter: Any, erratum: Erratum) -> None:
    """Apply `erratum` to the converted schema of its component (closed and open variants), where
    the schema being built uses that component; `APPLIED_ERRATA` records that it applied."""
    defs = converter.defs
    name = erratum.schema
    if name.startswith("#/"):  # an inline schema: validate.py names it after its pointer
        name = "ptr_" + hashlib.sha1(name.encode()).hexdigest()[:12]
    present = [defs[n] for n in (name, name + "__open") if isinstance(defs.get(n), dict)]
    for step in filter(None, erratum.at.split(".")):
        present = [node["properties"][step.removesuffix("[]")] for node in present]
        present = [node["items"] if step.endswith("[]") else node for node in present]
    if not present:
        return
    applied = 0
    for node in present:
        for part in [node, *(m for m in node.get("allOf", ()) if isinstance(m, dict))]:
            properties = part.get("properties")
            if erratum.change == "optional" and erratum.field in part.get("required", ()):
                part["required"] = [r for r in part["required"] if r != erratum.field]
            elif not isinstance(properties, dict):
                continue
            elif erratum.change == "allowed" and erratum.field not in properties:
                properties[erratum.field] = converter.convert(erratum.value, False)
                converter.flush()
            elif erratum.change == "nullable" and erratum.field in properties:
                properties[erratum.field] = {"anyOf": [properties[erratum.field], {"type": "null"}]}
            elif erratum.change == "alternative" and erratum.field in properties:
                other = converter.convert(erratum.value, False)
                properties[erratum.field] = {"anyOf": [properties[erratum.field], other]}
            else:
                continue
            applied += 1
            break
    assert applied, f"erratum no longer applies (the spec changed?): {erratum}"
    APPLIED_ERRATA.add(erratum)


def _proto_response(module: Any, vendor: str, operation: str) -> Any:
    """`validate.ProtoValidator` (proto3 JSON parse, then REQUIRED fields) on the method's output message."""
    import copy

    from google.protobuf import message_factory

    request_side = module.get_validator(vendor, operation)
    checker = copy.copy(request_side)
    method = request_side.input.file.pool.FindMethodByName(module.VENDORS[vendor]["ops"][operation][1])
    checker.input = method.output_type
    checker.cls = message_factory.GetMessageClass(method.output_type)
    checker.path_fields = set()  # URL-bound fields are a request's business
    lagging = [spec.split(".") for spec in RESPONSE_PROTO_LAG.get(vendor, ())]

    def errors(body: Any) -> list[str]:
        body = copy.deepcopy(body)
        for path in lagging:
            _drop(body, path)
        return list(checker.errors(body))

    return errors


def _botocore_response(module: Any, shape: str) -> Any:
    """`validate.BotocoreValidator`'s shape walker from a response shape; for the stream union, a
    `(event_or_exception_name, payload)` pair is checked against that member's shape."""
    walker = module.get_validator("bedrock")
    members = walker.shapes[shape]["members"]

    def errors(body: Any) -> list[str]:
        found: list[str] = []
        if isinstance(body, tuple):
            name, payload = body
            if name not in members:
                return [f"$: {name!r} is not a member of {shape} ({', '.join(members)})"]
            if isinstance(payload, dict):
                payload = {k: v for k, v in payload.items() if k != BEDROCK_STREAM_PADDING}
            walker._check(payload, members[name]["shape"], f"$<{name}>", found)
        else:
            walker._check(body, shape, "$", found, top=True)
        return found

    return errors


def stream_events(raw: bytes, framing: str = "sse", *, chunks: bool = False) -> list[tuple[str, Any]]:
    """A stream body as (event name, parsed data) pairs: SSE `event:` and JSON `data:` (the data
    text itself where it is not JSON, such as `[DONE]`), or AWS event-stream frames as
    (`:event-type` or `:exception-type`, JSON payload); with `chunks`, an InvokeModel `chunk`
    frame's payload is the event its `bytes` carry."""
    if framing == "eventstream":
        import base64

        from wireai.wire.eventstream import EventStreamDecoder

        decoder = EventStreamDecoder()
        frames = decoder.feed(raw) + decoder.close()
        out_frames = [(m.event_type or m.exception_type or m.message_type, m.json()) for m in frames]
        if chunks:
            out_frames = [
                (name, json.loads(base64.b64decode(data["bytes"])) if name == "chunk" else data)
                for name, data in out_frames
            ]
        return out_frames
    from wireai.wire.sse import SSEDecoder

    sse = SSEDecoder()
    out: list[tuple[str, Any]] = []
    for event in sse.feed(raw) + sse.close():
        try:
            data: Any = json.loads(event.data)
        except ValueError:
            data = event.data
        out.append((event.event, data))
    return out


def stream_errors(
    vendor: str, kind: str, raw: bytes, *, strict: bool | None = None, framing: str | None = None
) -> list[str] | str:
    """Every event of a stream body against the vendor's stream-event schema: JSON data only (a
    `[DONE]` sentinel is framing), the SSE event name equal to the data's `type` where the vendor
    names events, and each Bedrock frame against its member of `ConverseStreamOutput`. A vendor's
    stream in AWS event-stream framing (`framing`: Claude over Bedrock's InvokeModel) is checked
    twice: each frame as a member of Bedrock's `ResponseStream`, each chunk's event as the vendor's."""
    module = _spec_module()
    if isinstance(module, str):
        return module
    if framing == "eventstream" and vendor != "bedrock":
        return _invoke_stream_errors(vendor, kind, raw, strict)
    framing = "eventstream" if vendor == "bedrock" else "sse"
    found: list[str] = []
    for n, (name, data) in enumerate(stream_events(raw, framing)):
        if framing == "eventstream":
            errors = response_errors(vendor, kind, (name, data), strict=strict)
        elif isinstance(data, str):
            errors = [] if data == "[DONE]" else [f"data is not JSON: {data[:80]!r}"]
        elif _is_error_event(vendor, kind, data):
            # an error reported inside the stream is the vendor's error body, not a stream event
            described = f"{vendor} error" not in UNDESCRIBED
            errors = response_errors(vendor, "error", data, strict=strict) if described else []
        else:
            event_kind = STREAM_EVENT_SCHEMA.get((vendor, kind, name), kind)
            errors = response_errors(vendor, event_kind, data, strict=strict)
            if name != "message" and isinstance(data, dict) and data.get("type") not in (None, name):
                errors = [*errors, f"SSE event {name!r} carries data of type {data.get('type')!r}"]
        assert not isinstance(errors, str)
        found += [f"event {n} ({name}): {e}" for e in errors]
    return found


def _invoke_stream_errors(vendor: str, kind: str, raw: bytes, strict: bool | None) -> list[str]:
    import base64

    found: list[str] = []
    for n, (name, payload) in enumerate(stream_events(raw, "eventstream")):
        found += [
            f"frame {n} ({name}): {e}"
            for e in response_errors("bedrock", "invoke-with-response-stream", (name, payload))
        ]
        if name == "chunk" and isinstance(payload, dict) and isinstance(payload.get("bytes"), str):
            event = json.loads(base64.b64decode(payload["bytes"]))
            found += [f"frame {n} chunk: {e}" for e in response_errors(vendor, kind, event, strict=strict)]
    return found


def _is_error_event(vendor: str, kind: str, data: Any) -> bool:
    """An error inside a stream: `{"error": ...}` (or Mistral's top-level `{"object": "error"}`)
    where the event union has no error member. OpenAI's Responses stream has one: its `error`
    event is checked as a stream event."""
    if not isinstance(data, dict) or kind == "responses-stream":
        return False
    return data.get("object") == "error" or ("error" in data and data.get("type") in (None, "error"))


def assert_stream_valid(vendor: str, kind: str, raw: bytes, *, strict: bool | None = None) -> None:
    errors = stream_errors(vendor, kind, raw, strict=strict)
    if isinstance(errors, str):
        return _not_run(vendor, errors)
    assert errors == [], f"{vendor} {kind} stream does not match the vendor spec:\n" + "\n".join(errors[:40])


class ToLoopback(httpx.AsyncHTTPTransport):
    """Sends every request to a loopback server instead, leaving the request as built: its URL (kept
    in `urls`), its `Host` header and anything signed over them (SigV4) are the real host's."""

    def __init__(self, server_url: str):
        super().__init__()
        self.target = httpx.URL(server_url)
        self.urls: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        request.url = request.url.copy_with(scheme="http", host=self.target.host, port=self.target.port)
        return await super().handle_async_request(request)


async def two_turns(
    model: Any,
    tools: list[Any],
    questions: tuple[str, str],
    *,
    settings: Any = None,
    stream_first: bool = False,
) -> tuple[Any, list[Any], Any]:
    """Two turns with native `tools`: the first answer (streamed or not), its events, the second
    answer, asked with the first in the history (the follow-up that sends the native items back)."""
    from wireai.messages import ModelRequest, UserPromptPart
    from wireai.models import ModelRequestParameters

    params = ModelRequestParameters(native_tools=tools)
    history: list[Any] = [ModelRequest([UserPromptPart(questions[0])])]
    events: list[Any] = []
    if stream_first:
        async with model.request_stream(history, settings, params) as stream:
            events = [event async for event in stream]
        first = stream.get()
    else:
        first = await model.request(history, settings, params)
    history += [first, ModelRequest([UserPromptPart(questions[1])])]
    return first, events, await model.request(history, settings, params)
