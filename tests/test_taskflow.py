"""@task.thoughtspot in real DAG runs (dag.test(), SQLite metadata DB) against the stand-in."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from airflow.models.renderedtifields import RenderedTaskInstanceFields
from airflow.utils.session import create_session
from airflow.utils.state import DagRunState, TaskInstanceState
from test_operators_dag import XComModel, cookie_values, run_dag, states, stored_values

from airflow_provider_tssession.exceptions import ThoughtSpotAuthError
from airflow_provider_tssession.testing import LOGIN_PATH, FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD

try:  # Airflow 3
    from airflow.sdk import task
    from airflow.sdk.exceptions import AirflowFailException
except ImportError:  # Airflow 2.11
    from airflow.decorators import task
    from airflow.exceptions import AirflowFailException

ASSIGN_TAG = "/callosum/v1/tspublic/v1/metadata/assigntag"


@pytest.fixture
def dag_env(airflow_db: Path, ts: FakeThoughtSpot) -> FakeThoughtSpot:
    return ts


def rendered_fields(run: Any) -> dict[tuple[str, int], dict[str, Any]]:
    with create_session() as session:
        rows = session.query(RenderedTaskInstanceFields).filter(
            RenderedTaskInstanceFields.run_id == run.run_id
        )
        return {(row.task_id, row.map_index): row.rendered_fields for row in rows}


def test_the_decorator_is_registered_as_task_thoughtspot() -> None:
    from airflow_provider_tssession.decorators.thoughtspot import thoughtspot_task

    assert task.thoughtspot is thoughtspot_task


def test_mapped_tasks_share_the_login_tasks_session_and_every_session_ends(
    dag_env: FakeThoughtSpot, secret_free: Callable[..., None]
) -> None:
    run = run_dag("thoughtspot_taskflow", "examples")
    assert run.state == DagRunState.SUCCESS
    tagged = [ti for ti in run.get_task_instances() if ti.task_id == "tag"]
    assert sorted(ti.map_index for ti in tagged) == [0, 1, 2]
    assert all(ti.state == TaskInstanceState.SUCCESS for ti in tagged)
    tags = [r for r in dag_env.requests if r.path == ASSIGN_TAG]
    assert len(tags) == 3 and len({r.session_id for r in tags}) == 1  # three tasks, one shared session
    # The login task's session (shared by list_answers and the three tags) and whoami's own one: two
    # logins, two logouts, nothing left open.
    assert (dag_env.logins, dag_env.logouts, dag_env.active_sessions) == (2, 2, 0)
    stored = stored_values(run)
    for secret in (*cookie_values(dag_env), DEFAULT_PASSWORD):
        assert secret not in stored
    assert "ThoughtSpotHook" not in stored
    secret_free(*cookie_values(dag_env), DEFAULT_PASSWORD)


def test_ts_is_filled_in_at_run_time_only_never_rendered_or_stored(dag_env: FakeThoughtSpot) -> None:
    run = run_dag("ts_taskflow_templates", "tests")
    assert run.state == DagRunState.SUCCESS
    fields = rendered_fields(run)
    # Templates rendered; no "ts" among them, given by keyword or positionally.
    assert fields[("describe", -1)]["op_kwargs"] == {"answer": run.run_id}
    assert (fields[("positional", -1)]["op_args"], fields[("positional", -1)]["op_kwargs"]) == (
        [run.run_id],
        {},
    )
    assert fields[("describe", -1)]["thoughtspot_conn_id"] == "thoughtspot_default"
    with create_session() as session:
        values = {
            (x.task_id, x.key): x.value
            for x in session.query(XComModel).filter(XComModel.run_id == run.run_id)
        }
    for task_id in ("describe", "positional"):
        assert (values[(task_id, "user")], values[(task_id, "answer")]) == ("tsadmin", run.run_id)
    assert "ThoughtSpotHook" not in json.dumps(list(values.values()), default=str)
    assert (dag_env.logins, dag_env.logouts) == (2, 2)


def test_a_function_that_raises_still_logs_out(dag_env: FakeThoughtSpot) -> None:
    run = run_dag("ts_taskflow_failing", "tests")
    assert run.state == DagRunState.FAILED
    assert states(run) == {"fail_after_a_call": TaskInstanceState.FAILED}
    assert (dag_env.logins, dag_env.logouts, dag_env.active_sessions) == (1, 1, 0)


def test_a_rejected_login_fails_the_task_as_it_is_one_login_sent(
    dag_env: FakeThoughtSpot, use_connection: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    use_connection(dag_env, "thoughtspot_wrong", password="Wrong-Pass-4711")
    run = run_dag("ts_taskflow_wrong_password", "tests")
    assert run.state == DagRunState.FAILED
    assert dag_env.count(LOGIN_PATH) == 1  # retries=2, yet the wrong password was sent once
    (ti,) = run.get_task_instances()
    assert ti.state == TaskInstanceState.FAILED
    # The decorator passes the error through as it is, so Airflow's retry decision is the error's own:
    # an AirflowFailException fails at once; any other error uses the task's retries.
    tries = 1 if issubclass(ThoughtSpotAuthError, AirflowFailException) else 3
    assert ti.try_number == tries
    out = capsys.readouterr().out
    assert "ThoughtSpotAuthError" in out and "Wrong-Pass-4711" not in out


def test_a_function_without_ts_is_refused_when_the_dag_is_parsed() -> None:
    def no_hook(x: int) -> int:
        return x

    with pytest.raises(TypeError, match=r"no_hook.* has no parameter 'ts': add one"):
        task.thoughtspot(no_hook)(1)
