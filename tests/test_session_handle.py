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
    from airflow_provider_tssession._compat import redact  # what Airflow applies to task logs

    with ThoughtSpotHook(session_handle=handle) as hook:
        cookies = dict(hook.get_conn().cookies)
    assert len(cookies) == 2
    for value in cookies.values():
        assert redact(f"cookie={value}") == "cookie=***"


# Offline guessing (issue 13, item 4): what an XCom reader can do with a handle and a password list. ---------
def legacy_v1_handle(handle: dict[str, Any], state: dict[str, Any], password: str) -> dict[str, Any]:
    """A handle as versions before 0.2 sealed it: HKDF of the password, fixed salt, no stretching."""
    import base64

    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    base_url = f"http://{handle['host']}"
    info = "\0".join((handle["conn_id"], base_url, DEFAULT_USER)).encode()
    salt = b"airflow-provider-thoughtspot/session-handle/v1"
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(password.encode())
    plaintext = json.dumps({"state": state, "base_url": base_url, "login": DEFAULT_USER}).encode()
    sealed = Fernet(base64.urlsafe_b64encode(key)).encrypt(plaintext).decode()
    return {"kind": "thoughtspot_session", "version": 1, "conn_id": handle["conn_id"], "host": handle["host"],
            "sealed": sealed}  # fmt: skip


def state_of(handle: dict[str, Any]) -> dict[str, Any]:
    from airflow_provider_tssession.session_handle import open_handle

    return open_handle(handle, ThoughtSpotHook().settings)


def test_a_handle_of_an_older_version_is_refused_with_a_clear_error(
    ts: FakeThoughtSpot, handle: dict[str, Any]
) -> None:
    old = legacy_v1_handle(handle, state_of(handle), DEFAULT_PASSWORD)
    before = len(ts.requests)
    with pytest.raises(ThoughtSpotSessionHandleError, match="format version 1.*re-run the login task"):
        ThoughtSpotHook(session_handle=old).login()
    assert len(ts.requests) == before


def guess_opens(handle: dict[str, Any], guess: str, pepper: bytes | None) -> bool:
    """What an XCom reader can try offline: derive the key from a guessed password, try to decrypt."""
    import base64

    from cryptography.fernet import Fernet, InvalidToken

    from airflow_provider_tssession.session_handle import derive_key

    binding = "\0".join((handle["conn_id"], f"http://{handle['host']}", DEFAULT_USER)).encode()
    key = derive_key(guess, base64.urlsafe_b64decode(handle["salt"]), pepper, binding)
    try:
        Fernet(base64.urlsafe_b64encode(key)).decrypt(handle["sealed"].encode())
    except InvalidToken:
        return False
    return True


def test_with_a_fernet_key_even_the_right_password_does_not_open_a_handle(
    ts: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.fernet import Fernet

    fernet_key = Fernet.generate_key().decode()
    monkeypatch.setenv("AIRFLOW__CORE__FERNET_KEY", fernet_key)
    handle = ThoughtSpotHook().hand_off_session()
    assert handle["fernet_key"] is True and fernet_key not in json.dumps(handle)
    with ThoughtSpotHook(session_handle=handle) as hook:  # workers with the connection and the key: fine
        hook.request("GET", INFO)
    assert not guess_opens(handle, DEFAULT_PASSWORD, None)  # the password alone is not enough
    assert guess_opens(handle, DEFAULT_PASSWORD, fernet_key.encode())  # (the test's oracle is right)
    monkeypatch.setenv("AIRFLOW__CORE__FERNET_KEY", Fernet.generate_key().decode())
    with pytest.raises(ThoughtSpotSessionHandleError, match="fernet_key"):
        ThoughtSpotHook(session_handle=handle).login()
    monkeypatch.setenv("AIRFLOW__CORE__FERNET_KEY", "")
    with pytest.raises(ThoughtSpotSessionHandleError, match="give every worker the same fernet_key"):
        ThoughtSpotHook(session_handle=handle).login()


def test_without_a_fernet_key_each_guess_costs_a_memory_hard_derivation(
    ts: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_tssession import session_handle

    monkeypatch.setenv("AIRFLOW__CORE__FERNET_KEY", "")
    first, second = ThoughtSpotHook().hand_off_session(), ThoughtSpotHook().hand_off_session()
    assert first["fernet_key"] is False
    assert first["salt"] != second["salt"]  # no precomputed table serves two handles
    assert guess_opens(first, DEFAULT_PASSWORD, None) and not guess_opens(first, "password123", None)
    calls: list[int] = []
    real_scrypt = session_handle.hashlib.scrypt

    def counted(*args: Any, **kwargs: Any) -> bytes:
        calls.append(kwargs["n"] * kwargs["r"])
        return real_scrypt(*args, **kwargs)

    monkeypatch.setattr(session_handle.hashlib, "scrypt", counted)
    for guess in ("123456", "password", "letmein"):
        assert not guess_opens(first, guess, None)
    assert calls == [2**15 * 8] * 3  # one 32 MiB scrypt per guess (bench/handle_guess.py: its cost)
