"""Every data-ops answer of the stand-in, success and error, validated against ThoughtSpot's own OpenAPI spec.

The spec is ``tests/data/dataops-openapi-v2.json``, a byte-for-byte copy of
``/work/shared/reference/dataops-openapi-v2.json`` (from ThoughtSpot's rest-api-sdk, 26.8.0.cl): a path
relative to the clone (``../shared``) does not hold from a worktree, so the copy travels with the tests, and
``test_the_copy_matches_the_reference`` catches drift wherever the reference is at hand. The requests the
cases send are validated too (2xx cases), with bearer auth as the spec's ``security`` demands.
One deliberate deviation, from the facts file ("Data rows: COMPACT vs FULL"): COMPACT rows are arrays, which
the spec's ``data_rows: [object]`` does not allow; COMPACT answers are validated against a copy of the spec
whose ``data_rows`` items may also be arrays, FULL answers against the spec as published.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.exceptions import OpenAPIError

from airflow_provider_tssession.testing import TOKEN_FULL_PATH, FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import (
    DEFAULT_ANSWER_ID,
    DEFAULT_LIVEBOARD_ID,
    DEFAULT_MODEL_ID,
    DEFAULT_TABLE_ID,
)
from airflow_provider_tssession.testing.paths import (
    ANSWER_DATA_PATH,
    DATAOPS_PATHS,
    GIT_COMMIT_PATH,
    GIT_DEPLOY_PATH,
    GIT_SEARCH_PATH,
    GROUPS_IMPORT_PATH,
    LIVEBOARD_DATA_PATH,
    METADATA_SEARCH_PATH,
    REPORT_ANSWER_PATH,
    REPORT_LIVEBOARD_PATH,
    SEARCH_DATA_PATH,
    TML_ASYNC_IMPORT_PATH,
    TML_ASYNC_STATUS_PATH,
    TML_EXPORT_PATH,
    TML_IMPORT_PATH,
    USERS_IMPORT_PATH,
    USERS_SEARCH_PATH,
)
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

if TYPE_CHECKING:
    from collections.abc import Callable

SPEC = Path(__file__).parent / "data" / "dataops-openapi-v2.json"
REFERENCES = [Path(__file__).resolve().parents[n] / "shared" / "reference" / SPEC.name for n in (2, 3)]
TML = json.dumps(
    {"answer": {"name": "Spec answer", "tables": [{"fqn": DEFAULT_MODEL_ID}], "search_query": "[Sales]"}}
)
BROKEN_LIVEBOARD = json.dumps(
    {
        "liveboard": {
            "name": "Half",
            "visualizations": [{"id": "Viz_1", "answer": {"name": "X", "tables": [{"name": "NONE"}]}}],
        }
    }
)


def _commit(ts: FakeThoughtSpot) -> None:
    ts.git.push(
        "main",
        {
            f"{DEFAULT_ANSWER_ID}.answer.tml": json.dumps(
                {
                    "guid": DEFAULT_ANSWER_ID,
                    "answer": {"name": "Sales by Region", "tables": [{"fqn": DEFAULT_MODEL_ID}]},
                }
            )
        },
        "seed",
    )


def _async_task(ts: FakeThoughtSpot) -> None:
    ts.async_import_seconds = 0
    token = _token(ts)
    requests.post(
        ts.url + TML_ASYNC_IMPORT_PATH,
        json={"metadata_tmls": [TML, BROKEN_LIVEBOARD]},
        headers=token,
        timeout=10,
    ).raise_for_status()


@dataclass(frozen=True)
class Case:
    """One request to one route, and the status it must get."""

    name: str
    path: str
    body: Any
    status: int
    compact: bool = False  # a COMPACT data answer (arrays for rows: see the module docstring)
    setup: Callable[[FakeThoughtSpot], None] | None = field(default=None, compare=False)


CASES = [
    Case(
        "search",
        METADATA_SEARCH_PATH,
        {
            "metadata": [{"type": "LIVEBOARD"}],
            "include_details": True,
            "include_visualization_headers": True,
            "include_dependent_objects": True,
            "include_stats": True,
        },
        200,
    ),
    Case("search bad type", METADATA_SEARCH_PATH, {"metadata": [{"type": "DASHBOARD"}]}, 400),
    Case(
        "export",
        TML_EXPORT_PATH,
        {
            "metadata": [{"identifier": DEFAULT_LIVEBOARD_ID}, {"identifier": "missing"}],
            "edoc_format": "YAML",
            "export_associated": True,
        },
        200,
    ),
    Case("export without metadata", TML_EXPORT_PATH, {}, 400),
    Case(
        "import",
        TML_IMPORT_PATH,
        {"metadata_tmls": [TML, BROKEN_LIVEBOARD], "import_policy": "PARTIAL_OBJECT"},
        200,
    ),
    Case("import not a list", TML_IMPORT_PATH, {"metadata_tmls": "x"}, 400),
    Case(
        "async import", TML_ASYNC_IMPORT_PATH, {"metadata_tmls": [TML], "import_policy": "ALL_OR_NONE"}, 200
    ),
    Case(
        "async import bad policy",
        TML_ASYNC_IMPORT_PATH,
        {"metadata_tmls": [TML], "import_policy": "SOME"},
        400,
    ),
    Case(
        "async status",
        TML_ASYNC_STATUS_PATH,
        {"include_import_response": True, "record_size": 50},
        200,
        setup=_async_task,
    ),
    Case("async status over 50", TML_ASYNC_STATUS_PATH, {"record_size": 51}, 400),
    Case(
        "liveboard pdf",
        REPORT_LIVEBOARD_PATH,
        {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "file_format": "PDF"},
        200,
    ),
    Case(
        "liveboard csv zip",
        REPORT_LIVEBOARD_PATH,
        {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "file_format": "CSV"},
        200,
    ),
    Case("liveboard unknown", REPORT_LIVEBOARD_PATH, {"metadata_identifier": "nope"}, 400),
    Case(
        "answer xlsx",
        REPORT_ANSWER_PATH,
        {"metadata_identifier": DEFAULT_ANSWER_ID, "file_format": "XLSX"},
        200,
    ),
    Case("answer unknown", REPORT_ANSWER_PATH, {"metadata_identifier": "nope"}, 400),
    Case(
        "searchdata full",
        SEARCH_DATA_PATH,
        {
            "query_string": "[Region] [Sales]",
            "logical_table_identifier": DEFAULT_TABLE_ID,
            "data_format": "FULL",
        },
        200,
    ),
    Case(
        "searchdata compact",
        SEARCH_DATA_PATH,
        {"query_string": "[Region]", "logical_table_identifier": DEFAULT_TABLE_ID},
        200,
        compact=True,
    ),
    Case(
        "searchdata unknown column",
        SEARCH_DATA_PATH,
        {"query_string": "[Nope]", "logical_table_identifier": DEFAULT_TABLE_ID},
        400,
    ),
    Case(
        "answer data full",
        ANSWER_DATA_PATH,
        {"metadata_identifier": DEFAULT_ANSWER_ID, "data_format": "FULL"},
        200,
    ),
    Case(
        "answer data compact",
        ANSWER_DATA_PATH,
        {"metadata_identifier": DEFAULT_ANSWER_ID, "record_size": -1},
        200,
        compact=True,
    ),
    Case("answer data unknown", ANSWER_DATA_PATH, {"metadata_identifier": "nope"}, 400),
    Case(
        "liveboard data full",
        LIVEBOARD_DATA_PATH,
        {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "data_format": "FULL"},
        200,
    ),
    Case(
        "liveboard data compact",
        LIVEBOARD_DATA_PATH,
        {"metadata_identifier": DEFAULT_LIVEBOARD_ID},
        200,
        compact=True,
    ),
    Case("liveboard data unknown", LIVEBOARD_DATA_PATH, {"metadata_identifier": "nope"}, 400),
    Case(
        "users import",
        USERS_IMPORT_PATH,
        {
            "users": [{"user_identifier": "spec", "display_name": "Spec"}],
            "dry_run": False,
            "delete_unspecified_users": True,
        },
        200,
    ),
    Case("users import no name", USERS_IMPORT_PATH, {"users": [{"user_identifier": "spec"}]}, 400),
    Case(
        "groups import",
        GROUPS_IMPORT_PATH,
        {"groups": [{"group_identifier": "Spec", "display_name": "Spec"}], "dry_run": False},
        200,
    ),
    Case("groups import no name", GROUPS_IMPORT_PATH, {"groups": [{"display_name": "Spec"}]}, 400),
    Case("users search", USERS_SEARCH_PATH, {"record_size": -1}, 200),
    Case("users search bad size", USERS_SEARCH_PATH, {"record_size": "ten"}, 400),
    Case(
        "git commit",
        GIT_COMMIT_PATH,
        {"metadata": [{"identifier": DEFAULT_LIVEBOARD_ID}], "comment": "spec"},
        200,
    ),
    Case("git commit no comment", GIT_COMMIT_PATH, {"metadata": [{"identifier": DEFAULT_LIVEBOARD_ID}]}, 400),
    Case("git deploy", GIT_DEPLOY_PATH, {"branch_name": "main", "deploy_type": "FULL"}, 200, setup=_commit),
    Case("git deploy unknown branch", GIT_DEPLOY_PATH, {"branch_name": "nope"}, 400),
    Case("git search", GIT_SEARCH_PATH, {"metadata_identifier": DEFAULT_ANSWER_ID}, 200, setup=_commit),
    Case("git search no identifier", GIT_SEARCH_PATH, {}, 400),
    *[Case(f"no auth {path.rsplit('2.0/', 1)[1]}", path, {}, 401) for path in DATAOPS_PATHS],
]


@functools.cache
def _load(compact: bool) -> OpenAPI:
    spec = json.loads(SPEC.read_text())
    # The spec's server is "{base-url}", a template no host:port URL matches; any local port does here.
    spec["servers"] = [{"url": "http://127.0.0.1:{port}", "variables": {"port": {"default": "80"}}}]
    if compact:
        for name in ("AnswerContent", "LiveboardContent"):
            rows = spec["components"]["schemas"][name]["properties"]["data_rows"]
            rows["items"] = {"anyOf": [{"type": "object"}, {"type": "array", "items": {}}]}
    return OpenAPI.from_dict(spec)


def _token(ts: FakeThoughtSpot) -> dict[str, str]:
    minted = requests.post(
        ts.url + TOKEN_FULL_PATH, json={"username": DEFAULT_USER, "password": DEFAULT_PASSWORD}, timeout=10
    )
    return {"Authorization": f"Bearer {minted.json()['token']}"}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_answers_match_the_spec(fake_thoughtspot: FakeThoughtSpot, case: Case) -> None:
    ts = fake_thoughtspot
    if case.setup is not None:
        case.setup(ts)
    headers = {} if case.status == 401 else _token(ts)
    answer = requests.post(ts.url + case.path, json=case.body, headers=headers, timeout=30)
    assert answer.status_code == case.status, answer.text[:300]
    api = _load(case.compact)
    request = RequestsOpenAPIRequest(answer.request)
    if case.status < 300:
        api.validate_request(request)
    api.validate_response(request, RequestsOpenAPIResponse(answer))
    if case.status >= 400:
        assert isinstance(answer.json()["error"], dict)


def test_compact_rows_are_the_one_place_the_stand_in_leaves_the_published_spec(
    fake_thoughtspot: FakeThoughtSpot,
) -> None:
    ts = fake_thoughtspot
    body = {"metadata_identifier": DEFAULT_ANSWER_ID}
    answer = requests.post(ts.url + ANSWER_DATA_PATH, json=body, headers=_token(ts), timeout=30)
    request, response = RequestsOpenAPIRequest(answer.request), RequestsOpenAPIResponse(answer)
    with pytest.raises(OpenAPIError):
        _load(False).validate_response(request, response)
    _load(True).validate_response(request, response)


def test_cases_cover_every_route_with_a_success_and_an_error() -> None:
    for path in DATAOPS_PATHS:
        statuses = {case.status for case in CASES if case.path == path}
        assert 200 in statuses and statuses & {400, 401} == {400, 401}, path


def test_the_copy_matches_the_reference() -> None:
    references = [path for path in REFERENCES if path.is_file()]
    if not references:
        pytest.skip("the shared reference is not at ../shared or ../../shared from this clone")
    assert json.loads(SPEC.read_text()) == json.loads(references[0].read_text())
