"""The report, data export and TML operators' link and OpenLineage datasets, from real runs.

Each test runs one operator with `airflow dags test` and OpenLineage's file transport (test_lineage), then
reads both what the link shows (XCom ``thoughtspot_object``) and the events the operator reported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from airflow.models.dagrun import DagRun
from airflow.utils.session import create_session
from test_lineage import completed, datasets, run_with_openlineage
from test_operators_dag import XComModel
from test_tml_import_operator import GOOD

from airflow_provider_tssession.links import XCOM_KEY
from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import (
    DEFAULT_ANSWER_ID,
    DEFAULT_LIVEBOARD_ID,
    DEFAULT_MODEL_ID,
)


@pytest.fixture
def dag_env(airflow_db: Path, ts: FakeThoughtSpot) -> FakeThoughtSpot:
    return ts


def namespace(ts: FakeThoughtSpot) -> str:
    return f"thoughtspot://{ts.url.removeprefix('http://')}"


def latest_xcoms(dag_id: str, task_id: str) -> dict[str, Any]:
    """The XComs of the task in the DAG's latest run (the one `airflow dags test` just made)."""
    with create_session() as session:
        run = session.query(DagRun).filter(DagRun.dag_id == dag_id).order_by(DagRun.id.desc()).first()
        assert run is not None
        rows = session.query(XComModel).filter(XComModel.run_id == run.run_id, XComModel.task_id == task_id)
        return {x.key: x.value for x in rows}


def run_dataops_with_openlineage(tmp_path: Path, operator: str, **kwargs: Any) -> list[dict[str, Any]]:
    spec = json.dumps({"operator": operator, "kwargs": kwargs})
    return run_with_openlineage("ts_dataops", tmp_path / "events.jsonl", env={"TS_DATAOPS_SPEC": spec})


def test_a_report_links_its_liveboard_and_reports_it_read_and_the_file_written(
    dag_env: FakeThoughtSpot, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    events = run_dataops_with_openlineage(
        tmp_path, "report", metadata_identifier=DEFAULT_LIVEBOARD_ID, output_path=str(out)
    )
    xcoms = latest_xcoms("ts_dataops", "work")
    assert xcoms[XCOM_KEY]["url"] == f"{dag_env.url}/#/pinboard/{DEFAULT_LIVEBOARD_ID}"
    event = completed(events, "ts_dataops", "work")
    assert datasets(event, "inputs") == [(namespace(dag_env), f"liveboard/{DEFAULT_LIVEBOARD_ID}")]
    assert datasets(event, "outputs") == [("file", str(out / f"{DEFAULT_LIVEBOARD_ID}.pdf"))]


def test_a_report_of_an_object_given_by_name_has_no_link_but_its_file(
    dag_env: FakeThoughtSpot, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    events = run_dataops_with_openlineage(
        tmp_path, "report", metadata_identifier="Retail Overview", output_path=str(out)
    )
    assert XCOM_KEY not in latest_xcoms("ts_dataops", "work")
    event = completed(events, "ts_dataops", "work")
    assert datasets(event, "inputs") == []
    assert datasets(event, "outputs") == [("file", str(out / "Retail Overview.pdf"))]


def test_a_data_export_links_its_answer_and_reports_every_file(
    dag_env: FakeThoughtSpot, tmp_path: Path
) -> None:
    out = tmp_path / "data"
    events = run_dataops_with_openlineage(
        tmp_path, "data", metadata_identifier=DEFAULT_ANSWER_ID, metadata_type="ANSWER", output_path=str(out)
    )
    xcoms = latest_xcoms("ts_dataops", "work")
    assert xcoms[XCOM_KEY]["url"] == f"{dag_env.url}/#/saved-answer/{DEFAULT_ANSWER_ID}"
    event = completed(events, "ts_dataops", "work")
    assert datasets(event, "inputs") == [(namespace(dag_env), f"answer/{DEFAULT_ANSWER_ID}")]
    written = xcoms["return_value"]["uris"]
    assert written and datasets(event, "outputs") == [
        ("file", unquote(uri.removeprefix("file://"))) for uri in written
    ]


def test_a_tml_export_reads_each_object_and_writes_each_file(
    dag_env: FakeThoughtSpot, tmp_path: Path
) -> None:
    out = tmp_path / "tml"
    conf = {"output_path": str(out), "identifiers": [DEFAULT_LIVEBOARD_ID, DEFAULT_MODEL_ID]}
    events = run_with_openlineage("ts_tml_export_strict", tmp_path / "events.jsonl", "-c", json.dumps(conf))
    xcoms = latest_xcoms("ts_tml_export_strict", "export_tml")
    assert xcoms[XCOM_KEY]["url"] == f"{dag_env.url}/#/pinboard/{DEFAULT_LIVEBOARD_ID}"  # the first object
    event = completed(events, "ts_tml_export_strict", "export_tml")
    assert sorted(datasets(event, "inputs")) == sorted(
        [
            (namespace(dag_env), f"liveboard/{DEFAULT_LIVEBOARD_ID}"),
            (namespace(dag_env), f"logical_table/{DEFAULT_MODEL_ID}"),
        ]
    )
    files = xcoms["return_value"]["files"]
    assert len(files) == 2
    assert sorted(datasets(event, "outputs")) == sorted(
        ("file", unquote(uri.removeprefix("file://"))) for uri in files
    )


def test_a_tml_import_writes_the_objects_it_imported(dag_env: FakeThoughtSpot, tmp_path: Path) -> None:
    events = run_with_openlineage(
        "ts_tml_import_sync", tmp_path / "events.jsonl", "-c", json.dumps({"tmls": GOOD})
    )
    xcoms = latest_xcoms("ts_tml_import_sync", "import_tml")
    guids = [obj["guid"] for obj in xcoms["return_value"]["objects"]]
    assert len(guids) == 2
    assert xcoms[XCOM_KEY]["url"] == f"{dag_env.url}/#/saved-answer/{guids[0]}"
    event = completed(events, "ts_tml_import_sync", "import_tml")
    assert datasets(event, "inputs") == []
    assert datasets(event, "outputs") == [(namespace(dag_env), f"answer/{guid}") for guid in guids]
