"""Run one measurement in a fresh interpreter and read back the JSON line it prints last."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from typing import Any

TASK_PROCESS_MODULES = (
    "airflow.sdk",
    "requests",
    "thoughtspot_rest_api",
    "airflow_provider_tssession.operators.data",
    "airflow_provider_tssession.operators.report",
    "airflow_provider_tssession.operators.tml",
)
"""What a task process has imported before ``execute``: the SDK, and the DAG file's imports (which the
task parsed first). Every variant gets the same set, so the timed part is the transfer, and the start
figure of RSS is the same for all."""


def run_child(module: str, args: list[str], env: dict[str, str], *, timeout: float = 900) -> dict[str, Any]:
    """Run ``python -m <module> <args>``; return its result, or raise with the end of its stderr."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return last_json(done.stdout)


def last_json(output: str) -> dict[str, Any]:
    """Return the result a child printed last; Airflow's loggers may have printed lines before it."""
    for line in reversed(output.splitlines()):
        if line.startswith("{"):
            result: dict[str, Any] = json.loads(line)
            return result
    raise RuntimeError(f"no result in the child's output: {output[-2000:]!r}")


def as_a_task_process() -> None:
    """Import what a task process has loaded before its task runs (``TASK_PROCESS_MODULES``)."""
    for module in TASK_PROCESS_MODULES:
        importlib.import_module(module)
