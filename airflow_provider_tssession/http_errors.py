"""Turn a non-2xx answer, or a transport or TLS failure, into an error that says what to do."""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from airflow_provider_tssession.error_body import parse_error_body
from airflow_provider_tssession.exceptions import ThoughtSpotApiError, ThoughtSpotConnectionError
from airflow_provider_tssession.retry import parse_retry_after
from airflow_provider_tssession.secret_text import scrub

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow_provider_tssession.retry import RetryPolicy

MAX_ERROR_BODY = 64 * 1024
"""Bytes of an error answer read (only the start is used: a hostile server may send gigabytes)."""
_NAME_MISMATCH = frozenset({62, 64})  # OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH


def api_error(
    response: requests.Response,
    what: str,
    policy: RetryPolicy,
    secrets: Sequence[str] = (),
    body: bytes | None = None,
) -> ThoughtSpotApiError:
    """Build the error for a non-2xx answer from whatever body ThoughtSpot (or a proxy) sent.

    Every piece of server text (body, reason, Location) is scrubbed of `secrets` before it is used: a
    server that echoes the request must not put the password or a cookie into the message. `body` is
    the start of the answer, as read (the client never reads more than 64 KiB of an error).
    """
    status = response.status_code
    if 300 <= status < 400:
        target = scrub(urlsplit(response.headers.get("Location", "")).netloc, secrets) or "an unknown place"
        return ThoughtSpotApiError(
            f"{what} answered {status} redirecting to {target!r}; the hook follows "
            "redirects only on the connection's own host, and never for a login (its credentials would "
            "be sent again). Check the connection's Host and scheme.",
            status_code=status,
            server_may_have_acted=status not in policy.refused_statuses,
        )
    raw = response.content if body is None else body
    details = parse_error_body(scrub(raw[:MAX_ERROR_BODY].decode("utf-8", "replace"), secrets))
    text = f"{what} answered {status} {scrub(response.reason or '', secrets)[:100]}".rstrip()
    if details.code is not None:
        text += f", ThoughtSpot error code {details.code}"
    if details.incident_id:
        text += f", incident {details.incident_id}"
    if details.message:
        text += f": {details.message}"
    return ThoughtSpotApiError(
        text,
        status_code=status,
        code=details.code,
        incident_id=details.incident_id,
        server_message=details.message,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
        transient=status in policy.statuses,
        server_may_have_acted=status not in policy.refused_statuses,
    )


def deadline_error(what: str, deadline: float) -> ThoughtSpotConnectionError:
    """Explain an attempt cut off by its deadline: the server answered, but too slowly to wait for."""
    return ThoughtSpotConnectionError(
        f"{what}: no complete answer within the deadline of {deadline:g}s (the server sends too slowly; "
        "extra 'deadline', or request(..., deadline=...))",
        transient=True,
        server_may_have_acted=True,
    )


def transport_error(
    error: requests.RequestException, what: str, timeout: object
) -> ThoughtSpotConnectionError:
    """Explain a failure below HTTP, and say whether the server may have acted on the request."""
    failed = requests.exceptions
    if isinstance(error, failed.SSLError):
        return tls_error(error, what)
    # What happened, whether it may heal, and whether the request may have reached the server.
    if isinstance(error, failed.ConnectTimeout):
        found = (f"no connection within {timeout}s", True, False)
    elif isinstance(error, failed.Timeout) or _cause(error, urllib3.exceptions.ReadTimeoutError):
        found = (f"no answer within {timeout}s (extra 'timeout', or request(..., timeout=...))", True, True)
    elif isinstance(error, failed.ConnectionError) and _never_sent(error):
        found = ("could not connect (refused or unknown host)", True, False)
    elif isinstance(error, failed.ConnectionError):
        found = ("the connection dropped before a complete answer", True, True)
    elif isinstance(error, failed.ChunkedEncodingError | failed.ContentDecodingError):
        found = ("the answer was cut off or garbled", True, True)
    else:
        found = (f"request failed ({type(error).__name__})", False, True)
    text, transient, acted = found
    return ThoughtSpotConnectionError(f"{what}: {text}", transient=transient, server_may_have_acted=acted)


def tls_error(error: requests.exceptions.SSLError, what: str) -> ThoughtSpotConnectionError:
    """Explain a TLS failure: an untrusted certificate (fix `verify`), or no TLS on the other end."""
    untrusted = _cause(error, ssl.SSLCertVerificationError)
    if untrusted is not None and getattr(untrusted, "verify_code", None) in _NAME_MISMATCH:
        text = (
            f"{what}: TLS certificate verification failed ({untrusted.verify_message}). Fix: set Host to a "
            "name the certificate was issued for (or the extra 'verify' to false, not recommended)."
        )
    elif untrusted is not None:
        reason = getattr(untrusted, "verify_message", None) or "untrusted certificate"
        text = (
            f"{what}: TLS certificate verification failed ({reason}). Fix: set the connection extra "
            "'verify' to the path of a CA bundle (PEM file) that signs the server's certificate, or "
            "false to skip verification (not recommended)."
        )
    else:
        reason = str(_cause(error, ssl.SSLError) or "handshake failed")[:200]
        text = (
            f"{what}: the TLS handshake failed ({reason}). Fix: if the server speaks plain HTTP on this "
            "port, put http:// in Host; if it needs another CA, set the connection extra 'verify' to the "
            "path of a CA bundle."
        )
    return ThoughtSpotConnectionError(text, transient=False, server_may_have_acted=False)


def _cause(error: BaseException, kind: type[BaseException] | tuple[type[BaseException], ...]) -> Any:
    """Find an exception of `kind` in `error` or in what it wraps (requests wraps urllib3, urllib3 ssl)."""
    seen: BaseException | None = error
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, kind):
            return seen
        reason = getattr(seen, "reason", None)
        nested = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = reason if isinstance(reason, BaseException) else nested or seen.__context__
    return None


def _never_sent(error: BaseException) -> bool:
    """Tell whether the failure happened while connecting, before any byte of the request left."""
    connecting = (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)
    return _cause(error, connecting) is not None
