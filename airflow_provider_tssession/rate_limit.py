"""Keep a task's own concurrent calls under ThoughtSpot's request rate limit, instead of collecting 429s.

ThoughtSpot allows 100 requests/s per client IP plus a burst of 10, then answers 429 with a
``Retry-After`` of at least a second. Threads that each send as fast as the server answers overrun that
as soon as more than about ``latency x 100`` are in flight (8 exports at 50 ms each: 160 requests/s), and
every 429 parks its thread for a second. Pacing the calls on the client costs nothing below the limit and
turns those stalls into an even 100 requests/s above it.
"""

from __future__ import annotations

import threading
import time

REQUESTS_PER_SECOND = 100.0
"""ThoughtSpot's documented limit per client IP across the public REST APIs."""
BURST = 10
"""Requests ThoughtSpot lets through beyond the rate before it answers 429."""


class RateLimiter:
    """A thread-safe token bucket: `acquire()` returns when a call may go, waiting only as long as needed.

    It starts with ``burst`` tokens (not the rate plus the burst ThoughtSpot's own bucket holds), so
    calls made just before, such as a login and a search, leave the server's bucket room to spare.

    :param per_second: Calls allowed per second, on average.
    :param burst: Calls that may go at once after a pause.
    """

    def __init__(self, per_second: float = REQUESTS_PER_SECOND, burst: int = BURST) -> None:
        if not per_second > 0 or burst < 1:
            raise ValueError(f"need per_second > 0 and burst >= 1, got {per_second} and {burst}")
        self.per_second = float(per_second)
        self.burst = float(burst)
        self._tokens = self.burst
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until it is due; return the seconds waited."""
        wait = self.reserve()
        if wait:
            time.sleep(wait)
        return wait

    def reserve(self) -> float:
        """Take one token now and return the seconds until it is due (an event loop awaits them instead)."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.per_second)
            self._updated = now
            self._tokens -= 1  # reserved now: later callers queue behind this one
            return -self._tokens / self.per_second if self._tokens < 0 else 0.0
