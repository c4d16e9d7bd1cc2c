"""ThoughtSpotTMLImportOperator in real DAG runs against the stand-in: sync, async, deferred; sent once; faults."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from airflow.utils.state import DagRunState, TaskInstanceState
from conftest import AIRFLOW_2
from dataops_runs import xcom_value
from test_operators_dag import stored_values
from tml_runs import run_tml, task_state

from airflow_provider_tssession.testing import TOKEN_FULL_PATH, TOKEN_REVOKE_PATH, FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import DEFAULT_MODEL_ID
from airflow_provider_tssession.testing.paths import (
    TML_ASYNC_IMPORT_PATH,
    TML_ASYNC_STATUS_PATH,
    TML_IMPORT_PATH,
)
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

MISSING_TABLE = "00000000-0000-0000-0000-000000000000"


def answer_tml(name: str, table: str = DEFAULT_MODEL_ID) -> str:
    """An Answer's TML (no GUID: imported as a new object); a table that does not exist makes it fail."""
    tables = [{"id": "Retail Sales", "name": "Retail Sales", "fqn": table}]
    return json.dumps({"answer": {"name": name, "tables": tables, "search_query": "[Region] [Sales]"}})


GOOD = [answer_tml("Imported one"), answer_tml("Imported two")]
WITH_BROKEN = [answer_tml("Imported one"), answer_tml("Broken answer", MISSING_TABLE)]


@pytest.fixture
def dag_env(airflow_db: Path, ts: FakeThoughtSpot) -> Iterator[FakeThoughtSpot]:
    ts.async_import_seconds = 1.0  # two or three polls at 0.6 s
    yield ts


def names_in_catalog(ts: FakeThoughtSpot) -> set[str]:
    return {obj.name for obj in ts.catalog.objects("ANSWER")}


def sent_imports(ts: FakeThoughtSpot) -> int:
    return ts.count(TML_ASYNC_IMPORT_PATH) + ts.count(TML_IMPORT_PATH)


@pytest.mark.parametrize("dag_id", ["ts_tml_import_sync", "ts_tml_import_worker", "ts_tml_import_deferred"])
def test_imports_every_object_and_reports_each_in_xcom(dag_env: FakeThoughtSpot, dag_id: str) -> None:
    run = run_tml(dag_id, tmls=GOOD)
    assert run.state == DagRunState.SUCCESS
    result = xcom_value(run, "import_tml")
    assert result["task_status"] == "COMPLETED"
    assert [(o["name"], o["status"], o["error"]) for o in result["objects"]] == [
        ("Imported one", "OK", None),
        ("Imported two", "OK", None),
    ]
    assert all(o["guid"] and o["type"] for o in result["objects"])
    assert {"Imported one", "Imported two"} <= names_in_catalog(dag_env)
    assert sent_imports(dag_env) == 1
    sent = next(
        json.loads(r.body) for r in dag_env.requests if r.path in (TML_IMPORT_PATH, TML_ASYNC_IMPORT_PATH)
    )
    assert sent["import_policy"] == "ALL_OR_NONE"  # always sent: the routes' defaults differ
    if dag_id == "ts_tml_import_sync":
        assert "task_id" not in result and dag_env.count(TML_ASYNC_STATUS_PATH) == 0
    else:
        assert result["task_id"] and dag_env.count(TML_ASYNC_STATUS_PATH) >= 2
    assert (dag_env.logins, dag_env.logouts, dag_env.active_sessions) == (1, 1, 0)


def test_a_deferred_import_hands_its_session_to_the_trigger_and_nothing_secret_is_stored(
    dag_env: FakeThoughtSpot, secret_free: Any
) -> None:
    run = run_tml("ts_tml_import_deferred", tmls=GOOD)
    assert run.state == DagRunState.SUCCESS
    sessions = {
        r.session_id for r in dag_env.requests if r.path in (TML_ASYNC_IMPORT_PATH, TML_ASYNC_STATUS_PATH)
    }
    assert len(sessions) == 1  # the trigger polled with the operator's session, no login of its own
    cookies = {c for r in dag_env.requests for c in [r.session_id] if c}
    stored = stored_values(run)
    for secret in (*cookies, DEFAULT_PASSWORD):
        assert secret not in stored
    secret_free(*cookies, DEFAULT_PASSWORD)


def test_a_login_tasks_session_is_reused_and_left_to_the_logout_task(dag_env: FakeThoughtSpot) -> None:
    run = run_tml("ts_tml_import_shared_session", tmls=GOOD)
    assert run.state == DagRunState.SUCCESS
    assert (dag_env.logins, dag_env.logouts, dag_env.active_sessions) == (1, 1, 0)
    assert task_state(run, "logout") == TaskInstanceState.SUCCESS


