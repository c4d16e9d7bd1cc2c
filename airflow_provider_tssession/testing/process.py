"""Run the stand-in in a process of its own, for clients that must not share its interpreter or its CPU.

The demo and the benchmarks use it: a separate process keeps the stand-in's threads off the client's GIL.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

LISTENING = "ThoughtSpot stand-in listening on"
"""The line ``python -m airflow_provider_tssession.testing`` prints, with its URL, once it accepts."""


@contextlib.contextmanager
def stand_in_process(users: Mapping[str, str]) -> Iterator[str]:
    """Start the stand-in on an ephemeral 127.0.0.1 port with `users`; yield its URL; stop it on exit."""
    command = [sys.executable, "-m", "airflow_provider_tssession.testing", "--port", "0"]
    for name, password in users.items():
        command += ["--user", f"{name}:{password}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith(LISTENING):
            raise RuntimeError(f"the stand-in did not start (exit status {process.poll()})")
        yield line.strip().rsplit(" ", 1)[-1]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
