"""One session per DAG run on CeleryExecutor: two workers, PostgreSQL, Redis, and the faults they bring.

The engine users scale out on, all real and on loopback: a throwaway PostgreSQL cluster (metadata DB and
Celery result backend), Redis (the broker), ``airflow api-server`` (the execution API), ``scheduler`` with
CeleryExecutor, ``dag-processor``, ``triggerer`` and two ``airflow celery worker`` s. Each worker has its own
AIRFLOW_HOME, HOME, TMPDIR, working directory and hostname (a ``hostname_callable`` of its own, so
``TaskInstance.hostname`` tells them apart); the only files they share are the DAG bundle. ThoughtSpot is
the stand-in in this test process. One cluster serves every test (module fixture); a test that killed a
service leaves it to the ``celery`` fixture to start it again for the next one (the worker test comes
last, so that in a full run no worker has to start twice).

What is asserted is what ThoughtSpot saw: logins, logouts, submissions, and which session each call used.
The DAGs are in tests/dags/thoughtspot_celery_dags.py (a task the test must catch running waits until the
stand-in lists the run's "go" user, which the test adds once it has struck) and, for the deferred TML
import, ``ts_tml_import_shared_session`` in tests/dags/thoughtspot_tml_dags.py (the stand-in's import
runs long enough for the test to kill the triggerer while the task is deferred).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil
import pytest
from airflow_services import (
    AirflowServices,
    PostgresCluster,
    assert_free_of_secrets,
    assert_one_shared_session,
    free_port,
    http_ok,
    log_texts,
    redis_ping,
    start_postgres,
    start_redis,
)
from cryptography.fernet import Fernet

from airflow_provider_tssession.testing import USER_LIST_PATH, FakeThoughtSpot
from airflow_provider_tssession.testing.airflow_home import airflow_home_env
from airflow_provider_tssession.testing.catalog import DEFAULT_MODEL_ID
from airflow_provider_tssession.testing.paths import TML_ASYNC_IMPORT_PATH, TML_ASYNC_STATUS_PATH
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parent.parent
DAGS = REPO / "tests" / "dags"
STARTUP_TIMEOUT = 300.0  # a loaded 2-core machine: each service imports Airflow and parses for a while
RUN_TIMEOUT = 420.0
FINISHED = ("success", "failed")
WORKERS = ("worker-1", "worker-2")
WORKER_READY = "ready."  # Celery's last start-up line: "celery@worker-1... ready."
# A new Answer on the stand-in's sample Model: what the deferrable TML import DAG imports.
ANSWER_TML = json.dumps(
    {
        "answer": {
            "name": "E2E answer",
            "tables": [{"fqn": DEFAULT_MODEL_ID}],
            "search_query": "[Region] [Sales]",
        }
    }
)
# The stand-in's import when the test kills the triggerer: it runs until the test finishes it
# (finish_async_imports), so the kill always finds it deferred, however slow the machine.
IMPORT_SECONDS = 3600.0
TASK_HEARTBEAT_TIMEOUT = 20  # seconds without a task heartbeat before the scheduler fails the attempt


# Settings every component shares (the README's "Running on Celery or Kubernetes" lists them).
def shared_env(
    home: Path, api_port: int, database: PostgresCluster, redis_port: int, server: FakeThoughtSpot
) -> dict[str, str]:
    """A private Airflow configuration: nothing inherited from the test process's own AIRFLOW_* settings."""
    connection = {
        "conn_type": "thoughtspot",
        "host": server.url,
        "login": DEFAULT_USER,
        "password": DEFAULT_PASSWORD,
        "extra": {"retry_delay": 0, "timeout": 10},
    }
    api = f"http://127.0.0.1:{api_port}"
    settings = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # only the runs a test triggers
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database.url,
        "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{database.url}",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "AIRFLOW__API__BASE_URL": api,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api}/execution/",
        # One set of secrets for every component: the scheduler signs task tokens, the API server checks
        # them; the Fernet key encrypts connections and trigger arguments in the metadata DB.
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(64),
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        # Notice a lost worker in about 20 s (default 300 s) and a lost triggerer in about 10 s.
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(TASK_HEARTBEAT_TIMEOUT),
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "2",
        "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "10",
        # The connection comes from a secrets backend (here: environment variables) on every component.
        "AIRFLOW_CONN_THOUGHTSPOT_DEFAULT": json.dumps(connection),
    }
    return airflow_home_env(home, {"test-dags": DAGS}, settings=settings)


