"""One `requests.Session` bound to one connection: timeouts, TLS settings, retries and errors that explain.

Imported only when a hook first talks to ThoughtSpot, so that parsing a DAG never loads `requests`.
"""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

import requests
import requests.adapters
import requests.utils
import urllib3
import urllib3.connection

from airflow_provider_tssession import __version__
from airflow_provider_tssession.deadline import attempt_deadline, note_connection
from airflow_provider_tssession.exceptions import ThoughtSpotApiError, ThoughtSpotRequestError
from airflow_provider_tssession.http_errors import MAX_ERROR_BODY, api_error, deadline_error, transport_error
from airflow_provider_tssession.retry import Log, RetryPolicy
from airflow_provider_tssession.routing import check_method, origin, url_for
from airflow_provider_tssession.session_state import SessionState

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow_provider_tssession.auth import Authenticator
    from airflow_provider_tssession.settings import ThoughtSpotSettings

MAX_REDIRECTS = 5
"""Redirects followed on the connection's own host (requests' default, 30, let a loop run long)."""
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
        self.max_redirects = MAX_REDIRECTS

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Check the prepared URL once more right before it leaves (defence in depth behind `url_for`)."""
        if origin(request.url or "") != self._origin:
            raise ThoughtSpotRequestError(
                "Refusing to send a request whose prepared URL is not on the connection's host; "
                "nothing was sent. Pass a path such as /tspublic/v1/... instead."
            )
        return super().send(request, **kwargs)

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

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watched(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> urllib3.PoolManager:
        return _watched(super().proxy_manager_for(proxy, **proxy_kwargs))


def _watched(manager: urllib3.PoolManager) -> urllib3.PoolManager:
    manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
    return manager


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    """Tell the attempt's deadline which connection it runs on, so the watchdog can cut it."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        note_connection(self)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    """The HTTPS twin of `_WatchedHTTPConnection`."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        note_connection(self)
        super().request(*args, **kwargs)


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _UnverifiedHTTPSPool(_HTTPSPool):
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
    """Send one connection's calls (timeouts, retries); owns the session's state (`state`) and login."""

    def __init__(self, settings: ThoughtSpotSettings, log: Log, auth: Authenticator) -> None:
        self.settings = settings
        self.log = log
        self.auth = auth
        self.session = SameOriginSession(settings.base_url)
        self.session.headers.update(HEADERS)
        self.state = SessionState(self.session)
        self.policy = RetryPolicy.from_settings(settings)
        self._renewing = threading.Lock()
        read_environment_once(self.session, settings)
        adapter = _UnverifiedAdapter() if self.session.verify is False else _Adapter()
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def login(self) -> None:
        """Log in with the connection's method; this process now ends the session."""
        self.state.renew(self.auth.login(self.transmit))

    def renew_if_due(self) -> None:
        """Renew the credentials when due (a bearer token near its expiry): an ordinary call before a send."""
        if self.auth.renewal_due(self.state):
            with self._renewing:  # threads sharing the session share one renewal
                if self.auth.renewal_due(self.state):
                    self.auth.renew(self.state, self.transmit, self.log)

    def logout(self) -> None:
        """End the session on the server; raise `ThoughtSpotApiError` when refused (401: already ended)."""
        self.auth.logout(self.state, self.transmit)

    def send(self, method: str, endpoint: str, **kwargs: Any) -> requests.Response:
        """Renew the credentials if due, then send the call (see `transmit`)."""
        self.renew_if_due()
        return self.transmit(method, endpoint, **kwargs)

    def transmit(
        self,
        method: str,
        endpoint: str,
        *,
        idempotent: bool | None = None,
        retry: bool | RetryPolicy = True,
        not_retried: frozenset[int] = frozenset(),
        secrets: Sequence[str] = (),
        max_body: int | None = None,
        deadline: float | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one call with the timeout and retry policy (or `retry`'s); raise on any non-2xx answer.

        `not_retried` are statuses never retried at this endpoint (trusted authentication's 500 means a
        wrong secret key). `secrets` are values this call carries besides the connection's and session's
        (a login token): like those, they are scrubbed from whatever the server answers. `max_body` caps
        a 2xx answer (a login's); an error answer is read up to MAX_ERROR_BODY. Each attempt must end
        within `deadline` seconds (default: the connection's), however slowly the server sends; with
        ``stream=True`` that covers the answer up to its headers, and the caller reads the body.
        """
        method = check_method(method)
        url = url_for(self.settings, endpoint)
        kwargs.setdefault("timeout", self.settings.timeout)
        limits = _Limits(deadline or self.settings.deadline, max_body, [*secrets])
        policy = retry if isinstance(retry, RetryPolicy) else self.policy if retry else self.policy.never()
        if not_retried:
            policy = replace(policy, statuses=policy.statuses - not_retried)
        return policy.call(
            lambda: self._send_once(method, url, kwargs, policy, limits),
            method=method,
            idempotent=idempotent,
            what=f"{method} {url}",
            log=self.log,
        )

    def _send_once(
        self, method: str, url: str, kwargs: dict[str, Any], policy: RetryPolicy, limits: _Limits
    ) -> requests.Response:
        what = f"{method} {url}"
        failure: Exception | None = None
        with attempt_deadline(limits.deadline) as attempt:
            try:
                response = self.session.request(method, url, **{**kwargs, "stream": True})
                if not 200 <= response.status_code < 300:
                    body = read_capped(response, MAX_ERROR_BODY)
                    response.close()
                    failure = api_error(
                        response, what, policy, [*self.known_secrets(), *limits.secrets], body
                    )
                elif limits.max_body is not None:
                    response._content = read_capped(response, limits.max_body + 1)  # what .content returns
                    if len(response._content) > limits.max_body:
                        response.close()
                        failure = too_large(response, what, limits.max_body)
                elif not kwargs.get("stream"):
                    response.content  # noqa: B018  # read the whole answer within the deadline
            except requests.RequestException as error:
                failure = transport_error(error, what, kwargs.get("timeout"))
        if attempt.expired and not isinstance(failure, ThoughtSpotApiError):
            failure = deadline_error(what, limits.deadline)
        if failure is not None:
            raise failure  # outside the except block: no __context__ keeps the request (password, token)
        return response

    def known_secrets(self) -> list[str]:
        """Every secret of the connection and session, to scrub from what a server sends back."""
        return [self.settings.password, self.settings.secret_key or "", *self.state.secrets()]

    def close(self) -> None:
        """Forget this session's credentials and drop its connection pool."""
        self.state.end()
        self.session.close()


class _Limits(NamedTuple):
    deadline: float
    max_body: int | None
    secrets: list[str]


def read_capped(response: requests.Response, limit: int) -> bytes:
    """Read at most `limit` bytes of the answer (decoded), however much the server would send."""
    data = bytearray()
    for chunk in response.iter_content(16 * 1024):
        data += chunk
        if len(data) >= limit:
            break
    return bytes(data[:limit])


def too_large(response: requests.Response, what: str, limit: int) -> ThoughtSpotApiError:
    """Build the error for a 2xx answer larger than any ThoughtSpot answer to that call could be."""
    return ThoughtSpotApiError(
        f"{what} answered {response.status_code} with more than {limit // 1024} KiB, which no ThoughtSpot "
        "login answer is; is Host a ThoughtSpot cluster?",
        status_code=response.status_code,
    )


def read_environment_once(session: requests.Session, settings: ThoughtSpotSettings) -> None:
    """Read proxies and resolve TLS `verify` once (the `verify` extra, else REQUESTS_CA_BUNDLE, else True).

    With `trust_env`, requests re-reads them (and ~/.netrc) on every call: a fifth of a loopback call's
    CPU (BENCHMARKS.md). ~/.netrc is not read: a netrc entry must not replace the Authorization header.
    """
    session.proxies.update(requests.utils.get_environ_proxies(settings.base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    session.verify = settings.verify if settings.verify_explicit or not bundle else bundle
    session.trust_env = False
