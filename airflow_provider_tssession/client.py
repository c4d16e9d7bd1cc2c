"""One `requests.Session` bound to one connection: timeouts, TLS settings, retries and errors that explain.

Imported only when a hook first talks to ThoughtSpot, so that parsing a DAG never loads `requests`.
"""

from __future__ import annotations

import http.cookiejar
import math
import os
import ssl
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
import requests.adapters
import requests.utils
import urllib3
import urllib3.exceptions

from airflow_provider_tssession import __version__
from airflow_provider_tssession.error_body import parse_error_body
from airflow_provider_tssession.exceptions import ThoughtSpotApiError, ThoughtSpotConnectionError
from airflow_provider_tssession.retry import Log, call_with_retries
from airflow_provider_tssession.secret_text import scrub
from airflow_provider_tssession.settings import ThoughtSpotSettings, origin

if TYPE_CHECKING:
    from collections.abc import Sequence

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_MAX_ERROR_BODY = 64 * 1024
_NAME_MISMATCH = frozenset({62, 64})  # OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
POOL_SIZE = 10
"""Connections one hook keeps open, and so the calls it runs at once (requests' default pool size)."""
HEADERS = {
    "X-Requested-By": "ThoughtSpot",
    "Accept": "application/json",
    "User-Agent": f"airflow-provider-thoughtspot/{__version__}",
}


class SameOriginSession(requests.Session):
    """A session that follows redirects only on its own host, so cookies and bodies never leave it."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._origin = origin(base_url)

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        """Follow a redirect only when it stays on the connection's host; otherwise hand back the 3xx."""
        target = super().get_redirect_target(resp)
        if target is None:
            return None
        absolute = requests.compat.urljoin(resp.url, target)
        return target if origin(absolute) == self._origin else None


class _Adapter(requests.adapters.HTTPAdapter):
    """Keep POOL_SIZE connections per host; more threads on one hook wait for a free one.

    Without blocking, each extra thread would open a throwaway connection and log "Connection pool is full".
    """

    def __init__(self) -> None:
        super().__init__(pool_maxsize=POOL_SIZE, pool_block=True)


class _UnverifiedHTTPSPool(urllib3.HTTPSConnectionPool):
    """HTTPS without urllib3's InsecureRequestWarning on every call: the hook said it once already."""

    def _validate_conn(self, conn: Any) -> None:
        # What HTTPSConnectionPool._validate_conn does, minus the warning.
        urllib3.HTTPConnectionPool._validate_conn(self, conn)
        if conn.is_closed:
            conn.connect()


