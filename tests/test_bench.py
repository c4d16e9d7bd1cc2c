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
        "reports": settings["report_reps"],
    }
    for section, count in reps.items():
        assert results[section], section
        for row in results[section]:
            well_formed(row, count)
    assert results["data"]
    for row in results["data"]:
        well_formed(row, settings["data_reps"][str(row["rows"])])
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
        "+ every operator and @task.thoughtspot": False,
        "+ every operator, @task.thoughtspot and the TML import trigger": False,
        "+ every operator, @task.thoughtspot and the TML import trigger, over their Airflow bases": False,
        "+ HttpHook and HttpOperator": True,
    }
    for row in results["imports"]:
        if row["name"].startswith("+ every operator"):
            assert row["heavy_loaded"] == [], row["name"]  # no requests, fsspec or pyarrow added
            assert row["missing"] == [], row["name"]  # every module named there exists
    assert next(row for row in results["imports"] if "Http" in row["name"])["heavy_loaded"] == ["requests"]
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
        "TML export",
        "Data export",
        "Report download",
        "Deferred TML imports",
        "Goals of the data-ops work",
    ):
        assert title in report
    for name in (
        "requests_vs_clients.png",
        "logins_vs_tasks.png",
        "peak_rss_vs_calls.png",
        "tml_export_vs_objects.png",
        "data_export_peak_rss.png",
        "data_export_rows_per_s.png",
        "report_download_peak_rss.png",
    ):
        assert (out / name).read_bytes().startswith(PNG), name


def test_tml_export_runs_every_variant_and_counts_what_the_stand_in_saw(
    quick_run: tuple[dict[str, Any], Path],
) -> None:
    results, _ = quick_run
    (objects,) = results["settings"]["tml_objects"]
    rows = results["tml"]
    assert {row["variant"] for row in rows} == {
        "TSRestApiV2 loop",
        "operator, max_concurrency 1",
        "operator, max_concurrency 4",
        "operator, max_concurrency 8",
        "operator, max_concurrency 8, unpaced (before the fix)",
        "bare requests threads, max_concurrency 4",
        "bare requests threads, max_concurrency 8",
    }
    for row in rows:
        well_formed(row, 1)
        assert row["exported"]["median"] == objects, row["name"]
        # a login, the search, one export per object (and a logout): far under the burst, so no 429
        assert row["requests"]["min"] >= objects + 2, row["name"]
        assert row["rate_limited"]["max"] == 0, row["name"]
        assert 1 <= row["max_in_flight"]["max"] <= row["concurrency"], row["name"]
        assert row["bound_s"]["median"] == pytest.approx(objects * 0.05 / row["concurrency"]), row["name"]


def test_data_and_reports_move_every_row_and_byte(quick_run: tuple[dict[str, Any], Path]) -> None:
    results, _ = quick_run
    (rows,) = results["settings"]["data_rows"]
    assert {row["variant"] for row in results["data"]} == {
        "raw requests loop",
        "ThoughtSpotDataExportOperator (CSV)",
        "TSRestApiV2 pages in a list",
    }
    assert {row["rows"] for row in results["data"]} == {rows}  # the child checks the count it moved
    (size,) = results["settings"]["report_mb"]
    assert {row["variant"] for row in results["reports"]} == {
        "raw streamed requests",
        "ThoughtSpotReportOperator",
        "TSRestApiV2.report_liveboard",
    }
    assert {row["megabytes"] for row in results["reports"]} == {size}
    for row in results["data"] + results["reports"]:
        assert row["peak_mb"]["median"] > 0 and row["growth_mb"]["min"] >= 0, row["name"]


def test_deferred_imports_all_finish_and_poll_within_the_allowance(
    quick_run: tuple[dict[str, Any], Path],
) -> None:
    results, _ = quick_run
    rows = results["deferred"]
    assert [(row["rate_limits"], row["unpaced"]) for row in rows[::3]] == [(True, False), (True, True)]
    imports = results["settings"]["deferred_imports"]
    for lag, polls, memory in (rows[:3], rows[3:6]):
        for row in (lag, polls, memory):
            if row is not memory:  # five imports may add no measurable RSS: a ratio of 0 is right there
                well_formed(row, 1)
            assert row["imports"] == imports
            assert row["failed_tasks"]["max"] == 0, row["name"]  # every import's task would succeed
            assert row["rate_limited"]["max"] == 0, row["name"]  # 5 imports stay far under the limits
        assert 1 <= polls["median_polls"]["median"] <= polls["median"]  # every import was polled
        assert memory["rss_before_mb"]["median"] > 0


def test_only_keeps_the_other_sections_and_says_which_run_measured_each(tmp_path: Path) -> None:
    from bench.__main__ import keep_other_sections
    from bench.report import markdown

    machine = {"date": "2026-11-28 10:00 UTC", "load average at start": "2.4", "load average at end": "2.1"}
    old = {"command": "python -m bench", "machine": machine, "settings": {"calls": 1000}}
    old |= {"clients": [], "imports": [{"name": "stale"}]}
    (tmp_path / "results.json").write_text(json.dumps(old))
    machine = {**machine, "date": "2026-11-30 12:20 UTC"}
    new: dict[str, Any] = {"command": "python -m bench --only imports", "machine": machine, "settings": {}}
    new |= {"imports": [], "runs": {"imports": {"command": "python -m bench --only imports", **machine}}}
    keep_other_sections(new, tmp_path / "results.json")
    assert new["clients"] == [] and new["imports"] == []  # carried over; re-measured sections win
    assert new["runs"]["clients"]["date"] == "2026-11-28 10:00 UTC"
    assert new["settings"] == {"calls": 1000}
    report = markdown(new)
    assert "- clients: `python -m bench` on 2026-11-28 10:00 UTC" in report
    assert "- imports: `python -m bench --only imports` on 2026-11-30 12:20 UTC" in report
