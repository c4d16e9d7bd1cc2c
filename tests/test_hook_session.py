"""The hook against the stand-in over real HTTP: login, calls, logout, context manager, test button."""

from __future__ import annotations

import pytest

from airflow_provider_tssession.exceptions import ThoughtSpotApiError, ThoughtSpotRequestError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import (
    ASSIGN_TAG_PATH,
    INFO_PATH,
    LOGIN_PATH,
    LOGOUT_PATH,
    METADATA_LIST_PATH,
    FakeThoughtSpot,
)
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER


def test_login_info_logout(ts: FakeThoughtSpot) -> None:
    with ThoughtSpotHook("thoughtspot_default") as hook:
        info = hook.request("GET", "/tspublic/v1/session/info").json()
        listing = hook.request("GET", "/tspublic/v1/metadata/list", params={"type": "LOGICAL_TABLE"}).json()
    assert info["userName"] == DEFAULT_USER
    assert listing["headers"]
    assert (ts.logins, ts.logouts, ts.active_sessions) == (1, 1, 0)
    assert list(ts.calls_per_session().values()) == [2]


def test_login_sends_the_documented_form_and_headers(ts: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook:
        hook.request("GET", "/tspublic/v1/session/info")
    login = next(r for r in ts.requests if r.path == LOGIN_PATH)
    headers = {k.lower(): v for k, v in login.headers.items()}
    assert headers["x-requested-by"] == "ThoughtSpot"
    assert headers["accept"] == "application/json"
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert b"rememberme=false" in login.body
    info = next(r for r in ts.requests if r.path == INFO_PATH)
    assert info.session_id is not None


def test_login_is_idempotent_and_get_conn_is_the_same_session(ts: FakeThoughtSpot) -> None:
    hook = ThoughtSpotHook()
    assert hook.login() is hook.login() is hook.get_conn()
    hook.logout()
    hook.logout()
    assert (ts.logins, ts.logouts) == (1, 1)


def test_remember_me_extra_is_sent(fake_thoughtspot: FakeThoughtSpot, use_connection) -> None:  # type: ignore[no-untyped-def]
    use_connection(fake_thoughtspot, extra={"remember_me": "true"})
    with ThoughtSpotHook():
        pass
    login = next(r for r in fake_thoughtspot.requests if r.path == LOGIN_PATH)
    assert b"rememberme=true" in login.body


def test_context_manager_logs_out_and_propagates_the_error(ts: FakeThoughtSpot) -> None:
    with pytest.raises(KeyError, match="from the task"), ThoughtSpotHook():
        raise KeyError("from the task")
    assert (ts.logins, ts.logouts, ts.active_sessions) == (1, 1, 0)


def test_a_failing_logout_never_hides_the_task_error(
    ts: FakeThoughtSpot, capsys: pytest.CaptureFixture[str]
) -> None:
    ts.fail_next(LOGOUT_PATH, 500, times=10)
    with pytest.raises(KeyError, match="from the task"), ThoughtSpotHook():
        raise KeyError("from the task")
    assert ts.count(LOGOUT_PATH) == 3  # the default retry_limit, then it gives up quietly
    assert "Logout from" in capsys.readouterr().out


def test_a_failing_logout_is_logged_not_raised(ts: FakeThoughtSpot) -> None:
    ts.fail_next(LOGOUT_PATH, 400)
    with ThoughtSpotHook() as hook:
        hook.request("GET", INFO_PATH.removeprefix("/callosum/v1"))
    assert ts.count(LOGOUT_PATH) == 1


def test_errors_carry_status_code_message_and_incident(ts: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook, pytest.raises(ThoughtSpotApiError) as caught:
        hook.request("GET", "/tspublic/v1/no/such/thing")
    error = caught.value
    assert error.status_code == 404
    assert error.code == 10002
    assert error.incident_id
    assert "/callosum/v1/tspublic/v1/no/such/thing" in str(error)


def test_endpoints_map_to_their_documented_bases(ts: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook:
        assert hook.request("GET", "/api/rest/2.0/auth/session/user").json()["name"] == DEFAULT_USER
        assert hook.request("GET", "tspublic/v1/session/info").ok
        assert hook.request("GET", f"{ts.url}/callosum/v1/tspublic/v1/session/info").ok
    paths = [r.path for r in ts.requests]
    assert paths.count(INFO_PATH) == 2
    assert "/api/rest/2.0/auth/session/user" in paths


def test_a_full_url_on_another_host_is_refused_before_sending(ts: FakeThoughtSpot) -> None:
    other = FakeThoughtSpot(users={DEFAULT_USER: DEFAULT_PASSWORD}).start()
    try:
        with ThoughtSpotHook() as hook, pytest.raises(ThoughtSpotRequestError, match="another host"):
            hook.request("GET", f"{other.url}/callosum/v1/tspublic/v1/session/info")
    finally:
        other.stop()
    assert other.requests == []


def test_post_with_form_data(ts: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook:
        response = hook.request("POST", "/tspublic/v1/metadata/assigntag", data={"id": "a1", "tag": "daily"})
    assert response.status_code == 204
    assert ts.count(ASSIGN_TAG_PATH) == 1


def test_per_call_timeout_overrides_the_connection(ts: FakeThoughtSpot) -> None:
    ts.delay_next(METADATA_LIST_PATH, 1.0)
    with (
        ThoughtSpotHook() as hook,
        pytest.raises(ThoughtSpotApiError.__mro__[1], match="no answer within 0.2s"),
    ):
        hook.request("GET", "/tspublic/v1/metadata/list", timeout=0.2, idempotent=False)


def test_test_connection_succeeds_and_leaves_no_session(ts: FakeThoughtSpot) -> None:
    assert ThoughtSpotHook().test_connection() == (True, "Connection successfully tested")
    assert (ts.logins, ts.logouts, ts.active_sessions) == (1, 1, 0)


def test_test_connection_reports_the_reason_without_secrets(
    fake_thoughtspot: FakeThoughtSpot, use_connection
) -> None:  # type: ignore[no-untyped-def]
    use_connection(fake_thoughtspot, password="Wrong-Pass-987")
    ok, message = ThoughtSpotHook().test_connection()
    assert not ok
    assert "refused the login of user 'tsadmin'" in message
    assert "Wrong-Pass-987" not in message
    assert fake_thoughtspot.count(LOGIN_PATH) == 1


def test_test_connection_makes_one_short_attempt(ts: FakeThoughtSpot) -> None:
    ts.fail_next(LOGIN_PATH, 503, times=5)
    ok, message = ThoughtSpotHook().test_connection()
    assert not ok and "503" in message
    assert ts.count(LOGIN_PATH) == 1


def test_repr_and_settings_hide_the_password(ts: FakeThoughtSpot) -> None:
    hook = ThoughtSpotHook()
    with hook:
        cookie = hook.get_conn().cookies.get("JSESSIONID")
        assert cookie
        text = repr(hook) + repr(hook.settings) + str(vars(hook.settings))
    assert DEFAULT_PASSWORD not in repr(hook.settings)
    assert cookie not in text
