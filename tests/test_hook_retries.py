"""Retries, timeouts, lockout safety and session expiry, each over real HTTP against the stand-in."""

from __future__ import annotations

import pytest

from airflow_provider_tssession.exceptions import (
    ThoughtSpotApiError,
    ThoughtSpotAuthError,
    ThoughtSpotConnectionError,
)
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import (
    ASSIGN_TAG_PATH,
    INFO_PATH,
    LOGIN_PATH,
    METADATA_LIST_PATH,
    FakeThoughtSpot,
)
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_USER

INFO = "/tspublic/v1/session/info"


def test_a_wrong_password_reaches_the_server_exactly_once(
    fake_thoughtspot: FakeThoughtSpot,
    use_connection,  # type: ignore[no-untyped-def]
) -> None:
    use_connection(fake_thoughtspot, password="Wrong-Pass-987", extra={"retry_limit": 5})
    with pytest.raises(ThoughtSpotAuthError) as caught, ThoughtSpotHook():
        pass
    message = str(caught.value)
    assert f"user {DEFAULT_USER!r}" in message and fake_thoughtspot.url.split("//")[1] in message
    assert "Not retried" in message and "lock the account" in message
    assert caught.value.status_code == 401 and caught.value.code == 10003
    # A second hook in this process (a retry of the task, a Test button) does not spend another attempt.
    with pytest.raises(ThoughtSpotAuthError, match="already rejected"):
        ThoughtSpotHook().login()
    assert fake_thoughtspot.count(LOGIN_PATH) == 1
    assert fake_thoughtspot.failed_logins == 1


def test_a_locked_account_is_one_request_with_a_clear_reason(ts: FakeThoughtSpot) -> None:
    ts.lock_user(DEFAULT_USER)
    with pytest.raises(ThoughtSpotAuthError, match="locked") as caught:
        ThoughtSpotHook().login()
    assert caught.value.status_code == 403 and caught.value.code == 10023
    assert ts.count(LOGIN_PATH) == 1


def test_503_503_204_logs_in_on_the_third_attempt(ts: FakeThoughtSpot) -> None:
    ts.fail_next(LOGIN_PATH, 503, times=2)
    with ThoughtSpotHook() as hook:
        hook.request("GET", INFO)
    assert ts.count(LOGIN_PATH) == 3
    assert ts.logins == 1


def test_the_final_error_says_how_many_attempts_failed(ts: FakeThoughtSpot) -> None:
    ts.fail_next(LOGIN_PATH, 502, times=5)
    with pytest.raises(ThoughtSpotApiError, match="502.*Gave up after 3 attempts") as caught:
        ThoughtSpotHook().login()
    assert caught.value.attempts == 3
    assert ts.count(LOGIN_PATH) == 3


@pytest.mark.parametrize("status", [400, 415])
def test_bad_request_at_login_is_not_retried(ts: FakeThoughtSpot, status: int) -> None:
    ts.fail_next(LOGIN_PATH, status, times=3)
    with pytest.raises(ThoughtSpotApiError) as caught:
        ThoughtSpotHook().login()
    assert caught.value.status_code == status
    assert ts.count(LOGIN_PATH) == 1


def test_retry_after_is_honoured(ts: FakeThoughtSpot) -> None:
    ts.fail_next(LOGIN_PATH, 429, retry_after="1")
    ThoughtSpotHook().login()
    first, second = (r.time for r in ts.requests if r.path == LOGIN_PATH)
    assert second - first >= 0.95


