"""Every fault of docs/faults.md over real HTTP: what the hook does, how many requests the stand-in saw.

Each case also runs the secrets audit: a distinctive password and the session's cookies appear only in
the login body and the Cookie header to the connection's host, never in logs or exception text.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
from secrets_audit import (
    AUDIT_PASSWORD,
    assert_nowhere,
    assert_request_log_clean,
    exception_texts,
    secrets_of,
)

from airflow_provider_tssession.exceptions import ThoughtSpotError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.retry import RetryPolicy
from airflow_provider_tssession.testing import (
    ASSIGN_TAG_PATH as TAG,
)
from airflow_provider_tssession.testing import (
    LOGIN_PATH as LOGIN,
)
from airflow_provider_tssession.testing import (
    LOGOUT_PATH as LOGOUT,
)
from airflow_provider_tssession.testing import (
    METADATA_LIST_PATH as LIST,
)
from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_USER

DOCS = Path(__file__).resolve().parent.parent / "docs" / "faults.md"
GET = ("GET", "/tspublic/v1/metadata/list", {})
POST = ("POST", "/tspublic/v1/metadata/assigntag", {"data": {"id": "a1", "tag": "t"}})
MAINTENANCE = "<html><head><title>Cluster under maintenance</title></head><body>Back soon</body></html>"


@dataclass(frozen=True)
class Case:
    """One fault: when it is queued, the call that meets it, and what the hook and the stand-in show."""

    id: str
    fault: Callable[[FakeThoughtSpot], Any]
    phase: Literal["login", "call", "between", "logout"] = "call"
    call: tuple[str, str, dict[str, Any]] = GET
    extra: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # regex of the error raised; None: the task succeeds
    counts: dict[str, int] = field(default_factory=dict)  # requests per path, as the stand-in logged them
    sessions: tuple[int, int, int] = (1, 1, 0)  # the stand-in's logins, logouts, sessions left open
    log: str | None = None  # a line the task log must show
    settle: float = 0.0  # the stand-in logs a delayed request once it answers: wait that long


SLOW = {"timeout": 0.5}  # far above a normal answer's time, even on a loaded machine
STALL = 1.2

CASES = [
    *(
        case
        for status in (500, 502, 503, 504)
        for case in (
            Case(f"{status}-login", lambda s, st=status: s.fail_next(LOGIN, st), "login", counts={LOGIN: 2}),
            Case(f"{status}-get", lambda s, st=status: s.fail_next(LIST, st), counts={LIST: 2}),
            Case(
                f"{status}-post",
                lambda s, st=status: s.fail_next(TAG, st),
                call=POST,
                error=rf"answered {status}",
                counts={TAG: 1},
            ),
        )
    ),
    Case(
        "503-exhausted",
        lambda s: s.fail_next(LIST, 503, times=5),
        error="answered 503 .*Gave up after 3 attempts",
        counts={LIST: 3},
    ),
    Case("429-post", lambda s: s.fail_next(TAG, 429), call=POST, counts={TAG: 2}),
    Case("429-retry-after", lambda s: s.fail_next(LIST, 429, retry_after="1"), counts={LIST: 2}),
    Case(
        "429-huge-retry-after",
        lambda s: s.fail_next(LIST, 429, retry_after="86400"),
        extra={"retry_max_wait": 0.2},
        counts={LIST: 2},
        log="retrying in 0.2s",
    ),
    Case(
        "429-huge-retry-after-date",
        lambda s: s.fail_next(LIST, 429, retry_after="Fri, 31 Dec 9999 23:59:59 GMT"),
        extra={"retry_max_wait": 0.2},
        counts={LIST: 2},
        log="retrying in 0.2s",
    ),
    Case(
        "429-unreadable-retry-after",
        lambda s: s.fail_next(LIST, 429, retry_after="nan"),
        counts={LIST: 2},
        log="retrying in 0.0s",
    ),
    Case(
        "429-exhausted",
        lambda s: s.fail_next(LIST, 429, times=5, retry_after="0"),
        error="answered 429 .*Gave up after 3 attempts",
        counts={LIST: 3},
    ),
    Case("drop-login", lambda s: s.drop_next(LOGIN), "login", counts={LOGIN: 2}),
    Case("drop-get", lambda s: s.drop_next(LIST), counts={LIST: 2}),
    Case("drop-post", lambda s: s.drop_next(TAG), call=POST, error="connection dropped", counts={TAG: 1}),
    Case(
        "refused",
        lambda s: s.stop(),
        "login",
        error="could not connect .*Gave up after 3 attempts",
        counts={LOGIN: 0},
        sessions=(0, 0, 0),
    ),
    Case(
        "slow-headers-within-timeout",
        lambda s: s.delay_next(LIST, 0.2),
        extra={"timeout": 2},
        counts={LIST: 1},
    ),
    Case(
        "slow-headers-get",
        lambda s: s.delay_next(LIST, STALL),
        extra=SLOW,
        counts={LIST: 2},
        settle=STALL,
    ),
    Case(
        "slow-headers-post",
        lambda s: s.delay_next(TAG, STALL),
        call=POST,
        extra=SLOW,
        error=r"no answer within 0\.5s",
        counts={TAG: 1},
        settle=STALL,
    ),
    Case(
        "slow-headers-exhausted",
        lambda s: s.delay_next(LIST, STALL, times=3),
        extra=SLOW,
        error=r"no answer within 0\.5s.*Gave up after 3 attempts",
        counts={LIST: 3},
        settle=STALL,
    ),
    Case(
        "slow-body-within-timeout",
        lambda s: s.slow_body_next(LIST, 0.2),
        extra={"timeout": 2},
        counts={LIST: 1},
    ),
    Case("slow-body-get", lambda s: s.slow_body_next(LIST, STALL), extra=SLOW, counts={LIST: 2}),
    Case(
        "slow-body-exhausted",
        lambda s: s.slow_body_next(LIST, STALL, times=3),
        extra=SLOW,
        error=r"no answer within 0\.5s.*Gave up after 3 attempts",
        counts={LIST: 3},
    ),
    Case("truncated-get", lambda s: s.truncate_next(LIST), counts={LIST: 2}),
    Case(
        "truncated-exhausted",
        lambda s: s.truncate_next(LIST, times=3),
        error="cut off or garbled.*Gave up after 3 attempts",
        counts={LIST: 3},
    ),
    Case(
        "maintenance-200-login",
        lambda s: s.fail_next(LOGIN, 200, body=MAINTENANCE, content_type="text/html"),
        "login",
        error="answered 200 with a text/html body.*maintenance",
        counts={LOGIN: 1},
        sessions=(0, 0, 0),
    ),
    Case(
        "maintenance-200-logout",
        lambda s: s.fail_next(LOGOUT, 200, body=MAINTENANCE, content_type="text/html"),
        "logout",
        counts={LOGOUT: 1},
        sessions=(1, 0, 1),
        log="Logout from .* failed .*maintenance",
    ),
    Case(
        "maintenance-503-html",
        lambda s: s.fail_next(LIST, 503, body=MAINTENANCE, content_type="text/html", times=3),
        error="an HTML page titled 'Cluster under maintenance'.*Gave up after 3",
        counts={LIST: 3},
    ),
    Case(
        "malformed-json-error",
        lambda s: s.fail_next(LIST, 400, body='{"code": 10002, "debug": ', content_type="application/json"),
        error=r'answered 400 .*: \{"code": 10002, "debug":',
        counts={LIST: 1},
    ),
    Case(
        "non-json-error",
        lambda s: s.fail_next(LIST, 400, body="upstream said no\r\n\tat line 3", content_type="text/plain"),
        error="answered 400 .*: upstream said no at line 3",
        counts={LIST: 1},
    ),
    Case(
        "binary-error-body",
        lambda s: s.fail_next(
            LIST, 500, body=b"\xff\xfe\x00\x01garbage\x80", content_type="application/json"
        ),
        counts={LIST: 2},
    ),
    Case(
        "empty-error-body",
        lambda s: s.fail_next(LIST, 502, body="", times=3),
        error=r"answered 502 Bad Gateway\. Gave up after 3 attempts",
        counts={LIST: 3},
    ),
    Case(
        "v2-nested-error",
        lambda s: s.fail_next(
            LIST, 400, body='{"error": {"message": {"code": 13001, "debug": "Bad id"}}}', content_type="json"
        ),
        error="ThoughtSpot error code 13001: Bad id",
        counts={LIST: 1},
    ),
    Case(
        "expired-between-calls",
        lambda s: s.expire_all_sessions(),
        "between",
        counts={LOGIN: 2, LIST: 3, LOGOUT: 1},
        sessions=(2, 1, 0),
        log=r"has ended \(401\); logging in again",
    ),
    Case(
        "expired-then-login-503",
        lambda s: (s.expire_all_sessions(), s.fail_next(LOGIN, 503)),
        "between",
        counts={LOGIN: 3, LIST: 3, LOGOUT: 1},
        sessions=(2, 1, 0),
    ),
    Case(
        "401-right-after-login",
        lambda s: s.fail_next(LIST, 401, times=2),
        error="answered 401",
        counts={LOGIN: 2, LIST: 2, LOGOUT: 1},
        sessions=(2, 1, 1),  # the server said the first session had ended: the hook does not log it out
    ),
    Case(
        "logout-500",
        lambda s: s.fail_next(LOGOUT, 500, times=3),
        "logout",
        counts={LOGOUT: 3},
        sessions=(1, 0, 1),
        log="Logout from .* failed .*500.*Gave up after 3",
    ),
    Case(
        "logout-401",
        lambda s: s.fail_next(LOGOUT, 401),
        "logout",
        counts={LOGOUT: 1},
        sessions=(1, 0, 1),
        log="had already ended",
    ),
    Case("logout-dropped", lambda s: s.drop_next(LOGOUT), "logout", counts={LOGOUT: 2}),
    Case(
        "account-locked",
        lambda s: s.lock_user(DEFAULT_USER),
        "login",
        error="the account is locked.*Not retried",
        counts={LOGIN: 1},
        sessions=(0, 0, 0),
    ),
    Case(
        "password-rejected",
        lambda s: s.add_user(DEFAULT_USER, "Rotated-On-The-Server-1"),
        "login",
        error="the credentials were rejected.*Not retried",
        counts={LOGIN: 1},
        sessions=(0, 0, 0),
    ),
    Case(
        "400-at-login",
        lambda s: s.fail_next(LOGIN, 400, times=3),
        "login",
        error="answered 400",
        counts={LOGIN: 1},
        sessions=(0, 0, 0),
    ),
]


def run(case: Case, server: FakeThoughtSpot) -> tuple[ThoughtSpotError | None, set[str]]:
    """Run one task-shaped block (log in, one or two calls, log out) with the fault queued at its phase."""
    method, endpoint, kwargs = case.call
    cookies: set[str] = set()
    try:
        if case.phase == "login":
            case.fault(server)
        with ThoughtSpotHook() as hook:
            if case.phase == "call":
                case.fault(server)
            hook.request(method, endpoint, **kwargs)
            if case.phase == "between":
                case.fault(server)
                hook.request(method, endpoint, **kwargs)
            cookies |= set(dict(hook.get_conn().cookies).values())
            if case.phase == "logout":
                case.fault(server)
    except ThoughtSpotError as error:
        return error, cookies
    return None, cookies


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fault(
    case: Case,
    fake_thoughtspot: FakeThoughtSpot,
    use_connection: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = fake_thoughtspot
    server.add_user(DEFAULT_USER, AUDIT_PASSWORD)
    use_connection(server, password=AUDIT_PASSWORD, extra=case.extra)
    error, cookies = run(case, server)
    time.sleep(case.settle)

    if case.error is None:
        assert error is None, f"expected success, got {error}"
    else:
        assert error is not None and re.search(case.error, str(error), re.DOTALL), str(error)
    for path, expected in case.counts.items():
        assert server.count(path) == expected, (path, server.stats())
    assert (server.logins, server.logouts, server.active_sessions) == case.sessions
    out, err = capsys.readouterr()
    logs = [out, err, caplog.text, *(str(record.args) for record in caplog.records)]
    if case.log is not None:
        assert re.search(case.log, out + caplog.text, re.DOTALL)

    # The secrets audit of this fault.
    secrets = secrets_of(server, AUDIT_PASSWORD)
    secrets.kinds["cookie"].values |= cookies
    assert_nowhere([*logs, *exception_texts(error)], secrets)
    assert assert_request_log_clean(server, secrets) == server.count(LOGIN)


def test_retry_after_is_honoured_between_the_attempts(
    fake_thoughtspot: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(fake_thoughtspot)
    with ThoughtSpotHook() as hook:
        fake_thoughtspot.fail_next(LIST, 429, retry_after="1")
        hook.request(*GET[:2])
    first, second = (r.time for r in fake_thoughtspot.requests if r.path == LIST)
    assert second - first >= 0.95


def test_a_huge_retry_after_is_capped_at_60_seconds_by_default(
    fake_thoughtspot: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(fake_thoughtspot, extra={"retry_limit": 1})
    with ThoughtSpotHook() as hook:
        fake_thoughtspot.fail_next(LIST, 429, retry_after="86400")
        with pytest.raises(ThoughtSpotError) as caught:
            hook.request(*GET[:2])
        cap = hook.settings.retry_max_wait
    assert getattr(caught.value, "retry_after", None) == 86400
    assert cap == 60
    assert RetryPolicy(backoff_factor=1, max_wait=cap).wait(caught.value, attempt=1) == 60


def test_the_fault_table_lists_every_case() -> None:
    table = DOCS.read_text()
    missing = [case.id for case in CASES if f"`{case.id}`" not in table]
    assert not missing, f"docs/faults.md does not describe {missing}"
