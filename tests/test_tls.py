"""TLS against the stand-in serving HTTPS with certificates made for the test (trustme)."""

from __future__ import annotations

import ssl
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import trustme
import urllib3

from airflow_provider_tssession.exceptions import ThoughtSpotConnectionError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import INFO_PATH, LOGIN_PATH, FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

INFO = "/tspublic/v1/session/info"
VERIFY_OFF = "TLS certificate verification is off"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_bundle(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def serve_https(ca: trustme.CA, *identities: str) -> FakeThoughtSpot:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*identities).configure_cert(context)
    return FakeThoughtSpot({DEFAULT_USER: DEFAULT_PASSWORD}, ssl_context=context).start()


@pytest.fixture
def https_ts(ca: trustme.CA, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeThoughtSpot]:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    server = serve_https(ca, "127.0.0.1", "localhost")
    yield server
    server.stop()


def test_default_verify_rejects_an_unknown_certificate_with_the_fix(
    ca: trustme.CA, monkeypatch: pytest.MonkeyPatch, use_connection: Callable[..., str]
) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    reason = "unable to get local issuer certificate"  # signed by a CA nobody here trusts
    server = serve_https(ca, "127.0.0.1")
    try:
        use_connection(server, extra={"retry_limit": 3})
        with pytest.raises(ThoughtSpotConnectionError) as caught:
            ThoughtSpotHook().login()
    finally:
        server.stop()
    message = str(caught.value)
    assert "TLS certificate verification failed" in message and reason in message
    assert "extra 'verify'" in message and "CA bundle" in message
    assert caught.value.attempts == 1 and not caught.value.transient  # not retried: it will not heal
    assert server.requests == []  # no HTTP request, so no password, went over the untrusted connection


def test_a_certificate_for_another_name_is_a_hostname_mismatch(
    ca: trustme.CA, ca_bundle: str, use_connection: Callable[..., str]
) -> None:
    server = serve_https(ca, "ts.example.com")
    try:
        use_connection(server, extra={"verify": ca_bundle})
        with pytest.raises(ThoughtSpotConnectionError, match="address mismatch.*set Host to a name the cert"):
            ThoughtSpotHook().login()
    finally:
        server.stop()
    assert server.requests == []


def test_a_ca_bundle_path_is_trusted(
    https_ts: FakeThoughtSpot, ca_bundle: str, use_connection: Callable[..., str]
) -> None:
    use_connection(https_ts, extra={"verify": ca_bundle})
    with ThoughtSpotHook() as hook:
        assert hook.request("GET", INFO).json()["userName"] == DEFAULT_USER
    assert (https_ts.logins, https_ts.logouts, https_ts.active_sessions) == (1, 1, 0)


def test_verify_false_works_and_warns_once_per_hook_without_insecure_request_warnings(
    https_ts: FakeThoughtSpot, use_connection: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    use_connection(https_ts, extra={"verify": False})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hook = ThoughtSpotHook()
        with hook:
            hook.request("GET", INFO)
            https_ts.expire_all_sessions()
            hook.request("GET", INFO)  # a re-login: a second client inside the same hook
        assert hook.test_connection()[0]  # and a third one
        assert ThoughtSpotHook().test_connection()[0]  # another hook warns again, once
    assert https_ts.logins == 4
    assert capsys.readouterr().out.count(VERIFY_OFF) == 2
    assert not [w for w in caught if issubclass(w.category, urllib3.exceptions.InsecureRequestWarning)]


def test_verify_false_does_not_silence_insecure_warnings_for_the_rest_of_the_process(
    https_ts: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(https_ts, extra={"verify": False})
    with ThoughtSpotHook() as hook:
        hook.request("GET", INFO)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        requests.get(https_ts.url + "/_fake/stats", verify=False, timeout=5)
    assert [w for w in caught if issubclass(w.category, urllib3.exceptions.InsecureRequestWarning)]


def test_plain_http_warns_that_credentials_travel_unencrypted_once_per_hook(
    ts: FakeThoughtSpot, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = ThoughtSpotHook()
    assert hook.test_connection()[0] and hook.test_connection()[0]
    with hook:
        ts.expire_all_sessions()
        assert hook.request("GET", INFO).ok
    out = capsys.readouterr().out
    assert out.count("uses plain http://: credentials and session cookies travel unencrypted") == 1
    assert ts.logins == 4


def test_the_secure_client_id_cookie_goes_back_over_https_only(
    https_ts: FakeThoughtSpot, ts: FakeThoughtSpot, ca_bundle: str, use_connection: Callable[..., str]
) -> None:
    use_connection(https_ts, extra={"verify": ca_bundle})
    with ThoughtSpotHook() as hook:
        hook.request("GET", INFO)
        client_id = hook.get_conn().cookies["clientId"]
    cookie = next(r for r in https_ts.requests if r.path == INFO_PATH).headers["Cookie"]
    assert f"clientId={client_id}" in cookie and "JSESSIONID=" in cookie
    # Over plain http the same Secure cookie stays home, as a browser would keep it.
    use_connection(ts)
    with ThoughtSpotHook() as hook:
        hook.request("GET", INFO)
    assert "clientId=" not in next(r for r in ts.requests if r.path == INFO_PATH).headers["Cookie"]


def test_an_explicit_verify_true_wins_over_requests_ca_bundle(
    https_ts: FakeThoughtSpot,
    ca_bundle: str,
    use_connection: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_bundle)  # this bundle signs the stand-in's certificate
    use_connection(https_ts)  # no 'verify' extra: the environment's bundle applies, as in requests
    with ThoughtSpotHook():
        pass
    use_connection(https_ts, extra={"verify": True})  # explicit: the default CA bundle, not the environment's
    with pytest.raises(ThoughtSpotConnectionError, match="verification failed"):
        ThoughtSpotHook().login()
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other))  # a bundle that does not sign it...
    use_connection(https_ts, extra={"verify": ca_bundle})  # ...loses to the connection's own
    with ThoughtSpotHook():
        pass
    assert https_ts.count(LOGIN_PATH) == 2


def test_https_to_a_plain_http_server_says_so(
    ts: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(ts, host=ts.url.replace("http://", "https://"))
    with pytest.raises(
        ThoughtSpotConnectionError, match=r"TLS handshake failed.*put http:// in Host"
    ) as caught:
        ThoughtSpotHook().login()
    assert caught.value.attempts == 1
    assert ts.requests == []
