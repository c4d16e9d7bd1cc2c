"""The retry policy in one immutable value (urllib3's `Retry` is the model); errors only carry the facts."""

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

    def warning(self, msg: str, /, *args: Any) -> Any: ...  # noqa: D102
    def info(self, msg: str, /, *args: Any) -> Any: ...  # noqa: D102


@dataclass(frozen=True)
class RetryPolicy:
    """Retry transient failures when a replay is safe: an idempotent method, or the server did not act."""

    attempts: int = DEFAULTS["retry_limit"]  # the first included; 1 never re-sends
    backoff_factor: float = DEFAULTS["retry_delay"]
    backoff_max: float = 30.0
    max_wait: float = DEFAULTS["retry_max_wait"]  # caps any wait, a hostile `Retry-After` too
    methods: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
    statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    refused_statuses: frozenset[int] = frozenset({429})  # sent before any work; a 5xx may come after some

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
                args = (what, attempt, self.attempts, error, wait)
                log.warning("%s: attempt %d of %d failed (%s); retrying in %.1fs", *args)
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
