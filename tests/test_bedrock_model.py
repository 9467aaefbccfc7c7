"""BedrockConverseModel and BedrockProvider construction: PydanticAI's spellings, region and credential
resolution order, duck-typed boto clients, bearer API keys, lazy imports."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from types import SimpleNamespace
from typing import Any

import botocore.session
import httpx
import pytest
from botocore.credentials import Credentials

from wireai.exceptions import UserError
from wireai.messages import ModelRequest, UserPromptPart
from wireai.models import ModelRequestParameters, infer_model
from wireai.models.bedrock import BedrockConverseModel, bedrock_model_profile
from wireai.providers.bedrock import BedrockProvider
from wireai.testing.server import LoopbackServer, Reply
from wireai.transport.sigv4 import BearerAuth, SigV4Auth

OK = {
    "output": {"message": {"role": "assistant", "content": [{"text": "hi"}]}},
    "stopReason": "end_turn",
    "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
    "metrics": {"latencyMs": 1},
}
AWS_ENV = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_BEARER_TOKEN_BEDROCK",
)


@pytest.fixture(autouse=True)
def clean_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in AWS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_seed_examples_construct(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "your-access-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "your-secret-key")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    model = infer_model("bedrock:anthropic.claude-3-sonnet-20240229-v1:0")
    assert isinstance(model, BedrockConverseModel)
    assert (model.model_name, model.system, model.base_url) == (
        "anthropic.claude-3-sonnet-20240229-v1:0",
        "bedrock",
        "https://bedrock-runtime.us-east-1.amazonaws.com",
    )
    direct = BedrockConverseModel(
        "anthropic.claude-3-sonnet-20240229-v1:0",
        provider=BedrockProvider(
            region_name="eu-central-1", aws_access_key_id="k", aws_secret_access_key="s"
        ),
    )
    assert direct.base_url == "https://bedrock-runtime.eu-central-1.amazonaws.com"
    assert isinstance(direct.provider.auth, SigV4Auth)


def test_a_botocore_client_lends_its_region_endpoint_and_credentials() -> None:
    client = botocore.session.Session().create_client(
        "bedrock-runtime",
        region_name="ap-southeast-2",
        aws_access_key_id="AKIDCLIENT",
        aws_secret_access_key="s",
    )
    provider = BedrockProvider(bedrock_client=client)
    assert provider.region_name == "ap-southeast-2"
    assert provider.base_url == "https://bedrock-runtime.ap-southeast-2.amazonaws.com"
    assert provider.auth.credentials().access_key == "AKIDCLIENT"  # type: ignore[attr-defined]


def test_a_duck_typed_client_needs_only_meta_and_a_signer() -> None:
    fake = SimpleNamespace(
        meta=SimpleNamespace(
            region_name="us-west-2",
            endpoint_url="https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com",
        ),
        _request_signer=SimpleNamespace(_credentials=Credentials("AKIDDUCK", "s")),
    )
    provider = BedrockProvider(bedrock_client=fake)
    assert provider.base_url == "https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com"
    assert provider.region_name == "us-west-2"


def test_region_order_argument_then_aws_region_then_default_then_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    keys = {"aws_access_key_id": "k", "aws_secret_access_key": "s"}
    (tmp_path / "config").write_text("[default]\nregion = sa-east-1\n[profile work]\nregion = ca-central-1\n")
    assert BedrockProvider(**keys).region_name == "sa-east-1"
    assert BedrockProvider(profile_name="work", **keys).region_name == "ca-central-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    assert BedrockProvider(**keys).region_name == "eu-west-3"
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    assert BedrockProvider(**keys).region_name == "eu-north-1"
    assert BedrockProvider(region_name="us-east-2", **keys).region_name == "us-east-2"


def test_no_region_is_a_user_error_naming_the_settings() -> None:
    with pytest.raises(UserError, match="AWS_REGION"):
        BedrockProvider(aws_access_key_id="k", aws_secret_access_key="s")


def test_half_a_key_pair_is_a_user_error() -> None:
    with pytest.raises(UserError, match="both"):
        BedrockProvider(region_name="us-east-1", aws_access_key_id="k")


def test_bearer_api_key_from_argument_or_env_is_sent_without_signing(monkeypatch: pytest.MonkeyPatch) -> None:
    with LoopbackServer(lambda request: Reply.json(OK)) as server:
        model = BedrockConverseModel("amazon.nova-pro-v1:0", api_key="bedrock-key", base_url=server.url)
        asyncio.run(model.request([ModelRequest([UserPromptPart("hi")])], None, ModelRequestParameters()))
        monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "env-key")
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        provider = BedrockProvider(base_url=server.url)
        assert isinstance(provider.auth, BearerAuth)
        asyncio.run(
            BedrockConverseModel("amazon.nova-pro-v1:0", provider=provider).request(
                [ModelRequest([UserPromptPart("hi")])], None, ModelRequestParameters()
            )
        )
    assert [r.headers["authorization"] for r in server.requests] == ["Bearer bedrock-key", "Bearer env-key"]
    assert server.requests[0].path == "/model/amazon.nova-pro-v1%3A0/converse"
    assert "x-amz-date" not in server.requests[0].headers
    assert "bedrock-key" not in repr(model.provider)


def test_explicit_keys_win_over_the_env_bearer_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "env-key")
    provider = BedrockProvider(
        region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="secret-value"
    )
    assert isinstance(provider.auth, SigV4Auth)
    assert "secret-value" not in repr(provider)


def test_no_credentials_anywhere_is_a_user_error_at_first_request() -> None:
    provider = BedrockProvider(region_name="us-east-1", base_url="http://127.0.0.1:9")
    model = BedrockConverseModel("amazon.nova-pro-v1:0", provider=provider)
    with pytest.raises(UserError, match="No AWS credentials"):
        asyncio.run(model.request([ModelRequest([UserPromptPart("hi")])], None, ModelRequestParameters()))


def test_http_client_and_settings_are_used() -> None:
    with LoopbackServer(lambda request: Reply.json(OK)) as server:

        async def main() -> None:
            async with httpx.AsyncClient(headers={"x-mine": "1"}) as client:
                provider = BedrockProvider(
                    region_name="us-east-1",
                    aws_access_key_id="k",
                    aws_secret_access_key="s",
                    base_url=server.url,
                    http_client=client,
                )
                model = BedrockConverseModel(
                    "amazon.nova-pro-v1:0", provider=provider, settings={"max_tokens": 7}
                )
                await model.request(
                    [ModelRequest([UserPromptPart("hi")])], {"temperature": 0.5}, ModelRequestParameters()
                )

        asyncio.run(main())
    assert server.requests[0].headers["x-mine"] == "1"
    assert server.requests[0].json()["inferenceConfig"] == {"maxTokens": 7, "temperature": 0.5}


def test_api_key_beside_a_provider_instance_is_rejected() -> None:
    provider = BedrockProvider(region_name="us-east-1", api_key="x")
    with pytest.raises(UserError):
        BedrockConverseModel("m", provider=provider, api_key="y")


def test_profiles_turn_tool_choice_off_for_families_that_reject_it() -> None:
    assert (
        bedrock_model_profile("us.meta.llama3-3-70b-instruct-v1:0").extra["bedrock_supports_tool_choice"]
        is False
    )
    assert (
        bedrock_model_profile("us.anthropic.claude-sonnet-4-5-20250929-v1:0").supports_json_schema_output
        is True
    )
    assert (
        bedrock_model_profile("anthropic.claude-3-sonnet-20240229-v1:0").extra["bedrock_supports_tool_choice"]
        is True
    )


def test_import_wireai_does_not_import_bedrock_or_botocore() -> None:
    code = "import sys, wireai; print(any(m.startswith(('botocore', 'wireai.models.bedrock', 'wireai.codecs.bedrock')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bearer_path_does_not_import_botocore() -> None:
    code = (
        "import sys; from wireai.models.bedrock import BedrockConverseModel;"
        "BedrockConverseModel('amazon.nova-pro-v1:0', api_key='k', base_url='http://x');"
        "print(any(m.startswith('botocore') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_botocore_is_a_user_error_naming_the_extra() -> None:
    code = (
        "import sys; sys.modules['botocore'] = None\n"
        "from wireai.providers.bedrock import BedrockProvider\n"
        "try:\n    BedrockProvider(region_name='us-east-1', aws_access_key_id='k', aws_secret_access_key='s')\n"
        "except Exception as e:\n    print(type(e).__name__, e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("UserError") and "wireai[bedrock]" in out.stdout
