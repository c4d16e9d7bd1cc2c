"""The DAGs of the logins-per-run benchmark: N work tasks sharing one session vs N tasks with their own hook.

``bench_shared_session_<N>`` is the setup/teardown example (``example_dags/thoughtspot_session_dag.py``)
with N work tasks; ``bench_hook_per_task_<N>`` is the same work where each task builds its own hook, the
pattern ``HttpHook`` and the client libraries force. N comes from ``TS_BENCH_WORK_TASKS`` (``1,10,50``).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.operators.thoughtspot import (
    ThoughtSpotLoginOperator,
    ThoughtSpotLogoutOperator,
)

START = datetime(2026, 1, 1)
WORK_TASKS = [int(n) for n in os.environ.get("TS_BENCH_WORK_TASKS", "1,10,50").split(",")]
ENDPOINT = "/tspublic/v1/metadata/list"


@task
def shared_work(handle: Any) -> int:
    """Adopt the login task's session: no login, no logout."""
    with ThoughtSpotHook(session_handle=handle) as ts:
        return len(ts.request("GET", ENDPOINT).json()["headers"])


@task
def own_hook_work() -> int:
    """Log in, call, log out: what every task must do when sessions cannot be handed over."""
    with ThoughtSpotHook() as ts:
        return len(ts.request("GET", ENDPOINT).json()["headers"])


for n in WORK_TASKS:
    with DAG(f"bench_shared_session_{n}", schedule=None, start_date=START, catchup=False):
        login = ThoughtSpotLoginOperator(task_id="login")
        logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
        work = [shared_work.override(task_id=f"work_{i}")(login.output) for i in range(n)]
        login >> work >> logout.as_teardown(setups=login)

    with DAG(f"bench_hook_per_task_{n}", schedule=None, start_date=START, catchup=False):
        for i in range(n):
            own_hook_work.override(task_id=f"work_{i}")()
