"""The secrets audit: every example and test DAG, with every authentication method, then a search.

The DAGs run with a distinctive password and secret key. Searched: task logs (captured output, log
records, log files), exceptions (in the logs of failed tasks), XCom values, rendered template fields, and
every header, body and query string the stand-in received (secrets_audit.py says where each secret may
appear). The faults are audited the same way, case by case, in test_fault_matrix.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from airflow.models.renderedtifields import RenderedTaskInstanceFields
from airflow.utils.session import create_session
from auth_methods import METHODS, SECRET_KEY, with_extra
from secrets_audit import AUDIT_PASSWORD, assert_nowhere, assert_request_log_clean, secrets_of
from test_operators_dag import XComModel

from airflow_provider_tssession._compat import DagBag
from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_USER

REPO = Path(__file__).resolve().parent.parent
FOLDERS = [REPO / "example_dags", REPO / "tests" / "dags"]


def stored(run_ids: list[str]) -> list[str]:
    """XCom values and rendered template fields of the runs, as the UI would show them."""
    with create_session() as session:
        xcoms = session.query(XComModel).filter(XComModel.run_id.in_(run_ids)).all()
        rendered = session.query(RenderedTaskInstanceFields).filter(
            RenderedTaskInstanceFields.run_id.in_(run_ids)
        )
        return [json.dumps(x.value, default=str) for x in xcoms] + [
            json.dumps(r.rendered_fields, default=str) for r in rendered
        ]


def log_files() -> list[str]:
    folder = Path(os.environ["AIRFLOW_HOME"]) / "logs"
    return [path.read_text(errors="replace") for path in folder.rglob("*") if path.is_file()]


def test_every_dag_keeps_its_secrets(
    airflow_db: Path,
    cluster: FakeThoughtSpot,
    use_connection: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    cluster.add_user(DEFAULT_USER, AUDIT_PASSWORD)
    use_connection(cluster, password=AUDIT_PASSWORD)
    for method, fields in METHODS.items():
        org = {"org_identifier": "sales"} if method == "v2_session" else {"org_id": 7}
        password = {} if fields.get("password", "") is None else {"password": AUDIT_PASSWORD}
        use_connection(cluster, conn_id=f"ts_{method}", **{**with_extra(method, **org), **password})
    dags = {
        dag_id: dag
        for folder in FOLDERS
        for dag_id, dag in DagBag(str(folder)).dags.items()
        if "needs-e2e-harness" not in dag.tags  # their tasks wait for the Celery test to release them
    }
    assert {"thoughtspot_hook", "thoughtspot_session", "ts_auth_trusted", "ts_auth_token"} <= set(dags)
    runs = {dag_id: dag.test() for dag_id, dag in sorted(dags.items())}
    assert all(run.state in ("success", "failed") for run in runs.values())
    assert runs["ts_auth_token_secret"].state == "success" and runs["ts_auth_trusted"].state == "success"

    secrets = secrets_of(cluster, AUDIT_PASSWORD, SECRET_KEY)
    assert len(secrets.kinds["cookie"].values) >= 5 and len(secrets.kinds["bearer"].values) >= 2
    assert secrets.kinds["login_token"].values  # the trusted DAG's
    out, err = capsys.readouterr()
    texts = [out, err, caplog.text, *(str(r.args) for r in caplog.records), *log_files()]
    texts += stored([run.run_id for run in runs.values()])
    assert "work failed on purpose" in out + caplog.text  # the failed task's exception is in what we search
    assert_nowhere(texts, secrets)
    # Not every DAG logs in with the password (secret-key methods, DAGs on other connections, asset
    # consumers): the examples and each password method's DAGs do, so at least those logins were audited.
    assert assert_request_log_clean(cluster, secrets) >= len(METHODS)
