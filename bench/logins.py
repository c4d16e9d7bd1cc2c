"""Logins per DAG run: the setup/teardown pattern vs a hook per task, for N work tasks, with dag.test().

Each run is a fresh process running ``dag.test()`` on a DAG of ``bench/dags/login_patterns.py`` in the
bench's private AIRFLOW_HOME (SQLite metadata DB); the stand-in counts logins and logouts.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from airflow_provider_tssession.testing.airflow_home import airflow_home_env
from bench.child import run_child
from bench.stats import Row, figure_against, summary

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from bench.standin import StandIn

MODULE = "bench.logins"
DAGS = Path(__file__).resolve().parent / "dags"
PATTERNS = {
    "shared session (setup/teardown)": "bench_shared_session_{n}",
    "hook per task": "bench_hook_per_task_{n}",
}
BASELINE = "shared session (setup/teardown)"


def airflow_env(home: Path, work_tasks: Sequence[int], base: Mapping[str, str]) -> dict[str, str]:
    """Return `base` pointed at the private Airflow in `home`, and dag.test() at the bench's DAGs."""
    work = {"TS_BENCH_WORK_TASKS": ",".join(str(n) for n in work_tasks)}
    return airflow_home_env(home, {"bench": DAGS}, settings=work, base=base)


def measure(env: dict[str, str], stand_in: StandIn, *, work_tasks: Sequence[int], reps: int) -> list[Row]:
    """Run each pattern's DAG `reps` times per N; count what the stand-in saw."""
    seen: dict[tuple[str, int], list[dict[str, float]]] = {}
    for _ in range(reps):
        for n in work_tasks:
            for pattern, dag_id in PATTERNS.items():
                stand_in.reset()
                run = run_child(MODULE, [dag_id.format(n=n)], env)
                stats = stand_in.stats()
                if run["state"] != "success":
                    raise RuntimeError(f"{dag_id.format(n=n)} ended {run['state']}")
                seen.setdefault((pattern, n), []).append(
                    {**stats, "seconds": run["seconds"], "calls": sum(stats["calls_per_session"].values())}
                )
    rows = []
    for (pattern, n), runs in seen.items():
        rows.append(
            figure_against(
                f"{pattern}, N={n}",
                "logins",
                [run["logins"] for run in runs],
                f"{BASELINE}, N={n}",
                [run["logins"] for run in seen[(BASELINE, n)]],
                pattern=pattern,
                work_tasks=n,
                logouts=summary([run["logouts"] for run in runs]),
                sessions_left_open=summary([run["active_sessions"] for run in runs]),
                work_calls=summary([run["calls"] for run in runs]),
                requests=summary([run["requests"] for run in runs]),
                run_seconds=summary([run["seconds"] for run in runs]),
            )
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the child: parse the bench DAGs and run one with dag.test()."""
    parser = argparse.ArgumentParser(prog="python -m bench.logins")
    parser.add_argument("dag_id")
    args = parser.parse_args(argv)
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(str(DAGS))
    if bag.import_errors:
        raise SystemExit(f"the bench DAGs do not parse: {bag.import_errors}")
    started = time.perf_counter()
    run = bag.dags[args.dag_id].test()
    print(json.dumps({"state": str(run.state), "seconds": time.perf_counter() - started}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
