"""Request overhead: authenticated GETs on loopback through each client, and the stand-in's own capacity.

The parent starts child processes (``python -m bench.requests_overhead ...``) so each client runs on a
fresh interpreter with only its own library loaded, and the stand-in has a core of its own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from bench.child import last_json, run_child
from bench.stats import Row, figure, paired_ratios, summary

if TYPE_CHECKING:
    from collections.abc import Sequence

MODULE = "bench.requests_overhead"
LOAD_CLIENTS = ("http.client loop", "requests.Session", "ThoughtSpotHook.request")
"""Clients of the concurrency sweep: the stand-in's floor, the requests floor, and this provider."""


def measure_clients(env: dict[str, str], url: str, *, calls: int, reps: int) -> list[Row]:
    """Throughput and client CPU per call of every client, measured interleaved in one process."""
    samples = run_child(MODULE, ["clients", "--url", url, "--calls", str(calls), "--reps", str(reps)], env)
    from bench.clients import BASELINE

    base_rps = samples[BASELINE]["rps"]
    rows = []
    for name, measured in samples.items():
        rows.append(
            figure(
                name,
                "req/s",
                measured["rps"],
                baseline=BASELINE,
                ratio=paired_ratios(measured["rps"], base_rps)["median"],
                ratio_range=paired_ratios(measured["rps"], base_rps),
                cpu_us_per_call=summary(measured["cpu_us"]),
            )
        )
    return rows


def measure_capacity(
    env: dict[str, str], url: str, *, total_calls: int, reps: int, concurrency: Sequence[int]
) -> list[Row]:
    """Requests/s with 1..k concurrent client processes, each its own keep-alive connection."""
    rows = []
    for name in LOAD_CLIENTS:
        for clients in concurrency:
            rates = [
                _concurrent_rate(env, url, name, clients, max(total_calls // clients, 1)) for _ in range(reps)
            ]
            rows.append(figure(f"{name} x{clients}", "req/s", rates, client=name, concurrent=clients))
    for row in rows:
        base = next(r for r in rows if r["client"] == row["client"] and r["concurrent"] == concurrency[0])
        row["baseline"], row["ratio"] = base["name"], row["median"] / base["median"]
    return rows


def _concurrent_rate(env: dict[str, str], url: str, name: str, clients: int, calls: int) -> float:
    """Start `clients` processes, log each in, release them together, and count requests per second."""
    command = [sys.executable, "-m", MODULE, "load", "--url", url, "--client", name]
    processes = [
        subprocess.Popen(
            [*command, "--calls", str(calls)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(clients)
    ]
    try:
        for process in processes:
            _wait_for_ready(process, name)
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        spans = [last_json(process.communicate(timeout=600)[0]) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    if any(process.returncode for process in processes):
        raise RuntimeError(f"a {name} load client failed")
    elapsed = max(span["end"] for span in spans) - min(span["start"] for span in spans)
    return float(clients * calls / elapsed)


def _wait_for_ready(process: subprocess.Popen[str], name: str) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == "ready":
            return
    raise RuntimeError(f"a {name} load client ended before it was ready")


# The child side -------------------------------------------------------------------------------------------


def _run_clients(url: str, calls: int, reps: int) -> dict[str, dict[str, list[float]]]:
    """Open every client, then send their calls in turns, timing each call on its own.

    Turns are one call each, in a rotating order: every client sees the same background load at
    millisecond scale, so the ratios hold on a busy machine where whole-block timings would drift.
    """
    from bench.clients import CLIENTS

    clients = {name: open_client(url) for name, open_client in CLIENTS.items()}
    names = list(clients)
    samples: dict[str, dict[str, list[float]]] = {name: {"rps": [], "cpu_us": []} for name in names}
    try:
        for name in names:
            for _ in range(max(calls // 10, 5)):  # warm up: connections open, caches filled
                clients[name].get()
        for _ in range(reps):
            wall = dict.fromkeys(names, 0)
            cpu = dict.fromkeys(names, 0)
            for turn in range(calls):
                for name in names[turn % len(names) :] + names[: turn % len(names)]:
                    get = clients[name].get
                    wall0, cpu0 = time.perf_counter_ns(), time.process_time_ns()
                    get()
                    wall[name] += time.perf_counter_ns() - wall0
                    cpu[name] += time.process_time_ns() - cpu0
            for name in names:
                samples[name]["rps"].append(calls / wall[name] * 1e9)
                samples[name]["cpu_us"].append(cpu[name] / calls / 1e3)
    finally:
        for client in clients.values():
            client.close()
    return samples


def _run_load(url: str, name: str, calls: int) -> dict[str, float]:
    """Log in, say ready, wait for the go, send `calls` GETs, report when it started and ended."""
    from bench.clients import CLIENTS

    client = CLIENTS[name](url)
    try:
        client.get()
        print("ready", flush=True)
        sys.stdin.readline()
        start = time.time()
        for _ in range(calls):
            client.get()
        end = time.time()
    finally:
        client.close()
    return {"start": start, "end": end}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the child processes."""
    parser = argparse.ArgumentParser(prog="python -m bench.requests_overhead")
    parser.add_argument("mode", choices=["clients", "load"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--calls", type=int, required=True)
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--client")
    args = parser.parse_args(argv)
    if args.mode == "clients":
        print(json.dumps(_run_clients(args.url, args.calls, args.reps)))
    else:
        print(json.dumps(_run_load(args.url, args.client, args.calls)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
