"""paging.read_ahead: the next page is fetched while this one is written, and nothing else changes."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest

from airflow_provider_tssession.paging import read_ahead

if TYPE_CHECKING:
    from collections.abc import Iterator


class Source:
    """Yields 0..n-1 from whichever thread reads it; records what it was asked for and when it stopped."""

    def __init__(self, n: int, fail_at: int | None = None) -> None:
        self.n, self.fail_at = n, fail_at
        self.produced: list[int] = []
        self.closed = threading.Event()
        self.threads: set[str] = set()

    def __iter__(self) -> Iterator[int]:
        try:
            for item in range(self.n):
                self.threads.add(threading.current_thread().name)
                if item == self.fail_at:
                    raise ConnectionError(f"page {item} failed")
                self.produced.append(item)
                yield item
        finally:
            self.closed.set()


def test_every_item_arrives_in_order_fetched_by_another_thread() -> None:
    source = Source(50)
    assert list(read_ahead(iter(source))) == list(range(50))
    assert source.threads == {"thoughtspot-read-ahead"}
    assert source.closed.is_set()


def test_an_error_is_raised_where_it_happened_after_the_items_before_it() -> None:
    source = Source(10, fail_at=4)
    received = []
    with pytest.raises(ConnectionError, match="page 4 failed"):
        for item in read_ahead(iter(source)):
            received.append(item)
    assert received == [0, 1, 2, 3]


def test_a_caller_that_stops_stops_the_reading_within_one_item_ahead() -> None:
    source = Source(1000)
    pages = read_ahead(iter(source))
    assert [next(pages) for _ in range(3)] == [0, 1, 2]
    pages.close()  # what a `for` loop that raises or breaks does
    assert source.closed.wait(10)
    assert len(source.produced) <= 5  # this one, one in the hand-off, one being read: never the rest


def test_a_caller_error_while_writing_ends_the_thread() -> None:
    source = Source(1000)

    def write_until_full() -> None:
        for item in read_ahead(iter(source)):
            if item == 2:
                raise OSError("No space left on device")

    before = threading.active_count()
    with pytest.raises(OSError, match="No space left"):
        write_until_full()
    assert source.closed.wait(10)
    assert threading.active_count() == before
