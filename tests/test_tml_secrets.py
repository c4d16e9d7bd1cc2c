"""The secrets audit of the TML and Git operators: the password and session stay out of logs, XCom,
rendered fields, the trigger's kwargs and every request but the login."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from airflow.utils.state import DagRunState
from conftest import AIRFLOW_2
from secrets_audit import AUDIT_PASSWORD, assert_nowhere, assert_request_log_clean, secrets_of
from test_secrets_audit import log_files, stored
from tml_runs import run_tml

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import DEFAULT_LIVEBOARD_ID, DEFAULT_MODEL_ID
from airflow_provider_tssession.testing.paths import TML_ASYNC_IMPORT_PATH
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_USER
from airflow_provider_tssession.triggers.tml import ThoughtSpotTMLImportTrigger

TML = json.dumps({"answer": {"name": "Audited", "tables": [{"id": "Retail Sales", "fqn": DEFAULT_MODEL_ID}]}})


def test_tml_and_git_tasks_keep_every_secret(
    airflow_db: Path,
    ts: FakeThoughtSpot,
    use_connection: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    ts.add_user(DEFAULT_USER, AUDIT_PASSWORD)
    use_connection(ts, password=AUDIT_PASSWORD)
    ts.async_import_seconds = 1.0
    serialized: list[str] = []
    original = ThoughtSpotTMLImportTrigger.serialize

    def recording(self: ThoughtSpotTMLImportTrigger) -> tuple[str, dict[str, object]]:
        result = original(self)
        serialized.append(json.dumps(result))
        return result

    monkeypatch.setattr(ThoughtSpotTMLImportTrigger, "serialize", recording)
    runs = [
        run_tml("ts_tml_export_strict", output_path=str(tmp_path), identifiers=[DEFAULT_LIVEBOARD_ID]),
        run_tml("ts_tml_import_deferred", tmls=[TML]),
        run_tml("ts_tml_import_shared_session", tmls=[TML]),
        run_tml("ts_git", metadata=[{"identifier": DEFAULT_LIVEBOARD_ID}], branch="main"),
    ]
    ts.fail_next(TML_ASYNC_IMPORT_PATH, 503)  # and an import that may have been received: its error is logged
    runs.append(run_tml("ts_tml_import_deferred", tmls=[TML]))
    assert [run.state for run in runs] == [DagRunState.SUCCESS] * 4 + [DagRunState.FAILED]
    # Airflow 3's dag.test() stores the trigger as serialize() says; 2.11's runs the object it was given.
    assert serialized or AIRFLOW_2

    secrets = secrets_of(ts, AUDIT_PASSWORD)
    out, err = capsys.readouterr()
    texts = [out, err, caplog.text, *(str(r.args) for r in caplog.records), *log_files(), *serialized]
    texts += stored([run.run_id for run in runs])
    assert_nowhere(texts, secrets)
    assert_request_log_clean(ts, secrets)
