"""The secrets audit of the data-ops operators: connection and user passwords stay out of logs, XCom,
rendered fields and every request but their own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from airflow.utils.state import DagRunState
from dataops_runs import run_dataops
from secrets_audit import (
    AUDIT_PASSWORD,
    Secret,
    assert_nowhere,
    assert_request_log_clean,
    encodings,
    secrets_of,
)
from test_secrets_audit import log_files, stored

from airflow_provider_tssession import storage
from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import DEFAULT_ANSWER_ID, DEFAULT_LIVEBOARD_ID
from airflow_provider_tssession.testing.paths import USERS_IMPORT_PATH
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_USER

USER_PASSWORD = "Pw-User-9c2e&=%+ Ω"
NEW_USERS_PASSWORD = "Pw-Default-4b1d&=%+ Ψ"
FILE_PASSWORD = "Pw-File-77aa&=%+ Ж"


def test_dataops_tasks_keep_every_secret(
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
    people = [
        {"user_identifier": "maria", "display_name": "Maria", "password": USER_PASSWORD},
        {"user_identifier": "kenji", "display_name": "Kenji"},
    ]
    from_file = storage.write_chunks(
        storage.child(tmp_path, "people.json"),
        [f'[{{"user_identifier": "ola", "display_name": "Ola", "password": "{FILE_PASSWORD}"}}]'.encode()],
    )
    runs = [
        run_dataops(
            monkeypatch, "users", login=True, users=people, default_password=NEW_USERS_PASSWORD, dry_run=False
        ),
        run_dataops(
            monkeypatch, "users", users=from_file.uri, dry_run=True, delete_unspecified=True, max_deletions=10
        ),
        run_dataops(
            monkeypatch,
            "report",
            login=True,
            metadata_identifier=DEFAULT_LIVEBOARD_ID,
            output_path=str(tmp_path),
        ),
        run_dataops(
            monkeypatch, "data", metadata_identifier=DEFAULT_ANSWER_ID, output_path=str(tmp_path), page_size=2
        ),
        run_dataops(monkeypatch, "metadata", login=True, metadata=[{"type": "ANSWER"}]),
    ]
    ts.fail_next(USERS_IMPORT_PATH, 503)  # and a failed applied import, whose error is logged
    runs.append(
        run_dataops(monkeypatch, "users", users=people, default_password=NEW_USERS_PASSWORD, dry_run=False)
    )
    assert [run.state for run in runs] == [DagRunState.SUCCESS] * 5 + [DagRunState.FAILED]

    secrets = secrets_of(ts, AUDIT_PASSWORD)
    passwords = encodings(USER_PASSWORD) | encodings(NEW_USERS_PASSWORD) | encodings(FILE_PASSWORD)
    secrets.kinds["user_password"] = Secret(passwords, body_paths=frozenset({USERS_IMPORT_PATH}))
    out, err = capsys.readouterr()
    texts = [out, err, caplog.text, *(str(r.args) for r in caplog.records), *log_files()]
    texts += stored([run.run_id for run in runs])
    assert "may have been received" in out + caplog.text  # the failed import's error is among the texts
    bodies = [r.body.decode() for r in ts.requests if r.path == USERS_IMPORT_PATH]
    assert any(value in body for value in encodings(USER_PASSWORD) for body in bodies)  # it did travel
    assert_nowhere(texts, secrets)
    assert_request_log_clean(ts, secrets)
