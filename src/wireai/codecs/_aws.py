"""What the codecs of APIs served by Bedrock Runtime share: model ids in paths, and stream exceptions.

Bedrock's own Converse API (`codecs.bedrock`) and Claude's Messages API over Bedrock's InvokeModel
(`codecs.anthropic`, Bedrock variant) address a model the same way and stream in the same AWS
event-stream framing, whose `exception` messages mean the same HTTP errors.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from ..exceptions import ModelHTTPError
from ..wire.eventstream import EventStreamMessage

__all__ = ["GEO_PREFIXES", "STREAM_EXCEPTION_STATUS", "foundation_model_id", "model_segment", "stream_error"]

GEO_PREFIXES = ("us", "eu", "apac", "jp", "au", "ca", "global", "us-gov")
"""The region prefixes of cross-region inference profile ids (`us.anthropic.claude-...`)."""

# HTTP status for each exception a Bedrock stream can report mid-stream (the statuses the service
# model gives these exceptions when they are returned before the stream opens).
STREAM_EXCEPTION_STATUS: dict[str, int] = {
    "throttlingException": 429,
    "serviceUnavailableException": 503,
    "validationException": 400,
    "internalServerException": 500,
    "modelStreamErrorException": 424,
    "modelTimeoutException": 408,  # InvokeModelWithResponseStream only
}


def model_segment(model_id: str) -> str:
    """A model id as one path segment, fully percent-encoded (`:` of versions, `/` of ARNs)."""
    return quote(model_id, safe="")


def foundation_model_id(model_id: str) -> str:
    """A cross-region inference profile id without its region prefix: CountTokens names a foundation
    model (`FoundationModelVersionIdentifier`), and `us.anthropic.claude-...` is not one."""
    head, dot, rest = model_id.partition(".")
    return rest if dot and head in GEO_PREFIXES and "." in rest else model_id


def stream_error(message: EventStreamMessage, model_name: str) -> ModelHTTPError:
    """An `exception` (or unmodelled `error`) message as the `ModelHTTPError` its HTTP twin would be."""
    if message.message_type == "error":
        code = message.headers.get(":error-code")
        body: Any = {"code": code, "message": message.headers.get(":error-message")}
        return ModelHTTPError(500, model_name, body, {"x-amzn-ErrorType": str(code)})
    exception_type = message.exception_type or "unknownException"
    try:
        body = json.loads(message.payload) if message.payload else {}
    except ValueError:
        body = message.payload.decode("utf-8", errors="replace")
    status = STREAM_EXCEPTION_STATUS.get(exception_type, 500)
    if exception_type == "modelStreamErrorException" and isinstance(body, dict):
        original = body.get("originalStatusCode")
        if isinstance(original, int) and 400 <= original < 600:
            status = original  # e.g. the model's own 429/529, which the agent may then fall back on
    return ModelHTTPError(status, model_name, body, {"x-amzn-ErrorType": exception_type})
