"""``/searchdata``, ``/metadata/answer/data`` and ``/metadata/liveboard/data``: rows, page by page.

Paging: ``record_offset`` (0) and ``record_size`` (10; -1 = everything up to the cap). At most the data row
cap (100,000, ``FakeThoughtSpot.data_row_cap``) rows are available per query: ``available_data_row_count``
is ``min(rows, cap)`` and ``sampling_ratio`` is ``available / rows`` (1.0 = complete) [I]. A client pages
until its offset reaches ``available_data_row_count``. Rows are computed for the requested page only.
``data_format`` COMPACT (default) sends each row as an array in ``column_names`` order, FULL as an object
keyed by column name: this follows the facts file ("Data rows: COMPACT vs FULL"); the spec types every
``data_rows`` item as an object, which only FULL satisfies.
``/searchdata`` answers ``[Column]`` tokens of ``query_string`` from the table's data; an unknown column is a
400 naming it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import tml
from .paths import ANSWER_DATA_PATH, LIVEBOARD_DATA_PATH, SEARCH_DATA_PATH
from .registry import Route, add_routes, authenticate, fail
from .v2body import Body, find_object, find_visualizations
from .wire import CODE_BAD_REQUEST, json_response

if TYPE_CHECKING:
    from .datasets import DataSet
    from .state import FakeState
    from .wire import Request, Response


def _paging(body: Body) -> tuple[int, int, bool]:
    offset = body.integer("record_offset", 0)
    size = body.integer("record_size", 10, minimum=-1)
    full = body.choice("data_format", ("FULL", "COMPACT"), "COMPACT") == "FULL"
    for name in ("runtime_filter", "runtime_sort", "runtime_param_override"):
        body.mapping(name)  # accepted; the stand-in does not filter or sort
    return offset, size, full


def content(data: DataSet, cap: int, offset: int, size: int, full: bool) -> dict[str, object]:
    """Build one ``AnswerContent`` page of ``data``."""
    available = min(data.row_count, cap)
    stop = available if size == -1 else min(offset + size, available)
    rows = data.rows(offset, stop)
    columns = list(data.columns)
    return {
        "available_data_row_count": available,
        "column_names": columns,
        "data_rows": [dict(zip(columns, row, strict=True)) for row in rows] if full else rows,
        "record_offset": offset,
        "record_size": size,
        "returned_data_row_count": len(rows),
        "sampling_ratio": available / data.row_count if data.row_count else 1.0,
    }


def _search_data(state: FakeState, request: Request) -> Response:
    authenticate(state, request, v2=True)
    body = Body.of(state, request, optional=False)
    query = body.text("query_string", required=True)
    table = find_object(state, body, "logical_table_identifier", "LOGICAL_TABLE")
    offset, size, full = _paging(body)
    columns = tml.query_columns(query)
    if not columns:
        raise fail(
            state, 400, CODE_BAD_REQUEST, "query_string names no column: use tokens such as [Sales] [Region]"
        )
    unknown = [c for c in columns if c not in table.columns]
    if table.data is None or unknown:
        message = f"Search did not find {', '.join(f'[{c}]' for c in unknown or columns)} in {table.name}"
        raise fail(state, 400, CODE_BAD_REQUEST, message)
    page = content(table.data.project(columns), state.data_row_cap, offset, size, full)
    return json_response(200, {"contents": [page]})


def _answer_data(state: FakeState, request: Request) -> Response:
    authenticate(state, request, v2=True)
    body = Body.of(state, request, optional=False)
    obj = find_object(state, body, "metadata_identifier", "ANSWER")
    offset, size, full = _paging(body)
    if obj.data is None:
        raise fail(state, 400, CODE_BAD_REQUEST, f"Answer {obj.name} has no data")
    page = content(obj.data, state.data_row_cap, offset, size, full)
    return json_response(200, {"metadata_id": obj.guid, "metadata_name": obj.name, "contents": [page]})


def _liveboard_data(state: FakeState, request: Request) -> Response:
    authenticate(state, request, v2=True)
    body = Body.of(state, request, optional=False)
    obj = find_object(state, body, "metadata_identifier", "LIVEBOARD")
    vizzes = find_visualizations(state, body, obj)
    offset, size, full = _paging(body)
    contents = []
    for viz in vizzes:
        if viz.data is not None:
            page = content(viz.data, state.data_row_cap, offset, size, full)
            contents.append({**page, "visualization_id": viz.guid, "visualization_name": viz.name})
    return json_response(200, {"metadata_id": obj.guid, "metadata_name": obj.name, "contents": contents})


add_routes(
    {
        SEARCH_DATA_PATH: Route({"POST": _search_data}, v2=True),
        ANSWER_DATA_PATH: Route({"POST": _answer_data}, v2=True),
        LIVEBOARD_DATA_PATH: Route({"POST": _liveboard_data}, v2=True),
    }
)
