"""ThoughtSpotMetadataSearchOperator in real DAG runs: every page, the {id, name, type} list, faults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from airflow.utils.state import DagRunState
from dataops_runs import run_dataops, xcom_value

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import MetadataObject, stable_guid
from airflow_provider_tssession.testing.paths import METADATA_SEARCH_PATH

ANSWERS = [f"Paging {n:02d}" for n in range(23)]
WANTED = [{"type": "ANSWER", "name_pattern": "Paging%"}]


@pytest.fixture
def dag_env(airflow_db: Path, ts: FakeThoughtSpot) -> FakeThoughtSpot:
    for name in ANSWERS:
        ts.add_object(MetadataObject("ANSWER", name))
    return ts


def sent_pages(ts: FakeThoughtSpot) -> list[tuple[int, int, int]]:
    """(record_offset, record_size, status) of every search request, in order."""
    return [
        (json.loads(r.body)["record_offset"], json.loads(r.body)["record_size"], r.status)
        for r in ts.requests
        if r.path == METADATA_SEARCH_PATH
    ]


def test_every_page_is_read_and_returned_as_id_name_type(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_dataops(
        monkeypatch,
        "metadata",
        metadata=WANTED,
        page_size=10,
        request_options={"sort_options": {"field_name": "NAME"}},
    )
    assert run.state == DagRunState.SUCCESS
    assert xcom_value(run) == [{"id": stable_guid("ANSWER", n), "name": n, "type": "ANSWER"} for n in ANSWERS]
    assert sent_pages(dag_env) == [(0, 10, 200), (10, 10, 200), (20, 10, 200)]
    body = json.loads(next(r.body for r in dag_env.requests if r.path == METADATA_SEARCH_PATH))
    assert body["metadata"] == WANTED and body["sort_options"] == {"field_name": "NAME"}


def test_a_503_mid_paging_resumes_at_the_failed_page(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    dag_env.delay_next(METADATA_SEARCH_PATH, 0, times=1)  # the first page passes...
    dag_env.fail_next(METADATA_SEARCH_PATH, 503)  # ...the second fails once
    run = run_dataops(monkeypatch, "metadata", metadata=WANTED, page_size=10, login=True)
    assert run.state == DagRunState.SUCCESS
    assert len(xcom_value(run)) == len(ANSWERS)
    assert sent_pages(dag_env) == [(0, 10, 200), (10, 10, 503), (10, 10, 200), (20, 10, 200)]
    assert (dag_env.logins, dag_env.logouts) == (1, 1)  # the login task's session, reused


def test_a_page_failing_every_time_fails_the_task(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    dag_env.fail_next(METADATA_SEARCH_PATH, 500, times=50)
    run = run_dataops(monkeypatch, "metadata", metadata=WANTED, page_size=10)
    assert run.state == DagRunState.FAILED
    assert xcom_value(run) is None