def worker_env(shared: dict[str, str], root: Path, name: str) -> dict[str, str]:
    """A worker's own AIRFLOW_HOME, HOME and TMPDIR under ``root``, and a hostname_callable naming it."""
    folders = {part: root / part for part in ("airflow-home", "home", "tmp", "work", "python")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    # Two workers on one machine share its hostname: this function is how TaskInstance.hostname differs.
    (folders["python"] / "e2e_worker_hostname.py").write_text(
        f"def hostname() -> str:\n    return {hostname(name)!r}\n"
    )
    return {
        **shared,
        "AIRFLOW_HOME": str(folders["airflow-home"]),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(folders["airflow-home"] / "logs"),
        "HOME": str(folders["home"]),
        "TMPDIR": str(folders["tmp"]),
        "PYTHONPATH": str(folders["python"]),
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "e2e_worker_hostname.hostname",
    }


def hostname(worker: str) -> str:
    """What ``worker`` reports as its hostname."""
    return f"{worker}.celery.test"


@dataclass
class CeleryCluster:
    """The running services (PostgreSQL and Redis too) and where to read the metadata DB."""

    services: AirflowServices
    database: PostgresCluster
    redis_port: int
    ready_from: dict[str, int]  # worker -> output offset where its latest start began

    def start_worker(self, name: str, env: dict[str, str]) -> None:
        """Start a worker: 2 task slots, Celery name ``name@<host>``, in its own working directory."""
        self.ready_from[name] = 0
        self.services.start(
            name,
            "celery", "worker", "--celery-hostname", f"{name}@%h", "--concurrency", "2",
            "--skip-serve-logs", "--without-gossip", "--without-mingle",
            env=env, cwd=Path(env["AIRFLOW_HOME"]).parent / "work",
        )  # fmt: skip

    def wait_until_ready(self) -> None:
        """Wait for the API server and for every worker to be consuming tasks."""
        health = self.services.env["AIRFLOW__API__BASE_URL"] + "/execution/health"
        self.services.wait_for("the API server", lambda: http_ok(health), STARTUP_TIMEOUT)
        for name in WORKERS:
            worker = self.services[name]
            self.services.wait_for(
                f"{name} to be ready",
                lambda worker=worker, name=name: worker.printed(WORKER_READY, self.ready_from[name]),
                STARTUP_TIMEOUT,
            )

    def restart_killed(self) -> None:
        """Start again whatever a test killed on purpose, and wait until it works."""
        for service in [service for service in self.services.services if service.killed]:
            if service.name in WORKERS:  # its "ready." line is the next one after what it printed so far
                self.ready_from[service.name] = service.output.stat().st_size
            self.services.restart(service.name)
        self.services.wait_for("Redis to answer PING", lambda: redis_ping(self.redis_port), STARTUP_TIMEOUT)
        self.wait_until_ready()


@pytest.fixture(scope="module")
def started_celery(
    tmp_path_factory: pytest.TempPathFactory, stand_in: FakeThoughtSpot
) -> Iterator[CeleryCluster]:
    """PostgreSQL, Redis, then Airflow's services and two workers; everything stopped afterwards."""
    folder = tmp_path_factory.mktemp("celery")
    services = AirflowServices({}, folder)
    database: PostgresCluster | None = None
    try:
        database = start_postgres(services, STARTUP_TIMEOUT)
        redis_port = start_redis(services, STARTUP_TIMEOUT)
        services.env = shared_env(folder / "airflow-home", free_port(), database, redis_port, stand_in)
        services.cli("db", "migrate")
        cluster = CeleryCluster(services, database, redis_port, {})
        services.start("api-server", "api-server", "--apps", "execution", "--workers", "1")
        services.start("dag-processor", "dag-processor")
        services.start("scheduler", "scheduler", "--skip-serve-logs")
        services.start("triggerer", "triggerer", "--skip-serve-logs")
        for name in WORKERS:
            cluster.start_worker(name, worker_env(services.env, folder / name, name))
        cluster.wait_until_ready()
        yield cluster
    finally:
        services.stop()
        if database is not None:
            shutil.rmtree(database.directory, ignore_errors=True)


@pytest.fixture
def celery(started_celery: CeleryCluster) -> CeleryCluster:
    """The cluster with every service running (again, after a test killed one)."""
    started_celery.restart_killed()
    return started_celery


@dataclass(frozen=True)
class Attempt:
    """A task instance (or one of its earlier tries), as the metadata DB holds it."""

    state: str | None
    hostname: str | None
    try_number: int
    pid: int | None = None


class Run:
    """One DAG run triggered through the CLI and followed in the metadata DB."""

    def __init__(self, cluster: CeleryCluster, dag_id: str, conf: dict[str, Any] | None = None) -> None:
        self.cluster = cluster
        self.dag_id = dag_id
        self.run_id = f"e2e-{secrets.token_hex(4)}"
        cluster.services.wait_for(f"the DAG processor to store {dag_id}", self._dag_stored, STARTUP_TIMEOUT)
        cluster.services.cli(
            "dags", "trigger", dag_id, "--run-id", self.run_id, "--conf", json.dumps(conf or {})
        )

    def _select(self, sql: str) -> list[tuple[Any, ...]]:
        where = " WHERE dag_id = %s AND run_id = %s"
        return self.cluster.database.query(sql + where, self.dag_id, self.run_id)

    def _dag_stored(self) -> bool:
        errors = self.cluster.database.query("SELECT filename, stacktrace FROM import_error")
        if errors:
            pytest.fail(f"the DAG processor could not import a DAG file: {errors}")
        return bool(
            self.cluster.database.query("SELECT 1 FROM serialized_dag WHERE dag_id = %s", self.dag_id)
        )

    def tasks(self) -> dict[str, Attempt]:
        """Task id -> its latest attempt."""
        rows = self._select("SELECT task_id, state, hostname, try_number, pid FROM task_instance")
        return {task: Attempt(state, host or None, tries, pid) for task, state, host, tries, pid in rows}

    def earlier_attempts(self, task_id: str) -> list[Attempt]:
        """The attempts of ``task_id`` before its latest, oldest first."""
        rows = self.cluster.database.query(
            "SELECT state, hostname, try_number FROM task_instance_history"
            " WHERE dag_id = %s AND run_id = %s AND task_id = %s ORDER BY try_number",
            self.dag_id,
            self.run_id,
            task_id,
        )
        return [Attempt(*row) for row in rows]

    def wait_for_task(self, task_id: str, state: str, also: Callable[[], bool] | None = None) -> Attempt:
        """Wait until ``task_id`` is in ``state`` (and ``also()`` holds); return that attempt."""

        def reached() -> Attempt | None:
            attempt = self.tasks().get(task_id)
            if attempt is None or attempt.state != state:
                return None
            return attempt if also is None or also() else None

        found: Attempt = self.cluster.services.wait_for(f"{task_id} to be {state}", reached, RUN_TIMEOUT)
        return found

    def wait_until_finished(self) -> str:
        """Wait for the run to succeed or fail; return its state."""

        def finished() -> str | None:
            rows = self._select("SELECT state FROM dag_run")
            return rows[0][0] if rows and rows[0][0] in FINISHED else None

        state: str = self.cluster.services.wait_for(
            f"{self.dag_id} {self.run_id} to finish", finished, RUN_TIMEOUT
        )
        return state

    def stored_values(self) -> list[str]:
        """The run's XCom values and rendered template fields, as the metadata DB holds them."""
        rows = self._select("SELECT value FROM xcom")
        rows += self._select("SELECT rendered_fields FROM rendered_task_instance_fields")
        return [str(value) for (value,) in rows]

    def caught_waiting(self, server: FakeThoughtSpot) -> Attempt:
        """Wait until ``wait_for_go`` runs and has polled the stand-in: the moment for the test to strike."""
        return self.wait_for_task("wait_for_go", "running", also=lambda: polled(server))

    def release(self, server: FakeThoughtSpot) -> None:
        """List the run's go user: its waiting task (or trigger) finishes at its next poll."""
        server.add_user(f"go-{self.run_id}", secrets.token_urlsafe(16))


def gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie waiting for its new parent to reap it has ended too)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def polled(server: FakeThoughtSpot, path: str = USER_LIST_PATH, after: float = 0.0) -> bool:
    """Whether ``path`` was asked for (by default: a poll for the go user) since ``after`` (epoch seconds)."""
    return any(record.path == path and record.time > after for record in server.requests)


