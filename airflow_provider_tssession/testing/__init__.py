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
- Unknown path 404/10002, wrong method 405 (under ``/api/rest/2.0`` both are v2 errors, in the configured
  nesting, like every v2 answer). v1 errors are flat:
  ``{"code", "incident_id_guid", "trace_id_guid", "debug": '["message"]'}`` (a JSON-encoded list).

REST v2, bearer tokens, trusted authentication and orgs (``protocol_v2``; v2 bodies are JSON, else 415):

- ``POST /api/rest/2.0/auth/session/login`` JSON ``username``, ``password``, ``org_identifier`` (org id or
  name; default the primary org 0), ``remember_me`` (bool or "true"/"false") -> 204 + the v1 cookies;
  400/10002 unknown org; 401/10097 bad credentials; 403/10023 locked (the same lockout as v1).
- ``POST /api/rest/2.0/auth/session/logout`` -> 204, or 401/10097 without a live session.
- ``POST /api/rest/2.0/auth/token/full`` JSON ``username``, ``password`` or ``secret_key`` (wins),
  ``validity_time_in_sec`` (default 300), ``org_id`` -> 200 ``{token, creation_time_in_millis,
  expiration_time_in_millis, scope, valid_for_user_id, valid_for_username}``. The expiry is fixed at
  minting: activity does not extend it. 403/10023 trusted auth off (no ``secret_key`` configured) or
  account locked; 401/10097 wrong password or secret key.
