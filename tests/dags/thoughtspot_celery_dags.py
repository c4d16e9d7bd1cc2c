"""DAGs the CeleryExecutor end-to-end test (tests/test_e2e_celery.py) runs on two workers, with faults.

Tasks that must still be running when the test strikes (kills a worker, restarts Redis) wait until
the stand-in lists a user named ``go-<run id>``: the test adds that user through the stand-in once it has
struck, so nothing depends on timing. Each wait polls with the login task's session, so the stand-in
sees which session every attempt used.

The deferred scenario runs the TML import DAG ``ts_tml_import_shared_session`` (thoughtspot_tml_dags.py).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import task
    from airflow.models.dag import DAG

from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.operators.thoughtspot import (
    ThoughtSpotLoginOperator,
    ThoughtSpotLogoutOperator,
)

START = datetime(2026, 1, 1)
HARNESS_ONLY = ["needs-e2e-harness"]
"""Tag of DAGs only the Celery test can drive (it releases their waiting tasks): whole-folder runs skip them."""
WORK_TASKS = 6
USER_LIST = "/tspublic/v1/user/list"
WAIT_LIMIT = 900.0  # seconds; a test that never releases a task still ends


def go_user(run_id: str) -> str:
    """The user whose appearance on the stand-in releases the waiting tasks of run ``run_id``."""
    return f"go-{run_id}"


def listed(hook: ThoughtSpotHook, user: str) -> bool:
    """Whether ThoughtSpot lists ``user`` (one authenticated call on the hook's session)."""
    return user in [entry["name"] for entry in hook.request("GET", USER_LIST).json()]


@task
def work(handle: Any) -> int:
    with ThoughtSpotHook(session_handle=handle) as ts:
        return len(ts.request("GET", "/tspublic/v1/metadata/list").json()["headers"])


@task
def wait_for_go(handle: Any, run_id: str | None = None) -> None:
    """Poll, on the shared session, until the test lists the go user: a task the test catches running."""
    user = go_user(str(run_id))
    deadline = time.monotonic() + WAIT_LIMIT
    with ThoughtSpotHook(session_handle=handle) as ts:
        while not listed(ts, user):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{user} was not listed within {WAIT_LIMIT:.0f} s")
            time.sleep(1)


# Enough work tasks at once that both workers (2 task slots each) must run some.
with DAG("ts_celery_session", schedule=None, start_date=START, catchup=False, tags=HARNESS_ONLY):
    login = ThoughtSpotLoginOperator(task_id="login")
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
    calls = [work.override(task_id=f"work_{n}")(login.output) for n in range(1, WORK_TASKS + 1)]
    login >> calls >> logout.as_teardown(setups=login)

# The test kills the worker that runs `wait_for_go`; the retry runs on the other worker.
with DAG("ts_celery_worker_lost", schedule=None, start_date=START, catchup=False, tags=HARNESS_ONLY):
    login = ThoughtSpotLoginOperator(task_id="login")
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
    wait = wait_for_go.override(retries=1, retry_delay=timedelta(seconds=1))(login.output)
    login >> wait >> logout.as_teardown(setups=login)

# The test restarts Redis (losing everything in it) while `wait_for_go` runs; the work after it needs
# the broker again.
with DAG("ts_celery_broker_restart", schedule=None, start_date=START, catchup=False, tags=HARNESS_ONLY):
    login = ThoughtSpotLoginOperator(task_id="login")
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
    after = [work.override(task_id=f"after_{n}")(login.output) for n in (1, 2)]
    login >> wait_for_go(login.output) >> after >> logout.as_teardown(setups=login)
