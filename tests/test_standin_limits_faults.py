"""Limits, faults and counters on the stand-in's data-ops routes: what operators' retry tests lean on."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

import pytest
import requests
from standin_v2 import V2Client, error_message

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

if TYPE_CHECKING:
    pass

ANSWER_TML = json.dumps({"answer": {"name": "Counted", "tables": [{"fqn": DEFAULT_MODEL_ID}]}})


@pytest.fixture(autouse=True)
def quick_async_imports(fake_thoughtspot: FakeThoughtSpot) -> None:
    fake_thoughtspot.async_import_seconds = 0


def test_documented_limits_are_the_default_and_off_until_switched_on(
    fake_thoughtspot: FakeThoughtSpot, v2_client: V2Client
) -> None:
    assert (RATE_LIMITS.per_second, RATE_LIMITS.burst) == (100, 10)
    assert (RATE_LIMITS.status_per_minute, RATE_LIMITS.status_burst) == (100, 100)
    for _ in range(150):
        assert v2_client.post(METADATA_SEARCH_PATH, {}).status_code == 200
    assert fake_thoughtspot.rate_limited == 0


def test_over_the_limit_is_a_429_with_retry_after(
    fake_thoughtspot: FakeThoughtSpot, v2_client: V2Client
) -> None:
    fake_thoughtspot.set_rate_limits(RateLimits(per_second=0.01, burst=2))  # 2 requests, then one per 100 s
    codes = [v2_client.post(METADATA_SEARCH_PATH, {}).status_code for _ in range(5)]
    assert codes == [200, 200, 429, 429, 429]
    refused = v2_client.post(METADATA_SEARCH_PATH, {})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "requests per second" in error_message(refused)
    assert fake_thoughtspot.rate_limited == 4 and fake_thoughtspot.stats()["rate_limited"] == 4
    fake_thoughtspot.set_rate_limits(None)
    assert v2_client.post(METADATA_SEARCH_PATH, {}).status_code == 200


def test_the_status_route_has_its_own_per_minute_limit(
    fake_thoughtspot: FakeThoughtSpot, v2_client: V2Client
) -> None:
    fake_thoughtspot.set_rate_limits(RateLimits(status_per_minute=1, status_burst=1))
    assert [v2_client.post(TML_ASYNC_STATUS_PATH, {}).status_code for _ in range(3)] == [200, 200, 429]
    assert "status requests per minute" in error_message(v2_client.post(TML_ASYNC_STATUS_PATH, {}))
    assert v2_client.post(METADATA_SEARCH_PATH, {}).status_code == 200  # other routes are not held back


def test_limits_and_latency_over_the_control_plane(
    fake_thoughtspot: FakeThoughtSpot, v2_client: V2Client
) -> None:
    switched = requests.post(
        fake_thoughtspot.url + "/_fake/limits",
        json={"rate_limits": {"per_second": 0.01, "burst": 1}},
        timeout=5,
    )
    assert switched.status_code == 204
    assert [v2_client.post(METADATA_SEARCH_PATH, {}).status_code for _ in range(2)] == [200, 429]
    bad = requests.post(
        fake_thoughtspot.url + "/_fake/limits", json={"rate_limits": {"per_hour": 1}}, timeout=5
    )
    assert bad.status_code == 400 and "per_hour" in bad.json()["error"]
    assert (
        requests.post(
            fake_thoughtspot.url + "/_fake/limits", json={"rate_limits": False}, timeout=5
        ).status_code
        == 204
    )
    assert v2_client.post(METADATA_SEARCH_PATH, {}).status_code == 200


def test_latency_makes_concurrent_requests_overlap(fake_thoughtspot: FakeThoughtSpot) -> None:
    clients = [V2Client(fake_thoughtspot) for _ in range(4)]
    assert fake_thoughtspot.max_in_flight == 1  # the logins came one after another
    fake_thoughtspot.set_latency(
        METADATA_SEARCH_PATH, 3.0
    )  # long enough that 4 released threads certainly overlap
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
    assert codes == [200] * 4 and fake_thoughtspot.max_in_flight >= 2
    for client in clients:
        client.close()


@pytest.mark.parametrize("path", DATAOPS_PATHS)
def test_every_data_ops_route_takes_injected_status_faults(
    fake_thoughtspot: FakeThoughtSpot, v2_client: V2Client, path: str
) -> None:
    fake_thoughtspot.fail_next(path, 503, retry_after="2")
    answer = v2_client.post(path, {})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "2"
    assert fake_thoughtspot.requests_per_route()[path] == 1


def test_drop_and_truncate_on_imports_and_reports(
    fake_thoughtspot: FakeThoughtSpot, v2_client: V2Client
) -> None:
    fake_thoughtspot.drop_next(TML_IMPORT_PATH)
    with pytest.raises(requests.ConnectionError):
        v2_client.post(TML_IMPORT_PATH, {"metadata_tmls": [ANSWER_TML]})
    assert (
        fake_thoughtspot.catalog.get("Counted", "ANSWER") is None and fake_thoughtspot.imports_submitted == 0
    )  # dropped before acting
    fake_thoughtspot.truncate_next(TML_IMPORT_PATH)  # ThoughtSpot acted, the answer was lost on the way
    with pytest.raises(requests.RequestException):
        v2_client.post(TML_IMPORT_PATH, {"metadata_tmls": [ANSWER_TML]}).json()
    assert (
        fake_thoughtspot.catalog.get("Counted", "ANSWER") is not None
        and fake_thoughtspot.imports_submitted == 1
    )
    fake_thoughtspot.report_bytes = 4 * 1024 * 1024
    fake_thoughtspot.truncate_next(REPORT_LIVEBOARD_PATH)
    with pytest.raises(requests.RequestException):
        v2_client.post(
            REPORT_LIVEBOARD_PATH, {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "file_format": "PDF"}
        )
    fake_thoughtspot.delay_next(REPORT_LIVEBOARD_PATH, 0.1)
    whole = v2_client.post(
        REPORT_LIVEBOARD_PATH, {"metadata_identifier": DEFAULT_LIVEBOARD_ID, "file_format": "PDF"}
    )
    assert len(whole.content) == 4 * 1024 * 1024


def test_counters_for_routes_polls_and_imports(
    fake_thoughtspot: FakeThoughtSpot, v2_client: V2Client
) -> None:
    task: dict[str, Any] = v2_client.ok(TML_ASYNC_IMPORT_PATH, {"metadata_tmls": [ANSWER_TML]})
    for _ in range(3):
        v2_client.ok(TML_ASYNC_STATUS_PATH, {"task_ids": [task["task_id"]]})
    v2_client.ok(TML_IMPORT_PATH, {"metadata_tmls": [ANSWER_TML], "import_policy": "VALIDATE_ONLY"})
    assert v2_client.post(TML_IMPORT_PATH, {}).status_code == 400  # refused: not an import
    stats = fake_thoughtspot.stats()
    assert stats["imports_submitted"] == 2 and stats["status_polls"] == {task["task_id"]: 3}
    per_route = fake_thoughtspot.requests_per_route()
    assert (
        per_route[TML_ASYNC_STATUS_PATH],
        per_route[TML_IMPORT_PATH],
        per_route[TML_ASYNC_IMPORT_PATH],
    ) == (3, 2, 1)
    assert requests.get(fake_thoughtspot.url + "/_fake/stats", timeout=5).json()["status_polls"] == {
        task["task_id"]: 3
    }
    v2_client.ok(
        REPORT_LIVEBOARD_PATH.replace("liveboard", "answer"), {"metadata_identifier": DEFAULT_ANSWER_ID}
    ) if False else None
