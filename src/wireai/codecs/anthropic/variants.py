"""Where Claude is served decides the request's envelope, never its content: the variants, as data.

The Anthropic API (and Azure AI Foundry, whose `{resource}.services.ai.azure.com/anthropic` takes the
same requests) is `POST v1/messages` with the model and `stream` in the body and the protocol
version and betas in headers. The clouds that serve Claude take the same Messages body in another
envelope (Anthropic's "Claude on Amazon Bedrock" and "Claude on Vertex AI" references, and their
SDKs' clients):

- Amazon Bedrock, InvokeModel: `POST model/{modelId}/invoke`, or `invoke-with-response-stream`
  answering in AWS event-stream framing (`accept: application/vnd.amazon.eventstream`), one `chunk`
  event per Anthropic stream event (its `bytes` the event's JSON, base64). The body has no `model` and no `stream`, says
  `anthropic_version: "bedrock-2023-05-31"` and lists its betas as `anthropic_beta`. Bedrock's own
  service tiers are the `X-Amzn-Bedrock-Service-Tier` header; Anthropic's are not taken. Token
  counting is Bedrock's CountTokens (`model/{foundationModelId}/count-tokens`, the InvokeModel body
  base64 in `input.invokeModel.body`).
- Vertex AI: `POST models/{model}:rawPredict` or `:streamRawPredict` (relative to
  `.../locations/{region}/publishers/anthropic`; SSE as Anthropic's), the model out of the body,
  `stream` kept, `anthropic_version: "vertex-2023-10-16"`, betas still as the header; token
  counting is `models/count-tokens:rawPredict`, whose body keeps the model.

Neither cloud takes automatic (top-level) prompt caching, so `anthropic_cache` marks the last block
instead, nor fetches file URLs itself, nor runs Anthropic's server tools other than those listed
(the memory tool is client-run; Vertex adds web search). A model's profile names its variant
(`extra['anthropic_variant']`), which its provider sets; without one it is the Anthropic API.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ...exceptions import UserError
from ...profiles import DEFAULT_PROFILE, ModelProfile
from ...wire.eventstream import EventStreamDecoder
from ...wire.sse import SSEDecoder
from .._aws import foundation_model_id, model_segment
from .._base import Framing, WireRequest, json_bytes

__all__ = ["VARIANTS", "Variant", "count_tokens_envelope", "envelope", "variant_of"]


@dataclass(frozen=True)
class Variant:
    """One platform's envelope around the Messages body."""

    name: str
    label: str
    """How errors name the platform."""
    path: str
    """The operation's path for a JSON answer; `{model}` is the model id (percent-encoded where `quote_model`)."""
    stream_path: str
    count_tokens_path: str
    version: str | None = None
    """`anthropic_version` in the body; None: the `anthropic-version` header (the Anthropic API)."""
    quote_model: bool = False
    stream_in_body: bool = True
    betas_in_body: bool = False
    """The `anthropic-beta` header's betas go in the body as the `anthropic_beta` list."""
    counts_invoke_body: bool = False
    """Token counting takes the whole request body, base64, in `input.invokeModel.body` (Bedrock's CountTokens)."""
    automatic_caching: bool = True
    fetches_urls: bool = True
    """The platform fetches `url` image and document sources itself (else wireai sends the bytes)."""
    native_tools: tuple[str, ...] = ("web_search", "web_fetch", "code_execution", "mcp_server", "memory")
    service_tier: Literal["anthropic", "bedrock_header"] = "anthropic"
    framing: type[Framing] = SSEDecoder
    accept: tuple[str, str] | None = None
    """The `accept` header of a JSON and of a streamed request, where the platform wants one."""

    @property
    def model_in_body(self) -> bool:
        return "{model}" not in self.path

    def operation_path(self, template: str, model: str) -> str:
        return template.format(model=model_segment(model) if self.quote_model else model)


ANTHROPIC = Variant(
    "anthropic", "the Anthropic API", "v1/messages", "v1/messages", "v1/messages/count_tokens"
)
VARIANTS: dict[str, Variant] = {
    "anthropic": ANTHROPIC,
    "bedrock": Variant(
        "bedrock",
        "Claude on Amazon Bedrock",
        "model/{model}/invoke",
        "model/{model}/invoke-with-response-stream",
        "model/{model}/count-tokens",
        version="bedrock-2023-05-31",
        quote_model=True,
        stream_in_body=False,
        betas_in_body=True,
        counts_invoke_body=True,
        automatic_caching=False,
        fetches_urls=False,
        native_tools=("memory",),
        service_tier="bedrock_header",
        framing=EventStreamDecoder,
        accept=("application/json", EventStreamDecoder.media_type),
    ),
    "vertex": Variant(
        "vertex",
        "Claude on Vertex AI",
        "models/{model}:rawPredict",
        "models/{model}:streamRawPredict",
        "models/count-tokens:rawPredict",
        version="vertex-2023-10-16",
        automatic_caching=False,
        fetches_urls=False,
        native_tools=("web_search", "memory"),
    ),
}


def variant_of(profile: ModelProfile | Mapping[str, Any] | None) -> Variant:
    """The variant a profile (or its `extra`) names; an unknown name is a `UserError`."""
    extra = profile.extra if isinstance(profile, ModelProfile) else (profile or DEFAULT_PROFILE.extra)
    name = extra.get("anthropic_variant") or "anthropic"
    try:
        return VARIANTS[name]
    except KeyError:
        raise UserError(
            f"Unknown anthropic_variant {name!r} in the model profile; known: {', '.join(VARIANTS)}"
        ) from None


def envelope(request: WireRequest, variant: Variant, *, model: str, stream: bool) -> WireRequest:
    """A first-party Messages request (model and `stream` in the body, version and betas as headers)
    in the platform's envelope."""
    request.path = variant.operation_path(variant.stream_path if stream else variant.path, model)
    if variant.accept is not None:
        request.headers["accept"] = variant.accept[1] if stream else variant.accept[0]
    if variant.version is None:
        return request
    body = request.body or {}
    request.headers.pop("anthropic-version", None)
    if not variant.model_in_body:
        body.pop("model", None)
    if not variant.stream_in_body:
        body.pop("stream", None)
    request.body = {"anthropic_version": variant.version, **body}
    betas = request.headers.pop("anthropic-beta", None) if variant.betas_in_body else None
    if betas:
        request.body["anthropic_beta"] = betas.split(",")
    return request


def count_tokens_envelope(
    request: WireRequest, counted: tuple[str, ...], variant: Variant, *, model: str
) -> WireRequest:
    """The token count of a first-party Messages `request` (a JSON-answer one) in the platform's
    envelope: its `counted` fields, or (Bedrock's CountTokens) the whole InvokeModel body, base64."""
    if variant.counts_invoke_body:
        invoke = envelope(request, variant, model=model, stream=False)
        raw = json_bytes(invoke.body)
        body: dict[str, Any] = {"input": {"invokeModel": {"body": base64.b64encode(raw).decode("ascii")}}}
        path = variant.operation_path(variant.count_tokens_path, foundation_model_id(model))
        return WireRequest("POST", path, body, {"content-type": "application/json"})
    given = request.body or {}
    body = {key: given[key] for key in counted if key in given}
    headers = request.headers
    if variant.version is not None:
        headers = {name: value for name, value in headers.items() if name != "anthropic-version"}
        body = {"anthropic_version": variant.version, **body}
    return WireRequest("POST", variant.operation_path(variant.count_tokens_path, model), body, headers)
