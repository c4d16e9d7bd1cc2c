"""DAGs of the security tests (issue 13): a rejected login under Airflow retries, and a failure callback.

`ts_rejected_login_retries`: each kind of task, its own user, `retries=3` as in default_args. Each try of
a task runs in a new process under a real executor, so only the task failing without its retries keeps
ThoughtSpot from seeing the rejected password four times (and locking the account).
`ts_failure_callback`: a failing call whose `on_failure_callback` writes what it received (as a notifier
would forward it) to the file named by TS_CALLBACK_RECORD.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from typing import Any

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import task
    from airflow.models.dag import DAG

from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.operators.thoughtspot import ThoughtSpotApiOperator, ThoughtSpotLoginOperator

REJECTED_CONNECTIONS = {
    "login": "ts_rejected_login",
    "api": "ts_rejected_api",
    "hook_task": "ts_rejected_hook",
}
"""Task id -> a connection whose password ThoughtSpot rejects (the test defines them, one user each)."""


def record_failure(context: Any) -> None:
    """Write the failure as a notifier would see it: str, repr and args of the exception."""
    error = context["exception"]
    texts = [str(error), repr(error), *map(str, error.args), str(getattr(error, "server_message", ""))]
    with open(os.environ["TS_CALLBACK_RECORD"], "a", encoding="utf-8") as record:
        record.write(json.dumps(texts) + "\n")


@task
def hook_task(conn_id: str) -> None:
    with ThoughtSpotHook(conn_id) as ts:
        ts.request("GET", "/tspublic/v1/session/info")


with DAG(
    "ts_rejected_login_retries",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args={"retries": 3, "retry_delay": timedelta(seconds=0)},
):
    ThoughtSpotLoginOperator(task_id="login", thoughtspot_conn_id=REJECTED_CONNECTIONS["login"])
    ThoughtSpotApiOperator(
        task_id="api", endpoint="/tspublic/v1/session/info", thoughtspot_conn_id=REJECTED_CONNECTIONS["api"]
    )
    hook_task(REJECTED_CONNECTIONS["hook_task"])

with DAG("ts_failure_callback", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    ThoughtSpotApiOperator(
        task_id="call",
        endpoint="/tspublic/v1/session/info",
        thoughtspot_conn_id="ts_echoing_gateway",
        on_failure_callback=record_failure,
    )

with DAG(
    "ts_templated_endpoint",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"endpoint": "/tspublic/v1/session/info"},
):
    ThoughtSpotApiOperator(task_id="call", endpoint="{{ params.endpoint }}")
