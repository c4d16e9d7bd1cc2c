"""`make demo`: run each example DAG with `airflow dags test` against the local ThoughtSpot stand-in.

It creates a private AIRFLOW_HOME under .demo/, migrates its SQLite metadata DB, starts the stand-in
(`python -m airflow_provider_tssession.testing`), and prints, per DAG, what ThoughtSpot saw: logins,
logouts and calls per session.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from airflow_provider_tssession.testing.process import stand_in_process

REPO = Path(__file__).resolve().parent.parent
HOME = REPO / ".demo" / "airflow-home"
USER, PASSWORD = "demo-user", "Demo-Pass-4821"
DAGS = ["thoughtspot_hook", "thoughtspot_session", "thoughtspot_taskflow"]


def main() -> int:
    """Run the demo; return the process exit code."""
    shutil.rmtree(HOME, ignore_errors=True)
    HOME.mkdir(parents=True)
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "example_dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }
    airflow = [sys.executable, "-m", "airflow"]
    print("Creating the Airflow metadata DB in", HOME, flush=True)
    subprocess.run([*airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    with stand_in_process({USER: PASSWORD}) as url:
        print("ThoughtSpot stand-in at", url, flush=True)
        connection = {"conn_type": "thoughtspot", "host": url, "login": USER, "password": PASSWORD}
        env["AIRFLOW_CONN_THOUGHTSPOT_DEFAULT"] = json.dumps(connection)
        failed = 0
        for dag_id in DAGS:
            _control(url, "/_fake/reset")
            run = subprocess.run([*airflow, "dags", "test", dag_id], env=env, capture_output=True, text=True)
            log = HOME / f"{dag_id}.log"
            log.write_text(run.stdout + run.stderr)
            failed += run.returncode != 0
            print(_summary(dag_id, run.returncode, _control(url, "/_fake/stats"), log), flush=True)
        return 1 if failed else 0


def _control(url: str, path: str) -> dict[str, Any]:
    method = "GET" if path.endswith("stats") else "POST"
    with urllib.request.urlopen(urllib.request.Request(url + path, method=method), timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else {}


def _summary(dag_id: str, returncode: int, stats: dict[str, Any], log: Path) -> str:
    state = "succeeded" if returncode == 0 else f"FAILED (exit {returncode}, see {log})"
    calls = list(stats["calls_per_session"].values())
    return (
        f"DAG {dag_id}: {state}; ThoughtSpot saw {stats['logins']} login(s), {stats['logouts']} logout(s), "
        f"{len(calls)} session(s) with {calls} call(s) each; {stats['active_sessions']} session(s) left open"
    )


if __name__ == "__main__":
    sys.exit(main())
