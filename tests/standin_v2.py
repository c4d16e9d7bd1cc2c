"""A logged-in REST v2 client for the stand-in's data-ops tests (plain requests, as operators would send)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from airflow_provider_tssession.testing import V2_LOGIN_PATH
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

if TYPE_CHECKING:
    from airflow_provider_tssession.testing import FakeThoughtSpot


class V2Client:
    """POST JSON to a stand-in's v2 routes with a session cookie from a v2 login."""

    def __init__(
        self, ts: FakeThoughtSpot, user: str = DEFAULT_USER, password: str = DEFAULT_PASSWORD
    ) -> None:
        self.ts = ts
        self.http = requests.Session()
        login = self.http.post(
            ts.url + V2_LOGIN_PATH, json={"username": user, "password": password}, timeout=10
        )
        assert login.status_code == 204, login.text

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        """POST ``body`` as JSON to ``path``."""
        return self.http.post(self.ts.url + path, json={} if body is None else body, timeout=30, **kwargs)

    def ok(self, path: str, body: Any = None) -> Any:
        """POST and return the JSON of a 200 answer (fail the test otherwise)."""
        answer = self.post(path, body)
        assert answer.status_code == 200, (answer.status_code, answer.text[:500])
        return answer.json()

    def close(self) -> None:
        """Close the HTTP session."""
        self.http.close()


def error_message(answer: requests.Response) -> str:
    """The ``debug`` text of a v2 error (nesting 0, the stand-in's default)."""
    message = answer.json()["error"]["message"]
    return str(message["debug"])
