"""ThoughtSpotTMLImportTrigger on its own: what it serializes, and running it until its event over real HTTP."""

from __future__ import annotations

import asyncio
import importlib
import json
import time
from typing import Any

import pytest

from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import DEFAULT_MODEL_ID
from airflow_provider_tssession.testing.limits import RateLimits
from airflow_provider_tssession.testing.paths import TML_ASYNC_IMPORT_PATH, TML_ASYNC_STATUS_PATH
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD
from airflow_provider_tssession.triggers.tml import ThoughtSpotTMLImportTrigger

CONN_ID = "thoughtspot_default"


def trigger(**overrides: Any) -> ThoughtSpotTMLImportTrigger:
    kwargs: dict[str, Any] = {
        "thoughtspot_conn_id": CONN_ID,
        "import_task_id": "task-1",
        "session_handle": None,
        "owns_session": False,
        "poll_interval": 0.6,
        "deadline": None,
    }
    kwargs.update(overrides)
    return ThoughtSpotTMLImportTrigger(**kwargs)


def rebuilt(original: ThoughtSpotTMLImportTrigger) -> ThoughtSpotTMLImportTrigger:
    """What a restarted triggerer does: import the class path, call it with the stored (JSON) kwargs."""
    classpath, kwargs = original.serialize()
    module, _, name = classpath.rpartition(".")
    stored = json.loads(json.dumps(kwargs))  # the metadata DB keeps JSON
    made: ThoughtSpotTMLImportTrigger = getattr(importlib.import_module(module), name)(**stored)
    return made


def run_to_event(made: ThoughtSpotTMLImportTrigger) -> dict[str, Any]:
    async def first_event() -> dict[str, Any]:
        async for event in made.run():
            payload: dict[str, Any] = event.payload
            return payload
        raise AssertionError("the trigger ended without an event")

    return asyncio.run(asyncio.wait_for(first_event(), timeout=60))


def test_serialize_round_trip_keeps_everything_it_needs() -> None:
    original = trigger(
        session_handle={"kind": "thoughtspot_session", "sealed": "x"}, owns_session=True, deadline=1.5
    )
    again = rebuilt(original)
    assert again.serialize() == original.serialize()
    assert again.serialize()[0] == "airflow_provider_tssession.triggers.tml.ThoughtSpotTMLImportTrigger"


def test_serialize_holds_the_sealed_handle_but_no_cookie_token_or_password(
    ts: FakeThoughtSpot,
) -> None:
    with ThoughtSpotHook(CONN_ID) as hook:
        handle = hook.hand_off_session()
        cookies = [c.value for c in hook.get_conn().cookies]
    assert cookies
    stored = json.dumps(trigger(session_handle=handle, owns_session=True).serialize())
    for secret in (*cookies, DEFAULT_PASSWORD):
        assert secret not in stored
    assert handle["sealed"] in stored
    with ThoughtSpotHook(CONN_ID, session_handle=handle) as hook:  # the holder of a handed-off session
        hook.login()
        hook.logout()
    assert ts.active_sessions == 0


@pytest.mark.parametrize("interval", [0.0, 0.01])
def test_a_tiny_interval_is_still_kept_for_serialization(interval: float) -> None:
    """The value is stored as given; the poller raises it to the status route's limit when it runs."""
    assert rebuilt(trigger(poll_interval=interval)).poll_interval == interval


def submit_import(ts: FakeThoughtSpot, seconds: float) -> tuple[str, dict[str, Any]]:
    """Send an async import through a hook and hand its session over, as the operator does before deferring."""
    ts.async_import_seconds = seconds
    tml = json.dumps(
        {
            "answer": {
                "name": "From the trigger test",
                "tables": [{"id": "Retail Sales", "fqn": DEFAULT_MODEL_ID}],
            }
        }
    )
    body = {"metadata_tmls": [tml], "import_policy": "ALL_OR_NONE"}
    with ThoughtSpotHook(CONN_ID) as hook:
        task_id = hook.request("POST", TML_ASYNC_IMPORT_PATH, json=body).json()["task_id"]
        handle = hook.hand_off_session()
    return str(task_id), handle


