"""Run the TML and Git test DAGs (tests/dags/thoughtspot_tml_dags.py) with dag.test(run_conf=...)."""

from __future__ import annotations

from typing import Any

from test_operators_dag import FOLDERS

from airflow_provider_tssession._compat import DagBag


def run_tml(dag_id: str, **conf: Any) -> Any:
    """Run one of the TML/Git test DAGs with `conf` as its dag_run.conf; return the DagRun."""
    bag = DagBag(str(FOLDERS["tests"]))
    assert not bag.import_errors
    return bag.dags[dag_id].test(run_conf=conf)


def task_state(run: Any, task_id: str) -> Any:
    """The final state of one task of a run."""
    return next(ti.state for ti in run.get_task_instances() if ti.task_id == task_id)
