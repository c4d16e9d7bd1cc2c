"""DAGs the TML and Git tests run with dag.test(run_conf=...): each argument a test varies comes from the conf.

Templates render as native objects, so ``"{{ dag_run.conf['tmls'] }}"`` becomes the list the test passed.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG

from airflow_provider_tssession.operators.git import (
    ThoughtSpotGitCommitOperator,
    ThoughtSpotGitDeployOperator,
)
from airflow_provider_tssession.operators.thoughtspot import (
    ThoughtSpotLoginOperator,
    ThoughtSpotLogoutOperator,
)
from airflow_provider_tssession.operators.tml import (
    ThoughtSpotTMLExportOperator,
    ThoughtSpotTMLImportOperator,
)

START = datetime(2026, 1, 1)
POLL = 0.6  # the status route's limit (100 a minute): as fast as the operators ever poll


def conf(key: str) -> str:
    return "{{ dag_run.conf.get('" + key + "') }}"


def record_failure(context: Any) -> None:
    """Append the task's exception to the file TS_TASK_ERRORS names: what the tests read (the logs'
    destination changes with pytest's capture between tests)."""
    target = os.environ.get("TS_TASK_ERRORS")
    if target:
        with open(target, "a", encoding="utf-8") as stream:
            stream.write(f"{context['ti'].task_id}: {context.get('exception')}\n")


def tml_dag(dag_id: str) -> DAG:
    return DAG(
        dag_id,
        schedule=None,
        start_date=START,
        catchup=False,
        render_template_as_native_obj=True,
        default_args={"on_failure_callback": record_failure},
    )


IMPORTS: dict[str, dict[str, Any]] = {
    "sync": {"asynchronous": False},
    "worker": {"asynchronous": True, "deferrable": False},
    "deferred": {"asynchronous": True, "deferrable": True},
    "lenient": {
        "asynchronous": True,
        "deferrable": True,
        "fail_on_object_error": False,
        "import_policy": "PARTIAL",
    },
    "partial": {"asynchronous": True, "deferrable": False, "import_policy": "PARTIAL"},
    "timeout": {"asynchronous": True, "deferrable": True, "timeout": 1.5},
    "worker_timeout": {"asynchronous": True, "deferrable": False, "timeout": 1.5},
    "retried": {"asynchronous": True, "deferrable": False, "retries": 1, "retry_delay": timedelta(0)},
    "retried_deferred": {"asynchronous": True, "deferrable": True, "retries": 1, "retry_delay": timedelta(0)},
}

for name, options in IMPORTS.items():
    with tml_dag(f"ts_tml_import_{name}"):
        ThoughtSpotTMLImportOperator(
            task_id="import_tml",
            tmls=conf("tmls"),
            input_path=conf("input_path"),
            poll_interval=POLL,
            **options,
        )

with tml_dag("ts_tml_import_shared_session"):
    login = ThoughtSpotLoginOperator(task_id="login")
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)
    imported = ThoughtSpotTMLImportOperator(
        task_id="import_tml",
        tmls=conf("tmls"),
        deferrable=True,
        poll_interval=POLL,
        session_handle=login.output,
    )
    login >> imported >> logout.as_teardown(setups=login)

for name, options in {
    "strict": {},
    "lenient": {"fail_on_error": False},
    "one_at_a_time": {"max_concurrency": 1},
}.items():
    with tml_dag(f"ts_tml_export_{name}"):
        ThoughtSpotTMLExportOperator(
            task_id="export_tml",
            output_path=conf("output_path"),
            identifiers=conf("identifiers"),
            metadata=conf("metadata"),
            **options,
        )

with tml_dag("ts_git"):
    commit = ThoughtSpotGitCommitOperator(
        task_id="commit",
        metadata=conf("metadata"),
        comment="{{ dag_run.conf.get('comment', 'from Airflow') }}",
    )
    deploy = ThoughtSpotGitDeployOperator(
        task_id="deploy",
        branch_name="{{ dag_run.conf.get('branch', 'main') }}",
        commit_id="{{ ti.xcom_pull('commit')['commit_id'] }}",
    )
    commit >> deploy

with tml_dag("ts_git_dry_run"):
    ThoughtSpotGitDeployOperator(task_id="deploy", branch_name=conf("branch"), deploy_policy="VALIDATE_ONLY")
