"""The retry policy, in one immutable value: what is sent again, after which failures, and how long to wait.

urllib3's `Retry` is the model. Errors carry facts (status, whether the server may have acted, the
`Retry-After` it asked for); only this policy decides what those facts mean for a retry.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from airflow_provider_tssession.connection_fields import DEFAULTS
from airflow_provider_tssession.exceptions import ThoughtSpotTransientError

if TYPE_CHECKING:
    from collections.abc import Callable

    from airflow_provider_tssession.settings import ThoughtSpotSettings

T = TypeVar("T")


class Log(Protocol):
    """The part of a logger the retry loop uses; Airflow's task logger and `logging.Logger` both fit."""

    def warning(self, msg: str, /, *args: Any) -> Any:
        """Log a warning."""

    def info(self, msg: str, /, *args: Any) -> Any:
        """Log an informational line."""


@dataclass(frozen=True)
class RetryPolicy:
    """Which calls are retried and how: one value per connection, changed only by making a new one.

    A call is retried when its failure is transient (a status in `statuses`, or a dropped or refused
    connection) and replaying it is safe: its method is in `methods` (or the caller said `idempotent`),
    or the server certainly did not act on it (connection refused, a status in `refused_statuses`).
    """

    attempts: int = DEFAULTS["retry_limit"]
    """Attempts per call, the first included; 1 never re-sends."""
    backoff_factor: float = DEFAULTS["retry_delay"]
    """Wait about 1, 2, 4... times this (plus up to this much jitter) between attempts."""
    backoff_max: float = 30.0
    max_wait: float = DEFAULTS["retry_max_wait"]
    """Cap on any wait, also on a server's `Retry-After`, so a hostile header cannot stall a task."""
    methods: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
    statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    refused_statuses: frozenset[int] = frozenset({429})
    """Answers sent before any work: a 5xx may come after the server did part of it, a 429 never."""

    @classmethod
    def from_settings(cls, settings: ThoughtSpotSettings) -> RetryPolicy:
        """Build the policy a connection's extras ask for."""
        return cls(settings.retry_limit, settings.retry_delay, max_wait=settings.retry_max_wait)

    def never(self) -> RetryPolicy:
        """Return a copy with one attempt, for calls that must never be sent twice."""
        return replace(self, attempts=1)

    def is_retryable(self, error: BaseException, *, idempotent: bool) -> bool:
        """Retry a transient failure; one that is not idempotent only if the server certainly did not act."""
        if not isinstance(error, ThoughtSpotTransientError) or not error.transient:
            return False
        return idempotent or not error.server_may_have_acted

    def backoff(self, attempt: int) -> float:
        """Wait about `factor`, `2*factor`, `4*factor`... plus up to `factor` of jitter, capped."""
        exponential: float = self.backoff_factor * 2.0 ** (attempt - 1)
        return min(exponential + random.uniform(0, self.backoff_factor), self.backoff_max)

    def wait(self, error: BaseException | None, attempt: int) -> float:
        """Seconds to wait after failed attempt `attempt`: the server's `Retry-After`, else the backoff."""
        retry_after: float | None = getattr(error, "retry_after", None)
        wait = max(float(retry_after), 0.0) if retry_after is not None else self.backoff(attempt)
        return min(wait, self.max_wait)

    def call(self, send: Callable[[], T], *, method: str, idempotent: bool | None, what: str, log: Log) -> T:
        """Call `send` until it succeeds or may not be retried; the final error counts the attempts."""
        safe = method.upper() in self.methods if idempotent is None else idempotent
        attempt = 1
        while True:
            try:
                return send()
            except ThoughtSpotTransientError as error:
                if attempt >= self.attempts or not self.is_retryable(error, idempotent=safe):
                    raise error.with_attempts(attempt) from None
                wait = self.wait(error, attempt)
                log.warning(
                    "%s: attempt %d of %d failed (%s); retrying in %.1fs",
                    what,
                    attempt,
                    self.attempts,
                    error,
                    wait,
                )
                time.sleep(wait)
                attempt += 1


def parse_retry_after(value: str | None) -> float | None:
    """Return the seconds a `Retry-After` header (seconds or an HTTP date) asks for; None if unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return None if math.isnan(seconds) else max(seconds, 0.0)
