"""The stand-in's trust settings and token books: secret key, orgs, minted tokens, one-time login tokens.

Kept apart from ``state`` (users and sessions): a bearer token is a session there, with a fixed deadline;
what only the token routes need (creation and expiry times, one-time trusted-auth tokens) lives here.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

LOGIN_TOKEN_SECONDS = 300.0
"""A trusted-auth login token from ``session/auth/token`` works once, within this many seconds."""
V2_ERROR_NESTINGS = 3


@dataclass(frozen=True)
class MintedToken:
    """What ``auth/token/full`` said about a token, for ``auth/token/validate``."""

    user: str
    created_ms: int
    expires_ms: int
    org_id: int


@dataclass(frozen=True)
class _LoginToken:
    user: str
    org_id: int
    deadline: float  # time.monotonic()


class TrustStore:
    """Thread-safe; configured once by ``FakeThoughtSpot``, read by the routes of ``protocol_v2``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.secret_key: str | None = None
        self.orgs: dict[int, str] = {0: "Primary"}
        self.v2_error_nesting = 0
        self._minted: dict[str, MintedToken] = {}
        self._login_tokens: dict[str, _LoginToken] = {}

    def configure(
        self, *, secret_key: str | None, orgs: Mapping[int, str] | None, v2_error_nesting: int
    ) -> None:
        """Set the cluster's trusted-auth secret key (None: trusted auth off), orgs and v2 error nesting."""
        if not 0 <= v2_error_nesting < V2_ERROR_NESTINGS:
            raise ValueError(f"v2_error_nesting must be 0..{V2_ERROR_NESTINGS - 1}")
        if orgs is not None and 0 not in orgs:
            raise ValueError("orgs must include the primary org, id 0")
        self.secret_key = secret_key or None
        self.orgs = dict(orgs) if orgs is not None else {0: "Primary"}
        self.v2_error_nesting = v2_error_nesting

    def secret_matches(self, offered: str) -> bool:
        """Compare in constant time; False when trusted authentication is off."""
        return self.secret_key is not None and hmac.compare_digest(offered.encode(), self.secret_key.encode())

    def org_for(self, identifier: object) -> int | None:
        """Resolve an org by id (a number, or its text) or by name; None when there is no such org."""
        if isinstance(identifier, bool):
            return None
        if isinstance(identifier, int):
            return identifier if identifier in self.orgs else None
        if isinstance(identifier, str):
            text = identifier.strip()
            if text.isdigit() and int(text) in self.orgs:
                return int(text)
            return next((org for org, name in self.orgs.items() if name == text), None)
        return None

    def remember_minted(self, token: str, user: str, lifetime: float, org_id: int) -> MintedToken:
        """Record a new bearer token's times (wall clock, in milliseconds, as the API reports them)."""
        created = int(time.time() * 1000)
        minted = MintedToken(user, created, created + int(lifetime * 1000), org_id)
        with self._lock:
            self._minted[token] = minted
        return minted

    def minted(self, token: str) -> MintedToken | None:
        """Return what was said about ``token`` when it was minted, if it ever was."""
        with self._lock:
            return self._minted.get(token)

    def issue_login_token(self, user: str, org_id: int) -> str:
        """Issue a one-time trusted-auth login token for ``user`` in ``org_id``."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._login_tokens[token] = _LoginToken(user, org_id, time.monotonic() + LOGIN_TOKEN_SECONDS)
        return token

    def redeem_login_token(self, token: str, user: str) -> int | None:
        """Use up ``token``; return its org when it was issued for ``user`` and is still fresh, else None."""
        with self._lock:
            issued = self._login_tokens.pop(token, None)
        if issued is None or issued.user != user or time.monotonic() >= issued.deadline:
            return None
        return issued.org_id

    def reset(self) -> None:
        """Forget minted and login tokens; keep the configuration."""
        with self._lock:
            self._minted.clear()
            self._login_tokens.clear()
