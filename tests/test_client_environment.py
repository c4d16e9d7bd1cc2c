"""Proxies and the CA bundle from the environment, read once per session, behave as requests' own do."""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from airflow_provider_tssession.exceptions import ThoughtSpotConnectionError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import INFO_PATH, LOGIN_PATH, FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARIABLES, "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_the_proxy_from_the_environment_carries_every_call(
    fake_thoughtspot: FakeThoughtSpot, use_connection: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The host only the proxy can reach: the stand-in answers absolute-form requests as a proxy would pass them.
    use_connection(fake_thoughtspot, host="http://thoughtspot.behind-proxy.invalid")
    monkeypatch.setenv("HTTP_PROXY", fake_thoughtspot.url)
    with ThoughtSpotHook() as hook:
        assert hook.request("GET", "/tspublic/v1/session/info").json()["userName"] == DEFAULT_USER
    assert (fake_thoughtspot.logins, fake_thoughtspot.logouts) == (1, 1)
    assert fake_thoughtspot.count(INFO_PATH) == 1


def test_no_proxy_sends_directly(
    fake_thoughtspot: FakeThoughtSpot, use_connection: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeThoughtSpot(users={DEFAULT_USER: DEFAULT_PASSWORD}) as proxy:
        use_connection(fake_thoughtspot)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        with ThoughtSpotHook() as hook:
            hook.request("GET", "/tspublic/v1/session/info")
        assert proxy.requests == []
    assert fake_thoughtspot.count(LOGIN_PATH) == 1


@pytest.fixture
def tls_thoughtspot(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A minimal HTTPS login endpoint on 127.0.0.1 with a self-signed certificate; yields (url, cert path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(204)
            if self.path.endswith("/login"):
                self.send_header("Set-Cookie", "JSESSIONID=tls-session; Path=/; HttpOnly")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert_path
    finally:
        server.shutdown()
        server.server_close()


def use_tls_connection(monkeypatch: pytest.MonkeyPatch, url: str, **extra: object) -> None:
    connection = {"conn_type": "thoughtspot", "host": url, "login": "etl", "password": "pw", "extra": extra}
    monkeypatch.setenv("AIRFLOW_CONN_THOUGHTSPOT_DEFAULT", json.dumps(connection))


def test_requests_ca_bundle_is_used_when_verify_is_not_set(
    tls_thoughtspot: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = tls_thoughtspot
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    use_tls_connection(monkeypatch, url)
    with ThoughtSpotHook() as hook:
        assert hook.owns_session


def test_an_explicit_verify_wins_over_requests_ca_bundle(
    tls_thoughtspot: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = tls_thoughtspot
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    use_tls_connection(monkeypatch, url, verify=True, retry_delay=0)
    with pytest.raises(ThoughtSpotConnectionError, match="TLS certificate verification failed"):
        ThoughtSpotHook().login()
