"""ThoughtSpotMetadataSearchOperator: every page of ``/metadata/search``, as a list for ``.expand()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_tssession.operators.base import ThoughtSpotBaseOperator

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow_provider_tssession._compat import Context

METADATA_SEARCH = "/api/rest/2.0/metadata/search"
PAGING_FIELDS = ("record_offset", "record_size")


class ThoughtSpotMetadataSearchOperator(ThoughtSpotBaseOperator):
    """Search ThoughtSpot's objects and return ``[{"id", "name", "type"}, ...]``, every page read.

    The list feeds dynamic task mapping, e.g. ``export.expand(metadata_identifier=...)`` after a
    ``.map(lambda o: o["id"])``. Each page is one read-only request, retried on its own.

    :param metadata: What to find: a list of ``{"type", "identifier", "name_pattern", ...}`` as the route
        takes it (``name_pattern`` uses ``%`` as wildcard); an empty list finds every object.
    :param page_size: Objects per request (``record_size``); ``-1`` is never sent.
    :param request_options: Other body fields of ``/metadata/search`` (``sort_options``,
        ``tag_identifiers``, ``include_hidden_objects``...).
    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    :param session_handle: A ``ThoughtSpotLoginOperator``'s output, to reuse its session.
    """

    template_fields: Sequence[str] = (*ThoughtSpotBaseOperator.template_fields, "metadata", "request_options")
    template_fields_renderers: ClassVar[dict[str, str]] = {"metadata": "json", "request_options": "json"}

    def __init__(
        self,
        *,
        metadata: list[dict[str, Any]],
        page_size: int = 500,
        request_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.metadata = metadata
        self.page_size = page_size
        self.request_options = request_options

    def execute(self, context: Context) -> list[dict[str, Any]]:
        """Read every page and return one small dict per object found."""
        if not isinstance(self.metadata, list) or not all(isinstance(m, dict) for m in self.metadata):
            raise self.bad_argument(
                "metadata",
                f"is {self.metadata!r}",
                'pass a list of dicts such as [{"type": "LIVEBOARD", "name_pattern": "Sales%"}]',
            )
        self.check_page_size(self.page_size)
        body = self.request_body({"metadata": self.metadata}, self.request_options, reserved=PAGING_FIELDS)
        with self.hook() as hook:
            found = [
                {
                    "id": item.get("metadata_id"),
                    "name": item.get("metadata_name"),
                    "type": item["metadata_type"],
                }
                for item in hook.paginate(METADATA_SEARCH, body, page_size=self.page_size)
            ]
        self.log.info("Found %d object(s) in %s", len(found), hook.settings.host)
        return found
