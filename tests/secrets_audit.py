"""Where a secret may appear on the wire, and that it appears nowhere else.

The password goes only in the body of a login request, the secret key only in the body of a token
request, session cookies only in the Cookie header, bearer tokens only in the Authorization header (and
the body of their own revocation), a trusted login token only in the body of its login. Everything a user
or an operator can see (task logs, exceptions, XCom, rendered fields, every other header, body and query
string) must be free of all of them. Shared by the fault matrix and the DAG audit.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, quote_plus

from airflow_provider_tssession.testing import (
    LOGIN_PATH,
    TOKEN_FULL_PATH,
    TOKEN_LOGIN_PATH,
    TOKEN_REVOKE_PATH,
    TRUSTED_TOKEN_PATH,
    V2_LOGIN_PATH,
    FakeThoughtSpot,
)

AUDIT_PASSWORD = "Pw-Audit-7f3c9e1b&=%+ Σ"
"""Distinctive, and full of characters that form and JSON encoding must get right."""


def encodings(value: str) -> set[str]:
    """The value as it may appear: raw, form-encoded, URL-quoted, JSON-escaped."""
    return {value, quote_plus(value), quote(value, safe=""), json.dumps(value)[1:-1]}


@dataclass
class Secret:
    """Values of one kind of secret and the only places on the wire where they may appear."""

    values: set[str]
    headers: frozenset[str] = frozenset()
    body_paths: frozenset[str] = frozenset()


@dataclass
class Secrets:
    """Every secret of an audit, by kind."""

    kinds: dict[str, Secret] = field(default_factory=dict)

    def all(self) -> set[str]:
        return {value for kind in self.kinds.values() for value in kind.values if value}


def cookie_values(headers: Mapping[str, str]) -> dict[str, str]:
    """The cookies a request sent, by name, read from its `Cookie` header (any letter case)."""
    header = next((value for name, value in headers.items() if name.lower() == "cookie"), "")
    pairs = (part.strip().partition("=") for part in header.split(";"))
    return {name: value for name, sep, value in pairs if sep}


def sent_cookies(server: FakeThoughtSpot) -> set[str]:
    """Every cookie value the client sent back to the stand-in."""
    return {value for record in server.requests for value in cookie_values(record.headers).values()}


def secrets_of(server: FakeThoughtSpot, password: str, secret_key: str | None = None) -> Secrets:
    """The password and secret key given, and the session values the client sent back to the stand-in."""
    cookies: set[str] = set()
    bearer: set[str] = set()
    login_tokens: set[str] = set()
    for record in server.requests:
        cookies |= set(cookie_values(record.headers).values())
        for name, value in record.headers.items():
            if name.lower() == "authorization":
                bearer |= {value, value.split(" ", 1)[-1]}
        if record.path == TOKEN_LOGIN_PATH:
            login_tokens |= set(parse_qs(record.body.decode("utf-8", "replace")).get("auth_token", []))
    kinds = {
        "password": Secret(
            encodings(password), body_paths=frozenset({LOGIN_PATH, V2_LOGIN_PATH, TOKEN_FULL_PATH})
        ),
        "cookie": Secret({v for v in cookies if len(v) >= 8}, headers=frozenset({"cookie"})),
        "bearer": Secret(
            {v for v in bearer if len(v) >= 8},
            headers=frozenset({"authorization"}),
            body_paths=frozenset({TOKEN_REVOKE_PATH}),
        ),
        "login_token": Secret(
            {v for v in login_tokens if len(v) >= 8}, body_paths=frozenset({TOKEN_LOGIN_PATH})
        ),
    }
    if secret_key:
        kinds["secret_key"] = Secret(
            encodings(secret_key), body_paths=frozenset({TOKEN_FULL_PATH, TRUSTED_TOKEN_PATH})
        )
    return Secrets(kinds)


def assert_request_log_clean(server: FakeThoughtSpot, secrets: Secrets) -> int:
    """Check every request the stand-in saw; return how many carried the password (in a login body)."""
    carried_password = 0
    password = secrets.kinds["password"].values
    for record in server.requests:
        body = record.body.decode("utf-8", "replace")
        where = f"{record.method} {record.path}"
        carried_password += any(value in body for value in password)
        for kind, secret in secrets.kinds.items():
            for value in secret.values:
                if value in body or value in record.query:
                    assert record.path in secret.body_paths, f"the {kind} in the body or query of {where}"
                for name, header in record.headers.items():
                    if value in header:
                        assert name.lower() in secret.headers, f"the {kind} in header {name} of {where}"
    return carried_password


def exception_texts(error: BaseException | None) -> list[str]:
    """The message, repr and traceback of an error and of everything it wraps, suppressed or not."""
    texts: list[str] = []
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
        error = error.__cause__ or error.__context__
    return texts


def assert_nowhere(texts: Iterable[str], secrets: Secrets) -> None:
    """No secret in any of the texts (logs, exceptions, XCom, rendered fields)."""
    values = secrets.all()
    for text in texts:
        for value in values:
            assert value not in text, f"a secret leaked into: {text[:200]!r}"
