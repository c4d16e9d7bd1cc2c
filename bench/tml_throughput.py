"""TML export throughput against ThoughtSpot's rate limit: the operator at 1, 4 and 8 in flight, and a loop.

The stand-in answers each export ``LATENCY`` late and enforces ThoughtSpot's limit (100 requests/s per
client plus a burst of 10, then 429). No client can beat ``bound(requests, objects, concurrency)``: the
requests beyond the first 110 go at most 100 a second, and each object waits ``LATENCY`` with at most
``concurrency`` of them in flight. The figure is the wall time, its ratio to that bound (goal: within
0.85x) and the 429s the stand-in sent (goal: none). Each run is a fresh interpreter (a task process,
its imports done: `bench.child`) that finds the objects with ``/metadata/search`` and writes one file per
object; the clock covers connection look-up, login, search, exports and logout.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.child import as_a_task_process, run_child
from bench.dataops_standin import LIVEBOARD_PREFIX
from bench.stats import Row, figure, summary

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bench.dataops_standin import DataOpsStandIn

MODULE = "bench.tml_throughput"
LATENCY = 0.05
"""Seconds the stand-in takes per TML export (issue 19)."""
RATE, BURST = 100.0, 10
"""ThoughtSpot's documented limit: 100 requests/s per client IP, then a burst of 10."""
BASELINE = "TSRestApiV2 loop"
UNPACED = "operator, max_concurrency 8, unpaced (before the fix)"
VARIANTS: dict[str, int] = {BASELINE: 1, "operator, max_concurrency 1": 1}
VARIANTS |= {f"operator, max_concurrency {c}": c for c in (4, 8)}
VARIANTS[UNPACED] = 8
BARE = "bare requests threads"
VARIANTS |= {f"{BARE}, max_concurrency {c}": c for c in (4, 8)}
"""Variant -> requests in flight at once. UNPACED switches the client-side rate limiter off, as the
operator was before the benchmark found its 429s (bench-only: the operator has no such switch). BARE is
the least a client can do at that concurrency (a thread pool sharing one ``requests.Session``, no retry,
no pacing, no status checks): what this stand-in and machine allow, where the bound is out of reach. It
fails on a 429, so it runs only where the rate limit is not reached."""
SEARCH = [{"type": "LIVEBOARD", "name_pattern": f"{LIVEBOARD_PREFIX}%"}]


def bound_seconds(requests: int, objects: int, concurrency: int) -> float:
    """Return the least wall time the rate limit and the export latency allow (issue 19's formula)."""
    return max((requests - (RATE + BURST)) / RATE, objects * LATENCY / concurrency)


def measure(
    stand_in: DataOpsStandIn,
    env: dict[str, str],
    *,
    objects: Sequence[int],
    reps: dict[str, int],
    latency_bound_reps: dict[str, int],
    latency_bound_variants: dict[str, int],
    skip: dict[str, list[str]],
) -> list[Row]:
    """Every variant at every object count, interleaved within a repetition, fresh buckets each run.

    One object in flight is latency-bound (objects x 50 ms, give or take little), so those variants run
    ``latency_bound_reps`` times, and only the first ``latency_bound_variants`` of them (the loop first)
    where a run costs minutes. ``skip`` drops variants at a count (the unpaced one where it cannot
    reach the limit).
    """
    from airflow_provider_tssession.testing.paths import TML_EXPORT_PATH

    rows: list[Row] = []
    present = 0
    for count in objects:
        stand_in.command("liveboards", count=count - present, start=present)
        present = count
        serial = [name for name in VARIANTS if VARIANTS[name] == 1]
        names = [
            name
            for name in VARIANTS
            if name not in serial[latency_bound_variants.get(str(count), len(serial)) :]
            and name not in skip.get(str(count), [])
        ]
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
        for rep in range(reps[str(count)]):
            for name in names[rep % len(names) :] + names[: rep % len(names)]:
                if name in serial and rep >= latency_bound_reps[str(count)]:
                    continue
                stand_in.configure(rate_limits=True, latency={TML_EXPORT_PATH: LATENCY})
                result = run_child(
                    MODULE,
                    ["--url", stand_in.url, "--variant", name, "--concurrency", str(VARIANTS[name])],
                    env,
                    timeout=1800,
                )
                stats = stand_in.stats()
                result["requests"] = int(stats["requests"])
                result["rate_limited"] = int(stats["rate_limited"])
                result["max_in_flight"] = int(stats["max_in_flight"])
                result["bound_s"] = bound_seconds(result["requests"], result["objects"], VARIANTS[name])
                runs[name].append(result)
        for name in names:
            rows.append(_row(name, count, runs[name], runs[BASELINE]))
    return rows


