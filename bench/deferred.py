"""Deferred TML imports at scale: many ``ThoughtSpotTMLImportTrigger.run()`` in one event loop at once.

One fresh interpreter plays the triggerer: it submits ``imports`` async TML imports (the stand-in takes
``seconds`` to finish each), then runs one trigger per import in a single asyncio loop, as Airflow's
triggerer does, with a probe that sleeps ``PROBE`` seconds over and over and records how late it wakes.
The figures: the loop's worst lag while the triggers poll (goal < 100 ms) against the same probe with no
trigger (the baseline, same process), status calls per import (the stand-in counts them; goal at most
duration / poll_interval + 1), and the RSS each waiting trigger adds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

from bench.child import run_child
from bench.stats import Row, figure, summary

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bench.dataops_standin import DataOpsStandIn

MODULE = "bench.deferred"
PROBE = 0.005
"""Seconds the lag probe sleeps each time; a late wake-up is time the loop spent on something else."""
IDLE_SECONDS = 2.0
"""How long the probe runs alone first: the baseline lag of this process's loop."""


def measure(
    stand_in: DataOpsStandIn,
    env: dict[str, str],
    *,
    imports: int,
    seconds: float,
    poll_interval: float,
    reps: int,
    rate_limits: bool,
    unpaced: bool = False,
) -> list[Row]:
    """Run the triggerer `reps` times; rows for the loop's lag, polls per import and memory per import.

    With ``rate_limits`` the stand-in enforces ThoughtSpot's limits, the status route's 100 a minute too;
    ``unpaced`` switches the triggers' shared status budget off, as they were before the benchmark.
    """
    runs = []
    for _ in range(reps):
        stand_in.configure(rate_limits=rate_limits)
        stand_in.command("async_imports", seconds=seconds)
        result = run_child(
            MODULE,
            ["--url", stand_in.url, "--imports", str(imports), "--poll-interval", str(poll_interval)]
            + (["--unpaced"] if unpaced else []),
            env,
            timeout=1800,
        )
        stats = stand_in.stats()
        result["polls"] = list(stats["status_polls"].values())
        result["rate_limited"] = stats["rate_limited"]
        if len(result["polls"]) != imports:
            raise RuntimeError(f"{imports} imports submitted, {len(result['polls'])} polled")
        runs.append(result)
    allowed = [max(run["durations"]) / poll_interval + 1 for run in runs]
    limits = "ThoughtSpot's rate limits on" if rate_limits else "no rate limit"
    if unpaced:
        limits += ", unpaced (before the fix)"
    common = {
        "imports": imports,
        "import_seconds": seconds,
        "poll_interval": poll_interval,
        "rate_limits": rate_limits,
        "unpaced": unpaced,
        "limits": limits,
        "rate_limited": summary([run["rate_limited"] for run in runs]),
        "failed_tasks": summary([imports - run["done"] for run in runs]),
    }
    idle = [run["idle_lag_ms"] for run in runs]
    return [
        figure(
            f"worst event-loop lag, {imports} triggers polling, {limits}",
            "ms",
            [run["lag_ms"] for run in runs],
            baseline="worst lag of the same loop with no trigger",
            ratio=summary([run["lag_ms"] for run in runs])["median"] / max(summary(idle)["median"], 1e-3),
            idle_lag_ms=summary(idle),
            p99_lag_ms=summary([run["p99_lag_ms"] for run in runs]),
            **common,
        ),
        figure(
            f"status calls per import, {imports} imports of {seconds:g} s, "
            f"poll_interval {poll_interval:g} s, {limits}",
            "calls",
            [max(run["polls"]) for run in runs],
            baseline="longest trigger's wait / poll_interval + 1",
            ratio=summary([max(run["polls"]) / a for run, a in zip(runs, allowed, strict=True)])["median"],
            allowed=summary(allowed),
            median_polls=summary([sorted(run["polls"])[len(run["polls"]) // 2] for run in runs]),
            wait_s=summary([max(run["durations"]) for run in runs]),
            **common,
        ),
        figure(
            f"RSS per deferred import, {imports} at once, {limits}",
            "KB",
            [run["rss_per_import_kb"] for run in runs],
            baseline="RSS of the triggerer process before the triggers",
            ratio=summary([run["rss_per_import_kb"] * imports / 1024 / run["rss_before_mb"] for run in runs])[
                "median"
            ],
            rss_before_mb=summary([run["rss_before_mb"] for run in runs]),
            **common,
        ),
    ]


# The child side -------------------------------------------------------------------------------------------


def _rss_mb() -> float:
    """Resident set size now (not the peak): ``/proc/self/statm`` counts pages."""
    import os

    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def _submit(imports: int) -> tuple[list[str], dict[str, Any]]:
    """Log in, export one Liveboard's TML and submit it ``imports`` times; return the task ids and handle."""
    from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
    from airflow_provider_tssession.tml_import import submit

    hook = ThoughtSpotHook("thoughtspot_default")
    search = {"metadata": [{"type": "LIVEBOARD"}], "record_size": 1}
    guid = hook.request("POST", "/api/rest/2.0/metadata/search", json=search).json()[0]["metadata_id"]
    export = {"metadata": [{"identifier": guid}], "edoc_format": "YAML"}
    edoc = hook.request("POST", "/api/rest/2.0/metadata/tml/export", json=export).json()[0]["edoc"]
    ids = [
        submit(hook, [edoc], import_policy="PARTIAL", create_new=False, asynchronous=True)["task_id"]
        for _ in range(imports)
    ]
    return ids, hook.hand_off_session()


async def _triggerer(ids: list[str], handle: dict[str, Any], poll_interval: float) -> dict[str, Any]:
    from airflow_provider_tssession.triggers.tml import ThoughtSpotTMLImportTrigger

    loop = asyncio.get_running_loop()
    lags: list[float] = []
    rss = [_rss_mb()]
    stop = asyncio.Event()

    async def probe() -> None:
        while not stop.is_set():
            before = loop.time()
            await asyncio.sleep(PROBE)
            lags.append(loop.time() - before - PROBE)
            if len(lags) % 20 == 0:
                rss.append(_rss_mb())

    async def wait(trigger: ThoughtSpotTMLImportTrigger) -> tuple[dict[str, Any], float]:
        started = time.monotonic()
        async for event in trigger.run():
            return event.payload, time.monotonic() - started
        raise RuntimeError("the trigger ended without an event")

    probing = asyncio.create_task(probe())
    await asyncio.sleep(IDLE_SECONDS)
    idle, lags[:] = list(lags), []
    rss_before = max(rss)
    triggers = [
        ThoughtSpotTMLImportTrigger(
            thoughtspot_conn_id="thoughtspot_default",
            import_task_id=task_id,
            session_handle=handle,
            owns_session=False,
            poll_interval=poll_interval,
            deadline=None,
        )
        for task_id in ids
    ]
    results = await asyncio.gather(*(wait(trigger) for trigger in triggers))
    stop.set()
    await probing
    busy = sorted(lags)
    return {
        "idle_lag_ms": max(idle) * 1e3,
        "lag_ms": busy[-1] * 1e3,
        "p99_lag_ms": busy[int(len(busy) * 0.99)] * 1e3,
        "done": sum(1 for payload, _ in results if payload.get("status") == "done"),
        "durations": [seconds for _, seconds in results],
        "rss_before_mb": rss_before,
        "rss_per_import_kb": max(0.0, max(rss) - rss_before) * 1024 / len(ids),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Submit the imports, then wait for all of them in one event loop; print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.deferred")
    parser.add_argument("--url", required=True)
    parser.add_argument("--imports", type=int, required=True)
    parser.add_argument("--poll-interval", type=float, required=True)
    parser.add_argument("--unpaced", action="store_true", help="no shared status budget (before the fix)")
    args = parser.parse_args(argv)
    import airflow.sdk  # noqa: F401  (the triggerer has it loaded)

    if args.unpaced:
        from bench.tml_throughput import unpace

        unpace()

    ids, handle = _submit(args.imports)
    result = asyncio.run(_triggerer(ids, handle, args.poll_interval))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
