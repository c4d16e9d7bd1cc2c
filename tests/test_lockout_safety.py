"""No code path sends credentials that ThoughtSpot rejected in this process a second time.

About four failed logins lock a ThoughtSpot account for an hour. Retries, a re-login after expiry, the
Test button, a second hook, many threads, another DAG run: each must cost at most one rejected login.
(test_auth_faults.py checks one refusal per authentication method; here the paths around it.)
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from auth_methods import LOGIN_PATHS, METHODS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_provider_tssession.exceptions import ThoughtSpotAuthError, ThoughtSpotError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import LOGIN_PATH, TOKEN_LOGIN_PATH, FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

INFO = "/tspublic/v1/session/info"
WRONG = "Wrong-Pass-4e2a"
ROTATED = "Rotated-On-Server-77"


CREDENTIAL_PATHS = {*LOGIN_PATHS.values(), TOKEN_LOGIN_PATH}
PASSWORD_METHODS = ["v1_session", "v2_session", "token"]


def rejected_logins(server: FakeThoughtSpot, user: str = DEFAULT_USER) -> int:
    """Requests with `user`'s credentials, by any method, that the stand-in answered 401 or 403."""
    return sum(
        1
        for r in server.requests
        if r.path in CREDENTIAL_PATHS and r.status in (401, 403) and user.encode() in r.body
    )


