"""Memory: peak RSS of a task process that logs in, makes N calls and logs out, per client.

A task runs in its own process with ``airflow.sdk`` loaded, so each measurement is a fresh interpreter
that imports it first; the figure is the process's peak RSS (``ru_maxrss``), and the growth over the RSS
after the first call shows whether anything accumulates per call.
"""

from __future__ import annotations

import argparse
import json
import resource
from typing import TYPE_CHECKING

from bench.child import run_child
from bench.stats import Row, figure_against, summary

if TYPE_CHECKING:
    from collections.abc import Sequence

MODULE = "bench.memory"
CLIENTS = ("requests.Session", "ThoughtSpotHook.request", "TSRestApiV1", "HttpHook.run")


def measure(env: dict[str, str], url: str, *, calls: Sequence[int], reps: int) -> list[Row]:
    """Peak RSS for each client and call count, `reps` fresh processes each, ratio to requests.Session."""
    from bench.clients import BASELINE

    samples: dict[tuple[str, int], list[dict[str, float]]] = {}
    for _ in range(reps):
        for count in calls:
            for name in CLIENTS:
                result = run_child(MODULE, ["--url", url, "--client", name, "--calls", str(count)], env)
                samples.setdefault((name, count), []).append(result)
    rows = []
    for (name, count), results in samples.items():
        rows.append(
            figure_against(
                f"{name}, {count} calls",
                "MB",
                [result["peak_mb"] for result in results],
                f"{BASELINE}, {count} calls",
                [result["peak_mb"] for result in samples[(BASELINE, count)]],
                client=name,
                calls=count,
                growth_mb=summary([result["peak_mb"] - result["warm_mb"] for result in results]),
            )
        )
    return rows


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: Sequence[str] | None = None) -> int:
    """Run the child: import like a task process, log in, make the calls, log out, report peak RSS."""
    parser = argparse.ArgumentParser(prog="python -m bench.memory")
    parser.add_argument("--url", required=True)
    parser.add_argument("--client", required=True)
    parser.add_argument("--calls", type=int, required=True)
    args = parser.parse_args(argv)
    import airflow.sdk  # noqa: F401  (every task process has it loaded)

    from bench.clients import CLIENTS as OPENERS

    client = OPENERS[args.client](args.url)
    try:
        client.get()
        warm = _peak_mb()
        for _ in range(args.calls - 1):
            client.get()
    finally:
        client.close()
    print(json.dumps({"warm_mb": warm, "peak_mb": _peak_mb()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
