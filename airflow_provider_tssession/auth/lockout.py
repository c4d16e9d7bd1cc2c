"""Remember credentials ThoughtSpot rejected, so no code path in this process sends them again.

About four failed logins in a row lock a ThoughtSpot account for an hour; a retry loop, a re-login
after expiry or a Test button pressed twice must never spend those attempts.
"""

from __future__ import annotations

import hashlib
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

from airflow_provider_tssession.exceptions import ThoughtSpotAuthError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from airflow_provider_tssession.settings import ThoughtSpotSettings

_lock = threading.Lock()
_rejected: dict[str, ThoughtSpotAuthError] = {}
_login_locks: dict[str, threading.Lock] = {}


def _key(settings: ThoughtSpotSettings) -> str:
    material = "\0".join((settings.base_url, settings.login, settings.password))
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


def refuse_if_rejected(settings: ThoughtSpotSettings) -> None:
    """Raise the earlier rejection again, without a request, when these credentials already failed."""
    with _lock:
        earlier = _rejected.get(_key(settings))
    if earlier is not None:
        raise ThoughtSpotAuthError(
            f"Not logging in to {settings.host} as {settings.login!r}: ThoughtSpot already rejected these "
            f"credentials in this process ({earlier.server_message or earlier.status_code}), and repeated "
            "failures lock the account. Fix the connection's Login or Password.",
            status_code=earlier.status_code,
            code=earlier.code,
            incident_id=earlier.incident_id,
            server_message=earlier.server_message,
        )


def remember_rejected(settings: ThoughtSpotSettings, error: ThoughtSpotAuthError) -> None:
    """Record that ThoughtSpot rejected these credentials."""
    with _lock:
        _rejected[_key(settings)] = error


@contextmanager
def one_login_at_a_time(settings: ThoughtSpotSettings) -> Iterator[None]:
    """Hold these credentials' lock around a login attempt, refusing them first if they were rejected.

    Hooks in several threads that log in with the same wrong password at once must not each send it:
    the later ones wait, then find the first one's rejection and send nothing.
    """
    with _lock:
        login_lock = _login_locks.setdefault(_key(settings), threading.Lock())
    with login_lock:
        refuse_if_rejected(settings)
        yield
