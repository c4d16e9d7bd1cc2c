"""The setup/teardown DAGs under a real scheduler and LocalExecutor: every task in its own process.

dag.test() runs a whole DAG in one process; here the session handle really has to travel through XCom
from the login task's process to the work tasks' and the logout task's processes, as on Celery or
Kubernetes workers. Services: ``airflow api-server`` (the execution API the task processes talk to),
``airflow dag-processor`` and ``airflow scheduler`` with LocalExecutor, on a private AIRFLOW_HOME with its
own SQLite metadata DB; ThoughtSpot is the stand-in in this test process, on 127.0.0.1. The services are
started once for the module; each test triggers one DAG run through the CLI and waits for it.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from airflow_services import AirflowServices, free_port, http_ok, query
from dags.thoughtspot_security_dags import REJECTED_CONNECTIONS
from secrets_audit import sent_cookies

from airflow_provider_tssession.testing import LOGIN_PATH, FakeThoughtSpot
from airflow_provider_tssession.testing.airflow_home import airflow_home_env
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parent.parent
BUNDLES = {"examples": REPO / "example_dags", "test-dags": REPO / "tests" / "dags"}
STARTUP_TIMEOUT = 300.0  # a loaded 2-core machine: each service imports Airflow and parses for a while
RUN_TIMEOUT = 420.0
FINISHED = ("success", "failed")
REJECTED_PASSWORD = "Wrong-Pass-e2e"
RIGHT_PASSWORD = "Right-Pass-e2e"
LOGIN_HEADERS = {"X-Requested-By": "ThoughtSpot", "Content-Type": "application/x-www-form-urlencoded"}


def service_env(home: Path, api_port: int, server: FakeThoughtSpot) -> dict[str, str]:
    """A private Airflow configuration: nothing inherited from the test process's own AIRFLOW_* settings."""
    connection = {"conn_type": "thoughtspot", "host": server.url, "login": DEFAULT_USER}
    password = {"password": DEFAULT_PASSWORD, "extra": {"retry_delay": 0, "timeout": 10}}
    settings = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "2",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "1",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        # The scheduler signs the task processes' tokens, the API server checks them: one secret.
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(64),
        "AIRFLOW_CONN_THOUGHTSPOT_DEFAULT": json.dumps({**connection, **password}),
    }
    for conn_id in REJECTED_CONNECTIONS.values():  # one user each, with a password ThoughtSpot rejects
        rejected = {
            **connection,
            "login": conn_id,
            "password": REJECTED_PASSWORD,
            "extra": {"retry_delay": 0},
        }
        settings[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(rejected)
    return airflow_home_env(home, BUNDLES, settings=settings)


@pytest.fixture(scope="module")
def stand_in() -> Iterator[FakeThoughtSpot]:
    with FakeThoughtSpot(users={DEFAULT_USER: DEFAULT_PASSWORD}) as server:
        yield server


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory, stand_in: FakeThoughtSpot) -> Iterator[AirflowServices]:
    """A migrated metadata DB, then the API server, DAG processor and scheduler; all stopped afterwards."""
    folder = tmp_path_factory.mktemp("e2e")
    services = AirflowServices(service_env(folder / "airflow-home", free_port(), stand_in), folder)
    services.cli("db", "migrate")
    try:
        services.start("api-server", "api-server", "--apps", "execution")
        services.start("dag-processor", "dag-processor")
        services.start("scheduler", "scheduler", "--skip-serve-logs")
        health = services.env["AIRFLOW__API__BASE_URL"] + "/execution/health"
        services.wait_for("the API server", lambda: http_ok(health), STARTUP_TIMEOUT)
        yield services
    finally:
        services.stop()


@pytest.fixture
def thoughtspot(stand_in: FakeThoughtSpot) -> FakeThoughtSpot:
    """The stand-in with nothing counted yet."""
    stand_in.reset()
    return stand_in


class Run:
    """One DAG run triggered through the CLI and followed in the metadata DB until it finished."""

    def __init__(self, airflow: AirflowServices, dag_id: str) -> None:
        self.home = Path(airflow.env["AIRFLOW_HOME"])
        self.database = self.home / "airflow.db"
        self.dag_id = dag_id
        self.run_id = f"e2e-{secrets.token_hex(4)}"
        airflow.wait_for(f"the DAG processor to store {dag_id}", self._dag_stored, STARTUP_TIMEOUT)
        airflow.cli("dags", "trigger", dag_id, "--run-id", self.run_id)
        self.state = airflow.wait_for(f"{dag_id} run {self.run_id} to finish", self._finished, RUN_TIMEOUT)
        rows = self._select("SELECT task_id, state, pid, try_number FROM task_instance")
        self.tasks = {task: state for task, state, _, _ in rows}
        self.pids = {task: pid for task, _, pid, _ in rows}
        self.tries = {task: tries for task, _, _, tries in rows}

    def _select(self, sql: str) -> list[tuple[Any, ...]]:
        return query(self.database, f"{sql} WHERE dag_id = ? AND run_id = ?", self.dag_id, self.run_id)

    def _dag_stored(self) -> bool:
        errors = query(self.database, "SELECT filename, stacktrace FROM import_error")
        if errors:
            pytest.fail(f"the DAG processor could not import a DAG file: {errors}")
        return bool(query(self.database, "SELECT 1 FROM serialized_dag WHERE dag_id = ?", self.dag_id))

    def _finished(self) -> str | None:
        rows = self._select("SELECT state FROM dag_run")
        return rows[0][0] if rows and rows[0][0] in FINISHED else None

    def task_logs(self) -> dict[str, str]:
        """Task id -> the text of its log file(s), as the task processes wrote them."""
        pattern = f"dag_id={self.dag_id}/run_id={self.run_id}/task_id=*/attempt=*.log"
        logs: dict[str, str] = {}
        for path in sorted((self.home / "logs").glob(pattern)):
            task = path.parent.name.removeprefix("task_id=")
            logs[task] = logs.get(task, "") + path.read_text(errors="replace")
        return logs

    def stored_values(self) -> dict[str, str]:
        """Task id -> its XCom values and rendered template fields, as the metadata DB holds them."""
        rows = self._select("SELECT task_id, value FROM xcom")
        rows += self._select("SELECT task_id, rendered_fields FROM rendered_task_instance_fields")
        stored: dict[str, str] = {}
        for task, value in rows:
            stored[task] = stored.get(task, "") + str(value)
        return stored


