"""TaskFlow: ``@task.thoughtspot`` hands the function a logged-in hook as ``ts``, and logs out after it.

With ``session_handle`` the tasks adopt the login task's session: the mapped ``tag`` tasks below (one per
Answer) share one login, and the logout task ends it. Without a handle each task logs in and out itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

try:  # Airflow 3
    from airflow.sdk import dag
except ImportError:  # Airflow 2.11
    from airflow.decorators import dag  # type: ignore[attr-defined,no-redef]

# `thoughtspot_task` is `@task.thoughtspot` under a name whose type tells mypy that Airflow fills in `ts`.
from airflow_provider_tssession.decorators.thoughtspot import thoughtspot_task
from airflow_provider_tssession.operators.thoughtspot import (
    ThoughtSpotLoginOperator,
    ThoughtSpotLogoutOperator,
)

if TYPE_CHECKING:
    from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook


@dag(schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["thoughtspot", "example"])
def thoughtspot_taskflow() -> None:
    """List the Answers, tag each one in a mapped task, all over one session; greet in a task of its own."""
    login = ThoughtSpotLoginOperator(task_id="login", thoughtspot_conn_id="thoughtspot_default")

    @thoughtspot_task(thoughtspot_conn_id="thoughtspot_default", session_handle=login.output)
    def list_answers(ts: ThoughtSpotHook) -> list[str]:
        answers = ts.request("GET", "/tspublic/v1/metadata/list", params={"type": "QUESTION_ANSWER_BOOK"})
        return [header["id"] for header in answers.json()["headers"]]

    @thoughtspot_task(thoughtspot_conn_id="thoughtspot_default", session_handle=login.output)
    def tag(ts: ThoughtSpotHook, guid: str) -> str:
        ts.request("POST", "/tspublic/v1/metadata/assigntag", data={"id": guid, "tag": "refreshed"})
        return guid

    @thoughtspot_task(thoughtspot_conn_id="thoughtspot_default")
    def whoami(ts: ThoughtSpotHook) -> str:
        return str(ts.request("GET", "/tspublic/v1/session/info").json()["userName"])

    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
    tagged = tag.expand(guid=list_answers())
    login >> tagged >> logout.as_teardown(setups=login)
    whoami()


thoughtspot_taskflow()
