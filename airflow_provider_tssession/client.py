"""One `requests.Session` bound to one connection: timeouts, TLS settings, retries and errors that explain.

Imported only when a hook first talks to ThoughtSpot, so that parsing a DAG never loads `requests`.
"""

from __future__ import annotations

import http.cookiejar
import os
from typing import TYPE_CHECKING, Any

import requests
import requests.adapters
import requests.utils
import urllib3

from airflow_provider_tssession import __version__
from airflow_provider_tssession.http_errors import api_error, transport_error
from airflow_provider_tssession.retry import Log, RetryPolicy
from airflow_provider_tssession.routing import origin, url_for

if TYPE_CHECKING:
    from airflow_provider_tssession.settings import ThoughtSpotSettings

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
        self.policy = RetryPolicy.from_settings(settings)
        read_environment_once(self.session, settings)
        adapter = _UnverifiedAdapter() if self.session.verify is False else _Adapter()
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def send(
        self,
        method: str,
        endpoint: str,
        *,
        idempotent: bool | None = None,
        retry: bool | RetryPolicy = True,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one call with the connection's timeout and retry policy; raise on any non-2xx answer.

        `retry=False` sends it once whatever happens; a `RetryPolicy` replaces the connection's for this call.
        """
        method = method.upper()
        url = url_for(self.settings, endpoint)
        kwargs.setdefault("timeout", self.settings.timeout)
        policy = retry if isinstance(retry, RetryPolicy) else self.policy if retry else self.policy.never()
        what = f"{method} {url}"
        return policy.call(
            lambda: self._send_once(method, url, kwargs, policy),
            method=method,
            idempotent=idempotent,
            what=what,
            log=self.log,
        )

    def _send_once(
        self, method: str, url: str, kwargs: dict[str, Any], policy: RetryPolicy
    ) -> requests.Response:
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.RequestException as error:
            raise transport_error(error, f"{method} {url}", kwargs.get("timeout")) from None
        if not 200 <= response.status_code < 300:
            raise api_error(response, f"{method} {url}", policy)
        return response

    def secrets(self) -> list[str]:
        """Every value that authenticates this session (cookies, an Authorization header), for masking."""
        values = [cookie.value for cookie in self.session.cookies if cookie.value]
        authorization = self.session.headers.get("Authorization")
        if isinstance(authorization, str):
            values += [authorization, authorization.split(" ", 1)[-1]]
        return values

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


def read_environment_once(session: requests.Session, settings: ThoughtSpotSettings) -> None:
    """Take proxies and the CA bundle from the environment now, instead of on every call.

    With `trust_env` on, requests re-reads os.environ for proxies, NO_PROXY and REQUESTS_CA_BUNDLE, and
    looks for ~/.netrc, on each call: about a fifth of a loopback call's CPU (see BENCHMARKS.md). Every
    URL of this session is on the connection's origin, so one look gives the same answers. ~/.netrc is
    not read: the connection holds the credentials, and a netrc entry must not replace the session's
    Authorization header. TLS `verify` is resolved here, once: an explicit `verify` extra wins, then
    REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE, then requests' own bundle.
    """
    session.proxies.update(requests.utils.get_environ_proxies(settings.base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    session.verify = settings.verify if settings.verify_explicit or not bundle else bundle
    session.trust_env = False
