"""Run a real `airflow api-server` (UI and REST API) for browser tests: private home, loopback, own port."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from airflow_provider_tssession.testing.airflow_home import airflow_home_env

STARTED = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")
START_TIMEOUT = 240.0  # seconds; a loaded 2-core machine imports Airflow slowly
STOP_TIMEOUT = 30.0


def api_server_env(home: Path) -> dict[str, str]:
    """The environment of a local Airflow with every user an admin and the Test button enabled."""
    settings = {
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
    }
    return airflow_home_env(home, {}, settings=settings)


class AirflowApiServer:
    """`airflow api-server` on 127.0.0.1 and a port the OS picks; its output goes to `log_path`."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = api_server_env(home)
        self.log_path = home / "api-server.log"
        self.url = ""
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> AirflowApiServer:
        """Migrate the metadata DB, start the server, and return once it accepts requests."""
        self.home.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=START_TIMEOUT,
        )
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "airflow", "api-server", "--host", "127.0.0.1", "--port", "0"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.url = self._wait_for_url()
        return self

    def _wait_for_url(self) -> str:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            found = STARTED.search(self.log())
            if found:
                return found.group(1)
            if self._process.poll() is not None:
                raise RuntimeError(f"airflow api-server exited early:\n{self.log()[-4000:]}")
            time.sleep(0.2)
        raise TimeoutError(
            f"airflow api-server did not start in {START_TIMEOUT:.0f} s:\n{self.log()[-4000:]}"
        )

    def log(self) -> str:
        """Everything the server has printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop the server by its PID with SIGINT (as Ctrl+C would), killing it only if it hangs."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
