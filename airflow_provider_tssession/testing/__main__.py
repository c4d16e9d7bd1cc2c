"""Run the stand-in as its own process, for manual runs and for clients that must not share a process.

    python -m airflow_provider_tssession.testing --port 0 --user tsadmin:secret

Prints ``ThoughtSpot stand-in listening on <url>`` once it accepts connections; SIGINT/SIGTERM stop it
cleanly with exit status 0.
"""

from __future__ import annotations

import argparse
import signal
import threading
from typing import TYPE_CHECKING

from .process import LISTENING
from .server import FakeThoughtSpot

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
    )
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