def test_a_dropped_connection_is_retried(ts: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook:
        ts.drop_next(INFO_PATH)
        assert hook.request("GET", INFO).json()["userName"] == DEFAULT_USER
    assert ts.count(INFO_PATH) == 2


def test_a_hung_server_is_bounded_by_the_timeout(fake_thoughtspot: FakeThoughtSpot, use_connection) -> None:  # type: ignore[no-untyped-def]
    use_connection(fake_thoughtspot, extra={"timeout": 0.3, "retry_limit": 2})
    with ThoughtSpotHook() as hook:
        fake_thoughtspot.delay_next(INFO_PATH, 2.0, times=2)
        with pytest.raises(
            ThoughtSpotConnectionError, match=r"no answer within 0\.3s.*Gave up after 2"
        ) as caught:
            hook.request("GET", INFO)
    assert caught.value.attempts == 2  # the stand-in logs a request once answered, after the client gave up


def test_connection_refused_is_retried_then_explained(use_connection) -> None:  # type: ignore[no-untyped-def]
    server = FakeThoughtSpot().start()
    server.stop()  # a port nobody listens on any more
    use_connection(server, extra={"retry_limit": 2})
    with pytest.raises(ThoughtSpotConnectionError, match="could not connect.*Gave up after 2 attempts"):
        ThoughtSpotHook().login()


def test_a_post_is_not_replayed_after_a_server_error(ts: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook:
        ts.fail_next(ASSIGN_TAG_PATH, 503, times=2)
        with pytest.raises(ThoughtSpotApiError, match="503"):
            hook.request("POST", "/tspublic/v1/metadata/assigntag", data={"id": "a", "tag": "t"})
        assert ts.count(ASSIGN_TAG_PATH) == 1
        # ...unless the caller says replaying it is safe,
        hook.request("POST", "/tspublic/v1/metadata/assigntag", data={"id": "a", "tag": "t"}, idempotent=True)
        assert ts.count(ASSIGN_TAG_PATH) == 3
        # ...and a 429 (the server refused before acting) is always retried.
        ts.fail_next(ASSIGN_TAG_PATH, 429, retry_after="0")
        hook.request("POST", "/tspublic/v1/metadata/assigntag", data={"id": "a", "tag": "t"})
        assert ts.count(ASSIGN_TAG_PATH) == 5


def test_retry_false_sends_a_call_exactly_once_whatever_happens(ts: FakeThoughtSpot) -> None:
    tag = {"id": "a", "tag": "t"}
    with ThoughtSpotHook() as hook:
        ts.fail_next(ASSIGN_TAG_PATH, 429, retry_after="0")  # retried by default: the server did not act
        with pytest.raises(ThoughtSpotApiError, match="429") as caught:
            hook.request("POST", "/tspublic/v1/metadata/assigntag", data=tag, retry=False)
        assert caught.value.attempts == 1 and ts.count(ASSIGN_TAG_PATH) == 1
        ts.fail_next(METADATA_LIST_PATH, 503)
        with pytest.raises(ThoughtSpotApiError, match="503"):
            hook.request("GET", "/tspublic/v1/metadata/list", retry=False)
        assert ts.count(METADATA_LIST_PATH) == 1
        ts.expire_all_sessions()  # a 401 is not replayed either; the next call logs in again
        with pytest.raises(ThoughtSpotApiError) as caught:
            hook.request("POST", "/tspublic/v1/metadata/assigntag", data=tag, retry=False)
        assert caught.value.status_code == 401 and ts.count(ASSIGN_TAG_PATH) == 2
        hook.request("GET", INFO)
    assert ts.logins == 2


def test_a_get_is_retried_after_a_server_error(ts: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook:
        ts.fail_next(METADATA_LIST_PATH, 500)
        ts.fail_next(METADATA_LIST_PATH, 504)
        assert hook.request("GET", "/tspublic/v1/metadata/list").json()["headers"]
    assert ts.count(METADATA_LIST_PATH) == 3


def test_session_expiry_gives_exactly_one_relogin(
    ts: FakeThoughtSpot, capsys: pytest.CaptureFixture[str]
) -> None:
    with ThoughtSpotHook() as hook:
        hook.request("GET", INFO)
        ts.expire_all_sessions()
        assert hook.request("GET", INFO).json()["userName"] == DEFAULT_USER
        hook.request("GET", INFO)
    assert (ts.logins, ts.logouts, ts.active_sessions) == (2, 1, 0)
    assert "has ended (401); logging in again" in capsys.readouterr().out
    assert sorted(ts.calls_per_session().values()) == [1, 2]


def test_a_401_right_after_a_fresh_login_is_raised_not_looped(ts: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook:
        ts.fail_next(INFO_PATH, 401, times=2)
        with pytest.raises(ThoughtSpotApiError) as caught:
            hook.request("GET", INFO)
    assert caught.value.status_code == 401
    assert ts.logins == 2
    assert ts.count(INFO_PATH) == 2


def test_maintenance_page_with_200_is_a_clear_failure(ts: FakeThoughtSpot) -> None:
    page = "<html><head><title>Cluster under maintenance</title></head><body>Back soon</body></html>"
    ts.fail_next(LOGIN_PATH, 200, body=page, content_type="text/html")
    with pytest.raises(ThoughtSpotApiError, match="maintenance"):
        ThoughtSpotHook().login()
    assert ts.count(LOGIN_PATH) == 1


def test_html_error_pages_are_summarised(ts: FakeThoughtSpot) -> None:
    page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    with ThoughtSpotHook() as hook:
        ts.fail_next(METADATA_LIST_PATH, 502, times=3, body=page, content_type="text/html")
        with pytest.raises(ThoughtSpotApiError, match="an HTML page titled '502 Bad Gateway'"):
            hook.request("GET", "/tspublic/v1/metadata/list")
