"""A total deadline per attempt: a server that drips its answer a byte at a time cannot hold a call for long.

`timeout` bounds each wait for bytes, so a server that sends one byte every half second never trips it.
Each attempt therefore runs under a deadline; one watchdog thread (shared by every hook of the process)
shuts the attempt's socket down when its deadline passes, which ends the blocked read at once, also
inside a TLS read. The connection classes report which connection an attempt uses (`note_connection`).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator


class Attempt:
    """One attempt's deadline, and the connection to cut when it passes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.expired = False
        self.finished = False
        self._connection: Any = None
        self._lock = threading.Lock()

    def watch(self, connection: Any) -> None:
        """Remember the connection this attempt sends on; cut it at once if the deadline already passed."""
        with self._lock:
            self._connection = connection
            expired = self.expired
        if expired:
            _cut(connection)

    def expire(self) -> None:
        """Mark the attempt as too slow and cut its connection (called by the watchdog)."""
        with self._lock:
            if self.finished:
                return
            self.expired = True
            connection = self._connection
        if connection is not None:
            _cut(connection)

    def finish(self) -> None:
        """End the attempt (done or failed): the watchdog leaves it alone."""
        with self._lock:
            self.finished = True


def _cut(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread that expires attempts in deadline order."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Attempt]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, attempt: Attempt) -> None:
        with self._wake:
            heapq.heappush(self._heap, (attempt.deadline, next(self._order), attempt))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="thoughtspot-deadline", daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].finished:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                _, _, attempt = heapq.heappop(self._heap)
            attempt.expire()


_watchdog = _Watchdog()
_current = threading.local()


@contextlib.contextmanager
def attempt_deadline(seconds: float) -> Iterator[Attempt]:
    """Run one attempt (in this thread) under a deadline of `seconds`."""
    attempt = Attempt(seconds)
    _current.attempt = attempt
    _watchdog.arm(attempt)
    try:
        yield attempt
    finally:
        attempt.finish()
        _current.attempt = None


def note_connection(connection: Any) -> None:
    """Tell the current thread's attempt which connection it sends on (called by the connection class)."""
    attempt: Attempt | None = getattr(_current, "attempt", None)
    if attempt is not None:
        attempt.watch(connection)
