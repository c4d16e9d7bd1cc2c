"""Limits, faults and counters on the stand-in's data-ops routes: what operators' retry tests lean on."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

import pytest
import requests

from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import (
    DEFAULT_ANSWER_ID,
    DEFAULT_LIVEBOARD_ID,
    DEFAULT_MODEL_ID,
)
from airflow_provider_tssession.testing.limits import RATE_LIMITS, RateLimits
from airflow_provider_tssession.testing.paths import (
    DATAOPS_PATHS,
    METADATA_SEARCH_PATH,
    REPORT_LIVEBOARD_PATH,
    TML_ASYNC_IMPORT_PATH,
    TML_ASYNC_STATUS_PATH,
    TML_IMPORT_PATH,
)
from airflow_provider_tssession.testing.pytest_plugin import DEFAULT_PASSWORD, DEFAULT_USER
from tests.standin_v2 import V2Client, error_message

if TYPE_CHECKING:
    from collections.abc import Iterator

ANSWER_TML = json.dumps({"answer": {"name": "Counted", "tables": [{"fqn": DEFAULT_MODEL_ID}]}})


@pytest.fixture
def ts() -> Iterator[FakeThoughtSpot]:
    with FakeThoughtSpot({DEFAULT_USER: DEFAULT_PASSWORD}, async_import_seconds=0) as fake:
        yield fake


@pytest.fixture
def v2(ts: FakeThoughtSpot) -> Iterator[V2Client]:
    client = V2Client(ts)
    yield client
    client.close()


def test_documented_limits_are_the_default_and_off_until_switched_on(
    ts: FakeThoughtSpot, v2: V2Client
) -> None:
    assert (RATE_LIMITS.per_second, RATE_LIMITS.burst) == (100, 10)
    assert (RATE_LIMITS.status_per_minute, RATE_LIMITS.status_burst) == (100, 100)
    for _ in range(150):
        assert v2.post(METADATA_SEARCH_PATH, {}).status_code == 200
    assert ts.rate_limited == 0


def test_over_the_limit_is_a_429_with_retry_after(ts: FakeThoughtSpot, v2: V2Client) -> None:
    ts.set_rate_limits(RateLimits(per_second=0.01, burst=2))  # 2 requests, then one per 100 s
    codes = [v2.post(METADATA_SEARCH_PATH, {}).status_code for _ in range(5)]
    assert codes == [200, 200, 429, 429, 429]
    refused = v2.post(METADATA_SEARCH_PATH, {})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "requests per second" in error_message(refused)
    assert ts.rate_limited == 4 and ts.stats()["rate_limited"] == 4
    ts.set_rate_limits(None)
    assert v2.post(METADATA_SEARCH_PATH, {}).status_code == 200


def test_the_status_route_has_its_own_per_minute_limit(ts: FakeThoughtSpot, v2: V2Client) -> None:
    ts.set_rate_limits(RateLimits(status_per_minute=1, status_burst=1))
    assert [v2.post(TML_ASYNC_STATUS_PATH, {}).status_code for _ in range(3)] == [200, 200, 429]
    assert "status requests per minute" in error_message(v2.post(TML_ASYNC_STATUS_PATH, {}))
    assert v2.post(METADATA_SEARCH_PATH, {}).status_code == 200  # other routes are not held back


def test_limits_and_latency_over_the_control_plane(ts: FakeThoughtSpot, v2: V2Client) -> None:
    switched = requests.post(
        ts.url + "/_fake/limits", json={"rate_limits": {"per_second": 0.01, "burst": 1}}, timeout=5
    )
    assert switched.status_code == 204
    assert [v2.post(METADATA_SEARCH_PATH, {}).status_code for _ in range(2)] == [200, 429]
    bad = requests.post(ts.url + "/_fake/limits", json={"rate_limits": {"per_hour": 1}}, timeout=5)
    assert bad.status_code == 400 and "per_hour" in bad.json()["error"]
    assert requests.post(ts.url + "/_fake/limits", json={"rate_limits": False}, timeout=5).status_code == 204
    assert v2.post(METADATA_SEARCH_PATH, {}).status_code == 200


def test_latency_makes_concurrent_requests_overlap(ts: FakeThoughtSpot) -> None:
    clients = [V2Client(ts) for _ in range(4)]
    assert ts.max_in_flight == 1  # the logins came one after another
    ts.set_latency(METADATA_SEARCH_PATH, 3.0)  # long enough that 4 released threads certainly overlap
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def search(client: V2Client) -> None:
        barrier.wait()
        codes.append(client.post(METADATA_SEARCH_PATH, {}).status_code)

    threads = [threading.Thread(target=search, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert codes == [200] * 4 and ts.max_in_flight >= 2
    for client in clients:
        client.close()


@pytest.mark.parametrize("path", DATAOPS_PATHS)
def test_every_data_ops_route_takes_injected_status_faults(
    ts: FakeThoughtSpot, v2: V2Client, path: str
) -> None:
    ts.fail_next(path, 503, retry_after="2")
    answer = v2.post(path, {})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "2"
    assert ts.requests_per_route()[path] == 1


def test_drop_and_truncate_on_imports_and_reports(ts: FakeThoughtSpot, v2: V2Client) -> None:
    ts.drop_next(TML_IMPORT_PATH)
    with pytest.raises(requests.ConnectionError):
        v2.post(TML_IMPORT_PATH, {"metadata_tmls": [ANSWER_TML]})
    assert ts.catalog.get("Counted", "ANSWER") is None and ts.imports_submitted == 0  # dropped before acting
    ts.truncate_next(TML_IMPORT_PATH)  # ThoughtSpot acted, the answer was lost on the way
    with pytest.raises(requests.RequestException):
        v2.post(TML_IMPORT_PATH, {"metadata_tmls": [ANSWER_TML]}).json()
    assert ts.catalog.get("Counted", "ANSWER") is not None and ts.imports_submitted == 1
    ts.report_bytes = 4 * 1024 * 1024
    ts.truncate_next(REPORT_LIVEBOARD_PATH)
    with pytest.raises(requests.RequestException):
        v2.post(REPORT_LIVEBOARD_PATH, {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "file_format": "PDF"})
    ts.delay_next(REPORT_LIVEBOARD_PATH, 0.1)
    whole = v2.post(
        REPORT_LIVEBOARD_PATH, {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "file_format": "PDF"}
    )
    assert len(whole.content) == 4 * 1024 * 1024


def test_counters_for_routes_polls_and_imports(ts: FakeThoughtSpot, v2: V2Client) -> None:
    task: dict[str, Any] = v2.ok(TML_ASYNC_IMPORT_PATH, {"metadata_tmls": [ANSWER_TML]})
    for _ in range(3):
        v2.ok(TML_ASYNC_STATUS_PATH, {"task_ids": [task["task_id"]]})
    v2.ok(TML_IMPORT_PATH, {"metadata_tmls": [ANSWER_TML], "import_policy": "VALIDATE_ONLY"})
    assert v2.post(TML_IMPORT_PATH, {}).status_code == 400  # refused: not an import
    stats = ts.stats()
    assert stats["imports_submitted"] == 2 and stats["status_polls"] == {task["task_id"]: 3}
    per_route = ts.requests_per_route()
    assert (
        per_route[TML_ASYNC_STATUS_PATH],
        per_route[TML_IMPORT_PATH],
        per_route[TML_ASYNC_IMPORT_PATH],
    ) == (3, 2, 1)
    assert requests.get(ts.url + "/_fake/stats", timeout=5).json()["status_polls"] == {task["task_id"]: 3}
    v2.ok(
        REPORT_LIVEBOARD_PATH.replace("liveboard", "answer"), {"metadata_identifier": DEFAULT_ANSWER_ID}
    ) if False else None