class _UnverifiedAdapter(_Adapter):
    """The adapter of a connection with `verify: false`; scoped to this session, unlike disable_warnings."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _quiet(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> urllib3.PoolManager:
        return _quiet(super().proxy_manager_for(proxy, **proxy_kwargs))


def _quiet(manager: urllib3.PoolManager) -> urllib3.PoolManager:
    manager.pool_classes_by_scheme = {**manager.pool_classes_by_scheme, "https": _UnverifiedHTTPSPool}
    return manager


class ThoughtSpotClient:
    """Send requests for one connection: every call has a timeout, transient failures are retried."""

    def __init__(self, settings: ThoughtSpotSettings, log: Log) -> None:
        self.settings = settings
        self.log = log
        self.session = SameOriginSession(settings.base_url)
        self.session.headers.update(HEADERS)
        self.owns_session = False
        """True when this process logged in (or minted the current token), so it must log out."""
        self.auth_state: dict[str, Any] = {}
        """What the authentication method keeps beside cookies and header (a token's expiry)."""
        self.issued_secrets: list[str] = []
        """Secrets the login obtained besides cookies and header (a one-time login token), for scrubbing."""
        read_environment_once(self.session, settings.base_url)
        self._verify: bool | str | None = _requests_verify(settings)
        adapter = _UnverifiedAdapter() if settings.verify is False else _Adapter()
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def send(
        self,
        method: str,
        endpoint: str,
        *,
        idempotent: bool | None = None,
        final_statuses: frozenset[int] = frozenset(),
        **kwargs: Any,
    ) -> requests.Response:
        """Send one call with the connection's timeout and retry policy; raise on any non-2xx answer.

        `final_statuses` are answers never retried at this endpoint (trusted authentication's 500).
        """
        method = method.upper()
        url = self.settings.url_for(endpoint)
        kwargs.setdefault("timeout", self.settings.timeout)
        if self._verify is not None:
            kwargs.setdefault("verify", self._verify)
        return call_with_retries(
            lambda: self._send_once(method, url, kwargs, final_statuses),
            limit=self.settings.retry_limit,
            delay=self.settings.retry_delay,
            idempotent=method in IDEMPOTENT_METHODS if idempotent is None else idempotent,
            what=f"{method} {url}",
            log=self.log,
            max_wait=self.settings.retry_max_wait,
        )

    def _send_once(
        self, method: str, url: str, kwargs: dict[str, Any], final_statuses: frozenset[int]
    ) -> requests.Response:
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.RequestException as error:
            raise transport_error(error, f"{method} {url}", kwargs.get("timeout")) from None
        if not 200 <= response.status_code < 300:
            failure = api_error(response, f"{method} {url}", self.known_secrets())
            failure.transient = failure.transient and response.status_code not in final_statuses
            raise failure
        return response

    def secrets(self) -> list[str]:
        """Every value that authenticates this session (cookies, an Authorization header), for masking."""
        values = [cookie.value for cookie in self.session.cookies if cookie.value]
        authorization = self.session.headers.get("Authorization")
        if isinstance(authorization, str):
            values += [authorization, authorization.split(" ", 1)[-1]]
        return values

    def known_secrets(self) -> list[str]:
        """Every secret of the connection and session, to scrub from what a server sends back."""
        settings = self.settings
        return [settings.password, settings.secret_key or "", *self.secrets(), *self.issued_secrets]

    def export_state(self) -> dict[str, Any]:
        """Return what another process needs to continue this session: cookies, Authorization, auth state."""
        cookies = [
            {
                "name": c.name,
                "value": c.value,
                "domain": c.domain,
                "path": c.path,
                "secure": c.secure,
                "expires": c.expires,
                "domain_specified": c.domain_specified,
            }
            for c in self.session.cookies
        ]
        authorization = self.session.headers.get("Authorization")
        return {
            "cookies": cookies,
            "authorization": authorization if isinstance(authorization, str) else None,
            "auth": dict(self.auth_state),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Continue a session exported by `export_state`, possibly in another process."""
        for c in state["cookies"]:
            self.session.cookies.set_cookie(
                http.cookiejar.Cookie(
                    version=0, name=c["name"], value=c["value"], port=None, port_specified=False,
                    domain=c["domain"], domain_specified=c["domain_specified"],
                    domain_initial_dot=c["domain"].startswith("."), path=c["path"], path_specified=True,
                    secure=c["secure"], expires=c["expires"], discard=c["expires"] is None,
                    comment=None, comment_url=None, rest={"HttpOnly": ""},
                )
            )  # fmt: skip
        if state.get("authorization"):
            self.session.headers["Authorization"] = state["authorization"]
        if isinstance(state.get("auth"), dict):
            self.auth_state = dict(state["auth"])

    def close(self) -> None:
        """Drop the connection pool and cookies of this session."""
        self.session.cookies.clear()
        self.session.close()


def api_error(response: requests.Response, what: str, secrets: Sequence[str] = ()) -> ThoughtSpotApiError:
    """Build the error for a non-2xx answer from whatever body ThoughtSpot (or a proxy) sent.

    Every piece of server text (body, reason, Location) is scrubbed of `secrets` before it is used: a
    server that echoes the request must not put the password or a cookie into the message.
    """
    status = response.status_code
    if 300 <= status < 400:
        target = scrub(urlsplit(response.headers.get("Location", "")).netloc, secrets) or "an unknown place"
        return ThoughtSpotApiError(
            f"{what} answered {status} redirecting to {target!r}; the hook follows "
            "redirects only on the connection's own host. Check the connection's Host and scheme.",
            status_code=status,
        )
    body = scrub(response.content[:_MAX_ERROR_BODY].decode("utf-8", "replace"), secrets)
    details = parse_error_body(body)
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
    )


def transport_error(
    error: requests.RequestException, what: str, timeout: object
) -> ThoughtSpotConnectionError:
    """Explain a failure below HTTP, and say whether the server may have acted on the request."""
    if isinstance(error, requests.exceptions.SSLError):
        return tls_error(error, what)
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return ThoughtSpotConnectionError(
            f"{what}: no connection within {timeout}s", transient=True, server_may_have_acted=False
        )
    if isinstance(error, requests.exceptions.Timeout) or _cause(error, urllib3.exceptions.ReadTimeoutError):
        return ThoughtSpotConnectionError(
            f"{what}: no answer within {timeout}s (extra 'timeout', or request(..., timeout=...))",
            transient=True,
            server_may_have_acted=True,
        )
    if isinstance(error, requests.exceptions.ConnectionError):
        if _never_sent(error):
            return ThoughtSpotConnectionError(
                f"{what}: could not connect (refused or unknown host)",
                transient=True,
                server_may_have_acted=False,
            )
        return ThoughtSpotConnectionError(
            f"{what}: the connection dropped before a complete answer",
            transient=True,
            server_may_have_acted=True,
        )
    if isinstance(error, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return ThoughtSpotConnectionError(
            f"{what}: the answer was cut off or garbled", transient=True, server_may_have_acted=True
        )
    return ThoughtSpotConnectionError(
        f"{what}: request failed ({type(error).__name__})", transient=False, server_may_have_acted=True
    )


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


def parse_retry_after(value: str | None) -> float | None:
    """Return the seconds a `Retry-After` header (seconds or an HTTP date) asks for; None if unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return None if math.isnan(seconds) else max(seconds, 0.0)


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


def read_environment_once(session: requests.Session, base_url: str) -> None:
    """Take proxies and the CA bundle from the environment now, instead of on every call.

    With `trust_env` on, requests re-reads os.environ for proxies, NO_PROXY and REQUESTS_CA_BUNDLE, and
    looks for ~/.netrc, on each call: about a fifth of a loopback call's CPU (see BENCHMARKS.md). Every
    URL of this session is on the connection's origin, so one look gives the same answers. ~/.netrc is
    not read: the connection holds the credentials, and a netrc entry must not replace the session's
    Authorization header.
    """
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle  # an explicit `verify` extra still wins: send() passes it per call
    session.trust_env = False


def _requests_verify(settings: ThoughtSpotSettings) -> bool | str | None:
    """Resolve `verify` so an explicit value wins over REQUESTS_CA_BUNDLE (requests lets it override True)."""
    if not settings.verify_explicit:
        return None
    if settings.verify is True:
        return requests.utils.DEFAULT_CA_BUNDLE_PATH
    return settings.verify
