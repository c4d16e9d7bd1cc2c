"""Every authentication method through the hook over real HTTP: login, v1 and v2 calls, handles, logout."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from urllib.parse import parse_qs

import pytest
import requests
from auth_methods import LOGIN_PATHS, LOGOUT_PATHS, SECRET_KEY, secrets_seen, with_extra

from airflow_provider_tssession.exceptions import ThoughtSpotApiError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import (
    INFO_PATH,
    LOGIN_PATH,
    ORGS_PATH,
    TOKEN_FULL_PATH,
    TOKEN_LOGIN_PATH,
    TOKEN_REVOKE_PATH,
    TRUSTED_TOKEN_PATH,
    V2_LOGIN_PATH,
    V2_USER_PATH,
    FakeThoughtSpot,
)
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

INFO = "/tspublic/v1/session/info"
USER = "/api/rest/2.0/auth/session/user"


def body_of(server: FakeThoughtSpot, path: str) -> dict[str, object]:
    record = next(r for r in server.requests if r.path == path)
    if record.headers.get("Content-Type", "").startswith("application/json"):
        loaded: dict[str, object] = json.loads(record.body)
        return loaded
    return {key: values[0] for key, values in parse_qs(record.body.decode()).items()}


def test_every_method_logs_in_calls_v1_and_v2_and_logs_out(
    auth_method: str, cluster: FakeThoughtSpot
) -> None:
    with ThoughtSpotHook() as hook:
        assert hook.owns_session
        assert hook.request("GET", INFO).json()["userName"] == DEFAULT_USER
        assert hook.request("GET", USER).json()["name"] == DEFAULT_USER
    assert (cluster.logins, cluster.logouts, cluster.active_sessions) == (1, 1, 0)
    assert list(cluster.calls_per_session().values()) == [2]  # both calls on one session or token
    assert cluster.count(LOGIN_PATHS[auth_method]) == 1
    assert cluster.count(LOGOUT_PATHS[auth_method]) == 1


def test_every_method_passes_the_test_button(auth_method: str, cluster: FakeThoughtSpot) -> None:
    assert ThoughtSpotHook().test_connection() == (True, "Connection successfully tested")
    assert (cluster.logins, cluster.logouts, cluster.active_sessions) == (1, 1, 0)
    checked = V2_USER_PATH if auth_method in ("v2_session", "token", "token_secret") else INFO_PATH
    assert cluster.count(checked) == 1


def test_every_method_hands_its_session_to_other_tasks(auth_method: str, cluster: FakeThoughtSpot) -> None:
    handle = ThoughtSpotHook().hand_off_session()
    text = json.dumps(handle)
    for secret in secrets_seen(cluster):
        assert secret not in text
    for _ in range(2):
        with ThoughtSpotHook(session_handle=handle) as hook:
            assert not hook.owns_session
            hook.request("GET", USER)
    assert (cluster.logins, cluster.logouts, cluster.active_sessions) == (1, 0, 1)
    assert list(cluster.calls_per_session().values()) == [2]
    closing = ThoughtSpotHook(session_handle=handle)
    closing.login()
    closing.logout(strict=True)
    assert (cluster.logouts, cluster.active_sessions) == (1, 0)


def test_every_method_keeps_credentials_out_of_logs(
    auth_method: str, cluster: FakeThoughtSpot, secret_free: Callable[..., None]
) -> None:
    with ThoughtSpotHook() as hook:
        hook.request("GET", INFO)
        text = repr(hook) + repr(hook.settings)
    secrets = secrets_seen(cluster)
    assert len(secrets) >= 3
    for secret in secrets:
        assert secret not in text
    secret_free(*secrets)


def test_v2_session_login_sends_json_with_the_org(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **with_extra("v2_session", org_identifier="sales", remember_me=True))
    with ThoughtSpotHook() as hook:
        assert hook.request("GET", USER).json()["current_org"] == {"id": 7, "name": "sales"}
    assert body_of(cluster, V2_LOGIN_PATH) == {
        "username": DEFAULT_USER,
        "password": DEFAULT_PASSWORD,
        "remember_me": True,
        "org_identifier": "sales",
    }


def test_v2_session_takes_an_org_id_as_its_identifier(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **with_extra("v2_session", org_id=7))
    with ThoughtSpotHook() as hook:
        assert hook.request("GET", USER).json()["current_org"]["id"] == 7
    assert body_of(cluster, V2_LOGIN_PATH)["org_identifier"] == "7"


def test_v1_session_switches_to_the_org_after_login(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **with_extra("v1_session", org_id=7))
    with ThoughtSpotHook() as hook:
        assert hook.request("GET", USER).json()["current_org"]["id"] == 7
    paths = [r.path for r in cluster.requests]
    assert paths.index(LOGIN_PATH) < paths.index(ORGS_PATH) < paths.index(V2_USER_PATH)
    assert body_of(cluster, ORGS_PATH) == {"orgid": "7"}


def test_an_org_the_user_cannot_enter_fails_clearly_and_leaves_no_session(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **with_extra("v1_session", org_id=99))
    with pytest.raises(ThoughtSpotApiError, match=r"switching to org 99 failed.*extra\.org_id") as caught:
        ThoughtSpotHook().login()
    assert caught.value.status_code == 400
    assert (cluster.logins, cluster.logouts, cluster.active_sessions) == (1, 1, 0)


def test_bearer_token_is_sent_on_v1_and_v2_paths(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **with_extra("token", org_id=7, token_validity=900))
    with ThoughtSpotHook() as hook:
        token = hook.get_conn().headers["Authorization"]
        hook.request("GET", INFO)
        assert hook.request("GET", USER).json()["current_org"]["id"] == 7
    assert body_of(cluster, TOKEN_FULL_PATH) == {
        "username": DEFAULT_USER,
        "password": DEFAULT_PASSWORD,
        "validity_time_in_sec": 900,
        "org_id": 7,
    }
    minting = next(r for r in cluster.requests if r.path == TOKEN_FULL_PATH)
    assert "Authorization" not in minting.headers and "Cookie" not in minting.headers
    work = [r for r in cluster.requests if r.path in (INFO_PATH, V2_USER_PATH)]
    assert [r.headers["Authorization"] for r in work] == [token, token]
    assert all("Cookie" not in r.headers for r in work)  # no session cookie: the token does it all
    assert body_of(cluster, TOKEN_REVOKE_PATH) == {"token": token.removeprefix("Bearer ")}


def test_tokens_minted_with_the_secret_key_never_send_a_password(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **{**with_extra("token_secret"), "password": "Unused-Pass-1"})
    with ThoughtSpotHook() as hook:
        hook.request("GET", INFO)
    assert body_of(cluster, TOKEN_FULL_PATH) == {
        "username": DEFAULT_USER,
        "secret_key": SECRET_KEY,
        "validity_time_in_sec": 300,
    }
    assert all(b"Unused-Pass-1" not in r.body for r in cluster.requests)


def test_a_token_is_renewed_before_it_expires(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Renewal is due 3 s after minting; the margins are wide so a loaded machine cannot cause a third mint.
    use_connection(cluster, **with_extra("token", token_validity=60, token_renew_before=57))
    with ThoughtSpotHook() as hook:
        first = hook.get_conn().headers["Authorization"]
        hook.request("GET", INFO)
        time.sleep(3.2)  # inside the lead time: the next call renews first
        hook.request("GET", INFO)
        second = hook.get_conn().headers["Authorization"]
        hook.get_conn().get(cluster.url + INFO_PATH, timeout=5).raise_for_status()  # plain session use too
    assert first != second
    mints = cluster.count(TOKEN_FULL_PATH)
    assert mints >= 2
    assert all(r.status < 400 for r in cluster.requests)  # no call ever met an expired token
    assert (
        cluster.count(TOKEN_REVOKE_PATH) == mints
    )  # each replaced token at renewal, the current one at exit
    assert (cluster.logins, cluster.logouts, cluster.active_sessions) == (mints, mints, 0)
    assert "Renewing the ThoughtSpot bearer token" in capsys.readouterr().out


def test_a_task_that_renews_a_shared_token_revokes_only_its_own(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **with_extra("token", token_validity=60, token_renew_before=57))
    handle = ThoughtSpotHook().hand_off_session()
    time.sleep(3.2)
    with ThoughtSpotHook(session_handle=handle) as hook:
        assert not hook.owns_session
        hook.request("GET", INFO)
        assert hook.owns_session  # the renewed token is this task's
    mints = cluster.count(TOKEN_FULL_PATH)
    assert mints >= 2
    assert (cluster.logouts, cluster.active_sessions) == (
        mints - 1,
        1,
    )  # its own tokens revoked, the shared one kept


def test_the_token_is_dead_after_exit(cluster: FakeThoughtSpot, use_connection: Callable[..., str]) -> None:
    use_connection(cluster, **with_extra("token"))
    with ThoughtSpotHook() as hook:
        token = hook.get_conn().headers["Authorization"]
    answer = requests.get(cluster.url + V2_USER_PATH, headers={"Authorization": token}, timeout=5)
    assert answer.status_code == 401


def test_trusted_login_asks_for_a_text_token_and_never_redirects(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **with_extra("trusted", org_id=7))
    with ThoughtSpotHook() as hook:
        assert hook.request("GET", USER).json()["current_org"]["id"] == 7
    asking = next(r for r in cluster.requests if r.path == TRUSTED_TOKEN_PATH)
    assert asking.headers["Accept"] == "text/plain"
    assert body_of(cluster, TRUSTED_TOKEN_PATH) == {
        "secret_key": SECRET_KEY,
        "username": DEFAULT_USER,
        "access_level": "FULL",
        "orgid": "7",
    }
    login = body_of(cluster, TOKEN_LOGIN_PATH)
    assert login["no_url_redirection"] == "true" and login["username"] == DEFAULT_USER
    assert sum(SECRET_KEY.encode() in r.body for r in cluster.requests) == 1  # only to session/auth/token
    assert cluster.count(ORGS_PATH) == 0  # the org comes with the token
