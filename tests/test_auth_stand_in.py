"""The stand-in's v2 session, token, trusted-auth and org routes over raw HTTP, as the documentation says."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from auth_methods import SECRET_KEY

from airflow_provider_tssession.error_body import parse_error_body
from airflow_provider_tssession.testing import (
    INFO_PATH,
    ORGS_PATH,
    TOKEN_FULL_PATH,
    TOKEN_LOGIN_PATH,
    TOKEN_REVOKE_PATH,
    TOKEN_VALIDATE_PATH,
    TRUSTED_TOKEN_PATH,
    V2_LOGIN_PATH,
    V2_LOGOUT_PATH,
    V2_USER_PATH,
    FakeThoughtSpot,
)
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

XRB = {"X-Requested-By": "ThoughtSpot"}
TEXT = {**XRB, "Accept": "text/plain"}


def post(server: FakeThoughtSpot, path: str, **kwargs: Any) -> requests.Response:
    return requests.post(server.url + path, timeout=5, **kwargs)


def mint(server: FakeThoughtSpot, **body: Any) -> dict[str, Any]:
    answer = post(
        server, TOKEN_FULL_PATH, json={"username": DEFAULT_USER, "password": DEFAULT_PASSWORD, **body}
    )
    assert answer.status_code == 200, answer.text
    minted: dict[str, Any] = answer.json()
    return minted


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error(answer: requests.Response) -> tuple[int, int | None, str | None]:
    details = parse_error_body(answer.text)
    return answer.status_code, details.code, details.message


def test_v2_login_takes_json_and_sets_the_session_cookies(cluster: FakeThoughtSpot) -> None:
    session = requests.Session()
    body = {
        "username": DEFAULT_USER,
        "password": DEFAULT_PASSWORD,
        "remember_me": "true",
        "org_identifier": 7,
    }
    assert session.post(cluster.url + V2_LOGIN_PATH, json=body, timeout=5).status_code == 204
    assert {"JSESSIONID", "clientId"} <= set(session.cookies.keys())
    user = session.get(cluster.url + V2_USER_PATH, timeout=5).json()
    assert (user["name"], user["current_org"]) == (DEFAULT_USER, {"id": 7, "name": "sales"})
    assert session.post(cluster.url + V2_LOGOUT_PATH, timeout=5).status_code == 204
    assert error(session.post(cluster.url + V2_LOGOUT_PATH, timeout=5))[:2] == (401, 10097)
    assert (cluster.logins, cluster.logouts) == (1, 1)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"data": {"username": DEFAULT_USER, "password": DEFAULT_PASSWORD}}, (415, 10002)),
        ({"json": {"username": DEFAULT_USER}}, (400, 10002)),
        ({"json": {"username": DEFAULT_USER, "password": "nope-nope"}}, (401, 10097)),
        (
            {"json": {"username": DEFAULT_USER, "password": DEFAULT_PASSWORD, "org_identifier": "hr"}},
            (400, 10002),
        ),
        (
            {"json": {"username": DEFAULT_USER, "password": DEFAULT_PASSWORD, "remember_me": "maybe"}},
            (400, 10002),
        ),
    ],
)
def test_v2_login_refusals(
    cluster: FakeThoughtSpot, kwargs: dict[str, Any], expected: tuple[int, int]
) -> None:
    assert error(post(cluster, V2_LOGIN_PATH, **kwargs))[:2] == expected


def test_v2_login_failures_lock_the_account() -> None:
    with FakeThoughtSpot({DEFAULT_USER: DEFAULT_PASSWORD}, lockout_threshold=2) as server:
        wrong = {"username": DEFAULT_USER, "password": "nope-nope"}
        assert [post(server, V2_LOGIN_PATH, json=wrong).status_code for _ in range(3)] == [401, 401, 403]
        right = {"username": DEFAULT_USER, "password": DEFAULT_PASSWORD}
        status, code, message = error(post(server, V2_LOGIN_PATH, json=right))
        assert (status, code) == (403, 10023) and message and "locked" in message
        assert server.failed_logins == 4


@pytest.mark.parametrize(
    ("nesting", "shape"),
    [
        (0, lambda m: {"code", "incident_id_guid", "trace_id_guid", "debug"} == set(m)),
        (1, lambda m: set(m) == {"debug"} and isinstance(m["debug"], str)),
        (2, lambda m: set(m["debug"]) == {"code", "debug"}),
    ],
)
def test_v2_errors_come_in_the_configured_nesting(nesting: int, shape: Any) -> None:
    with FakeThoughtSpot({DEFAULT_USER: DEFAULT_PASSWORD}, v2_error_nesting=nesting) as server:
        answer = post(server, V2_LOGIN_PATH, json={"username": DEFAULT_USER, "password": "nope-nope"})
    assert shape(answer.json()["error"]["message"])
    assert error(answer)[2] == "Authentication failed. Verify the username and password."


def test_a_token_expires_when_minted_to_however_busy_it_is(cluster: FakeThoughtSpot) -> None:
    token = mint(cluster, validity_time_in_sec=4)
    assert token["expiration_time_in_millis"] - token["creation_time_in_millis"] == 4000
    assert token["scope"]["access_type"] == "FULL" and token["valid_for_username"] == DEFAULT_USER
    deadline = time.monotonic() + 2.5  # well inside the 4 s, even on a loaded machine
    while time.monotonic() < deadline:  # activity does not extend a token
        assert requests.get(cluster.url + INFO_PATH, headers={**XRB, **bearer(token["token"])}, timeout=5).ok
        time.sleep(0.3)
    time.sleep(max(0.0, deadline + 1.6 - time.monotonic()))
    assert (
        requests.get(cluster.url + V2_USER_PATH, headers=bearer(token["token"]), timeout=5).status_code == 401
    )
    assert cluster.active_sessions == 0


def test_token_full_with_the_secret_key_which_wins_over_a_password(cluster: FakeThoughtSpot) -> None:
    token = mint(cluster, password="wrong-but-ignored", secret_key=SECRET_KEY, org_id=7)
    assert token["scope"]["org_id"] == 7
    answer = requests.get(cluster.url + V2_USER_PATH, headers=bearer(token["token"]), timeout=5)
    assert answer.json()["current_org"]["name"] == "sales"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"username": DEFAULT_USER}, (400, 10002)),
        ({"username": DEFAULT_USER, "password": "nope-nope"}, (401, 10097)),
        ({"username": DEFAULT_USER, "secret_key": "not-the-key"}, (401, 10097)),
        ({"username": "nobody", "secret_key": SECRET_KEY}, (401, 10097)),
        ({"username": DEFAULT_USER, "password": DEFAULT_PASSWORD, "org_id": 3}, (400, 10002)),
        ({"username": DEFAULT_USER, "password": DEFAULT_PASSWORD, "validity_time_in_sec": 0}, (400, 10002)),
    ],
)
def test_token_full_refusals(
    cluster: FakeThoughtSpot, body: dict[str, Any], expected: tuple[int, int]
) -> None:
    assert error(post(cluster, TOKEN_FULL_PATH, json=body))[:2] == expected
    assert cluster.logins == 0


def test_a_locked_account_gets_no_token(cluster: FakeThoughtSpot) -> None:
    cluster.lock_user(DEFAULT_USER)
    for secret in ({"password": DEFAULT_PASSWORD}, {"secret_key": SECRET_KEY}):
        answer = post(cluster, TOKEN_FULL_PATH, json={"username": DEFAULT_USER, **secret})
        assert error(answer)[:2] == (403, 10023)


def test_trusted_auth_off_refuses_secret_keys() -> None:
    with FakeThoughtSpot({DEFAULT_USER: DEFAULT_PASSWORD}) as server:
        answer = post(server, TOKEN_FULL_PATH, json={"username": DEFAULT_USER, "secret_key": SECRET_KEY})
        assert error(answer)[:2] == (403, 10023)
        form = {"secret_key": SECRET_KEY, "username": DEFAULT_USER, "access_level": "FULL"}
        assert post(server, TRUSTED_TOKEN_PATH, data=form, headers=TEXT).status_code == 500


def test_revoke_and_validate(cluster: FakeThoughtSpot) -> None:
    first, second = mint(cluster)["token"], mint(cluster)["token"]
    valid = post(cluster, TOKEN_VALIDATE_PATH, json={"token": second}, headers=bearer(first))
    assert valid.status_code == 200 and valid.json()["token_type"] == "BEARER"
    assert post(cluster, TOKEN_REVOKE_PATH, json={"token": second}, headers=bearer(first)).status_code == 204
    expired = post(cluster, TOKEN_VALIDATE_PATH, json={"token": second}, headers=bearer(first))
    assert error(expired) == (400, 10002, "The provided token has expired.")
    garbage = post(cluster, TOKEN_VALIDATE_PATH, json={"token": "garbage"}, headers=bearer(first))
    assert error(garbage) == (400, 10002, "The provided token is malformed and cannot be parsed.")
    assert post(cluster, TOKEN_REVOKE_PATH, headers=bearer(first)).status_code == 204  # no body: itself
    assert error(post(cluster, TOKEN_REVOKE_PATH, headers=bearer(first)))[:2] == (401, 10097)
    assert (cluster.logins, cluster.logouts, cluster.active_sessions) == (2, 2, 0)


def test_nobody_revokes_another_users_token(cluster: FakeThoughtSpot) -> None:
    cluster.add_user("analyst", "Analyst-Pass-1")
    theirs = mint(cluster)["token"]
    mine = post(cluster, TOKEN_FULL_PATH, json={"username": "analyst", "password": "Analyst-Pass-1"}).json()
    answer = post(cluster, TOKEN_REVOKE_PATH, json={"token": theirs}, headers=bearer(mine["token"]))
    assert error(answer)[:2] == (403, 10023)
    assert cluster.active_sessions == 2


def test_a_bearer_token_authenticates_v1_calls_and_wins_over_a_cookie(cluster: FakeThoughtSpot) -> None:
    session = requests.Session()
    session.post(cluster.url + V2_LOGIN_PATH, json={"username": DEFAULT_USER, "password": DEFAULT_PASSWORD})
    token = mint(cluster)["token"]
    assert session.get(cluster.url + INFO_PATH, headers={**XRB, **bearer(token)}, timeout=5).ok
    assert (
        session.get(cluster.url + INFO_PATH, headers={**XRB, **bearer("forged")}, timeout=5).status_code
        == 401
    )
    assert cluster.calls_per_session()[token] == 1


def test_trusted_auth_gives_a_text_token_that_logs_in_once(cluster: FakeThoughtSpot) -> None:
    form = {"secret_key": SECRET_KEY, "username": DEFAULT_USER, "access_level": "FULL", "orgid": "7"}
    assert (
        post(
            cluster, TRUSTED_TOKEN_PATH, data=form, headers={**XRB, "Accept": "application/json"}
        ).status_code
        == 406
    )
    answer = post(cluster, TRUSTED_TOKEN_PATH, data=form, headers=TEXT)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/plain"
    token = answer.text
    session = requests.Session()
    login = {"username": DEFAULT_USER, "auth_token": token, "no_url_redirection": "true"}
    assert session.post(cluster.url + TOKEN_LOGIN_PATH, data=login, headers=XRB, timeout=5).status_code == 204
    assert session.get(cluster.url + V2_USER_PATH, timeout=5).json()["current_org"]["id"] == 7
    again = requests.post(cluster.url + TOKEN_LOGIN_PATH, data=login, headers=XRB, timeout=5)
    assert error(again)[:2] == (401, 10003)


def test_trusted_login_without_no_url_redirection_redirects(cluster: FakeThoughtSpot) -> None:
    form = {"secret_key": SECRET_KEY, "username": DEFAULT_USER, "access_level": "FULL"}
    token = post(cluster, TRUSTED_TOKEN_PATH, data=form, headers=TEXT).text
    login = {"username": DEFAULT_USER, "auth_token": token, "redirect_url": "/#/home"}
    answer = post(cluster, TOKEN_LOGIN_PATH, data=login, headers=XRB, allow_redirects=False)
    assert (answer.status_code, answer.headers["Location"]) == (302, "/#/home")


@pytest.mark.parametrize(
    "form",
    [
        {"secret_key": "not-the-key", "username": DEFAULT_USER},
        {"secret_key": SECRET_KEY, "username": "nobody"},
    ],
)
def test_trusted_auth_failures_answer_500_like_clusters(
    cluster: FakeThoughtSpot, form: dict[str, str]
) -> None:
    assert post(cluster, TRUSTED_TOKEN_PATH, data=form, headers=TEXT).status_code == 500


def test_a_login_token_is_bound_to_its_user(cluster: FakeThoughtSpot) -> None:
    cluster.add_user("analyst", "Analyst-Pass-1")
    form = {"secret_key": SECRET_KEY, "username": "analyst"}
    token = post(cluster, TRUSTED_TOKEN_PATH, data=form, headers=TEXT).text
    login = {"username": DEFAULT_USER, "auth_token": token, "no_url_redirection": "true"}
    assert post(cluster, TOKEN_LOGIN_PATH, data=login, headers=XRB).status_code == 401


def test_switching_orgs_on_a_v1_session(cluster: FakeThoughtSpot) -> None:
    session = requests.Session()
    session.headers.update(XRB)
    session.post(cluster.url + V2_LOGIN_PATH, json={"username": DEFAULT_USER, "password": DEFAULT_PASSWORD})
    assert session.put(cluster.url + ORGS_PATH, data={"orgid": "7"}, timeout=5).status_code == 204
    assert session.get(cluster.url + V2_USER_PATH, timeout=5).json()["current_org"]["id"] == 7
    assert error(session.put(cluster.url + ORGS_PATH, data={"orgid": "3"}, timeout=5))[:2] == (400, 10002)
    assert (
        requests.put(cluster.url + ORGS_PATH, data={"orgid": "7"}, headers=XRB, timeout=5).status_code == 401
    )
    assert list(cluster.calls_per_session().values()) == [1]  # switching orgs is not a work call


def test_reset_forgets_tokens_but_keeps_trusted_auth(cluster: FakeThoughtSpot) -> None:
    token = mint(cluster)["token"]
    cluster.reset()
    assert requests.get(cluster.url + V2_USER_PATH, headers=bearer(token), timeout=5).status_code == 401
    assert mint(cluster, secret_key=SECRET_KEY)["token"]


def test_the_cli_turns_on_trusted_auth_and_orgs() -> None:
    repo = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (repo, os.environ.get("PYTHONPATH")) if p)}
    command = [sys.executable, "-m", "airflow_provider_tssession.testing", "--port", "0"]
    command += [
        "--user",
        f"{DEFAULT_USER}:{DEFAULT_PASSWORD}",
        "--secret-key",
        SECRET_KEY,
        "--org",
        "7:sales",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().rsplit(" ", 1)[-1].strip()
        body = {"username": DEFAULT_USER, "secret_key": SECRET_KEY, "org_id": 7}
        answer = requests.post(url + TOKEN_FULL_PATH, json=body, timeout=5)
        assert answer.status_code == 200 and answer.json()["scope"]["org_id"] == 7
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
