"""Users and groups imports in real DAG runs: dry runs change nothing, the deletion guard, no re-sent import."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from airflow.utils.state import DagRunState
from dataops_runs import run_dataops, xcom_value
from storage_locations import location

from airflow_provider_tssession import storage
from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import user_object
from airflow_provider_tssession.testing.paths import GROUPS_IMPORT_PATH, USERS_IMPORT_PATH

MARIA = {"user_identifier": "maria", "display_name": "Maria", "email": "maria@example.com"}
ANALYST = {"user_identifier": "analyst", "display_name": "Analyst", "group_identifiers": ["Analysts"]}
LEAVERS = ["leaver1", "leaver2", "leaver3"]


@pytest.fixture
def dag_env(airflow_db: Path, ts: FakeThoughtSpot) -> FakeThoughtSpot:
    for name in LEAVERS:
        ts.add_object(user_object(name))
    return ts


def users(ts: FakeThoughtSpot) -> set[str]:
    return {obj.name for obj in ts.catalog.objects("USER")}


def imports(ts: FakeThoughtSpot, path: str = USERS_IMPORT_PATH) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in ts.requests if r.path == path]


def test_a_dry_run_reports_and_changes_nothing(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = users(dag_env)
    run = run_dataops(monkeypatch, "users", users=[MARIA, ANALYST], dry_run=True)
    assert run.state == DagRunState.SUCCESS
    assert xcom_value(run) == {"added": ["maria"], "updated": ["analyst"], "deleted": []}
    assert users(dag_env) == before
    (sent,) = imports(dag_env)
    assert sent["dry_run"] is True and sent["delete_unspecified_users"] is False


def test_applied_import_sends_dry_run_false_once(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_dataops(monkeypatch, "users", upstream=["users", [MARIA]], dry_run=False, login=True)
    assert run.state == DagRunState.SUCCESS
    assert xcom_value(run) == {"added": ["maria"], "updated": [], "deleted": []}
    assert "maria" in users(dag_env)
    assert [body["dry_run"] for body in imports(dag_env)] == [False]


def test_the_deletion_guard_stops_before_any_change(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = users(dag_env)
    run = run_dataops(
        monkeypatch, "users", users=[ANALYST], dry_run=False, delete_unspecified=True, max_deletions=2
    )
    assert run.state == DagRunState.FAILED
    assert users(dag_env) == before
    assert [body["dry_run"] for body in imports(dag_env)] == [True]  # only the rehearsal was sent
    out = capsys.readouterr().out
    assert "would delete 3 users (leaver1, leaver2, leaver3), more than max_deletions=2" in out
    assert "nothing was changed" in out


def test_deletions_within_the_limit_are_rehearsed_then_applied(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_dataops(
        monkeypatch, "users", users=[ANALYST], dry_run=False, delete_unspecified=True, max_deletions=3
    )
    assert run.state == DagRunState.SUCCESS
    assert xcom_value(run) == {"added": [], "updated": ["analyst"], "deleted": LEAVERS}
    assert [(b["dry_run"], b["delete_unspecified_users"]) for b in imports(dag_env)] == [
        (True, True),
        (False, True),
    ]
    assert not users(dag_env) & set(LEAVERS)
    assert {"tsadmin", "analyst"} <= users(dag_env)


def test_a_deleting_dry_run_rehearses_once_and_changes_nothing(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_dataops(
        monkeypatch, "users", users=[ANALYST], dry_run=True, delete_unspecified=True, max_deletions=5
    )
    assert run.state == DagRunState.SUCCESS
    assert xcom_value(run)["deleted"] == LEAVERS
    assert set(LEAVERS) <= users(dag_env)
    assert [b["dry_run"] for b in imports(dag_env)] == [True]


@pytest.mark.parametrize("fault", ["503", "drop"])
def test_an_applied_import_is_never_re_sent_after_it_may_have_landed(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    if fault == "503":
        dag_env.fail_next(USERS_IMPORT_PATH, 503)
    else:
        dag_env.drop_next(USERS_IMPORT_PATH)
    run = run_dataops(monkeypatch, "users", users=[MARIA], dry_run=False)
    assert run.state == DagRunState.FAILED
    assert dag_env.requests_per_route()[USERS_IMPORT_PATH] == 1
    out = capsys.readouterr().out
    assert "may have been received by ThoughtSpot" in out and "/api/rest/2.0/users/search" in out


def test_refused_before_acting_or_a_dry_run_is_retried(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    dag_env.fail_next(USERS_IMPORT_PATH, 429, retry_after="0")  # a refusal: ThoughtSpot did nothing
    run = run_dataops(monkeypatch, "users", users=[MARIA], dry_run=False)
    assert run.state == DagRunState.SUCCESS
    dag_env.fail_next(USERS_IMPORT_PATH, 503)  # a dry run changes nothing: safe to send again
    run = run_dataops(monkeypatch, "users", users=[MARIA], dry_run=True)
    assert run.state == DagRunState.SUCCESS
    assert [r.status for r in dag_env.requests if r.path == USERS_IMPORT_PATH] == [429, 200, 503, 200]


@pytest.mark.parametrize(("kind", "text"), [("local", "json"), ("file", "jsonl"), ("memory", "json")])
def test_rows_from_a_file(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str, text: str
) -> None:
    rows = [MARIA, ANALYST]
    content = json.dumps(rows) if text == "json" else "\n".join(json.dumps(row) for row in rows) + "\n"
    written = storage.write_chunks(
        storage.child(location(kind, tmp_path), f"people.{text}"), [content.encode()]
    )
    run = run_dataops(
        monkeypatch,
        "users",
        users=written.uri if kind != "local" else str(tmp_path / "out" / f"people.{text}"),
        dry_run=True,
    )
    assert run.state == DagRunState.SUCCESS
    assert xcom_value(run) == {"added": ["maria"], "updated": ["analyst"], "deleted": []}


def test_groups_dry_run_apply_and_deletion_guard(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    finance = {"group_identifier": "Finance", "display_name": "Finance", "user_identifiers": ["analyst"]}
    analysts = {"group_identifier": "Analysts", "display_name": "Analysts"}
    run = run_dataops(monkeypatch, "groups", groups=[finance], dry_run=True)
    assert xcom_value(run) == {"added": ["Finance"], "updated": [], "deleted": []}
    assert dag_env.catalog.get("Finance", "USER_GROUP") is None
    run = run_dataops(
        monkeypatch, "groups", groups=[finance], dry_run=False, delete_unspecified=True, max_deletions=0
    )
    assert run.state == DagRunState.FAILED  # it would delete Analysts
    assert dag_env.catalog.get("Analysts", "USER_GROUP") is not None
    run = run_dataops(
        monkeypatch,
        "groups",
        groups=[finance, analysts],
        dry_run=False,
        delete_unspecified=True,
        max_deletions=0,
    )
    assert run.state == DagRunState.SUCCESS
    assert xcom_value(run) == {"added": ["Finance"], "updated": ["Analysts"], "deleted": []}
    assert dag_env.catalog.get("Finance", "USER_GROUP") is not None
    assert [(b["dry_run"], b["delete_unspecified_groups"]) for b in imports(dag_env, GROUPS_IMPORT_PATH)] == [
        (True, False),
        (True, True),
        (True, True),
        (False, True),
    ]


def test_a_sync_never_deletes_the_connections_own_user(
    airflow_db: Path,
    ts: FakeThoughtSpot,
    use_connection: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ts.add_user("airflow-svc", "Svc-Pass-1")
    ts.add_object(user_object("airflow-svc"))
    use_connection(ts, login="airflow-svc", password="Svc-Pass-1")
    run = run_dataops(
        monkeypatch, "users", users=[ANALYST], dry_run=False, delete_unspecified=True, max_deletions=50
    )
    assert run.state == DagRunState.FAILED
    assert "would delete 'airflow-svc', the user this connection logs in as" in capsys.readouterr().out
    assert "airflow-svc" in users(ts)
    assert [b["dry_run"] for b in imports(ts)] == [True]
