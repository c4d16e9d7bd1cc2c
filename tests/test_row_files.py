"""row_files.py: byte-exact CSV and JSON Lines, Parquet read back, splitting, empty results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from storage_locations import KINDS, location, read_bytes

from airflow_provider_tssession.row_files import WRITE_SLICE, RowFiles

COLUMNS = ["Region", "Sales", "Note"]
ROWS: list[list[Any]] = [
    ["West", 10, None],
    ['Zoë, "the" East', 2.5, True],
    ["North\nline", -3, {"k": [1, 2]}],
]


def write(base: str, file_format: str, pages: list[list[list[Any]]], **kwargs: Any) -> RowFiles:
    with RowFiles(base, "sales", file_format, COLUMNS, **kwargs) as files:
        for page in pages:
            files.write(page)
    return files


@pytest.mark.parametrize("kind", KINDS)
def test_csv_is_byte_exact_rfc4180_with_a_header(kind: str, tmp_path: Path) -> None:
    files = write(location(kind, tmp_path), "csv", [ROWS[:2], ROWS[2:]])
    assert files.row_count == 3
    (uri,) = files.uris
    assert uri.endswith("/sales.csv")
    assert (
        read_bytes(uri)
        == (
            'Region,Sales,Note\r\nWest,10,\r\n"Zoë, ""the"" East",2.5,true\r\n"North\nline",-3,"{""k"":[1,2]}"\r\n'
        ).encode()
    )


def test_csv_pages_without_booleans_or_nested_values_read_as_pages_with_them(tmp_path: Path) -> None:
    """A page of only text, numbers and nulls is written without conversion: the bytes must not differ."""
    plain: list[list[Any]] = [["West", 10, None], ["East", 0.1, 1e16], ["", -0.0, 12345678901234567890]]
    files = write(str(tmp_path), "csv", [plain, [["South", False, None]]])
    assert read_bytes(files.uris[0]) == (
        b"Region,Sales,Note\r\nWest,10,\r\nEast,0.1,1e+16\r\n,-0.0,12345678901234567890\r\nSouth,false,\r\n"
    )


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_a_page_longer_than_a_write_slice_is_written_whole_and_in_order(
    file_format: str, tmp_path: Path
) -> None:
    """Text formats write a page in slices (other threads run in between): no row lost, doubled or moved."""
    rows = [[f"r{n}", n, True if n == WRITE_SLICE + 7 else None] for n in range(2 * WRITE_SLICE + 3)]
    whole = write(str(tmp_path / "whole"), file_format, [rows])
    one_by_one = write(str(tmp_path / "rows"), file_format, [[row] for row in rows])
    assert whole.row_count == len(rows)
    assert read_bytes(whole.uris[0]) == read_bytes(one_by_one.uris[0])


@pytest.mark.parametrize("kind", KINDS)
def test_json_lines_are_byte_exact_one_object_per_row(kind: str, tmp_path: Path) -> None:
    files = write(location(kind, tmp_path), "jsonl", [ROWS])
    expected = "".join(
        json.dumps(dict(zip(COLUMNS, row, strict=True)), ensure_ascii=False) + "\n" for row in ROWS
    )
    assert read_bytes(files.uris[0]) == expected.encode()


def test_parquet_keeps_types_and_order_across_pages(tmp_path: Path) -> None:
    pages = [[["West", 10, "a"], ["East", 20, None]], [["North", 30, "c"]]]
    files = write(str(tmp_path), "parquet", pages)
    table = pq.read_table(files.uris[0].removeprefix("file://"))
    assert table.column_names == COLUMNS
    assert table.to_pylist() == [dict(zip(COLUMNS, row, strict=True)) for page in pages for row in page]
    assert str(table.schema.field("Sales").type) == "int64"


def test_parquet_refuses_a_page_that_breaks_the_first_pages_types(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="file_format='csv' or 'jsonl'"):
        write(str(tmp_path), "parquet", [[["West", 10, "a"]], [["East", "ten", "b"]]])


@pytest.mark.parametrize("file_format", ["csv", "jsonl", "parquet"])
def test_max_rows_per_file_splits_in_order_and_every_file_has_the_columns(
    file_format: str, tmp_path: Path
) -> None:
    rows = [[f"r{n}", n, "x"] for n in range(7)]
    files = write(str(tmp_path), file_format, [rows[:4], rows[4:]], max_rows_per_file=3)
    names = [uri.rsplit("/", 1)[-1] for uri in files.uris]
    assert names == [f"sales_{n:05d}.{file_format}" for n in range(3)]
    if file_format == "csv":
        parts = [Path(uri.removeprefix("file://")).read_text().splitlines() for uri in files.uris]
        assert all(part[0] == "Region,Sales,Note" for part in parts)
        assert [line.split(",")[0] for part in parts for line in part[1:]] == [f"r{n}" for n in range(7)]
    if file_format == "parquet":
        counts = [pq.read_table(uri.removeprefix("file://")).num_rows for uri in files.uris]
        assert counts == [3, 3, 1]


@pytest.mark.parametrize("file_format", ["csv", "jsonl", "parquet"])
def test_no_rows_still_writes_one_file(file_format: str, tmp_path: Path) -> None:
    files = write(str(tmp_path), file_format, [[]])
    assert files.row_count == 0
    (uri,) = files.uris
    data = read_bytes(uri)
    if file_format == "csv":
        assert data == b"Region,Sales,Note\r\n"
    elif file_format == "jsonl":
        assert data == b""
    else:
        assert pq.read_table(uri.removeprefix("file://")).column_names == COLUMNS