def _row(name: str, count: int, runs: list[dict[str, Any]], base: list[dict[str, Any]]) -> Row:
    pairs = list(zip(runs, base, strict=False))
    return figure(
        f"{name}, {count} objects",
        "s",
        [run["seconds"] for run in runs],
        variant=name,
        objects=count,
        concurrency=VARIANTS[name],
        baseline=f"{BASELINE}, {count} objects",
        ratio=summary([run["seconds"] / b["seconds"] for run, b in pairs])["median"],
        of_bound=summary([run["bound_s"] / run["seconds"] for run in runs]),
        bound_s=summary([run["bound_s"] for run in runs]),
        objects_per_s=summary([run["objects"] / run["seconds"] for run in runs]),
        exported=summary([run["objects"] for run in runs]),
        requests=summary([run["requests"] for run in runs]),
        rate_limited=summary([run["rate_limited"] for run in runs]),
        max_in_flight=summary([run["max_in_flight"] for run in runs]),
        client_cpu_ms_per_object=summary([run["cpu_s"] * 1e3 / run["objects"] for run in runs]),
    )


# The child side -------------------------------------------------------------------------------------------


def _operator(url: str, out: Path, concurrency: int) -> int:
    from airflow_provider_tssession.operators.tml import ThoughtSpotTMLExportOperator
    from bench.transfers import task_context

    operator = ThoughtSpotTMLExportOperator(
        task_id="tml_export", output_path=str(out), metadata=SEARCH, max_concurrency=concurrency
    )
    result = operator.execute(task_context())
    return int(result["exported"])


def _rest_api_v2(url: str, out: Path, concurrency: int) -> int:
    """Do what ThoughtSpot's examples do: search everything at once, then export one object per call."""
    from bench.transfers import rest_api_v2

    api = rest_api_v2(url)
    try:
        found = api.metadata_search({"metadata": SEARCH, "record_size": -1})
        for obj in found:
            exported = api.metadata_tml_export(
                [obj["metadata_id"]], export_fqn=True, edoc_format="YAML", export_associated=False
            )
            for item in exported:
                (out / f"{item['info']['id']}.{item['info']['type']}.tml").write_text(item["edoc"])
    finally:
        api.auth_session_logout()
    return len(found)


def _bare_threads(url: str, out: Path, concurrency: int) -> int:
    """Search once, then export with `concurrency` threads on one session, writing each file."""
    from concurrent.futures import ThreadPoolExecutor

    from bench.transfers import V2, raw_session

    session = raw_session(url)
    search = {"metadata": SEARCH, "record_size": -1}
    found = session.post(url + V2 + "/metadata/search", json=search, timeout=30).json()

    def export(obj: dict[str, Any]) -> None:
        body = {"metadata": [{"identifier": obj["metadata_id"]}], "edoc_format": "YAML", "export_fqn": True}
        response = session.post(url + V2 + "/metadata/tml/export", json=body, timeout=30)
        response.raise_for_status()
        for item in response.json():
            (out / f"{item['info']['id']}.{item['info']['type']}.tml").write_text(item["edoc"])

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(export, found))
    session.post(url + V2 + "/auth/session/logout", timeout=30)
    return len(found)


def unpace() -> None:
    """Switch this process's client-side rate limiters off (the TML export's and the status polls')."""
    from airflow_provider_tssession.rate_limit import RateLimiter

    RateLimiter.reserve = lambda self: 0.0  # type: ignore[method-assign]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one variant in this fresh interpreter; print the wall time and the objects exported."""
    parser = argparse.ArgumentParser(prog="python -m bench.tml_throughput")
    parser.add_argument("--url", required=True)
    parser.add_argument("--variant", required=True, choices=list(VARIANTS))
    parser.add_argument("--concurrency", type=int, required=True)
    args = parser.parse_args(argv)
    as_a_task_process()  # imports are not the export: loaded before the clock starts

    if args.variant == UNPACED:
        unpace()
    run = _rest_api_v2 if args.variant == BASELINE else _operator
    if args.variant.startswith(BARE):
        run = _bare_threads
    out = Path(tempfile.mkdtemp(prefix="ts-bench-tml-"))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        objects = run(args.url, out, args.concurrency)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        files = sum(1 for _ in out.iterdir())
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if files != objects:
        raise RuntimeError(f"{objects} objects exported but {files} files written")
    print(json.dumps({"seconds": seconds, "objects": objects, "cpu_s": cpu}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
