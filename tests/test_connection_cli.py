"""The README's other two ways to create the connection (CLI, environment variable) pass `airflow connections
test`, the CLI twin of the UI's Test button."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER


def airflow(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "airflow", *args], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture
def test_enabled_env(airflow_db: Path) -> dict[str, str]:
    return {**os.environ, "AIRFLOW__CORE__TEST_CONNECTION": "Enabled"}


def test_cli_added_connection_passes_the_connection_test(
    fake_thoughtspot: FakeThoughtSpot, test_enabled_env: dict[str, str]
) -> None:
    port = str(urlsplit(fake_thoughtspot.url).port)
    added = airflow(
        "connections", "add", "thoughtspot_cli", "--conn-type", "thoughtspot",
        "--conn-host", "http://127.0.0.1", "--conn-port", port,
        "--conn-login", DEFAULT_USER, "--conn-password", DEFAULT_PASSWORD,
        "--conn-extra", json.dumps({"timeout": 5, "retry_limit": "2", "retry_delay": "0"}),
        env=test_enabled_env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    tested = airflow("connections", "test", "thoughtspot_cli", env=test_enabled_env)
    assert "Connection success!" in tested.stdout, tested.stdout + tested.stderr
    assert (fake_thoughtspot.logins, fake_thoughtspot.logouts) == (1, 1)


@pytest.mark.parametrize("form", ["json", "uri"])
def test_environment_connection_passes_the_connection_test(
    fake_thoughtspot: FakeThoughtSpot, test_enabled_env: dict[str, str], form: str
) -> None:
    if form == "json":
        value = json.dumps(
            {
                "conn_type": "thoughtspot",
                "host": fake_thoughtspot.url,
                "login": DEFAULT_USER,
                "password": DEFAULT_PASSWORD,
                "extra": {"timeout": 5, "retry_delay": 0, "remember_me": True},
            }
        )
    else:  # a URI: every extra arrives as a string, the scheme in the path (the `schema` field)
        netloc = urlsplit(fake_thoughtspot.url).netloc
        value = f"thoughtspot://{DEFAULT_USER}:{quote(DEFAULT_PASSWORD)}@{netloc}/http?timeout=5&remember_me=true&verify="
    env = {**test_enabled_env, "AIRFLOW_CONN_THOUGHTSPOT_ENV": value}
    tested = airflow("connections", "test", "thoughtspot_env", env=env)
    assert "Connection success!" in tested.stdout, tested.stdout + tested.stderr
    login = next(r for r in fake_thoughtspot.requests if r.path.endswith("/session/login"))
    assert b"rememberme=true" in login.body
