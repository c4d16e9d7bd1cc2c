"""The retry policy, in one place: what is safe to send again, and how long to wait first."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import tenacity

from airflow_provider_tssession.exceptions import ThoughtSpotTransientError

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")


class Log(Protocol):
    """The part of a logger the retry loop uses; Airflow's task logger and `logging.Logger` both fit."""

    def warning(self, msg: str, /, *args: Any) -> Any:
        """Log a warning."""

    def info(self, msg: str, /, *args: Any) -> Any:
        """Log an informational line."""


MAX_RETRY_AFTER = 60.0
"""By default a server's `Retry-After` is honoured up to this many seconds (extra `retry_max_wait`)."""
MAX_BACKOFF = 30.0


def is_retryable(error: BaseException, *, idempotent: bool) -> bool:
    """Retry transient failures; a call that is not idempotent only when the server certainly did not act."""
    if not isinstance(error, ThoughtSpotTransientError) or not error.transient:
        return False
    return idempotent or not error.server_may_have_acted


def backoff(delay: float, attempt: int) -> float:
    """Wait about `delay`, `2*delay`, `4*delay`... plus up to `delay` of jitter, capped at MAX_BACKOFF."""
    exponential: float = delay * 2.0 ** (attempt - 1)
    return min(exponential + random.uniform(0, delay), MAX_BACKOFF)


def wait_before_retry(error: BaseException | None, *, delay: float, attempt: int, max_wait: float) -> float:
    """Seconds to wait after failed attempt `attempt`: the server's `Retry-After`, else the backoff.

    Never more than `max_wait`, so a huge or hostile `Retry-After` cannot stall a task.
    """
    retry_after: float | None = getattr(error, "retry_after", None)
    wait = max(float(retry_after), 0.0) if retry_after is not None else backoff(delay, attempt)
    return min(wait, max_wait)


def call_with_retries(
    send: Callable[[], T],
    *,
    limit: int,
    delay: float,
    idempotent: bool,
    what: str,
    log: Log,
    max_wait: float = MAX_RETRY_AFTER,
) -> T:
    """Call `send` up to `limit` times; the final error says how many attempts failed."""

    def wait(state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        return wait_before_retry(error, delay=delay, attempt=state.attempt_number, max_wait=max_wait)

    def before_sleep(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        sleep = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s: attempt %d of %d failed (%s); retrying in %.1fs",
            what,
            state.attempt_number,
            limit,
            error,
            sleep,
        )

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(limit),
        wait=wait,
        retry=tenacity.retry_if_exception(lambda error: is_retryable(error, idempotent=idempotent)),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return retrying(send)
    except ThoughtSpotTransientError as error:
        attempts = retrying.statistics.get("attempt_number", 1)
        raise error.with_attempts(attempts) from None
