"""ThoughtSpotDataExportOperator in real DAG runs: byte-exact files, every page in order, faults, partials."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from airflow.utils.state import DagRunState
from dataops_runs import run_dataops, xcom_value
from storage_locations import KINDS, location, read_bytes

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import (
    DEFAULT_ANSWER_ID,
    DEFAULT_LIVEBOARD_ID,
    DEFAULT_MODEL_ID,
    DEFAULT_VIZ_IDS,
    MetadataObject,
)
from airflow_provider_tssession.testing.datasets import DataSet
from airflow_provider_tssession.testing.paths import ANSWER_DATA_PATH, LIVEBOARD_DATA_PATH, SEARCH_DATA_PATH

BIG_ROWS = 250_000


@pytest.fixture
def dag_env(airflow_db: Path, ts: FakeThoughtSpot) -> FakeThoughtSpot:
    return ts


def data_of(ts: FakeThoughtSpot, identifier: str, kind: str = "ANSWER") -> DataSet:
    obj = ts.catalog.get(identifier, kind)
    assert obj is not None and obj.data is not None
    return obj.data


def csv_of(data: DataSet) -> bytes:
    """The stand-in's own CSV of a data set (header, RFC 4180, CRLF): the oracle for our CSV files."""
    return b"".join(data.csv_chunks())


def jsonl_of(data: DataSet) -> bytes:
    rows = data.rows(0, data.row_count)
    return "".join(
        json.dumps(dict(zip(data.columns, r, strict=True)), ensure_ascii=False) + "\n" for r in rows
    ).encode()


def pages_sent(ts: FakeThoughtSpot, path: str) -> list[tuple[int, int, int]]:
    return [
        (json.loads(r.body)["record_offset"], json.loads(r.body)["record_size"], r.status)
        for r in ts.requests
        if r.path == path
    ]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_an_answers_rows_are_byte_exact(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str, file_format: str
) -> None:
    out = location(kind, tmp_path)
    run = run_dataops(
        monkeypatch,
        "data",
        output_path=out,
        metadata_identifier=DEFAULT_ANSWER_ID,
        file_format=file_format,
        page_size=2,
    )
    assert run.state == DagRunState.SUCCESS
    result = xcom_value(run)
    data = data_of(dag_env, DEFAULT_ANSWER_ID)
    name = f"{DEFAULT_ANSWER_ID}.{file_format}"
    assert result == {"uris": [result["uris"][0]], "row_count": data.row_count, "sampling_ratio": 1.0}
    if kind == "memory":  # Airflow 2.11 spells it memory:///<bucket>/..., Airflow 3 memory://<bucket>/...
        assert result["uris"][0].startswith("memory://") and result["uris"][0].endswith(f"{out[9:]}/{name}")
    else:
        assert result["uris"][0] == (tmp_path / "out" / name).as_uri()
    assert read_bytes(result["uris"][0]) == (csv_of(data) if file_format == "csv" else jsonl_of(data))
    assert pages_sent(dag_env, ANSWER_DATA_PATH) == [(0, 2, 200), (2, 2, 200), (4, 2, 200)]


