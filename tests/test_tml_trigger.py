"""ThoughtSpotTMLImportTrigger on its own: what it serializes, and running it until its event over real HTTP."""

from __future__ import annotations

import asyncio
import importlib
import json
from typing import Any

import pytest

from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import FakeThoughtSpot
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
