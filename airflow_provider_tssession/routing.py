"""Where a call goes: a documented resource path becomes a URL on the connection's origin only."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from airflow_provider_tssession.exceptions import ThoughtSpotRequestError

if TYPE_CHECKING:
    from airflow_provider_tssession.settings import ThoughtSpotSettings

V1_PREFIX = "/callosum/v1"


def url_for(settings: ThoughtSpotSettings, endpoint: str) -> str:
    """Map a documented resource path (or a full URL on the connection's host) to the URL to call."""
    if "://" in endpoint:
        if origin(endpoint) != origin(settings.base_url):
            raise ThoughtSpotRequestError(
                f"Refusing to call {urlsplit(endpoint).netloc or endpoint[:60]!r}: the session of connection "
                f"{settings.conn_id!r} belongs to {settings.base_url}, and its cookies never go to another "
                "host. Pass a path such as /tspublic/v1/... instead."
            )
        return endpoint
    path = "/" + endpoint.lstrip("/")
    if path.startswith("/tspublic/"):
        path = V1_PREFIX + path
    return settings.base_url + path


def origin(url: str) -> tuple[str, str | None, int] | None:
    """Scheme, host and port of a URL (default ports filled in); None for a relative or unreadable URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return None
    return scheme, parts.hostname, port or (80 if scheme == "http" else 443)
