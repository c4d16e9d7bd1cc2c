"""Data export and report download: throughput against a raw ``requests`` loop, and the task's peak RSS.

Each run is a fresh interpreter that has imported what a task process has (`bench.child`), moves the data
once and reports its wall time and peak RSS (``ru_maxrss``). The variants of one size run interleaved,
so a busy neighbour slows each pair alike; ratios are the median of the pairwise ratios.

- **data**: every row of an Answer, ``page_size`` rows per ``/metadata/answer/data`` call. Baseline: a
  ``requests.Session`` loop that fetches the same pages, parses each (it must, to read
  ``available_data_row_count``) and drops the rows. Beside it: the operator writing CSV, and
  ``TSRestApiV2.metadata_answer_data`` pages collected in a list, as ThoughtSpot's examples do.
- **reports**: a Liveboard PDF of a given size from ``/report/liveboard``. Baseline: ``requests`` with
  ``stream=True`` writing 1 MB chunks to a file. Beside it: the operator, and
  ``TSRestApiV2.report_liveboard`` (the body in memory, then written).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.child import as_a_task_process, run_child
from bench.stats import Row, figure, paired_ratios, summary

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from bench.dataops_standin import DataOpsStandIn

MODULE = "bench.transfers"
V2 = "/api/rest/2.0"
PAGE_SIZE = 10_000
"""Rows per data request: the operator's default (issue 16)."""
CHUNK = 1024 * 1024
DATA_BASELINE = "raw requests loop"
DATA_VARIANTS = (DATA_BASELINE, "ThoughtSpotDataExportOperator (CSV)", "TSRestApiV2 pages in a list")
REPORT_BASELINE = "raw streamed requests"
REPORT_VARIANTS = (REPORT_BASELINE, "ThoughtSpotReportOperator", "TSRestApiV2.report_liveboard")
MB = 1024 * 1024


def measure_data(
    stand_in: DataOpsStandIn, env: dict[str, str], *, rows: Sequence[int], reps: dict[str, int]
) -> list[Row]:
    """Rows/s and peak RSS of every variant at every row count (`reps` per count)."""
    out: list[Row] = []
    for count in rows:
        guid = stand_in.command("answer", rows=count)["guid"]
        args = ["--data", guid, "--rows", str(count)]
        runs = _interleaved(stand_in, env, DATA_VARIANTS, reps[str(count)], args)
        for name in DATA_VARIANTS:
            rates = [count / run["seconds"] for run in runs[name]]
            base = [count / run["seconds"] for run in runs[DATA_BASELINE]]
            out.append(_row(name, f"{count:,} rows", "rows/s", rates, base, runs[name], DATA_BASELINE,
                            rows=count))  # fmt: skip
    return out


def measure_reports(
    stand_in: DataOpsStandIn, env: dict[str, str], *, megabytes: Sequence[float], reps: int
) -> list[Row]:
    """MB/s and peak RSS of every variant at every report size."""
    out: list[Row] = []
    for size in megabytes:
        length = int(size * MB)
        guid = stand_in.command("report", bytes=length)["guid"]
        runs = _interleaved(stand_in, env, REPORT_VARIANTS, reps, ["--report", guid, "--bytes", str(length)])
        for name in REPORT_VARIANTS:
            rates = [size / run["seconds"] for run in runs[name]]
            base = [size / run["seconds"] for run in runs[REPORT_BASELINE]]
            out.append(_row(name, f"{size:g} MB", "MB/s", rates, base, runs[name], REPORT_BASELINE,
                            megabytes=size))  # fmt: skip
    return out


def _interleaved(
    stand_in: DataOpsStandIn, env: dict[str, str], variants: Sequence[str], reps: int, args: list[str]
) -> dict[str, list[dict[str, float]]]:
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    names = list(variants)
    stand_in.configure()
    run_child(MODULE, ["--url", stand_in.url, "--variant", names[0], *args], env)  # warm-up, not kept
    for rep in range(reps):
        for name in names[rep % len(names) :] + names[: rep % len(names)]:
            stand_in.configure()
            runs[name].append(run_child(MODULE, ["--url", stand_in.url, "--variant", name, *args], env))
    return runs


def _row(
    name: str,
    size: str,
    unit: str,
    rates: list[float],
    base: list[float],
    runs: list[dict[str, float]],
    baseline: str,
    **extra: Any,
) -> Row:
    ratios = paired_ratios(rates, base)
    return figure(
        f"{name}, {size}",
        unit,
        rates,
        variant=name,
        baseline=f"{baseline}, {size}",
        ratio=ratios["median"],
        ratio_range=ratios,
        peak_mb=summary([run["peak_mb"] for run in runs]),
        growth_mb=summary([run["peak_mb"] - run["start_mb"] for run in runs]),
        seconds=summary([run["seconds"] for run in runs]),
        **extra,
    )


# The child side -------------------------------------------------------------------------------------------


class _TaskInstance:
    """The part of a task instance the operators use outside a task runner: pushing the link's XCom."""

    def xcom_push(self, key: str, value: Any) -> None:
        """Drop it: the benchmark has no metadata database."""


