"""Operators: log in once per DAG run, call the API with that session, and always log out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_tssession._compat import BaseOperator
from airflow_provider_tssession.exceptions import ThoughtSpotError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.lineage import ThoughtSpotLineageMixin
from airflow_provider_tssession.links import ThoughtSpotObjectLink
from airflow_provider_tssession.objects import ThoughtSpotObject

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import requests

    from airflow_provider_tssession._compat import Context

DEFAULT_CONN_ID = ThoughtSpotHook.default_conn_name


class ThoughtSpotLoginOperator(BaseOperator):
    """Log in to ThoughtSpot and return a sealed session handle for downstream tasks (its XCom).

    Pair it with ``ThoughtSpotLogoutOperator(...).as_teardown(setups=login)`` so the session always
    ends. The handle holds no secret in plain text: see the README's "Session handles" section.

    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    """

    template_fields: Sequence[str] = ("thoughtspot_conn_id",)
    ui_color = "#2770EF"

    def __init__(self, *, thoughtspot_conn_id: str = DEFAULT_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.thoughtspot_conn_id = thoughtspot_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        """Log in and hand the session over to the downstream tasks."""
        return ThoughtSpotHook(self.thoughtspot_conn_id).hand_off_session()


class ThoughtSpotLogoutOperator(BaseOperator):
    """Log out the session of a login task; runs after failures too, and works as a teardown.

    :param session_handle: The login task's output, e.g. ``login.output``.
    :param thoughtspot_conn_id: The connection the login task used.
    """

    template_fields: Sequence[str] = ("thoughtspot_conn_id", "session_handle")
    ui_color = "#2770EF"

    def __init__(
        self,
        *,
        session_handle: Any,
        thoughtspot_conn_id: str = DEFAULT_CONN_ID,
        trigger_rule: str = "all_done",
        **kwargs: Any,
    ) -> None:
        super().__init__(trigger_rule=trigger_rule, **kwargs)
        self.session_handle = session_handle
        self.thoughtspot_conn_id = thoughtspot_conn_id

    def execute(self, context: Context) -> None:
        """Log the session out; an already-ended session is success, any other failure fails the task."""
        if not self.session_handle:
            self.log.info("No session handle (the login task did not hand one over); nothing to log out")
            return
        hook = ThoughtSpotHook(self.thoughtspot_conn_id, session_handle=self.session_handle)
        hook.login()
        hook.logout(strict=True)


class ThoughtSpotApiOperator(ThoughtSpotLineageMixin, BaseOperator):
    """Call one ThoughtSpot REST endpoint and return its JSON (or text) as the task's XCom.

    Shaped like ``HttpOperator`` so it reads familiar; it reuses a login task's session when given
    ``session_handle``, else it logs in and out around the call. Given the object the call is about, the
    task gets a "ThoughtSpot" link to its page and reports it to OpenLineage as an input.

    :param endpoint: A path as ThoughtSpot documents it, e.g. ``/tspublic/v1/metadata/list``.
    :param method: The HTTP method.
    :param data: Form data (v1 endpoints take forms).
    :param json: A JSON body (v2 endpoints take JSON).
    :param query: Query-string parameters (requests calls them ``params``, a name Airflow operators
        already use for DAG params).
    :param headers: Extra request headers.
    :param session_handle: The login task's output, to reuse its session.
    :param response_check: Called with the response; returning False fails the task.
    :param response_filter: Called with the response; its (JSON-serialisable) result is returned.
    :param thoughtspot_object: ``{"type": "LIVEBOARD", "guid": "..."}``, the object the call reads or
        changes (``LIVEBOARD``, ``ANSWER``, ``LOGICAL_TABLE`` or ``CONNECTION``), for the link and lineage.
    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    """

    template_fields: Sequence[str] = (
        "thoughtspot_conn_id",
        "session_handle",
        "endpoint",
        "method",
        "data",
        "json",
        "query",
        "headers",
        "thoughtspot_object",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {
        "json": "json",
        "data": "py",
        "query": "py",
        "headers": "json",
    }
    ui_color = "#2770EF"
    operator_extra_links = (ThoughtSpotObjectLink(),)

    def __init__(
        self,
        *,
        endpoint: str,
        method: str = "GET",
        data: Any = None,
        json: Any = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        session_handle: Any = None,
        response_check: Callable[[requests.Response], bool] | None = None,
        response_filter: Callable[[requests.Response], Any] | None = None,
        thoughtspot_object: dict[str, str] | None = None,
        thoughtspot_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.endpoint = endpoint
        self.method = method
        self.data = data
        self.json = json
        self.query = query
        self.headers = headers
        self.session_handle = session_handle
        self.response_check = response_check
        self.response_filter = response_filter
        self.thoughtspot_object = thoughtspot_object
        self.thoughtspot_conn_id = thoughtspot_conn_id

    def execute(self, context: Context) -> Any:
        """Send the call and return its result."""
        thoughtspot_object = self._object()
        hook = ThoughtSpotHook(self.thoughtspot_conn_id, session_handle=self.session_handle)
        if thoughtspot_object is not None:  # recorded first: the link helps most when the call failed
            self.record_thoughtspot_object(
                context, hook.settings.base_url, thoughtspot_object.type, thoughtspot_object.guid
            )
        with hook:
            response = hook.request(
                self.method,
                self.endpoint,
                data=self.data,
                json=self.json,
                params=self.query,
                headers=self.headers,
            )
        if self.response_check is not None and not self.response_check(response):
            raise ThoughtSpotError(f"response_check rejected the answer of {self.method} {self.endpoint}")
        if self.response_filter is not None:
            return self.response_filter(response)
        return response_body(response)

    def _object(self) -> ThoughtSpotObject | None:
        if self.thoughtspot_object is None:
            return None
        try:
            return ThoughtSpotObject.from_mapping(self.thoughtspot_object)
        except ValueError as error:
            raise ThoughtSpotError(
                f"Task {self.task_id!r}, argument 'thoughtspot_object': {error}. Fix: pass "
                '{"type": "LIVEBOARD", "guid": "<the object\'s GUID>"} (or ANSWER, LOGICAL_TABLE...).'
            ) from None


def response_body(response: requests.Response) -> Any:
    """Return the parsed JSON body, the text of any other body, or None for an empty answer."""
    if not response.content:
        return None
    if "json" in response.headers.get("Content-Type", ""):
        return response.json()
    return response.text
