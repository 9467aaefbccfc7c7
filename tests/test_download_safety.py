"""Downloads of prompt-given URLs cannot reach into the network wireai runs in (no SSRF).

Every refusal is a `UserError` naming the URL and the reason, raised before any byte goes to the
refused address; the loopback servers here record what did arrive. Where a test needs a host that
passes the address check but is served locally, it resolves a `.test` name to 127.0.0.1 and, if
the check itself is not the subject, lets 127.0.0.1 stand in for a public address.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
import time
from typing import Any

import pytest

from wireai import UserError
from wireai.messages import DocumentUrl, ModelRequest, UserPromptPart
from wireai.models import ModelRequestParameters
from wireai.testing import FakeBedrock
from wireai.testing.server import LoopbackServer, RecordedRequest, Reply
from wireai.transport import clients
from wireai.transport import download as dl
from wireai.transport.download import address_refusal, download

PDF = b"%PDF-1.4 tiny"
HINT = (
    "; to download from your own network, use `force_download='allow-local'` on the URL"
    " or set WIREAI_ALLOW_LOCAL_DOWNLOADS=1"
)
LOOPBACK = ipaddress.ip_address("127.0.0.1")


def fetch(url: str, **kwargs: Any) -> tuple[bytes, str | None]:
    return asyncio.run(download(url, **kwargs))


def pdf(request: RecordedRequest) -> Reply:
    return Reply(200, {"content-type": "application/pdf"}, PDF)


@pytest.fixture
def names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`*.test` names resolve to 127.0.0.1; returns every lookup made."""
    lookups: list[str] = []

    async def resolve(host: str, port: int) -> list[Any]:
        lookups.append(host)
        if not host.endswith(".test"):
            raise OSError(f"unknown host {host}")
        return [LOOPBACK]

    monkeypatch.setattr(dl, "_resolve", resolve)
    return lookups


@pytest.fixture
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    real = dl.address_refusal

    def refusal(address: Any, *, allow_local: bool = False) -> str | None:
        return None if address == LOOPBACK else real(address, allow_local=allow_local)

    monkeypatch.setattr(dl, "address_refusal", refusal)


