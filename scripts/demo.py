"""`make demo`: run each example DAG with `airflow dags test` against the local ThoughtSpot stand-in.

It creates a private AIRFLOW_HOME under .demo/, migrates its SQLite metadata DB, starts the stand-in
(`python -m airflow_provider_tssession.testing`), and prints, per DAG, what ThoughtSpot saw (logins,
logouts and calls per session) and what each task did, read from its XCom: files and bytes written, rows
exported, objects found, users or groups added/updated/deleted. Files go to .demo/exports/.

To show another example DAG, add its id to DAGS (and any stand-in content it needs to SETUP); to
describe a new kind of task result, add a function to DESCRIBE (it gets the XCom value and returns a
line, or None when the value is not its kind).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow_provider_tssession.testing.airflow_home import airflow_home_env, migrate
from airflow_provider_tssession.testing.process import stand_in_process

if TYPE_CHECKING:
    from collections.abc import Callable

REPO = Path(__file__).resolve().parent.parent
HOME = REPO / ".demo" / "airflow-home"
EXPORTS = REPO / ".demo" / "exports"
USER, PASSWORD = "demo-user", "Demo-Pass-4821"
DAGS = [
    "thoughtspot_hook",
    "thoughtspot_session",
    "thoughtspot_taskflow",
    "thoughtspot_reports",
    "thoughtspot_users_sync",
    "thoughtspot_tml_backup",
    "thoughtspot_tml_promotion",
]
SETUP: dict[str, list[tuple[str, dict[str, Any]]]] = {
    # A user who left: not in the HR list, so the sync deletes it.
    "thoughtspot_users_sync": [("/_fake/objects", {"type": "USER", "name": "leaver"})],
}
"""Stand-in control calls (path, JSON body) to make before a DAG runs, so its tasks have something to do."""


def _file(value: Any) -> str | None:
    if isinstance(value, dict) and {"uri", "bytes"} <= value.keys():
        return f"wrote {value['uri']} ({value['bytes']:,} bytes, {value.get('content_type', '?')})"
    return None


def _rows(value: Any) -> str | None:
    if isinstance(value, dict) and {"uris", "row_count"} <= value.keys():
        sampled = "" if value.get("sampling_ratio", 1) == 1 else f", sampling ratio {value['sampling_ratio']}"
        return f"exported {value['row_count']:,} row(s) to {', '.join(value['uris'])}{sampled}"
    return None


def _changes(value: Any) -> str | None:
    if isinstance(value, dict) and {"added", "updated", "deleted"} == value.keys():
        return "; ".join(f"{change} {len(value[change])} {value[change]}" for change in value)
    return None


def _found(value: Any) -> str | None:
    if isinstance(value, list) and all(
        isinstance(v, dict) and {"id", "name", "type"} <= v.keys() for v in value
    ):
        return f"found {len(value)} object(s): {', '.join(str(v['name']) for v in value)}"
    return None


def _exported(value: Any) -> str | None:
    if isinstance(value, dict) and {"output_path", "files", "exported", "failed"} <= value.keys():
        names = ", ".join(uri.rsplit("/", 1)[-1] for uri in value["files"])
        failed = len(value["failed"])
        return f"exported {value['exported']} object(s) to {value['output_path']}: {names}; {failed} failed"
    return None


def _imported(value: Any) -> str | None:
    if isinstance(value, dict) and {"task_status", "objects"} <= value.keys():
        objects = ", ".join(f"{o['name']} ({o['status']})" for o in value["objects"])
        task = f"async task {value['task_id']}" if value.get("task_id") else "sync import"
        return f"TML import, {task}: {value['task_status']}; {len(value['objects'])} object(s): {objects}"
    return None


DESCRIBE: list[Callable[[Any], str | None]] = [_file, _rows, _changes, _found, _exported, _imported]


def main() -> int:
    """Run the demo; return the process exit code."""
    shutil.rmtree(HOME, ignore_errors=True)
    shutil.rmtree(EXPORTS, ignore_errors=True)
    HOME.mkdir(parents=True)
    env = airflow_home_env(HOME, {"examples": REPO / "example_dags"})
    env["THOUGHTSPOT_EXPORT_PATH"] = str(EXPORTS)
    airflow = [sys.executable, "-m", "airflow"]
    print("Creating the Airflow metadata DB in", HOME, flush=True)
    migrate(env)
    # Two stand-ins: "dev" (also thoughtspot_default) and "prod", for the promotion example.
    with stand_in_process({USER: PASSWORD}) as url, stand_in_process({USER: PASSWORD}) as prod_url:
        print("ThoughtSpot stand-ins at", url, "(dev, default) and", prod_url, "(prod)", flush=True)
        for conn_id, host in (("DEFAULT", url), ("DEV", url), ("PROD", prod_url)):
            connection = {"conn_type": "thoughtspot", "host": host, "login": USER, "password": PASSWORD}
            env[f"AIRFLOW_CONN_THOUGHTSPOT_{conn_id}"] = json.dumps(connection)
        env["THOUGHTSPOT_DEMO_POLL_INTERVAL"] = "1"  # the stand-in's imports take a second; 30+ for real
        failed = 0
        for dag_id in DAGS:
            for each in (url, prod_url):
                _control(each, "/_fake/reset")
            for path, body in SETUP.get(dag_id, []):
                _control(url, path, body)
            run = subprocess.run([*airflow, "dags", "test", dag_id], env=env, capture_output=True, text=True)
            log = HOME / f"{dag_id}.log"
            log.write_text(run.stdout + run.stderr)
            failed += run.returncode != 0
            print(_summary(dag_id, run.returncode, _control(url, "/_fake/stats"), log), flush=True)
            prod = _control(prod_url, "/_fake/stats")
            if prod["requests"]:
                print(_summary(f"{dag_id} (prod)", run.returncode, prod, log), flush=True)
            for task_id, line in _what_tasks_did(dag_id):
                print(f"  {task_id}: {line}", flush=True)
        return 1 if failed else 0


def _control(url: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    method = "GET" if path.endswith("stats") else "POST"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = response.read()
    return json.loads(answer) if answer else {}


def _summary(dag_id: str, returncode: int, stats: dict[str, Any], log: Path) -> str:
    state = "succeeded" if returncode == 0 else f"FAILED (exit {returncode}, see {log})"
    calls = list(stats["calls_per_session"].values())
    imports = stats.get("imports_submitted", 0)
    polls = sum(stats.get("status_polls", {}).values())
    return (
        f"DAG {dag_id}: {state}; ThoughtSpot saw {stats['logins']} login(s), {stats['logouts']} logout(s), "
        f"{len(calls)} session(s) with {calls} call(s) each; {stats['active_sessions']} session(s) left open"
        + (f"; {imports} TML import(s), {polls} status poll(s)" if imports else "")
    )


def _what_tasks_did(dag_id: str) -> list[tuple[str, str]]:
    """Describe the return values the DAG's tasks left in the demo's metadata DB (one line each)."""
    with sqlite3.connect(HOME / "airflow.db") as db:
        rows = db.execute(
            "SELECT task_id, map_index, value FROM xcom WHERE dag_id = ? AND key = 'return_value' "
            "ORDER BY task_id, map_index",
            (dag_id,),
        ).fetchall()
    lines = []
    for task_id, map_index, raw in rows:
        value = json.loads(raw) if isinstance(raw, str | bytes) else raw
        value = json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value
        line = next((text for describe in DESCRIBE if (text := describe(value)) is not None), None)
        if line is not None:
            lines.append((task_id if map_index < 0 else f"{task_id}[{map_index}]", line))
    return lines


if __name__ == "__main__":
    sys.exit(main())
