"""Vertex AI: a fake service account (locally generated RSA key) whose `token_uri` is a loopback
token endpoint proves when tokens are fetched, reused and refreshed, and the URL forms."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from support import assert_protocol_valid, assert_spec_valid
from wireai.exceptions import UserError
from wireai.messages import ModelRequest, TextPart, UserPromptPart
from wireai.models import ModelRequestParameters
from wireai.models.gemini import GeminiModel
from wireai.providers.google_vertex import GoogleVertexProvider
from wireai.testing.fixtures import ReplayServer, load_case
from wireai.testing.server import LoopbackServer, RecordedRequest, Reply

PARAMS = ModelRequestParameters()
HELLO = [ModelRequest([UserPromptPart("Hello")])]


@pytest.fixture(scope="module")
def private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


class TokenEndpoint(LoopbackServer):
    """OAuth2 JWT-bearer token endpoint: `tok-1`, `tok-2`, ... with the scripted lifetimes."""

    def __init__(self, lifetimes: list[int] | None = None, delay: float = 0.0):
        self.lifetimes = lifetimes or [3600]
        self.delay = delay
        self.lock = threading.Lock()
        super().__init__(self.answer)

    def answer(self, request: RecordedRequest) -> Reply:
        with self.lock:
            n = len(self.requests)
        lifetime = self.lifetimes[min(n - 1, len(self.lifetimes) - 1)]
        reply = Reply.json({"access_token": f"tok-{n}", "expires_in": lifetime, "token_type": "Bearer"})
        reply.delay = self.delay
        return reply


def service_account(key: str, token_uri: str, project: str = "test-project") -> dict[str, Any]:
    return {
        "type": "service_account",
        "project_id": project,
        "private_key_id": "key-1",
        "private_key": key,
        "client_email": "wireai-test@test-project.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": token_uri,
    }


def vertex_model(server: LoopbackServer, info: dict[str, Any]) -> GeminiModel:
    base = server.url + "/v1/projects/test-project/locations/us-central1/publishers/google"
    return GeminiModel(
        "gemini-2.0-flash",
        provider=GoogleVertexProvider(service_account_info=info, project_id="test-project", base_url=base),
    )


def ok_reply(request: RecordedRequest) -> Reply:
    return Reply.json(
        {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": request.headers["authorization"]}]},
                    "finishReason": "STOP",
                }
            ]
        }
    )


def test_replay_text_with_labels_and_bearer_token(private_key_pem: str) -> None:
    with TokenEndpoint() as tokens, ReplayServer(load_case("vertex", "text")) as server:
        model = vertex_model(server, service_account(private_key_pem, tokens.url + "/token"))
        response = asyncio.run(model.request(HELLO, {"gemini_labels": {"team": "research"}}, PARAMS))
        server.assert_requests_match()
        body = server.requests[0].json()
    assert_protocol_valid("gemini", body)
    assert_spec_valid("vertex", body)
    assert response.parts == [TextPart("Hi there!")]
    assert response.provider_name == "google-vertex"
    assert response.model_name == "gemini-2.0-flash-001"
    # The token request is a JWT-bearer grant signed with our key.
    assert b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer" in tokens.requests[0].body


def test_replay_stream(private_key_pem: str) -> None:
    with TokenEndpoint() as tokens, ReplayServer(load_case("vertex", "stream")) as server:
        model = vertex_model(server, service_account(private_key_pem, tokens.url + "/token"))

        async def main() -> Any:
            async with model.request_stream(HELLO, None, PARAMS) as stream:
                async for _ in stream:
                    pass
            return stream.get()

        response = asyncio.run(main())
        server.assert_requests_match()
        assert_spec_valid("vertex", server.requests[0].json(), "streamGenerateContent")
    assert response.parts == [TextPart("Hi there!")]
    assert response.usage.input_tokens == 2 and response.usage.output_tokens == 3


def test_token_fetched_once_and_reused(private_key_pem: str) -> None:
    with TokenEndpoint() as tokens, LoopbackServer(ok_reply) as server:
        model = vertex_model(server, service_account(private_key_pem, tokens.url + "/token"))

        async def main() -> list[str | None]:
            return [(await model.request(HELLO, None, PARAMS)).text for _ in range(3)]

        texts = asyncio.run(main())
    assert texts == ["Bearer tok-1"] * 3
    assert len(tokens.requests) == 1


def test_token_refreshed_when_expired(private_key_pem: str) -> None:
    # 60 s is inside google-auth's refresh margin: that token counts as expired at once.
    with TokenEndpoint([60, 3600]) as tokens, LoopbackServer(ok_reply) as server:
        model = vertex_model(server, service_account(private_key_pem, tokens.url + "/token"))

        async def main() -> list[str | None]:
            return [(await model.request(HELLO, None, PARAMS)).text for _ in range(3)]

        texts = asyncio.run(main())
    assert texts == ["Bearer tok-1", "Bearer tok-2", "Bearer tok-2"]
    assert len(tokens.requests) == 2


def test_concurrent_requests_share_one_refresh(private_key_pem: str) -> None:
    with TokenEndpoint(delay=0.2) as tokens, LoopbackServer(ok_reply) as server:
        model = vertex_model(server, service_account(private_key_pem, tokens.url + "/token"))

        async def main() -> list[str | None]:
            responses = await asyncio.gather(*(model.request(HELLO, None, PARAMS) for _ in range(20)))
            return [r.text for r in responses]

        texts = asyncio.run(main())
    assert texts == ["Bearer tok-1"] * 20
    assert len(tokens.requests) == 1


def test_401_refreshes_once_and_retries(private_key_pem: str) -> None:
    with TokenEndpoint() as tokens, ReplayServer(load_case("vertex", "unauthorized")) as server:
        model = vertex_model(server, service_account(private_key_pem, tokens.url + "/token"))
        response = asyncio.run(model.request(HELLO, None, PARAMS))
        server.assert_requests_match()
    assert response.text == "Hi!"
    assert len(tokens.requests) == 2


def test_project_id_conflict_is_a_user_error(private_key_pem: str, tmp_path: Path) -> None:
    info = service_account(private_key_pem, "http://127.0.0.1:9/token", project="from-credentials")
    with pytest.raises(UserError, match="conflicts"):
        GoogleVertexProvider(service_account_info=info, project_id="other")
    # From a file it is found at the first request (construction reads nothing).
    path = tmp_path / "sa.json"
    path.write_text(json.dumps(info))
    provider = GoogleVertexProvider(service_account_file=str(path), project_id="other")
    model = GeminiModel("gemini-2.0-flash", provider=provider)
    with pytest.raises(UserError, match="conflicts"):
        asyncio.run(model.request(HELLO, None, PARAMS))


def test_adc_runs_lazily_and_fills_the_project_into_the_url(
    private_key_pem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "missing.json"
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(missing))
    provider = GoogleVertexProvider(region="europe-west4")  # nothing read yet: the file does not even exist
    assert "__wireai_adc_project__" in provider.base_url
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"candidates": [{"content": {"parts": [{"text": "ok"}]}, "finishReason": "STOP"}]}
        )

    with TokenEndpoint() as tokens:
        missing.write_text(
            json.dumps(service_account(private_key_pem, tokens.url + "/token", project="adc-project"))
        )
        provider._http_client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        model = GeminiModel("gemini-2.0-flash", provider=provider)
        assert asyncio.run(model.request(HELLO, None, PARAMS)).text == "ok"
    assert str(seen[0].url) == (
        "https://europe-west4-aiplatform.googleapis.com/v1/projects/adc-project/locations/europe-west4"
        "/publishers/google/models/gemini-2.0-flash:generateContent"
    )
    assert seen[0].headers["authorization"] == "Bearer tok-1"
    assert provider.project_id == "adc-project"


def test_region_and_global_url_forms(private_key_pem: str) -> None:
    info = service_account(private_key_pem, "http://127.0.0.1:9/token", project="p1")
    regional = GoogleVertexProvider(service_account_info=info, region="asia-east1")
    assert regional.base_url == (
        "https://asia-east1-aiplatform.googleapis.com/v1/projects/p1/locations/asia-east1/publishers/google"
    )
    world = GoogleVertexProvider(service_account_info=info, region="global", model_publisher="anthropic")
    assert (
        world.base_url
        == "https://aiplatform.googleapis.com/v1/projects/p1/locations/global/publishers/anthropic"
    )
    model = GeminiModel("gemini-2.5-pro", provider=world)
    wire = model.build_request(HELLO, None, PARAMS, stream=True)
    assert wire.query == {"alt": "sse"}
    assert model.provider.endpoint(wire.path, model.model_name).url == (
        "https://aiplatform.googleapis.com/v1/projects/p1/locations/global/publishers/anthropic"
        "/models/gemini-2.5-pro:streamGenerateContent"
    )
    assert "private" not in repr(world)


def test_missing_google_auth_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from wireai.transport.google_auth import import_google_auth

    monkeypatch.setitem(sys.modules, "google.auth", None)
    with pytest.raises(UserError, match=r"wireai\[vertexai\]"):
        import_google_auth()


def test_vertex_by_name_does_no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    from wireai.models import infer_model

    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/creds.json")
    model = infer_model("google-vertex:gemini-2.0-flash")
    assert isinstance(model, GeminiModel) and model.system == "google-vertex"
    with pytest.raises(UserError, match="api_key"):
        GeminiModel("gemini-2.0-flash", provider="google-vertex", api_key="k")
