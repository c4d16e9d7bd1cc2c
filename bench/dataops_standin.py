"""The stand-in for the data-ops benchmarks: its own process, set up between runs through its Python API.

The parent sends one JSON command per line on the child's stdin and reads one JSON answer per line:
``configure`` (forget counters and sessions, then switch ThoughtSpot's rate limit and per-route latency on
or off; every client starts with full buckets), ``liveboards`` (add N Liveboards to export), ``answer``
(an Answer of N generated rows, computed page by page), ``report`` (a Liveboard whose report body has a
given size), ``async_imports`` (how long an async TML import takes), ``stats`` (the stand-in's counters:
requests per route, 429s sent, most in flight, imports submitted, status polls per import).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from airflow_provider_tssession.testing import FakeThoughtSpot

MODULE = "bench.dataops_standin"
LIVEBOARD_PREFIX = "bench liveboard"
"""Names of the Liveboards the TML benchmark adds; its search asks for ``bench liveboard%`` only."""
DATA_COLUMNS = ["Region", "Month", "Product", "Sales", "Quantity", "Order Date"]
"""Six columns, as a typical Answer: text, a month, a product name, two measures, a date."""
ROW_CAP = 10_000_000
"""The row cap raised for the 1,000,000-row export (ThoughtSpot's default is 100,000)."""


class DataOpsStandIn:
    """The parent's side: start the child, send commands, stop it."""

    def __init__(self, env: dict[str, str]) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", MODULE],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.url: str = self._answer()["url"]

    def command(self, op: str, **fields: Any) -> dict[str, Any]:
        """Send one command; return the child's answer, or raise with its error."""
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        self._process.stdin.flush()
        return self._answer()

    def configure(self, *, rate_limits: bool = False, latency: dict[str, float] | None = None) -> None:
        """Forget counters and sessions; set the rate limit (buckets full) and the per-route latency."""
        self.command("configure", rate_limits=rate_limits, latency=latency or {})

    def stats(self) -> dict[str, Any]:
        """Return the stand-in's counters since the last ``configure``."""
        return self.command("stats")

    def close(self) -> None:
        """Stop the child (it stops the server on end of input)."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> DataOpsStandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _answer(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"the data-ops stand-in ended (exit status {self._process.poll()})")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"the data-ops stand-in refused a command: {answer['error']}")
        return answer


# The child side -------------------------------------------------------------------------------------------


def _configure(fake: FakeThoughtSpot, command: dict[str, Any]) -> dict[str, Any]:
    fake.reset()  # also switches limits and latency off
    if command.get("rate_limits"):
        fake.set_rate_limits()  # as ThoughtSpot documents them
    for path, seconds in (command.get("latency") or {}).items():
        fake.set_latency(path or None, float(seconds))
    return {}


def _liveboards(fake: FakeThoughtSpot, command: dict[str, Any]) -> dict[str, Any]:
    from airflow_provider_tssession.testing.catalog import MetadataObject

    guids = []
    start = int(command.get("start", 0))
    for number in range(start, start + int(command["count"])):
        obj = fake.add_object(MetadataObject(type="LIVEBOARD", name=f"{LIVEBOARD_PREFIX} {number:05d}"))
        guids.append(obj.guid)
    return {"guids": guids}


def _answer_with_rows(fake: FakeThoughtSpot, command: dict[str, Any]) -> dict[str, Any]:
    """Add an Answer of ``rows`` generated rows and raise the row cap above it."""
    from airflow_provider_tssession.testing.catalog import MetadataObject
    from airflow_provider_tssession.testing.datasets import DataSet

    rows = int(command["rows"])
    obj = fake.add_object(
        MetadataObject(type="ANSWER", name=f"bench answer {rows}", data=DataSet.generated(DATA_COLUMNS, rows))
    )
    fake.data_row_cap = ROW_CAP  # as ThoughtSpot Support can raise it on a cluster
    return {"guid": obj.guid}


def _report(fake: FakeThoughtSpot, command: dict[str, Any]) -> dict[str, Any]:
    """Add a Liveboard whose PDF is ``bytes`` long (streamed by the stand-in, never built whole)."""
    from airflow_provider_tssession.testing.catalog import MetadataObject

    obj = fake.add_object(MetadataObject(type="LIVEBOARD", name="bench report"))
    fake.report_bytes = int(command["bytes"])
    return {"guid": obj.guid}


def _async_imports(fake: FakeThoughtSpot, command: dict[str, Any]) -> dict[str, Any]:
    """Make every async TML import take ``seconds`` (half queued, half in progress)."""
    fake.async_import_seconds = float(command["seconds"])
    return {}


def _stats(fake: FakeThoughtSpot, command: dict[str, Any]) -> dict[str, Any]:
    stats: dict[str, Any] = dict(fake.stats())
    stats.pop("calls_per_session", None)
    stats["rate_limited"] = fake.rate_limited
    return stats


COMMANDS: dict[str, Callable[[FakeThoughtSpot, dict[str, Any]], dict[str, Any]]] = {
    "configure": _configure,
    "liveboards": _liveboards,
    "answer": _answer_with_rows,
    "report": _report,
    "async_imports": _async_imports,
    "stats": _stats,
}


def main() -> int:
    """Serve on an ephemeral port; answer commands from stdin until it closes."""
    from airflow_provider_tssession.testing import FakeThoughtSpot
    from bench.standin import PASSWORD, USER

    with FakeThoughtSpot({USER: PASSWORD}) as fake:
        print(json.dumps({"url": fake.url}), flush=True)
        for line in sys.stdin:
            command = json.loads(line)
            try:
                answer = COMMANDS[command["op"]](fake, command)
            except Exception as error:  # reported to the parent, which raises it
                answer = {"error": f"{type(error).__name__}: {error}"}
            print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
