"""ThoughtSpotDataExportOperator: every page of a search, Answer or Liveboard visualization, to files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_tssession.exceptions import ThoughtSpotError
from airflow_provider_tssession.lineage import ThoughtSpotLineageMixin, file_dataset
from airflow_provider_tssession.links import ThoughtSpotObjectLink
from airflow_provider_tssession.operators.base import (
    JSON_RENDERERS,
    RUNTIME_OVERRIDES,
    ThoughtSpotBaseOperator,
)
from airflow_provider_tssession.paging import read_ahead
from airflow_provider_tssession.row_files import FORMATS, RowFiles

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow_provider_tssession._compat import Context
    from airflow_provider_tssession.paging import Page

SEARCH_DATA = "/api/rest/2.0/searchdata"
DATA_ROUTES = {
    "ANSWER": "/api/rest/2.0/metadata/answer/data",
    "LIVEBOARD": "/api/rest/2.0/metadata/liveboard/data",
}
PAGING_FIELDS = ("record_offset", "record_size")
ROW_CAP = 100_000
"""Rows ThoughtSpot returns at most per query unless Support raised the cluster's cap."""


class DataPages:
    """Reads the data routes' pages: rows as value lists, column names, and what is available in all.

    ``COMPACT`` rows are lists in ``column_names`` order and ``FULL`` rows are objects keyed by name;
    both become lists. ``sampling_ratio`` keeps the lowest ratio seen (1.0: the whole result).
    """

    def __init__(self) -> None:
        self.columns: list[str] | None = None
        self.available = 0
        self.sampling_ratio = 1.0

    def rows(self, body: Any) -> list[Any]:
        """Return a page's rows as value lists; remember its columns, total and sampling ratio."""
        contents = body.get("contents") if isinstance(body, dict) else None
        if not isinstance(contents, list) or len(contents) != 1:
            raise ValueError(
                f"expected one result in 'contents', got {len(contents) if isinstance(contents, list) else 0}"
                "; export one visualization per task (visualization_identifier)"
            )
        content = contents[0]
        columns = [str(name) for name in content.get("column_names") or []]
        if self.columns is None:
            self.columns = columns
        elif columns and columns != self.columns:
            raise ValueError(f"the columns changed between pages: {self.columns} then {columns}")
        self.available = int(content.get("available_data_row_count") or 0)
        self.sampling_ratio = min(self.sampling_ratio, float(content.get("sampling_ratio", 1.0)))
        return [
            [row.get(name) for name in self.columns] if isinstance(row, dict) else row
            for row in content.get("data_rows") or []
        ]

    def is_last(self, page: Page) -> bool:
        """Tell whether this page reaches the available row count (no empty page asked for after it)."""
        return page.offset + len(page.items) >= self.available