def test_runs_until_the_import_completes_and_logs_out_the_session_it_was_given(ts: FakeThoughtSpot) -> None:
    task_id, handle = submit_import(ts, 1.0)
    event = run_to_event(rebuilt(trigger(import_task_id=task_id, session_handle=handle, owns_session=True)))
    assert event["status"] == "done" and event["import_task_id"] == task_id
    assert event["result"]["task_status"] == "COMPLETED"
    assert [o["status"] for o in event["result"]["objects"]] == ["OK"]
    assert event["polls"] == ts.count(TML_ASYNC_STATUS_PATH) >= 2
    assert (ts.logins, ts.logouts, ts.active_sessions) == (1, 1, 0)  # polled on the handed-over session


def test_a_shared_session_is_left_to_its_owner(ts: FakeThoughtSpot) -> None:
    task_id, handle = submit_import(ts, 0.5)
    event = run_to_event(trigger(import_task_id=task_id, session_handle=handle, owns_session=False))
    assert event["status"] == "done"
    assert ts.active_sessions == 1  # the login task's logout ends it


def test_a_restarted_triggerer_carries_on_from_serialize_with_the_same_session(ts: FakeThoughtSpot) -> None:
    task_id, handle = submit_import(ts, 2.0)
    first = trigger(import_task_id=task_id, session_handle=handle, owns_session=True)

    async def run_until_first_poll_then_cancel() -> None:
        running = asyncio.ensure_future(first.run().__anext__())
        for _ in range(600):
            if ts.count(TML_ASYNC_STATUS_PATH) >= 1:
                break
            await asyncio.sleep(0.05)
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running

    asyncio.run(run_until_first_poll_then_cancel())
    assert ts.active_sessions == 1  # a cancelled trigger keeps the session: its successor needs it
    event = run_to_event(rebuilt(first))
    assert event["status"] == "done" and event["result"]["task_status"] == "COMPLETED"
    assert (ts.logins, ts.active_sessions) == (1, 0)


def test_the_deadline_ends_in_a_timeout_event(ts: FakeThoughtSpot) -> None:
    task_id, handle = submit_import(ts, 60)
    event = run_to_event(
        trigger(import_task_id=task_id, session_handle=handle, owns_session=True, deadline=time.time() + 1)
    )
    assert event["status"] == "timeout" and "may still be running" in event["message"]
    assert ts.active_sessions == 0


def test_an_unknown_task_ends_in_an_error_event_and_still_logs_out(ts: FakeThoughtSpot) -> None:
    _, handle = submit_import(ts, 0.5)
    event = run_to_event(trigger(import_task_id="no-such-task", session_handle=handle, owns_session=True))
    assert event["status"] == "error" and "no-such-task" in event["message"]
    assert ts.active_sessions == 0


def test_without_a_handle_it_logs_in_from_the_connection_and_out_again(ts: FakeThoughtSpot) -> None:
    task_id, _ = submit_import(ts, 0.5)
    event = run_to_event(trigger(import_task_id=task_id, session_handle=None, owns_session=False))
    assert event["status"] == "done"
    assert (ts.logins, ts.logouts) == (2, 1)  # its own session, ended; the handed-over one is still open


def test_polls_never_outpace_the_status_routes_limit_even_when_asked_to(ts: FakeThoughtSpot) -> None:
    """The documented 100 status requests a minute, without the burst: asked to poll every 10 ms for 3 s,
    an unclamped poller would send hundreds and meet 429s; this one sends a handful."""
    ts.set_rate_limits(RateLimits(status_per_minute=100, status_burst=0))
    task_id, handle = submit_import(ts, 3.0)
    event = run_to_event(
        trigger(import_task_id=task_id, session_handle=handle, owns_session=True, poll_interval=0.01)
    )
    assert event["status"] == "done" and event["polls"] >= 3
    assert ts.rate_limited == 0