def test_input_path_imports_every_tml_file_under_it(dag_env: FakeThoughtSpot, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.answer.tml").write_text(GOOD[0])
    (tmp_path / "sub" / "b.answer.tml").write_text(GOOD[1])
    (tmp_path / "notes.txt").write_text("not TML")
    run = run_tml("ts_tml_import_worker", input_path=tmp_path.as_uri())
    assert run.state == DagRunState.SUCCESS
    assert len(xcom_value(run, "import_tml")["objects"]) == 2


@pytest.mark.parametrize("dag_id", ["ts_tml_import_worker", "ts_tml_import_deferred"])
def test_all_or_none_with_a_broken_object_fails_naming_it(
    dag_env: FakeThoughtSpot, dag_id: str, task_errors: Path
) -> None:
    run = run_tml(dag_id, tmls=WITH_BROKEN)
    assert run.state == DagRunState.FAILED
    out = task_errors.read_text()
    assert "FAILED on ThoughtSpot" in out and "'Broken answer'" in out
    assert "Imported one" not in names_in_catalog(dag_env)  # all or nothing
    assert dag_env.active_sessions == 0


def test_partial_completed_with_an_object_error_fails_after_the_rest_is_imported(
    dag_env: FakeThoughtSpot, task_errors: Path
) -> None:
    run = run_tml("ts_tml_import_partial", tmls=WITH_BROKEN)
    assert run.state == DagRunState.FAILED
    out = task_errors.read_text()
    assert "1 of 2 object(s) failed" in out and "'Broken answer'" in out
    assert "Imported one" in names_in_catalog(dag_env)


def test_fail_on_object_error_false_warns_and_returns_every_object(
    dag_env: FakeThoughtSpot, task_errors: Path
) -> None:
    run = run_tml("ts_tml_import_lenient", tmls=WITH_BROKEN)
    assert run.state == DagRunState.SUCCESS
    statuses = [(o["name"], o["status"]) for o in xcom_value(run, "import_tml")["objects"]]
    assert statuses[0] == ("Imported one", "OK") and statuses[1][1] == "ERROR"
    assert task_errors.read_text() == ""  # the task did not fail


@pytest.mark.parametrize("dag_id", ["ts_tml_import_timeout", "ts_tml_import_worker_timeout"])
def test_timeout_fails_the_task_and_says_the_import_may_still_run(
    dag_env: FakeThoughtSpot, dag_id: str, task_errors: Path
) -> None:
    dag_env.async_import_seconds = 60
    run = run_tml(dag_id, tmls=GOOD)
    assert run.state == DagRunState.FAILED
    assert "may still be running on ThoughtSpot" in task_errors.read_text()
    assert sent_imports(dag_env) == 1
    assert dag_env.active_sessions == 0


@pytest.mark.parametrize("fault", ["503", "drop", "timeout"])
@pytest.mark.parametrize("dag_id", ["ts_tml_import_sync", "ts_tml_import_deferred"])
def test_an_import_post_that_may_have_arrived_is_never_sent_again(
    dag_env: FakeThoughtSpot, use_connection: Any, dag_id: str, fault: str, task_errors: Path
) -> None:
    path = TML_IMPORT_PATH if dag_id.endswith("sync") else TML_ASYNC_IMPORT_PATH
    if fault == "503":
        dag_env.fail_next(path, 503)
    elif fault == "drop":
        dag_env.drop_next(path)
    else:
        use_connection(dag_env, extra={"timeout": 1})
        dag_env.delay_next(path, 3)  # longer than the connection's timeout
    run = run_tml(dag_id, tmls=GOOD)
    assert run.state == DagRunState.FAILED
    for _ in range(100):  # the stand-in logs a request when it has answered it
        if dag_env.count(path):
            break
        time.sleep(0.1)
    assert dag_env.count(path) == 1
    out = task_errors.read_text()
    assert "ThoughtSpot may have received it, so it was not sent again" in out
    assert TML_ASYNC_STATUS_PATH in out  # how to check
    assert dag_env.active_sessions == 0


def test_a_429_on_the_import_post_is_sent_again(dag_env: FakeThoughtSpot) -> None:
    dag_env.fail_next(TML_ASYNC_IMPORT_PATH, 429, retry_after="0")
    run = run_tml("ts_tml_import_deferred", tmls=GOOD)
    assert run.state == DagRunState.SUCCESS
    assert dag_env.count(TML_ASYNC_IMPORT_PATH) == 2  # a 429 is a refusal before any work


@pytest.mark.parametrize("status", [503, 429])
@pytest.mark.parametrize("dag_id", ["ts_tml_import_worker", "ts_tml_import_deferred"])
def test_failed_status_polls_are_retried(dag_env: FakeThoughtSpot, dag_id: str, status: int) -> None:
    dag_env.fail_next(TML_ASYNC_STATUS_PATH, status, times=4, retry_after="0" if status == 429 else None)
    run = run_tml(dag_id, tmls=GOOD)
    assert run.state == DagRunState.SUCCESS
    assert dag_env.count(TML_ASYNC_IMPORT_PATH) == 1


def fill_the_queue(ts: FakeThoughtSpot) -> None:
    """Start 100 long imports over plain HTTP (a hook here would log to the test's stdout first)."""
    ts.async_import_seconds = 600

    def post(path: str, body: dict[str, Any], token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(ts.url + path, json.dumps(body).encode(), headers, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    token = post(TOKEN_FULL_PATH, {"username": DEFAULT_USER, "password": DEFAULT_PASSWORD})["token"]
    for n in range(100):
        post(TML_ASYNC_IMPORT_PATH, {"metadata_tmls": [answer_tml(f"Queued {n}")]}, token)
    post(TOKEN_REVOKE_PATH, {}, token)


def test_a_full_queue_fails_the_task_with_thoughtspots_reason(
    dag_env: FakeThoughtSpot, task_errors: Path
) -> None:
    fill_the_queue(dag_env)
    run = run_tml("ts_tml_import_deferred", tmls=GOOD)
    assert run.state == DagRunState.FAILED
    assert "The import queue is full" in task_errors.read_text()
    assert dag_env.count(TML_ASYNC_STATUS_PATH) == 1  # FAILED at submission: one status call for the reason


@pytest.mark.parametrize("dag_id", ["ts_tml_import_worker", "ts_tml_import_deferred"])
def test_an_expired_session_mid_poll_costs_a_login_not_the_import(
    airflow_db: Path, use_connection: Any, dag_id: str
) -> None:
    with FakeThoughtSpot({DEFAULT_USER: DEFAULT_PASSWORD}, session_idle_timeout=0.3) as fake:
        use_connection(fake)
        fake.async_import_seconds = 1.5
        run = run_tml(dag_id, tmls=GOOD)
        assert run.state == DagRunState.SUCCESS
        assert fake.logins >= 2  # each poll 0.6 s after the last finds the session idle-expired
        assert fake.count(TML_ASYNC_IMPORT_PATH) == 1
        assert fake.active_sessions == 0


@pytest.mark.parametrize("dag_id", ["ts_tml_import_retried", "ts_tml_import_retried_deferred"])
def test_a_retry_resumes_the_import_instead_of_sending_it_again(
    dag_env: FakeThoughtSpot, dag_id: str, task_errors: Path
) -> None:
    # Three polls of three attempts each: the first try fails while its import goes on.
    dag_env.fail_next(TML_ASYNC_STATUS_PATH, 500, times=9)
    run = run_tml(dag_id, tmls=GOOD)
    assert dag_env.count(TML_ASYNC_IMPORT_PATH) == 1
    out = task_errors.read_text()
    if AIRFLOW_2:  # no task state store: the retry refuses rather than guess
        assert run.state == DagRunState.FAILED
        assert "this is try 2, an earlier try may have sent it" in out
    else:
        assert run.state == DagRunState.SUCCESS and out == ""
        assert xcom_value(run, "import_tml")["task_status"] == "COMPLETED"  # the import of the first try


def test_a_retry_after_an_import_that_failed_sends_it_anew_only_where_it_can_know(
    dag_env: FakeThoughtSpot, task_errors: Path
) -> None:
    run = run_tml("ts_tml_import_retried", tmls=WITH_BROKEN)  # ALL_OR_NONE: FAILED each time
    assert run.state == DagRunState.FAILED
    if AIRFLOW_2:
        assert dag_env.count(TML_ASYNC_IMPORT_PATH) == 1
        assert "this is try 2" in task_errors.read_text()
    else:  # the store says the first import FAILED (nothing written): the retry sends it again
        assert dag_env.count(TML_ASYNC_IMPORT_PATH) == 2
        assert "FAILED on ThoughtSpot" in task_errors.read_text()


def test_a_retry_after_an_import_post_that_may_have_arrived_refuses_to_send_it(
    dag_env: FakeThoughtSpot, task_errors: Path
) -> None:
    dag_env.fail_next(TML_ASYNC_IMPORT_PATH, 503)
    run = run_tml("ts_tml_import_retried", tmls=GOOD)
    assert run.state == DagRunState.FAILED
    assert dag_env.count(TML_ASYNC_IMPORT_PATH) == 1
    out = task_errors.read_text()
    assert ("this is try 2" if AIRFLOW_2 else "started sending it and did not learn") in out


@pytest.mark.parametrize(("conf", "named"), [({}, "'input_path'"), ({"tmls": "not a list"}, "'tmls'")])
def test_bad_arguments_fail_in_execute_naming_the_argument(
    dag_env: FakeThoughtSpot, task_errors: Path, conf: dict[str, Any], named: str
) -> None:
    run = run_tml("ts_tml_import_worker", **conf)
    assert run.state == DagRunState.FAILED
    assert f"Task 'import_tml', argument {named}" in task_errors.read_text()
    assert sent_imports(dag_env) == 0
