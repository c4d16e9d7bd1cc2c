"""``/report/liveboard`` and ``/report/answer``: 200 ``application/octet-stream`` files, errors as JSON.

PDF, PNG and XLSX carry their real signatures; XLSX has one tab per visualization (at most 255); a Liveboard
CSV of several visualizations is one ZIP of per-visualization CSVs (from 26.2.0.cl), of one visualization a
plain CSV. Default ``file_format``: CSV for both. [C] The spec's ``ExportLiveboardReportRequest`` schema says
PDF for the Liveboard; its description and the docs say CSV, which the facts file follows. The file is
"extensionless": ``Content-Disposition`` names it without an extension. CSV and XLSX hold at most the data
row cap (``FakeThoughtSpot.data_row_cap``). ``FakeThoughtSpot.report_bytes = N`` makes every report N bytes
(the format's signature, then filler), streamed in chunks, for download tests of big files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import formats
from .paths import REPORT_ANSWER_PATH, REPORT_LIVEBOARD_PATH
from .registry import Route, add_routes, authenticate, fail
from .v2body import Body, find_object, find_visualizations
from .wire import BINARY_TYPE, CODE_BAD_REQUEST, Response

if TYPE_CHECKING:
    from .catalog import MetadataObject
    from .datasets import DataSet
    from .state import FakeState
    from .wire import Request

FORMATS = ("PDF", "PNG", "CSV", "XLSX")
MAGIC = {
    "PDF": formats.PDF_MAGIC,
    "PNG": formats.PNG_MAGIC,
    "XLSX": formats.ZIP_MAGIC,
    "ZIP": formats.ZIP_MAGIC,
}


def _file(
    state: FakeState, obj: MetadataObject, file_format: str, parts: list[tuple[str, DataSet]]
) -> Response:
    cap = state.data_row_cap
    kind = "ZIP" if file_format == "CSV" and len(parts) > 1 else file_format
    if state.report_bytes is not None:
        trailer = b"\n%%EOF\n" if kind == "PDF" else b""
        body = formats.padded(MAGIC.get(kind, b""), state.report_bytes, trailer)
    elif kind == "PDF":
        body = formats.whole(
            formats.pdf(obj.name, [f"{name}: {len(data.columns)} columns" for name, data in parts])
        )
    elif kind == "PNG":
        body = formats.whole(formats.png())
    elif kind == "XLSX":
        body = formats.whole(formats.xlsx(parts, cap))
    elif kind == "ZIP":
        body = formats.whole(formats.csv_zip(parts, cap))
    else:
        body = formats.csv_body(parts[0][1], cap)
    headers = [("Content-Type", BINARY_TYPE), ("Content-Disposition", f'attachment; filename="{obj.name}"')]
    return Response(200, headers=headers, stream=body.chunks, length=body.length)


def _liveboard(state: FakeState, request: Request) -> Response:
    authenticate(state, request, v2=True)
    body = Body.of(state, request, optional=False)
    obj = find_object(state, body, "metadata_identifier", "LIVEBOARD")
    file_format = body.choice("file_format", FORMATS, "CSV")
    vizzes = find_visualizations(state, body, obj)
    body.strings("tab_identifiers")
    if file_format == "PNG":
        vizzes = vizzes[:1]  # from 10.9 a PNG shows one tab; the stand-in's Liveboards have one tab
    parts = [(viz.name, viz.data) for viz in vizzes if viz.data is not None]
    if not parts and file_format in ("CSV", "XLSX"):
        raise fail(
            state, 400, CODE_BAD_REQUEST, f"Liveboard {obj.name} has no visualization with data to export"
        )
    if len(parts) > formats.MAX_XLSX_TABS and file_format == "XLSX":
        raise fail(state, 400, CODE_BAD_REQUEST, f"An XLSX report holds at most {formats.MAX_XLSX_TABS} tabs")
    return _file(state, obj, file_format, parts)


def _answer(state: FakeState, request: Request) -> Response:
    authenticate(state, request, v2=True)
    body = Body.of(state, request, optional=False)
    if body.text("session_identifier") and not body.text("metadata_identifier"):
        raise fail(
            state,
            400,
            CODE_BAD_REQUEST,
            "Unknown session_identifier: the stand-in exports saved Answers only",
        )
    obj = find_object(state, body, "metadata_identifier", "ANSWER")
    file_format = body.choice("file_format", FORMATS, "CSV")
    body.choice("type", ("SAVED", "PINNED"), "SAVED")
    if obj.data is None and file_format in ("CSV", "XLSX"):
        raise fail(state, 400, CODE_BAD_REQUEST, f"Answer {obj.name} has no data to export")
    return _file(state, obj, file_format, [(obj.name, obj.data)] if obj.data is not None else [])


add_routes(
    {
        REPORT_LIVEBOARD_PATH: Route({"POST": _liveboard}, v2=True),
        REPORT_ANSWER_PATH: Route({"POST": _answer}, v2=True),
    }
)
