"""Session handles: usable by anyone who can read the connection, useless and clearly refused otherwise."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_tssession.exceptions import ThoughtSpotSessionHandleError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

INFO = "/tspublic/v1/session/info"


@pytest.fixture
def handle(ts: FakeThoughtSpot) -> dict[str, Any]:
    return ThoughtSpotHook().hand_off_session()


def test_handle_is_small_json_and_holds_no_secret(ts: FakeThoughtSpot, handle: dict[str, Any]) -> None:
    text = json.dumps(handle)
    assert len(text) < 2000
    with ThoughtSpotHook(session_handle=handle) as hook:
        cookies = dict(hook.get_conn().cookies)
    assert cookies["JSESSIONID"] and cookies["clientId"]
    for secret in (*cookies.values(), DEFAULT_PASSWORD):
        assert secret not in text
    assert (handle["conn_id"], handle["kind"]) == ("thoughtspot_default", "thoughtspot_session")


def test_adopting_a_handle_reuses_the_session_without_logging_in_or_out(
    ts: FakeThoughtSpot, handle: dict[str, Any]
) -> None:
    for _ in range(3):
        with ThoughtSpotHook(session_handle=handle) as hook:
            assert not hook.owns_session
            assert hook.request("GET", INFO).json()["userName"] == DEFAULT_USER
    assert (ts.logins, ts.logouts, ts.active_sessions) == (1, 0, 1)
    assert list(ts.calls_per_session().values()) == [3]


def test_the_handle_works_when_templated_to_a_string(ts: FakeThoughtSpot, handle: dict[str, Any]) -> None:
    for rendered in (json.dumps(handle), str(handle)):  # JSON, or Jinja's rendering of a dict
        with ThoughtSpotHook(session_handle=rendered) as hook:
            hook.request("GET", INFO)
    assert ts.logins == 1


def tampered(handle: dict[str, Any]) -> dict[str, Any]:
    sealed = handle["sealed"]
    flipped = sealed[:40] + ("A" if sealed[40] != "A" else "B") + sealed[41:]
    return {**handle, "sealed": flipped}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (tampered, "cannot be decrypted"),
        (lambda h: {**h, "sealed": h["sealed"][: len(h["sealed"]) // 2]}, "cannot be decrypted"),
        (lambda h: json.dumps(h)[:60], "expected the dict"),
        (lambda h: {**h, "conn_id": "other_conn"}, "made for connection 'other_conn'"),
        (lambda h: {**h, "host": "evil.example.com"}, "made for connection"),
        (lambda h: {"kind": "something_else"}, "not a session handle"),
        (lambda h: 42, "expected the dict"),
    ],
)
def test_a_bad_handle_is_refused_before_any_request(
    ts: FakeThoughtSpot, handle: dict[str, Any], change: Callable[[dict[str, Any]], Any], reason: str
) -> None:
    before = len(ts.requests)
    bad = change(handle)
    with pytest.raises(ThoughtSpotSessionHandleError, match=reason) as caught:
        ThoughtSpotHook(session_handle=bad).login()
    assert "re-run the login task" in str(caught.value)
    assert len(ts.requests) == before


def test_a_handle_for_another_connection_with_the_same_password_is_refused(
    ts: FakeThoughtSpot, handle: dict[str, Any], use_connection: Callable[..., str]
) -> None:
    use_connection(ts, conn_id="thoughtspot_other")
    with pytest.raises(ThoughtSpotSessionHandleError, match="made for connection 'thoughtspot_default'"):
        ThoughtSpotHook("thoughtspot_other", session_handle=handle).login()
    forged = {**handle, "conn_id": "thoughtspot_other"}  # relabelled: the key differs, so it will not open
    with pytest.raises(ThoughtSpotSessionHandleError, match="cannot be decrypted"):
        ThoughtSpotHook("thoughtspot_other", session_handle=forged).login()


def test_rotating_the_password_makes_old_handles_unreadable(
    ts: FakeThoughtSpot, handle: dict[str, Any], use_connection: Callable[..., str]
) -> None:
    ts.add_user(DEFAULT_USER, "Rotated-Pass-555")
    use_connection(ts, password="Rotated-Pass-555")
    with pytest.raises(ThoughtSpotSessionHandleError, match="password changed"):
        ThoughtSpotHook(session_handle=handle).login()


def test_logout_with_a_handle_ends_the_shared_session(ts: FakeThoughtSpot, handle: dict[str, Any]) -> None:
    hook = ThoughtSpotHook(session_handle=handle)
    hook.login()
    hook.logout(strict=True)
    assert (ts.logouts, ts.active_sessions) == (1, 0)
    # An already-ended session is success, also in strict mode.
    again = ThoughtSpotHook(session_handle=handle)
    again.login()
    again.logout(strict=True)
    assert ts.logouts == 1


def test_cookies_are_registered_with_airflows_secret_masker(
    ts: FakeThoughtSpot, handle: dict[str, Any]
) -> None:
    from airflow.sdk.log import redact  # what Airflow applies to task logs in supervised task runs

    with ThoughtSpotHook(session_handle=handle) as hook:
        cookies = dict(hook.get_conn().cookies)
    assert len(cookies) == 2
    for value in cookies.values():
        assert redact(f"cookie={value}") == "cookie=***"