def test_parquet_holds_the_same_rows_and_types(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run = run_dataops(
        monkeypatch,
        "data",
        output_path=str(tmp_path),
        metadata_identifier=DEFAULT_ANSWER_ID,
        file_format="parquet",
        page_size=2,
    )
    assert run.state == DagRunState.SUCCESS
    data = data_of(dag_env, DEFAULT_ANSWER_ID)
    table = pq.read_table(tmp_path / f"{DEFAULT_ANSWER_ID}.parquet")
    assert table.column_names == list(data.columns)
    assert [list(row.values()) for row in table.to_pylist()] == data.rows(0, data.row_count)


def test_250000_rows_arrive_in_order_across_pages_and_a_503_mid_paging_resumes_there(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dag_env.data_row_cap = 1_000_000
    big = DataSet.generated(["Date", "Region", "Store", "Sales"], BIG_ROWS)
    answer = dag_env.add_object(MetadataObject("ANSWER", "Big answer", data=big))
    dag_env.delay_next(ANSWER_DATA_PATH, 0, times=12)  # twelve pages pass, the thirteenth fails once
    dag_env.fail_next(ANSWER_DATA_PATH, 503)
    run = run_dataops(
        monkeypatch,
        "data",
        output_path=str(tmp_path),
        metadata_identifier=answer.guid,
        page_size=10_000,
        login=True,
    )
    assert run.state == DagRunState.SUCCESS
    assert xcom_value(run)["row_count"] == BIG_ROWS
    assert (tmp_path / f"{answer.guid}.csv").read_bytes() == csv_of(big)
    offsets = [n * 10_000 for n in range(25)]
    assert pages_sent(dag_env, ANSWER_DATA_PATH) == [(o, 10_000, 200) for o in offsets[:12]] + [
        (120_000, 10_000, 503)
    ] + [(o, 10_000, 200) for o in offsets[12:]]  # no empty page asked for after available_data_row_count


def test_max_rows_per_file_splits_in_order(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = DataSet.generated(["Region", "Sales"], 25)
    answer = dag_env.add_object(MetadataObject("ANSWER", "Split me", data=data))
    run = run_dataops(
        monkeypatch,
        "data",
        output_path=str(tmp_path),
        metadata_identifier=answer.guid,
        file_name="split",
        page_size=7,
        max_rows_per_file=10,
    )
    assert run.state == DagRunState.SUCCESS
    uris = xcom_value(run)["uris"]
    assert [u.rsplit("/", 1)[-1] for u in uris] == ["split_00000.csv", "split_00001.csv", "split_00002.csv"]
    parts = [(tmp_path / u.rsplit("/", 1)[-1]).read_bytes().split(b"\r\n", 1) for u in uris]
    header = csv_of(data).split(b"\r\n", 1)[0]
    assert all(part[0] == header for part in parts)
    assert header + b"\r\n" + b"".join(part[1] for part in parts) == csv_of(data)


def test_a_search_and_a_liveboard_visualization(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run = run_dataops(
        monkeypatch,
        "data",
        output_path=str(tmp_path),
        query_string="[Region] [Sales]",
        logical_table_identifier=DEFAULT_MODEL_ID,
        file_format="jsonl",
        page_size=400,
    )
    assert run.state == DagRunState.SUCCESS
    model = data_of(dag_env, DEFAULT_MODEL_ID, "LOGICAL_TABLE").project(["Region", "Sales"])
    assert (tmp_path / "searchdata.jsonl").read_bytes() == jsonl_of(model)
    assert [p[0] for p in pages_sent(dag_env, SEARCH_DATA_PATH)] == [0, 400, 800]

    run = run_dataops(
        monkeypatch,
        "data",
        output_path=str(tmp_path),
        metadata_identifier=DEFAULT_LIVEBOARD_ID,
        metadata_type="LIVEBOARD",
        visualization_identifier=DEFAULT_VIZ_IDS[1],
        file_name="monthly",
        request_options={"data_format": "FULL"},
    )
    assert run.state == DagRunState.SUCCESS
    liveboard = dag_env.catalog.get(DEFAULT_LIVEBOARD_ID, "LIVEBOARD")
    assert liveboard is not None
    monthly = liveboard.visualizations[1].data
    assert monthly is not None
    assert (tmp_path / "monthly.csv").read_bytes() == csv_of(monthly)  # FULL rows (objects) write as COMPACT
    body = json.loads(next(r for r in dag_env.requests if r.path == LIVEBOARD_DATA_PATH).body)
    assert body["visualization_identifiers"] == [DEFAULT_VIZ_IDS[1]] and body["data_format"] == "FULL"


@pytest.mark.parametrize("allow_partial", [True, False])
def test_a_result_cut_at_the_row_cap_warns_or_fails(
    dag_env: FakeThoughtSpot,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    allow_partial: bool,
) -> None:
    dag_env.data_row_cap = 40
    answer = dag_env.add_object(
        MetadataObject("ANSWER", "Too big", data=DataSet.generated(["Region", "Sales"], 50))
    )
    run = run_dataops(
        monkeypatch,
        "data",
        output_path=str(tmp_path),
        metadata_identifier=answer.guid,
        page_size=15,
        allow_partial=allow_partial,
    )
    out = capsys.readouterr().out
    assert "sampling_ratio 0.8" in out and "Fix: export in parts under the cap" in out
    if allow_partial:
        assert run.state == DagRunState.SUCCESS
        assert xcom_value(run) == {
            "uris": [(tmp_path / f"{answer.guid}.csv").as_uri()],
            "row_count": 40,
            "sampling_ratio": 0.8,
        }
    else:
        assert run.state == DagRunState.FAILED
        assert "allow_partial=True" in out


@pytest.mark.parametrize("fault", ["drop", "truncate", "503"])
def test_a_fault_on_a_page_costs_that_page_once(
    dag_env: FakeThoughtSpot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fault: str
) -> None:
    dag_env.delay_next(ANSWER_DATA_PATH, 0, times=1)
    {
        "drop": dag_env.drop_next,
        "truncate": dag_env.truncate_next,
        "503": lambda path: dag_env.fail_next(path, 503),
    }[fault](ANSWER_DATA_PATH)
    run = run_dataops(
        monkeypatch, "data", output_path=str(tmp_path), metadata_identifier=DEFAULT_ANSWER_ID, page_size=2
    )
    assert run.state == DagRunState.SUCCESS
    assert (tmp_path / f"{DEFAULT_ANSWER_ID}.csv").read_bytes() == csv_of(data_of(dag_env, DEFAULT_ANSWER_ID))
    assert [p[0] for p in pages_sent(dag_env, ANSWER_DATA_PATH)] == [0, 2, 2, 4]
