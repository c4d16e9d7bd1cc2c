"""Remember credentials ThoughtSpot rejected, so no code path in this process sends them again too soon.

About four failed logins in a row lock a ThoughtSpot account for an hour; a retry loop, a re-login
after expiry or a Test button pressed twice must never spend those attempts. Every authentication
method sends its credentials through `send_credentials`. Rejected credentials (401) are remembered for
the life of the process; a locked account (403) only as long as ThoughtSpot locks it (extra
`account_lock_seconds`), so a long-lived process (the API server's Test button) tries again once it is
unlocked. Across processes the memory does not reach: `ThoughtSpotAuthError` is an
`AirflowFailException`, so Airflow does not retry the task either.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_tssession.exceptions import ThoughtSpotApiError, ThoughtSpotAuthError

if TYPE_CHECKING:
    import requests

    from airflow_provider_tssession.auth import Send
    from airflow_provider_tssession.settings import ThoughtSpotSettings

LOCKED_STATUS = 403
"""ThoughtSpot answers a login of a locked (or deactivated) account with 403, code 10023."""
MAX_LOGIN_ANSWER = 64 * 1024
"""A login answers 204, a token or a small JSON object: anything longer is not ThoughtSpot."""
monotonic = time.monotonic  # module-level, so a test can move the clock past a lock


@dataclass(frozen=True)
class _Rejection:
    error: ThoughtSpotAuthError
    until: float | None  # monotonic time after which a lock is over; None: remembered for good


_lock = threading.Lock()
_rejected: dict[str, _Rejection] = {}
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
    rejected_statuses: frozenset[int] = frozenset({401, LOCKED_STATUS}),
    **kwargs: Any,
) -> requests.Response:
    """Send a login request; a rejection is never retried, and rejected credentials are not sent again.

    Transient failures are retried like any login (unless `idempotent` is False). Logins with the same
    credentials take turns: hooks in many threads that log in with the same wrong password at once must
    not each send it; the later ones wait, then find the first one's rejection and send nothing.
    `rejected_statuses` are the answers that mean "these credentials are refused" at this endpoint:
    never retried, whatever the connection's retry policy says about them.
    """
    with _lock:
        login_lock = _login_locks.setdefault(_key(settings), threading.Lock())
    with login_lock:
        refuse_if_rejected(settings)
        try:
            return send(
                method,
                endpoint,
                idempotent=idempotent,
                not_retried=rejected_statuses,
                max_body=MAX_LOGIN_ANSWER,
                allow_redirects=False,  # a redirected login would carry the credentials again
                **kwargs,
            )
        except ThoughtSpotApiError as error:
            if error.status_code not in rejected_statuses:
                raise
            rejection = credentials_rejected(settings, error)
            remember_rejected(settings, rejection)
            raise rejection from None


def refuse_if_rejected(settings: ThoughtSpotSettings) -> None:
    """Raise the earlier rejection again, without a request, when these credentials already failed."""
    key = _key(settings)
    with _lock:
        earlier = _rejected.get(key)
        if earlier is not None and earlier.until is not None and monotonic() >= earlier.until:
            del _rejected[key]  # the lock is over: one new attempt may go out
            earlier = None
    if earlier is None:
        return
    error = earlier.error
    if earlier.until is not None:
        minutes = max(1, round((earlier.until - monotonic()) / 60))
        raise ThoughtSpotAuthError.explaining(
            error,
            f"Not logging in to {settings.host} as {settings.login!r}: ThoughtSpot reported the account "
            f"locked ({error.server_message or error.status_code}). This process tries again in about "
            f"{minutes} min (extra account_lock_seconds, {settings.account_lock_seconds:g} s); an "
            "administrator can unlock the account sooner. The password may well be right.",
        )
    raise ThoughtSpotAuthError.explaining(
        error,
        f"Not logging in to {settings.host} as {settings.login!r}: ThoughtSpot already rejected these "
        f"credentials in this process ({error.server_message or error.status_code}), and repeated "
        f"failures lock the account. Fix the connection's {settings.credential_fields}.",
    )


def remember_rejected(settings: ThoughtSpotSettings, error: ThoughtSpotAuthError) -> None:
    """Record that ThoughtSpot rejected these credentials (a lock: for `account_lock_seconds`)."""
    until = monotonic() + settings.account_lock_seconds if error.status_code == LOCKED_STATUS else None
    with _lock:
        _rejected[_key(settings)] = _Rejection(error, until)


def credentials_rejected(settings: ThoughtSpotSettings, error: ThoughtSpotApiError) -> ThoughtSpotAuthError:
    """Explain a rejected login: who, where, why it was not retried, and what to do."""
    if error.status_code == LOCKED_STATUS:
        reason = "the account is locked (or not allowed to log in)"
        fix = (
            "The password may well be right: wait for the lock to end (about an hour) or ask a "
            "ThoughtSpot administrator to unlock the account."
        )
    elif error.status_code >= 500:
        reason = (
            "the login failed with a server error, as ThoughtSpot answers when trusted authentication is "
            "off or the secret key or user is wrong"
        )
        fix = "Fix the connection's extra.secret_key or Login, or turn trusted authentication on."
    else:
        reason = "the credentials were rejected"
        fix = f"Fix the connection's {settings.credential_fields}."
    return ThoughtSpotAuthError.explaining(
        error,
        f"ThoughtSpot at {settings.host} refused the login of user {settings.login!r}: {reason} "
        f"({error.status_code}, code {error.code}: {error.server_message or 'no message'}). Not retried, "
        f"neither now nor by Airflow, because repeated failed logins lock the account. {fix}",
    )
