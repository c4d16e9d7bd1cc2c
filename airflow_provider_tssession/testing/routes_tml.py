"""``/metadata/tml/import`` (sync) and ``/metadata/tml/async/import`` + ``/metadata/tml/async/status``.

Both imports read ``metadata_tmls`` (JSON or YAML TML strings), ``import_policy`` (sync default PARTIAL,
async default PARTIAL_OBJECT, as the spec says) and ``create_new``; other spec fields are accepted and
ignored, and so are the keys thoughtspot-rest-api sends that the spec lacks (``all_orgs_context``,
``cdw_validation_for_tables``). The status route pages with ``record_offset``/``record_size`` (default 5,
at most 50: more is a 400, per DOCS ``tml.adoc``); ``last_batch`` is true when no more pages follow [I: the
spec's description says the opposite; its name and the docs' example agree with this].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .paths import TML_ASYNC_IMPORT_PATH, TML_ASYNC_STATUS_PATH, TML_IMPORT_PATH
from .registry import Route, add_routes, authenticate
from .tasks import TASK_STATUSES
from .tml_import import POLICIES, run_import
from .v2body import Body
from .wire import json_response

if TYPE_CHECKING:
    from .state import FakeState
    from .wire import Request, Response

MAX_STATUS_RECORDS = 50


def _read(state: FakeState, request: Request, default_policy: str) -> tuple[list[str], str, bool]:
    body = Body.of(state, request, optional=False)
    tmls = body.strings("metadata_tmls", required=True)
    policy = body.choice("import_policy", POLICIES, default_policy)
    create_new = body.flag("create_new", False)
    for name in ("all_orgs_override", "skip_diff_check", "enable_large_metadata_validation"):
        body.flag(name, False)
    return tmls, policy, create_new


def _import(state: FakeState, request: Request) -> Response:
    session = authenticate(state, request, v2=True)
    tmls, policy, create_new = _read(state, request, "PARTIAL")
    state.count_import()
    results = run_import(state.catalog, tmls, policy=policy, create_new=create_new, owner=session.user)
    return json_response(200, [result.response() for result in results])


def _async_import(state: FakeState, request: Request) -> Response:
    session = authenticate(state, request, v2=True)
    tmls, policy, create_new = _read(state, request, "PARTIAL_OBJECT")
    state.count_import()
    task = state.imports.submit(
        tmls, policy=policy, create_new=create_new, author=session.user, org_id=session.org_id
    )
    return json_response(200, task)


def _async_status(state: FakeState, request: Request) -> Response:
    authenticate(state, request, v2=True)
    body = Body.of(state, request)
    statuses = body.strings("task_status")
    for status in statuses:
        if status not in TASK_STATUSES:
            raise body.bad("task_status", "values of " + ", ".join(TASK_STATUSES))
    page, last = state.imports.statuses(
        task_ids=body.strings("task_ids"),
        statuses=statuses,
        author=body.text("author_identifier"),
        offset=body.integer("record_offset", 0),
        size=body.integer("record_size", 5, minimum=1, maximum=MAX_STATUS_RECORDS),
        include_response=body.flag("include_import_response", False),
    )
    return json_response(200, {"status_list": page, "last_batch": last})


add_routes(
    {
        TML_IMPORT_PATH: Route({"POST": _import}, v2=True),
        TML_ASYNC_IMPORT_PATH: Route({"POST": _async_import}, v2=True),
        TML_ASYNC_STATUS_PATH: Route({"POST": _async_status}, v2=True),
    }
)