def test_work_spreads_over_both_workers_on_one_session(
    celery: CeleryCluster, thoughtspot: FakeThoughtSpot
) -> None:
    run = Run(celery, "ts_celery_session")
    assert run.wait_until_finished() == "success", run.tasks()
    tasks = run.tasks()
    assert {task: attempt.state for task, attempt in tasks.items()} == dict.fromkeys(tasks, "success")
    work_hosts = {attempt.hostname for task, attempt in tasks.items() if task.startswith("work_")}
    assert work_hosts == {hostname(worker) for worker in WORKERS}
    assert_one_shared_session(thoughtspot)
    texts = [*run.stored_values(), *log_texts(celery.services.folder)]
    assert any("thoughtspot_session" in text for text in texts)  # the sealed handle is in XCom
    assert_free_of_secrets(texts, thoughtspot, DEFAULT_PASSWORD)


def import_run(celery: CeleryCluster, server: FakeThoughtSpot, seconds: float) -> Run:
    """Start the deferrable TML import DAG (login, import on the shared session, logout) with one Answer's
    TML; the stand-in's import task takes ``seconds``."""
    server.async_import_seconds = seconds
    return Run(celery, "ts_tml_import_shared_session", conf={"tmls": [ANSWER_TML]})


def assert_imported_once(run: Run, server: FakeThoughtSpot) -> None:
    """The run succeeded, the import was sent once (one try, one POST) and every call shared one session."""
    assert run.wait_until_finished() == "success", run.tasks()
    imported = run.tasks()["import_tml"]
    assert (imported.state, imported.try_number) == ("success", 1)
    assert server.count(TML_ASYNC_IMPORT_PATH, "POST") == 1
    assert_one_shared_session(server)


