"""Real services for end-to-end tests: each in its own process group, with its output in a file.

Every service is started with ``start_new_session=True`` and stopped by its process group id (SIGINT, the
way Airflow services expect to be stopped, then SIGKILL if it does not end). Processes that left the group
(Celery's task processes run in groups of their own) are found through the process tree, remembered before
the leader is signalled, and killed too: nothing outlives the test. A service that dies early fails the
test with the tail of its own output instead of a timeout; one the test killed on purpose does not.
Backing services (a database, a broker) are stopped after everything else, so nothing waits on them.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil  # an Airflow dependency
import pytest
from secrets_audit import sent_cookies

from airflow_provider_tssession.testing import LOGIN_PATH

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from airflow_provider_tssession.testing import FakeThoughtSpot

AIRFLOW = [sys.executable, "-m", "airflow"]
STOP_TIMEOUT = 30.0
OUTPUT_TAIL = 6000


def free_port() -> int:
    """An ephemeral port on loopback that was free a moment ago (the OS picks it, never a fixed number)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tail(path: Path) -> str:
    """The end of a service's output, for failure messages."""
    text = path.read_text(errors="replace") if path.exists() else "(no output)"
    return text[-OUTPUT_TAIL:]


@dataclass
class Service:
    """One long-running command, the leader of its own process group, and what it takes to start it again."""

    name: str
    process: subprocess.Popen[bytes]
    output: Path
    command: Sequence[str] = ()
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    backing: bool = False
    killed: bool = False  # by the test, on purpose: not a failure
    _tree: list[psutil.Process] = field(default_factory=list)

    def check_alive(self) -> None:
        """Fail the test, showing the service's output, if it has exited (unless the test killed it)."""
        code = self.process.poll()
        if code is not None and not self.killed:
            pytest.fail(f"{self.name} exited with {code}; its output:\n{tail(self.output)}")

    def descendants(self) -> list[psutil.Process]:
        """The leader's child processes, grandchildren and so on, whatever process group they are in."""
        try:
            return psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def kill_tree(self) -> None:
        """SIGKILL the leader, its group and every descendant, as a machine losing power would; wait for all.

        The tree is read again until it is empty: a process forked between reading and killing dies next round.
        """
        self.killed = True
        while True:
            tree = [*self.descendants(), *self._tree]
            self._tree = []
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            for process in tree:
                with contextlib.suppress(psutil.NoSuchProcess):
                    process.kill()
            psutil.wait_procs(tree, timeout=STOP_TIMEOUT)
            if self.process.poll() is not None and not self.descendants():
                break
        self.process.wait(timeout=STOP_TIMEOUT)

    def interrupt(self) -> None:
        """Ask the whole process group to stop, as Ctrl-C would; remember the tree to reap it afterwards."""
        if self.process.poll() is None:
            self._tree = self.descendants()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGINT)

    def finish(self, deadline: float) -> None:
        """Wait for the leader until ``deadline`` (monotonic), SIGKILL the group if it is late; reap leftovers."""
        try:
            self.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # a child that outlived its leader
        leftovers, self._tree = self._tree, []
        for process in leftovers:  # processes of other groups that the leader left behind
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs(leftovers, timeout=STOP_TIMEOUT)

    def printed(self, text: str, since: int = 0) -> bool:
        """Whether the service's output holds ``text`` after its first ``since`` bytes."""
        if not self.output.exists():
            return False
        with self.output.open("rb") as output:
            output.seek(since)
            return text.encode() in output.read()


