"""``example_dags/thoughtspot_session_dag.py`` written with ``HttpOperator``: the parse-cost baseline.

Sharing one login across tasks this way puts the session cookie in XCom in plain text and the password
in the login task's rendered fields: the price of the alternative, kept here only to parse it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.providers.http.hooks.http import HttpHook
from airflow.providers.http.operators.http import HttpOperator
from airflow.sdk import dag, task

HEADERS = {"X-Requested-By": "ThoughtSpot", "Accept": "application/json"}
COOKIE_HEADERS = {**HEADERS, "Cookie": "{{ ti.xcom_pull(task_ids='login') }}"}
V1 = "/callosum/v1/tspublic/v1"


def session_cookie(response: Any) -> str:
    """Keep the login's cookies as one ``Cookie`` header value."""
    return "; ".join(f"{name}={value}" for name, value in response.cookies.items())


@dag(schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["bench", "http"])
def http_session() -> None:
    """Log in once, list answers and users with the same cookie, tag an answer, log out."""
    login = HttpOperator(
        task_id="login",
        http_conn_id="ts_http",
        method="POST",
        endpoint=f"{V1}/session/login",
        data={"username": "{{ conn.ts_http.login }}", "password": "{{ conn.ts_http.password }}"},
        headers=HEADERS,
        response_filter=session_cookie,
    )

    @task
    def count_answers(cookie: Any) -> int:
        hook = HttpHook(method="GET", http_conn_id="ts_http")
        answers = hook.run(f"{V1}/metadata/list", headers={**HEADERS, "Cookie": cookie}).json()
        return len(answers["headers"])

    @task
    def list_users(cookie: Any) -> list[str]:
        hook = HttpHook(method="GET", http_conn_id="ts_http")
        users = hook.run(f"{V1}/user/list", headers={**HEADERS, "Cookie": cookie}).json()
        return [user["name"] for user in users]

    tag_answer = HttpOperator(
        task_id="tag_answer",
        http_conn_id="ts_http",
        method="POST",
        endpoint=f"{V1}/metadata/assigntag",
        data={"id": "answer-1", "tag": "refreshed-by-airflow"},
        headers=COOKIE_HEADERS,
    )
    logout = HttpOperator(
        task_id="logout",
        http_conn_id="ts_http",
        method="POST",
        endpoint=f"{V1}/session/logout",
        headers=COOKIE_HEADERS,
        trigger_rule="all_done",
    )

    (
        login
        >> [count_answers(login.output), list_users(login.output), tag_answer]
        >> logout.as_teardown(setups=login)
    )


http_session()
