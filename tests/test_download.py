"""hook.download: a body cut off mid-way is fetched again from its first byte, never appended to."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_tssession import storage
from airflow_provider_tssession.exceptions import ThoughtSpotApiError, ThoughtSpotConnectionError
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.testing import METADATA_LIST_PATH, FakeThoughtSpot

ENDPOINT = "/tspublic/v1/metadata/list"


def whole_body() -> bytes:
    with ThoughtSpotHook() as hook:
        return hook.request("GET", ENDPOINT).content


def test_a_truncated_body_is_downloaded_again_into_a_file_started_over(
    ts: FakeThoughtSpot, tmp_path: Path
) -> None:
    expected = whole_body()
    ts.truncate_next(METADATA_LIST_PATH)
    target = storage.child(tmp_path, "list.json")
    with ThoughtSpotHook() as hook:
        written = hook.download(ENDPOINT, lambda chunks: storage.write_chunks(target, chunks), method="GET")
    assert target.read_bytes() == expected
    assert written.bytes == len(expected)
    assert ts.count(METADATA_LIST_PATH) == 3  # whole_body's, the cut-off one, the retry


def test_a_body_cut_off_every_time_fails_after_the_retry_limit(ts: FakeThoughtSpot, tmp_path: Path) -> None:
    ts.truncate_next(METADATA_LIST_PATH, times=10)
    target = storage.child(tmp_path, "list.json")
    with ThoughtSpotHook() as hook, pytest.raises(ThoughtSpotConnectionError, match="cut off") as caught:
        hook.download(ENDPOINT, lambda chunks: storage.write_chunks(target, chunks), method="GET")
    limit = hook.settings.retry_limit
    assert caught.value.attempts == limit
    assert ts.count(METADATA_LIST_PATH) == limit


def test_an_error_status_is_retried_once_by_the_hook_not_again_per_download(ts: FakeThoughtSpot) -> None:
    ts.fail_next(METADATA_LIST_PATH, 503, times=10)
    with ThoughtSpotHook() as hook, pytest.raises(ThoughtSpotApiError) as caught:
        hook.download(ENDPOINT, lambda chunks: b"".join(chunks), method="GET")
    assert caught.value.status_code == 503
    assert ts.count(METADATA_LIST_PATH) == hook.settings.retry_limit
