"""Poll a remote ThoughtSpot job until it is done: one loop for the worker, one for the triggerer, one policy.

Both loops call the same `Poller` for every decision (done, poll again, give up), so a task that waits in
the worker and one that defers behave the same. The status routes are rate limited: ThoughtSpot documents
100 requests a minute per client IP for `/metadata/tml/async/status`, so no poll comes sooner than
`MIN_INTERVAL` after the previous one, and ThoughtSpot recommends 30 s or more (`RECOMMENDED_INTERVAL`).
The deadline is wall-clock time, so a triggerer that restarts keeps the same deadline.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Generic, TypeVar

from airflow_provider_tssession.exceptions import ThoughtSpotError, ThoughtSpotTransientError
from airflow_provider_tssession.rate_limit import RateLimiter

if TYPE_CHECKING:
    from collections.abc import Callable

    from airflow_provider_tssession.retry import Log

T = TypeVar("T")

STATUS_REQUESTS_PER_MINUTE = 100
"""ThoughtSpot's documented limit for its async status routes, per client IP (burst 100, then 429)."""
STATUS_BURST = 100
"""Status requests ThoughtSpot lets through at once beyond the rate, per client IP."""
MIN_INTERVAL = 60.0 / STATUS_REQUESTS_PER_MINUTE
"""The shortest wait between two polls: one poller alone never exceeds the status route's limit."""
STATUS_LIMITER = RateLimiter(per_second=STATUS_REQUESTS_PER_MINUTE / 60, burst=STATUS_BURST)
"""One budget for every poll in this process: a triggerer waiting on 100 imports polls as one client IP.

Without it, each poller keeps its own interval and together they overrun the route's limit (100 imports
polled every 30 s are 200 a minute): the 429s park the triggerer's threads and, three in a row, fail
a task whose import succeeded. With it, polls queue for their turn instead."""
RECOMMENDED_INTERVAL = 30.0
"""ThoughtSpot's advice for async TML imports: poll no faster than every 30 s (1 min for large imports)."""
MAX_FAILED_POLLS = 3
"""Polls in a row that may fail transiently (after the hook's own retries) before the wait gives up."""


class ThoughtSpotPollTimeout(ThoughtSpotError, TimeoutError):
    """The remote job was not done by the deadline; it may still be running on ThoughtSpot."""


def clamp_interval(interval: float) -> float:
    """Return `interval`, raised to MIN_INTERVAL when shorter, so the status route's limit holds."""
    return max(float(interval), MIN_INTERVAL)


def deadline_after(timeout: float | None) -> float | None:
    """Return the wall-clock time (epoch seconds) `timeout` seconds from now, or None for no deadline."""
    return None if timeout is None else time.time() + float(timeout)


class Poller(Generic[T]):
    """Decide, after each status check, whether a job is done, should be polled again, or is given up on.

    :param done: Tells whether a status is terminal (success and failure alike: the caller judges it).
    :param interval: Seconds between polls; shorter values are raised to MIN_INTERVAL.
    :param deadline: Wall-clock time (epoch seconds) after which a job still running is a timeout.
    :param what: Names the job in messages, e.g. ``"TML import task 3f2a..."``.
    :param log: Where warnings about failed polls go.
    """

    def __init__(
        self,
        *,
        done: Callable[[T], bool],
        interval: float,
        deadline: float | None,
        what: str,
        log: Log,
    ) -> None:
        self.done = done
        self.interval = clamp_interval(interval)
        self.deadline = deadline
        self.what = what
        self.log = log
        self.polls = 0
        """Status checks made so far (failed ones included)."""
        self._failed_in_a_row = 0

    def run(self, check: Callable[[], T]) -> T:
        """Call `check` every interval until its status is done; in the worker (blocking)."""
        while True:
            STATUS_LIMITER.acquire()  # its turn under the route's limit
            if (final := self.settle(_attempt(check))) is not None:
                return final
            time.sleep(self.next_wait())

    async def run_async(self, check: Callable[[], T]) -> T:
        """Wait the same way in the triggerer: `check` (blocking) runs in a thread; the loop never blocks."""
        while True:
            await asyncio.sleep(STATUS_LIMITER.reserve())  # its turn under the route's limit
            if (final := self.settle(await asyncio.to_thread(_attempt, check))) is not None:
                return final
            await asyncio.sleep(self.next_wait())

    def settle(self, outcome: T | ThoughtSpotTransientError) -> T | None:
        """Return the status when done, None to poll again; raise on a timeout or too many failed polls."""
        self.polls += 1
        if isinstance(outcome, ThoughtSpotTransientError):
            self._failed_in_a_row += 1
            if not outcome.transient or self._failed_in_a_row >= MAX_FAILED_POLLS:
                raise outcome
            self.log.warning(
                "Checking %s failed (%s); polling again in %.1fs", self.what, outcome, self.interval
            )
        else:
            self._failed_in_a_row = 0
            if self.done(outcome):
                return outcome
        if self.deadline is not None and time.time() >= self.deadline:
            raise ThoughtSpotPollTimeout(
                f"{self.what} was not done by the deadline (timeout); it may still be running on ThoughtSpot"
            )
        return None

    def next_wait(self) -> float:
        """Seconds to wait before the next poll: the interval, or less when the deadline comes sooner."""
        if self.deadline is None:
            return self.interval
        return max(min(self.interval, self.deadline - time.time()), MIN_INTERVAL)


def _attempt(check: Callable[[], T]) -> T | ThoughtSpotTransientError:
    """Call `check`; a transient failure becomes a value, so each loop hands it to `Poller.settle`."""
    try:
        return check()
    except ThoughtSpotTransientError as error:
        return error
