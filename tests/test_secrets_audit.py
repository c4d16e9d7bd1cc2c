"""The secrets audit: every example and test DAG run with a distinctive password, then everything is searched.

Searched: task logs (captured output, log records, log files), exceptions (in the logs of failed tasks),
XCom values, rendered template fields, and every header, body and query string the stand-in received.
The password may appear only in the login body, session cookies only in the Cookie header, both sent to
the connection's host. The faults are audited the same way, case by case, in test_fault_matrix.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.models.renderedtifields import RenderedTaskInstanceFields
from airflow.models.xcom import XComModel
from airflow.utils.session import create_session
from secrets_audit import (
    AUDIT_PASSWORD,
    assert_nowhere,
    assert_request_log_clean,
    password_forms,
    session_secrets,
)

from airflow_provider_tssession.testing import LOGIN_PATH, FakeThoughtSpot
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
    fake_thoughtspot: FakeThoughtSpot,
    use_connection: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_thoughtspot.add_user(DEFAULT_USER, AUDIT_PASSWORD)
    use_connection(fake_thoughtspot, password=AUDIT_PASSWORD)
    dags = {dag_id: dag for folder in FOLDERS for dag_id, dag in DagBag(str(folder)).dags.items()}
    assert {"thoughtspot_hook", "thoughtspot_session"} <= set(dags)
    runs = {dag_id: dag.test() for dag_id, dag in sorted(dags.items())}
    assert all(run.state in ("success", "failed") for run in runs.values())

    secrets = session_secrets(fake_thoughtspot)
    assert len(secrets) >= fake_thoughtspot.logins >= len(runs)  # every session cookie sent back
    out, err = capsys.readouterr()
    texts = [out, err, caplog.text, *(str(r.args) for r in caplog.records), *log_files()]
    texts += stored([run.run_id for run in runs.values()])
    assert "work failed on purpose" in out + caplog.text  # the failed task's exception is in what we search
    assert_nowhere(texts, secrets | password_forms(AUDIT_PASSWORD))
    sent = assert_request_log_clean(fake_thoughtspot, AUDIT_PASSWORD, secrets)
    assert sent == fake_thoughtspot.count(LOGIN_PATH) == fake_thoughtspot.logins > 0