# ------------------------------------------------------------------------------------ the address check


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.10.20", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "cloud metadata"),
        ("169.254.170.2", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("100.64.0.1", "non-global"),  # carrier-grade NAT
        ("198.18.0.1", "private"),  # benchmarking
        ("2001:db8::1", "private"),  # documentation
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("::127.0.0.1", "loopback"),  # IPv4-compatible
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("64:ff9b::7f00:1", "loopback"),
        ("2002:c0a8:101::1", "private"),  # 6to4 of 192.168.1.1
        ("2002:808:808::1", "6to4"),  # 6to4 of 8.8.8.8: deprecated relays, refused on every Python
        ("2002:7f00:1::1", "loopback"),
    ],
)
def test_non_public_addresses_are_refused_with_the_reason(address: str, reason: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses_pass_including_mapped_and_nat64_forms_of_public_ones(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is None


def test_allow_local_allows_local_addresses_but_never_cloud_metadata() -> None:
    for address in ("127.0.0.1", "10.0.0.1", "::1", "fe80::1", "::ffff:192.168.0.1", "2002:808:808::1"):
        assert address_refusal(ipaddress.ip_address(address), allow_local=True) is None
    for address in ("169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254"):
        assert address_refusal(ipaddress.ip_address(address), allow_local=True) == "cloud metadata"


# ------------------------------------------------------------------------------------ refusals over sockets


def test_a_loopback_url_is_refused_before_the_server_or_the_vendor_sees_anything() -> None:
    with LoopbackServer(pdf) as web, FakeBedrock() as fake:
        fake.add_text("never")
        url = web.url + "/doc.pdf"
        messages = [ModelRequest([UserPromptPart([DocumentUrl(url)])])]
        with pytest.raises(UserError) as info:
            asyncio.run(fake.model().request(messages, None, ModelRequestParameters()))
        assert str(info.value) == f"Refused to download {url}: 127.0.0.1 is a loopback address{HINT}"
        assert web.requests == [] and fake.requests == []


def test_a_name_that_resolves_to_loopback_is_refused_naming_the_address() -> None:
    with LoopbackServer(pdf) as web:
        url = f"http://localhost:{web.port}/doc.pdf"
        with pytest.raises(UserError, match=r"localhost resolves to (127\.0\.0\.1|::1), which is a loopback"):
            fetch(url)
        assert web.requests == []


def test_a_redirect_to_a_private_address_is_refused_before_it_is_followed(
    names: list[str], loopback_is_public: None
) -> None:
    targets = {
        "/to-private": "http://10.0.0.7/secret",
        "/to-mapped": "http://[::ffff:192.168.0.1]/",
        "/to-name": "http://internal.example/",  # does not resolve here: refused as such
        "/to-file": "file:///etc/passwd",
    }
    with LoopbackServer(lambda r: Reply(302, {"location": targets[r.url_path]})) as web:
        base = f"http://public.test:{web.port}"
        with pytest.raises(UserError) as info:
            fetch(base + "/to-private")
        assert str(info.value) == (
            f"Refused to download {base}/to-private (redirected to http://10.0.0.7/secret): "
            f"10.0.0.7 is a private address{HINT}"
        )
        with pytest.raises(UserError, match=r"::ffff:192\.168\.0\.1 is a private address"):
            fetch(base + "/to-mapped")
        with pytest.raises(UserError, match=r"internal\.example does not resolve"):
            fetch(base + "/to-name")
        with pytest.raises(UserError, match=r"\(redirected to file:/etc/passwd\): only http and https"):
            fetch(base + "/to-file")
        assert [r.url_path for r in web.requests] == list(targets)  # only the first hops were sent


def test_a_redirect_to_cloud_metadata_is_refused_even_with_local_addresses_allowed() -> None:
    with LoopbackServer(
        lambda r: Reply(307, {"location": "http://169.254.169.254/latest/meta-data/"})
    ) as web:
        with pytest.raises(UserError) as info:
            fetch(web.url + "/file", allow_local=True)
    assert str(info.value).endswith(": 169.254.169.254 is a cloud metadata address")
    assert len(web.requests) == 1


def test_redirects_are_followed_five_times_and_no_more() -> None:
    def chain(request: RecordedRequest) -> Reply:
        hop = int(request.url_path.rsplit("/", 1)[1])
        if request.url_path.startswith("/five/") and hop == 5:
            return Reply(200, {"content-type": "application/pdf"}, PDF)
        return Reply(301, {"location": f"{hop + 1}"})  # relative to the current hop

    with LoopbackServer(chain) as web:
        assert fetch(web.url + "/five/0", allow_local=True) == (PDF, "application/pdf")
        assert len(web.requests) == 6
        with pytest.raises(UserError, match=r"/forever/0: more than 5 redirects$"):
            fetch(web.url + "/forever/0", allow_local=True)
        assert len(web.requests) == 12


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://files.example/doc.pdf", "gopher://x/"])
def test_only_http_and_https_are_downloaded(url: str) -> None:
    with pytest.raises(UserError) as info:
        fetch(url, allow_local=True)
    assert str(info.value) == f"Refused to download {url}: only http and https URLs are downloaded"


# ------------------------------------------------------------------------------------ pinned connections


def test_the_connection_goes_to_the_address_checked_with_the_url_host_in_the_host_header(
    names: list[str],
) -> None:
    # "files.test" resolves only through the checked lookup, so the request reaching the server
    # proves the connection went to the checked address, not to a second (rebindable) lookup.
    with LoopbackServer(pdf) as web:
        url = f"http://files.test:{web.port}/doc.pdf"
        assert fetch(url, allow_local=True) == (PDF, "application/pdf")
    assert names == ["files.test"]
    assert web.requests[0].headers["host"] == f"files.test:{web.port}"
    assert web.requests[0].path == "/doc.pdf"


def _tls_pair(name: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a self-signed certificate for `name`, and a client context trusting it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "cert.pem").write_bytes(cert_pem)
        (Path(tmp) / "key.pem").write_bytes(key_pem)
        server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server.load_cert_chain(Path(tmp) / "cert.pem", Path(tmp) / "key.pem")
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return server, client


def test_https_to_the_checked_address_sends_the_host_as_sni_and_verifies_the_certificate_for_it(
    names: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server_context, client_context = _tls_pair("files.test")
    sni: list[str | None] = []
    server_context.sni_callback = lambda sock, name, ctx: sni.append(name)
    monkeypatch.setattr(clients, "_ssl_context", lambda: client_context)
    with LoopbackServer(pdf, ssl=server_context) as web:
        assert fetch(f"https://files.test:{web.port}/doc.pdf", allow_local=True) == (PDF, "application/pdf")
        assert sni == ["files.test"]
        assert web.requests[0].headers["host"] == f"files.test:{web.port}"
        # The same address under a name the certificate does not cover: verification fails.
        with pytest.raises(
            UserError, match=r"Could not download https://other\.test:\d+/doc\.pdf: .*CERTIFICATE"
        ):
            fetch(f"https://other.test:{web.port}/doc.pdf", allow_local=True)
        assert len(web.requests) == 1


# ------------------------------------------------------------------------------------ size and time


def test_a_declared_size_over_the_cap_is_refused_before_reading() -> None:
    with LoopbackServer(lambda r: Reply(200, {}, b"x" * 2000)) as web:
        with pytest.raises(UserError) as info:
            fetch(web.url + "/big", allow_local=True, max_bytes=1000)
        assert fetch(web.url + "/big", allow_local=True, max_bytes=2000)[0] == b"x" * 2000
    assert str(info.value) == (
        f"Refused to download {web.url}/big: it is larger than 1000 bytes; pass the bytes yourself as BinaryContent"
    )


def test_an_undeclared_size_is_counted_while_streaming(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = Reply(200, {"content-type": "application/pdf"}, chunks=[b"x" * 600] * 3)
    with LoopbackServer(lambda r: stream) as web, FakeBedrock() as fake:
        monkeypatch.setenv("WIREAI_MAX_DOWNLOAD_BYTES", "1000")
        url = web.url + "/stream.pdf"
        messages = [ModelRequest([UserPromptPart([DocumentUrl(url, force_download="allow-local")])])]
        with pytest.raises(UserError, match=r"stream\.pdf: it is larger than 1000 bytes"):
            asyncio.run(fake.model().request(messages, None, ModelRequestParameters()))
        monkeypatch.setenv("WIREAI_MAX_DOWNLOAD_BYTES", "lots")
        with pytest.raises(
            UserError, match=r"WIREAI_MAX_DOWNLOAD_BYTES must be a whole number of bytes, got 'lots'"
        ):
            fetch(url, allow_local=True)
        assert fake.requests == []


def test_a_stalled_or_trickling_server_hits_the_total_timeout() -> None:
    stalled = Reply(200, {}, PDF, delay=3.0)
    trickle = Reply(200, {}, chunks=[b"x", 0.1] * 30)  # every read is quick; the whole is 3 s
    with LoopbackServer(lambda r: stalled if r.url_path == "/stalled" else trickle) as web:
        for path in ("/stalled", "/trickle"):
            start = time.monotonic()
            with pytest.raises(UserError) as info:
                fetch(web.url + path, allow_local=True, timeout=0.4)
            assert time.monotonic() - start < 2
            assert str(info.value) == f"Could not download {web.url}{path}: no complete answer within 0.4 s"


# ------------------------------------------------------------------------------------ opting in


def test_local_addresses_are_allowed_per_call_per_url_or_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    with LoopbackServer(pdf) as web, FakeBedrock() as fake:
        url = web.url + "/doc.pdf"
        assert fetch(url, allow_local=True) == (PDF, "application/pdf")
        monkeypatch.setenv("WIREAI_ALLOW_LOCAL_DOWNLOADS", "1")
        assert fetch(url) == (PDF, "application/pdf")
        with pytest.raises(UserError, match="loopback"):
            fetch(url, allow_local=False)  # the env var only fills in a choice not made
        monkeypatch.setenv("WIREAI_ALLOW_LOCAL_DOWNLOADS", "0")
        with pytest.raises(UserError, match="loopback"):
            fetch(url)
        fake.add_text("ok")
        messages = [ModelRequest([UserPromptPart([DocumentUrl(url, force_download="allow-local")])])]
        asyncio.run(fake.model().request(messages, None, ModelRequestParameters()))
        document = fake.requests[0].json()["messages"][0]["content"][0]["document"]
        assert document["source"] == {"bytes": "JVBERi0xLjQgdGlueQ=="}
    assert len(web.requests) == 3
