"""Write pages of rows to CSV, JSON Lines or Parquet files as they arrive, split every N rows if asked.

One page at a time goes to the open file, so memory holds a page, never the whole result. pyarrow (the
``parquet`` extra) is imported only when a Parquet file is opened.
"""

from __future__ import annotations

import csv
import json
import time
from contextlib import ExitStack
from itertools import chain
from typing import IO, TYPE_CHECKING, Any, Protocol

from airflow_provider_tssession import storage

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from types import TracebackType

    from airflow_provider_tssession.storage import Location

FORMATS = ("csv", "jsonl", "parquet")
_AS_IS = frozenset({str, int, float, type(None)})
"""Value types the csv module already writes as ``cell`` would (None as empty): no conversion needed."""
WRITE_SLICE = 1_000
"""Rows formatted per call, other threads let run in between. The data export reads the next page in a
thread (`paging.read_ahead`); without the pauses that thread waits for the interpreter lock until a whole
page is formatted, and the next request goes late (100,000 rows: 0.88x of a raw loop, 1.01x with them;
median of 10 pairs)."""


def slices(rows: Sequence[Sequence[Any]]) -> Iterator[Sequence[Sequence[Any]]]:
    """Yield ``rows`` ``WRITE_SLICE`` at a time, yielding the interpreter lock between slices."""
    for start in range(0, len(rows), WRITE_SLICE):
        if start:
            time.sleep(0)  # releases the lock: a thread whose response arrived takes it now
        yield rows[start : start + WRITE_SLICE]


class _Writer(Protocol):
    def write(self, rows: Sequence[Sequence[Any]]) -> None: ...

    def close(self) -> None: ...


def cell(value: Any) -> Any:
    """Return a value as CSV shows it: JSON's spelling for booleans and nested values, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


class _Csv:
    """RFC 4180: quoting as needed, CRLF line ends; a header row of the column names."""

    binary = False

    def __init__(self, stream: IO[Any], columns: Sequence[str]) -> None:
        self._csv = csv.writer(stream, lineterminator="\r\n")
        self._csv.writerow(columns)

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        for part in slices(rows):
            # One C-level pass over the types spares a Python call per value in the common case (the
            # data export's write time per page fell by about two thirds).
            if _AS_IS.issuperset(map(type, chain.from_iterable(part))):
                self._csv.writerows(part)
            else:
                self._csv.writerows([cell(value) for value in row] for row in part)

    def close(self) -> None:
        pass


class _JsonLines:
    """One JSON object per line, keyed by column name, UTF-8 unescaped."""

    binary = False

    def __init__(self, stream: IO[Any], columns: Sequence[str]) -> None:
        self._stream = stream
        self._columns = list(columns)

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        for part in slices(rows):
            self._stream.write(
                "".join(
                    json.dumps(dict(zip(self._columns, row, strict=True)), ensure_ascii=False) + "\n"
                    for row in part
                )
            )

    def close(self) -> None:
        pass


class _Parquet:
    """Column types from the first page (all-null columns are strings); one row group per page."""

    binary = True

    def __init__(self, stream: IO[Any], columns: Sequence[str]) -> None:
        import pyarrow as pa  # the optional `parquet` extra; imported only to write Parquet
        import pyarrow.parquet as pq

        self._pa, self._pq = pa, pq
        self._stream = stream
        self._columns = list(columns)
        self._writer: Any = None

    def _table(self, rows: Sequence[Sequence[Any]]) -> Any:
        pa = self._pa
        values = list(zip(*rows, strict=True)) if rows else [() for _ in self._columns]
        if self._writer is None:
            arrays = [pa.array(column) for column in values]
            arrays = [a.cast(pa.string()) if pa.types.is_null(a.type) else a for a in arrays]
            return pa.Table.from_arrays(arrays, names=self._columns)
        schema = self._writer.schema
        try:
            arrays = [pa.array(column, type=field.type) for column, field in zip(values, schema, strict=True)]
        except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
            raise ValueError(
                f"a later page does not fit the Parquet column types the first page set ({error}); "
                "write file_format='csv' or 'jsonl' instead, which keep each value as sent"
            ) from None
        return pa.Table.from_arrays(arrays, schema=schema)

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        table = self._table(rows)
        if self._writer is None:
            self._writer = self._pq.ParquetWriter(self._stream, table.schema)
        self._writer.write_table(table)

    def close(self) -> None:
        if self._writer is None:
            self.write([])  # no rows: still a valid file with the columns
        self._writer.close()


_WRITERS: dict[str, type[_Csv | _JsonLines | _Parquet]] = {
    "csv": _Csv,
    "jsonl": _JsonLines,
    "parquet": _Parquet,
}


class RowFiles:
    """Files of rows under one directory: ``<name>.<ext>``, or ``<name>_00000.<ext>``... when split.

    Use as a context manager; ``write`` pages of rows (sequences in column order), then read ``uris``.
    Every file starts with the column names (the CSV header, the Parquet schema).

    :param location: Directory or prefix (a local path or an ``ObjectStoragePath`` URI).
    :param name: File name without extension.
    :param file_format: ``csv``, ``jsonl`` or ``parquet``.
    :param columns: The column names.
    :param max_rows_per_file: Start a new file after this many rows (None: one file).
    """

    def __init__(
        self,
        location: Location,
        name: str,
        file_format: str,
        columns: Sequence[str],
        *,
        max_rows_per_file: int | None = None,
    ) -> None:
        self._location = location
        self._name = name
        self._format = file_format
        self._columns = list(columns)
        self._max = max_rows_per_file
        self._stack = ExitStack()
        self._writer: _Writer | None = None
        self._in_file = 0
        self.uris: list[str] = []
        self.row_count = 0

    def __enter__(self) -> RowFiles:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None and not self.uris:
            self._open()  # no rows at all: still one file, with the header
        self._close()

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        """Append rows, opening the next file whenever the current one is full."""
        start = 0
        while start < len(rows):
            if self._writer is None or (self._max is not None and self._in_file >= self._max):
                self._close()
                self._open()
            room = len(rows) - start if self._max is None else self._max - self._in_file
            part = rows[start : start + room]
            assert self._writer is not None
            self._writer.write(part)
            self._in_file += len(part)
            self.row_count += len(part)
            start += len(part)

    def _open(self) -> None:
        kind = _WRITERS[self._format]
        suffix = "" if self._max is None else f"_{len(self.uris):05d}"
        path = storage.child(self._location, f"{self._name}{suffix}.{self._format}")
        stream = self._stack.enter_context(storage.open_writer(path, binary=kind.binary))
        self._writer = kind(stream, self._columns)
        self._in_file = 0
        self.uris.append(storage.uri_of(path))

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._stack.close()
