"""Authentication extras: defaults, parsing, and every contradictory combination named field by field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_tssession._compat import Connection
from airflow_provider_tssession.auth import authenticator_for
from airflow_provider_tssession.connection_fields import EXTRA_FIELDS
from airflow_provider_tssession.exceptions import ThoughtSpotConfigError
from airflow_provider_tssession.settings import ThoughtSpotSettings

SECRET = "Trusted-Secret-Key-777"


def settings(extra: dict[str, Any] | None = None, password: str | None = "Pw-123456") -> ThoughtSpotSettings:
    connection = Connection(
        conn_id="ts",
        conn_type="thoughtspot",
        host="my.thoughtspot.cloud",
        login="etl",
        password=password,
        extra=json.dumps(extra or {}),
    )
    return ThoughtSpotSettings.from_connection(connection)


def refused(extra: dict[str, Any], password: str | None = "Pw-123456") -> ThoughtSpotConfigError:
    with pytest.raises(ThoughtSpotConfigError) as caught:
        settings(extra, password)
    return caught.value


def test_defaults_keep_the_v1_session() -> None:
    s = settings()
    assert (s.api_version, s.auth_type, s.secret_key, s.org_identifier, s.org_id) == (
        "v1",
        "session",
        None,
        None,
        None,
    )
    assert (s.token_validity, s.token_renew_before) == (300, 60.0)
    assert type(authenticator_for(s)).__name__ == "V1SessionAuth"


@pytest.mark.parametrize(
    ("extra", "password", "method"),
    [
        ({"api_version": "v2"}, "Pw-123456", "V2SessionAuth"),
        ({"api_version": " V2 ", "auth_type": "Session"}, "Pw-123456", "V2SessionAuth"),
        ({"auth_type": "token"}, "Pw-123456", "BearerTokenAuth"),
        ({"auth_type": "token", "api_version": "v2", "secret_key": SECRET}, None, "BearerTokenAuth"),
        ({"auth_type": "trusted", "secret_key": SECRET}, None, "TrustedV1Auth"),
    ],
)
def test_each_method_is_chosen_from_the_extras(
    extra: dict[str, Any], password: str | None, method: str
) -> None:
    assert type(authenticator_for(settings(extra, password))).__name__ == method


def test_extras_as_strings_or_json_types() -> None:
    typed = settings({"auth_type": "token", "org_id": 7, "token_validity": 600, "token_renew_before": 30})
    strings = settings(
        {"auth_type": "token", "org_id": "7", "token_validity": "600", "token_renew_before": "30"}
    )
    assert typed == strings
    assert (typed.org_id, typed.token_validity, typed.token_renew_before) == (7, 600, 30.0)
    assert settings({"api_version": "v2", "org_identifier": 7}).org_identifier == "7"


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"api_version": "v3"}, "extra.api_version", ["'v3' is not one of 'v1', 'v2'"]),
        ({"auth_type": "oauth"}, "extra.auth_type", ["'oauth'", "'session', 'token', 'trusted'"]),
        ({"auth_type": True}, "extra.auth_type", ["True is not one of"]),
        ({"auth_type": "trusted"}, "extra.secret_key", ["is empty", "extra.auth_type is 'trusted'"]),
        (
            {"auth_type": "trusted", "secret_key": SECRET, "api_version": "v2"},
            "extra.auth_type",
            ["extra.api_version is 'v2'", 'extra.auth_type to "token"'],
        ),
        (
            {"api_version": "v2", "org_id": 7, "org_identifier": "sales"},
            "extra.org_id",
            ["extra.org_identifier are both set", "only one"],
        ),
        ({"org_identifier": "sales"}, "extra.org_identifier", ["api_version is 'v1'", "extra.org_id"]),
        (
            {"auth_type": "token", "org_identifier": "sales", "api_version": "v2"},
            "extra.org_identifier",
            ["auth_type is 'token'"],
        ),
        ({"org_id": -1}, "extra.org_id", ["a whole number >= 0"]),
        ({"org_id": "sales"}, "extra.org_id", ["a whole number >= 0"]),
        ({"auth_type": "token", "token_validity": 0}, "extra.token_validity", [">= 1"]),
        (
            {"auth_type": "token", "token_validity": 60, "token_renew_before": 60},  # set, not derived
            "extra.token_renew_before",
            ["60 is not below extra.token_validity (60)"],
        ),
        ({"org_identifier": "a\nb", "api_version": "v2"}, "extra.org_identifier", ["a single line"]),
    ],
)
def test_contradictions_name_the_fields(extra: dict[str, Any], field: str, words: list[str]) -> None:
    error = refused(extra)
    assert error.field == field
    for word in words:
        assert word in str(error)
    assert "Fix:" in str(error)


@pytest.mark.parametrize(("validity", "lead"), [(30, 6.0), (60, 12.0), (300, 60.0), (3600, 60.0)])
def test_an_unset_renewal_lead_is_derived_from_a_short_validity(validity: int, lead: float) -> None:
    s = settings({"auth_type": "token", "token_validity": validity})
    assert (s.token_validity, s.token_renew_before) == (validity, lead)
    assert (
        settings({"auth_type": "token", "token_validity": 30, "token_renew_before": 20}).token_renew_before
        == 20
    )


def test_the_missing_password_error_names_the_way_out() -> None:
    session = refused({}, password=None)
    assert session.field == "password" and "MFA" in str(session) and "extra.secret_key" in str(session)
    token = refused({"auth_type": "token"}, password="")
    assert token.field == "password" and "extra.secret_key to mint tokens" in str(token)


def test_secret_key_logins_need_no_password() -> None:
    trusted = settings({"auth_type": "trusted", "secret_key": SECRET}, password=None)
    assert (trusted.password, trusted.login_secret, trusted.credential_fields) == (
        "",
        SECRET,
        "Login or extra secret_key",
    )
    token = settings({"auth_type": "token", "secret_key": SECRET}, password="Pw-123456")
    assert token.login_secret == SECRET  # ThoughtSpot prefers the secret key when both are there
    assert settings({"auth_type": "token"}).login_secret == "Pw-123456"
    # A secret key beside a session login is not what logs in:
    assert settings({"secret_key": SECRET}).login_secret == "Pw-123456"


def test_secrets_stay_out_of_repr_and_errors() -> None:
    s = settings({"auth_type": "token", "secret_key": SECRET}, password="Pw-123456")
    assert SECRET not in repr(s) and "Pw-123456" not in repr(s)
    error = refused({"auth_type": "trusted", "secret_key": [SECRET]})
    assert error.field == "extra.secret_key" and SECRET not in str(error) and "its value" in str(error)


def test_the_new_extras_are_declared_for_the_form() -> None:
    fields = {extra.name: extra for extra in EXTRA_FIELDS}
    assert fields["secret_key"].secret
    assert fields["auth_type"].choices == ("session", "token", "trusted")
    assert fields["api_version"].choices == ("v1", "v2")
    assert {"org_identifier", "org_id", "token_validity", "token_renew_before"} <= set(fields)
    assert settings({"auth_type": "token", "token_renew_before": 10}).ignored_extras == ()
