"""The stand-in's CLI and control plane expose the data-ops knobs, for stand-ins in a process of their own."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import requests
from standin_v2 import V2Client

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import DEFAULT_ANSWER_ID
from airflow_provider_tssession.testing.paths import ANSWER_DATA_PATH, REPORT_ANSWER_PATH, SEARCH_DATA_PATH
from airflow_provider_tssession.testing.process import LISTENING
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER

REPO = Path(__file__).resolve().parents[1]


def test_cli_knobs_reach_the_stand_in() -> None:
    command = [sys.executable, "-m", "airflow_provider_tssession.testing", "--port", "0"]
    command += [
        "--user",
        f"{DEFAULT_USER}:{DEFAULT_PASSWORD}",
        "--async-import-seconds",
        "3",
        "--data-row-cap",
        "3",
    ]
    command += [
        "--report-bytes",
        "5000",
        "--rate-limits",
        "--latency",
        f"{SEARCH_DATA_PATH}=0.25",
        "--latency",
        "*=0",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO)
    watchdog = threading.Timer(30, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().removeprefix(LISTENING).strip()
        knobs = requests.get(url + "/_fake/knobs", timeout=5).json()
        assert knobs == {
            "async_queued_seconds": 1.5,
            "async_running_seconds": 1.5,
            "data_row_cap": 3,
            "report_bytes": 5000,
            "rate_limits": {
                "per_second": 100.0,
                "burst": 10,
                "status_per_minute": 100.0,
                "status_burst": 100,
            },
            "latency": {SEARCH_DATA_PATH: 0.25},
        }
        with requests.Session() as http:
            token = http.post(
                url + "/api/rest/2.0/auth/token/full",
                json={"username": DEFAULT_USER, "password": DEFAULT_PASSWORD},
                timeout=5,
            ).json()["token"]
            http.headers["Authorization"] = f"Bearer {token}"
            data = http.post(
                url + ANSWER_DATA_PATH, json={"metadata_identifier": DEFAULT_ANSWER_ID}, timeout=5
            )
            assert data.json()["contents"][0]["available_data_row_count"] == 3
            report = http.post(
                url + REPORT_ANSWER_PATH, json={"metadata_identifier": DEFAULT_ANSWER_ID}, timeout=5
            )
            assert len(report.content) == 5000
    finally:
        watchdog.cancel()
        process.terminate()
        process.wait(timeout=10)


def test_control_plane_knobs() -> None:
    with FakeThoughtSpot({DEFAULT_USER: DEFAULT_PASSWORD}) as ts:
        changed = requests.post(
            ts.url + "/_fake/knobs",
            json={
                "async_import_seconds": 4,
                "async_queued_seconds": 0,
                "data_row_cap": 2,
                "report_bytes": None,
            },
            timeout=5,
        )
        assert changed.status_code == 204
        assert (ts.async_import_seconds, ts.data_row_cap, ts.report_bytes) == (2.0, 2, None)
        bad = requests.post(ts.url + "/_fake/knobs", json={"data_row_cap": 0}, timeout=5)
        assert bad.status_code == 400 and "data_row_cap" in bad.json()["error"]
        client = V2Client(ts)
        page = client.ok(ANSWER_DATA_PATH, {"metadata_identifier": DEFAULT_ANSWER_ID})["contents"][0]
        assert page["available_data_row_count"] == 2
        client.close()
