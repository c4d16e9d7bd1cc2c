"""One DAG per authentication method, each on its own connection: log in once, work in three tasks, log out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.operators.thoughtspot import (
    ThoughtSpotApiOperator,
    ThoughtSpotLoginOperator,
    ThoughtSpotLogoutOperator,
)

START = datetime(2026, 1, 1)
METHODS = ("v1_session", "v2_session", "token", "token_secret", "trusted")


@task
def whoami(handle: Any, conn_id: str) -> str:
    with ThoughtSpotHook(conn_id, session_handle=handle) as ts:
        return str(ts.request("GET", "/tspublic/v1/session/info").json()["userName"])


for method in METHODS:
    conn_id = f"ts_{method}"
    with DAG(f"ts_auth_{method}", schedule=None, start_date=START, catchup=False):
        login = ThoughtSpotLoginOperator(task_id="login", thoughtspot_conn_id=conn_id)
        v1_call = ThoughtSpotApiOperator(
            task_id="v1_call",
            endpoint="/tspublic/v1/metadata/list",
            session_handle=login.output,
            thoughtspot_conn_id=conn_id,
            response_filter=lambda response: len(response.json()["headers"]),
        )
        v2_call = ThoughtSpotApiOperator(
            task_id="v2_call",
            endpoint="/api/rest/2.0/auth/session/user",
            session_handle=login.output,
            thoughtspot_conn_id=conn_id,
            response_filter=lambda response: response.json()["current_org"]["name"],
        )
        logout = ThoughtSpotLogoutOperator(
            task_id="logout", session_handle=login.output, thoughtspot_conn_id=conn_id
        )
        work = [v1_call, v2_call, whoami(login.output, conn_id)]
        login >> work >> logout.as_teardown(setups=login)
