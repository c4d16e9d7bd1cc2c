"""The benchmarks' code paths, once, with tiny counts: they must keep producing well-formed results.

Nothing here looks at a time or a rate (speed belongs in ``make bench``); it checks the shape of every
figure and the counts that do not depend on speed, such as logins per DAG run.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.airflow3(
    "the benchmarks measure against Airflow 3 (import airflow.sdk, the task SDK)"
)
REPO = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("bench")
    subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=REPO,
        env=os.environ.copy(),
        check=True,
        capture_output=True,
        timeout=900,
    )
    return json.loads((out / "results.json").read_text()), out


def well_formed(row: dict[str, Any], reps: int) -> None:
    assert row["n"] == reps == len(row["samples"]), row["name"]
    assert row["min"] <= row["median"] <= row["max"], row["name"]
    assert row["min"] >= 0 and math.isfinite(row["max"]), row["name"]
    assert row["ratio"] > 0 and math.isfinite(row["ratio"]), row["name"]
    assert row["baseline"], row["name"]


def test_every_section_has_every_figure_well_formed(quick_run: tuple[dict[str, Any], Path]) -> None:
    results, _ = quick_run
    settings = results["settings"]
    reps = {
        "imports": settings["import_reps"],
        "dagbags": settings["dagbag_reps"],
        "clients": settings["client_reps"],
        "capacity": settings["capacity_reps"],
        "logins": settings["login_reps"],
        "memory": settings["memory_reps"],
    }
    for section, count in reps.items():
        assert results[section], section
        for row in results[section]:
            well_formed(row, count)
    names = {row["name"] for row in results["clients"]}
    assert names == {
        "http.client loop",
        "requests.Session",
        "ThoughtSpotHook.request",
        "TSRestApiV1",
        "HttpHook.run",
    }
    assert {row["client"] for row in results["memory"]} == names - {"http.client loop"}
    assert results["machine"]["nproc"] and results["machine"]["python"]


def test_parse_figures_say_what_was_loaded(quick_run: tuple[dict[str, Any], Path]) -> None:
    results, _ = quick_run
    loaded = {row["name"]: row["requests_loaded"] for row in results["imports"]}
    assert loaded == {
        "import airflow.sdk": False,
        "+ ThoughtSpot hook and operators": False,
        "+ HttpHook and HttpOperator": True,
    }
    tasks = {row["name"]: (row["tasks"], row["import_errors"]) for row in results["dagbags"]}
    assert len(tasks) == 8  # four DAG files, cold and as the DAG processor parses them
    for name, (count, errors) in tasks.items():
        assert errors == 0, name
        assert count == (1 if "hook" in name else 5), name


def test_logins_per_run_are_one_with_a_shared_session_and_n_without(
    quick_run: tuple[dict[str, Any], Path],
) -> None:
    results, _ = quick_run
    for row in results["logins"]:
        n = row["work_tasks"]
        expected = 1 if row["pattern"].startswith("shared") else n
        assert (row["median"], row["logouts"]["median"]) == (expected, expected), row["name"]
        assert row["sessions_left_open"]["max"] == 0
        assert row["work_calls"]["median"] == n


def test_the_report_and_plots_are_written(quick_run: tuple[dict[str, Any], Path]) -> None:
    _, out = quick_run
    report = (out / "results.md").read_text()
    for title in (
        "Parse cost",
        "DagBag",
        "Request overhead",
        "Stand-in capacity",
        "Logins per DAG run",
        "Memory",
    ):
        assert title in report
    for name in ("requests_vs_clients.png", "logins_vs_tasks.png", "peak_rss_vs_calls.png"):
        assert (out / name).read_bytes().startswith(PNG), name
