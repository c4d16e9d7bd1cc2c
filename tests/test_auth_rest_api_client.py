"""The public client library `thoughtspot-rest-api` (TSRestApiV2) against the stand-in: if it works here,
the stand-in speaks REST v2 sessions and bearer tokens as clusters do."""

from __future__ import annotations

import json

import pytest
import requests
from auth_methods import SECRET_KEY
from thoughtspot_rest_api import TSRestApiV2
from thoughtspot_rest_api_v1 import TSRestApiV1

from airflow_provider_tssession.testing import V2_LOGIN_PATH, FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER


@pytest.mark.parametrize("org", [7, "sales"])
def test_v2_session_login_user_and_logout(cluster: FakeThoughtSpot, org: int | str) -> None:
    api = TSRestApiV2(server_url=cluster.url)
    api.auth_session_login(username=DEFAULT_USER, password=DEFAULT_PASSWORD, org_identifier=org)
    user = api.auth_session_user()
    assert (user["name"], user["current_org"]["id"]) == (DEFAULT_USER, 7)
    assert api.auth_session_logout() is True
    with pytest.raises(requests.HTTPError) as caught:
        api.auth_session_user()
    assert caught.value.response.status_code == 401
    sent = json.loads(next(r.body for r in cluster.requests if r.path == V2_LOGIN_PATH))
    assert sent["remember_me"] == "true"  # the library sends text, not a JSON boolean


def test_v2_login_refusal_is_an_http_error(cluster: FakeThoughtSpot) -> None:
    api = TSRestApiV2(server_url=cluster.url)
    with pytest.raises(requests.HTTPError) as caught:
        api.auth_session_login(username=DEFAULT_USER, password="Wrong-Pass-987")
    assert caught.value.response.json()["error"]["message"]["code"] == 10097


@pytest.mark.parametrize("credential", [{"password": DEFAULT_PASSWORD}, {"secret_key": SECRET_KEY}])
def test_token_full_then_bearer_on_v2_and_v1_then_revoke(
    cluster: FakeThoughtSpot, credential: dict[str, str]
) -> None:
    api = TSRestApiV2(server_url=cluster.url)
    token = api.auth_token_full(username=DEFAULT_USER, validity_time_in_sec=600, **credential)
    assert token["expiration_time_in_millis"] - token["creation_time_in_millis"] == 600_000
    api.bearer_token = token["token"]
    assert api.auth_session_user()["name"] == DEFAULT_USER
    v1 = api.requests_session.get(cluster.url + "/callosum/v1/tspublic/v1/session/info", timeout=5)
    assert v1.json()["userName"] == DEFAULT_USER
    assert "JSESSIONID" not in api.requests_session.cookies  # the token alone authenticates
    assert api.auth_token_revoke() is True  # no body: revokes the caller's own token
    with pytest.raises(requests.HTTPError):
        api.auth_session_user()
    assert (cluster.logins, cluster.logouts, cluster.active_sessions) == (1, 1, 0)


def test_v1_library_gets_a_trusted_auth_token_as_text(cluster: FakeThoughtSpot) -> None:
    token = TSRestApiV1(server_url=cluster.url).session_auth_token(
        secret_key=SECRET_KEY, username=DEFAULT_USER
    )
    session = requests.Session()
    form = {"username": DEFAULT_USER, "auth_token": token, "no_url_redirection": "true"}
    login = session.post(
        cluster.url + "/callosum/v1/tspublic/v1/session/login/token",
        data=form,
        headers={"X-Requested-By": "ThoughtSpot"},
        timeout=5,
    )
    assert login.status_code == 204 and cluster.logins == 1
