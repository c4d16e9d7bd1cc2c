"""ThoughtSpotReportOperator in real DAG runs: byte-exact files per format, the ZIP case, downloads retried."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from airflow.utils.state import DagRunState
from dataops_runs import run_dataops, xcom_value
from standin_v2 import V2Client
from storage_locations import KINDS, location, read_bytes

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import (
    DEFAULT_ANSWER_ID,
    DEFAULT_LIVEBOARD_ID,
    DEFAULT_SINGLE_VIZ_LIVEBOARD_ID,
)
from airflow_provider_tssession.testing.paths import REPORT_ANSWER_PATH, REPORT_LIVEBOARD_PATH

MAGIC = {"pdf": b"%PDF", "png": b"\x89PNG", "xlsx": b"PK\x03\x04", "zip": b"PK\x03\x04"}


@pytest.fixture
def dag_env(airflow_db: Path, ts: FakeThoughtSpot) -> FakeThoughtSpot:
    return ts


def route_answer(client: V2Client, path: str, body: dict[str, object]) -> bytes:
    """What the route answers a plain HTTP client: the oracle for the files the operator writes."""
    answer = client.post(path, body)
    assert answer.status_code == 200, answer.text[:300]
    return answer.content


@pytest.mark.parametrize(
    ("metadata_type", "identifier", "file_format", "ext", "content_type"),
    [
        ("LIVEBOARD", DEFAULT_LIVEBOARD_ID, None, "pdf", "application/pdf"),
        ("LIVEBOARD", DEFAULT_LIVEBOARD_ID, "PNG", "png", "image/png"),
        (
            "LIVEBOARD",
            DEFAULT_LIVEBOARD_ID,
            "XLSX",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("LIVEBOARD", DEFAULT_LIVEBOARD_ID, "CSV", "zip", "application/zip"),
        ("LIVEBOARD", DEFAULT_SINGLE_VIZ_LIVEBOARD_ID, "CSV", "csv", "text/csv"),
        ("ANSWER", DEFAULT_ANSWER_ID, None, "csv", "text/csv"),
        ("ANSWER", DEFAULT_ANSWER_ID, "PDF", "pdf", "application/pdf"),
        (
            "ANSWER",
            DEFAULT_ANSWER_ID,
            "XLSX",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_every_format_is_saved_byte_exact_with_the_right_extension(
    dag_env: FakeThoughtSpot,
    v2_client: V2Client,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    metadata_type: str,
    identifier: str,
    file_format: str | None,
    ext: str,
    content_type: str,
) -> None:
    kwargs = {} if file_format is None else {"file_format": file_format}
    run = run_dataops(
        monkeypatch,
        "report",
        metadata_identifier=identifier,
        metadata_type=metadata_type,
        output_path=str(tmp_path),
        **kwargs,
    )
    assert run.state == DagRunState.SUCCESS
    path = REPORT_LIVEBOARD_PATH if metadata_type == "LIVEBOARD" else REPORT_ANSWER_PATH
    sent = json.loads(next(r.body for r in dag_env.requests if r.path == path))
    expected_format = file_format or ("PDF" if metadata_type == "LIVEBOARD" else "CSV")
    assert sent == {"metadata_identifier": identifier, "file_format": expected_format}  # always sent
    expected = route_answer(v2_client, path, sent)
    saved = tmp_path / f"{identifier}.{ext}"
    assert saved.read_bytes() == expected
    assert expected.startswith(MAGIC.get(ext, b""))
    assert xcom_value(run) == {"uri": saved.as_uri(), "bytes": len(expected), "content_type": content_type}


def test_a_liveboard_csv_of_several_visualizations_is_a_zip_of_csvs(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run = run_dataops(
        monkeypatch,
        "report",
        metadata_identifier=DEFAULT_LIVEBOARD_ID,
        file_format="CSV",
        file_name="overview",
        output_path=str(tmp_path),
    )
    assert run.state == DagRunState.SUCCESS
    with zipfile.ZipFile(io.BytesIO((tmp_path / "overview.zip").read_bytes())) as archive:
        assert sorted(archive.namelist()) == ["Monthly Sales.csv", "Sales by Region.csv"]
    assert not (tmp_path / "overview.csv").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_a_download_dropped_mid_body_is_retried_from_the_start(
    dag_env: FakeThoughtSpot, v2_client: V2Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str
) -> None:
    dag_env.report_bytes = 3 * 1024 * 1024  # several chunks, so the cut comes after bytes were written
    expected = route_answer(
        v2_client, REPORT_LIVEBOARD_PATH, {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "file_format": "PDF"}
    )
    dag_env.truncate_next(REPORT_LIVEBOARD_PATH)
    out = location(kind, tmp_path)
    run = run_dataops(
        monkeypatch, "report", metadata_identifier=DEFAULT_LIVEBOARD_ID, output_path=out, login=True
    )
    assert run.state == DagRunState.SUCCESS
    result = xcom_value(run)
    assert read_bytes(result["uri"]) == expected  # started over: no bytes of the cut attempt appended
    assert result["bytes"] == len(expected)
    assert [r.status for r in dag_env.requests if r.path == REPORT_LIVEBOARD_PATH][-2:] == [200, 200]


@pytest.mark.parametrize("fault", ["drop", "503", "slow_headers"])
def test_a_transient_failure_before_the_body_is_retried(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fault: str
) -> None:
    if fault == "drop":
        dag_env.drop_next(REPORT_ANSWER_PATH)
    elif fault == "503":
        dag_env.fail_next(REPORT_ANSWER_PATH, 503, retry_after="0")
    else:
        dag_env.delay_next(REPORT_ANSWER_PATH, 6)  # past the connection's 5 s timeout
    run = run_dataops(
        monkeypatch,
        "report",
        metadata_identifier=DEFAULT_ANSWER_ID,
        metadata_type="ANSWER",
        output_path=str(tmp_path),
    )
    assert run.state == DagRunState.SUCCESS
    assert dag_env.requests_per_route()[REPORT_ANSWER_PATH] == 2  # counted on arrival (a delayed one too)
    assert xcom_value(run)["bytes"] == (tmp_path / f"{DEFAULT_ANSWER_ID}.csv").stat().st_size > 0


def test_an_unknown_liveboard_fails_the_task_with_thoughtspots_message(
    dag_env: FakeThoughtSpot,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = run_dataops(monkeypatch, "report", metadata_identifier="No such board", output_path=str(tmp_path))
    assert run.state == DagRunState.FAILED
    assert "No such board" in capsys.readouterr().out
    assert dag_env.count(REPORT_LIVEBOARD_PATH) == 1  # a 400 is not retried
    assert list(tmp_path.iterdir()) == []