- ``Authorization: Bearer <token>`` authenticates every route, v1 and v2, as the cookie does (and wins).
- ``POST /api/rest/2.0/auth/token/revoke`` optional JSON ``token`` (default: the caller's own) -> 204;
  401 unauthenticated caller; 400 token not live. Counts as a logout.
- ``POST /api/rest/2.0/auth/token/validate`` JSON ``token`` -> 200 ``{creation_time_in_millis,
  expiration_time_in_millis, scope, valid_for_user_id, token_type}``; 400/10002 malformed or expired.
- ``POST /tspublic/v1/session/auth/token`` form ``secret_key``, ``username``, ``access_level``, ``orgid``,
  needs ``Accept: text/plain`` (else 406) -> 200 text/plain one-time login token (5 minutes); 500 when
  trusted auth is off, or the secret key or user is wrong (as clusters answer).
- ``POST /tspublic/v1/session/login/token`` form ``username``, ``auth_token``, ``no_url_redirection=true``
  -> 204 + cookies (without ``no_url_redirection=true``: 302 to ``redirect_url``); 401 used, expired or
  foreign token; 403/10023 locked.
- ``PUT /tspublic/v1/session/orgs`` form ``orgid`` -> 204 (the session moves to that org); 400 unknown org.
- v2 error bodies use the nesting chosen by ``v2_error_nesting``: 0 ``{"error":{"message":{"code",
  "debug"}}}``, 1 ``{"error":{"message":{"debug"}}}``, 2 ``{"error":{"message":{"debug":{"code","debug"}}}}``.
  ``GET /api/rest/2.0/auth/session/user`` reports ``current_org``.

REST v2 data-ops (``routes_*``; every one is ``POST`` with a JSON body, needs a session cookie or bearer
token, else 401, and answers 400 naming the bad field; the facts and ThoughtSpot's spec they follow are in
each module's docstring). Content comes from the catalog (``testing.catalog``: a default catalog, objects
tests add):

- ``/api/rest/2.0/metadata/search``: ``metadata`` [{identifier, obj_identifier, name_pattern (``%``), type,
  subtypes}], ``created_by_user_identifiers``, ``modified_by_user_identifiers``, ``tag_identifiers``,
  ``exclude_objects``, ``include_*``, ``sort_options``, ``record_offset``/``record_size`` (10; -1 all).
- ``/api/rest/2.0/metadata/tml/export``: one item per object, ``{"info": {..., "status": {"status_code"}},
  "edoc"}``; a missing or unexportable object is a per-object ERROR inside the 200. JSON or YAML,
  ``export_associated``, ``export_fqn``.
- ``/api/rest/2.0/metadata/tml/import``: ``import_policy`` PARTIAL (default), PARTIAL_OBJECT, ALL_OR_NONE,
  VALIDATE_ONLY; per-object ``{"response": {"status", "header"}}``; the catalog changes.
- ``/api/rest/2.0/metadata/tml/async/import`` (default PARTIAL_OBJECT),
  ``/api/rest/2.0/metadata/tml/async/status``: tasks IN_QUEUE -> IN_PROGRESS -> COMPLETED (per-object
  results) or FAILED; at most 100 active tasks; ``record_size`` at most 50 (default 5).
- ``/api/rest/2.0/report/liveboard``, ``/api/rest/2.0/report/answer``: ``application/octet-stream`` PDF,
  PNG, XLSX, CSV (default); several visualizations' CSV is one ZIP.
- ``/api/rest/2.0/searchdata``, ``/api/rest/2.0/metadata/answer/data``,
  ``/api/rest/2.0/metadata/liveboard/data``: pages of rows (COMPACT arrays, FULL objects),
  ``available_data_row_count``, ``sampling_ratio``, at most ``data_row_cap`` (100,000) rows per query.
- ``/api/rest/2.0/users/import``, ``/api/rest/2.0/groups/import`` (``dry_run`` true when absent,
  ``delete_unspecified_*``), ``/api/rest/2.0/users/search``.
- ``/api/rest/2.0/vcs/git/branches/commit``, ``/api/rest/2.0/vcs/git/commits/deploy``,
  ``/api/rest/2.0/vcs/git/commits/search`` (an in-memory repository, ``FakeThoughtSpot.git``).

Limits, off by default: ``set_rate_limits()`` (100 requests/s per client IP + burst 10, the async status
route 100/minute + burst 100, then 429 with ``Retry-After``), ``set_latency(path, seconds)``. Knobs:
``async_import_seconds`` / ``set_async_import_phases(queued, running)``, ``data_row_cap``, ``report_bytes``.
Counters: ``requests_per_route()``, ``status_polls()``, ``imports_submitted``, ``max_in_flight``,
``rate_limited`` (all in ``stats()``).

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
- ``POST /_fake/objects`` JSON ``{"type", "name", "guid"?, "owner"?, "subtype"?, "columns"?, "rows"?
  (generated) or "data"? (rows), "visualizations"? [{"name", "columns", "rows"|"data"}], "tables"?,
  "connection"?, "tags"?, "properties"?, "export_error"?}`` -> 200 ``{"guid", "visualizations"}``
- ``POST /_fake/limits`` JSON ``{"rate_limits": true|false|{RateLimits fields}, "latency": {"<path>"|"*":
  seconds}}`` -> 204
- ``GET|POST /_fake/knobs`` JSON ``{"async_import_seconds"|"async_queued_seconds", "data_row_cap",
  "report_bytes"}`` -> 200 the current knobs | 204
- bad control input -> 400 ``{"error": "..."}``

HTTPS: pass ``ssl_context`` (a server-side ``ssl.SSLContext``); ``url`` then starts with ``https://``.

CLI: ``python -m airflow_provider_tssession.testing --port 0 --user tsadmin:secret`` (also ``--secret-key``,
``--org ID:NAME``, ``--v2-error-nesting``, ``--async-import-seconds``, ``--data-row-cap``, ``--report-bytes``,
``--rate-limits``, ``--latency PATH=SECONDS``).
"""

from __future__ import annotations

from .catalog import MetadataObject, Visualization
from .datasets import DataSet
from .limits import RATE_LIMITS, RateLimits
from .protocol import (
    ASSIGN_TAG_PATH,
    INFO_PATH,
    LOGIN_PATH,
    LOGOUT_PATH,
    METADATA_LIST_PATH,
    USER_LIST_PATH,
    V2_USER_PATH,
)
from .protocol_v2 import (
    ORGS_PATH,
    TOKEN_FULL_PATH,
    TOKEN_LOGIN_PATH,
    TOKEN_REVOKE_PATH,
    TOKEN_VALIDATE_PATH,
    TRUSTED_TOKEN_PATH,
    V2_LOGIN_PATH,
    V2_LOGOUT_PATH,
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
    "ORGS_PATH",
    "RATE_LIMITS",
    "REMEMBER_ME_SECONDS",
    "TOKEN_FULL_PATH",
    "TOKEN_LOGIN_PATH",
    "TOKEN_REVOKE_PATH",
    "TOKEN_VALIDATE_PATH",
    "TRUSTED_TOKEN_PATH",
    "USER_LIST_PATH",
    "V2_LOGIN_PATH",
    "V2_LOGOUT_PATH",
    "V2_USER_PATH",
    "DataSet",
    "FakeThoughtSpot",
    "Fault",
    "FaultKind",
    "MetadataObject",
    "RateLimits",
    "RequestRecord",
    "Visualization",
]
