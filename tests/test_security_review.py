"""The holes a hostile review found (issue 13), each shown over real HTTP, most against a hostile server.

Each test fails on the code before the fix. The lockout under a real executor (each try its own process)
is in test_e2e_local_executor.py; docs/faults.md ("Hostile servers and inputs") lists every case.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_plus

import pytest
from auth_methods import with_extra
from hostile_servers import Seen, Writer, hostile, logged_in

from airflow_provider_tssession._compat import AirflowFailException
from airflow_provider_tssession.auth import lockout
from airflow_provider_tssession.exceptions import ThoughtSpotAuthError, ThoughtSpotError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import (
    LOGIN_PATH,
    TOKEN_LOGIN_PATH,
    TRUSTED_TOKEN_PATH,
    FakeThoughtSpot,
)
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_USER

REPO = Path(__file__).resolve().parent.parent
WRONG = "Wrong-Pass-13"


def rejected_logins(server: FakeThoughtSpot, user: str) -> int:
    return sum(1 for r in server.requests if r.status in (401, 403, 500) and user.encode() in r.body)


# Item 2: a rejected login fails the task without Airflow retries. ----------------------------------------
def test_a_rejected_login_is_an_airflow_fail_exception(
    fake_thoughtspot: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(fake_thoughtspot, password=WRONG)
    with pytest.raises(ThoughtSpotAuthError) as first:
        ThoughtSpotHook().login()
    with pytest.raises(ThoughtSpotAuthError) as again:  # the remembered rejection, without a request
        ThoughtSpotHook().login()
    for caught in (first, again):
        assert isinstance(caught.value, AirflowFailException)
        assert "Not retried, neither now nor by Airflow" in str(caught.value) or "already" in str(
            caught.value
        )
    assert fake_thoughtspot.count(LOGIN_PATH) == 1


def test_every_kind_of_task_fails_once_without_its_retries(
    airflow_db: Path, fake_thoughtspot: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    from airflow_provider_tssession._compat import DagBag

    users = {}
    for task_id, conn_id in (
        ("login", "ts_rejected_login"),
        ("api", "ts_rejected_api"),
        ("hook_task", "ts_rejected_hook"),
    ):
        users[task_id] = f"user_{task_id}"
        fake_thoughtspot.add_user(users[task_id], "Right-Pass-13")
        use_connection(fake_thoughtspot, conn_id=conn_id, login=users[task_id], password=WRONG)
    dag = DagBag(str(REPO / "tests" / "dags")).dags["ts_rejected_login_retries"]
    run = dag.test()
    assert run.state == "failed"
    with create_session() as session:
        tries = {
            ti.task_id: (ti.state, ti.try_number)
            for ti in session.query(TaskInstance).filter(TaskInstance.run_id == run.run_id)
        }
    assert tries == dict.fromkeys(users, ("failed", 1))
    for user in users.values():
        assert rejected_logins(fake_thoughtspot, user) == 1


# Item 6: a lock is remembered only as long as ThoughtSpot locks, and called a lock. -------------------------
def test_a_lock_is_remembered_for_account_lock_seconds_then_tried_again(
    ts: FakeThoughtSpot, use_connection: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_connection(ts, extra={"account_lock_seconds": 600})
    now = [1000.0]
    monkeypatch.setattr(lockout, "monotonic", lambda: now[0])
    ts.lock_user(DEFAULT_USER)
    with pytest.raises(ThoughtSpotAuthError, match="account is locked") as caught:
        ThoughtSpotHook().login()
    assert "Fix the connection's Login or Password" not in str(caught.value)
    assert "may well be right" in str(caught.value)
    ok, message = ThoughtSpotHook().test_connection()  # the Test button, in a long-lived process
    assert not ok and "locked" in message and "tries again in about 10 min" in message
    assert "rejected these credentials" not in message
    assert ts.count(LOGIN_PATH) == 1

    ts.reset()  # an administrator unlocks the account (the stand-in forgets its lockouts)
    now[0] += 599
    assert not ThoughtSpotHook().test_connection()[0]
    assert ts.count(LOGIN_PATH) == 0  # still within the lock: nothing sent
    now[0] += 2
    assert ThoughtSpotHook().test_connection() == (True, "Connection successfully tested")
    with ThoughtSpotHook() as hook:
        assert hook.request("GET", "/tspublic/v1/session/info").json()["userName"] == DEFAULT_USER


def test_a_wrong_password_is_still_remembered_for_good(
    fake_thoughtspot: FakeThoughtSpot, use_connection: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_connection(fake_thoughtspot, password=WRONG, extra={"account_lock_seconds": 60})
    now = [1000.0]
    monkeypatch.setattr(lockout, "monotonic", lambda: now[0])
    with pytest.raises(ThoughtSpotAuthError, match="credentials were rejected"):
        ThoughtSpotHook().login()
    now[0] += 10**6
    with pytest.raises(ThoughtSpotAuthError, match="already rejected these credentials"):
        ThoughtSpotHook().login()
    assert fake_thoughtspot.count(LOGIN_PATH) == 1


# Item 7: trusted authentication with a wrong secret key (ThoughtSpot answers 500). --------------------------
def test_a_wrong_secret_key_is_sent_once_and_remembered(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **with_extra("trusted", secret_key="Not-The-Secret-13", retry_limit=5))
    with pytest.raises(
        ThoughtSpotAuthError, match=r"trusted authentication is off.*extra\.secret_key"
    ) as caught:
        ThoughtSpotHook().login()
    assert isinstance(caught.value, AirflowFailException) and caught.value.status_code == 500
    assert not ThoughtSpotHook().test_connection()[0]
    with pytest.raises(ThoughtSpotAuthError, match="already rejected"):
        ThoughtSpotHook().login()
    assert cluster.count(TRUSTED_TOKEN_PATH) == 1
    assert cluster.count(TOKEN_LOGIN_PATH) == 0


# Item 3: secrets a server echoes never reach exception text (nor a failure callback). ---------------------
ODD_PASSWORD = 'Pa ss"w\\ör&d+=/%-13'  # every encoding differs from the raw text
ODD_SECRET_KEY = "Sk ey/+&=ü-13-secret"
SESSION_COOKIE = "hostile-jsession-0123456789"
BEARER = "bearer-token/+=xyz-0123456789"


def forms(secret: str) -> set[str]:
    """How a server may echo a secret, worked out here independently of the code under test."""
    return {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        html.escape(secret),
        re.sub("%[0-9A-F]{2}", lambda hexa: hexa.group(0).lower(), quote_plus(secret)),
    }


def echo_login_body(seen: Seen, writer: Writer) -> None:
    """A gateway that refuses the login and quotes the request body (form-encoded or JSON) as text."""
    writer.reply(400, b"Rejected request body: " + seen.body, {"Content-Type": "text/plain"})


def echo_decoded_password(seen: Seen, writer: Writer) -> None:
    """... or the decoded password, inside a JSON error, or in an HTML title, or URL-encoded again."""
    password = parse_qs(seen.body.decode())["password"][0]
    if seen.path.endswith("info"):
        return
    body = json.dumps({"code": 10000, "debug": [f"bad password {password}"], "incident_id": password})
    writer.reply(400, body.encode(), {"Content-Type": "application/json"}, reason=quote(password, safe=""))


def echo_html(seen: Seen, writer: Writer) -> None:
    password = parse_qs(seen.body.decode())["password"][0]
    page = f"<html><head><title>Denied {html.escape(password)}</title></head><body></body></html>"
    writer.reply(403, page.encode(), {"Content-Type": "text/html"})


def echo_headers_after_login(seen: Seen, writer: Writer) -> None:
    """Log in fine, then answer every call with the Cookie and Authorization headers it carried."""
    if logged_in(seen, writer, f"JSESSIONID={SESSION_COOKIE}"):
        return
    if seen.path.endswith("/auth/token/full"):
        now = 1_700_000_000_000
        body = {"token": BEARER, "creation_time_in_millis": now, "expiration_time_in_millis": now + 300_000}
        writer.reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})
        return
    echoed = f"cookie={seen.header('Cookie')} authorization={seen.header('Authorization')}"
    writer.reply(400, json.dumps({"message": echoed}).encode(), {"Content-Type": "application/json"})


ECHOES = {
    "v1 form body": (echo_login_body, {}, ODD_PASSWORD),
    "v2 JSON body": (echo_login_body, {"api_version": "v2"}, ODD_PASSWORD),
    "decoded password": (echo_decoded_password, {}, ODD_PASSWORD),
    "HTML title": (echo_html, {}, ODD_PASSWORD),
    "trusted secret key": (
        echo_login_body,
        {"auth_type": "trusted", "secret_key": ODD_SECRET_KEY},
        ODD_SECRET_KEY,
    ),
    "session cookie": (echo_headers_after_login, {}, SESSION_COOKIE),
    "bearer token": (echo_headers_after_login, {"auth_type": "token"}, BEARER),
}


def error_texts(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), *map(str, error.args)]
    texts += [str(getattr(error, name, "")) for name in ("server_message", "incident_id")]
    return texts


@pytest.mark.parametrize("case", sorted(ECHOES))
def test_secrets_a_server_echoes_are_scrubbed_from_errors(
    case: str, use_connection: Callable[..., str]
) -> None:
    respond, extra, secret = ECHOES[case]
    with hostile(respond) as server:
        use_connection(server, password=ODD_PASSWORD, extra={"retry_limit": 1, **extra})
        with pytest.raises(ThoughtSpotError) as caught, ThoughtSpotHook() as hook:
            hook.request("GET", "/tspublic/v1/session/info")
    assert server.seen  # the secret really went out, and came back
    texts = error_texts(caught.value)
    assert "***" in texts[0]  # the echo reached the message, scrubbed
    for form in forms(secret) | forms(ODD_PASSWORD):
        assert not [text for text in texts if form in text], (case, form)


def test_the_masker_knows_the_encoded_password(use_connection: Callable[..., str]) -> None:
    from airflow_provider_tssession._compat import redact

    with hostile(echo_headers_after_login) as server:
        use_connection(server, password=ODD_PASSWORD)
        with ThoughtSpotHook():
            pass
    for form in forms(ODD_PASSWORD) | forms(SESSION_COOKIE):
        assert form not in str(redact(f"sent {form} here")), form


def test_a_failure_callback_never_receives_the_password(
    airflow_db: Path, use_connection: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_tssession._compat import DagBag

    record = tmp_path / "callback.jsonl"
    monkeypatch.setenv("TS_CALLBACK_RECORD", str(record))
    dag = DagBag(str(REPO / "tests" / "dags")).dags["ts_failure_callback"]
    with hostile(echo_decoded_password) as server:
        use_connection(server, conn_id="ts_echoing_gateway", password=ODD_PASSWORD, extra={"retry_limit": 1})
        assert dag.test().state == "failed"
    received = json.loads(record.read_text())
    assert "***" in received[0]  # the callback ran and got the (scrubbed) echo
    for form in forms(ODD_PASSWORD):
        assert not [text for text in received if form in text], form
