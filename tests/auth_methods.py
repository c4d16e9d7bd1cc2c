"""The authentication methods the tests run: the connection fields of each, and where each logs in and out."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from secrets_audit import cookie_values

from airflow_provider_tssession.testing import (
    LOGIN_PATH,
    LOGOUT_PATH,
    TOKEN_FULL_PATH,
    TOKEN_LOGIN_PATH,
    TOKEN_REVOKE_PATH,
    TRUSTED_TOKEN_PATH,
    V2_LOGIN_PATH,
    V2_LOGOUT_PATH,
    FakeThoughtSpot,
)
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD

SECRET_KEY = "ts-Trusted-Secret-4242"
ORGS = {0: "Primary", 7: "sales"}

METHODS: dict[str, dict[str, Any]] = {
    "v1_session": {"extra": {}},
    "v2_session": {"extra": {"api_version": "v2"}},
    "token": {"extra": {"auth_type": "token"}},
    "token_secret": {"extra": {"auth_type": "token", "secret_key": SECRET_KEY}, "password": None},
    "trusted": {"extra": {"auth_type": "trusted", "secret_key": SECRET_KEY}, "password": None},
}
LOGIN_PATHS = {
    "v1_session": LOGIN_PATH,
    "v2_session": V2_LOGIN_PATH,
    "token": TOKEN_FULL_PATH,
    "token_secret": TOKEN_FULL_PATH,
    "trusted": TRUSTED_TOKEN_PATH,
}
"""Where each method sends its credentials (trusted auth: the secret key; the login token comes next)."""
LOGOUT_PATHS = {
    "v1_session": LOGOUT_PATH,
    "v2_session": V2_LOGOUT_PATH,
    "token": TOKEN_REVOKE_PATH,
    "token_secret": TOKEN_REVOKE_PATH,
    "trusted": LOGOUT_PATH,
}


def with_extra(method: str, **extra: Any) -> dict[str, Any]:
    """The connection fields of `method`, with more extras."""
    fields = dict(METHODS[method])
    fields["extra"] = {**fields["extra"], **extra}
    return fields


def secrets_seen(server: FakeThoughtSpot) -> set[str]:
    """Every credential that crossed the wire: password, secret key, cookies, bearer and login tokens."""
    values = {DEFAULT_PASSWORD, SECRET_KEY}
    for record in server.requests:
        if record.session_id:
            values.add(record.session_id)
        values.update(cookie_values(record.headers).values())
        if record.path == TOKEN_LOGIN_PATH:
            values.update(parse_qs(record.body.decode()).get("auth_token", []))
    return {value for value in values if len(value) >= 5}
