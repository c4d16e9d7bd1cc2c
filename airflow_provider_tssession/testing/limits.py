"""ThoughtSpot's request limits and a per-route latency, all off until a test switches them on.

Limits as documented (DOCS ``about-rest-apis.adoc`` "Rate limits for API requests"): 100 requests/s per
client IP across every public API, then a burst of 10 more, then 429; the async import status route 100
requests/minute per client IP, burst 100. Each is a token bucket that holds the rate plus the burst and
refills at the rate. The 429 carries ``Retry-After`` (whole seconds until a request would pass) [I]: the docs
do not say whether clusters send it.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from .paths import TML_ASYNC_STATUS_PATH


@dataclass(frozen=True)
class Limited:
    """Why a request was refused, and when one would pass."""

    message: str
    retry_after: int


@dataclass(frozen=True)
class RateLimits:
    """The limits to enforce.

    ``per_second`` + ``burst`` on every route; ``status_per_minute`` + ``status_burst`` on async status.
    """

    per_second: float = 100.0
    burst: int = 10
    status_per_minute: float = 100.0
    status_burst: int = 100


RATE_LIMITS = RateLimits()
"""ThoughtSpot's documented limits (what ``FakeThoughtSpot.set_rate_limits()`` enforces by default)."""


class _Bucket:
    __slots__ = ("capacity", "rate", "tokens", "updated")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate, self.capacity, self.tokens, self.updated = rate, capacity, capacity, now

    def take(self, now: float) -> float:
        """Take a token; return 0, or the seconds until one is there."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class Limits:
    """Thread-safe rate limits (per client IP) and per-route latency, with a count of 429s sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rates: RateLimits | None = None
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._latency: dict[str | None, float] = {}
        self.rate_limited = 0

    @property
    def rate_limits(self) -> RateLimits | None:
        """The limits being enforced, or None (off)."""
        return self._rates

    def set_rate_limits(self, limits: RateLimits | None) -> None:
        """Enforce ``limits`` from now on (None: off); every client starts with full buckets."""
        if limits is not None and not (limits.per_second > 0 and limits.status_per_minute > 0):
            raise ValueError("rates must be > 0")
        if limits is not None and (limits.burst < 0 or limits.status_burst < 0):
            raise ValueError("bursts must be >= 0")
        with self._lock:
            self._rates = limits
            self._buckets.clear()

    def set_latency(self, path: str | None, seconds: float) -> None:
        """Answer every request to ``path`` (None: every path) ``seconds`` late; 0 removes it."""
        if not (math.isfinite(seconds) and seconds >= 0):
            raise ValueError(f"latency must be a finite number of seconds >= 0, got {seconds}")
        with self._lock:
            if seconds:
                self._latency[path] = seconds
            else:
                self._latency.pop(path, None)

    def latency(self) -> dict[str | None, float]:
        """Copy the per-route latencies (None: every path)."""
        with self._lock:
            return dict(self._latency)

    def admit(self, path: str, client: str) -> Limited | None:
        """Count one request from ``client``; a Limited when it is over a limit (and counted as a 429)."""
        rates = self._rates
        if rates is None:
            return None
        now = time.monotonic()
        with self._lock:
            capacity = rates.per_second + rates.burst
            wait = self._bucket(client, "all", rates.per_second, capacity, now).take(now)
            message = f"Too many requests: more than {rates.per_second:g} requests per second"
            if not wait and path == TML_ASYNC_STATUS_PATH:
                per_second = rates.status_per_minute / 60
                capacity = rates.status_per_minute + rates.status_burst
                wait = self._bucket(client, "status", per_second, capacity, now).take(now)
                message = f"Too many requests: over {rates.status_per_minute:g} status requests per minute"
            if not wait:
                return None
            self.rate_limited += 1
        return Limited(message, max(1, math.ceil(wait)))

    def _bucket(self, client: str, kind: str, rate: float, capacity: float, now: float) -> _Bucket:
        # caller holds the lock
        bucket = self._buckets.get((client, kind))
        if bucket is None:
            bucket = self._buckets[(client, kind)] = _Bucket(rate, capacity, now)
        return bucket

    def wait(self, path: str) -> None:
        """Sleep the latency configured for ``path`` (or for every path), if any."""
        if self._latency:
            seconds = self._latency.get(path, self._latency.get(None, 0.0))
            if seconds:
                time.sleep(seconds)

    def reset(self) -> None:
        """Switch limits and latency off and forget the 429 count."""
        with self._lock:
            self._rates = None
            self._buckets.clear()
            self._latency.clear()
            self.rate_limited = 0
