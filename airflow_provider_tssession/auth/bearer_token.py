"""Bearer tokens from `/api/rest/2.0/auth/token/full`: sent on v1 and v2 paths, renewed before they expire.

The token lives in the session state (the `Authorization` header), so session handles carry it (sealed,
like cookies). The client renews it at the top of a send once it expires within `token_renew_before`
seconds (and `hook.get_conn()` hands out a renewed session); a token this process minted is revoked at exit.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from airflow_provider_tssession.auth.lockout import send_credentials
from airflow_provider_tssession.exceptions import ThoughtSpotApiError
from airflow_provider_tssession.secret_text import mask_encoded
from airflow_provider_tssession.session_state import Token

if TYPE_CHECKING:
    import requests

    from airflow_provider_tssession.auth import Send
    from airflow_provider_tssession.retry import Log
    from airflow_provider_tssession.session_state import SessionState
    from airflow_provider_tssession.settings import ThoughtSpotSettings

TOKEN_FULL = "/api/rest/2.0/auth/token/full"
REVOKE = "/api/rest/2.0/auth/token/revoke"
USER = "/api/rest/2.0/auth/session/user"


class BearerTokenAuth:
    """A full-access token minted with the password or the secret key, as `Authorization: Bearer`."""

    description = "bearer token"
    check_endpoint = USER

    def __init__(self, settings: ThoughtSpotSettings) -> None:
        self.settings = settings

    def login(self, send: Send) -> Token:
        """Mint a token (a 401/403 is never retried)."""
        settings = self.settings
        body: dict[str, Any] = {"username": settings.login, "validity_time_in_sec": settings.token_validity}
        if settings.uses_secret_key:
            body["secret_key"] = settings.secret_key
        else:
            body["password"] = settings.password
        if settings.org_id is not None:
            body["org_id"] = settings.org_id
        started = time.time()
        # Minting is authenticated by the credentials alone, never by the token it replaces.
        response = send_credentials(
            settings, send, "POST", TOKEN_FULL, json=body, headers={"Authorization": None}
        )
        token, lifetime = _read_token(response, settings.host)
        mask_encoded(token)
        return Token(token, started + lifetime)

    def renewal_due(self, state: SessionState) -> bool:
        """Due when the token expires within `token_renew_before` seconds."""
        return (state.expires_at or 0.0) - time.time() <= self.settings.token_renew_before

    def renew(self, state: SessionState, send: Send, log: Log) -> None:
        """Mint the next token; revoke the replaced one if this process minted it (a shared one is kept)."""
        old, owned = state.token, state.owned
        remaining = max((state.expires_at or 0.0) - time.time(), 0)
        log.info("Renewing the ThoughtSpot bearer token for %s (%.0fs left)", self.settings.host, remaining)
        state.renew(self.login(send))
        if owned:  # the old token is ours: end it now rather than let it linger
            try:
                revoke(send, old)
            except ThoughtSpotApiError as error:
                log.warning("Revoking the replaced token failed (%s); it expires on its own", error)

    def logout(self, state: SessionState, send: Send) -> None:
        """Revoke the current token (401: it had already expired or been revoked)."""
        revoke(send, state.token)


def revoke(send: Send, token: str) -> None:
    """Revoke `token`, authenticated by the session's current token."""
    send("POST", REVOKE, json={"token": token}, idempotent=True)


def _read_token(response: requests.Response, host: str) -> tuple[str, float]:
    """Return the token and its lifetime in seconds, on the server's clock (so clock skew cannot matter)."""
    try:
        answer = response.json()
        token = answer["token"]
        expires, created = answer["expiration_time_in_millis"], answer["creation_time_in_millis"]
        lifetime = (float(expires) - float(created)) / 1000
    except (ValueError, KeyError, TypeError):
        token, lifetime = None, 0.0
    if not isinstance(token, str) or not token.strip() or not lifetime > 0:
        raise ThoughtSpotApiError(
            f"{TOKEN_FULL} at {host} answered {response.status_code} without a token and its expiry times",
            status_code=response.status_code,
        )
    return token.strip(), lifetime
