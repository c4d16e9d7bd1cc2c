"""REST v1 session login: a form POST that answers 204 and sets the session cookies; then the org, if set."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from airflow_provider_tssession.auth.lockout import send_credentials
from airflow_provider_tssession.auth.session_cookies import CookieSessionAuth, check_session_started
from airflow_provider_tssession.exceptions import ThoughtSpotApiError

if TYPE_CHECKING:
    from airflow_provider_tssession.auth import Send
    from airflow_provider_tssession.settings import ThoughtSpotSettings

LOGIN = "/tspublic/v1/session/login"
LOGOUT = "/tspublic/v1/session/logout"
INFO = "/tspublic/v1/session/info"
ORGS = "/tspublic/v1/session/orgs"


class V1SessionAuth(CookieSessionAuth):
    """Username and password at `/tspublic/v1/session/login`; the cookies carry the session."""

    description = "REST v1 session"
    check_endpoint = INFO
    logout_endpoint = LOGOUT

    def login(self, send: Send) -> None:
        """Log in once (a 401/403 is never retried), then switch to the connection's org."""
        settings = self.settings
        form = {
            "username": settings.login,
            "password": settings.password,
            "rememberme": "true" if settings.remember_me else "false",
        }
        response = send_credentials(settings, send, "POST", LOGIN, data=form)
        check_session_started(settings, response, "login")
        if settings.org_id is not None:
            switch_org(settings, send, settings.org_id)


def switch_org(settings: ThoughtSpotSettings, send: Send, org_id: int) -> None:
    """Move the fresh session into org `org_id`; on failure log it out, so no session is left behind."""
    try:
        send("PUT", ORGS, data={"orgid": str(org_id)})
    except ThoughtSpotApiError as error:
        with contextlib.suppress(Exception):
            send("POST", LOGOUT, idempotent=True)
        raise ThoughtSpotApiError.explaining(
            error,
            f"Logged in to {settings.host}, but switching to org {org_id} failed ({error}); the "
            "session was logged out. Fix: set the connection's extra.org_id to an org the user belongs to.",
        ) from None
