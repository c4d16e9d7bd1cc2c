"""``python -m bench``: measure every figure on this machine, in one run, and write ``bench/results/``.

``--quick`` runs each code path once with tiny counts (the smoke test in ``make test`` uses it); its
numbers mean nothing. ``--only`` picks sections, e.g. ``--only clients`` to compare one change.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow_provider_tssession.testing.airflow_home import migrate
from bench import deferred, logins, memory, parse_cost, requests_overhead, tml_throughput, transfers
from bench.dataops_standin import DataOpsStandIn
from bench.report import markdown, plots
from bench.standin import connection_env, running_stand_in

if TYPE_CHECKING:
    from collections.abc import Sequence

REPO = Path(__file__).resolve().parent.parent
SECTIONS = (
    "imports",
    "dagbags",
    "clients",
    "capacity",
    "logins",
    "memory",
    "tml",
    "data",
    "reports",
    "deferred",
)
DATA_OPS_SECTIONS = ("tml", "data", "reports", "deferred")
"""Sections measured against the data-ops stand-in (`bench.dataops_standin`), not the session one."""
FULL: dict[str, Any] = {
    "import_reps": 15,
    "dagbag_reps": 7,
    "calls": 1000,
    "client_reps": 9,
    "capacity_calls": 4000,
    "capacity_reps": 3,
    "concurrency": [1, 2, 4, 8],
    "work_tasks": [1, 10, 50],
    "login_reps": 3,
    "memory_calls": [100, 1000, 5000],
    "memory_reps": 3,
    "tml_objects": [100, 1000, 5000],
    "tml_reps": {"100": 5, "1000": 3, "5000": 1},
    "tml_latency_bound_reps": {"100": 5, "1000": 1, "5000": 1},
    "tml_latency_bound_variants_at_most": {"5000": 1},
    "tml_skip": {
        "100": ["operator, max_concurrency 8, unpaced (before the fix)"],
        "1000": ["bare requests threads, max_concurrency 8"],  # over the rate limit: it would get 429s
        "5000": ["bare requests threads, max_concurrency 4", "bare requests threads, max_concurrency 8"],
    },
    "data_rows": [10_000, 100_000, 1_000_000],
    "data_reps": {"10000": 5, "100000": 3, "1000000": 2},
    "report_mb": [1, 200],
    "report_reps": 3,
    "deferred_imports": 100,
    "deferred_seconds": 10.0,
    "deferred_poll_interval": 1.0,
    "deferred_reps": {"on": 2, "on, unpaced": 1},
}
QUICK: dict[str, Any] = {
    "import_reps": 1,
    "dagbag_reps": 1,
    "calls": 10,
    "client_reps": 2,
    "capacity_calls": 20,
    "capacity_reps": 1,
    "concurrency": [2],
    "work_tasks": [2],
    "login_reps": 1,
    "memory_calls": [5],
    "memory_reps": 1,
    "tml_objects": [3],
    "tml_reps": {"3": 1},
    "tml_latency_bound_reps": {"3": 1},
    "tml_latency_bound_variants_at_most": {},
    "tml_skip": {},
    "data_rows": [25_000],
    "data_reps": {"25000": 1},
    "report_mb": [0.5],
    "report_reps": 1,
    "deferred_imports": 5,
    "deferred_seconds": 1.0,
    "deferred_poll_interval": 0.6,
    "deferred_reps": {"on": 1, "on, unpaced": 1},
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected sections and write results.json, results.md and the plots into `--out`."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny counts: check the code paths, not speed")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    args.out.mkdir(parents=True, exist_ok=True)
    # A wheel install ships bytecode; an editable install on a PYTHONDONTWRITEBYTECODE machine has none.
    compileall.compile_dir(REPO / "airflow_provider_tssession", quiet=1)
    home = Path(tempfile.mkdtemp(prefix="ts-bench-home-"))
    env = {
        **logins.airflow_env(home, settings["work_tasks"], os.environ),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "PYTHONWARNINGS": "ignore",
    }
    results: dict[str, Any] = {
        "command": shlex.join(["python", "-m", "bench", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(),
        "settings": settings,
    }
    try:
        run_sections(args.only, settings, env, results, log=lambda text: print(text, flush=True))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    results["machine"]["load average at end"] = _load()
    results["runs"] = {section: _run_of(results) for section in SECTIONS if section in results}
    if set(args.only) != set(SECTIONS):
        keep_other_sections(results, args.out / "results.json")
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (args.out / "results.md").write_text(markdown(results) + "\n")
    for path in plots(results, args.out):
        print("wrote", path)
    print("wrote", args.out / "results.md")
    return 0


def _run_of(results: dict[str, Any]) -> dict[str, Any]:
    machine = results["machine"]
    keys = ("date", "load average at start", "load average at end")
    return {"command": results["command"], **{key: machine.get(key) for key in keys}}


def keep_other_sections(results: dict[str, Any], previous: Path) -> None:
    """After ``--only``, carry the other sections over from the last results, saying which run made them."""
    if not previous.exists():
        return
    old: dict[str, Any] = json.loads(previous.read_text())
    runs = old.get("runs") or {section: _run_of(old) for section in SECTIONS if section in old}
    for section in SECTIONS:
        if section not in results and section in old:
            results[section] = old[section]
            results["runs"][section] = runs.get(section, _run_of(old))
            results["settings"].update(
                {
                    key: value
                    for key, value in old.get("settings", {}).items()
                    if key not in results["settings"]
                }
            )
    results["runs"] = {
        section: results["runs"][section] for section in SECTIONS if section in results["runs"]
    }


def run_sections(
    sections: Sequence[str], settings: dict[str, Any], env: dict[str, str], results: dict[str, Any], log: Any
) -> None:
    """Measure each selected section into `results`, one after another (never two at once)."""
    s = settings
    if "imports" in sections:
        log("parse cost: imports")
        results["imports"] = parse_cost.measure_imports(env, reps=s["import_reps"])
    if "dagbags" in sections:
        log("parse cost: DagBag")
        results["dagbags"] = parse_cost.measure_dagbags(env, reps=s["dagbag_reps"])
    if set(DATA_OPS_SECTIONS) & set(sections):
        run_data_ops(sections, settings, env, results, log)
    if not {"clients", "capacity", "logins", "memory"} & set(sections):
        return
    if "logins" in sections:
        log("migrating the private metadata DB")
        migrate(env)
    with running_stand_in() as stand_in:
        env = {**env, **connection_env(stand_in.url)}
        if "clients" in sections:
            log("request overhead: one client each")
            results["clients"] = requests_overhead.measure_clients(
                env, stand_in.url, calls=s["calls"], reps=s["client_reps"]
            )
            stand_in.reset()
        if "capacity" in sections:
            log("stand-in capacity: concurrent clients")
            results["capacity"] = requests_overhead.measure_capacity(
                env,
                stand_in.url,
                total_calls=s["capacity_calls"],
                reps=s["capacity_reps"],
                concurrency=s["concurrency"],
            )
            stand_in.reset()
        if "logins" in sections:
            log("logins per DAG run")
            results["logins"] = logins.measure(
                env, stand_in, work_tasks=s["work_tasks"], reps=s["login_reps"]
            )
            stand_in.reset()
        if "memory" in sections:
            log("memory: peak RSS of a task")
            results["memory"] = memory.measure(
                env, stand_in.url, calls=s["memory_calls"], reps=s["memory_reps"]
            )


def run_data_ops(
    sections: Sequence[str], settings: dict[str, Any], env: dict[str, str], results: dict[str, Any], log: Any
) -> None:
    """Measure the data-ops sections against their own stand-in process."""
    s = settings
    with DataOpsStandIn(env) as stand_in:
        env = {**env, **connection_env(stand_in.url)}
        if "tml" in sections:
            log("TML export throughput under the rate limit")
            results["tml"] = tml_throughput.measure(
                stand_in,
                env,
                objects=s["tml_objects"],
                reps=s["tml_reps"],
                latency_bound_reps=s["tml_latency_bound_reps"],
                latency_bound_variants=s["tml_latency_bound_variants_at_most"],
                skip=s["tml_skip"],
            )
        if "data" in sections:
            log("data export: rows/s and peak RSS")
            results["data"] = transfers.measure_data(stand_in, env, rows=s["data_rows"], reps=s["data_reps"])
        if "reports" in sections:
            log("report download: MB/s and peak RSS")
            results["reports"] = transfers.measure_reports(
                stand_in, env, megabytes=s["report_mb"], reps=s["report_reps"]
            )
        if "deferred" in sections:
            log("deferred imports: one event loop")
            results["deferred"] = []
            for limits, reps in s["deferred_reps"].items():
                results["deferred"] += deferred.measure(
                    stand_in,
                    env,
                    imports=s["deferred_imports"],
                    seconds=s["deferred_seconds"],
                    poll_interval=s["deferred_poll_interval"],
                    reps=reps,
                    rate_limits=limits.startswith("on"),
                    unpaced=limits.endswith("unpaced"),
                )


def machine() -> dict[str, Any]:
    """Describe what this ran on: cores, CPU, versions, and how busy the machine was."""
    from importlib.metadata import version

    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines()[:12]
    names = ["apache-airflow", "apache-airflow-task-sdk", "requests", "urllib3"]
    names += ["apache-airflow-providers-http", "thoughtspot_rest_api_v1", "thoughtspot-rest-api"]
    names += ["airflow-provider-thoughtspot"]
    versions = {name: version(name) for name in names}
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": os.cpu_count(),
        "cpu": next((line.split(":", 1)[1].strip() for line in lscpu if line.startswith("Model name")), "?"),
        "python": platform.python_version(),
        "versions": ", ".join(f"{name} {v}" for name, v in versions.items()),
        "load average at start": _load(),
        "lscpu": lscpu,
    }


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    raise SystemExit(main())
