"""The stand-in as its own process, so its CPU is not the client's and its GIL is not the client's either."""

from __future__ import annotations

import contextlib
import json
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_tssession.testing.process import stand_in_process

if TYPE_CHECKING:
    from collections.abc import Iterator

USER = "bench-user"
PASSWORD = "Bench-Pass-9137"
INFO = "/tspublic/v1/session/info"
"""The authenticated GET every request benchmark repeats: small, and answered from the session alone."""


@dataclass(frozen=True)
class StandIn:
    """Where the stand-in listens, and its control plane."""

    url: str

    def stats(self) -> dict[str, Any]:
        """Return what the stand-in counted since the last reset: logins, logouts, sessions, requests."""
        result: dict[str, Any] = json.loads(self._control("GET", "/_fake/stats"))
        return result

    def reset(self) -> None:
        """Forget counters, sessions and the request log (which grows with every request)."""
        self._control("POST", "/_fake/reset")

    def _control(self, method: str, path: str) -> bytes:
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            body: bytes = response.read()
        return body


def connection_env(url: str) -> dict[str, str]:
    """Return the connections the clients use: ``thoughtspot_default`` and, for HttpHook, ``ts_http``."""
    return {
        "AIRFLOW_CONN_THOUGHTSPOT_DEFAULT": json.dumps(
            {"conn_type": "thoughtspot", "host": url, "login": USER, "password": PASSWORD}
        ),
        "AIRFLOW_CONN_TS_HTTP": json.dumps({"conn_type": "http", "host": url}),
    }


@contextlib.contextmanager
def running_stand_in() -> Iterator[StandIn]:
    """Start the stand-in in its own process on an ephemeral port; stop it afterwards."""
    with stand_in_process({USER: PASSWORD}) as url:
        yield StandIn(url)
