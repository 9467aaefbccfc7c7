"""URLs a vendor cannot fetch itself are downloaded by wireai and sent inline (as PydanticAI does);
URLs it can fetch travel as URLs. The caller's history is never edited; a bad URL is a UserError.

The files are served from loopback, which downloads refuse by default (test_download_safety.py):
these tests opt in with WIREAI_ALLOW_LOCAL_DOWNLOADS=1, or per URL with force_download='allow-local'.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from wireai import UserError
from wireai.messages import AudioUrl, DocumentUrl, ImageUrl, ModelRequest, UserPromptPart
from wireai.models import ModelRequestParameters
from wireai.testing import FakeAnthropic, FakeBedrock, FakeGemini, FakeOpenAI, FakeVendor
from wireai.testing.server import LoopbackServer, RecordedRequest, Reply


@pytest.fixture(autouse=True)
def local_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIREAI_ALLOW_LOCAL_DOWNLOADS", "1")


PDF = b"%PDF-1.4 tiny"
MP3 = b"ID3\x03fake mp3"
PNG = b"\x89PNG\r\n\x1a\nfake"
TEXT = b"plain notes"


def files(request: RecordedRequest) -> Reply:
    served = {
        "/doc.pdf": (PDF, "application/pdf"),
        "/clip.mp3": (MP3, "audio/mpeg"),
        "/img.png": (PNG, "application/octet-stream"),  # a server that only says "bytes"
        "/notes.txt": (TEXT, "text/plain; charset=utf-8"),
    }
    if request.url_path not in served:
        return Reply(404)
    body, content_type = served[request.url_path]
    return Reply(200, {"content-type": content_type}, body)


def sent_body(fake: FakeVendor, content: list[Any]) -> dict[str, Any]:
    fake.add_text("ok")
    messages = [ModelRequest([UserPromptPart(content)])]
    asyncio.run(fake.model().request(messages, None, ModelRequestParameters()))
    assert isinstance(messages[0].parts[0], UserPromptPart)
    assert messages[0].parts[0].content == content  # the caller's history is untouched
    return fake.requests[-1].json()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_openai_chat_downloads_audio_and_documents_but_passes_image_urls() -> None:
    with LoopbackServer(files) as web, FakeOpenAI() as fake:
        body = sent_body(
            fake,
            [
                "look",
                ImageUrl(web.url + "/img.png"),
                DocumentUrl(web.url + "/doc.pdf"),
                AudioUrl(web.url + "/clip.mp3"),
            ],
        )
    parts = body["messages"][0]["content"]
    assert parts[1] == {"type": "image_url", "image_url": {"url": web.url + "/img.png"}}
    assert parts[2] == {
        "type": "file",
        "file": {"file_data": "data:application/pdf;base64," + b64(PDF), "filename": "doc.pdf"},
    }
    assert parts[3] == {"type": "input_audio", "input_audio": {"data": b64(MP3), "format": "mp3"}}
    assert [r.url_path for r in web.requests] == ["/doc.pdf", "/clip.mp3"]


def test_anthropic_keeps_pdf_urls_and_inlines_other_documents() -> None:
    with LoopbackServer(files) as web, FakeAnthropic() as fake:
        body = sent_body(fake, [DocumentUrl(web.url + "/doc.pdf"), DocumentUrl(web.url + "/notes.txt")])
    blocks = body["messages"][0]["content"]
    assert blocks[0]["source"] == {"type": "url", "url": web.url + "/doc.pdf"}
    assert blocks[1]["source"]["type"] == "text" and blocks[1]["source"]["data"] == "plain notes"


def test_bedrock_inlines_http_urls_keeping_the_guessed_type_when_the_server_says_bytes() -> None:
    with LoopbackServer(files) as web, FakeBedrock() as fake:
        body = sent_body(fake, [ImageUrl(web.url + "/img.png")])
    assert body["messages"][0]["content"][0] == {"image": {"format": "png", "source": {"bytes": b64(PNG)}}}


def test_force_download_inlines_what_gemini_would_fetch_itself() -> None:
    with LoopbackServer(files) as web, FakeGemini() as fake:
        body = sent_body(
            fake, [ImageUrl(web.url + "/img.png", force_download=True), ImageUrl(web.url + "/img.png")]
        )
    parts = body["contents"][0]["parts"]
    assert parts[0] == {"inlineData": {"mimeType": "image/png", "data": b64(PNG)}}
    assert parts[1]["fileData"]["fileUri"] == web.url + "/img.png"


def test_a_url_that_cannot_be_downloaded_is_a_user_error_before_the_vendor_is_called() -> None:
    with LoopbackServer(files) as web, FakeOpenAI() as fake:
        with pytest.raises(UserError, match=r"Could not download .*/missing.pdf: HTTP 404"):
            sent_body(fake, [DocumentUrl(web.url + "/missing.pdf")])
        assert fake.requests == []


def test_force_download_allow_local_downloads_a_local_url_without_the_env_opt_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WIREAI_ALLOW_LOCAL_DOWNLOADS")
    with LoopbackServer(files) as web, FakeGemini() as fake:
        body = sent_body(fake, [ImageUrl(web.url + "/img.png", force_download="allow-local")])
        with pytest.raises(UserError, match="127.0.0.1 is a loopback address"):
            sent_body(fake, [ImageUrl(web.url + "/img.png", force_download=True)])
    assert body["contents"][0]["parts"][0] == {"inlineData": {"mimeType": "image/png", "data": b64(PNG)}}
    assert len(web.requests) == 1
