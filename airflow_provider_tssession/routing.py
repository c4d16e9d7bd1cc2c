r"""Where a call goes: a documented resource path becomes a URL on the connection's origin only.

The origin of a full URL is decided by the same parser the transport uses (urllib3's), never by a
different one: `urlsplit` and urllib3 disagree on URLs such as ``http://a\\@b/``, and a check that reads
``b`` while the connection goes to ``a`` would send the session there. Full URLs with a backslash,
whitespace or a control character are refused outright, and any endpoint with a line break is refused
before it can reach a message or a log line.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from airflow_provider_tssession.exceptions import ThoughtSpotRequestError

if TYPE_CHECKING:
    from airflow_provider_tssession.settings import ThoughtSpotSettings

V1_PREFIX = "/callosum/v1"
_FULL_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE_IN_URL = re.compile(r"[\x00-\x20\x7f\\]")
_METHOD = re.compile(r"^[A-Za-z]{1,20}\Z")


def url_for(settings: ThoughtSpotSettings, endpoint: str) -> str:
    """Map a documented resource path (or a full URL on the connection's host) to the URL to call.

    Only an endpoint that starts with a scheme (``https://...``) is a full URL; a path whose query merely
    contains ``://`` is a path.
    """
    if not isinstance(endpoint, str) or _CONTROL.search(endpoint):
        raise ThoughtSpotRequestError(
            f"Refusing endpoint {_shown(endpoint)}: it contains a line break or another control character. "
            "Pass a path such as /tspublic/v1/..., with query values in params."
        )
    if _FULL_URL.match(endpoint):
        return same_origin(settings, endpoint)
    path = "/" + endpoint.lstrip("/")
    if path.startswith("/tspublic/"):
        path = V1_PREFIX + path
    return settings.base_url + path


def same_origin(settings: ThoughtSpotSettings, url: str) -> str:
    """Return `url` if the transport would send it to the connection's origin; refuse it otherwise."""
    if _UNSAFE_IN_URL.search(url):
        raise ThoughtSpotRequestError(
            f"Refusing to call {_shown(url)}: a full URL must not contain a backslash, whitespace or a "
            "control character (parsers disagree on where its host is). Pass a path such as "
            "/tspublic/v1/... instead."
        )
    if origin(url) != origin(settings.base_url):
        raise ThoughtSpotRequestError(
            f"Refusing to call {_shown(url, 80)}: the session of connection {settings.conn_id!r} belongs to "
            f"{settings.base_url}, and its cookies and token never go to another host. Pass a path such as "
            "/tspublic/v1/... instead."
        )
    return url


def check_method(method: str) -> str:
    """Return the method upper-cased; refuse anything but letters (a templated method is user input)."""
    if not isinstance(method, str) or not _METHOD.match(method):
        raise ThoughtSpotRequestError(f"Refusing HTTP method {_shown(method, 40)}: use GET, POST, PUT...")
    return method.upper()


def origin(url: str) -> tuple[str, str, int] | None:
    """Scheme, host and port of a URL as urllib3 (the transport) reads it; None if relative or unreadable."""
    # Imported here: settings imports this module, and DAG parsing must stay light.
    from urllib3.exceptions import LocationParseError
    from urllib3.util import parse_url

    try:
        parts = parse_url(url)
    except (LocationParseError, ValueError):
        return None
    scheme = (parts.scheme or "").lower()
    if scheme not in ("http", "https") or not parts.host:
        return None
    return scheme, parts.host.lower(), parts.port or (80 if scheme == "http" else 443)


def _shown(value: object, limit: int = 120) -> str:
    from airflow_provider_tssession.settings import shown  # settings imports this module

    return shown(value, limit)
