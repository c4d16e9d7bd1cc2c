"""ThoughtSpotReportOperator: a Liveboard's or Answer's report (PDF, PNG, CSV, XLSX) streamed to a file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_tssession import storage
from airflow_provider_tssession.lineage import ThoughtSpotLineageMixin, file_dataset
from airflow_provider_tssession.links import ThoughtSpotObjectLink
from airflow_provider_tssession.operators.base import (
    JSON_RENDERERS,
    RUNTIME_OVERRIDES,
    ThoughtSpotBaseOperator,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from airflow_provider_tssession._compat import Context

REPORT_ROUTES = {"LIVEBOARD": "/api/rest/2.0/report/liveboard", "ANSWER": "/api/rest/2.0/report/answer"}
DEFAULT_FORMAT = {"LIVEBOARD": "PDF", "ANSWER": "CSV"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
ZIP_MAGIC = b"PK\x03\x04"
LIVEBOARD_ONLY = ("visualization_identifiers", "tab_identifiers", "pdf_options")


def extension(file_format: str, head: bytes) -> str:
    """Return the file extension: the format's, or ``zip`` for a CSV that came as a ZIP of CSVs.

    ThoughtSpot's reports are extensionless; a Liveboard CSV of several visualizations is one ZIP (an
    XLSX is a ZIP too, so only a CSV is told apart by its first bytes).
    """
    if file_format == "csv" and head.startswith(ZIP_MAGIC):
        return "zip"
    return file_format


def with_head(chunks: Iterable[bytes], size: int = len(ZIP_MAGIC)) -> tuple[bytes, Iterator[bytes]]:
    """Return the first ``size`` bytes of a stream, and the whole stream (those bytes included) again."""
    stream = iter(chunks)
    taken: list[bytes] = []
    while sum(map(len, taken)) < size:
        chunk = next(stream, None)
        if chunk is None:
            break
        taken.append(chunk)
    head = b"".join(taken)

    def again() -> Iterator[bytes]:
        if head:
            yield head
        yield from stream

    return head[:size], again()


class ThoughtSpotReportOperator(ThoughtSpotLineageMixin, ThoughtSpotBaseOperator):
    """Download a Liveboard's or Answer's report to ``output_path/<file_name>.<ext>``, streamed to storage.

    ``file_format`` is always sent (ThoughtSpot's own documentation disagrees on the Liveboard default).
    The body is written as it arrives, never held whole; a download cut off mid-way starts over from its
    first byte. Returns ``{"uri", "bytes", "content_type"}``.

    :param metadata_identifier: The Liveboard or Answer (GUID or name).
    :param output_path: Directory or prefix to write to: a local path or an ``ObjectStoragePath`` URI.
    :param metadata_type: ``LIVEBOARD`` or ``ANSWER``.
    :param file_format: ``PDF``, ``PNG``, ``CSV`` or ``XLSX``; default PDF for a Liveboard, CSV for an
        Answer. A Liveboard CSV of several visualizations arrives as a ZIP and is saved as ``.zip``.
    :param file_name: File name without extension; default the ``metadata_identifier``.
    :param visualization_identifiers: Liveboard only: the visualizations to include.
    :param tab_identifiers: Liveboard only: the tabs to include.
    :param pdf_options: Liveboard only: ``pdf_options`` (page size, orientation, cover page...).
    :param png_options: ``png_options`` of the route.
    :param runtime_filter: ``runtime_filter`` of the route.
    :param runtime_sort: ``runtime_sort`` of the route.
    :param runtime_param_override: ``runtime_param_override`` of the route.
    :param regional_settings: ``regional_settings`` (locale, currency format...).
    :param request_options: Other body fields of the route (``personalised_view_identifier``...).
    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    :param session_handle: A ``ThoughtSpotLoginOperator``'s output, to reuse its session.
    """

    template_fields: Sequence[str] = (
        *ThoughtSpotBaseOperator.template_fields,
        "metadata_identifier",
        "output_path",
        "file_name",
        "visualization_identifiers",
        "tab_identifiers",
        *RUNTIME_OVERRIDES,
    )
    template_fields_renderers: ClassVar[dict[str, str]] = JSON_RENDERERS
    operator_extra_links = (ThoughtSpotObjectLink(),)

    def __init__(
        self,
        *,
        metadata_identifier: str,
        output_path: Any,
        metadata_type: str = "LIVEBOARD",
        file_format: str | None = None,
        file_name: str | None = None,
        visualization_identifiers: list[str] | None = None,
        tab_identifiers: list[str] | None = None,
        pdf_options: dict[str, Any] | None = None,
        png_options: dict[str, Any] | None = None,
        runtime_filter: dict[str, Any] | None = None,
        runtime_sort: dict[str, Any] | None = None,
        runtime_param_override: dict[str, Any] | None = None,
        regional_settings: dict[str, Any] | None = None,
        request_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.metadata_identifier = metadata_identifier
        self.output_path = output_path
        self.metadata_type = metadata_type
        self.file_format = file_format
        self.file_name = file_name
        self.visualization_identifiers = visualization_identifiers
        self.tab_identifiers = tab_identifiers
        self.pdf_options = pdf_options
        self.png_options = png_options
        self.runtime_filter = runtime_filter
        self.runtime_sort = runtime_sort
        self.runtime_param_override = runtime_param_override
        self.regional_settings = regional_settings
        self.request_options = request_options

    def execute(self, context: Context) -> dict[str, Any]:
        """Request the report and stream its body to a file; return where, how big, and its type."""
        kind, file_format, body = self._request()
        name = self.file_name or self.metadata_identifier
        self.check_output(self.output_path, f"{name}.{file_format}")

        def save(chunks: Iterator[bytes]) -> dict[str, Any]:
            head, stream = with_head(chunks)
            ext = extension(file_format, head)
            written = storage.write_chunks(storage.child(self.output_path, f"{name}.{ext}"), stream)
            return {"uri": written.uri, "bytes": written.bytes, "content_type": CONTENT_TYPES[ext]}

        with self.hook() as hook:
            self.record_thoughtspot_object(context, hook.settings.base_url, kind, self.metadata_identifier)
            saved = hook.download(
                REPORT_ROUTES[kind],
                save,
                json=body,
                headers={"Accept": "application/octet-stream, application/json"},
            )
        self.log.info(
            "Saved the %s report of %s: %s (%d bytes)",
            file_format.upper(),
            name,
            saved["uri"],
            saved["bytes"],
        )
        self.record_lineage(outputs=[file_dataset(saved["uri"])])
        return saved

    def _request(self) -> tuple[str, str, dict[str, Any]]:
        kind = str(self.metadata_type).upper()
        if kind not in REPORT_ROUTES:
            raise self.bad_argument("metadata_type", f"is {self.metadata_type!r}", "pass LIVEBOARD or ANSWER")
        if not self.metadata_identifier or not isinstance(self.metadata_identifier, str):
            raise self.bad_argument(
                "metadata_identifier", "is empty", f"pass the {kind.title()}'s GUID or name"
            )
        file_format = str(self.file_format or DEFAULT_FORMAT[kind]).lower()
        if file_format not in ("pdf", "png", "csv", "xlsx"):
            raise self.bad_argument("file_format", f"is {self.file_format!r}", "pass PDF, PNG, CSV or XLSX")
        fields: dict[str, Any] = {
            "metadata_identifier": self.metadata_identifier,
            "file_format": file_format.upper(),
            "visualization_identifiers": self.visualization_identifiers,
            "tab_identifiers": self.tab_identifiers,
            "pdf_options": self.pdf_options,
            "png_options": self.png_options,
            "runtime_filter": self.runtime_filter,
            "runtime_sort": self.runtime_sort,
            "runtime_param_override": self.runtime_param_override,
            "regional_settings": self.regional_settings,
        }
        if kind == "ANSWER":
            for field in LIVEBOARD_ONLY:
                if fields.pop(field) is not None:
                    raise self.bad_argument(
                        field, "applies to Liveboard reports only", "drop it for an Answer"
                    )
        return kind, file_format, self.request_body(fields, self.request_options)
