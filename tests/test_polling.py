"""The one polling policy of the worker and the triggerer: done, poll again, give up; never faster than the limit."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

import pytest

from airflow_provider_tssession import polling
from airflow_provider_tssession.exceptions import ThoughtSpotApiError, ThoughtSpotConnectionError
from airflow_provider_tssession.polling import MIN_INTERVAL, Poller, ThoughtSpotPollTimeout

LOG = logging.getLogger("test_polling")


def statuses(*values: Any) -> Any:
    """A check that returns (or raises) each value in turn."""
    answers = iter(values)

    def check() -> Any:
        value = next(answers)
        if isinstance(value, Exception):
            raise value
        return value

    return check


def poller(**kwargs: Any) -> Poller[str]:
    options: dict[str, Any] = {"done": lambda s: s in ("COMPLETED", "FAILED"), "interval": 0.0}
    options.update(kwargs)
    return Poller(deadline=options.pop("deadline", None), what="job 7", log=LOG, **options)


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the waits instead of sleeping them (the waits are what is under test)."""
    waits: list[float] = []
    monkeypatch.setattr(polling.time, "sleep", waits.append)
    return waits


def test_polls_until_a_terminal_state_and_counts_polls(no_sleep: list[float]) -> None:
    p = poller()
    assert p.run(statuses("IN_QUEUE", "IN_PROGRESS", "FAILED")) == "FAILED"
    assert p.polls == 3
    assert no_sleep == [MIN_INTERVAL, MIN_INTERVAL]  # asked for 0 s: raised to the status route's limit


def test_no_interval_goes_below_the_status_routes_documented_limit() -> None:
    assert round(MIN_INTERVAL * 100, 6) == 60  # 100 requests a minute per client IP
    assert poller(interval=0.01).interval == MIN_INTERVAL
    assert poller(interval=45).interval == 45


def test_transient_failures_are_polled_through_but_not_forever(no_sleep: list[float]) -> None:
    busy = ThoughtSpotApiError("503", status_code=503, transient=True)
    assert poller().run(statuses(busy, "IN_PROGRESS", busy, busy, "COMPLETED")) == "COMPLETED"
    with pytest.raises(ThoughtSpotApiError):
        poller().run(statuses(busy, busy, busy, "COMPLETED"))


def test_a_permanent_failure_is_raised_at_once(no_sleep: list[float]) -> None:
    refused = ThoughtSpotConnectionError("tls", transient=False, server_may_have_acted=False)
    with pytest.raises(ThoughtSpotConnectionError):
        poller().run(statuses(refused, "COMPLETED"))
    assert no_sleep == []


def test_the_deadline_is_a_timeout_that_says_the_job_may_still_run(no_sleep: list[float]) -> None:
    p = poller(deadline=time.time() - 1)
    with pytest.raises(
        ThoughtSpotPollTimeout, match="job 7 was not done by the deadline.*may still be running"
    ):
        p.run(statuses("IN_PROGRESS", "COMPLETED"))
    assert p.polls == 1
    assert poller(deadline=time.time() - 1).run(statuses("COMPLETED")) == "COMPLETED"  # done wins


def test_the_wait_shrinks_to_meet_the_deadline_but_not_below_the_limit() -> None:
    assert poller(interval=30, deadline=time.time() + 5).next_wait() <= 5
    assert poller(interval=30, deadline=time.time() + 0.01).next_wait() == MIN_INTERVAL


def test_the_async_wait_does_not_block_the_event_loop() -> None:
    """The check blocks until a coroutine on the same loop releases it: only a free loop can do that."""
    released = threading.Event()

    def check() -> str:
        if not released.wait(timeout=30):
            return "STUCK"
        return "COMPLETED"

    async def main() -> str:
        async def release() -> None:
            await asyncio.sleep(0)
            released.set()

        result, _ = await asyncio.gather(poller().run_async(check), release())
        return result

    assert asyncio.run(main()) == "COMPLETED"
