"""Bearer tokens from `/api/rest/2.0/auth/token/full`: sent on v1 and v2 paths, renewed before they expire.

The token lives in the session's `Authorization` header, so session handles carry it (sealed, like
cookies). A `TokenRenewal` on `session.auth` mints the next token `token_renew_before` seconds ahead of
expiry, also for code that uses `hook.get_conn()` directly; a token this process minted is revoked at exit.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import requests.auth

from airflow_provider_tssession.auth.lockout import send_credentials
from airflow_provider_tssession.exceptions import ThoughtSpotApiError, ThoughtSpotTransientError
from airflow_provider_tssession.secret_text import mask_encoded

if TYPE_CHECKING:
    from airflow_provider_tssession.client import ThoughtSpotClient

TOKEN_FULL = "/api/rest/2.0/auth/token/full"
REVOKE = "/api/rest/2.0/auth/token/revoke"
USER = "/api/rest/2.0/auth/session/user"


def _as_is(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """Per-request auth that skips the renewal: minting and revoking must not renew."""
    return request


class BearerTokenAuth:
    """A full-access token minted with the password or the secret key, as `Authorization: Bearer`."""

    description = "bearer token"
    check_endpoint = USER

    def login(self, client: ThoughtSpotClient) -> None:
        """Mint a token (a 401/403 is never retried) and renew it before it expires."""
        mint(client)
        client.session.auth = TokenRenewal(client)

    def resume(self, client: ThoughtSpotClient) -> None:
        """Keep renewing a token restored from a handle; a renewed token belongs to this process."""
        client.session.auth = TokenRenewal(client)

    def logout(self, client: ThoughtSpotClient) -> None:
        """Revoke the current token (401: it had already expired or been revoked)."""
        revoke(client, current_token(client))


class TokenRenewal(requests.auth.AuthBase):
    """Before each request, replace a token that expires within `token_renew_before` seconds."""

    def __init__(self, client: ThoughtSpotClient) -> None:
        self._client = client
        self._lock = threading.Lock()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Renew if due, and send the current token."""
        client = self._client
        with self._lock:
            old = client.session.headers.get("Authorization")
            remaining = float(client.auth_state.get("expires_at", 0)) - time.time()
            if remaining > client.settings.token_renew_before:
                return request
            self._renew(remaining)
        if request.headers.get("Authorization") == old:
            request.headers["Authorization"] = f"Bearer {current_token(client)}"
        return request

    def _renew(self, remaining: float) -> None:
        client = self._client
        old = current_token(client)
        host = client.settings.host
        client.log.info("Renewing the ThoughtSpot bearer token for %s (%.0fs left)", host, max(remaining, 0))
        try:
            mint(client)
        except ThoughtSpotTransientError as error:
            # Minting spent its own retries; the request that needed the token must not repeat them.
            error.transient = False
            raise
        if client.owns_session:  # the old token is ours: end it now rather than let it linger
            try:
                revoke(client, old)
            except ThoughtSpotApiError as error:
                client.log.warning("Revoking the replaced token failed (%s); it expires on its own", error)
        client.owns_session = True


def mint(client: ThoughtSpotClient) -> None:
    """Get a new full-access token and make it the session's `Authorization` header."""
    settings = client.settings
    body: dict[str, Any] = {"username": settings.login, "validity_time_in_sec": settings.token_validity}
    if settings.uses_secret_key:
        body["secret_key"] = settings.secret_key
    else:
        body["password"] = settings.password
    if settings.org_id is not None:
        body["org_id"] = settings.org_id
    started = time.time()
    response = send_credentials(
        client, "POST", TOKEN_FULL, json=body, headers={"Authorization": None}, auth=_as_is
    )
    token, lifetime = _read_token(response, settings.host)
    mask_encoded(token)
    client.session.headers["Authorization"] = f"Bearer {token}"
    client.auth_state["expires_at"] = started + lifetime


def revoke(client: ThoughtSpotClient, token: str) -> None:
    """Revoke `token`, authenticated by the session's current token."""
    client.send("POST", REVOKE, json={"token": token}, idempotent=True, auth=_as_is)


def current_token(client: ThoughtSpotClient) -> str:
    """Return the token the session sends (empty when there is none)."""
    header = client.session.headers.get("Authorization")
    return header.split(" ", 1)[-1] if isinstance(header, str) else ""


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
