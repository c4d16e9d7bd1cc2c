"""The ways a task can call ThoughtSpot, each doing the same unit of work: one authenticated GET, checked.

Every client logs in when opened, sends ``GET /tspublic/v1/session/info`` with ``X-Requested-By`` and the
session cookie on each `get()`, fails on a non-2xx answer, parses the JSON, and logs out on `close()`.
Libraries are imported when a client is opened, so a process measures only what its client loads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from bench.standin import INFO, PASSWORD, USER

if TYPE_CHECKING:
    from collections.abc import Callable

V1 = "/callosum/v1"
LOGIN = V1 + "/tspublic/v1/session/login"
LOGOUT = V1 + "/tspublic/v1/session/logout"
HEADERS = {"X-Requested-By": "ThoughtSpot", "Accept": "application/json"}
FORM = {"username": USER, "password": PASSWORD, "rememberme": "false"}


class Client(Protocol):
    """A logged-in client."""

    def get(self) -> Any:
        """Send the authenticated GET and return its parsed JSON."""

    def close(self) -> None:
        """Log out and drop the connection."""


class HttpClientLoop:
    """``http.client`` on one keep-alive connection: no library at all, the stand-in's own capacity."""

    def __init__(self, url: str) -> None:
        import http.client
        import json

        parts = urlsplit(url)
        self._json = json.loads
        self._connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        self._connection.request(
            "POST", LOGIN, body="&".join(f"{k}={v}" for k, v in FORM.items()),
            headers={**HEADERS, "Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        response = self._connection.getresponse()
        response.read()
        cookies = [header.split(";", 1)[0] for header in response.headers.get_all("Set-Cookie") or []]
        if response.status != 204 or not cookies:
            raise RuntimeError(f"login failed: {response.status}")
        self._headers = {**HEADERS, "Cookie": "; ".join(cookies)}

    def get(self) -> Any:
        """One GET on the kept-alive connection."""
        self._connection.request("GET", V1 + INFO, headers=self._headers)
        response = self._connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET answered {response.status}")
        return self._json(body)

    def close(self) -> None:
        """Log out and close the connection."""
        self._connection.request("POST", LOGOUT, headers=self._headers)
        self._connection.getresponse().read()
        self._connection.close()


class RawSession:
    """A bare ``requests.Session``: the floor any requests-based client stands on."""

    def __init__(self, url: str) -> None:
        import requests

        self._url = url
        self._session = requests.Session()
        self._session.headers.update(HEADERS)
        self._session.post(url + LOGIN, data=FORM, timeout=30).raise_for_status()

    def get(self) -> Any:
        """One GET through the session."""
        response = self._session.get(self._url + V1 + INFO, timeout=30)
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        """Log out and close the session."""
        self._session.post(self._url + LOGOUT, timeout=30).raise_for_status()
        self._session.close()


class ProviderHook:
    """Call through the provider: ``ThoughtSpotHook.request`` (timeouts, retries, error mapping included)."""

    def __init__(self, url: str) -> None:
        from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook

        self._hook = ThoughtSpotHook("thoughtspot_default")
        self._hook.login()

    def get(self) -> Any:
        """One call through the hook."""
        return self._hook.request("GET", INFO).json()

    def close(self) -> None:
        """Log out (what leaving the hook's ``with`` block does)."""
        self._hook.logout()


class RestApiV1:
    """``thoughtspot-rest-api-v1``'s ``TSRestApiV1``, as a ``PythonOperator`` would call it."""

    def __init__(self, url: str) -> None:
        from thoughtspot_rest_api_v1 import TSRestApiV1

        self._api = TSRestApiV1(url)
        self._api.session_login(USER, PASSWORD, remember_me=False)

    def get(self) -> Any:
        """One call: ``session_info()`` (GET, raise_for_status, JSON)."""
        return self._api.session_info()

    def close(self) -> None:
        """Log out."""
        self._api.session_logout()


class HttpHookRun:
    """``HttpHook.run`` (``apache-airflow-providers-http``) with the same headers and the session cookie."""

    def __init__(self, url: str) -> None:
        from airflow.providers.http.hooks.http import HttpHook

        self._get = HttpHook(method="GET", http_conn_id="ts_http")
        self._post = HttpHook(method="POST", http_conn_id="ts_http")
        response = self._post.run(LOGIN, data=FORM, headers=HEADERS)
        cookie = "; ".join(f"{name}={value}" for name, value in response.cookies.items())
        self._headers = {**HEADERS, "Cookie": cookie}

    def get(self) -> Any:
        """One call: ``run()`` builds a session, sends, checks the status."""
        return self._get.run(V1 + INFO, headers=self._headers).json()

    def close(self) -> None:
        """Log out."""
        self._post.run(LOGOUT, headers=self._headers)


CLIENTS: dict[str, Callable[[str], Client]] = {
    "http.client loop": HttpClientLoop,
    "requests.Session": RawSession,
    "ThoughtSpotHook.request": ProviderHook,
    "TSRestApiV1": RestApiV1,
    "HttpHook.run": HttpHookRun,
}
"""Name -> how to open it, logged in, against the stand-in at a URL."""
BASELINE = "requests.Session"
