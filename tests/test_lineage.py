"""OpenLineage: operators report ThoughtSpot objects and written files; read back from a file transport.

The DAG runs with `airflow dags test` in a subprocess, so the OpenLineage listener is set up from this
test's configuration alone (it reads its configuration once per process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_tssession.lineage import LineageDataset, file_dataset, thoughtspot_dataset
from airflow_provider_tssession.objects import ThoughtSpotObject
from airflow_provider_tssession.testing import FakeThoughtSpot

LIVEBOARD_GUID = "8f3c2a9e-5b1d-4c7e-9a60-2d4b8e1f7c35"
ANSWER_GUID = "1b7d4e2a-9c3f-4a8b-b6e1-5f0c2d9a7e44"


def run_with_openlineage(
    dag_id: str, events_file: Path, *args: str, env: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Run a test DAG (``airflow dags test`` with ``args``) with OpenLineage's file transport; return its events."""
    env = {
        **os.environ,
        **(env or {}),
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
            {"type": "file", "log_file_path": str(events_file), "append": True}
        ),
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "airflow-tests",
        "AIRFLOW__CORE__DAGS_FOLDER": str(Path(__file__).parent / "dags"),  # Airflow 2.11 (3 uses bundles)
    }
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "test", dag_id, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return [json.loads(line) for line in events_file.read_text().splitlines() if line.strip()]


def completed(events: list[dict[str, Any]], dag_id: str, task_id: str) -> dict[str, Any]:
    (event,) = [
        e for e in events if e["eventType"] == "COMPLETE" and e["job"]["name"] == f"{dag_id}.{task_id}"
    ]
    return event


def datasets(event: dict[str, Any], side: str) -> list[tuple[str, str]]:
    return [(d["namespace"], d["name"]) for d in event[side]]


def test_the_api_operator_reports_its_object_as_an_input(
    airflow_db: Path, ts: FakeThoughtSpot, tmp_path: Path
) -> None:
    events = run_with_openlineage("ts_object_link", tmp_path / "events.jsonl")
    namespace = f"thoughtspot://{ts.url.removeprefix('http://')}"
    liveboard = completed(events, "ts_object_link", "tag_liveboard")
    assert datasets(liveboard, "inputs") == [(namespace, f"liveboard/{LIVEBOARD_GUID}")]
    assert datasets(liveboard, "outputs") == []
    answer = completed(events, "ts_object_link", "tag_answer")
    assert datasets(answer, "inputs") == [(namespace, f"answer/{ANSWER_GUID}")]
    assert datasets(completed(events, "ts_object_link", "no_object"), "inputs") == []
    text = json.dumps(events)
    assert "ts-Secret-Pass" not in text and "JSESSIONID" not in text


def test_thoughtspot_datasets_match_the_asset_uri_of_the_same_object() -> None:
    """Catalogs that join lineage and assets see one object: the asset converter gives the same dataset."""
    from airflow_provider_tssession.assets import convert_asset_to_openlineage, thoughtspot_asset

    obj = ThoughtSpotObject.of("model", LIVEBOARD_GUID.upper())
    dataset = thoughtspot_dataset("https://My.Cluster:443", obj)
    assert dataset == LineageDataset("thoughtspot://my.cluster", f"logical_table/{LIVEBOARD_GUID}")
    converted = convert_asset_to_openlineage(thoughtspot_asset("my.cluster", "logical_table", LIVEBOARD_GUID))
    assert (converted.namespace, converted.name) == (dataset.namespace, dataset.name)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/data/out/report.pdf", ("file", "/data/out/report.pdf")),
        ("file:///data/out/report.pdf", ("file", "/data/out/report.pdf")),
        ("file:///data/out/Retail%20Overview.pdf", ("file", "/data/out/Retail Overview.pdf")),
        ("s3://bucket/exports/sales.csv", ("s3://bucket", "exports/sales.csv")),
    ],
)
def test_written_files_are_named_as_airflows_file_operators_name_them(
    path: str, expected: tuple[str, str]
) -> None:
    assert file_dataset(path) == LineageDataset(*expected)


def test_an_object_storage_path_is_named_by_its_uri() -> None:
    try:
        from airflow.sdk import ObjectStoragePath
    except ImportError:  # Airflow 2.11
        from airflow.io.path import ObjectStoragePath

    assert file_dataset(ObjectStoragePath("file:///data/out/report.pdf")) == LineageDataset(
        "file", "/data/out/report.pdf"
    )
    assert file_dataset(ObjectStoragePath("memory://bucket/exports/sales.csv")).name.endswith(
        "exports/sales.csv"
    )
