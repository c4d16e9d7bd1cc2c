"""ThoughtSpotTMLExportOperator in real DAG runs against the stand-in: files, paging, concurrency, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from airflow.utils.state import DagRunState, TaskInstanceState
from dataops_runs import xcom_value
from storage_locations import KINDS, location, read_bytes
from tml_runs import run_tml, task_state

from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import (
    DEFAULT_LIVEBOARD_ID,
    DEFAULT_MODEL_ID,
    DEFAULT_SINGLE_VIZ_LIVEBOARD_ID,
    MetadataObject,
)
from airflow_provider_tssession.testing.paths import METADATA_SEARCH_PATH, TML_EXPORT_PATH

LIVEBOARDS_AND_MODELS = [{"type": "LIVEBOARD"}, {"type": "LOGICAL_TABLE", "subtypes": ["WORKSHEET"]}]
MISSING = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def dag_env(airflow_db: Path, ts: FakeThoughtSpot) -> FakeThoughtSpot:
    return ts


def edoc(guid: str) -> str:
    """The TML ThoughtSpot exports for `guid` (YAML, with FQNs), asked for directly."""
    body = {"metadata": [{"identifier": guid}], "edoc_format": "YAML", "export_fqn": True}
    with ThoughtSpotHook() as hook:
        text: str = hook.request("POST", TML_EXPORT_PATH, json=body).json()[0]["edoc"]
    return text


def export_bodies(ts: FakeThoughtSpot) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in ts.requests if r.path == TML_EXPORT_PATH]


@pytest.mark.parametrize("kind", KINDS)
def test_every_liveboard_and_model_becomes_one_file_holding_its_edoc(
    dag_env: FakeThoughtSpot, tmp_path: Path, kind: str
) -> None:
    out = location(kind, tmp_path)
    run = run_tml("ts_tml_export_strict", output_path=out, metadata=LIVEBOARDS_AND_MODELS)
    assert run.state == DagRunState.SUCCESS
    result = xcom_value(run, "export_tml")
    expected = {DEFAULT_LIVEBOARD_ID: "liveboard", DEFAULT_SINGLE_VIZ_LIVEBOARD_ID: "liveboard"}
    expected[DEFAULT_MODEL_ID] = "model"
    names = sorted(uri.rsplit("/", 1)[1] for uri in result["files"])
    assert names == sorted(f"{guid}.{kind}.tml" for guid, kind in expected.items())
    assert result["exported"] == 3 and result["failed"] == []
    assert result["output_path"].rstrip("/").endswith("out")
    for uri in result["files"]:
        guid = uri.rsplit("/", 1)[1].split(".")[0]
        assert read_bytes(uri) == edoc(guid).encode("utf-8")  # the edoc exactly
    for body in export_bodies(dag_env):  # always sent, since ThoughtSpot's defaults differ
        assert (body["edoc_format"], body["export_fqn"]) == ("YAML", True)
    assert "guid:" not in json.dumps(result)  # XCom names files, never holds TML


def test_search_is_paged_and_never_asks_for_everything_at_once(
    dag_env: FakeThoughtSpot, tmp_path: Path
) -> None:
    for n in range(105):
        dag_env.add_object(MetadataObject("LIVEBOARD", f"Board {n:03d}"))
    run = run_tml("ts_tml_export_strict", output_path=str(tmp_path), metadata=[{"type": "LIVEBOARD"}])
    assert run.state == DagRunState.SUCCESS
    assert xcom_value(run, "export_tml")["exported"] == 107
    pages = [json.loads(r.body) for r in dag_env.requests if r.path == METADATA_SEARCH_PATH]
    assert [(p["record_offset"], p["record_size"]) for p in pages] == [(0, 100), (100, 100)]
    assert len(list(tmp_path.glob("*.liveboard.tml"))) == 107


@pytest.mark.parametrize(
    ("dag_id", "limit"), [("ts_tml_export_strict", 4), ("ts_tml_export_one_at_a_time", 1)]
)
def test_no_more_exports_in_flight_than_max_concurrency(
    dag_env: FakeThoughtSpot, tmp_path: Path, dag_id: str, limit: int
) -> None:
    guids = [dag_env.add_object(MetadataObject("ANSWER", f"Slow {n}")).guid for n in range(8)]
    dag_env.delay_next(TML_EXPORT_PATH, 0.3, times=8)  # slow answers, so parallel exports overlap
    run = run_tml(dag_id, output_path=str(tmp_path), identifiers=guids)
    assert run.state == DagRunState.SUCCESS
    assert 1 <= dag_env.stats()["max_in_flight"] <= limit
    assert len(list(tmp_path.glob("*.answer.tml"))) == 8


def test_a_failed_object_fails_the_task_after_every_other_file_is_written(
    dag_env: FakeThoughtSpot, tmp_path: Path, task_errors: Path
) -> None:
    broken = dag_env.add_object(
        MetadataObject("LIVEBOARD", "Broken board", export_error="Visualization 3 is corrupt")
    )
    guids = [DEFAULT_LIVEBOARD_ID, broken.guid, MISSING, DEFAULT_MODEL_ID]
    run = run_tml("ts_tml_export_strict", output_path=str(tmp_path), identifiers=guids)
    assert run.state == DagRunState.FAILED
    assert task_state(run, "export_tml") == TaskInstanceState.FAILED
    assert sorted(p.name.split(".")[0] for p in tmp_path.glob("*.tml")) == sorted(
        [DEFAULT_LIVEBOARD_ID, DEFAULT_MODEL_ID]
    )
    out = task_errors.read_text()
    assert "2 of 4 object(s) could not be exported" in out
    assert f"Broken board ({broken.guid}): Visualization 3 is corrupt" in out
    assert MISSING in out and "not found" in out


def test_fail_on_error_false_only_warns_and_lists_the_failures(
    dag_env: FakeThoughtSpot, tmp_path: Path
) -> None:
    broken = dag_env.add_object(MetadataObject("ANSWER", "Broken answer", export_error="No access"))
    run = run_tml(
        "ts_tml_export_lenient", output_path=str(tmp_path), identifiers=[DEFAULT_LIVEBOARD_ID, broken.guid]
    )
    assert run.state == DagRunState.SUCCESS
    result = xcom_value(run, "export_tml")
    assert result["exported"] == 1
    assert result["failed"] == [{"identifier": broken.guid, "name": "Broken answer", "error": "No access"}]


def test_a_503_on_an_export_is_retried_and_a_429_on_search_too(
    dag_env: FakeThoughtSpot, tmp_path: Path
) -> None:
    dag_env.fail_next(METADATA_SEARCH_PATH, 429, retry_after="0")
    dag_env.fail_next(TML_EXPORT_PATH, 503)
    run = run_tml("ts_tml_export_strict", output_path=str(tmp_path), metadata=[{"type": "LIVEBOARD"}])
    assert run.state == DagRunState.SUCCESS
    assert xcom_value(run, "export_tml")["exported"] == 2
    assert dag_env.count(METADATA_SEARCH_PATH) == 2
    assert dag_env.count(TML_EXPORT_PATH) == 3  # two objects, one export sent twice


@pytest.mark.parametrize(
    ("conf", "named"),
    [
        ({"identifiers": [DEFAULT_LIVEBOARD_ID], "metadata": [{"type": "LIVEBOARD"}]}, "'identifiers'"),
        ({}, "'identifiers'"),
        ({"metadata": "LIVEBOARD"}, "'metadata'"),
    ],
)
def test_bad_arguments_fail_in_execute_naming_the_argument(
    dag_env: FakeThoughtSpot,
    tmp_path: Path,
    task_errors: Path,
    conf: dict[str, Any],
    named: str,
) -> None:
    run = run_tml("ts_tml_export_strict", output_path=str(tmp_path), **conf)
    assert run.state == DagRunState.FAILED
    assert f"Task 'export_tml', argument {named}" in task_errors.read_text()
    assert dag_env.count(TML_EXPORT_PATH) == 0
