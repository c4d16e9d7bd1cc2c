"""Redirects to another host: two stand-ins, and the second one must never hear from the hook.

Run for every authentication method, so the second host never sees a password, secret key, cookie,
bearer token or login token.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme
from auth_methods import LOGIN_PATHS

from airflow_provider_tssession.exceptions import ThoughtSpotApiError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import INFO_PATH, LOGIN_PATH, METADATA_LIST_PATH, FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

INFO = "/tspublic/v1/session/info"


@pytest.fixture
def other() -> Iterator[FakeThoughtSpot]:
    """Another host that would gladly accept the same user (same port numbers differ: same cookie domain)."""
    with FakeThoughtSpot(users={DEFAULT_USER: DEFAULT_PASSWORD}) as server:
        yield server


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_login_redirected_to_another_host_sends_nothing_there(
    auth_method: str, cluster: FakeThoughtSpot, other: FakeThoughtSpot, status: int
) -> None:
    path = LOGIN_PATHS[auth_method]
    cluster.fail_next(path, status, headers={"Location": other.url + path})
    with pytest.raises(ThoughtSpotApiError) as caught:
        ThoughtSpotHook().login()
    message = str(caught.value)
    assert f"answered {status} redirecting to '{other.url.split('//')[1]}'" in message
    assert "only on the connection's own host" in message
    assert caught.value.attempts == 1  # a redirect is an answer, not a transient failure
    assert cluster.count(path) == 1
    assert other.requests == []  # no password, no secret key, nothing


@pytest.mark.parametrize("status", [302, 307])
def test_an_api_call_redirected_to_another_host_carries_no_cookie_or_token_there(
    auth_method: str, cluster: FakeThoughtSpot, other: FakeThoughtSpot, status: int
) -> None:
    with ThoughtSpotHook() as hook:
        assert hook.get_conn().cookies or hook.get_conn().headers.get("Authorization")
        cluster.fail_next(INFO_PATH, status, headers={"Location": other.url + INFO_PATH})
        with pytest.raises(ThoughtSpotApiError, match=f"answered {status} redirecting"):
            hook.request("GET", INFO, headers={"X-Extra": "1"})
        cluster.fail_next(INFO_PATH, status, headers={"Location": f"{other.url}/any?next={cluster.url}"})
        with pytest.raises(ThoughtSpotApiError, match=f"answered {status} redirecting"):
            hook.request("POST", INFO, data={"id": "a1"}, idempotent=True)
    assert other.requests == []
    assert cluster.count(INFO_PATH) == 2
    assert (cluster.logins, cluster.logouts) == (1, 1)


def test_a_same_host_redirect_is_followed_with_the_session_but_a_second_hop_away_is_not(
    ts: FakeThoughtSpot, other: FakeThoughtSpot
) -> None:
    with ThoughtSpotHook() as hook:
        ts.fail_next(INFO_PATH, 302, headers={"Location": METADATA_LIST_PATH})
        assert hook.request("GET", INFO).json()["headers"]  # followed on the same host, with the cookie
        ts.fail_next(INFO_PATH, 302, headers={"Location": METADATA_LIST_PATH})
        ts.fail_next(METADATA_LIST_PATH, 307, headers={"Location": other.url + METADATA_LIST_PATH})
        with pytest.raises(ThoughtSpotApiError, match="answered 307 redirecting"):
            hook.request("GET", INFO)
    assert other.requests == []
    listing = [r for r in ts.requests if r.path == METADATA_LIST_PATH]
    assert len(listing) == 2 and all(r.session_id for r in listing)


def test_a_redirect_from_https_down_to_http_on_the_same_host_is_not_followed(
    use_connection: Callable[..., str], tmp_path: Path
) -> None:
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with FakeThoughtSpot({DEFAULT_USER: DEFAULT_PASSWORD}, ssl_context=context) as secure:
        use_connection(secure, extra={"verify": str(bundle)})
        secure.fail_next(
            LOGIN_PATH, 307, headers={"Location": secure.url.replace("https", "http") + LOGIN_PATH}
        )
        with pytest.raises(ThoughtSpotApiError, match="answered 307"):
            ThoughtSpotHook().login()
        assert secure.count(LOGIN_PATH) == 1
