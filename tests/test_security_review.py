"""The holes a hostile review found (issue 13), each shown over real HTTP, most against a hostile server.

Each test fails on the code before the fix. The lockout under a real executor (each try its own process)
is in test_e2e_local_executor.py; docs/faults.md ("Hostile servers and inputs") lists every case.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_plus

import pytest
from auth_methods import with_extra
from hostile_servers import HostileServer, Seen, Writer, hostile, logged_in

from airflow_provider_tssession._compat import AirflowFailException
from airflow_provider_tssession.auth import lockout
from airflow_provider_tssession.exceptions import (
    ThoughtSpotApiError,
    ThoughtSpotAuthError,
    ThoughtSpotConfigError,
    ThoughtSpotConnectionError,
    ThoughtSpotError,
    ThoughtSpotRequestError,
)
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


# Item 1: the origin is what the transport connects to; no backslash or control character gets through. ------
def recorder(seen: Seen, writer: Writer) -> None:
    writer.reply(200, b'{"userName": "stolen"}', {"Content-Type": "application/json"})


@pytest.fixture
def elsewhere() -> Iterator[HostileServer]:
    """Another host on 127.0.0.1 (so the stand-in's cookies would match it): it must hear nothing."""
    with hostile(recorder) as server:
        yield server


def backslash_urls(ts: FakeThoughtSpot, other: HostileServer) -> list[str]:
    ts_netloc = ts.url.split("//")[1]
    return [
        f"http://127.0.0.1:{other.port}\\@{ts_netloc}/callosum/v1/tspublic/v1/session/info",
        f"http://127.0.0.1:{other.port}\\\\@{ts_netloc}/callosum/v1/tspublic/v1/session/info",
        f"HTTP://127.0.0.1:{other.port}\\{ts_netloc}/callosum/v1/tspublic/v1/session/info",
        f"http://127.0.0.1:{other.port}\t@{ts_netloc}/callosum/v1/tspublic/v1/session/info",
    ]


@pytest.mark.parametrize("method", ["v1_session", "token"])
def test_a_backslash_url_never_sends_the_session_to_another_host(
    method: str, cluster: FakeThoughtSpot, use_connection: Callable[..., str], elsewhere: HostileServer
) -> None:
    use_connection(cluster, **with_extra(method))
    with ThoughtSpotHook() as hook:
        for url in backslash_urls(cluster, elsewhere):
            with pytest.raises(ThoughtSpotRequestError, match="control character"):
                hook.request("GET", url, headers={"X-Probe": "1"})
        hook.request("GET", cluster.url + "/callosum/v1/tspublic/v1/session/info")  # the same host: fine
    assert elsewhere.seen == []


def test_the_session_of_get_conn_refuses_other_hosts_right_before_sending(
    ts: FakeThoughtSpot, elsewhere: HostileServer
) -> None:
    with ThoughtSpotHook() as hook:
        session = hook.get_conn()
        for url in (elsewhere.url + "/x", backslash_urls(ts, elsewhere)[0]):
            with pytest.raises(ThoughtSpotRequestError, match="nothing was sent"):
                session.get(url)
    assert elsewhere.seen == []


def test_a_templated_endpoint_takes_the_same_path(
    airflow_db: Path, ts: FakeThoughtSpot, elsewhere: HostileServer
) -> None:
    from airflow_provider_tssession._compat import DagBag

    dag = DagBag(str(REPO / "tests" / "dags")).dags["ts_templated_endpoint"]
    assert dag.test().state == "success"
    assert dag.test(run_conf={"endpoint": backslash_urls(ts, elsewhere)[0]}).state == "failed"
    assert elsewhere.seen == []


def test_a_query_value_that_contains_a_scheme_is_a_path(ts: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook:
        answer = hook.request("GET", "/tspublic/v1/session/info?next=https://elsewhere.example/x")
    assert answer.json()["userName"] == DEFAULT_USER


@pytest.mark.parametrize(
    ("method", "endpoint"),
    [
        ("GET", "/tspublic/v1/session/info\r\nX-Forged: 1"),
        ("GET", "/tspublic/v1/session/info?q=1\n2026-01-01 INFO forged log line"),
        ("GET\r\nX-Forged: 1", "/tspublic/v1/session/info"),
        ("GET", "http://127.0.0.1/x\x00"),
    ],
)
def test_a_line_break_in_an_endpoint_never_reaches_a_message(
    ts: FakeThoughtSpot, method: str, endpoint: str
) -> None:
    with ThoughtSpotHook() as hook:
        before = len(ts.requests)
        with pytest.raises(ThoughtSpotRequestError) as caught:
            hook.request(method, endpoint)
        assert len(ts.requests) == before
    assert not any(char in str(caught.value) for char in "\r\n\x00")
    assert "\\r\\n" in str(caught.value) or "\\n" in str(caught.value) or "\\x00" in str(caught.value)


# Item 5: answers are read with a cap, and every attempt has a total deadline. --------------------------------
class Firehose:
    """Answer with a status and a body of `size` bytes sent as fast as possible; count what went out."""

    def __init__(self, status: int, size: int, login_first: bool = False) -> None:
        self.status, self.size, self.login_first, self.sent = status, size, login_first, 0

    def __call__(self, seen: Seen, writer: Writer) -> None:
        if self.login_first and logged_in(seen, writer):
            return
        head = (
            f"HTTP/1.1 {self.status} Flood\r\nContent-Length: {self.size}\r\nContent-Type: text/plain\r\n\r\n"
        )
        writer.raw(head.encode())
        chunk = b"x" * 65536
        while self.sent < self.size:
            writer.raw(chunk)  # raises once the hook has closed the connection
            self.sent += len(chunk)


GIB = 1 << 30


@pytest.mark.parametrize(
    ("case", "firehose", "message"),
    [
        ("login 2xx", Firehose(200, GIB), "more than 64 KiB"),
        ("login error", Firehose(500, GIB), "answered 500 Flood"),
        ("call error", Firehose(400, GIB, login_first=True), "answered 400 Flood"),
    ],
)
def test_a_huge_answer_is_read_only_as_far_as_it_is_used(
    case: str, firehose: Firehose, message: str, use_connection: Callable[..., str]
) -> None:
    with hostile(firehose) as server:
        use_connection(server, extra={"retry_limit": 1})
        with pytest.raises(ThoughtSpotError, match=message), ThoughtSpotHook() as hook:
            hook.request("GET", "/tspublic/v1/session/info")
    assert firehose.sent < 64 * 1024 * 1024  # it stopped well before the end: the hook hung up


class Drip:
    """Send an answer one byte every `pause` seconds, in the headers or in the body: never silent for long."""

    def __init__(self, in_headers: bool, pause: float = 0.2) -> None:
        self.in_headers, self.pause = in_headers, pause

    def __call__(self, seen: Seen, writer: Writer) -> None:
        if not self.in_headers and logged_in(seen, writer):
            return
        body = b'{"userName": "slow"}'
        answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: application/json\r\n\r\n%s" % (
            len(body),
            body,
        )
        start = 0 if self.in_headers else answer.index(b"\r\n\r\n") + 4
        writer.raw(answer[:start])
        for byte in answer[start:]:  # finite: the code before the fix waited it out and succeeded
            if writer.stop.wait(self.pause):
                return
            writer.raw(bytes([byte]))


@pytest.mark.parametrize("in_headers", [True, False], ids=["headers", "body"])
def test_a_dripping_server_meets_the_deadline(in_headers: bool, use_connection: Callable[..., str]) -> None:
    with hostile(Drip(in_headers)) as server:
        use_connection(server, extra={"retry_limit": 1, "timeout": 1, "deadline": 1.5})
        deadline_passed = r"no complete answer within the deadline of 1\.5s"
        with pytest.raises(ThoughtSpotConnectionError, match=deadline_passed), ThoughtSpotHook() as hook:
            hook.request("GET", "/tspublic/v1/session/info")


# Item 7: a Host with a password, chained exceptions, login redirect loops. ------------------------------------
@pytest.mark.parametrize(
    "host", ["admin:S3cret-Pw-77@ts.example.com", "https://adm:S3cret-Pw-77:x@ts.example.com:8443"]
)
def test_a_host_with_a_password_is_refused_without_quoting_it(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_THOUGHTSPOT_DEFAULT",
        json.dumps({"conn_type": "thoughtspot", "host": host, "login": "u", "password": "p"}),
    )
    with pytest.raises(ThoughtSpotConfigError, match="has a user part") as caught:
        ThoughtSpotHook().login()
    assert "S3cret-Pw-77" not in str(caught.value) and "***@ts.example.com" in str(caught.value)


def chain(error: BaseException) -> list[object]:
    """The error and everything reachable from it: context, cause, arguments, attributes."""
    seen: list[object] = []
    todo: list[object] = [error]
    while todo:
        item = todo.pop()
        if any(item is known for known in seen) or item is None:
            continue
        seen.append(item)
        if isinstance(item, BaseException):
            todo += [item.__context__, item.__cause__, *item.args, *vars(item).values()]
    return seen


def hang_up(seen: Seen, writer: Writer) -> None:
    """Read the request, then close without a word (a dropped connection)."""


def hang_up_after_login(seen: Seen, writer: Writer) -> None:
    if seen.path.endswith("/auth/token/full"):
        now = 1_700_000_000_000
        body = {"token": BEARER, "creation_time_in_millis": now, "expiration_time_in_millis": now + 300_000}
        writer.reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


@pytest.mark.parametrize(
    ("respond", "extra", "secret"),
    [
        (hang_up, {}, ODD_PASSWORD),
        (hang_up_after_login, {"auth_type": "token"}, BEARER),
    ],
    ids=["login", "bearer call"],
)
def test_a_transport_error_keeps_no_request_in_its_chain(
    respond: Callable[[Seen, Writer], None],
    extra: dict[str, str],
    secret: str,
    use_connection: Callable[..., str],
) -> None:
    import requests

    with hostile(respond) as server:
        use_connection(server, password=ODD_PASSWORD, extra={"retry_limit": 1, **extra})
        with pytest.raises(ThoughtSpotConnectionError) as caught, ThoughtSpotHook() as hook:
            hook.request("GET", "/tspublic/v1/session/info")
    reachable = chain(caught.value)
    assert not [
        item for item in reachable if isinstance(item, requests.PreparedRequest | requests.RequestException)
    ]
    assert not [item for item in reachable if any(form in repr(item) for form in forms(secret))]


def redirect_loop(seen: Seen, writer: Writer) -> None:
    """Send every request back to where it came from, keeping the method and body (307)."""
    if logged_in(seen, writer) and seen.body:
        return
    writer.reply(307, headers={"Location": seen.path})


def test_a_login_redirect_loop_sends_the_password_once(use_connection: Callable[..., str]) -> None:
    with hostile(lambda seen, writer: writer.reply(307, headers={"Location": seen.path})) as server:
        use_connection(server, password=ODD_PASSWORD)
        with pytest.raises(ThoughtSpotApiError, match="never for a login"):
            ThoughtSpotHook().login()
    assert len([seen for seen in server.seen if seen.body]) == 1


def test_a_redirect_loop_on_a_call_is_followed_a_few_times_only(use_connection: Callable[..., str]) -> None:
    with hostile(redirect_loop) as server:
        use_connection(server, extra={"retry_limit": 1})
        with pytest.raises(ThoughtSpotConnectionError, match="TooManyRedirects"), ThoughtSpotHook() as hook:
            hook.request("GET", "/tspublic/v1/session/info")
    calls = [seen for seen in server.seen if seen.path.endswith("/info")]
    assert len(calls) == 1 + 5  # the call and five redirects (requests alone follows 30)
