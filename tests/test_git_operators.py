"""ThoughtSpotGitCommitOperator and ThoughtSpotGitDeployOperator in real DAG runs against the stand-in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from airflow.utils.state import DagRunState, TaskInstanceState
from dataops_runs import xcom_value
from tml_runs import run_tml, task_state

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import DEFAULT_LIVEBOARD_ID, DEFAULT_MODEL_ID
from airflow_provider_tssession.testing.paths import GIT_COMMIT_PATH, GIT_DEPLOY_PATH

MISSING_TABLE = "00000000-0000-0000-0000-000000000000"


def answer_tml(name: str, table: str) -> str:
    tables = [{"id": "Retail Sales", "name": "Retail Sales", "fqn": table}]
    return json.dumps({"answer": {"name": name, "tables": tables, "search_query": "[Region] [Sales]"}})


@pytest.fixture
def dag_env(airflow_db: Path, ts: FakeThoughtSpot) -> FakeThoughtSpot:
    return ts


def test_commit_then_deploy_that_commit_reports_every_file(dag_env: FakeThoughtSpot) -> None:
    wanted = [{"identifier": DEFAULT_LIVEBOARD_ID, "type": "LIVEBOARD"}, {"identifier": DEFAULT_MODEL_ID}]
    run = run_tml("ts_git", metadata=wanted, comment="Nightly", branch="main")
    assert run.state == DagRunState.SUCCESS
    commit = xcom_value(run, "commit")
    assert commit["commit_id"] and commit["branch"] == "main"
    assert sorted(f["file_name"] for f in commit["files"]) == sorted(
        [f"{DEFAULT_LIVEBOARD_ID}.liveboard.tml", f"{DEFAULT_MODEL_ID}.model.tml"]
    )
    assert dag_env.git.branch("main")[-1].comment == "Nightly"
    deploy = xcom_value(run, "deploy")
    assert deploy["commit_id"] == commit["commit_id"]  # the templated commit id reached the deploy
    assert {(f["file_name"], f["status_code"]) for f in deploy["files"]} == {
        (f["file_name"], "OK") for f in commit["files"]
    }
    sent = json.loads(next(r.body for r in dag_env.requests if r.path == GIT_DEPLOY_PATH))
    assert (sent["deploy_type"], sent["deploy_policy"]) == ("DELTA", "ALL_OR_NONE")


def test_a_dry_run_with_a_failing_file_fails_naming_it_and_changes_nothing(
    dag_env: FakeThoughtSpot, task_errors: Path
) -> None:
    dag_env.git.push(
        "release",
        {
            "good.answer.tml": answer_tml("Good one", DEFAULT_MODEL_ID),
            "bad.answer.tml": answer_tml("Bad", MISSING_TABLE),
        },
        "two answers",
    )
    before = {obj.name for obj in dag_env.catalog.objects()}
    run = run_tml("ts_git_dry_run", branch="release")
    assert run.state == DagRunState.FAILED
    out = task_errors.read_text()
    assert "VALIDATE_ONLY: nothing was changed" in out
    assert "1 of 2 file(s) failed: bad.answer.tml:" in out and MISSING_TABLE in out
    assert {obj.name for obj in dag_env.catalog.objects()} == before


def test_a_clean_dry_run_succeeds_with_every_file_ok(dag_env: FakeThoughtSpot) -> None:
    dag_env.git.push("release", {"good.answer.tml": answer_tml("Good one", DEFAULT_MODEL_ID)}, "one answer")
    run = run_tml("ts_git_dry_run", branch="release")
    assert run.state == DagRunState.SUCCESS
    assert [f["status_code"] for f in xcom_value(run, "deploy")["files"]] == ["OK"]
    assert "Good one" not in {obj.name for obj in dag_env.catalog.objects()}


@pytest.mark.parametrize("fault", ["503", "drop"])
def test_a_commit_that_may_have_happened_is_not_sent_again(
    dag_env: FakeThoughtSpot, fault: str, task_errors: Path
) -> None:
    if fault == "503":
        dag_env.fail_next(GIT_COMMIT_PATH, 503)
    else:
        dag_env.drop_next(GIT_COMMIT_PATH)
    run = run_tml("ts_git", metadata=[{"identifier": DEFAULT_LIVEBOARD_ID}], branch="main")
    assert run.state == DagRunState.FAILED
    assert dag_env.count(GIT_COMMIT_PATH) == 1
    assert task_state(run, "deploy") == TaskInstanceState.UPSTREAM_FAILED
    assert "ThoughtSpot may have received it, so it was not sent again" in task_errors.read_text()


def test_a_deploy_of_an_unknown_branch_fails_with_thoughtspots_message(
    dag_env: FakeThoughtSpot, task_errors: Path
) -> None:
    run = run_tml("ts_git_dry_run", branch="no-such-branch")
    assert run.state == DagRunState.FAILED
    assert "Branch no-such-branch does not exist" in task_errors.read_text()
    assert dag_env.count(GIT_DEPLOY_PATH) == 1


def test_a_commit_without_objects_fails_in_execute_naming_metadata(
    dag_env: FakeThoughtSpot, task_errors: Path
) -> None:
    run = run_tml("ts_git", metadata=[], branch="main")
    assert run.state == DagRunState.FAILED
    assert "Task 'commit', argument 'metadata'" in task_errors.read_text()
    assert dag_env.count(GIT_COMMIT_PATH) == 0