def test_the_deferred_tml_import_completes_with_one_submission(
    celery: CeleryCluster, thoughtspot: FakeThoughtSpot
) -> None:
    run = import_run(celery, thoughtspot, seconds=1)
    assert_imported_once(run, thoughtspot)
    assert polled(thoughtspot, TML_ASYNC_STATUS_PATH)  # the triggerer waited for it, not a worker


def test_the_triggerer_killed_while_an_import_is_deferred_it_completes_once(
    celery: CeleryCluster, thoughtspot: FakeThoughtSpot
) -> None:
    run = import_run(celery, thoughtspot, seconds=IMPORT_SECONDS)
    run.wait_for_task("import_tml", "deferred", also=lambda: polled(thoughtspot, TML_ASYNC_STATUS_PATH))
    celery.services["triggerer"].kill_tree()  # the triggerer and its trigger runner process
    killed_at = time.time()  # the stand-in stamps each request's arrival with time.time()
    still = run.tasks()["import_tml"].state
    assert still == "deferred", f"the import ended before the kill ({still})"
    celery.services.restart("triggerer")
    # The new triggerer takes the trigger over (once the dead one's heartbeat is stale) and polls again.
    celery.services.wait_for(
        "the new triggerer to poll the import",
        lambda: polled(thoughtspot, TML_ASYNC_STATUS_PATH, after=killed_at),
        RUN_TIMEOUT,
    )
    thoughtspot.finish_async_imports()
    assert_imported_once(run, thoughtspot)


def test_redis_restarted_mid_run_celery_reconnects(
    celery: CeleryCluster, thoughtspot: FakeThoughtSpot
) -> None:
    run = Run(celery, "ts_celery_broker_restart")
    run.caught_waiting(thoughtspot)
    celery.services["redis"].kill_tree()  # and with it every message it held: it keeps nothing on disk
    celery.services.restart("redis")
    celery.services.wait_for("Redis to answer PING", lambda: redis_ping(celery.redis_port), STARTUP_TIMEOUT)
    run.release(thoughtspot)

    assert run.wait_until_finished() == "success", run.tasks()
    assert {attempt.state for attempt in run.tasks().values()} == {"success"}
    assert_one_shared_session(thoughtspot)  # no duplicate login


def test_a_worker_killed_mid_task_the_retry_adopts_the_session_on_the_other(
    celery: CeleryCluster, thoughtspot: FakeThoughtSpot
) -> None:
    run = Run(celery, "ts_celery_worker_lost")
    first = run.caught_waiting(thoughtspot)
    victim = next(worker for worker in WORKERS if hostname(worker) == first.hostname)
    celery.services[victim].kill_tree()  # the worker, its pool, the task supervisor and the task process
    assert first.pid and gone(
        first.pid
    )  # the task process too, although it ran in a process group of its own
    run.release(thoughtspot)

    assert run.wait_until_finished() == "success", run.tasks()
    retry = run.tasks()["wait_for_go"]
    survivor = next(worker for worker in WORKERS if worker != victim)
    assert (retry.state, retry.try_number, retry.hostname) == ("success", 2, hostname(survivor))
    assert [(a.try_number, a.hostname) for a in run.earlier_attempts("wait_for_go")] == [(1, first.hostname)]
    assert_one_shared_session(thoughtspot)  # the retry adopted the login task's session: no new login
