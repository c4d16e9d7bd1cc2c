"""A private Airflow for tests, the demo and the benchmarks: its own AIRFLOW_HOME, SQLite DB, DAGs and logs.

Standard library only, like the rest of `testing`. The tests, `scripts/demo.py` and `bench/` all build
their Airflow environment here, so a setting Airflow needs (say, a DAG bundle) is added once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


def airflow_home_env(
    home: Path,
    dags: Mapping[str, Path],
    *,
    settings: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Return `base` (default: this process's environment) pointed at a private Airflow in `home`.

    :param dags: Folders of DAG files by bundle name; `dag.test()` runs only DAGs a bundle holds. The
        first is also the DAGs folder (Airflow 2.11 has no bundles).
    :param settings: Further variables, e.g. ``{"AIRFLOW__CORE__EXECUTOR": "LocalExecutor"}``.
    """
    inherited = os.environ if base is None else base
    # Nothing of the caller's own Airflow (AIRFLOW_HOME, AIRFLOW__*, AIRFLOW_CONN_*) leaks in.
    env = {key: value for key, value in inherited.items() if not key.startswith("AIRFLOW")}
    local = "airflow.dag_processing.bundles.local.LocalDagBundle"
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        }
    )
    if dags:
        env["AIRFLOW__CORE__DAGS_FOLDER"] = str(next(iter(dags.values())))
        env["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"] = json.dumps(
            [{"name": name, "classpath": local, "kwargs": {"path": str(path)}} for name, path in dags.items()]
        )
    env.update(settings or {})
    return env


def migrate(env: Mapping[str, str], python: str = sys.executable) -> None:
    """Create (or upgrade) the private Airflow's SQLite metadata DB: ``airflow db migrate``."""
    subprocess.run([python, "-m", "airflow", "db", "migrate"], env=dict(env), check=True, capture_output=True)