def task_context() -> Any:
    """Return the context an operator's ``execute`` reads here: a task instance for its XCom."""
    return {"ti": _TaskInstance()}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def raw_session(url: str) -> Any:
    """Log a plain ``requests.Session`` in: the baselines' client."""
    import requests

    from bench.standin import PASSWORD, USER

    session = requests.Session()
    session.headers.update({"X-Requested-By": "ThoughtSpot", "Accept": "application/json"})
    login = {"username": USER, "password": PASSWORD, "remember_me": False}
    session.post(url + V2 + "/auth/session/login", json=login, timeout=30).raise_for_status()
    return session


def rest_api_v2(url: str) -> Any:
    """Log a ``TSRestApiV2`` in, as ThoughtSpot's examples do."""
    from thoughtspot_rest_api import TSRestApiV2

    from bench.standin import PASSWORD, USER

    api = TSRestApiV2(url)
    api.auth_session_login(USER, PASSWORD, remember_me=False)
    return api


def _data_raw(url: str, guid: str, out: Path) -> int:
    session = raw_session(url)
    offset, available = 0, None
    while available is None or offset < available:
        body = {"metadata_identifier": guid, "record_offset": offset, "record_size": PAGE_SIZE}
        response = session.post(url + V2 + "/metadata/answer/data", json=body, timeout=300)
        response.raise_for_status()
        content = response.json()["contents"][0]
        available = content["available_data_row_count"]
        offset += content["returned_data_row_count"]
        del response, content  # discard the rows
    session.post(url + V2 + "/auth/session/logout", timeout=30)
    return offset


def _data_operator(url: str, guid: str, out: Path) -> int:
    from airflow_provider_tssession.operators.data import ThoughtSpotDataExportOperator

    operator = ThoughtSpotDataExportOperator(
        task_id="data_export", output_path=str(out), metadata_identifier=guid, page_size=PAGE_SIZE
    )
    result = operator.execute(task_context())
    return int(result["row_count"])


def _data_rest_api_v2(url: str, guid: str, out: Path) -> int:
    api = rest_api_v2(url)
    rows: list[Any] = []
    offset, available = 0, None
    while available is None or offset < available:
        request = {"metadata_identifier": guid, "record_offset": offset, "record_size": PAGE_SIZE}
        content = api.metadata_answer_data(request)["contents"][0]
        available = content["available_data_row_count"]
        rows.extend(content["data_rows"])
        offset += content["returned_data_row_count"]
    api.auth_session_logout()
    return len(rows)


def _report_body(guid: str) -> dict[str, Any]:
    return {"metadata_identifier": guid, "file_format": "PDF"}


def _report_raw(url: str, guid: str, out: Path) -> int:
    session = raw_session(url)
    headers = {"Accept": "application/octet-stream"}
    written = 0
    with session.post(
        url + V2 + "/report/liveboard", json=_report_body(guid), headers=headers, stream=True, timeout=300
    ) as response:
        response.raise_for_status()
        with (out / "report.pdf").open("wb") as file:
            for chunk in response.iter_content(CHUNK):
                written += file.write(chunk)
    session.post(url + V2 + "/auth/session/logout", timeout=30)
    return written


def _report_operator(url: str, guid: str, out: Path) -> int:
    from airflow_provider_tssession.operators.report import ThoughtSpotReportOperator

    operator = ThoughtSpotReportOperator(task_id="report", output_path=str(out), metadata_identifier=guid)
    result = operator.execute(task_context())
    return int(result["bytes"])


def _report_rest_api_v2(url: str, guid: str, out: Path) -> int:
    api = rest_api_v2(url)
    body: bytes = api.report_liveboard(_report_body(guid))
    (out / "report.pdf").write_bytes(body)
    api.auth_session_logout()
    return len(body)


CHILD_RUNS: dict[str, Callable[[str, str, Path], int]] = {
    DATA_VARIANTS[0]: _data_raw,
    DATA_VARIANTS[1]: _data_operator,
    DATA_VARIANTS[2]: _data_rest_api_v2,
    REPORT_VARIANTS[0]: _report_raw,
    REPORT_VARIANTS[1]: _report_operator,
    REPORT_VARIANTS[2]: _report_rest_api_v2,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Move one data set or report with one variant; print seconds, peak RSS and RSS before the run."""
    parser = argparse.ArgumentParser(prog="python -m bench.transfers")
    parser.add_argument("--url", required=True)
    parser.add_argument("--variant", required=True, choices=list(CHILD_RUNS))
    parser.add_argument("--data", help="the Answer's GUID")
    parser.add_argument("--rows", type=int)
    parser.add_argument("--report", help="the Liveboard's GUID")
    parser.add_argument("--bytes", type=int)
    args = parser.parse_args(argv)
    as_a_task_process()  # imports are not the transfer: loaded before the start figures

    expected = args.rows if args.data else args.bytes
    out = Path(tempfile.mkdtemp(prefix="ts-bench-transfer-"))
    try:
        start_mb = _peak_mb()
        started = time.perf_counter()
        moved = CHILD_RUNS[args.variant](args.url, args.data or args.report, out)
        seconds = time.perf_counter() - started
        peak_mb = _peak_mb()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if moved != expected:
        raise RuntimeError(f"{args.variant} moved {moved}, expected {expected}")
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "start_mb": start_mb}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
