"""REST v1 trusted authentication: the secret key buys a one-time login token, which opens a cookie session.

This is how accounts with MFA (or without a password) log in: the cluster's secret key vouches for the user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_tssession.auth.lockout import send_credentials
from airflow_provider_tssession.auth.session_cookies import CookieSessionAuth, check_session_started
from airflow_provider_tssession.auth.v1_session import INFO, LOGOUT
from airflow_provider_tssession.exceptions import ThoughtSpotApiError
from airflow_provider_tssession.secret_text import mask_encoded

if TYPE_CHECKING:
    from airflow_provider_tssession.auth import Send

AUTH_TOKEN = "/tspublic/v1/session/auth/token"
LOGIN_TOKEN = "/tspublic/v1/session/login/token"


class TrustedV1Auth(CookieSessionAuth):
    """Trade `secret_key` + username at `session/auth/token` for a token; log in at `session/login/token`."""

    description = "trusted authentication (REST v1)"
    check_endpoint = INFO
    logout_endpoint = LOGOUT

    def login(self, send: Send) -> None:
        """Get a login token for the user (in the connection's org), and log in with it."""
        settings = self.settings
        form = {"secret_key": settings.secret_key or "", "username": settings.login, "access_level": "FULL"}
        if settings.org_id is not None:
            form["orgid"] = str(settings.org_id)
        # ThoughtSpot answers a wrong secret key (or trusted authentication off) with 500: a rejection,
        # not retried and remembered like a 401 (a 502-504 is still retried).
        answer = send_credentials(
            settings,
            send,
            "POST",
            AUTH_TOKEN,
            data=form,
            headers={"Accept": "text/plain"},
            rejected_statuses=frozenset({401, 403, 500}),
        )
        token = answer.text.strip()
        if not token or "\n" in token:
            raise ThoughtSpotApiError(
                f"{AUTH_TOKEN} at {settings.host} answered {answer.status_code} without a login token",
                status_code=answer.status_code,
            )
        mask_encoded(token)
        form = {"username": settings.login, "auth_token": token, "no_url_redirection": "true"}
        # The token works once: after a failure where the server may have used it, a replay is refused.
        response = send_credentials(
            settings, send, "POST", LOGIN_TOKEN, data=form, idempotent=False, secrets=(token,)
        )
        check_session_started(settings, response, "trusted login")
