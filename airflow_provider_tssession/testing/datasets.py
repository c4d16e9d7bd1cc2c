"""Data sets whose rows are computed when asked for, page by page: a million-row answer costs no memory.

A DataSet is a column list, a row count and a function from a row number to that row's values, so the same
row always has the same values (deterministic across runs and processes).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

Row = list[object]

NUMBER_HINTS = (
    "sales",
    "revenue",
    "amount",
    "profit",
    "price",
    "cost",
    "quantity",
    "count",
    "total",
    "units",
)
"""Columns whose name contains one of these hold numbers (and are measures in TML)."""
_REGIONS = ("East", "West", "North", "South", "Central")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _value(column: str, index: int, row: int) -> object:
    """Make up a stable value for ``column`` (the ``index``-th) in row ``row``."""
    name = column.lower()
    if any(hint in name for hint in NUMBER_HINTS):
        return round(((row + 1) * 7919 + index * 104729) % 1_000_000 / 100, 2)
    if "region" in name:
        return _REGIONS[row % len(_REGIONS)]
    if "month" in name:
        return _MONTHS[row % len(_MONTHS)]
    if "date" in name or "day" in name:
        return f"2024-{row // 28 % 12 + 1:02d}-{row % 28 + 1:02d}"
    return f"{column} {row + 1}"


@dataclass(frozen=True)
class DataSet:
    """``row_count`` rows of ``columns``; ``row(i)`` gives row ``i`` (0-based), generated on demand.

    Build one with ``DataSet.generated(["Region", "Sales"], 1_000_000)`` (made-up values from the column
    names: numbers for sales/amount/quantity..., regions, months, dates, else "<column> <n>"),
    ``DataSet.from_rows(columns, rows)`` (a small explicit table), or ``DataSet(columns, n, row=function)``.
    """

    columns: tuple[str, ...]
    row_count: int
    row: Callable[[int], Sequence[object]]

    def __post_init__(self) -> None:
        """Reject data sets that could not be served."""
        if self.row_count < 0:
            raise ValueError("row_count must be >= 0")
        if not self.columns:
            raise ValueError("a data set needs at least one column")

    @classmethod
    def generated(cls, columns: Sequence[str], row_count: int) -> DataSet:
        """Make up deterministic values chosen from each column's name."""
        names = tuple(columns)
        return cls(names, row_count, lambda row: [_value(name, i, row) for i, name in enumerate(names)])

    @classmethod
    def from_rows(cls, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> DataSet:
        """Hold a small explicit table (kept in memory as given)."""
        kept = [list(row) for row in rows]
        if any(len(row) != len(columns) for row in kept):
            raise ValueError("every row needs one value per column")
        return cls(tuple(columns), len(kept), kept.__getitem__)

    def project(self, columns: Sequence[str]) -> DataSet:
        """Return the same rows, only ``columns`` (each must be one of ours), in that order."""
        positions = [self.columns.index(name) for name in columns]
        source = self.row
        return DataSet(tuple(columns), self.row_count, lambda row: [source(row)[p] for p in positions])

    def head(self, count: int) -> DataSet:
        """Return the first ``count`` rows only."""
        return self if count >= self.row_count else DataSet(self.columns, max(count, 0), self.row)

    def rows(self, start: int, stop: int) -> list[Row]:
        """Compute rows ``start`` up to ``stop`` (clipped to the data), computed now."""
        return [list(self.row(i)) for i in range(max(start, 0), min(stop, self.row_count))]

    def csv_chunks(self, rows_per_chunk: int = 2000) -> Iterator[bytes]:
        """Generate the whole data set as CSV with a header line, generated chunk by chunk."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.columns)
        for start in range(0, self.row_count, rows_per_chunk):
            writer.writerows(self.rows(start, start + rows_per_chunk))
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue().encode()
