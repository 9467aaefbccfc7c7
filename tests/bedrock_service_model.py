"""Request bodies checked against the `bedrock-runtime` service model that ships inside botocore.

This is the model boto3 itself validates with (`ParamValidator`), so a body that passes here is one
boto3 would send: unknown fields, wrong types and missing required members are caught even when
`../shared/protocol-specs` is absent. Test-only: the product never imports botocore for this.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import unquote

import botocore.session
import botocore.validate


@functools.cache
def _input_shape(operation: str) -> Any:
    model = botocore.session.get_session().get_service_model("bedrock-runtime")
    return model.operation_model(operation).input_shape


def assert_botocore_valid(
    body: dict[str, Any], *, model_id: str = "m", stream: bool = False, operation: str | None = None
) -> None:
    """`body` plus its URI member `modelId` is valid input for Converse / ConverseStream (or `operation`,
    e.g. `CountTokens`)."""
    assert "modelId" not in body, "modelId is a URI member: it must not be in the body"
    params = {**body, "modelId": unquote(model_id)}
    report = botocore.validate.ParamValidator().validate(
        params, _input_shape(operation or ("ConverseStream" if stream else "Converse"))
    )
    assert not report.has_errors(), report.generate_report()
