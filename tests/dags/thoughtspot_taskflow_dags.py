"""DAGs for the @task.thoughtspot tests: a function that fails after a call, and a rejected login with retries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import task
    from airflow.models.dag import DAG

START = datetime(2026, 1, 1)


@task.thoughtspot
def fail_after_a_call(ts: Any) -> None:
    ts.request("GET", "/tspublic/v1/session/info")
    raise RuntimeError("work failed on purpose")


@task.thoughtspot(thoughtspot_conn_id="thoughtspot_wrong", retries=2, retry_delay=timedelta(0))
def with_a_wrong_password(ts: Any) -> None:
    ts.request("GET", "/tspublic/v1/session/info")


@task.thoughtspot(multiple_outputs=True)
def describe(ts: Any, answer: str) -> dict[str, Any]:
    return {"user": ts.request("GET", "/tspublic/v1/session/info").json()["userName"], "answer": answer}


with DAG("ts_taskflow_failing", schedule=None, start_date=START, catchup=False):
    fail_after_a_call()

with DAG("ts_taskflow_wrong_password", schedule=None, start_date=START, catchup=False):
    with_a_wrong_password()

with DAG("ts_taskflow_templates", schedule=None, start_date=START, catchup=False):
    describe(answer="{{ dag_run.run_id }}")
    describe.override(task_id="positional")("{{ dag_run.run_id }}")  # goes to `answer`, not to `ts`
