"""One ThoughtSpot login per DAG run, shared by every work task, and a logout that always runs.

The login task returns a sealed session handle (its XCom); work tasks adopt that session on any worker;
the logout task is a teardown, so it runs even when work fails.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

try:  # Airflow 3
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import dag, task  # type: ignore[attr-defined,no-redef]

from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.operators.thoughtspot import (
    ThoughtSpotApiOperator,
    ThoughtSpotLoginOperator,
    ThoughtSpotLogoutOperator,
)


@dag(schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["thoughtspot", "example"])
def thoughtspot_session() -> None:
    """Log in once, list answers and users with the same session, tag an answer, log out."""
    login = ThoughtSpotLoginOperator(task_id="login", thoughtspot_conn_id="thoughtspot_default")

    @task
    def count_answers(handle: Any) -> int:
        with ThoughtSpotHook("thoughtspot_default", session_handle=handle) as ts:
            return len(ts.request("GET", "/tspublic/v1/metadata/list").json()["headers"])

    @task
    def list_users(handle: Any) -> list[str]:
        with ThoughtSpotHook("thoughtspot_default", session_handle=handle) as ts:
            return [user["name"] for user in ts.request("GET", "/tspublic/v1/user/list").json()]

    tag_answer = ThoughtSpotApiOperator(
        task_id="tag_answer",
        method="POST",
        endpoint="/tspublic/v1/metadata/assigntag",
        data={"id": "answer-1", "tag": "refreshed-by-airflow"},
        session_handle=login.output,
    )
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)

    (
        login
        >> [count_answers(login.output), list_users(login.output), tag_answer]
        >> logout.as_teardown(setups=login)
    )


thoughtspot_session()
