"""A single task that logs in, reads its own session info and logs out: the hook as a context manager."""

from __future__ import annotations

from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import dag, task  # type: ignore[attr-defined,no-redef]

from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook


@dag(schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["thoughtspot", "example"])
def thoughtspot_hook() -> None:
    """Log in, call the API, log out, in one task."""

    @task
    def whoami() -> str:
        with ThoughtSpotHook("thoughtspot_default") as ts:
            info = ts.request("GET", "/tspublic/v1/session/info").json()
        return str(info["userName"])

    whoami()


thoughtspot_hook()
