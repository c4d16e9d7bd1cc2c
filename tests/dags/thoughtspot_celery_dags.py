"""DAGs the CeleryExecutor end-to-end test (tests/test_e2e_celery.py) runs on two workers, with faults.

Tasks that must still be running when the test strikes (kills a worker, the triggerer, Redis) wait until
the stand-in lists a user named ``go-<run id>``: the test adds that user through the stand-in once it has
struck, so nothing depends on timing. Each wait polls with the login task's session, so the stand-in
sees which session every attempt used.

``UserListedTrigger`` lives here so that the triggerer can import it: the triggerer's PYTHONPATH holds
this DAG folder, and the trigger names this module (``TRIGGER_MODULE``) as its class path.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

try:  # Airflow 3
    from airflow.sdk import DAG, BaseOperator, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import task
    from airflow.models.baseoperator import BaseOperator
    from airflow.models.dag import DAG
from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.operators.thoughtspot import (
    ThoughtSpotLoginOperator,
    ThoughtSpotLogoutOperator,
)

START = datetime(2026, 1, 1)
TRIGGER_MODULE = "thoughtspot_celery_dags"
WORK_TASKS = 6
USER_LIST = "/tspublic/v1/user/list"
TAG = "/tspublic/v1/metadata/assigntag"
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


class UserListedTrigger(BaseTrigger):
    """Fires once ThoughtSpot lists ``user``; polls with the sealed session handle (nothing else secret)."""

    def __init__(self, *, thoughtspot_conn_id: str, session_handle: Any, user: str) -> None:
        super().__init__()
        self.thoughtspot_conn_id = thoughtspot_conn_id
        self.session_handle = session_handle
        self.user = user

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return f"{TRIGGER_MODULE}.{type(self).__name__}", {
            "thoughtspot_conn_id": self.thoughtspot_conn_id,
            "session_handle": self.session_handle,
            "user": self.user,
        }

    def _listed(self) -> bool:
        with ThoughtSpotHook(self.thoughtspot_conn_id, session_handle=self.session_handle) as ts:
            return listed(ts, self.user)

    async def run(self) -> Any:
        deadline = time.monotonic() + WAIT_LIMIT
        while not await asyncio.to_thread(self._listed):  # the hook blocks: off the event loop
            if time.monotonic() > deadline:
                yield TriggerEvent({"status": "timeout", "user": self.user})
                return
            await asyncio.sleep(1)
        yield TriggerEvent({"status": "listed", "user": self.user})


class SubmitThenDeferOperator(BaseOperator):
    """Changes ThoughtSpot once (tags an answer, as an import would submit a job), then defers until done.

    Re-running ``execute`` would tag again: the stand-in's count of tag calls shows whether a restarted
    triggerer made the task start over.
    """

    template_fields = ("session_handle", "thoughtspot_conn_id")

    def __init__(
        self, *, session_handle: Any, thoughtspot_conn_id: str = "thoughtspot_default", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.session_handle = session_handle
        self.thoughtspot_conn_id = thoughtspot_conn_id

    def execute(self, context: Any) -> None:
        run_id = context["run_id"]
        with ThoughtSpotHook(self.thoughtspot_conn_id, session_handle=self.session_handle) as ts:
            ts.request("POST", TAG, idempotent=False, data={"id": "answer-1", "tag": run_id})
        trigger = UserListedTrigger(
            thoughtspot_conn_id=self.thoughtspot_conn_id,
            session_handle=self.session_handle,
            user=go_user(run_id),
        )
        self.defer(trigger=trigger, method_name="execute_complete")

    def execute_complete(self, context: Any, event: dict[str, Any]) -> str:
        if event.get("status") != "listed":
            raise RuntimeError(f"the remote job did not finish: {event}")
        return str(event["user"])


# Enough work tasks at once that both workers (2 task slots each) must run some.
with DAG("ts_celery_session", schedule=None, start_date=START, catchup=False):
    login = ThoughtSpotLoginOperator(task_id="login")
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
    calls = [work.override(task_id=f"work_{n}")(login.output) for n in range(1, WORK_TASKS + 1)]
    login >> calls >> logout.as_teardown(setups=login)

# The test kills the worker that runs `wait_for_go`; the retry runs on the other worker.
with DAG("ts_celery_worker_lost", schedule=None, start_date=START, catchup=False):
    login = ThoughtSpotLoginOperator(task_id="login")
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
    wait = wait_for_go.override(retries=1, retry_delay=timedelta(seconds=1))(login.output)
    login >> wait >> logout.as_teardown(setups=login)

# The test kills the triggerer while `submit` is deferred, then starts it again.
with DAG("ts_celery_deferred", schedule=None, start_date=START, catchup=False):
    login = ThoughtSpotLoginOperator(task_id="login")
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
    submit = SubmitThenDeferOperator(task_id="submit", session_handle=login.output)
    login >> submit >> logout.as_teardown(setups=login)

# The test restarts Redis (losing everything in it) while `wait_for_go` runs; the work after it needs
# the broker again.
with DAG("ts_celery_broker_restart", schedule=None, start_date=START, catchup=False):
    login = ThoughtSpotLoginOperator(task_id="login")
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
    after = [work.override(task_id=f"after_{n}")(login.output) for n in (1, 2)]
    login >> wait_for_go(login.output) >> after >> logout.as_teardown(setups=login)
