"""Where a secret may appear: the password in the login body, session values in Cookie/Authorization headers.

Everything else a user or an operator can see (task logs, exceptions, XCom, rendered fields, the request
log's other headers, bodies and query strings) must be free of them. Shared by the fault matrix and the
DAG audit.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

from airflow_provider_tssession.testing import LOGIN_PATH, FakeThoughtSpot

AUDIT_PASSWORD = "Pw-Audit-7f3c9e1b&=%+ Σ"
"""Distinctive, and full of characters that form encoding must get right."""

SESSION_HEADERS = ("cookie", "authorization")


def session_secrets(server: FakeThoughtSpot) -> set[str]:
    """Every cookie value and Authorization token the client sent back to the stand-in."""
    values: set[str] = set()
    for record in server.requests:
        for name, value in record.headers.items():
            if name.lower() == "cookie":
                values |= {part.split("=", 1)[1] for part in value.split(";") if "=" in part}
            elif name.lower() == "authorization":
                values |= {value, value.split(" ", 1)[-1]}
    return {value.strip() for value in values if len(value.strip()) >= 8}


def password_forms(password: str) -> set[str]:
    return {password, quote_plus(password), quote(password, safe="")}


def assert_request_log_clean(server: FakeThoughtSpot, password: str, secrets: Iterable[str]) -> int:
    """Check every request the stand-in saw; return how many login bodies carried the password."""
    secrets = set(secrets)
    forms = password_forms(password)
    logins_with_password = 0
    for record in server.requests:
        body = record.body.decode("utf-8", "replace")
        if record.path == LOGIN_PATH and quote_plus(password) in body:
            logins_with_password += 1
            body = body.replace(quote_plus(password), "")
        for secret in forms | secrets:
            assert secret not in body, f"a secret in the body of {record.method} {record.path}"
            assert secret not in record.query, f"a secret in the query of {record.method} {record.path}"
        for name, value in record.headers.items():
            for secret in forms:
                assert secret not in value, f"the password in header {name} of {record.path}"
            if name.lower() not in SESSION_HEADERS:
                for secret in secrets:
                    assert secret not in value, f"a session secret in header {name} of {record.path}"
    return logins_with_password


def exception_texts(error: BaseException | None) -> list[str]:
    """The message, repr and traceback of an error and of everything it wraps, suppressed or not."""
    texts: list[str] = []
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
        error = error.__cause__ or error.__context__
    return texts


def assert_nowhere(texts: Iterable[str], secrets: Iterable[str]) -> None:
    """No secret in any of the texts (logs, exceptions, XCom, rendered fields)."""
    secrets = [secret for secret in secrets if secret]
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"a secret leaked into: {text[:200]!r}"