class ThoughtSpotDataExportOperator(ThoughtSpotLineageMixin, ThoughtSpotBaseOperator):
    """Export the rows of a search, a saved Answer or one Liveboard visualization to files, page by page.

    Each page is written before the next is fetched, so memory holds one page whatever the row count; a
    transient failure retries only the page it hit. Files go to ``output_path`` (a local directory or an
    ``ObjectStoragePath`` URI such as ``s3://conn@bucket/prefix``) as ``<file_name>.<ext>``, or
    ``<file_name>_00000.<ext>``, ``_00001``... with ``max_rows_per_file``. Returns
    ``{"uris": [...], "row_count": n, "sampling_ratio": r}``.

    :param output_path: Directory or prefix to write to.
    :param query_string: A search (``[sales] by [store]``) on ``logical_table_identifier``: ``/searchdata``.
    :param logical_table_identifier: The Worksheet, Model or table the search runs on.
    :param metadata_identifier: A saved Answer or Liveboard (GUID or name), instead of a search.
    :param metadata_type: ``ANSWER`` or ``LIVEBOARD``.
    :param visualization_identifier: The Liveboard visualization to export (one per task).
    :param file_format: ``csv`` (a header of the column names), ``jsonl`` (one object per row) or ``parquet``
        (needs the ``parquet`` extra: ``pip install 'airflow-provider-thoughtspot[parquet]'``).
    :param file_name: File name without extension; default the identifier, or ``searchdata``.
    :param page_size: Rows per request (``record_size``).
    :param max_rows_per_file: Start a new file after this many rows; None writes one file.
    :param allow_partial: When ThoughtSpot sampled the result or cut it at its row cap, warn (True) or
        fail the task (False).
    :param runtime_filter: ``runtime_filter`` of the route (e.g. ``{"col1": "region", "op1": "EQ", ...}``).
    :param runtime_sort: ``runtime_sort`` of the route.
    :param runtime_param_override: ``runtime_param_override`` of the route.
    :param request_options: Other body fields of the route (``data_format``...).
    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    :param session_handle: A ``ThoughtSpotLoginOperator``'s output, to reuse its session.
    """

    template_fields: Sequence[str] = (
        *ThoughtSpotBaseOperator.template_fields,
        "output_path",
        "query_string",
        "logical_table_identifier",
        "metadata_identifier",
        "visualization_identifier",
        "file_name",
        *RUNTIME_OVERRIDES,
    )
    template_fields_renderers: ClassVar[dict[str, str]] = JSON_RENDERERS
    operator_extra_links = (ThoughtSpotObjectLink(),)

    def __init__(
        self,
        *,
        output_path: Any,
        query_string: str | None = None,
        logical_table_identifier: str | None = None,
        metadata_identifier: str | None = None,
        metadata_type: str = "ANSWER",
        visualization_identifier: str | None = None,
        file_format: str = "csv",
        file_name: str | None = None,
        page_size: int = 10_000,
        max_rows_per_file: int | None = None,
        allow_partial: bool = True,
        runtime_filter: dict[str, Any] | None = None,
        runtime_sort: dict[str, Any] | None = None,
        runtime_param_override: dict[str, Any] | None = None,
        request_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.output_path = output_path
        self.query_string = query_string
        self.logical_table_identifier = logical_table_identifier
        self.metadata_identifier = metadata_identifier
        self.metadata_type = metadata_type
        self.visualization_identifier = visualization_identifier
        self.file_format = file_format
        self.file_name = file_name
        self.page_size = page_size
        self.max_rows_per_file = max_rows_per_file
        self.allow_partial = allow_partial
        self.runtime_filter = runtime_filter
        self.runtime_sort = runtime_sort
        self.runtime_param_override = runtime_param_override
        self.request_options = request_options

    def execute(self, context: Context) -> dict[str, Any]:
        """Fetch every page, write it as it arrives, and return the files' URIs and the row count."""
        route, body = self._route()
        file_format = self._file_format()
        self.check_page_size(self.page_size)
        if self.max_rows_per_file is not None:
            self.check_page_size(self.max_rows_per_file, "max_rows_per_file")
        name = self.file_name or self.metadata_identifier or "searchdata"
        self.check_output(self.output_path, f"{name}.{file_format}")
        state = DataPages()
        with self.hook() as hook:
            source = (self.metadata_type, self.metadata_identifier)  # a search reads its model or table
            if not self.metadata_identifier:
                source = ("LOGICAL_TABLE", self.logical_table_identifier)
            self.record_thoughtspot_object(context, hook.settings.base_url, *source)
            pages = read_ahead(
                hook.pages(route, body, page_size=self.page_size, items=state.rows, last=state.is_last)
            )
            first = next(pages)
            assert state.columns is not None
            with RowFiles(
                self.output_path, name, file_format, state.columns, max_rows_per_file=self.max_rows_per_file
            ) as files:
                files.write(first.items)
                for page in pages:
                    files.write(page.items)
        self.log.info("Wrote %d row(s) to %s", files.row_count, ", ".join(files.uris))
        self._check_complete(files.row_count, state)
        self.record_lineage(outputs=[file_dataset(uri) for uri in files.uris])
        return {"uris": files.uris, "row_count": files.row_count, "sampling_ratio": state.sampling_ratio}

    def _route(self) -> tuple[str, dict[str, Any]]:
        fields: dict[str, Any] = {
            "runtime_filter": self.runtime_filter,
            "runtime_sort": self.runtime_sort,
            "runtime_param_override": self.runtime_param_override,
        }
        if bool(self.query_string) == bool(self.metadata_identifier):
            raise self.bad_argument(
                "query_string",
                "exactly one of query_string (a search) and metadata_identifier (a saved object) is needed",
                "pass query_string with logical_table_identifier, or metadata_identifier",
            )
        if self.query_string:
            if not self.logical_table_identifier:
                raise self.bad_argument(
                    "logical_table_identifier", "is missing", "pass the GUID of the source the search runs on"
                )
            fields.update(
                query_string=self.query_string, logical_table_identifier=self.logical_table_identifier
            )
            route = SEARCH_DATA
        else:
            kind = str(self.metadata_type).upper()
            if kind not in DATA_ROUTES:
                raise self.bad_argument(
                    "metadata_type", f"is {self.metadata_type!r}", "pass ANSWER or LIVEBOARD"
                )
            if (kind == "LIVEBOARD") != bool(self.visualization_identifier):
                raise self.bad_argument(
                    "visualization_identifier",
                    "is needed for a Liveboard, which sends data one visualization at a time, and only there",
                    "pass one visualization's GUID with metadata_type='LIVEBOARD' (for several, "
                    ".expand(visualization_identifier=[...])); drop it for an Answer",
                )
            fields["metadata_identifier"] = self.metadata_identifier
            if self.visualization_identifier:
                fields["visualization_identifiers"] = [self.visualization_identifier]
            route = DATA_ROUTES[kind]
        return route, self.request_body(fields, self.request_options, reserved=PAGING_FIELDS)

    def _file_format(self) -> str:
        file_format = str(self.file_format).lower()
        if file_format not in FORMATS:
            raise self.bad_argument(
                "file_format", f"is {self.file_format!r}", f"pass one of {', '.join(FORMATS)}"
            )
        if file_format == "parquet":
            try:
                import pyarrow  # noqa: F401  (checked before any request, not after the first page)
            except ImportError:
                raise self.bad_argument(
                    "file_format",
                    "is 'parquet' but pyarrow is not installed",
                    "pip install 'airflow-provider-thoughtspot[parquet]', or write csv or jsonl",
                ) from None
        return file_format

    def _check_complete(self, row_count: int, state: DataPages) -> None:
        """Warn (or fail, with allow_partial=False) when the rows are not the whole result."""
        problem = None
        if row_count < state.available:
            problem = f"ThoughtSpot returned {row_count:,} of {state.available:,} available rows"
        elif state.sampling_ratio < 1 and row_count >= ROW_CAP:
            problem = (
                f"ThoughtSpot cut the result at {row_count:,} rows (sampling_ratio "
                f"{state.sampling_ratio:g}): it returns at most {ROW_CAP:,} rows per query unless Support "
                "raised that cap"
            )
        elif state.sampling_ratio < 1:
            problem = f"ThoughtSpot sampled the result (sampling_ratio {state.sampling_ratio:g})"
        if problem is None:
            return
        fix = (
            "Fix: export in parts under the cap (runtime_filter, one task per part), narrow the search, "
            "or ask ThoughtSpot Support to raise the row cap"
        )
        if not self.allow_partial:
            raise ThoughtSpotError(f"{problem}. {fix}; or pass allow_partial=True to keep a partial result.")
        self.log.warning("%s; the files hold the %d rows returned. %s.", problem, row_count, fix)
