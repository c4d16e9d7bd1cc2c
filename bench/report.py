"""Turn the results into the tables of ``results.md`` and the plots a reader would rather look at."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from bench.stats import Row

PLOTS: dict[str, dict[str, Any]] = {
    "capacity": {
        "file": "requests_vs_clients.png",
        "series": "client",
        "x": "concurrent",
        "title": "Stand-in throughput vs concurrent clients (2 cores; median, min-max)",
        "axes": {"xlabel": "concurrent client processes", "ylabel": "requests/s (total)"},
    },
    "logins": {
        "file": "logins_vs_tasks.png",
        "series": "pattern",
        "x": "work_tasks",
        "title": "Logins per DAG run vs work tasks",
        "axes": {"xlabel": "work tasks in the DAG (N)", "ylabel": "ThoughtSpot logins per DAG run"},
    },
    "memory": {
        "file": "peak_rss_vs_calls.png",
        "series": "client",
        "x": "calls",
        "title": "Peak RSS of a task: log in, N calls, log out",
        "axes": {"xlabel": "calls in the task", "ylabel": "peak RSS (MB)", "xscale": "log"},
    },
}
"""Section -> the plot drawn from it: one line per `series`, the median at each `x`, bars from min to max."""


def _num(value: float, unit: str) -> str:
    if unit in ("req/s", "logins") or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def _cell(stats: dict[str, float], unit: str = "") -> str:
    """``median (min-max)``."""
    return f"{_num(stats['median'], unit)} ({_num(stats['min'], unit)}-{_num(stats['max'], unit)})"


def _table(header: list[str], lines: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(line) + " |" for line in lines),
        "",
    ]


def markdown(results: dict[str, Any]) -> str:
    """Every figure as a table: median (min-max) of the repetitions, and the ratio to the baseline."""
    out = ["# Benchmark results", "", f"Command: `{results['command']}`", ""]
    machine = results["machine"]
    out += [f"- {key}: {value}" for key, value in machine.items() if key != "lscpu"]
    out += ["", "Each cell: median (min-max) over the repetitions; `n` = repetitions.", ""]
    if "imports" in results:
        out += ["## Parse cost: fresh `python -c 'import ...'`", ""]
        out += _table(
            ["variant", "wall ms", "ratio", "added, wall ms", "added in-process ms", "% of airflow.sdk",
             "requests loaded", "n"],
            [
                [
                    row["name"], _cell(row, "ms"), f"{row['ratio']:.3f}", _cell(row["wall_added_ms"]),
                    _cell(row["added_ms"]), f"{100 * row['added_share']['median']:.2f}%",
                    "yes" if row["requests_loaded"] else "no", str(row["n"]),
                ]
                for row in results["imports"]
            ],
        )  # fmt: skip
    if "dagbags" in results:
        out += ["## Parse cost: DagBag per DAG file", ""]
        out += _table(
            ["DAG file, mode", "ms", "ratio", "baseline", "tasks", "errors", "n"],
            [
                [row["name"], _cell(row, "ms"), f"{row['ratio']:.3f}", row["baseline"], str(row["tasks"]),
                 str(row["import_errors"]), str(row["n"])]
                for row in results["dagbags"]
            ],
        )  # fmt: skip
    if "clients" in results:
        out += ["## Request overhead: authenticated GETs on loopback, one client", ""]
        out += _table(
            ["client", "req/s", "ratio to requests.Session", "client CPU us/call", "n"],
            [
                [row["name"], _cell(row, "req/s"), _cell(row["ratio_range"]), _cell(row["cpu_us_per_call"]),
                 str(row["n"])]
                for row in results["clients"]
            ],
        )  # fmt: skip
    if "capacity" in results:
        out += ["## Stand-in capacity: concurrent client processes", ""]
        out += _table(
            ["client x processes", "req/s (total)", "ratio to 1 process", "n"],
            [
                [row["name"], _cell(row, "req/s"), f"{row['ratio']:.2f}", str(row["n"])]
                for row in results["capacity"]
            ],
        )
    if "logins" in results:
        out += ["## Logins per DAG run (dag.test())", ""]
        out += _table(
            ["pattern, work tasks", "logins", "logouts", "left open", "work calls", "ratio", "run s", "n"],
            [
                [row["name"], _cell(row, "logins"), _cell(row["logouts"], "logins"),
                 _cell(row["sessions_left_open"], "logins"), _cell(row["work_calls"], "logins"),
                 f"{row['ratio']:.1f}", _cell(row["run_seconds"]), str(row["n"])]
                for row in results["logins"]
            ],
        )  # fmt: skip
    if "memory" in results:
        out += ["## Memory: peak RSS of a task process", ""]
        out += _table(
            ["client, calls", "peak RSS MB", "growth after 1st call MB", "ratio", "n"],
            [
                [row["name"], _cell(row, "MB"), _cell(row["growth_mb"]), f"{row['ratio']:.3f}", str(row["n"])]
                for row in results["memory"]
            ],
        )
    return "\n".join(out)


def plots(results: dict[str, Any], folder: Path) -> list[Path]:
    """Draw the plots whose data this run measured; return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    for section, plot in PLOTS.items():
        if section not in results:
            continue
        figure, axes = plt.subplots(figsize=(7, 4.5))
        axes.set(title=plot["title"], **plot["axes"])  # the scale first: it resets the ticks
        _lines(axes, results[section], plot["series"], plot["x"])
        axes.set_ylim(0, None)
        figure.tight_layout()
        figure.savefig(folder / plot["file"], dpi=110)
        written.append(folder / plot["file"])
    plt.close("all")
    return written


def _lines(axes: Any, rows: list[Row], series: str, x: str) -> None:
    """One line per `series`, points at `x`: the median, with a bar from min to max."""
    for name in dict.fromkeys(row[series] for row in rows):
        points = sorted(
            (row[x], row["median"], row["min"], row["max"]) for row in rows if row[series] == name
        )
        xs, medians = [p[0] for p in points], [p[1] for p in points]
        errors = [[p[1] - p[2] for p in points], [p[3] - p[1] for p in points]]
        axes.errorbar(xs, medians, yerr=errors, marker="o", capsize=4, label=name)
    ticks = sorted({row[x] for row in rows})
    axes.set_xticks(ticks, [str(tick) for tick in ticks])
    axes.minorticks_off()
    axes.grid(alpha=0.3)
    axes.legend()
