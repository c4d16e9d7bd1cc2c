"""Authentication methods: each one logs a client in and out; the hook does not care which it has."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from airflow_provider_tssession.client import ThoughtSpotClient
    from airflow_provider_tssession.settings import ThoughtSpotSettings


class Authenticator(Protocol):
    """Make a client's session authenticated, and end that authentication."""

    description: str

    def login(self, client: ThoughtSpotClient) -> None:
        """Authenticate `client.session` (cookies or a header); raise `ThoughtSpotAuthError` when refused."""

    def logout(self, client: ThoughtSpotClient) -> None:
        """End the session; raise `ThoughtSpotApiError` when the server refuses (401: already ended)."""


def authenticator_for(settings: ThoughtSpotSettings) -> Authenticator:
    """Pick the authentication method the connection asks for."""
    from airflow_provider_tssession.auth.v1_session import V1SessionAuth

    return V1SessionAuth()