def assert_own_processes(run: Run, airflow: AirflowServices) -> None:
    """Each task ran in a process of its own: no two share a PID, none is this test or a service."""
    pids = list(run.pids.values())
    assert all(pids) and len(set(pids)) == len(pids), run.pids
    assert not set(pids) & {os.getpid(), *(service.process.pid for service in airflow.services)}


def assert_one_shared_session(server: FakeThoughtSpot) -> None:
    """One login, one logout, and every other call (work and logout) on the login task's JSESSIONID."""
    assert (server.logins, server.logouts, server.active_sessions) == (1, 1, 0)
    assert len({record.session_id for record in server.requests if record.path != LOGIN_PATH}) == 1


def assert_secret_free(run: Run, airflow: AirflowServices, server: FakeThoughtSpot) -> None:
    """No password or cookie value in XCom, rendered fields, or any log file (tasks' and services')."""
    stored = run.stored_values()
    assert "login" in stored  # the sealed handle is there, so the check below has something to read
    texts = [*stored.values()] + [path.read_text(errors="replace") for path in airflow.folder.rglob("*.log")]
    cookies = sent_cookies(server)
    assert cookies
    for secret in (*cookies, DEFAULT_PASSWORD):
        assert not [text for text in texts if secret in text]


def test_example_dag_shares_one_session_across_task_processes(
    airflow: AirflowServices, thoughtspot: FakeThoughtSpot
) -> None:
    run = Run(airflow, "thoughtspot_session")
    assert run.state == "success", run.tasks
    tasks = {"login", "count_answers", "list_users", "tag_answer", "logout"}
    assert run.tasks == dict.fromkeys(tasks, "success")
    assert set(run.task_logs()) == tasks
    assert_own_processes(run, airflow)
    assert_one_shared_session(thoughtspot)
    assert list(thoughtspot.calls_per_session().values()) == [3]
    assert_secret_free(run, airflow, thoughtspot)


def test_a_failing_work_task_in_its_own_process_still_gets_the_logout(
    airflow: AirflowServices, thoughtspot: FakeThoughtSpot
) -> None:
    run = Run(airflow, "ts_failing_work")
    assert run.state == "failed"
    assert run.tasks == {
        "login": "success",
        "list_answers": "success",
        "fail_after_a_call": "failed",
        "logout": "success",
    }
    assert "work failed on purpose" in run.task_logs()["fail_after_a_call"]
    assert_own_processes(run, airflow)
    assert_one_shared_session(thoughtspot)
    assert list(thoughtspot.calls_per_session().values()) == [
        2
    ]  # list_answers, and the call before the failure
    assert_secret_free(run, airflow, thoughtspot)


def test_a_rejected_password_is_sent_once_although_each_task_has_three_retries(
    airflow: AirflowServices, thoughtspot: FakeThoughtSpot
) -> None:
    """Issue 13, item 2: each try would be a new process remembering nothing; the task must not retry."""
    for user in REJECTED_CONNECTIONS.values():
        thoughtspot.add_user(user, RIGHT_PASSWORD)
    run = Run(airflow, "ts_rejected_login_retries")
    assert run.state == "failed"
    assert run.tasks == dict.fromkeys(REJECTED_CONNECTIONS, "failed")
    assert run.tries == dict.fromkeys(REJECTED_CONNECTIONS, 1)  # retries=3, none used
    for user in REJECTED_CONNECTIONS.values():
        rejected = [r for r in thoughtspot.requests if r.path == LOGIN_PATH and user.encode() in r.body]
        assert [r.status for r in rejected] == [401], user
        # The account is not locked: the right password still logs in.
        form = urllib.parse.urlencode({"username": user, "password": RIGHT_PASSWORD}).encode()
        request = urllib.request.Request(thoughtspot.url + LOGIN_PATH, data=form, headers=LOGIN_HEADERS)
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 204, user
    logs = run.task_logs()
    assert all("Not retried, neither now nor by Airflow" in logs[task] for task in REJECTED_CONNECTIONS)