@dataclass
class AirflowServices:
    """Starts Airflow commands with one environment and stops all of them, in reverse order."""

    env: dict[str, str]
    folder: Path
    services: list[Service] = field(default_factory=list)

    def cli(self, *args: str, timeout: float = 300) -> str:
        """Run a short ``airflow`` command; fail with its output if it fails."""
        result = subprocess.run(
            [*AIRFLOW, *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode:
            pytest.fail(
                f"airflow {' '.join(args)} exited with {result.returncode}:\n{result.stderr[-OUTPUT_TAIL:]}"
            )
        return result.stdout

    def start(
        self,
        name: str,
        *args: str,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Service:
        """Start ``airflow <args>`` (with ``env`` instead of the shared environment, in ``cwd``)."""
        return self.start_command(name, [*AIRFLOW, *args], env=env, cwd=cwd)

    def start_command(
        self,
        name: str,
        command: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        backing: bool = False,
    ) -> Service:
        """Start ``command`` in a new process group, its stdout and stderr appended to ``<folder>/<name>.log``."""
        output = self.folder / f"{name}.log"
        environment = self.env if env is None else env
        with output.open("ab") as sink:
            process = subprocess.Popen(
                list(command),
                env=environment,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        service = Service(name, process, output, command, environment, cwd, backing)
        self.services = [s for s in self.services if s.name != name]
        self.services.append(service)
        return service

    def __getitem__(self, name: str) -> Service:
        """The service started under ``name`` (the latest, if it was restarted)."""
        return next(service for service in self.services if service.name == name)

    def restart(self, name: str) -> Service:
        """Start a stopped or killed service again, as it was started; its output continues the same file."""
        old = self[name]
        if old.process.poll() is None:
            raise RuntimeError(f"{name} is still running")
        return self.start_command(name, old.command, env=old.env, cwd=old.cwd, backing=old.backing)

    def check_alive(self) -> None:
        """Fail the test if any service has exited."""
        for service in self.services:
            service.check_alive()

    def wait_for(self, what: str, ready: Callable[[], Any], timeout: float) -> Any:
        """Poll ``ready()`` every second until it returns something truthy; fail if a service dies or time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            value = ready()
            if value:
                return value
            if time.monotonic() > deadline:
                outputs = "\n".join(f"--- {s.name}:\n{tail(s.output)}" for s in self.services)
                pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{outputs}")
            time.sleep(1)

    def stop(self) -> None:
        """Interrupt the services at once, then wait for all of them (SIGKILL after STOP_TIMEOUT); then the
        backing services, the same way."""
        for backing in (False, True):
            services = [service for service in self.services if service.backing is backing]
            for service in services:
                service.interrupt()
            deadline = time.monotonic() + STOP_TIMEOUT
            for service in services:
                service.finish(deadline)


def http_ok(url: str) -> bool:
    """Whether ``url`` answers 200 right now."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def assert_one_shared_session(server: FakeThoughtSpot) -> None:
    """One login, one logout, and every other call (work, polls, logout) on the login task's JSESSIONID."""
    counts = (server.logins, server.logouts, server.active_sessions)
    assert counts == (1, 1, 0), f"logins, logouts, active sessions: {counts}"
    sessions = {record.session_id for record in server.requests if record.path != LOGIN_PATH}
    assert len(sessions) == 1, f"{len(sessions)} sessions used"


def assert_free_of_secrets(texts: list[str], server: FakeThoughtSpot, password: str) -> None:
    """Neither ``password`` nor any session cookie value the stand-in was sent is in any of ``texts``."""
    cookies = sent_cookies(server)
    assert cookies  # the run used a session, so the check below has something to look for
    for secret in (*cookies, password):
        assert not [text for text in texts if secret in text]


def log_texts(folder: Path) -> list[str]:
    """Every log file below ``folder``: the services' outputs and the task logs in their homes."""
    return [path.read_text(errors="replace") for path in folder.rglob("*.log")]


def query(database: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Read the metadata DB (SQLite) while the services write it; a missing table reads as no rows."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        return connection.execute(sql, args).fetchall()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return []
        raise
    finally:
        connection.close()


# Backing services of a scaled-out Airflow: PostgreSQL (metadata DB) and Redis (Celery broker), on loopback.
POSTGRES_USER = "postgres"  # PostgreSQL refuses to run as root: as root, the cluster belongs to this user


def postgres_bin(program: str) -> str | None:
    """Debian keeps PostgreSQL's server programs in /usr/lib/postgresql/<version>/bin (newest first)."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"), key=lambda p: int(p.parts[-3]))
    return str(found[-1]) if found else shutil.which(program)


@dataclass
class PostgresCluster:
    """A throwaway PostgreSQL cluster: its own directory, socket directory and loopback port."""

    directory: Path
    port: int
    password: str
    database: str = "airflow"
    user: str = "airflow"

    @property
    def url(self) -> str:
        """SQLAlchemy URL with the driver named: a bare postgresql:// makes SQLAlchemy 2.1 pick psycopg 3."""
        return f"postgresql+psycopg2://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """Read the metadata DB while the services write it; a missing table reads as no rows."""
        import psycopg2
        import psycopg2.errors

        connection = psycopg2.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=self.database,
            connect_timeout=10,
        )
        try:
            with connection.cursor() as cursor:
                try:
                    cursor.execute(sql, args)
                except psycopg2.errors.UndefinedTable:
                    return []
                return list(cursor.fetchall())
        finally:
            connection.close()


def start_postgres(services: AirflowServices, timeout: float) -> PostgresCluster:
    """initdb a cluster in a new directory (as ``postgres`` when root), start it, create Airflow's database.

    The directory is outside pytest's (root-only) temporary tree so that the ``postgres`` user can enter
    it; the caller removes it with ``shutil.rmtree`` after ``services.stop()``.
    """
    initdb, postgres = postgres_bin("initdb"), postgres_bin("postgres")
    if not (initdb and postgres):
        pytest.fail("PostgreSQL is missing: run `make service-deps` (apt-get install -y postgresql)")
    directory = Path(tempfile.mkdtemp(prefix="ts-e2e-postgres-"))
    try:
        return _start_postgres(services, postgres, initdb, directory, timeout)
    except BaseException:
        # A server that did start is stopped with the other services.
        shutil.rmtree(directory, ignore_errors=True)
        raise


def _start_postgres(
    services: AirflowServices, postgres: str, initdb: str, directory: Path, timeout: float
) -> PostgresCluster:
    data, sockets = directory / "data", directory / "sockets"
    sockets.mkdir(mode=0o700)
    as_owner: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam(POSTGRES_USER)
        for path in (directory, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        as_owner = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", POSTGRES_USER, "--"]
    cluster = PostgresCluster(directory, free_port(), secrets.token_urlsafe(16))
    created = subprocess.run(
        [*as_owner, initdb, "-D", str(data), "-U", "postgres", "-E", "UTF8", "--no-sync",
         "--auth-local=trust", "--auth-host=scram-sha-256"],
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    if created.returncode:
        pytest.fail(f"initdb exited with {created.returncode}:\n{created.stdout}{created.stderr}")
    services.start_command(
        "postgres",
        [*as_owner, postgres, "-D", str(data), "-p", str(cluster.port), "-k", str(sockets),
         "-h", "127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
         "-c", "full_page_writes=off", "-c", "max_connections=200"],
        env=dict(os.environ),
        backing=True,
    )  # fmt: skip
    psql = [*as_owner, postgres_bin("psql") or "psql", "-h", str(sockets), "-p", str(cluster.port)]
    ready = [postgres_bin("pg_isready") or "pg_isready", "-h", "127.0.0.1", "-p", str(cluster.port)]
    services.wait_for(
        "PostgreSQL to accept connections",
        lambda: subprocess.run(ready, capture_output=True, check=False).returncode == 0,
        timeout,
    )
    for statement in (
        f"CREATE ROLE {cluster.user} LOGIN PASSWORD '{cluster.password}'",
        f"CREATE DATABASE {cluster.database} OWNER {cluster.user}",
    ):
        subprocess.run(
            [*psql, "-U", "postgres", "-c", statement], check=True, capture_output=True, timeout=60
        )
    return cluster


def redis_ping(port: int) -> bool:
    """Whether a Redis server answers PING on 127.0.0.1:``port`` right now."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(services: AirflowServices, timeout: float) -> int:
    """Start a Redis that keeps nothing on disk (a restart loses every message), on a free port."""
    server = shutil.which("redis-server")
    if not server:
        pytest.fail("Redis is missing: run `make service-deps` (apt-get install -y redis-server)")
    port = free_port()
    services.start_command(
        "redis",
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "no"],
        env=dict(os.environ),
        backing=True,
    )  # fmt: skip
    services.wait_for("Redis to answer PING", lambda: redis_ping(port), timeout)
    return port
