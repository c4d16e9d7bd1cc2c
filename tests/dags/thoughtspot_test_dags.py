"""DAGs the operator tests run with dag.test(): a failing work task, and a session that expires mid-run."""

from __future__ import annotations

import urllib.request
from datetime import datetime
from typing import Any

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import task
    from airflow.models.dag import DAG

from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.operators.thoughtspot import (
    ThoughtSpotApiOperator,
    ThoughtSpotLoginOperator,
    ThoughtSpotLogoutOperator,
)

START = datetime(2026, 1, 1)


@task
def list_answers(handle: Any) -> int:
    with ThoughtSpotHook(session_handle=handle) as ts:
        return len(ts.request("GET", "/tspublic/v1/metadata/list").json()["headers"])


@task
def fail_after_a_call(handle: Any) -> None:
    with ThoughtSpotHook(session_handle=handle) as ts:
        ts.request("GET", "/tspublic/v1/session/info")
    raise RuntimeError("work failed on purpose")


@task
def expire_all_sessions(handle: Any) -> None:
    """Ask the stand-in's control plane to end every session, as an idle timeout would."""
    with ThoughtSpotHook(session_handle=handle) as ts:
        base = ts.settings.base_url
    urllib.request.urlopen(urllib.request.Request(base + "/_fake/expire", method="POST"), timeout=5).close()


with DAG("ts_failing_work", schedule=None, start_date=START, catchup=False):
    login = ThoughtSpotLoginOperator(task_id="login")
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
    login >> [list_answers(login.output), fail_after_a_call(login.output)] >> logout.as_teardown(setups=login)

with DAG("ts_expiring_session", schedule=None, start_date=START, catchup=False):
    login = ThoughtSpotLoginOperator(task_id="login")
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
    before = list_answers.override(task_id="before")(login.output)
    expire = expire_all_sessions(login.output)
    after = list_answers.override(task_id="after")(login.output)
    login >> before >> expire >> after >> logout.as_teardown(setups=login)

with DAG("ts_api_operator", schedule=None, start_date=START, catchup=False, params={"kind": "LOGICAL_TABLE"}):
    login = ThoughtSpotLoginOperator(task_id="login")
    shared = ThoughtSpotApiOperator(
        task_id="shared",
        endpoint="/tspublic/v1/metadata/list",
        query={"type": "{{ params.kind }}"},
        session_handle=login.output,
        response_filter=lambda response: [h["name"] for h in response.json()["headers"]],
    )
    own = ThoughtSpotApiOperator(task_id="own", endpoint="/api/rest/2.0/auth/session/user")
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
    login >> [shared, own] >> logout.as_teardown(setups=login)
