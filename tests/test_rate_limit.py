"""Client-side pacing under ThoughtSpot's rate limits: the token bucket, TML exports, and status polls."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from pathlib import Path

import pytest

from airflow_provider_tssession import polling
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.rate_limit import RateLimiter
from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import MetadataObject
from airflow_provider_tssession.testing.paths import TML_EXPORT_PATH
from airflow_provider_tssession.tml_export import TMLExport


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1024.0  # powers of two: the arithmetic below is exact

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr("airflow_provider_tssession.rate_limit.time.monotonic", fake)
    return fake


def test_the_burst_goes_at_once_then_calls_queue_at_the_rate(clock: Clock) -> None:
    limiter = RateLimiter(per_second=100, burst=10)
    assert [limiter.reserve() for _ in range(10)] == [0.0] * 10
    waits = [limiter.reserve() for _ in range(3)]  # each later caller queues behind the one before
    assert waits == pytest.approx([0.01, 0.02, 0.03])


def test_a_pause_refills_the_bucket_but_never_beyond_the_burst(clock: Clock) -> None:
    limiter = RateLimiter(per_second=16, burst=8)
    for _ in range(8):
        limiter.reserve()
    clock.now += 0.25  # four tokens' worth
    assert [limiter.reserve() for _ in range(4)] == [0.0] * 4
    assert limiter.reserve() == 0.0625
    clock.now += 3600
    assert [limiter.reserve() for _ in range(8)] == [0.0] * 8
    assert limiter.reserve() == 0.0625


@pytest.mark.parametrize(("per_second", "burst"), [(0, 10), (-1, 10), (100, 0)])
def test_a_limiter_that_could_never_let_a_call_through_is_refused(per_second: float, burst: int) -> None:
    with pytest.raises(ValueError, match="per_second > 0 and burst >= 1"):
        RateLimiter(per_second=per_second, burst=burst)


def test_ten_exports_in_flight_get_no_429_under_thoughtspots_rate_limit(
    ts: FakeThoughtSpot, tmp_path: Path
) -> None:
    """10 exports of 20 ms each could send 500 requests/s; ThoughtSpot allows 100 (+10), then 429s."""
    for n in range(500):
        ts.add_object(MetadataObject("LIVEBOARD", f"Paced {n:03d}"))
    ts.set_rate_limits()
    ts.set_latency(TML_EXPORT_PATH, 0.02)
    with ThoughtSpotHook() as hook:
        export = TMLExport(
            hook, output_path=tmp_path, edoc_format="YAML", export_fqn=True, log=logging.getLogger("test")
        )
        objects = export.find(identifiers=None, metadata=[{"type": "LIVEBOARD", "name_pattern": "Paced%"}])
        files, failed = export.run(objects, max_concurrency=10)
    assert (len(files), failed) == (500, [])
    assert ts.rate_limited == 0
    assert ts.count(TML_EXPORT_PATH) == 500  # no export had to be sent again


class Recorder:
    """Stands in for the process-wide status limiter: counts the tokens taken."""

    def __init__(self) -> None:
        self.taken = 0

    def acquire(self) -> float:
        self.taken += 1
        return 0.0

    def reserve(self) -> float:
        self.taken += 1
        return 0.0


def poller(statuses: list[str]) -> tuple[polling.Poller[str], list[str]]:
    def done(status: str) -> bool:
        return status == "COMPLETED"

    return polling.Poller(
        done=done, interval=0, deadline=None, what="job", log=logging.getLogger("t")
    ), statuses


@pytest.mark.parametrize("mode", ["worker", "triggerer"])
def test_every_status_poll_takes_its_turn_from_one_budget_for_the_process(
    monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    recorder = Recorder()
    monkeypatch.setattr(polling, "STATUS_LIMITER", recorder)
    monkeypatch.setattr(polling, "MIN_INTERVAL", 0.0)
    pollers = [poller(["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]) for _ in range(3)]

    def check(statuses: list[str]) -> str:
        return statuses.pop(0)

    if mode == "worker":
        results = [p.run(partial(check, statuses)) for p, statuses in pollers]
    else:

        async def wait_all() -> list[str]:
            return list(
                await asyncio.gather(*(p.run_async(partial(check, statuses)) for p, statuses in pollers))
            )

        results = asyncio.run(wait_all())
    assert results == ["COMPLETED"] * 3
    assert recorder.taken == 9 == sum(p.polls for p, _ in pollers)  # one token per status call


def test_the_status_budget_is_thoughtspots_documented_limit() -> None:
    assert polling.STATUS_LIMITER.per_second == pytest.approx(100 / 60)  # 100 requests a minute
    assert polling.STATUS_LIMITER.burst == 100
