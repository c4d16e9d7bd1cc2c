"""Reports and data on the stand-in: real file signatures, ZIP for multi-visualization CSV, paged rows."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import TYPE_CHECKING, Any

import pytest
from standin_v2 import V2Client, error_message

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import (
    DEFAULT_ANSWER_ID,
    DEFAULT_LIVEBOARD_ID,
    DEFAULT_SINGLE_VIZ_LIVEBOARD_ID,
    DEFAULT_TABLE_ID,
    DEFAULT_VIZ_IDS,
    MetadataObject,
)
from airflow_provider_tssession.testing.datasets import DataSet
from airflow_provider_tssession.testing.paths import (
    ANSWER_DATA_PATH,
    LIVEBOARD_DATA_PATH,
    REPORT_ANSWER_PATH,
    REPORT_LIVEBOARD_PATH,
    SEARCH_DATA_PATH,
)

if TYPE_CHECKING:
    pass


def report(v2_client: V2Client, path: str, body: dict[str, Any]) -> bytes:
    answer = v2_client.post(path, body, headers={"Accept": "application/octet-stream"})
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["Content-Type"] == "application/octet-stream"
    return answer.content


def rows_of(text: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.decode())))


def test_liveboard_reports_carry_real_signatures(v2_client: V2Client) -> None:
    pdf = report(
        v2_client, REPORT_LIVEBOARD_PATH, {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "file_format": "PDF"}
    )
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    png = report(
        v2_client, REPORT_LIVEBOARD_PATH, {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "file_format": "PNG"}
    )
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    xlsx = report(
        v2_client, REPORT_LIVEBOARD_PATH, {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "file_format": "XLSX"}
    )
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        workbook = book.read("xl/workbook.xml").decode()
        assert "Sales by Region" in workbook and "Monthly Sales" in workbook
        assert sorted(n for n in book.namelist() if n.startswith("xl/worksheets/")) == [
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet2.xml",
        ]


def test_liveboard_csv_is_a_zip_of_one_csv_per_visualization_and_plain_for_one(v2_client: V2Client) -> None:
    packed = report(
        v2_client, REPORT_LIVEBOARD_PATH, {"metadata_identifier": DEFAULT_LIVEBOARD_ID}
    )  # CSV by default
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        assert sorted(archive.namelist()) == ["Monthly Sales.csv", "Sales by Region.csv"]
        monthly = rows_of(archive.read("Monthly Sales.csv"))
    assert monthly[0] == ["Month", "Sales"] and len(monthly) == 13
    one = report(
        v2_client,
        REPORT_LIVEBOARD_PATH,
        {
            "metadata_identifier": DEFAULT_LIVEBOARD_ID,
            "visualization_identifiers": [DEFAULT_VIZ_IDS[0]],
            "file_format": "CSV",
        },
    )
    assert rows_of(one)[0] == ["Region", "Sales"]
    single = report(
        v2_client,
        REPORT_LIVEBOARD_PATH,
        {"metadata_identifier": DEFAULT_SINGLE_VIZ_LIVEBOARD_ID, "file_format": "CSV"},
    )
    assert rows_of(single)[0] == ["Store", "Sales"] and len(rows_of(single)) == 51


def test_answer_report_is_csv_by_default_and_every_format_works(v2_client: V2Client) -> None:
    table = rows_of(report(v2_client, REPORT_ANSWER_PATH, {"metadata_identifier": DEFAULT_ANSWER_ID}))
    assert table[0] == ["Region", "Sales"] and len(table) == 6
    for file_format, magic in (("PDF", b"%PDF-"), ("PNG", b"\x89PNG"), ("XLSX", b"PK\x03\x04")):
        assert report(
            v2_client,
            REPORT_ANSWER_PATH,
            {"metadata_identifier": DEFAULT_ANSWER_ID, "file_format": file_format},
        ).startswith(magic)


def test_a_big_report_streams_in_chunks(v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot) -> None:
    fake_thoughtspot.report_bytes = 20 * 1024 * 1024 + 7
    answer = v2_client.post(
        REPORT_LIVEBOARD_PATH,
        {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "file_format": "PDF"},
        stream=True,
    )
    assert answer.status_code == 200 and answer.headers["Content-Length"] == str(
        fake_thoughtspot.report_bytes
    )
    size, first, last = 0, b"", b""
    for chunk in answer.iter_content(256 * 1024):
        first = first or chunk
        size, last = size + len(chunk), (last + chunk)[-16:]
    assert size == fake_thoughtspot.report_bytes and first.startswith(b"%PDF-") and last.endswith(b"%%EOF\n")


def test_report_errors_are_json_naming_the_field(v2_client: V2Client) -> None:
    unknown = v2_client.post(REPORT_LIVEBOARD_PATH, {"metadata_identifier": "nope"})
    assert unknown.status_code == 400 and "metadata_identifier" in error_message(unknown)
    assert unknown.headers["Content-Type"] == "application/json"
    wrong_viz = v2_client.post(
        REPORT_LIVEBOARD_PATH,
        {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "visualization_identifiers": ["x"]},
    )
    assert wrong_viz.status_code == 400 and "Visualization x" in error_message(wrong_viz)
    bad_format = v2_client.post(
        REPORT_ANSWER_PATH, {"metadata_identifier": DEFAULT_ANSWER_ID, "file_format": "DOCX"}
    )
    assert bad_format.status_code == 400 and "file_format" in error_message(bad_format)


# data --------------------------------------------------------------------------------------------------
def page_through(
    v2_client: V2Client, path: str, body: dict[str, Any], size: int
) -> tuple[list[Any], dict[str, Any]]:
    rows: list[Any] = []
    offset = 0
    while True:
        answer = v2_client.ok(path, {**body, "record_offset": offset, "record_size": size})
        [content] = answer["contents"]
        rows += content["data_rows"]
        offset += content["returned_data_row_count"]
        if offset >= content["available_data_row_count"] or not content["returned_data_row_count"]:
            return rows, content


def test_answer_data_pages_until_available_and_is_deterministic(
    v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot
) -> None:
    fake_thoughtspot.add_object(
        MetadataObject("ANSWER", "Mid-size", data=DataSet.generated(["Store", "Revenue"], 2345))
    )
    rows, last = page_through(v2_client, ANSWER_DATA_PATH, {"metadata_identifier": "Mid-size"}, 1000)
    assert (
        len(rows) == 2345 and last["sampling_ratio"] == 1.0 and last["column_names"] == ["Store", "Revenue"]
    )
    again, _ = page_through(v2_client, ANSWER_DATA_PATH, {"metadata_identifier": "Mid-size"}, 700)
    assert again == rows and rows[0] == ["Store 1", rows[0][1]] and isinstance(rows[0][1], float)
    default = v2_client.ok(ANSWER_DATA_PATH, {"metadata_identifier": DEFAULT_ANSWER_ID})["contents"][0]
    assert default["returned_data_row_count"] == 5 and default["record_size"] == 10


def test_a_million_rows_stop_at_the_cap_unless_a_test_raises_it(
    v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot
) -> None:
    fake_thoughtspot.add_object(
        MetadataObject("ANSWER", "Huge", data=DataSet.generated(["Id", "Amount"], 1_000_000))
    )
    capped = v2_client.ok(
        ANSWER_DATA_PATH, {"metadata_identifier": "Huge", "record_offset": 99_990, "record_size": 50}
    )
    [content] = capped["contents"]
    assert content["available_data_row_count"] == 100_000 and content["returned_data_row_count"] == 10
    assert content["sampling_ratio"] == pytest.approx(0.1)
    fake_thoughtspot.data_row_cap = 2_000_000
    tail = v2_client.ok(
        ANSWER_DATA_PATH, {"metadata_identifier": "Huge", "record_offset": 999_990, "record_size": 50}
    )
    [content] = tail["contents"]
    assert content["available_data_row_count"] == 1_000_000 and content["returned_data_row_count"] == 10
    assert content["data_rows"][-1][0] == "Id 1000000" and content["sampling_ratio"] == 1.0


def test_full_rows_are_objects_compact_rows_are_arrays(v2_client: V2Client) -> None:
    body = {"metadata_identifier": DEFAULT_ANSWER_ID, "record_size": 2}
    compact = v2_client.ok(ANSWER_DATA_PATH, body)["contents"][0]["data_rows"]
    full = v2_client.ok(ANSWER_DATA_PATH, {**body, "data_format": "FULL"})["contents"][0]["data_rows"]
    assert full == [{"Region": row[0], "Sales": row[1]} for row in compact]


def test_liveboard_data_has_one_content_per_visualization(v2_client: V2Client) -> None:
    answer = v2_client.ok(
        LIVEBOARD_DATA_PATH, {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "record_size": -1}
    )
    assert [c["visualization_id"] for c in answer["contents"]] == list(DEFAULT_VIZ_IDS)
    assert [c["returned_data_row_count"] for c in answer["contents"]] == [5, 12]
    one = v2_client.ok(
        LIVEBOARD_DATA_PATH,
        {"metadata_identifier": "Retail Overview", "visualization_identifiers": ["Monthly Sales"]},
    )
    assert [c["visualization_name"] for c in one["contents"]] == ["Monthly Sales"]


def test_searchdata_answers_column_tokens_of_a_table(v2_client: V2Client) -> None:
    rows, last = page_through(
        v2_client,
        SEARCH_DATA_PATH,
        {"query_string": "[Region] [Sales]", "logical_table_identifier": DEFAULT_TABLE_ID},
        400,
    )
    assert last["column_names"] == ["Region", "Sales"] and len(rows) == 1000
    unknown = v2_client.post(
        SEARCH_DATA_PATH, {"query_string": "[Region] [Colour]", "logical_table_identifier": DEFAULT_TABLE_ID}
    )
    assert unknown.status_code == 400 and "[Colour]" in error_message(unknown)
    missing = v2_client.post(SEARCH_DATA_PATH, {"query_string": "[Region]"})
    assert missing.status_code == 400 and "logical_table_identifier" in error_message(missing)
