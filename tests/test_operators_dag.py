"""The operators in real DAG runs (dag.test() with a SQLite metadata DB) against the stand-in."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from airflow.models.renderedtifields import RenderedTaskInstanceFields
from airflow.utils.session import create_session
from airflow.utils.state import DagRunState, TaskInstanceState

from airflow_provider_tssession._compat import DagBag
from airflow_provider_tssession.testing import LOGOUT_PATH, METADATA_LIST_PATH, FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD

try:  # Airflow 3
    from airflow.models.xcom import XComModel
except ImportError:  # Airflow 2.11: the same table under its older name (values come deserialized)
    from airflow.models.xcom import BaseXCom as XComModel

REPO = Path(__file__).resolve().parent.parent
FOLDERS = {"examples": REPO / "example_dags", "tests": REPO / "tests" / "dags"}


def run_dag(dag_id: str, folder: str) -> Any:
    bag = DagBag(str(FOLDERS[folder]))
    assert not bag.import_errors
    return bag.dags[dag_id].test()


def states(run: Any) -> dict[str, str | None]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def stored_values(run: Any) -> str:
    """Everything of this run that Airflow stores and shows: XCom values and rendered template fields."""
    with create_session() as session:
        xcoms = session.query(XComModel).filter(XComModel.run_id == run.run_id).all()
        rendered = session.query(RenderedTaskInstanceFields).filter(
            RenderedTaskInstanceFields.run_id == run.run_id
        )
        parts = [json.dumps(x.value, default=str) for x in xcoms] + [
            json.dumps(r.rendered_fields, default=str) for r in rendered
        ]
    assert parts
    return "\n".join(parts)


def cookie_values(server: FakeThoughtSpot) -> set[str]:
    values = set()
    for record in server.requests:
        header = {k.lower(): v for k, v in record.headers.items()}.get("cookie", "")
        values |= {part.split("=", 1)[1] for part in header.split("; ") if "=" in part}
    return values


@pytest.fixture
def dag_env(airflow_db: Path, ts: FakeThoughtSpot) -> FakeThoughtSpot:
    return ts


def test_setup_teardown_example_logs_in_once(
    dag_env: FakeThoughtSpot, secret_free: Callable[..., None]
) -> None:
    run = run_dag("thoughtspot_session", "examples")
    assert run.state == DagRunState.SUCCESS
    assert (dag_env.logins, dag_env.logouts, dag_env.active_sessions) == (1, 1, 0)
    sessions = {
        r.session_id for r in dag_env.requests if r.path not in ("/callosum/v1/tspublic/v1/session/login",)
    }
    assert len(sessions) == 1  # every work call, and the logout, on the login task's JSESSIONID
    assert list(dag_env.calls_per_session().values()) == [3]
    secrets = cookie_values(dag_env)
    assert secrets
    stored = stored_values(run)
    for secret in (*secrets, DEFAULT_PASSWORD):
        assert secret not in stored
    secret_free(*secrets, DEFAULT_PASSWORD)


def test_context_manager_example(dag_env: FakeThoughtSpot) -> None:
    run = run_dag("thoughtspot_hook", "examples")
    assert run.state == DagRunState.SUCCESS
    assert (dag_env.logins, dag_env.logouts) == (1, 1)


def test_a_failing_work_task_still_gets_the_logout(dag_env: FakeThoughtSpot) -> None:
    run = run_dag("ts_failing_work", "tests")
    assert run.state == DagRunState.FAILED
    assert states(run) == {
        "login": TaskInstanceState.SUCCESS,
        "list_answers": TaskInstanceState.SUCCESS,
        "fail_after_a_call": TaskInstanceState.FAILED,
        "logout": TaskInstanceState.SUCCESS,
    }
    assert (dag_env.logins, dag_env.logouts, dag_env.active_sessions) == (1, 1, 0)


def test_an_expired_session_mid_run_costs_one_login_not_the_run(
    dag_env: FakeThoughtSpot, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_dag("ts_expiring_session", "tests")
    assert run.state == DagRunState.SUCCESS
    assert dag_env.logins == 2  # the login task's, and one for the task that found the session expired
    assert dag_env.logouts == 1  # that task logs its own session out...
    assert dag_env.count(LOGOUT_PATH) == 2  # ...and the logout task finds the shared one already ended
    assert dag_env.active_sessions == 0
    out = capsys.readouterr().out
    assert "logging in again for this task" in out
    assert "had already ended" in out


def test_api_operator_with_and_without_a_handle(dag_env: FakeThoughtSpot) -> None:
    run = run_dag("ts_api_operator", "tests")
    assert run.state == DagRunState.SUCCESS
    with create_session() as session:
        values = {
            x.task_id: x.value
            for x in session.query(XComModel).filter(
                XComModel.run_id == run.run_id, XComModel.key == "return_value"
            )
        }
    assert values["shared"] and all(isinstance(name, str) for name in values["shared"])
    assert values["own"]["name"] == "tsadmin"
    query = next(r.query for r in dag_env.requests if r.path == METADATA_LIST_PATH)
    assert query == "type=LOGICAL_TABLE"  # the templated query string was rendered
    assert (dag_env.logins, dag_env.logouts) == (2, 2)  # the shared session, and the "own" task's
