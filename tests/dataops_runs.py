"""Run the data-ops operators in real DAG runs (dag.test()) and read back what Airflow stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from airflow.utils.session import create_session
from test_operators_dag import XComModel, run_dag


def run_dataops(
    monkeypatch: pytest.MonkeyPatch,
    operator: str,
    *,
    login: bool = False,
    upstream: Any = None,
    **kwargs: Any,
) -> Any:
    """Run the spec-shaped DAG of tests/dags/thoughtspot_dataops_dags.py with one data-ops operator."""
    spec: dict[str, Any] = {"operator": operator, "kwargs": kwargs, "login": login}
    if upstream is not None:
        spec["upstream"] = upstream
    monkeypatch.setenv("TS_DATAOPS_SPEC", json.dumps(spec))
    return run_dag("ts_dataops", "tests")


def xcom_value(run: Any, task_id: str = "work") -> Any:
    """The return value of a task of a run, as Airflow stored it."""
    with create_session() as session:
        row = (
            session.query(XComModel)
            .filter(
                XComModel.run_id == run.run_id, XComModel.task_id == task_id, XComModel.key == "return_value"
            )
            .one_or_none()
        )
    return None if row is None else row.value
