"""SigV4 signing over httpx: botocore's reference signature, session tokens, refreshing credentials, bearer keys."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any
from unittest import mock

import botocore.auth
import botocore.session
import httpx
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, RefreshableCredentials

from wireai.exceptions import UserError
from wireai.transport.sigv4 import BearerAuth, SigV4Auth

FIXED = datetime.datetime(2015, 8, 30, 12, 36, 0)
KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


@pytest.fixture
def frozen_time() -> Iterator[None]:
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=FIXED):
        yield


def signed(auth: httpx.Auth, request: httpx.Request) -> httpx.Request:
    flow = auth.sync_auth_flow(request)
    out = next(flow)
    return out


def test_aws_test_suite_get_vanilla_signature(frozen_time: None) -> None:
    # aws-sig-v4-test-suite/get-vanilla: the published expected signature.
    auth = SigV4Auth(Credentials(KEY, SECRET), "us-east-1", service="service")
    request = signed(auth, httpx.Request("GET", "https://example.amazonaws.com/"))
    assert request.headers["x-amz-date"] == "20150830T123600Z"
    assert request.headers["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    )


def test_converse_request_signature_equals_botocores_reference(frozen_time: None) -> None:
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse"
    body = json.dumps({"messages": [{"role": "user", "content": [{"text": "hi"}]}]}).encode()
    auth = SigV4Auth(Credentials(KEY, SECRET), "us-east-1")
    request = signed(
        auth,
        httpx.Request(
            "POST", url, content=body, headers={"content-type": "application/json", "user-agent": "x"}
        ),
    )

    reference = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={"host": "bedrock-runtime.us-east-1.amazonaws.com", "content-type": "application/json"},
    )
    botocore.auth.SigV4Auth(Credentials(KEY, SECRET), "bedrock", "us-east-1").add_auth(reference)
    assert request.headers["authorization"] == reference.headers["Authorization"]
    assert "SignedHeaders=content-type;host;x-amz-date," in request.headers["authorization"]
    assert "/us-east-1/bedrock/aws4_request" in request.headers["authorization"]


def test_session_token_is_sent_and_signed(frozen_time: None) -> None:
    auth = SigV4Auth(Credentials(KEY, SECRET, "SESSION-TOKEN"), "eu-west-1")
    request = signed(
        auth, httpx.Request("POST", "https://bedrock-runtime.eu-west-1.amazonaws.com/x", content=b"{}")
    )
    assert request.headers["x-amz-security-token"] == "SESSION-TOKEN"
    assert "x-amz-security-token" in request.headers["authorization"]


def test_expiring_credentials_are_refreshed_between_requests() -> None:
    issued: list[str] = []

    def refresh() -> dict[str, Any]:
        key = f"AKIDROTATED{len(issued)}"
        issued.append(key)
        expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
            seconds=30
        )  # inside refresh window
        return {
            "access_key": key,
            "secret_key": "s",
            "token": f"tok{len(issued)}",
            "expiry_time": expiry.isoformat(),
        }

    creds = RefreshableCredentials.create_from_metadata(refresh(), refresh, "test")
    auth = SigV4Auth(creds, "us-east-1")
    first = signed(auth, httpx.Request("POST", "https://h.example/x", content=b"{}"))
    second = signed(auth, httpx.Request("POST", "https://h.example/x", content=b"{}"))
    assert len(issued) >= 3  # initial + a refresh per request, since each expires within botocore's window
    keys = [r.headers["authorization"].split("Credential=")[1].split("/")[0] for r in (first, second)]
    assert keys[0] != keys[1] and all(k.startswith("AKIDROTATED") for k in keys)
    assert second.headers["x-amz-security-token"] != first.headers["x-amz-security-token"]


def test_credential_chain_is_resolved_lazily_and_missing_credentials_are_a_user_error() -> None:
    calls: list[int] = []

    def chain() -> Any:
        calls.append(1)
        return None

    auth = SigV4Auth(chain, "us-east-1")
    assert calls == []
    with pytest.raises(UserError, match="AWS_ACCESS_KEY_ID"):
        signed(auth, httpx.Request("POST", "https://h.example/x", content=b"{}"))


def test_env_credentials_via_botocore_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    from wireai.transport.sigv4 import session_credentials

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "envtoken")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    auth = SigV4Auth(session_credentials, "us-east-1")
    request = signed(auth, httpx.Request("POST", "https://h.example/x", content=b"{}"))
    assert "Credential=AKIDENV/" in request.headers["authorization"]
    assert request.headers["x-amz-security-token"] == "envtoken"


def test_bearer_auth_sets_the_header_and_hides_the_key() -> None:
    auth = BearerAuth("bedrock-api-key-123")
    request = signed(auth, httpx.Request("POST", "https://h.example/x"))
    assert request.headers["authorization"] == "Bearer bedrock-api-key-123"
    assert "bedrock-api-key-123" not in repr(auth)


def test_our_url_for_a_model_id_is_the_one_botocore_builds() -> None:
    """The model id is a URI member: botocore percent-encodes `:` and `/` (ARNs); so do we."""
    from wireai.codecs.bedrock import request_path

    session = botocore.session.Session()
    client = session.create_client(
        "bedrock-runtime", region_name="us-east-1", aws_access_key_id=KEY, aws_secret_access_key=SECRET
    )
    seen: list[str] = []

    def capture(request: Any, **kwargs: Any) -> Any:
        seen.append(request.url)
        raise _Stop

    client.meta.events.register("before-send", capture)
    ids = [
        "anthropic.claude-3-sonnet-20240229-v1:0",
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0",
    ]
    for model_id in ids:
        with pytest.raises(_Stop):
            client.converse(modelId=model_id, messages=[{"role": "user", "content": [{"text": "hi"}]}])
        with pytest.raises(_Stop):
            client.converse_stream(modelId=model_id, messages=[{"role": "user", "content": [{"text": "hi"}]}])
    expected = []
    for model_id in ids:
        expected.append(
            "https://bedrock-runtime.us-east-1.amazonaws.com/" + request_path(model_id, stream=False)
        )
        expected.append(
            "https://bedrock-runtime.us-east-1.amazonaws.com/" + request_path(model_id, stream=True)
        )
    assert seen == expected


class _Stop(Exception):
    pass
