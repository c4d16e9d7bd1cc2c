"""Behaviour of the ThoughtSpot stand-in over real HTTP, because every other test trusts it to be faithful."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from airflow_provider_tssession.testing import (
    ASSIGN_TAG_PATH,
    INFO_PATH,
    LOGIN_PATH,
    LOGOUT_PATH,
    METADATA_LIST_PATH,
    USER_LIST_PATH,
    V2_USER_PATH,
    FakeThoughtSpot,
    Fault,
    RequestRecord,
)
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

if TYPE_CHECKING:
    from collections.abc import Iterator

USER, PASSWORD = DEFAULT_USER, DEFAULT_PASSWORD
XRB = {"X-Requested-By": "ThoughtSpot"}
REPO_ROOT = Path(__file__).resolve().parents[1]


# `ts` (tests/conftest.py): each test's own stand-in on an ephemeral port, user USER/PASSWORD.
@pytest.fixture
def http() -> Iterator[requests.Session]:
    """Give each test a client that behaves like a ThoughtSpot client (keep-alive, X-Requested-By)."""
    with requests.Session() as session:
        session.headers.update(XRB)
        yield session


def _login(
    ts: FakeThoughtSpot, http: requests.Session, user: str = USER, password: str = PASSWORD, **extra: str
) -> requests.Response:
    return http.post(ts.url + LOGIN_PATH, data={"username": user, "password": password, **extra}, timeout=5)


def _flat_error(response: requests.Response) -> tuple[int, list[str]]:
    """Check the v1 flat error shape and return (code, debug messages)."""
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "incident_id_guid", "trace_id_guid", "debug"}
    uuid.UUID(body["incident_id_guid"])
    uuid.UUID(body["trace_id_guid"])
    debug = json.loads(body["debug"])
    assert isinstance(debug, list) and debug and all(isinstance(item, str) for item in debug)
    return body["code"], debug


def _subprocess_env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


# login / session ---------------------------------------------------------------------------------------
def test_login_answers_204_with_both_cookies(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """A client must be able to rely on 204 + JSESSIONID/clientId cookies, as a real cluster sends."""
    response = _login(ts, http)
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["Content-Length"] == "0"
    cookies = response.raw.headers.getlist("Set-Cookie")
    assert len(cookies) == 2
    jsession = next(c for c in cookies if c.startswith("JSESSIONID="))
    client_id = next(c for c in cookies if c.startswith("clientId="))
    assert re.fullmatch(r"JSESSIONID=[0-9a-f-]{36}; Path=/; HttpOnly", jsession)
    assert re.fullmatch(r"clientId=[0-9a-f-]{36}; Path=/; Secure; HttpOnly", client_id)
    assert http.cookies.get("JSESSIONID") == jsession.split(";")[0].split("=", 1)[1]
    assert (ts.logins, ts.failed_logins, ts.active_sessions) == (1, 0, 1)


def test_session_info_needs_the_session_cookie(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """Session info is how clients detect expiry: 200 with a session, 401 (10003) without."""
    assert _login(ts, http).status_code == 204
    before = time.time() * 1000
    info = http.get(ts.url + INFO_PATH, timeout=5)
    assert info.status_code == 200
    body = info.json()
    assert body["userName"] == USER
    uuid.UUID(body["userGUID"])
    assert body["userDisplayName"]
    assert isinstance(body["privileges"], list) and body["privileges"]
    assert body["expirationTime"] >= before + 1700 * 1000  # default idle timeout is 30 min
    assert http.cookies["JSESSIONID"] not in info.text

    anonymous = requests.get(ts.url + INFO_PATH, headers=XRB, timeout=5)
    assert anonymous.status_code == 401
    assert _flat_error(anonymous)[0] == 10003


def test_only_jsessionid_authenticates(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """Over plain http the Secure clientId cookie never travels, so JSESSIONID alone must be enough."""
    _login(ts, http)
    jsession, client_id = http.cookies["JSESSIONID"], http.cookies["clientId"]
    only_client = requests.get(
        ts.url + INFO_PATH, headers={**XRB, "Cookie": f"clientId={client_id}"}, timeout=5
    )
    assert only_client.status_code == 401
    misnamed = requests.get(ts.url + INFO_PATH, headers={**XRB, "Cookie": f"SESSION={jsession}"}, timeout=5)
    assert misnamed.status_code == 401  # the cookie's name matters, not just its value
    only_session = requests.get(
        ts.url + INFO_PATH, headers={**XRB, "Cookie": f"JSESSIONID={jsession}"}, timeout=5
    )
    assert only_session.status_code == 200


def test_login_accepts_only_form_bodies(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """A JSON login is a client bug the real server answers with 415; a charset parameter is fine."""
    as_json = http.post(ts.url + LOGIN_PATH, json={"username": USER, "password": PASSWORD}, timeout=5)
    assert as_json.status_code == 415
    assert _flat_error(as_json)[0] == 10002
    assert ts.logins == 0
    with_charset = http.post(
        ts.url + LOGIN_PATH,
        data=f"username={USER}&password={PASSWORD}",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
        timeout=5,
    )
    assert with_charset.status_code == 204


def test_x_requested_by_is_required_on_v1(ts: FakeThoughtSpot) -> None:
    """Clusters reject v1 calls without X-Requested-By (CSRF guard), even with right credentials."""
    response = requests.post(ts.url + LOGIN_PATH, data={"username": USER, "password": PASSWORD}, timeout=5)
    assert response.status_code == 400
    assert _flat_error(response)[0] == 10002
    assert requests.get(ts.url + INFO_PATH, timeout=5).status_code == 400
    assert ts.logins == 0


def test_login_parameter_validation(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """Missing credentials and a junk rememberme are 400/10002; rememberme is case-insensitive."""
    missing = http.post(ts.url + LOGIN_PATH, data={"username": USER}, timeout=5)
    assert missing.status_code == 400 and _flat_error(missing)[0] == 10002
    junk = _login(ts, http, rememberme="maybe")
    assert junk.status_code == 400 and _flat_error(junk)[0] == 10002
    assert ts.failed_logins == 0
    assert _login(ts, http, rememberme="TRUE").status_code == 204
    expiration = http.get(ts.url + INFO_PATH, timeout=5).json()["expirationTime"]
    assert expiration > (time.time() + 13 * 24 * 3600) * 1000  # remember-me sessions last days


def test_wrong_password_is_401_without_echoing_it(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """Bad credentials are 401/10003 with a JSON-list debug string that never contains the password."""
    wrong = _login(ts, http, password="not-the-Right-one-42")
    assert wrong.status_code == 401
    code, debug = _flat_error(wrong)
    assert code == 10003
    assert any(f"Authentication failed for user {USER}" in message for message in debug)
    assert "not-the-Right-one-42" not in wrong.text
    assert "Set-Cookie" not in wrong.headers
    unknown = _login(ts, http, user="nobody")
    assert unknown.status_code == 401 and _flat_error(unknown)[0] == 10003
    assert (ts.logins, ts.failed_logins) == (0, 2)


def test_lockout_after_four_failures(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """Four consecutive failures lock the account: even the right password then gets 403/10023."""
    for _ in range(4):
        assert _login(ts, http, password="wrong").status_code == 401
    locked = _login(ts, http)
    assert locked.status_code == 403
    assert _flat_error(locked)[0] == 10023
    assert PASSWORD not in locked.text
    assert (ts.logins, ts.failed_logins, ts.active_sessions) == (0, 5, 0)


def test_success_resets_failures_and_lockout_ends() -> None:
    """Only consecutive failures count, and a lock lasts lockout_seconds."""
    with (
        FakeThoughtSpot({USER: PASSWORD}, lockout_threshold=2, lockout_seconds=0.3) as fake,
        requests.Session() as http,
    ):
        http.headers.update(XRB)
        assert _login(fake, http, password="wrong").status_code == 401
        assert _login(fake, http).status_code == 204
        assert _login(fake, http, password="wrong").status_code == 401
        assert _login(fake, http).status_code == 204  # not locked: the success reset the count
        assert _login(fake, http, password="wrong").status_code == 401
        assert _login(fake, http, password="wrong").status_code == 401
        assert _login(fake, http).status_code == 403
        time.sleep(0.4)
        assert _login(fake, http).status_code == 204


def test_lock_user(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """Tests can put an account into the locked state directly."""
    ts.lock_user(USER)
    response = _login(ts, http)
    assert response.status_code == 403 and _flat_error(response)[0] == 10023


def test_logout_ends_the_session(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """Logout is 204 once; afterwards the cookie is worthless and a second logout is 401."""
    _login(ts, http)
    assert http.post(ts.url + LOGOUT_PATH, timeout=5).status_code == 204
    assert http.get(ts.url + INFO_PATH, timeout=5).status_code == 401
    again = http.post(ts.url + LOGOUT_PATH, timeout=5)
    assert again.status_code == 401 and _flat_error(again)[0] == 10003
    assert (ts.logouts, ts.active_sessions) == (1, 0)


def test_idle_session_expires() -> None:
    """A session left idle longer than the timeout answers 401, which tells a client to log in again."""
    with FakeThoughtSpot({USER: PASSWORD}, session_idle_timeout=0.2) as fake, requests.Session() as http:
        http.headers.update(XRB)
        assert _login(fake, http).status_code == 204
        assert http.get(fake.url + INFO_PATH, timeout=5).status_code == 200
        time.sleep(0.35)
        expired = http.get(fake.url + INFO_PATH, timeout=5)
        assert expired.status_code == 401 and _flat_error(expired)[0] == 10003
        assert fake.active_sessions == 0


def test_activity_keeps_a_session_alive() -> None:
    """Each authenticated call restarts the idle clock, so a busy session outlives the idle timeout."""
    with FakeThoughtSpot({USER: PASSWORD}, session_idle_timeout=1.0) as fake, requests.Session() as http:
        http.headers.update(XRB)
        assert _login(fake, http).status_code == 204
        for _ in range(6):  # 1.2 s in total, past the 1 s idle timeout (wide margins for a loaded machine)
            time.sleep(0.2)
            assert http.get(fake.url + INFO_PATH, timeout=5).status_code == 200
        time.sleep(1.3)
        assert http.get(fake.url + INFO_PATH, timeout=5).status_code == 401


def test_expire_all_sessions_from_python_and_http(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """Tests simulate a cluster dropping every session, in-process or from another process."""
    _login(ts, http)
    ts.expire_all_sessions()
    assert http.get(ts.url + INFO_PATH, timeout=5).status_code == 401
    _login(ts, http)
    assert http.get(ts.url + INFO_PATH, timeout=5).status_code == 200
    assert requests.post(ts.url + "/_fake/expire", timeout=5).status_code == 204
    assert http.get(ts.url + INFO_PATH, timeout=5).status_code == 401
    assert ts.active_sessions == 0


# work endpoints and routing ---------------------------------------------------------------------------
def test_work_endpoints(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """The work calls a DAG would make answer deterministic data with a session and 401 without."""
    for path in (METADATA_LIST_PATH, USER_LIST_PATH, V2_USER_PATH):
        assert http.get(ts.url + path, timeout=5).status_code == 401
    assert http.post(ts.url + ASSIGN_TAG_PATH, data={"id": "x", "tag": "t"}, timeout=5).status_code == 401
    _login(ts, http)

    answers = http.get(ts.url + METADATA_LIST_PATH, timeout=5).json()
    assert answers["isLastBatch"] is True
    assert len(answers["headers"]) >= 2
    assert {h["type"] for h in answers["headers"]} == {"QUESTION_ANSWER_BOOK"}
    assert answers == http.get(ts.url + METADATA_LIST_PATH, timeout=5).json()  # deterministic
    tables = http.get(ts.url + METADATA_LIST_PATH, params={"type": "LOGICAL_TABLE"}, timeout=5).json()
    assert {h["type"] for h in tables["headers"]} == {"LOGICAL_TABLE"}
    assert {h["id"] for h in tables["headers"]}.isdisjoint(h["id"] for h in answers["headers"])

    users = http.get(ts.url + USER_LIST_PATH, timeout=5)
    assert [u["name"] for u in users.json()] == [USER]
    assert PASSWORD not in users.text

    tagged = http.post(ts.url + ASSIGN_TAG_PATH, data={"id": "guid-1", "tag": "nightly"}, timeout=5)
    assert tagged.status_code == 204
    assert http.post(ts.url + ASSIGN_TAG_PATH, data={"id": "guid-1"}, timeout=5).status_code == 400
    assert http.post(ts.url + ASSIGN_TAG_PATH, data={"tag": "nightly"}, timeout=5).status_code == 400

    cookie = {"Cookie": f"JSESSIONID={http.cookies['JSESSIONID']}"}
    v2 = requests.get(ts.url + V2_USER_PATH, headers=cookie, timeout=5)  # v2 needs no X-Requested-By
    assert v2.status_code == 200
    assert v2.json()["name"] == USER and set(v2.json()) == {"id", "name", "display_name", "current_org"}
    v2_anonymous = requests.get(ts.url + V2_USER_PATH, timeout=5)
    assert v2_anonymous.status_code == 401
    assert v2_anonymous.json()["error"]["message"]["code"] == 10003


def test_unknown_path_and_wrong_method(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """Routing errors look like ThoughtSpot's: 404/10002 flat body, 405 with Allow."""
    missing = http.get(ts.url + "/callosum/v1/tspublic/v1/nope", timeout=5)
    assert missing.status_code == 404 and _flat_error(missing)[0] == 10002
    wrong = http.get(ts.url + LOGIN_PATH, timeout=5)
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "POST"


