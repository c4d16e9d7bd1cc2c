"""Run the stand-in as its own process, for manual runs and for clients that must not share a process.

    python -m airflow_provider_tssession.testing --port 0 --user tsadmin:secret
    python -m airflow_provider_tssession.testing --user tsadmin:secret --async-import-seconds 0 \
        --rate-limits --latency "/api/rest/2.0/searchdata=0.5" --data-row-cap 1000000 --report-bytes 50000000

Knobs the CLI does not cover can be turned at run time over ``/_fake/knobs``, ``/_fake/limits`` and
``/_fake/objects`` (see the package docstring).

Prints ``ThoughtSpot stand-in listening on <url>`` once it accepts connections; SIGINT/SIGTERM stop it
cleanly with exit status 0.
"""

from __future__ import annotations

import argparse
import signal
import threading
from typing import TYPE_CHECKING

from .limits import RATE_LIMITS
from .process import LISTENING
from .server import FakeThoughtSpot
from .state import DATA_ROW_CAP
from .tasks import DEFAULT_ASYNC_IMPORT_SECONDS

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType


def _user(value: str) -> tuple[str, str]:
    name, sep, password = value.partition(":")
    if not sep or not name:
        raise argparse.ArgumentTypeError("expected NAME:PASSWORD")
    return name, password


def _org(value: str) -> tuple[int, str]:
    number, sep, name = value.partition(":")
    if not sep or not number.isdigit() or not name:
        raise argparse.ArgumentTypeError("expected ID:NAME, e.g. 7:sales")
    return int(number), name


def _latency(value: str) -> tuple[str | None, float]:
    path, sep, seconds = value.rpartition("=")
    try:
        delay = float(seconds)
    except ValueError:
        delay = -1.0
    if not sep or not path or delay < 0:
        raise argparse.ArgumentTypeError(
            'expected PATH=SECONDS, e.g. /api/rest/2.0/searchdata=0.5 or "*=0.1"'
        )
    return (None if path == "*" else path), delay


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m airflow_provider_tssession.testing", description="Local ThoughtSpot stand-in."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    parser.add_argument(
        "--user", type=_user, action="append", default=[], metavar="NAME:PASSWORD", help="repeatable"
    )
    parser.add_argument("--session-idle-timeout", type=float, default=1800.0, metavar="SECONDS")
    parser.add_argument("--lockout-threshold", type=int, default=4)
    parser.add_argument("--lockout-seconds", type=float, default=3600.0)
    parser.add_argument("--secret-key", help="trusted authentication secret key (default: trusted auth off)")
    parser.add_argument(
        "--org", type=_org, action="append", default=[], metavar="ID:NAME", help="repeatable (0 is Primary)"
    )
    parser.add_argument("--v2-error-nesting", type=int, choices=(0, 1, 2), default=0)
    parser.add_argument(
        "--async-import-seconds",
        type=float,
        default=DEFAULT_ASYNC_IMPORT_SECONDS,
        metavar="SECONDS",
        help="how long an async TML import task takes (half IN_QUEUE, half IN_PROGRESS)",
    )
    parser.add_argument(
        "--data-row-cap", type=int, default=DATA_ROW_CAP, metavar="ROWS", help="most rows per data query"
    )
    parser.add_argument(
        "--report-bytes", type=int, metavar="BYTES", help="make every report this big (streamed filler)"
    )
    parser.add_argument(
        "--rate-limits", action="store_true", help="enforce ThoughtSpot's documented rate limits (429 beyond)"
    )
    parser.add_argument(
        "--latency",
        type=_latency,
        action="append",
        default=[],
        metavar="PATH=SECONDS",
        help='answer PATH (or "*": every path) that much later; repeatable',
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM; return the exit status."""
    args = _parser().parse_args(argv)
    stopping = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    fake = FakeThoughtSpot(
        dict(args.user),
        host=args.host,
        port=args.port,
        session_idle_timeout=args.session_idle_timeout,
        lockout_threshold=args.lockout_threshold,
        lockout_seconds=args.lockout_seconds,
        secret_key=args.secret_key,
        orgs={0: "Primary", **dict(args.org)},
        v2_error_nesting=args.v2_error_nesting,
        async_import_seconds=args.async_import_seconds,
        rate_limits=RATE_LIMITS if args.rate_limits else None,
    )
    fake.data_row_cap = args.data_row_cap
    fake.report_bytes = args.report_bytes
    for path, seconds in args.latency:
        fake.set_latency(path, seconds)
    fake.start()
    try:
        print(f"{LISTENING} {fake.url}", flush=True)
        while not stopping.wait(0.2):
            pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
