"""Bad connection input gives an error that names the field and the fix; good input maps as documented."""

from __future__ import annotations

import json
from typing import Any

import pytest
import trustme

from airflow_provider_tssession._compat import Connection
from airflow_provider_tssession.exceptions import ThoughtSpotConfigError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.routing import url_for
from airflow_provider_tssession.settings import ThoughtSpotSettings


def settings(**fields: Any) -> ThoughtSpotSettings:
    values: dict[str, Any] = {
        "host": "my.thoughtspot.cloud",
        "login": "etl",
        "password": "Pw-123456",
        **fields,
    }
    if isinstance(values.get("extra"), dict):
        values["extra"] = json.dumps(values["extra"])
    return ThoughtSpotSettings.from_connection(Connection(conn_id="ts", conn_type="thoughtspot", **values))


def test_defaults() -> None:
    s = settings()
    assert s.base_url == "https://my.thoughtspot.cloud"
    assert (s.verify, s.timeout, s.remember_me, s.retry_limit, s.retry_delay) == (True, 30.0, False, 3, 1.0)
    assert (
        url_for(s, "/tspublic/v1/session/info")
        == "https://my.thoughtspot.cloud/callosum/v1/tspublic/v1/session/info"
    )
    assert (
        url_for(s, "/api/rest/2.0/auth/session/user")
        == "https://my.thoughtspot.cloud/api/rest/2.0/auth/session/user"
    )


@pytest.mark.parametrize(
    ("fields", "base_url"),
    [
        ({"host": "http://127.0.0.1", "port": 8080}, "http://127.0.0.1:8080"),
        ({"host": "https://TS.example.com:8443/"}, "https://ts.example.com:8443"),
        ({"host": "ts.example.com", "schema": "http"}, "http://ts.example.com"),
        ({"host": "ts.example.com/callosum/v1"}, "https://ts.example.com"),
        ({"host": "[::1]", "port": "9000"}, "https://[::1]:9000"),
    ],
)
def test_host_forms(fields: dict[str, Any], base_url: str) -> None:
    assert settings(**fields).base_url == base_url


def test_extras_as_json_types_or_strings() -> None:
    typed = settings(
        extra={"verify": False, "timeout": 5, "remember_me": True, "retry_limit": 5, "retry_delay": 0.5}
    )
    strings = settings(
        extra={
            "verify": "false",
            "timeout": "5",
            "remember_me": "true",
            "retry_limit": "5",
            "retry_delay": "0.5",
        }
    )
    assert typed == strings
    assert (typed.verify, typed.timeout, typed.remember_me, typed.retry_limit) == (False, 5.0, True, 5)


def test_verify_accepts_an_existing_ca_bundle(tmp_path: Any) -> None:
    bundle = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(bundle))
    assert settings(extra={"verify": str(bundle)}).verify == str(bundle)


def test_verify_refuses_a_file_that_is_not_a_ca_bundle(tmp_path: Any) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n")
    with pytest.raises(
        ThoughtSpotConfigError, match="extra.verify.*not the path of a readable PEM CA bundle"
    ):
        settings(extra={"verify": str(bundle)})


@pytest.mark.parametrize(
    ("fields", "field", "hint"),
    [
        ({"host": None}, "host", "my.thoughtspot.cloud"),
        ({"host": "my.thoughtspot.cloud/some/path"}, "host", "nothing after it"),
        ({"host": "my thoughtspot.cloud"}, "host", "not a valid host name"),
        ({"host": "ftp://my.thoughtspot.cloud"}, "host", "https://"),
        ({"host": "my.thoughtspot.cloud\r\nX-Evil: 1"}, "host", "line break"),
        ({"port": "eighty"}, "port", "1-65535"),
        ({"host": "https://ts.example.com:8443", "port": 9443}, "port", "one place"),
        ({"login": ""}, "login", "username"),
        ({"password": None}, "password", "password"),
        ({"extra": {"verify": "/no/such/ca.pem"}}, "extra.verify", "CA bundle"),
        ({"extra": {"verify": 7}}, "extra.verify", "true, false"),
        ({"extra": {"timeout": -1}}, "extra.timeout", "a number >= 0.001"),
        ({"extra": {"timeout": "soon"}}, "extra.timeout", "a number"),
        ({"extra": {"retry_limit": 0}}, "extra.retry_limit", "whole number >= 1"),
        ({"extra": {"retry_limit": 2.5}}, "extra.retry_limit", "whole number"),
        ({"extra": {"retry_delay": "nan"}}, "extra.retry_delay", "a number >= 0"),
        ({"extra": {"remember_me": "maybe"}}, "extra.remember_me", "true or false"),
        ({"extra": "{not json"}, "extra", "JSON object"),
        ({"extra": "[1, 2]"}, "extra", "JSON object"),
    ],
)
def test_bad_input_names_the_field_and_the_fix(fields: dict[str, Any], field: str, hint: str) -> None:
    with pytest.raises(ThoughtSpotConfigError) as caught:
        settings(**fields)
    message = str(caught.value)
    assert caught.value.field == field
    assert f"field {field!r}" in message and "Fix:" in message and hint in message
    assert "Pw-123456" not in message


def test_unknown_extras_are_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_TS_TYPO",
        json.dumps({"conn_type": "thoughtspot", "host": "h.example", "login": "u", "password": "p",
                    "extra": {"verfy": False}}),
    )  # fmt: skip
    assert ThoughtSpotHook("ts_typo").settings.ignored_extras == ("verfy",)
    assert "ignoring unknown extras" in capsys.readouterr().out


def test_a_bad_connection_fails_in_the_hook_not_deep_in_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_TS_BAD", json.dumps({"conn_type": "thoughtspot", "login": "u", "password": "p"})
    )
    with pytest.raises(ThoughtSpotConfigError, match="field 'host'"):
        ThoughtSpotHook("ts_bad").login()


def test_whitespace_pasted_around_a_login_or_host_is_stripped() -> None:
    s = settings(host="  my.thoughtspot.cloud ", login="etl_user \u00a0", schema=" http ")
    assert (s.base_url, s.login) == ("http://my.thoughtspot.cloud", "etl_user")


def test_whitespace_inside_a_login_is_refused_before_any_request() -> None:
    with pytest.raises(ThoughtSpotConfigError) as caught:
        settings(login="etl user")
    assert caught.value.field == "login" and "contains whitespace" in str(caught.value)
    assert "Fix:" in str(caught.value) and "Pw-123456" not in str(caught.value)


@pytest.mark.parametrize("password", ["Pw-123456 ", "\u00a0Pw-123456"])
def test_a_password_is_kept_as_typed(password: str) -> None:
    assert settings(password=password).password == password  # whitespace may be part of it
