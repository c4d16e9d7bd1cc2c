"""Authentication methods: each one logs a client in and out; the hook does not care which it has."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from airflow_provider_tssession.client import ThoughtSpotClient
    from airflow_provider_tssession.settings import ThoughtSpotSettings


class Authenticator(Protocol):
    """Make a client's session authenticated, and end that authentication."""

    description: str
    check_endpoint: str
    """A cheap authenticated GET that proves the login works (the UI's Test button calls it)."""

    def login(self, client: ThoughtSpotClient) -> None:
        """Authenticate `client.session` (cookies or a header); raise `ThoughtSpotAuthError` when refused."""

    def resume(self, client: ThoughtSpotClient) -> None:
        """Continue a session restored from a handle (`client.restore_state` has run)."""

    def logout(self, client: ThoughtSpotClient) -> None:
        """End the session; raise `ThoughtSpotApiError` when the server refuses (401: already ended)."""


def authenticator_for(settings: ThoughtSpotSettings) -> Authenticator:
    """Pick the authentication method the connection asks for (settings rejected impossible pairs)."""
    # Imported here: the token method needs requests, which DAG parsing must not load.
    from airflow_provider_tssession.auth.bearer_token import BearerTokenAuth
    from airflow_provider_tssession.auth.trusted_v1 import TrustedV1Auth
    from airflow_provider_tssession.auth.v1_session import V1SessionAuth
    from airflow_provider_tssession.auth.v2_session import V2SessionAuth

    methods: dict[tuple[str, str], type[Authenticator]] = {
        ("session", "v1"): V1SessionAuth,
        ("session", "v2"): V2SessionAuth,
        ("token", "v1"): BearerTokenAuth,  # tokens come from v2's token/full, and work on v1 paths too
        ("token", "v2"): BearerTokenAuth,
        ("trusted", "v1"): TrustedV1Auth,
    }
    return methods[settings.auth_type, settings.api_version]()
