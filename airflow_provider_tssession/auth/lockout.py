"""Remember credentials ThoughtSpot rejected, so no code path in this process sends them again.

About four failed logins in a row lock a ThoughtSpot account for an hour; a retry loop, a re-login
after expiry or a Test button pressed twice must never spend those attempts. Every authentication
method sends its credentials through `send_credentials`.
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING, Any

from airflow_provider_tssession.exceptions import ThoughtSpotApiError, ThoughtSpotAuthError

if TYPE_CHECKING:
    import requests

    from airflow_provider_tssession.auth import Send
    from airflow_provider_tssession.settings import ThoughtSpotSettings

_lock = threading.Lock()
_rejected: dict[str, ThoughtSpotAuthError] = {}
_login_locks: dict[str, threading.Lock] = {}


def _key(settings: ThoughtSpotSettings) -> str:
    material = "\0".join((settings.base_url, settings.login, settings.login_secret))
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


def send_credentials(
    settings: ThoughtSpotSettings,
    send: Send,
    method: str,
    endpoint: str,
    *,
    idempotent: bool = True,
    **kwargs: Any,
) -> requests.Response:
    """Send a login request; a 401/403 is never retried, and refused credentials are never sent again.

    Transient failures are retried like any login (unless `idempotent` is False). Logins with the same
    credentials take turns: hooks in many threads that log in with the same wrong password at once must
    not each send it; the later ones wait, then find the first one's rejection and send nothing.
    """
    with _lock:
        login_lock = _login_locks.setdefault(_key(settings), threading.Lock())
    with login_lock:
        refuse_if_rejected(settings)
        try:
            return send(method, endpoint, idempotent=idempotent, **kwargs)
        except ThoughtSpotApiError as error:
            if error.status_code not in (401, 403):
                raise
            rejection = credentials_rejected(settings, error)
            remember_rejected(settings, rejection)
            raise rejection from None


def refuse_if_rejected(settings: ThoughtSpotSettings) -> None:
    """Raise the earlier rejection again, without a request, when these credentials already failed."""
    with _lock:
        earlier = _rejected.get(_key(settings))
    if earlier is not None:
        raise ThoughtSpotAuthError.explaining(
            earlier,
            f"Not logging in to {settings.host} as {settings.login!r}: ThoughtSpot already rejected these "
            f"credentials in this process ({earlier.server_message or earlier.status_code}), and repeated "
            f"failures lock the account. Fix the connection's {settings.credential_fields}.",
        )


def remember_rejected(settings: ThoughtSpotSettings, error: ThoughtSpotAuthError) -> None:
    """Record that ThoughtSpot rejected these credentials."""
    with _lock:
        _rejected[_key(settings)] = error


def credentials_rejected(settings: ThoughtSpotSettings, error: ThoughtSpotApiError) -> ThoughtSpotAuthError:
    """Explain a rejected login: who, where, and why it was not retried."""
    locked = error.status_code == 403
    reason = "the account is locked or not allowed to log in" if locked else "the credentials were rejected"
    return ThoughtSpotAuthError.explaining(
        error,
        f"ThoughtSpot at {settings.host} refused the login of user {settings.login!r}: {reason} "
        f"({error.status_code}, code {error.code}: {error.server_message or 'no message'}). Not retried, "
        "because repeated failed logins lock the account. "
        f"Fix the connection's {settings.credential_fields}.",
    )
