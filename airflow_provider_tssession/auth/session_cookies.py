"""What the cookie-session methods (v1, v2, trusted) share: checking the login's answer, and logout."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from airflow_provider_tssession.exceptions import ThoughtSpotApiError

if TYPE_CHECKING:
    import requests

    from airflow_provider_tssession.auth import Send
    from airflow_provider_tssession.retry import Log
    from airflow_provider_tssession.session_state import SessionState
    from airflow_provider_tssession.settings import ThoughtSpotSettings

_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9.+-]{1,40}/[A-Za-z0-9.+-]{1,60}\Z")


class CookieSessionAuth:
    """Base of the methods whose session lives in cookies: the server keeps it alive, a handle restores it."""

    logout_endpoint: str

    def __init__(self, settings: ThoughtSpotSettings) -> None:
        self.settings = settings

    def renewal_due(self, state: SessionState) -> bool:
        """Never: a cookie session lives as long as it is used."""
        return False

    def renew(self, state: SessionState, send: Send, log: Log) -> None:
        """Nothing to renew."""

    def logout(self, state: SessionState, send: Send) -> None:
        """End the session on the server; a 2xx with a body (a maintenance page) did not end it."""
        check_empty_success(send("POST", self.logout_endpoint, idempotent=True), self.settings, "logout")


def check_session_started(settings: ThoughtSpotSettings, response: requests.Response, what: str) -> None:
    """Accept only an empty 2xx that set a session cookie."""
    check_empty_success(response, settings, what)
    if not any(cookie.value for cookie in response.cookies):
        raise ThoughtSpotApiError(
            f"The {what} at {settings.host} answered {response.status_code} but set no session cookie; "
            "is Host a ThoughtSpot cluster?",
            status_code=response.status_code,
        )


def check_empty_success(response: requests.Response, settings: ThoughtSpotSettings, what: str) -> None:
    """Treat any 2xx with a body as a failure: a cluster in maintenance answers 200 with an HTML page."""
    if response.status_code == 204 or not response.content.strip():
        return
    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
    if not _MEDIA_TYPE.match(kind):  # server text: only a plain media type goes into the message
        kind = "unknown content"
    raise ThoughtSpotApiError(
        f"The {what} at {settings.host} answered {response.status_code} with a {kind} body instead of 204: "
        "the cluster may be in maintenance or inactive, or Host does not point at ThoughtSpot.",
        status_code=response.status_code,
    )
