"""A faithful local ThoughtSpot stand-in for tests: real HTTP, cookies and error bodies, injectable faults.

Standard library only, so it can run anywhere (tests, a subprocess, a CI service) without the provider's
dependencies.

Python::

    with FakeThoughtSpot(users={"tsadmin": "secret"}) as ts:
        ts.fail_next(LOGIN_PATH, 503, retry_after="1")
        ...  # point a client at ts.url
        assert ts.logins == 1

Protocol (base ``/callosum/v1``; every v1 route needs an ``X-Requested-By`` header, else 400/10002):

- ``POST /tspublic/v1/session/login`` form ``username``, ``password``, ``rememberme`` -> 204 + cookies
  ``JSESSIONID`` (the only one that authenticates) and ``clientId`` (Secure); 415 for a non-form body;
  400/10002 bad parameters; 401/10003 bad credentials; 403/10023 locked after ``lockout_threshold``
  consecutive failures (for ``lockout_seconds``).
- ``POST /tspublic/v1/session/logout`` -> 204, or 401/10003 without a live session.
- ``GET /tspublic/v1/session/info``, ``GET /tspublic/v1/metadata/list?type=...``,
  ``GET /tspublic/v1/user/list``, ``POST /tspublic/v1/metadata/assigntag`` (form ``id`` and ``tag``) and
  v2 ``GET /api/rest/2.0/auth/session/user`` -> 401/10003 without a live session. Every authenticated
  call refreshes the session's idle clock (``session_idle_timeout``, or 14 days with ``rememberme``).
- Unknown path 404/10002, wrong method 405. v1 errors are flat:
  ``{"code", "incident_id_guid", "trace_id_guid", "debug": '["message"]'}`` (a JSON-encoded list).

Control plane over HTTP (no auth, no X-Requested-By; never faulted, never logged):

- ``GET /_fake/stats`` -> 200 JSON of ``stats()``
- ``GET /_fake/requests`` -> 200 JSON list of the request log (bodies as UTF-8 text)
- ``POST /_fake/reset`` -> 204
- ``POST /_fake/faults`` JSON ``{"path": str|null, "kind": "status"|"drop"|"delay"|"slow_body"|"truncate",
  "status": 503, "times": 1, "retry_after": "1", "seconds": 0.5, "body": "...", "content_type": "text/html",
  "headers": {"Location": "..."}}`` -> 204 (see ``Fault`` for what each kind does)
- ``POST /_fake/expire`` -> 204 (all sessions end)
- ``POST /_fake/users`` JSON ``{"name": ..., "password": ...}`` -> 204
- ``POST /_fake/lock`` JSON ``{"name": ...}`` -> 204
- bad control input -> 400 ``{"error": "..."}``

HTTPS: pass ``ssl_context`` (a server-side ``ssl.SSLContext``); ``url`` then starts with ``https://``.

CLI: ``python -m airflow_provider_tssession.testing --port 0 --user tsadmin:secret``.
"""

from __future__ import annotations

from .protocol import (
    ASSIGN_TAG_PATH,
    INFO_PATH,
    LOGIN_PATH,
    LOGOUT_PATH,
    METADATA_LIST_PATH,
    USER_LIST_PATH,
    V2_USER_PATH,
)
from .records import Fault, FaultKind, RequestRecord
from .server import FakeThoughtSpot
from .state import REMEMBER_ME_SECONDS

__all__ = [
    "ASSIGN_TAG_PATH",
    "INFO_PATH",
    "LOGIN_PATH",
    "LOGOUT_PATH",
    "METADATA_LIST_PATH",
    "REMEMBER_ME_SECONDS",
    "USER_LIST_PATH",
    "V2_USER_PATH",
    "FakeThoughtSpot",
    "Fault",
    "FaultKind",
    "RequestRecord",
]
