"""The connection's extra fields, declared once: settings read them, and the UI form is built from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ExtraField:
    """One extra of the `thoughtspot` connection: its name in `Connection.extra`, type, default and label."""

    name: str
    label: str
    description: str
    type: str  # JSON-schema type: "boolean", "number", "integer" or "string"
    default: Any
    secret: bool = False
    choices: tuple[str, ...] = ()  # the only values allowed; the UI shows them as a drop-down


EXTRA_FIELDS: tuple[ExtraField, ...] = (
    ExtraField(
        "verify",
        "Verify TLS",
        "true, false, or the path of a CA bundle file; empty means true (or REQUESTS_CA_BUNDLE when set)",
        "string",
        True,
    ),
    ExtraField(
        "timeout", "Timeout (seconds)", "Seconds for every call (per-call override possible)", "number", 30.0
    ),
    ExtraField(
        "deadline",
        "Deadline per attempt (seconds)",
        "Most seconds one attempt of a call may take in all, however slowly the server sends; "
        "empty means 120 or 4 x timeout, whichever is larger",
        "number",
        None,
    ),
    ExtraField("remember_me", "Remember me", "Ask ThoughtSpot for a long-lived session", "boolean", False),
    ExtraField("retry_limit", "Retry limit", "Attempts per call, including the first", "integer", 3),
    ExtraField("retry_delay", "Retry delay (seconds)", "Base of the exponential backoff", "number", 1.0),
    ExtraField(
        "retry_max_wait",
        "Longest retry wait (seconds)",
        "Cap on any wait between attempts, whatever the server's Retry-After asks",
        "number",
        60.0,
    ),
    ExtraField(
        "account_lock_seconds",
        "Locked account: wait (seconds)",
        "After ThoughtSpot reports the account locked (403), log in again only after this long; "
        "ThoughtSpot locks for about an hour",
        "number",
        3600.0,
    ),
    ExtraField(
        "api_version",
        "API version",
        "REST API of the session login: v1 (/tspublic/v1) or v2 (/api/rest/2.0)",
        "string",
        "v1",
        choices=("v1", "v2"),
    ),
    ExtraField(
        "auth_type",
        "Authentication",
        "session (username and password), token (bearer token) or trusted (secret key, REST v1)",
        "string",
        "session",
        choices=("session", "token", "trusted"),
    ),
    ExtraField(
        "secret_key",
        "Secret key",
        "Trusted authentication secret key; logs in without the password (MFA accounts)",
        "string",
        None,
        secret=True,
    ),
    ExtraField(
        "org_identifier", "Org (name or id)", "Org to log in to (REST v2 session login)", "string", None
    ),
    ExtraField("org_id", "Org id", "Org number to work in (v1 sessions, tokens, trusted)", "integer", None),
    ExtraField(
        "token_validity",
        "Token validity (seconds)",
        "Lifetime of each bearer token; empty means 300",
        "integer",
        300,
    ),
    ExtraField(
        "token_renew_before",
        "Renew token before expiry (seconds)",
        "Mint the next bearer token this long before expiry; empty: 60, or a fifth of a shorter validity",
        "number",
        60.0,
    ),
)

DEFAULTS: dict[str, Any] = {field.name: field.default for field in EXTRA_FIELDS}
