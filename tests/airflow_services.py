"""Real Airflow services for end-to-end tests: each in its own process group, with its output in a file.

Every service is started with ``start_new_session=True`` and stopped by its process group id (SIGINT, the
way Airflow services expect to be stopped, then SIGKILL if it does not end), so nothing outlives the test.
A service that dies early fails the test with the tail of its own output instead of a timeout.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

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
    """One long-running Airflow command, the leader of its own process group."""

    name: str
    process: subprocess.Popen[bytes]
    output: Path

    def check_alive(self) -> None:
        """Fail the test, showing the service's output, if it has exited."""
        code = self.process.poll()
        if code is not None:
            pytest.fail(f"airflow {self.name} exited with {code}; its output:\n{tail(self.output)}")

    def interrupt(self) -> None:
        """Ask the whole process group to stop, as Ctrl-C would."""
        if self.process.poll() is None:
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

    def start(self, name: str, *args: str) -> Service:
        """Start ``airflow <args>`` in a new process group, its stdout and stderr in ``<folder>/<name>.log``."""
        output = self.folder / f"{name}.log"
        with output.open("wb") as sink:
            process = subprocess.Popen(
                [*AIRFLOW, *args],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        service = Service(name, process, output)
        self.services.append(service)
        return service

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
                outputs = "\n".join(f"--- airflow {s.name}:\n{tail(s.output)}" for s in self.services)
                pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{outputs}")
            time.sleep(1)

    def stop(self) -> None:
        """Interrupt every service at once, then wait for all of them (SIGKILL after STOP_TIMEOUT)."""
        for service in self.services:
            service.interrupt()
        deadline = time.monotonic() + STOP_TIMEOUT
        for service in self.services:
            service.finish(deadline)


def http_ok(url: str) -> bool:
    """Whether ``url`` answers 200 right now."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


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
