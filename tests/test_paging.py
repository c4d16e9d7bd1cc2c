"""Paging: every item in order, a stop at the first short page, never record_size -1."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
from airflow_provider_tssession.paging import Page, offset_pages
from airflow_provider_tssession.testing import FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import MetadataObject
from airflow_provider_tssession.testing.paths import METADATA_SEARCH_PATH

SEARCH = "/api/rest/2.0/metadata/search"


def source(total: int) -> tuple[list[tuple[int, int]], Any]:
    """A route holding `total` numbered items, and the (offset, size) of every call it got."""
    calls: list[tuple[int, int]] = []

    def fetch(offset: int, size: int) -> list[int]:
        calls.append((offset, size))
        return list(range(offset, min(offset + size, total)))

    return calls, fetch


@pytest.mark.parametrize(("total", "size", "requests"), [(0, 10, 1), (9, 10, 1), (10, 10, 2), (25, 10, 3)])
def test_every_item_in_order_and_a_stop_at_the_first_short_page(total: int, size: int, requests: int) -> None:
    calls, fetch = source(total)
    items = [item for page in offset_pages(fetch, page_size=size) for item in page.items]
    assert items == list(range(total))
    assert calls == [(n * size, size) for n in range(requests)]


def test_pages_are_fetched_only_as_they_are_read() -> None:
    calls, fetch = source(100)
    pages = offset_pages(fetch, page_size=10)
    assert calls == []
    next(pages)
    next(pages)
    assert calls == [(0, 10), (10, 10)]


def test_last_saves_the_request_that_would_come_back_empty() -> None:
    calls, fetch = source(20)
    pages = list(offset_pages(fetch, page_size=10, last=lambda page: page.offset + len(page.items) >= 20))
    assert [page.offset for page in pages] == [0, 10]
    assert len(calls) == 2


def test_items_takes_the_list_out_of_an_object_body() -> None:
    def fetch(offset: int, size: int) -> dict[str, Any]:
        return {"rows": list(range(offset, min(offset + size, 5))), "total": 5}

    pages = list(offset_pages(fetch, page_size=2, items=lambda body: body["rows"]))
    assert pages[0] == Page(0, {"rows": [0, 1], "total": 5}, [0, 1])
    assert [item for page in pages for item in page.items] == [0, 1, 2, 3, 4]


def test_an_object_body_without_items_says_what_to_pass() -> None:
    with pytest.raises(TypeError, match="pass items="):
        list(offset_pages(lambda offset, size: {"rows": []}, page_size=10))


@pytest.mark.parametrize("size", [-1, 0, 2.5, True, "10"])
def test_page_sizes_that_are_not_positive_whole_numbers_are_refused(size: Any) -> None:
    calls, fetch = source(10)
    with pytest.raises(ValueError, match="record_size -1"):
        next(offset_pages(fetch, page_size=size))
    assert calls == []


# ThoughtSpotHook.paginate over real HTTP, against the stand-in's /metadata/search ----------------------
NAMES = [f"Page test {n:03d}" for n in range(45)]
BODY = {
    "metadata": [{"type": "ANSWER", "name_pattern": "Page test%"}],
    "sort_options": {"field_name": "NAME"},
}


@pytest.fixture
def catalog(ts: FakeThoughtSpot) -> FakeThoughtSpot:
    for name in NAMES:
        ts.add_object(MetadataObject("ANSWER", name))
    return ts


def offsets(ts: FakeThoughtSpot) -> list[tuple[int, int, int]]:
    bodies = [(json.loads(r.body), r.status) for r in ts.requests if r.path == METADATA_SEARCH_PATH]
    return [(body["record_offset"], body["record_size"], status) for body, status in bodies]


def test_hook_paginate_yields_every_item_in_order(catalog: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook:
        found = [item["metadata_name"] for item in hook.paginate(SEARCH, BODY, page_size=20)]
    assert found == NAMES
    assert offsets(catalog) == [(0, 20, 200), (20, 20, 200), (40, 20, 200)]


def test_hook_paginate_retries_a_failed_page_not_the_pages_before(catalog: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook:
        items = hook.paginate(SEARCH, BODY, page_size=20)
        first = [next(items) for _ in range(20)]
        catalog.fail_next(METADATA_SEARCH_PATH, 503)
        catalog.drop_next(METADATA_SEARCH_PATH)  # and a dropped connection on the retry: still read-only
        rest = list(items)
    assert [item["metadata_name"] for item in first + rest] == NAMES
    assert offsets(catalog) == [(0, 20, 200), (20, 20, 503), (20, 20, 0), (20, 20, 200), (40, 20, 200)]


def test_hook_paginate_never_sends_minus_one(catalog: FakeThoughtSpot) -> None:
    with ThoughtSpotHook() as hook, pytest.raises(ValueError, match="record_size -1"):
        next(hook.paginate(SEARCH, BODY, page_size=-1))
    assert offsets(catalog) == []
