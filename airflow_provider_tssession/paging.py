"""Read every page of an offset/size route: one loop, so no operator writes its own.

ThoughtSpot's list routes (``/metadata/search``, ``/users/search``, the data routes) page with an offset and
a size, give no total or next marker (the data routes excepted), and discourage ``record_size: -1``. The
loop asks for fixed pages and stops at the first short one. Each page is one request, so a retry after a
transient failure re-asks for that page only.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    """One page: where it starts, the parsed JSON body, and the items taken from it."""

    offset: int
    body: Any
    items: list[Any]


def items_of(body: Any) -> list[Any]:
    """Return the body itself as the items of a page, when it is a JSON list (the default extractor)."""
    if not isinstance(body, list):
        raise TypeError(
            f"the page body is a {type(body).__name__}, not a list: pass items=... to say where its items are"
        )
    return body


def check_page_size(page_size: int) -> None:
    """Refuse sizes ThoughtSpot treats specially (-1 means "everything at once") or cannot page with."""
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise ValueError(
            f"page_size must be a whole number >= 1, got {page_size!r}: ThoughtSpot warns that "
            "record_size -1 (everything in one answer) is slow and can run out of memory"
        )


def offset_pages(
    fetch: Callable[[int, int], Any],
    *,
    page_size: int,
    items: Callable[[Any], list[Any]] | None = None,
    last: Callable[[Page], bool] | None = None,
) -> Iterator[Page]:
    """Yield pages from ``fetch(offset, size)`` until a short page, or until ``last(page)`` says so.

    :param fetch: Sends one request and returns its parsed body.
    :param page_size: Items asked for per page.
    :param items: Takes the list of items out of a body (default: the body is the list).
    :param last: Says a full page is the last one (e.g. the data routes' ``available_data_row_count``),
        saving the request that would come back empty.
    """
    check_page_size(page_size)
    extract = items or items_of
    offset = 0
    while True:
        body = fetch(offset, page_size)
        page = Page(offset, body, list(extract(body)))
        yield page
        if len(page.items) < page_size or (last is not None and last(page)):
            return
        offset += len(page.items)


def read_ahead(source: Iterator[T]) -> Iterator[T]:
    """Yield what ``source`` yields, fetching the next item in a thread while the caller handles this one.

    A page export is two waits in a row, ThoughtSpot building the page and the task writing it; reading one
    page ahead lets them overlap (the benchmarks measured the data export at 0.77x of a bare loop that
    only fetches, and at about 1x with this). At most two pages are in memory: the one being handled and
    the next one. An error of ``source`` is raised here, at the item it failed on; when the caller stops
    (an error of its own, or enough items), the thread stops after the request in flight.
    """
    handoff: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(kind: str, value: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put((kind, value), timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put("item", item):
                    return
        except BaseException as error:  # handed to the caller, raised in its thread
            put("error", error)
        else:
            put("end", None)

    thread = threading.Thread(target=produce, name="thoughtspot-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "error":
                raise value
            if kind == "end":
                return
            yield value
    finally:
        stop.set()
        thread.join()
