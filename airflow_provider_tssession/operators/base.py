"""What every data-ops operator shares: the connection, a login task's session, and argument errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_tssession._compat import BaseOperator
from airflow_provider_tssession.exceptions import ThoughtSpotArgumentError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook

if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_CONN_ID = ThoughtSpotHook.default_conn_name


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

    def bad_argument(self, field: str, problem: str, fix: str) -> ThoughtSpotArgumentError:
        """Return the error for an unusable argument, naming this task, the argument and the fix."""
        return ThoughtSpotArgumentError(self.task_id, field, problem, fix)
