"""``example_dags/thoughtspot_hook_dag.py`` written with ``HttpHook``: the parse-cost benchmark's baseline.

The task logs in with a form POST, carries the session cookie by hand, reads its session info and logs
out, as a user of ``apache-airflow-providers-http`` would write it.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.http.hooks.http import HttpHook
from airflow.sdk import dag, task

HEADERS = {"X-Requested-By": "ThoughtSpot", "Accept": "application/json"}
V1 = "/callosum/v1/tspublic/v1"


@dag(schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["bench", "http"])
def http_hook() -> None:
    """Log in, call the API, log out, in one task."""

    @task
    def whoami() -> str:
        conn = HttpHook.get_connection("ts_http")
        post = HttpHook(method="POST", http_conn_id="ts_http")
        form = {"username": conn.login, "password": conn.password, "rememberme": "false"}
        login = post.run(f"{V1}/session/login", data=form, headers=HEADERS)
        headers = {**HEADERS, "Cookie": "; ".join(f"{k}={v}" for k, v in login.cookies.items())}
        try:
            info = HttpHook(method="GET", http_conn_id="ts_http").run(f"{V1}/session/info", headers=headers)
            return str(info.json()["userName"])
        finally:
            post.run(f"{V1}/session/logout", headers=headers)

    whoami()


http_hook()
