"""The stand-in's faults for this suite: slow and cut-off bodies, extra headers (redirects), HTTPS."""

from __future__ import annotations

import http.client
import ssl

import pytest
import requests
import trustme

from airflow_provider_tssession.testing import INFO_PATH, LOGIN_PATH, FakeThoughtSpot, Fault

XRB = {"X-Requested-By": "test"}


# `ts` (tests/conftest.py): each test's own stand-in.
def raw_get(server: FakeThoughtSpot, path: str) -> tuple[int, str, bytes]:
    """Status, Content-Length and whatever body bytes arrive before the server hangs up."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", path, headers=XRB)
    response = connection.getresponse()
    try:
        body = response.read()
    except http.client.IncompleteRead as partial:
        body = partial.partial
    connection.close()
    return response.status, response.getheader("Content-Length") or "", body


def test_truncate_sends_half_the_body_then_hangs_up(ts: FakeThoughtSpot) -> None:
    status, length, full = raw_get(ts, INFO_PATH)
    ts.truncate_next(INFO_PATH)
    cut_status, cut_length, cut = raw_get(ts, INFO_PATH)
    assert (cut_status, cut_length) == (status, length) == (401, str(len(full)))
    assert len(cut) == len(full) // 2 and cut.startswith(b'{"code":10003,')
    assert [r.status for r in ts.requests] == [401, 401]


def test_slow_body_pauses_halfway_then_finishes(ts: FakeThoughtSpot) -> None:
    ts.slow_body_next(INFO_PATH, 0.3)
    with pytest.raises(requests.ConnectionError, match="Read timed out"):
        requests.get(ts.url + INFO_PATH, headers=XRB, timeout=0.1)
    ts.slow_body_next(INFO_PATH, 0.1)
    assert requests.get(ts.url + INFO_PATH, headers=XRB, timeout=2).json()["code"] == 10003


def test_faults_over_the_control_plane(ts: FakeThoughtSpot) -> None:
    control = ts.url + "/_fake/faults"
    redirect = {"path": LOGIN_PATH, "status": 307, "headers": {"Location": "http://elsewhere/"}}
    assert requests.post(control, json=redirect, timeout=5).status_code == 204
    answer = requests.post(ts.url + LOGIN_PATH, headers=XRB, allow_redirects=False, timeout=5)
    assert (answer.status_code, answer.headers["Location"]) == (307, "http://elsewhere/")
    assert requests.post(control, json={"path": INFO_PATH, "kind": "truncate"}, timeout=5).status_code == 204
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(ts.url + INFO_PATH, headers=XRB, timeout=5)
    for bad in (
        {"kind": "slow_body", "seconds": -1},
        {"status": 307, "headers": ["Location"]},
        {"status": 307, "headers": {"Location": "x\r\nSet-Cookie: a=b"}},
        {"status": 307, "headers": {"Bad:Name": "x"}},
    ):
        assert requests.post(control, json=bad, timeout=5).status_code == 400
    with pytest.raises(ValueError):
        Fault("truncate", status=42)


def test_https_with_a_certificate_made_for_the_test(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with FakeThoughtSpot({"tsadmin": "pw"}, ssl_context=context) as server:
        assert server.url.startswith("https://127.0.0.1:")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(server.url + INFO_PATH, headers=XRB, timeout=5)  # untrusted: no request logged
        answer = requests.get(server.url + INFO_PATH, headers=XRB, timeout=5, verify=str(bundle))
        assert answer.status_code == 401
        assert len(server.requests) == 1
    server.start()  # restarts on the same port, still speaking TLS
    try:
        assert requests.get(server.url + "/_fake/stats", timeout=5, verify=str(bundle)).ok
    finally:
        server.stop()
