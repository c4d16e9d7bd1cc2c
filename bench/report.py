"""Turn the results into the tables of ``results.md`` and the plots a reader would rather look at."""

from __future__ import annotations

import json
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
    "tml": {
        "file": "tml_export_vs_objects.png",
        "series": "variant",
        "x": "objects",
        "value": "of_bound",
        "title": "TML export under 100 req/s + 50 ms per export: share of the bound reached",
        "axes": {
            "xlabel": "objects exported",
            "ylabel": "bound / wall time (1 = the limit)",
            "xscale": "log",
        },
    },
    "data": {
        "file": "data_export_peak_rss.png",
        "series": "variant",
        "x": "rows",
        "value": "peak_mb",
        "title": "Data export: peak RSS of the task vs rows (page_size 10,000)",
        "axes": {"xlabel": "rows exported", "ylabel": "peak RSS (MB)", "xscale": "log"},
    },
    "data_rate": {
        "section": "data",
        "file": "data_export_rows_per_s.png",
        "series": "variant",
        "x": "rows",
        "title": "Data export: rows/s vs rows (page_size 10,000)",
        "axes": {"xlabel": "rows exported", "ylabel": "rows/s", "xscale": "log"},
    },
    "reports": {
        "file": "report_download_peak_rss.png",
        "series": "variant",
        "x": "megabytes",
        "value": "peak_mb",
        "title": "Report download: peak RSS of the task vs report size",
        "axes": {"xlabel": "report size (MB)", "ylabel": "peak RSS (MB)", "xscale": "log"},
    },
}
"""Plot -> what it draws: one line per `series` of the rows of `section` (default: the key), the median of
`value` (default: the row's own figure) at each `x`, bars from min to max."""


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
    runs = results.get("runs", {})
    if len({json.dumps(run, sort_keys=True) for run in runs.values()}) > 1:
        out += ["Sections come from more than one run (`--only`):", ""]
        out += [
            f"- {section}: `{run['command']}` on {run['date']}, load average {run['load average at start']} "
            f"at the start, {run['load average at end']} at the end"
            for section, run in runs.items()
        ]
        out += [""]
    if "imports" in results:
        out += ["## Parse cost: fresh `python -c 'import ...'`", ""]
        out += _table(
            ["variant", "wall ms", "ratio", "added, wall ms", "added in-process ms", "% of airflow.sdk",
             "requests / fsspec / pyarrow loaded", "not importable (yet)", "n"],
            [
                [
                    row["name"], _cell(row, "ms"), f"{row['ratio']:.3f}", _cell(row["wall_added_ms"]),
                    _cell(row["added_ms"]), f"{100 * row['added_share']['median']:.2f}%",
                    ", ".join(row.get("heavy_loaded", [])) or "none",
                    ", ".join(row.get("missing", [])) or "-", str(row["n"]),
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
    out += _data_ops_tables(results)
    return "\n".join(out)


def _met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def goals(results: dict[str, Any]) -> list[list[str]]:
    """List the data-ops goals of issues 16 and 19, each with the figure that decides it: met or not."""
    lines: list[list[str]] = []
    for row in results.get("imports", []):
        if row["name"].endswith("over their Airflow bases"):  # the rest include Airflow's own modules
            share, heavy = row["added_share"]["median"], row.get("heavy_loaded", [])
            loads = ", ".join(heavy) or "no requests, fsspec or pyarrow"
            measured = (
                f"{_cell(row['added_ms'])} ms, {100 * share:.2f}% of `import airflow.sdk`; loads {loads}"
            )
            lines.append(
                [
                    f"import cost, {row['name']}",
                    measured,
                    "< 1%, none loaded",
                    _met(share < 0.01 and not heavy),
                ]
            )
    bare = {
        (row["objects"], row["concurrency"]): row
        for row in results.get("tml", [])
        if row["variant"].startswith("bare")
    }
    for row in results.get("tml", []):
        if row["variant"].startswith("operator"):
            most = row["rate_limited"]["max"]
            measured = f"{_cell(row['of_bound'])} of the bound, {_num(most, 'logins')} 429s at most"
            least = bare.get((row["objects"], row["concurrency"]))
            if least is not None and "unpaced" not in row["variant"]:
                measured += f" (bare requests threads: {_cell(least['of_bound'])})"
            ok = row["of_bound"]["median"] >= 0.85 and not most
            lines.append([f"TML export, {row['name']}", measured, ">= 0.85x of the bound, 0 429s", _met(ok)])
    data = [row for row in results.get("data", []) if row["variant"].startswith("ThoughtSpot")]
    for row in data:
        measured = f"{_cell(row['ratio_range'])}x the raw loop"
        lines.append([f"data export rows/s, {row['name']}", measured, ">= 0.9x", _met(row["ratio"] >= 0.9)])
    reports = [row for row in results.get("reports", []) if "Operator" in row["name"]]
    for rows, size in ((data, "rows"), (reports, "megabytes")):
        if len(rows) > 1:
            small, big = (sorted(rows, key=lambda row: float(row[size]))[i] for i in (0, -1))
            peak, base = big["peak_mb"]["median"], small["peak_mb"]["median"]
            what = f"peak RSS, {big['name']} vs {small['name'].rsplit(', ', 1)[1]}"
            measured = f"{peak:.0f} vs {base:.0f} MB (+{peak - base:.1f})"
            lines.append([what, measured, "flat: within 30 MB", _met(peak - base <= 30)])
    for lag, polls, _memory in zip(*(iter(results.get("deferred", [])),) * 3, strict=True):
        lines.append([lag["name"], f"{_cell(lag)} ms", "< 100 ms", _met(lag["median"] < 100)])
        allowed = f"{_cell(polls)} (allowed {_cell(polls['allowed'])})"
        lines.append([polls["name"], allowed, "<= wait / poll_interval + 1", _met(polls["ratio"] <= 1)])
        failed, limited = lag["failed_tasks"]["max"], lag["rate_limited"]["max"]
        measured = f"{_num(failed, 'logins')} failed, {_num(limited, 'logins')} 429s"
        lines.append(
            [f"tasks failed, 429s, {lag['limits']}", measured, "0 and 0", _met(not failed + limited)]
        )
    return lines


def _data_ops_tables(results: dict[str, Any]) -> list[str]:
    out: list[str] = []
    lines = goals(results)
    if lines:
        out += ["## Goals of the data-ops work (issues 16 and 19)", ""]
        out += _table(["figure", "measured", "goal", ""], lines)
    if "tml" in results:
        out += ["## TML export: 50 ms per export, ThoughtSpot's rate limit on (100 req/s + burst 10)", ""]
        out += _table(
            ["variant, objects", "wall s", "bound s", "bound / wall", "objects/s", "429s", "requests",
             "most in flight", "client CPU ms/object", "wall vs TSRestApiV2 loop", "n"],
            [
                [row["name"], _cell(row, "s"), _cell(row["bound_s"]), _cell(row["of_bound"]),
                 _cell(row["objects_per_s"]), _cell(row["rate_limited"], "logins"),
                 _cell(row["requests"], "logins"), _cell(row["max_in_flight"], "logins"),
                 _cell(row["client_cpu_ms_per_object"]), f"{row['ratio']:.3f}", str(row["n"])]
                for row in results["tml"]
            ],
        )  # fmt: skip
    for section, title, unit in (
        ("data", "Data export: every row of an Answer, page_size 10,000", "rows/s"),
        ("reports", "Report download: a Liveboard PDF", "MB/s"),
    ):
        if section not in results:
            continue
        out += [f"## {title}", ""]
        out += _table(
            ["variant, size", unit, "ratio to the raw requests baseline", "peak RSS MB",
             "peak over start MB", "wall s", "n"],
            [
                [row["name"], _cell(row, unit), _cell(row["ratio_range"]), _cell(row["peak_mb"]),
                 _cell(row["growth_mb"]), _cell(row["seconds"]), str(row["n"])]
                for row in results[section]
            ],
        )  # fmt: skip
    if "deferred" in results:
        out += ["## Deferred TML imports: triggers in one event loop", ""]
        out += _table(
            ["figure", "median (min-max)", "baseline", "ratio", "429s", "tasks failed", "n"],
            [
                [row["name"], f"{_cell(row)} {row['unit']}", row["baseline"], f"{row['ratio']:.3f}",
                 _cell(row["rate_limited"], "logins"), _cell(row["failed_tasks"], "logins"), str(row["n"])]
                for row in results["deferred"]
            ],
        )  # fmt: skip
        for lag, polls in zip(results["deferred"][0::3], results["deferred"][1::3], strict=True):
            out += [
                f"{lag['limits']}: idle loop's worst lag {_cell(lag['idle_lag_ms'])} ms; p99 lag with the "
                f"triggers {_cell(lag['p99_lag_ms'])} ms; polls allowed (longest wait / poll_interval + 1) "
                f"{_cell(polls['allowed'])}; median import's polls {_cell(polls['median_polls'])}.",
                "",
            ]
    return out


def plots(results: dict[str, Any], folder: Path) -> list[Path]:
    """Draw the plots whose data this run measured; return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    for key, plot in PLOTS.items():
        section = plot.get("section", key)
        if section not in results:
            continue
        figure, axes = plt.subplots(figsize=(7, 4.5))
        axes.set(title=plot["title"], **plot["axes"])  # the scale first: it resets the ticks
        _lines(axes, results[section], plot["series"], plot["x"], plot.get("value"))
        axes.set_ylim(0, None)
        figure.tight_layout()
        figure.savefig(folder / plot["file"], dpi=110)
        written.append(folder / plot["file"])
    plt.close("all")
    return written


def _lines(axes: Any, rows: list[Row], series: str, x: str, value: str | None = None) -> None:
    """One line per `series`, points at `x`: the median, with a bar from min to max."""
    for name in dict.fromkeys(row[series] for row in rows):
        stats = [(row[x], row[value] if value else row) for row in rows if row[series] == name]
        points = sorted((at, s["median"], s["min"], s["max"]) for at, s in stats)
        xs, medians = [p[0] for p in points], [p[1] for p in points]
        errors = [[p[1] - p[2] for p in points], [p[3] - p[1] for p in points]]
        axes.errorbar(xs, medians, yerr=errors, marker="o", capsize=4, label=name)
    ticks = sorted({row[x] for row in rows})
    axes.set_xticks(ticks, [str(tick) for tick in ticks])
    axes.minorticks_off()
    axes.grid(alpha=0.3)
    axes.legend()
