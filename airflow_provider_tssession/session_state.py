"""A session's state, one value with one owner: its cookies or bearer token, expiry, and who ends it.

Only here are the session's cookie jar and `Authorization` header written (`Set-Cookie` answers aside).
"""

from __future__ import annotations

import http.cookiejar
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import requests


class Token(NamedTuple):
    """A bearer token and the `time.time()` at which it expires."""

    value: str
    expires_at: float


class SessionState:
    """Cookies or a bearer token (with its expiry), and whether this process logs the session out."""

    def __init__(self, session: requests.Session) -> None:
        self._session = session
        self._owned = False
        self._expires_at: float | None = None

    @property
    def owned(self) -> bool:
        """True when this process logged in (or minted the current token), so it must log out."""
        return self._owned

    @property
    def expires_at(self) -> float | None:
        """When the bearer token expires (None: cookies, which the server keeps alive)."""
        return self._expires_at

    @property
    def token(self) -> str:
        """The bearer token the session sends (empty when there is none)."""
        header = self._session.headers.get("Authorization")
        return header.split(" ", 1)[-1] if isinstance(header, str) else ""

    def renew(self, token: Token | None) -> None:
        """Take credentials this process just got (a login's cookies, a new token): this process ends them."""
        if token is not None:
            self._session.headers["Authorization"] = f"Bearer {token.value}"
            self._expires_at = token.expires_at
        self._owned = True

    def adopt(self, exported: dict[str, Any]) -> None:
        """Continue a session another process handed off (`hand_off`); that process's holder ends it."""
        for c in exported["cookies"]:
            self._session.cookies.set_cookie(
                http.cookiejar.Cookie(
                    version=0, name=c["name"], value=c["value"], port=None, port_specified=False,
                    domain=c["domain"], domain_specified=c["domain_specified"],
                    domain_initial_dot=c["domain"].startswith("."), path=c["path"], path_specified=True,
                    secure=c["secure"], expires=c["expires"], discard=c["expires"] is None,
                    comment=None, comment_url=None, rest={"HttpOnly": ""},
                )
            )  # fmt: skip
        if exported.get("authorization"):
            self._session.headers["Authorization"] = exported["authorization"]
        expires_at = (exported.get("auth") or {}).get("expires_at")
        self._expires_at = None if expires_at is None else float(expires_at)
        self._owned = False

    def hand_off(self) -> dict[str, Any]:
        """Return what another process needs to continue this session; from now on it is theirs to end."""
        self._owned = False
        authorization = self._session.headers.get("Authorization")
        names = ("name", "value", "domain", "path", "secure", "expires", "domain_specified")
        return {
            "cookies": [{name: getattr(c, name) for name in names} for c in self._session.cookies],
            "authorization": authorization if isinstance(authorization, str) else None,
            "auth": {} if self._expires_at is None else {"expires_at": self._expires_at},
        }

    def end(self) -> None:
        """Forget the session's credentials (after a logout, or when it ended on the server)."""
        self._session.cookies.clear()
        self._session.headers.pop("Authorization", None)
        self._expires_at = None
        self._owned = False

    def secrets(self) -> list[str]:
        """Every value that authenticates this session (cookies, an Authorization header), for masking."""
        values = [cookie.value for cookie in self._session.cookies if cookie.value]
        authorization = self._session.headers.get("Authorization")
        if isinstance(authorization, str):
            values += [authorization, authorization.split(" ", 1)[-1]]
        return values
