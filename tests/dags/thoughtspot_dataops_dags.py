"""One DAG the data-ops operator tests shape per test: the operator and its arguments come from a spec.

The test sets TS_DATAOPS_SPEC (JSON) before DagBag parses this file: ``operator`` (report, data, metadata,
users, groups), ``kwargs``, ``login`` (run inside a login/logout pair, reusing its session) and ``upstream``
(a value an upstream task returns, passed as the argument it names).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import task
    from airflow.models.dag import DAG

from airflow_provider_tssession.operators.data import ThoughtSpotDataExportOperator
from airflow_provider_tssession.operators.metadata import ThoughtSpotMetadataSearchOperator
from airflow_provider_tssession.operators.report import ThoughtSpotReportOperator
from airflow_provider_tssession.operators.thoughtspot import (
    ThoughtSpotLoginOperator,
    ThoughtSpotLogoutOperator,
)
from airflow_provider_tssession.operators.users import (
    ThoughtSpotGroupsImportOperator,
    ThoughtSpotUsersImportOperator,
)

OPERATORS: dict[str, Any] = {
    "report": ThoughtSpotReportOperator,
    "data": ThoughtSpotDataExportOperator,
    "metadata": ThoughtSpotMetadataSearchOperator,
    "users": ThoughtSpotUsersImportOperator,
    "groups": ThoughtSpotGroupsImportOperator,
}
SPEC: dict[str, Any] = json.loads(os.environ.get("TS_DATAOPS_SPEC") or "{}")


@task
def upstream(value: Any) -> Any:
    return value


if SPEC:  # parsed without a spec (other tests' DagBags), the file holds no DAG
    with DAG(
        "ts_dataops", schedule=None, start_date=datetime(2026, 1, 1), catchup=False, params=SPEC.get("params")
    ):
        kwargs = dict(SPEC.get("kwargs", {}))
        if "upstream" in SPEC:
            argument, value = SPEC["upstream"]
            kwargs[argument] = upstream(value)
        if SPEC.get("login"):
            login = ThoughtSpotLoginOperator(task_id="login")
            work = OPERATORS[SPEC["operator"]](task_id="work", session_handle=login.output, **kwargs)
            logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
            login >> work >> logout.as_teardown(setups=login)
        else:
            OPERATORS[SPEC["operator"]](task_id="work", **kwargs)
