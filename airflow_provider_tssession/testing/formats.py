"""Report files with real signatures: PDF, PNG, XLSX (one tab per visualization), CSV and a ZIP of CSVs.

Small files are built whole; a CSV of a big data set and a test's ``report_bytes`` body are streamed in
chunks with their length known in advance (CSV: a first pass only counts), so neither sits in memory.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from .datasets import DataSet

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ZIP_MAGIC = b"PK\x03\x04"  # XLSX is a ZIP too
MAX_XLSX_TABS = 255
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Body:
    """A file to send: ``length`` bytes, produced by ``chunks`` as they are written."""

    length: int
    chunks: Iterator[bytes]


def whole(data: bytes) -> Body:
    """Wrap bytes already built."""
    return Body(len(data), iter((data,)))


def pdf(title: str, lines: Sequence[str]) -> bytes:
    """Build a one-page PDF 1.4 that says ``title`` and ``lines`` (a valid xref table, so viewers open it)."""
    text = ["BT /F1 14 Tf 50 790 Td", f"({_pdf_text(title)}) Tj", "/F1 10 Tf"]
    for line in lines[:60]:
        text.append(f"0 -14 Td ({_pdf_text(line)}) Tj")
    stream = "\n".join([*text, "ET"]).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, obj))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def png(width: int = 320, height: int = 200, rgb: tuple[int, int, int] = (31, 119, 180)) -> bytes:
    """Build a valid PNG of one colour (what a chart export would be, minus the chart)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_MAGIC + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")
    )


_XML = '<?xml version="1.0" encoding="UTF-8"?>'
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SPREADSHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def xlsx(sheets: Sequence[tuple[str, DataSet]], max_rows: int) -> bytes:
    """Build a workbook with one tab per (name, data) (at most MAX_XLSX_TABS), ``max_rows`` rows each."""
    if len(sheets) > MAX_XLSX_TABS:
        raise ValueError(f"an XLSX report holds at most {MAX_XLSX_TABS} tabs")
    numbers = range(1, len(sheets) + 1)
    types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_MIME}.worksheet+xml"/>'
        for n in numbers
    )
    tabs = "".join(
        f'<sheet name="{escape(name[:31])}" sheetId="{n}" r:id="rId{n}"/>'
        for n, (name, _) in enumerate(sheets, 1)
    )
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{_RELATIONS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in numbers
    )
    parts = {
        "[Content_Types].xml": f'{_XML}<Types xmlns="{_PACKAGE}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_MIME}.sheet.main+xml"/>{types}</Types>',
        "_rels/.rels": f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">'
        f'<Relationship Id="rId1" Type="{_RELATIONS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": f'{_XML}<workbook xmlns="{_SPREADSHEET}" xmlns:r="{_RELATIONS}">'
        f"<sheets>{tabs}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">'
        f"{links}</Relationships>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text)
        for n, (_, data) in enumerate(sheets, 1):
            book.writestr(f"xl/worksheets/sheet{n}.xml", _sheet(data, max_rows))
    return out.getvalue()


def _sheet(data: DataSet, max_rows: int) -> str:
    def cell(value: object) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f"<c><v>{value}</v></c>"
        return f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'

    rows = [data.columns, *data.rows(0, max_rows)]
    body = "".join("<row>" + "".join(cell(v) for v in row) + "</row>" for row in rows)
    return f'{_XML}<worksheet xmlns="{_SPREADSHEET}"><sheetData>{body}</sheetData></worksheet>'


def csv_body(data: DataSet, max_rows: int) -> Body:
    """Stream ``data`` (at most ``max_rows`` rows) as CSV; a first pass counts the length."""
    capped = data.head(max_rows)
    return Body(sum(len(chunk) for chunk in capped.csv_chunks()), capped.csv_chunks())


def csv_zip(files: Sequence[tuple[str, DataSet]], max_rows: int) -> bytes:
    """Build one ZIP of per-visualization CSVs (a multi-visualization Liveboard's CSV report)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        used: set[str] = set()
        for name, data in files:
            file_name = f"{name}.csv"
            while file_name in used:
                file_name = f"_{file_name}"
            used.add(file_name)
            with archive.open(file_name, "w") as member:
                for chunk in data.head(max_rows).csv_chunks():
                    member.write(chunk)
    return out.getvalue()


def padded(magic: bytes, length: int, trailer: bytes = b"") -> Body:
    """Stream ``length`` bytes that start with ``magic`` (and end with ``trailer``), generated in chunks.

    For tests that need a big download without building it: the content is filler, only the signature is real.
    """
    length = max(length, len(magic) + len(trailer))

    def chunks() -> Iterator[bytes]:
        yield magic
        left = length - len(magic) - len(trailer)
        filler = b"\n" + b"%" * (CHUNK - 1) if magic == PDF_MAGIC else bytes(CHUNK)
        while left > 0:
            piece = filler[: min(left, CHUNK)]
            left -= len(piece)
            yield piece
        if trailer:
            yield trailer

    return Body(length, chunks())