def test_retries_never_resend_a_rejected_password(
    fake_thoughtspot: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(fake_thoughtspot, password=WRONG, extra={"retry_limit": 10})
    with pytest.raises(ThoughtSpotAuthError, match="Not retried"):
        ThoughtSpotHook().login()
    assert fake_thoughtspot.count(LOGIN_PATH) == rejected_logins(fake_thoughtspot) == 1


def test_a_503_then_a_401_is_one_rejected_login(
    fake_thoughtspot: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(fake_thoughtspot, password=WRONG, extra={"retry_limit": 10})
    fake_thoughtspot.fail_next(LOGIN_PATH, 503, times=2)
    for _ in range(3):
        with pytest.raises(ThoughtSpotAuthError):
            ThoughtSpotHook().login()
    assert fake_thoughtspot.count(LOGIN_PATH) == 3  # two 503s, then the one 401
    assert rejected_logins(fake_thoughtspot) == 1


def test_second_hooks_and_the_test_button_send_nothing(
    fake_thoughtspot: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(fake_thoughtspot, password=WRONG)
    assert not ThoughtSpotHook().test_connection()[0]
    ok, message = ThoughtSpotHook().test_connection()
    assert not ok and "already rejected these credentials in this process" in message
    for _ in range(3):
        with pytest.raises(ThoughtSpotAuthError, match="already rejected"), ThoughtSpotHook():
            pass
    assert fake_thoughtspot.count(LOGIN_PATH) == 1


def test_a_locked_account_is_asked_once(ts: FakeThoughtSpot) -> None:
    ts.lock_user(DEFAULT_USER)
    for _ in range(3):
        with pytest.raises(ThoughtSpotAuthError):
            ThoughtSpotHook().login()
    assert not ThoughtSpotHook().test_connection()[0]
    assert ts.count(LOGIN_PATH) == rejected_logins(ts) == 1


@pytest.mark.parametrize("method", PASSWORD_METHODS)
def test_a_relogin_after_expiry_with_a_rotated_password_is_tried_once(
    method: str, cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **METHODS[method])
    hook = ThoughtSpotHook()
    with hook:
        hook.request("GET", INFO)
        cluster.add_user(DEFAULT_USER, ROTATED)  # rotated on the server, not yet in the connection
        cluster.expire_all_sessions()
        hook.get_conn().headers.pop("Authorization", None)  # a token ends too (revoked, or expired)
        for _ in range(3):
            with pytest.raises(ThoughtSpotAuthError):
                hook.request("GET", INFO)
    assert not ThoughtSpotHook().test_connection()[0]
    assert (cluster.count(LOGIN_PATHS[method]), rejected_logins(cluster)) == (2, 1)


@pytest.mark.parametrize("method", PASSWORD_METHODS)
def test_fifty_threads_with_a_wrong_password_send_it_once(
    method: str, cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **{**METHODS[method], "password": WRONG})

    def attempt(_: int) -> str:
        try:
            ThoughtSpotHook().login()
        except ThoughtSpotAuthError as error:
            return str(error)
        return "logged in"

    with ThreadPoolExecutor(50) as pool:
        outcomes = list(pool.map(attempt, range(50)))
    assert sum("already rejected" in text for text in outcomes) == 49
    assert cluster.count(LOGIN_PATHS[method]) == rejected_logins(cluster) == 1


def test_fifty_threads_sharing_a_hook_meet_a_rotated_password_once(ts: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook:
        hook.request("GET", INFO)
        ts.add_user(DEFAULT_USER, ROTATED)
        ts.expire_all_sessions()

        def call(_: int) -> type[BaseException] | None:
            try:
                hook.request("GET", INFO)
            except ThoughtSpotError as error:
                return type(error)
            return None

        with ThreadPoolExecutor(50) as pool:
            outcomes = list(pool.map(call, range(50)))
    assert set(outcomes) <= {ThoughtSpotAuthError}
    assert rejected_logins(ts) == 1


def test_another_dag_run_in_the_same_process_sends_nothing(
    airflow_db: Path, fake_thoughtspot: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    from airflow.utils.state import DagRunState

    from airflow_provider_tssession._compat import DagBag

    use_connection(fake_thoughtspot, password=WRONG)
    dag = DagBag(str(Path(__file__).resolve().parent.parent / "example_dags")).dags["thoughtspot_hook"]
    for _ in range(2):
        assert dag.test().state == DagRunState.FAILED
    assert fake_thoughtspot.count(LOGIN_PATH) == 1


# Any sequence of what can happen, in any order: the invariant holds. -----------------------------------
ACTIONS = ["hook", "kept_hook", "test_connection", "expire", "rotate", "restore", "lock", "login_503"]
EXTRAS = {"v1_session": {}, "v2_session": {"api_version": "v2"}, "token": {"auth_type": "token"}}
_users = itertools.count()


@pytest.fixture(scope="module")
def shared_server() -> Iterator[FakeThoughtSpot]:
    with FakeThoughtSpot() as server:
        yield server


@settings(
    max_examples=int(20 * settings.default.max_examples / 100),  # more under `make hunt`
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    method=st.sampled_from(sorted(EXTRAS)),
    actions=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=12),
)
def test_any_sequence_of_events_costs_at_most_one_rejected_login(
    shared_server: FakeThoughtSpot, method: str, actions: list[str]
) -> None:
    server = shared_server
    user = f"seq{next(_users)}x"  # a new account, so earlier examples' rejections do not count
    server.add_user(user, DEFAULT_PASSWORD)
    conn_id = f"ts_{user}"
    document = {"conn_type": "thoughtspot", "host": server.url, "login": user, "password": DEFAULT_PASSWORD}
    document["extra"] = {"retry_delay": 0, "timeout": 5, **EXTRAS[method]}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(document))
        kept = ThoughtSpotHook(conn_id)
        for action in actions:
            try:
                if action == "hook":
                    with ThoughtSpotHook(conn_id) as hook:
                        hook.request("GET", INFO)
                elif action == "kept_hook":
                    kept.request("GET", INFO)  # logs in the first time, again after expiry
                elif action == "test_connection":
                    ThoughtSpotHook(conn_id).test_connection()
                elif action == "expire":
                    server.expire_all_sessions()
                elif action == "rotate":
                    server.add_user(user, ROTATED)
                elif action == "restore":
                    server.add_user(user, DEFAULT_PASSWORD)
                elif action == "lock":
                    server.lock_user(user)
                elif action == "login_503":
                    server.fail_next(LOGIN_PATHS[method], 503)
            except ThoughtSpotError:
                pass
        kept.logout()
    assert rejected_logins(server, user) <= 1
    assert os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}") is None
