"""The "ThoughtSpot" button on a task: a link to the Liveboard, Answer or model the task acted on.

Operators only record the object (``record_object`` in ``execute()``, XCom key ``thoughtspot_object``);
the link reads that record, as dbt Cloud's link reads ``job_run_url``. So the link needs no connection,
and shows the page on the host the task really talked to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_tssession._compat import BaseOperatorLink

if TYPE_CHECKING:
    from airflow_provider_tssession._compat import BaseOperator, Context
    from airflow_provider_tssession.objects import ThoughtSpotObject

XCOM_KEY = "thoughtspot_object"


def record_object(context: Context, base_url: str, thoughtspot_object: ThoughtSpotObject) -> None:
    """Record the object a task acts on (type, GUID, page URL) for its link; nothing secret goes there."""
    context["ti"].xcom_push(key=XCOM_KEY, value=thoughtspot_object.as_dict(base_url))


class ThoughtSpotObjectLink(BaseOperatorLink):
    """Open the object's page in ThoughtSpot (empty, so greyed out, when the task recorded none)."""

    name = "ThoughtSpot"

    def get_link(self, operator: BaseOperator, *, ti_key: Any) -> str:
        """Return the recorded page URL (Airflow 3 asks on the worker when the task ends; 2.11 in the UI)."""
        from airflow_provider_tssession._compat import XCom

        recorded = XCom.get_value(key=XCOM_KEY, ti_key=ti_key)
        return str(recorded.get("url") or "") if isinstance(recorded, dict) else ""