# faults ---------------------------------------------------------------------------------------------
def test_status_fault_with_retry_after(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """An injected 503 carries Retry-After and a 10000 body, and leaves session state alone."""
    ts.fail_next(LOGIN_PATH, 503, retry_after="1")
    faulted = _login(ts, http)
    assert faulted.status_code == 503
    assert faulted.headers["Retry-After"] == "1"
    assert _flat_error(faulted)[0] == 10000
    assert (ts.logins, ts.failed_logins, ts.active_sessions) == (0, 0, 0)
    assert _login(ts, http).status_code == 204  # consumed
    assert [r.status for r in ts.requests] == [503, 204]


def test_status_fault_defaults_and_custom_body(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """A 4xx fault defaults to code 10002; a 200 HTML page simulates a cluster in maintenance."""
    ts.fail_next(INFO_PATH, 429)
    too_many = http.get(ts.url + INFO_PATH, timeout=5)
    assert too_many.status_code == 429 and _flat_error(too_many)[0] == 10002
    assert "Retry-After" not in too_many.headers

    page = "<html><body>Cluster under maintenance</body></html>"
    ts.fail_next(LOGIN_PATH, 200, body=page, content_type="text/html")
    maintenance = _login(ts, http)
    assert maintenance.status_code == 200
    assert maintenance.headers["Content-Type"] == "text/html"
    assert maintenance.text == page
    assert "JSESSIONID" not in http.cookies
    assert ts.logins == 0


def test_faults_are_fifo_and_path_specific_first(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """Specific-path faults win over any-path faults; each queue drains in order; `times` repeats."""
    ts.fail_next(None, 500)
    ts.fail_next(INFO_PATH, 502, times=2)
    ts.fail_next(INFO_PATH, 504)
    statuses = [http.get(ts.url + INFO_PATH, timeout=5).status_code for _ in range(5)]
    assert statuses == [502, 502, 504, 500, 401]


def test_drop_fault_closes_without_answer(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """A dropped request surfaces as ConnectionError; it is logged with status 0; the next one works."""
    ts.drop_next(LOGIN_PATH)
    with pytest.raises(requests.ConnectionError):
        _login(ts, http)
    assert _login(ts, http).status_code == 204
    assert [(r.path, r.status) for r in ts.requests] == [(LOGIN_PATH, 0), (LOGIN_PATH, 204)]
    assert ts.logins == 1


def test_delay_fault_then_normal_answer(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """A delayed request still gets the real answer, just late; clients' timeouts can be exercised."""
    ts.delay_next(INFO_PATH, 0.3)
    started = time.monotonic()
    response = http.get(ts.url + INFO_PATH, timeout=5)
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 401  # the normal answer without a session
    ts.delay_next(INFO_PATH, 1.0)
    with pytest.raises(requests.Timeout):
        http.get(ts.url + INFO_PATH, timeout=0.2)


def test_faults_over_http_control_plane(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """Another process (the CLI case) can inject every fault kind through /_fake/faults."""
    control = ts.url + "/_fake/faults"
    status = {"path": LOGIN_PATH, "kind": "status", "status": 503, "retry_after": "2", "times": 2}
    assert requests.post(control, json=status, timeout=5).status_code == 204
    assert [_login(ts, http).headers.get("Retry-After") for _ in range(2)] == ["2", "2"]
    assert requests.post(control, json={"path": None, "kind": "drop"}, timeout=5).status_code == 204
    with pytest.raises(requests.ConnectionError):
        http.get(ts.url + INFO_PATH, timeout=5)
    delay = {"path": INFO_PATH, "kind": "delay", "seconds": 0.25}
    assert requests.post(control, json=delay, timeout=5).status_code == 204
    started = time.monotonic()
    assert http.get(ts.url + INFO_PATH, timeout=5).status_code == 401
    assert time.monotonic() - started >= 0.25
    html = {"path": LOGIN_PATH, "status": 200, "body": "<html/>", "content_type": "text/html"}
    assert requests.post(control, json=html, timeout=5).status_code == 204
    assert _login(ts, http).text == "<html/>"
    for bad in ({"kind": "explode"}, {"kind": "status", "status": 42}, {"kind": "delay", "seconds": -1}):
        assert requests.post(control, json=bad, timeout=5).status_code == 400
    assert _login(ts, http).status_code == 204  # nothing left queued
    assert ts.count(LOGIN_PATH) == 4 and ts.count(INFO_PATH) == 2  # control calls are not logged


def test_fault_validation_in_python(ts: FakeThoughtSpot) -> None:
    """Impossible faults fail where they are queued, not as a confusing client error later."""
    with pytest.raises(ValueError):
        ts.fail_next(LOGIN_PATH, 99)
    with pytest.raises(ValueError):
        ts.delay_next(LOGIN_PATH, -1.0)
    with pytest.raises(ValueError):
        ts.drop_next(LOGIN_PATH, times=0)
    with pytest.raises(ValueError):
        Fault("status", status=503, retry_after="1\r\nX-Evil: 1")


# counters, log, reset ---------------------------------------------------------------------------------
def test_counters_and_calls_per_session(ts: FakeThoughtSpot) -> None:
    """Tests assert session reuse through calls_per_session; stats() and /_fake/stats must agree."""
    with requests.Session() as first, requests.Session() as second:
        first.headers.update(XRB)
        second.headers.update(XRB)
        _login(ts, first)
        _login(ts, second)
        for _ in range(3):
            first.get(ts.url + INFO_PATH, timeout=5)
        second.get(ts.url + METADATA_LIST_PATH, timeout=5)
        first.post(ts.url + LOGOUT_PATH, timeout=5)
        first.get(ts.url + INFO_PATH, timeout=5)  # 401: not served, not counted
        sid_first, sid_second = ts.requests[0].session_id, ts.requests[1].session_id
        assert sid_first is None and sid_second is None  # login requests carry no cookie yet
        by_session = ts.calls_per_session()
        assert sorted(by_session.values()) == [1, 3]
        assert by_session[second.cookies["JSESSIONID"]] == 1
    assert (ts.logins, ts.logouts, ts.active_sessions) == (2, 1, 1)
    assert ts.count(INFO_PATH) == 4 and ts.count(INFO_PATH, "get") == 4 and ts.count(INFO_PATH, "POST") == 0
    assert ts.count(LOGIN_PATH, "POST") == 2
    expected = {
        "logins": 2,
        "failed_logins": 0,
        "logouts": 1,
        "active_sessions": 1,
        "calls_per_session": by_session,
        "requests": 8,
        "requests_per_route": {LOGIN_PATH: 2, INFO_PATH: 4, METADATA_LIST_PATH: 1, LOGOUT_PATH: 1},
        "max_in_flight": 1,
        "rate_limited": 0,
        "imports_submitted": 0,
        "status_polls": {},
    }
    assert ts.stats() == expected
    assert requests.get(ts.url + "/_fake/stats", timeout=5).json() == expected


def test_request_log_is_faithful(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """A secrets audit reads headers and bodies from the log, so they must be recorded verbatim."""
    _login(ts, http)
    http.get(
        ts.url + METADATA_LIST_PATH, params={"type": "LOGICAL_TABLE"}, headers={"X-Extra": "1"}, timeout=5
    )
    login_record, list_record = ts.requests
    assert isinstance(login_record, RequestRecord)
    assert (login_record.method, login_record.path, login_record.status) == ("POST", LOGIN_PATH, 204)
    assert PASSWORD.encode() in login_record.body
    assert login_record.headers["X-Requested-By"] == "ThoughtSpot"
    assert login_record.session_id is None
    assert list_record.query == "type=LOGICAL_TABLE"
    assert list_record.session_id == http.cookies["JSESSIONID"]
    assert list_record.headers["X-Extra"] == "1"
    assert f"JSESSIONID={list_record.session_id}" in list_record.headers["Cookie"]
    assert login_record.time <= list_record.time <= time.time()
    over_http = requests.get(ts.url + "/_fake/requests", timeout=5).json()
    assert [r["path"] for r in over_http] == [LOGIN_PATH, METADATA_LIST_PATH]


def test_reset_clears_everything_but_users(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """reset() gives a fresh server between scenarios without rebinding the port."""
    _login(ts, http)
    http.get(ts.url + INFO_PATH, timeout=5)
    ts.lock_user(USER)
    ts.fail_next(None, 500)
    ts.reset()
    assert (ts.logins, ts.failed_logins, ts.logouts, ts.active_sessions) == (0, 0, 0, 0)
    assert ts.requests == [] and ts.calls_per_session() == {}
    assert http.get(ts.url + INFO_PATH, timeout=5).status_code == 401  # session gone, fault gone
    assert _login(ts, http).status_code == 204  # lock gone, user kept
    assert requests.post(ts.url + "/_fake/reset", timeout=5).status_code == 204
    assert ts.stats()["requests"] == 0 and ts.logins == 0


def test_add_user_from_python_and_http(ts: FakeThoughtSpot, http: requests.Session) -> None:
    """Users can be added after start, in-process or through /_fake/users."""
    ts.add_user("analyst", "an-Other-Pass-1")
    assert _login(ts, http, "analyst", "an-Other-Pass-1").status_code == 204
    user = {"name": "etl", "password": "etl-Pass-2"}
    assert requests.post(ts.url + "/_fake/users", json=user, timeout=5).status_code == 204
    assert _login(ts, http, "etl", "etl-Pass-2").status_code == 204
    assert requests.post(ts.url + "/_fake/users", json={"name": "x"}, timeout=5).status_code == 400


def test_concurrent_clients_are_all_counted(ts: FakeThoughtSpot) -> None:
    """The state is shared by handler threads; nothing may be lost under concurrency."""
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with requests.Session() as session:
                session.headers.update(XRB)
                assert _login(ts, session).status_code == 204
                for _ in range(25):
                    assert session.get(ts.url + INFO_PATH, timeout=5).status_code == 200
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ts.logins == 6 and ts.count(INFO_PATH) == 150
    assert sorted(ts.calls_per_session().values()) == [25] * 6


# HTTP plumbing and lifecycle -------------------------------------------------------------------------
def test_keep_alive_with_content_length(ts: FakeThoughtSpot) -> None:
    """One connection must carry many requests; every answer, even 204, has Content-Length."""
    connection = HTTPConnection("127.0.0.1", ts.port, timeout=5)
    try:
        headers = {**XRB, "Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", LOGIN_PATH, body=f"username={USER}&password={PASSWORD}", headers=headers)
        login = connection.getresponse()
        login.read()
        assert login.status == 204 and login.getheader("Content-Length") == "0" and not login.will_close
        first_socket = connection.sock
        cookie = login.getheader("Set-Cookie", "").split(";")[0]
        for _ in range(3):
            connection.request("GET", INFO_PATH, headers={**XRB, "Cookie": cookie})
            info = connection.getresponse()
            assert info.status == 200 and int(info.getheader("Content-Length", "-1")) == len(info.read())
        assert connection.sock is first_socket
    finally:
        connection.close()


def test_stop_cuts_keep_alive_and_restart_reuses_port(http: requests.Session) -> None:
    """stop() must really stop (no zombie keep-alive service) and free the port for a restart."""
    fake = FakeThoughtSpot({USER: PASSWORD}).start()
    try:
        url = fake.url
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url) and fake.port != 0
        assert _login(fake, http).status_code == 204  # leaves a pooled keep-alive connection
        fake.stop()
        fake.stop()  # idempotent
        assert not fake.running
        with pytest.raises(requests.ConnectionError):
            http.get(url + INFO_PATH, timeout=5)
        fake.start()
        assert fake.url == url
        assert http.get(url + INFO_PATH, timeout=5).status_code == 200  # state survives a restart
    finally:
        fake.stop()


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_cli_serves_until_signalled(stop_signal: signal.Signals) -> None:
    """The CLI is how a separate process gets a stand-in; it must print its URL and exit 0 on a signal."""
    command = [sys.executable, "-m", "airflow_provider_tssession.testing", "--port", "0"]
    command += ["--user", f"{USER}:{PASSWORD}", "--user", "other:pass:with:colons"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_subprocess_env()
    )
    watchdog = threading.Timer(20, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(r"ThoughtSpot stand-in listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert match, line
        url = match.group(1)
        with requests.Session() as http:
            http.headers.update(XRB)
            login = http.post(url + LOGIN_PATH, data={"username": USER, "password": PASSWORD}, timeout=5)
            assert login.status_code == 204
            other = {"username": "other", "password": "pass:with:colons"}
            assert http.post(url + LOGIN_PATH, data=other, timeout=5).status_code == 204
            assert requests.get(url + "/_fake/stats", timeout=5).json()["logins"] == 2
            process.send_signal(stop_signal)
            assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()


def test_pytest_plugin_fixture(tmp_path: Path) -> None:
    """The pytest11 plugin hands each test a fresh started stand-in with the documented default user."""
    (tmp_path / "test_uses_plugin.py").write_text(
        textwrap.dedent(
            """
            import requests
            from airflow_provider_tssession.testing import LOGIN_PATH, FakeThoughtSpot
            from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

            SEEN = []

            def _login(fake):
                data = {"username": DEFAULT_USER, "password": DEFAULT_PASSWORD}
                headers = {"X-Requested-By": "t"}
                return requests.post(fake.url + LOGIN_PATH, data=data, headers=headers, timeout=5)

            def test_first(fake_thoughtspot):
                assert isinstance(fake_thoughtspot, FakeThoughtSpot) and fake_thoughtspot.running
                assert (DEFAULT_USER, DEFAULT_PASSWORD) == ("tsadmin", "ts-Secret-Pass-123")
                assert _login(fake_thoughtspot).status_code == 204
                SEEN.append(fake_thoughtspot)

            def test_second_gets_a_fresh_one(fake_thoughtspot):
                assert SEEN and SEEN[0] is not fake_thoughtspot and not SEEN[0].running
                assert fake_thoughtspot.logins == 0
            """
        )
    )
    env = {**_subprocess_env(), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    plugin = "airflow_provider_tssession.testing.pytest_plugin"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", plugin, "-p", "no:cacheprovider", "test_uses_plugin.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_public_client_library_works_against_it(ts: FakeThoughtSpot) -> None:
    """thoughtspot-rest-api-v1 is a real-world client: if it works here, the stand-in speaks the protocol."""
    from thoughtspot_rest_api_v1 import TSRestApiV1

    client: Any = TSRestApiV1(server_url=ts.url + "/")
    assert client.session_login(username=USER, password=PASSWORD) is True
    info = client.session_info()
    assert info["userName"] == USER
    listing = client.metadata_list(object_type="QUESTION_ANSWER_BOOK")
    assert listing["isLastBatch"] is True and listing["headers"]
    assert [user["name"] for user in client.user_list()] == [USER]
    assert client.session_logout() is True
    with pytest.raises(requests.HTTPError):
        client.session_info()
    assert (ts.logins, ts.logouts) == (1, 1)
    assert ts.calls_per_session() == {ts.requests[1].session_id: 3}
