"""What every data-ops operator shares: the connection, a login task's session, and argument errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_tssession import storage
from airflow_provider_tssession._compat import BaseOperator
from airflow_provider_tssession.exceptions import ThoughtSpotArgumentError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.paging import check_page_size

if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_CONN_ID = ThoughtSpotHook.default_conn_name
RUNTIME_OVERRIDES = ("runtime_filter", "runtime_sort", "runtime_param_override", "request_options")
"""Arguments the report and data operators share: the route's overrides, and any other body field."""
JSON_RENDERERS = {field: "json" for field in RUNTIME_OVERRIDES}


class ThoughtSpotBaseOperator(BaseOperator):
    """Base of the ThoughtSpot task operators; subclasses add their arguments and ``execute()``.

    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    :param session_handle: A ``ThoughtSpotLoginOperator``'s output, to reuse its session instead of
        logging in and out around this task.
    """

    template_fields: Sequence[str] = ("thoughtspot_conn_id", "session_handle")
    ui_color = "#2770EF"

    def __init__(
        self, *, thoughtspot_conn_id: str = DEFAULT_CONN_ID, session_handle: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.thoughtspot_conn_id = thoughtspot_conn_id
        self.session_handle = session_handle

    def hook(self) -> ThoughtSpotHook:
        """Return a hook on this task's connection (and the login task's session, if given)."""
        return ThoughtSpotHook(self.thoughtspot_conn_id, session_handle=self.session_handle)

    def request_body(
        self, fields: dict[str, Any], request_options: Any, *, reserved: Sequence[str] = ()
    ) -> dict[str, Any]:
        """Return a route's body: ``fields`` that are set, then ``request_options`` for anything else.

        ``request_options`` may not set what the operator sets itself (``fields``, ``reserved``), so two
        arguments never fight over one body field.
        """
        options = request_options or {}
        if not isinstance(options, dict):
            raise self.bad_argument(
                "request_options", f"is a {type(options).__name__}", "pass a dict of other body fields"
            )
        clash = sorted(set(options) & {*fields, *reserved})
        if clash:
            raise self.bad_argument(
                "request_options",
                f"sets {', '.join(clash)}, which this operator sets itself",
                "pass them as the operator's own arguments (paging fields are set by page_size)",
            )
        return {**{key: value for key, value in fields.items() if value is not None}, **options}

    def check_page_size(self, page_size: Any, field: str = "page_size") -> None:
        """Refuse a page size that is not a whole number >= 1 (ThoughtSpot reads -1 as "everything")."""
        try:
            check_page_size(page_size)
        except ValueError as error:
            raise self.bad_argument(field, str(error), "pass a whole number >= 1, e.g. 1000") from None

    def check_output(self, output_path: Any, file_name: str) -> None:
        """Refuse an unusable ``output_path`` or a ``file_name`` that is not one plain path segment."""
        try:
            storage.resolve(output_path)
        except ValueError as error:
            raise self.bad_argument(
                "output_path", str(error), "pass a local directory or a URI such as s3://bucket/prefix"
            ) from None
        try:
            storage.child(output_path, file_name)
        except ValueError as error:
            raise self.bad_argument("file_name", str(error), "pass a plain name, without / or ..") from None

    def bad_argument(self, field: str, problem: str, fix: str) -> ThoughtSpotArgumentError:
        """Return the error for an unusable argument, naming this task, the argument and the fix."""
        return ThoughtSpotArgumentError(self.task_id, field, problem, fix)
