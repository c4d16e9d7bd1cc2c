"""REST v2 session login: a JSON POST (with the org, if set) that answers 204 and sets the session cookies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_tssession.auth.lockout import send_credentials
from airflow_provider_tssession.auth.session_cookies import CookieSessionAuth, check_session_started

if TYPE_CHECKING:
    from airflow_provider_tssession.auth import Send

LOGIN = "/api/rest/2.0/auth/session/login"
LOGOUT = "/api/rest/2.0/auth/session/logout"
USER = "/api/rest/2.0/auth/session/user"


class V2SessionAuth(CookieSessionAuth):
    """Username and password at `/api/rest/2.0/auth/session/login`; the cookies carry the session."""

    description = "REST v2 session"
    check_endpoint = USER
    logout_endpoint = LOGOUT

    def login(self, send: Send) -> None:
        """Log in once, into the connection's org (v2 has no org switch: the org is chosen at login)."""
        settings = self.settings
        body: dict[str, Any] = {
            "username": settings.login,
            "password": settings.password,
            "remember_me": settings.remember_me,
        }
        org = settings.org_identifier or (None if settings.org_id is None else str(settings.org_id))
        if org is not None:
            body["org_identifier"] = org
        response = send_credentials(settings, send, "POST", LOGIN, json=body)
        check_session_started(settings, response, "login")
