"""REST v1 session login: a form POST that answers 204 and sets the session cookies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_tssession.auth.lockout import one_login_at_a_time, remember_rejected
from airflow_provider_tssession.exceptions import ThoughtSpotApiError, ThoughtSpotAuthError

if TYPE_CHECKING:
    import requests

    from airflow_provider_tssession.client import ThoughtSpotClient
    from airflow_provider_tssession.settings import ThoughtSpotSettings

LOGIN = "/tspublic/v1/session/login"
LOGOUT = "/tspublic/v1/session/logout"


class V1SessionAuth:
    """Username and password at `/tspublic/v1/session/login`; the cookies carry the session."""

    description = "REST v1 session"

    def login(self, client: ThoughtSpotClient) -> None:
        """Log in once; a 401/403 is never retried and never sent again from this process."""
        settings = client.settings
        form = {
            "username": settings.login,
            "password": settings.password,
            "rememberme": "true" if settings.remember_me else "false",
        }
        with one_login_at_a_time(settings):
            try:
                response = client.send("POST", LOGIN, data=form, idempotent=True)
            except ThoughtSpotApiError as error:
                if error.status_code not in (401, 403):
                    raise
                rejection = credentials_rejected(settings, error)
                remember_rejected(settings, rejection)
                raise rejection from None
        check_empty_success(response, settings, "login")
        if not client.secrets():
            raise ThoughtSpotApiError(
                f"Login to {settings.host} answered {response.status_code} but set no session cookie; "
                "is Host a ThoughtSpot cluster?",
                status_code=response.status_code,
            )

    def logout(self, client: ThoughtSpotClient) -> None:
        """End the session on the server; a 2xx with a body (a maintenance page) did not end it."""
        response = client.send("POST", LOGOUT, idempotent=True)
        check_empty_success(response, client.settings, "logout")


def credentials_rejected(settings: ThoughtSpotSettings, error: ThoughtSpotApiError) -> ThoughtSpotAuthError:
    """Explain a rejected login: who, where, and why it was not retried."""
    locked = error.status_code == 403
    reason = "the account is locked or not allowed to log in" if locked else "the credentials were rejected"
    return ThoughtSpotAuthError(
        f"ThoughtSpot at {settings.host} refused the login of user {settings.login!r}: {reason} "
        f"({error.status_code}, code {error.code}: {error.server_message or 'no message'}). Not retried, "
        "because repeated failed logins lock the account. Fix the connection's Login or Password.",
        status_code=error.status_code,
        code=error.code,
        incident_id=error.incident_id,
        server_message=error.server_message,
    )


def check_empty_success(response: requests.Response, settings: ThoughtSpotSettings, what: str) -> None:
    """Treat any 2xx with a body as a failure: a cluster in maintenance answers 200 with an HTML page."""
    if response.status_code == 204 or not response.content.strip():
        return
    kind = response.headers.get("Content-Type", "unknown content").split(";")[0]
    raise ThoughtSpotApiError(
        f"The {what} at {settings.host} answered {response.status_code} with a {kind} body instead of 204: "
        "the cluster may be in maintenance or inactive, or Host does not point at ThoughtSpot.",
        status_code=response.status_code,
    )
