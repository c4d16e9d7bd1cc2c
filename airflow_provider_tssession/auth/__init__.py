"""Authentication methods: each one logs a client in and out; the hook does not care which it has."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    import requests

    from airflow_provider_tssession.retry import Log
    from airflow_provider_tssession.session_state import SessionState, Token
    from airflow_provider_tssession.settings import ThoughtSpotSettings

    Send = Callable[..., requests.Response]
    """Send one call with the connection's timeout and retries: `send(method, endpoint, **kwargs)`."""


class Authenticator(Protocol):
    """A way to log in, given settings and a way to send, never the client (like requests' `AuthBase`)."""

    description: str
    check_endpoint: str
    """A cheap authenticated GET that proves the login works (the UI's Test button calls it)."""

    def login(self, send: Send) -> Token | None:
        """Log in (cookies arrive with the answer); return the bearer token, if the method uses one."""

    def renewal_due(self, state: SessionState) -> bool:
        """Tell whether the session's credentials must be renewed before the next call."""

    def renew(self, state: SessionState, send: Send, log: Log) -> None:
        """Renew the session's credentials (`state.renew`)."""

    def logout(self, state: SessionState, send: Send) -> None:
        """End the session; raise `ThoughtSpotApiError` when the server refuses (401: already ended)."""


def authenticator_for(settings: ThoughtSpotSettings) -> Authenticator:
    """Pick the authentication method the connection asks for (settings rejected impossible pairs)."""
    # Imported here: the token method needs requests, which DAG parsing must not load.
    from airflow_provider_tssession.auth.bearer_token import BearerTokenAuth
    from airflow_provider_tssession.auth.trusted_v1 import TrustedV1Auth
    from airflow_provider_tssession.auth.v1_session import V1SessionAuth
    from airflow_provider_tssession.auth.v2_session import V2SessionAuth

    methods: dict[tuple[str, str], Callable[[ThoughtSpotSettings], Authenticator]] = {
        ("session", "v1"): V1SessionAuth,
        ("session", "v2"): V2SessionAuth,
        ("token", "v1"): BearerTokenAuth,  # tokens come from v2's token/full, and work on v1 paths too
        ("token", "v2"): BearerTokenAuth,
        ("trusted", "v1"): TrustedV1Auth,
    }
    return methods[settings.auth_type, settings.api_version](settings)
