"""Stream a read-only call's body into a sink, starting over when the body is cut off mid-way.

The hook's retries cover a call until its headers arrive; a body read with ``stream=True`` can still break
later (a dropped connection, a proxy timeout). Such a read is retried here, by the same policy, from the
first byte: the sink is handed a fresh stream each time and must start over (``storage.write_chunks`` opens
its file with ``wb``), so a retry never appends to the bytes of the attempt that broke.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import requests

from airflow_provider_tssession.exceptions import ThoughtSpotError
from airflow_provider_tssession.http_errors import transport_error
from airflow_provider_tssession.retry import RetryPolicy
from airflow_provider_tssession.routing import url_for

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook

T = TypeVar("T")
CHUNK_BYTES = 1024 * 1024
"""Bytes read per chunk: large enough for throughput, small enough that memory stays flat."""


class _AlreadyRetried(Exception):
    """Carries an error the hook's own retries gave up on, so it is not retried a second time here."""

    def __init__(self, error: ThoughtSpotError) -> None:
        super().__init__(str(error))
        self.error = error


def download(
    hook: ThoughtSpotHook,
    method: str,
    endpoint: str,
    sink: Callable[[Iterator[bytes]], T],
    **requests_kwargs: Any,
) -> T:
    """Send the call with ``stream=True`` and return ``sink(chunks)``; a broken body is fetched again."""
    settings = hook.settings
    what = f"{method.upper()} {url_for(settings, endpoint)}"

    def attempt() -> T:
        try:
            response = hook.request(method, endpoint, idempotent=True, stream=True, **requests_kwargs)
        except ThoughtSpotError as error:
            raise _AlreadyRetried(error) from None
        with response:
            try:
                return sink(response.iter_content(CHUNK_BYTES))
            except requests.RequestException as error:
                raise transport_error(error, what, requests_kwargs.get("timeout", settings.timeout)) from None

    try:
        policy = RetryPolicy.from_settings(settings)
        return policy.call(attempt, method=method, idempotent=True, what=what, log=hook.log)
    except _AlreadyRetried as wrapped:
        raise wrapped.error from None
