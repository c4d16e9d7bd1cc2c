"""The "ThoughtSpot" extra link: operators record the object, the link reads the record (dag.test())."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from airflow.utils.session import create_session
from airflow.utils.state import DagRunState, TaskInstanceState
from conftest import AIRFLOW_2
from test_operators_dag import FOLDERS, XComModel, run_dag

from airflow_provider_tssession._compat import DagBag
from airflow_provider_tssession.get_provider_info import get_provider_info
from airflow_provider_tssession.links import XCOM_KEY, ThoughtSpotObjectLink
from airflow_provider_tssession.testing import FakeThoughtSpot

LIVEBOARD_GUID = "8f3c2a9e-5b1d-4c7e-9a60-2d4b8e1f7c35"
ANSWER_GUID = "1b7d4e2a-9c3f-4a8b-b6e1-5f0c2d9a7e44"


@pytest.fixture
def dag_env(airflow_db: Path, ts: FakeThoughtSpot) -> FakeThoughtSpot:
    return ts


def xcoms(run: Any) -> dict[tuple[str, str], Any]:
    with create_session() as session:
        rows = session.query(XComModel).filter(XComModel.run_id == run.run_id).all()
        return {(x.task_id, x.key): x.value for x in rows}


def links(run: Any) -> dict[str, str]:
    """Each task's link as Airflow shows it: 3 computes it when the task ends, 2.11 when the UI asks."""
    if AIRFLOW_2:
        dag = DagBag(str(FOLDERS["tests"])).dags[run.dag_id]
        return {
            ti.task_id: dag.get_task(ti.task_id).get_extra_links(ti, "ThoughtSpot") or ""
            for ti in run.get_task_instances()
        }
    key = ThoughtSpotObjectLink().xcom_key
    return {task_id: value for (task_id, name), value in xcoms(run).items() if name == key}


def test_the_link_is_registered() -> None:
    assert "airflow_provider_tssession.links.ThoughtSpotObjectLink" in get_provider_info()["extra-links"]


def test_the_link_points_to_the_objects_page_on_the_connections_host(dag_env: FakeThoughtSpot) -> None:
    run = run_dag("ts_object_link", "tests")
    assert run.state == DagRunState.SUCCESS
    recorded = xcoms(run)
    assert recorded[("tag_liveboard", XCOM_KEY)] == {
        "type": "LIVEBOARD",
        "guid": LIVEBOARD_GUID,
        "url": f"{dag_env.url}/#/pinboard/{LIVEBOARD_GUID}",
    }
    assert links(run) == {
        "tag_liveboard": f"{dag_env.url}/#/pinboard/{LIVEBOARD_GUID}",
        "tag_answer": f"{dag_env.url}/#/saved-answer/{ANSWER_GUID}",  # a templated v1 type name
        "no_object": "",  # nothing recorded: the button stays greyed out
    }


def test_a_name_instead_of_a_guid_fails_before_anything_is_sent(dag_env: FakeThoughtSpot) -> None:
    run = run_dag("ts_object_by_name", "tests")
    (ti,) = run.get_task_instances()
    assert ti.state == TaskInstanceState.FAILED
    assert dag_env.logins == 0 and not dag_env.requests
