"""The fault matrix for every authentication method: transient failures, refusals, lockout, expiry."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from auth_methods import LOGIN_PATHS, METHODS, with_extra

from airflow_provider_tssession.exceptions import ThoughtSpotApiError, ThoughtSpotAuthError, ThoughtSpotError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import (
    INFO_PATH,
    TOKEN_FULL_PATH,
    TOKEN_LOGIN_PATH,
    TRUSTED_TOKEN_PATH,
    V2_LOGIN_PATH,
    FakeThoughtSpot,
)
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

INFO = "/tspublic/v1/session/info"
REFUSING = ["v1_session", "v2_session", "token", "token_secret"]  # trusted auth answers 500 instead


def test_503_at_login_is_retried_for_every_method(auth_method: str, cluster: FakeThoughtSpot) -> None:
    cluster.fail_next(LOGIN_PATHS[auth_method], 503, times=2)
    with ThoughtSpotHook() as hook:
        hook.request("GET", INFO)
    assert cluster.count(LOGIN_PATHS[auth_method]) == 3
    assert (cluster.logins, cluster.logouts, cluster.active_sessions) == (1, 1, 0)


def test_the_test_button_makes_one_attempt_for_every_method(
    auth_method: str, cluster: FakeThoughtSpot
) -> None:
    cluster.fail_next(LOGIN_PATHS[auth_method], 503, times=3)
    ok, message = ThoughtSpotHook().test_connection()
    assert not ok and "503" in message
    assert cluster.count(LOGIN_PATHS[auth_method]) == 1


@pytest.mark.parametrize("method", REFUSING)
def test_refused_credentials_are_sent_once_and_never_again(
    method: str, cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    wrong = {"password": "Wrong-Pass-987"} if "secret_key" not in METHODS[method]["extra"] else {}
    fields = {**with_extra(method, retry_limit=5), **wrong}
    if not wrong:
        fields["extra"]["secret_key"] = "Wrong-Secret-987"
    use_connection(cluster, **fields)
    with pytest.raises(ThoughtSpotAuthError) as caught, ThoughtSpotHook():
        pass
    message = str(caught.value)
    assert caught.value.status_code == 401 and "Not retried" in message
    assert ("extra secret_key" if not wrong else "Login or Password") in message
    assert "Wrong-Pass-987" not in message and "Wrong-Secret-987" not in message
    with pytest.raises(ThoughtSpotAuthError, match="already rejected"):
        ThoughtSpotHook().login()
    assert cluster.count(LOGIN_PATHS[method]) == 1
    assert cluster.failed_logins == 1


@pytest.mark.parametrize("method", [*REFUSING, "trusted"])
def test_a_locked_account_is_one_refused_request(
    method: str, cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **METHODS[method])
    cluster.lock_user(DEFAULT_USER)
    with pytest.raises(ThoughtSpotAuthError, match="locked") as caught:
        ThoughtSpotHook().login()
    assert (caught.value.status_code, caught.value.code) == (403, 10023)
    refusing_path = TOKEN_LOGIN_PATH if method == "trusted" else LOGIN_PATHS[method]
    assert cluster.count(refusing_path) == 1
    with pytest.raises(ThoughtSpotAuthError, match="reported the account locked"):
        ThoughtSpotHook().login()
    assert cluster.count(refusing_path) == 1


@pytest.mark.parametrize(("nesting", "code"), [(0, 10023), (1, None), (2, 10023)])
def test_v2_errors_are_read_in_every_nesting(
    nesting: int, code: int | None, use_connection: Callable[..., str]
) -> None:
    with FakeThoughtSpot({DEFAULT_USER: DEFAULT_PASSWORD}, v2_error_nesting=nesting) as server:
        use_connection(server, **METHODS["v2_session"])
        server.lock_user(DEFAULT_USER)
        with pytest.raises(ThoughtSpotAuthError) as caught:
            ThoughtSpotHook().login()
    assert (caught.value.status_code, caught.value.code) == (403, code)
    assert caught.value.server_message == f"User account {DEFAULT_USER} is inactive or locked."


def test_a_bad_org_at_v2_login_is_not_retried(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **with_extra("v2_session", org_identifier="marketing"))
    with pytest.raises(ThoughtSpotApiError, match="not a valid or accessible org") as caught:
        ThoughtSpotHook().login()
    assert caught.value.status_code == 400 and not isinstance(caught.value, ThoughtSpotAuthError)
    assert cluster.count(V2_LOGIN_PATH) == 1


def test_an_ended_session_or_token_costs_exactly_one_new_login(
    auth_method: str, cluster: FakeThoughtSpot
) -> None:
    with ThoughtSpotHook() as hook:
        hook.request("GET", INFO)
        cluster.expire_all_sessions()  # an admin, a restart, or a revoked token
        assert hook.request("GET", INFO).json()["userName"] == DEFAULT_USER
    assert (cluster.logins, cluster.logouts, cluster.active_sessions) == (2, 1, 0)
    assert cluster.count(LOGIN_PATHS[auth_method]) == 2


def test_a_token_past_its_expiry_is_replaced_before_the_call_not_after_a_401(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **with_extra("token", token_validity=3, token_renew_before=0))
    with ThoughtSpotHook() as hook:
        time.sleep(3.1)  # no lead time: the token is already dead on the server
        assert hook.request("GET", INFO).json()["userName"] == DEFAULT_USER
    # The expiry is counted from before the minting request, so the client never trusts a token longer
    # than the server does.
    assert [r.status for r in cluster.requests if r.path in (TOKEN_FULL_PATH, INFO_PATH)] == [200, 200, 200]


def test_a_renewal_that_meets_a_503_retries_the_minting_only(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    # Renewal is due 2 s after minting: wide margins, so a loaded machine cannot cause an extra renewal.
    use_connection(cluster, **with_extra("token", token_validity=60, token_renew_before=58))
    with ThoughtSpotHook() as hook:
        time.sleep(2.2)
        cluster.fail_next(TOKEN_FULL_PATH, 503)
        hook.request("GET", INFO)
    assert cluster.count(TOKEN_FULL_PATH) == 3  # the login, then a 503 and a success at renewal
    assert cluster.count(INFO_PATH) == 1


def test_a_renewal_that_keeps_failing_fails_the_call_without_multiplying_attempts(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    # Renewal is due 2 s after minting: wide margins, so a loaded machine cannot cause an extra renewal.
    use_connection(cluster, **with_extra("token", token_validity=60, token_renew_before=58))
    with ThoughtSpotHook() as hook:
        time.sleep(2.2)
        cluster.fail_next(TOKEN_FULL_PATH, 503, times=10)
        with pytest.raises(ThoughtSpotApiError, match="503.*Gave up after 3 attempts"):
            hook.request("GET", INFO)
    assert cluster.count(TOKEN_FULL_PATH) == 1 + 3  # the login, then retry_limit attempts, not 3 x 3
    assert cluster.count(INFO_PATH) == 0


def test_a_renewal_refused_is_not_retried(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    # Renewal is due 2 s after minting: wide margins, so a loaded machine cannot cause an extra renewal.
    use_connection(cluster, **with_extra("token", token_validity=60, token_renew_before=58))
    with ThoughtSpotHook() as hook:
        time.sleep(2.2)
        cluster.add_user(DEFAULT_USER, "Changed-Pass-321")  # the password changed under a running task
        with pytest.raises(ThoughtSpotAuthError, match="refused the login|already rejected"):
            hook.request("GET", INFO)
    assert [r.status for r in cluster.requests if r.path == TOKEN_FULL_PATH] == [200, 401]


def test_trusted_auth_explains_the_500_of_a_wrong_secret_key(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **with_extra("trusted", secret_key="Not-The-Secret-1"))
    with pytest.raises(
        ThoughtSpotApiError, match=r"trusted authentication is off.*extra\.secret_key"
    ) as caught:
        ThoughtSpotHook().login()
    assert caught.value.status_code == 500
    assert "Not-The-Secret-1" not in str(caught.value)
    assert cluster.count(TOKEN_LOGIN_PATH) == 0


def test_tokens_from_a_cluster_without_trusted_auth_are_refused(use_connection: Callable[..., str]) -> None:
    with FakeThoughtSpot({DEFAULT_USER: DEFAULT_PASSWORD}) as server:
        use_connection(server, **with_extra("token_secret"))
        with pytest.raises(ThoughtSpotAuthError, match="not allowed to log in") as caught:
            ThoughtSpotHook().login()
    assert caught.value.server_message == "Trusted authentication is not enabled for this cluster."


def test_a_dropped_token_login_is_not_replayed(
    cluster: FakeThoughtSpot, use_connection: Callable[..., str]
) -> None:
    use_connection(cluster, **METHODS["trusted"])
    cluster.drop_next(TOKEN_LOGIN_PATH)
    with pytest.raises(ThoughtSpotError, match="dropped"):
        ThoughtSpotHook().login()
    assert cluster.count(TOKEN_LOGIN_PATH) == 1  # the one-time token may be spent: never sent twice
    assert cluster.count(TRUSTED_TOKEN_PATH) == 1
    ThoughtSpotHook().login()  # the secret key was not refused: the next attempt works
